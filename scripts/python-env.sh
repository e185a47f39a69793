#!/usr/bin/env bash
# Creates (or refreshes) the project's Python environment in .venv: the real third-party peers the
# tests run against. Idempotent and quiet; prints the venv's python path on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
# Pinned: what the tests were written against.
packages=(
  "cargo-lambda==1.9.2"      # `cargo lambda watch`: the ecosystem's Runtime API emulator
  "awslambdaric==4.2.2"      # AWS's Python runtime interface client
  "oteltest==0.49.0"         # otelsink: a real OTLP receiver
  "ocsf-json-schema==1.2.0"  # the official OCSF JSON schemas, offline
  "jsonschema==4.23.0"       # validates OCSF events against those schemas
)
stamp="$venv/.packages"
want=$(printf '%s\n' "${packages[@]}")
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "${packages[@]}" >&2
  printf '%s\n' "$want" > "$stamp"
fi
echo "$venv/bin/python"

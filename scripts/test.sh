#!/usr/bin/env bash
# The project's whole test run, on a fresh machine with only the Rust toolchain and Python 3:
# installs the Python peers the tests run against, checks formatting and lints, builds every
# binary the end-to-end tests start, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== python peers (.venv)"
scripts/python-env.sh
echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo build --bins"
cargo build --workspace --bins --locked
echo "== cargo test"
cargo test --workspace --locked --no-fail-fast

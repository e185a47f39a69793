#!/usr/bin/env bash
# Measures lambda-guard run's overhead per invocation: N events of 1 KB through one environment
# running the minimal Rust probe function (lambda_runtime), over loopback.
#
#   scripts/bench-harness.sh [N] [PROFILE]     # defaults: 2000 release
#
# Prints the harness's own figures (--stats): wall round trip per invocation (dispatch +
# function + the runtime asking for the next event), the dispatch latency (event published →
# handed to the runtime's parked /next), and the harness process's CPU time per invocation, plus
# the script's own wall time per invocation for the whole run (startup and shutdown included).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-2000}
profile=${2:-release}
case "$profile" in
  release) flag=(--release); dir=release ;;
  dev|debug) flag=(); dir=debug ;;
  *) echo "profile must be release or dev" >&2; exit 2 ;;
esac
cd "$root"
cargo build -q "${flag[@]}" -p lambda-guard-cli --bin lambda-guard -p integration-tests --bin probe-fn
target=${CARGO_TARGET_DIR:-$root/target}/$dir
work=$(mktemp -d "${TMPDIR:-/tmp}/lambda-guard-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# One 1,024-byte event per line.
python3 - "$n" > "$work/events.jsonl" <<'PY'
import json, sys
n = int(sys.argv[1])
base = {"action": "echo", "pad": ""}
pad = 1024 - len(json.dumps(base, separators=(",", ":")))
line = json.dumps({"action": "echo", "pad": "x" * pad}, separators=(",", ":"))
assert len(line) == 1024
sys.stdout.write((line + "\n") * n)
PY
start=$(date +%s%N)
"$target/lambda-guard" run --stats --tmp dir --events "$work/events.jsonl" -- "$target/probe-fn" \
  > "$work/out.jsonl" 2> "$work/err.log"
end=$(date +%s%N)
ok=$(grep -c '"status":"success"' "$work/out.jsonl" || true)
grep 'stats:' "$work/err.log" | sed 's/^lambda-guard run: //'
echo "profile=$profile events=$n succeeded=$ok wall_per_invocation_us=$(( (end - start) / 1000 / n )) (whole run, startup and shutdown included)"
[ "$ok" = "$n" ] || { echo "not every invocation succeeded; see:" >&2; tail -5 "$work/err.log" >&2; exit 1; }

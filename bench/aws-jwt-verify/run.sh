#!/usr/bin/env bash
# Runs lambda-guard's criterion JWT benchmark and aws-jwt-verify on the same keys and tokens,
# on this machine, in this run, and prints µs per verification and the ratio.
#   bench/aws-jwt-verify/run.sh            # fresh keys and tokens
#   KEEP_FIXTURES=1 bench/aws-jwt-verify/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/target/jwt-bench"
export JWT_BENCH_FIXTURES="$out/fixtures.json"
mkdir -p "$out"
[ -n "${KEEP_FIXTURES:-}" ] || rm -f "$JWT_BENCH_FIXTURES"

# aws-jwt-verify runs before and after criterion and the better run counts, so that load from
# other processes on a shared machine does not favour either side.
(cd "$here" && { [ -d node_modules/aws-jwt-verify ] || npm ci --silent --no-audit --no-fund; })
# The Rust side writes the fixtures if they are missing: build and write them first.
(cd "$root" && cargo bench -p lambda-guard --bench jwt -- --list >/dev/null)
echo "== aws-jwt-verify (node $(node --version)), run 1" >&2
node "$here/bench.mjs" "$JWT_BENCH_FIXTURES" > "$out/aws-jwt-verify-1.json"

echo "== lambda-guard, aws-lc-rs signature only, jsonwebtoken (criterion)" >&2
(cd "$root" && cargo bench -p lambda-guard --bench jwt -- jwt_verify \
    --warm-up-time 1 --measurement-time "${MEASURE_SECONDS:-3}") >&2

echo "== aws-jwt-verify, run 2" >&2
node "$here/bench.mjs" "$JWT_BENCH_FIXTURES" > "$out/aws-jwt-verify-2.json"

node "$here/compare.mjs" "$root/target/criterion" "$out/aws-jwt-verify-1.json" "$out/aws-jwt-verify-2.json" \
    | tee "$out/summary.txt"

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

echo "== lambda-guard + jsonwebtoken (criterion)" >&2
(cd "$root" && cargo bench -p lambda-guard --bench jwt -- jwt_verify \
    --warm-up-time 1 --measurement-time "${MEASURE_SECONDS:-3}") >&2

echo "== aws-jwt-verify (node $(node --version))" >&2
(cd "$here" && { [ -d node_modules/aws-jwt-verify ] || npm ci --silent --no-audit --no-fund; })
node "$here/bench.mjs" "$JWT_BENCH_FIXTURES" > "$out/aws-jwt-verify.json"

node "$here/compare.mjs" "$root/target/criterion" "$out/aws-jwt-verify.json" | tee "$out/summary.txt"

// Reads criterion's estimates (median) for lambda-guard, the bare aws-lc-rs signature check and
// jsonwebtoken, and aws-jwt-verify's results (the better of the runs given), and prints µs per
// verification and the ratios, for wall time and for CPU time.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const [criterionDir, ...nodeRuns] = process.argv.slice(2);
const runs = nodeRuns.map((f) => JSON.parse(readFileSync(f, "utf8")));
const best = (alg, field) => {
  const xs = runs.map((r) => r[alg]?.[field]).filter((x) => x !== undefined);
  return xs.length ? Math.min(...xs) : undefined;
};
const us = (group, name) => {
  const f = join(criterionDir, group, name, "new", "estimates.json");
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, "utf8")).median.point_estimate / 1000;
};
const fmt = (x) => (x === undefined ? "n/a" : x.toFixed(2));
let ok = true;
for (const [title, group, field] of [
  ["wall time", "jwt_verify", "us_per_op"],
  ["CPU time", "jwt_verify_cpu", "cpu_us_per_op"],
]) {
  console.log(`\n${title} (µs per verification)`);
  console.log("alg     lambda-guard  signature-only  jsonwebtoken  aws-jwt-verify  lambda-guard speed-up");
  for (const alg of ["RS256", "ES256", "PS256", "EdDSA"]) {
    const lg = us(group, `lambda-guard_${alg}`);
    const sig = us(group, `aws-lc-rs-signature-only_${alg}`);
    const jw = us(group, `jsonwebtoken_${alg}`);
    const aw = best(alg, field);
    const ratio = lg && aw ? aw / lg : undefined;
    if (ratio !== undefined && ratio < 2) ok = false;
    const err = runs.map((r) => r[alg]?.error).find(Boolean);
    console.log(
      `${alg.padEnd(6)} ${fmt(lg).padStart(13)} ${fmt(sig).padStart(15)} ${fmt(jw).padStart(13)} ${fmt(aw).padStart(15)}  ${ratio === undefined ? "n/a" : ratio.toFixed(2) + "x"}${err ? "  (aws-jwt-verify: " + err.split(".")[0] + ")" : ""}`,
    );
  }
}
console.log(ok ? "\ngoal (>= 2x aws-jwt-verify) met" : "\ngoal (>= 2x aws-jwt-verify) NOT met everywhere");

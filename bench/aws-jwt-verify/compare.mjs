// Reads criterion's estimates (median) for lambda-guard, jsonwebtoken and the bare aws-lc-rs
// signature check, and aws-jwt-verify's results (best median of the runs given); prints µs per
// verification and the ratios.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const [criterionDir, ...nodeRuns] = process.argv.slice(2);
const node = {};
for (const file of nodeRuns) {
  for (const [alg, r] of Object.entries(JSON.parse(readFileSync(file, "utf8")))) {
    if (!node[alg] || (r.us_per_op !== undefined && !(node[alg].us_per_op <= r.us_per_op))) node[alg] = r;
  }
}
const us = (name) => {
  const f = join(criterionDir, "jwt_verify", name, "new", "estimates.json");
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, "utf8")).median.point_estimate / 1000;
};
const fmt = (x) => (x === undefined ? "n/a" : x.toFixed(2));
console.log("alg    lambda-guard µs  signature-only µs  jsonwebtoken µs  aws-jwt-verify µs  speed-up vs aws-jwt-verify");
let ok = true;
for (const alg of ["RS256", "ES256", "PS256", "EdDSA"]) {
  const lg = us(`lambda-guard_${alg}`);
  const jw = us(`jsonwebtoken_${alg}`);
  const sig = us(`aws-lc-rs-signature-only_${alg}`);
  const aw = node[alg]?.us_per_op;
  const ratio = lg && aw ? aw / lg : undefined;
  if (ratio !== undefined && ratio < 2) ok = false;
  const note = node[alg]?.error ? `  (aws-jwt-verify: ${node[alg].error})` : "";
  console.log(
    `${alg.padEnd(6)} ${fmt(lg).padStart(15)}  ${fmt(sig).padStart(17)}  ${fmt(jw).padStart(15)}  ${fmt(aw).padStart(17)}  ${ratio === undefined ? "n/a" : ratio.toFixed(2) + "x"}${note}`,
  );
}
console.log(ok ? "goal (>= 2x aws-jwt-verify) met" : "goal (>= 2x aws-jwt-verify) NOT met");

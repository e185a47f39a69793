// Reads criterion's estimates for lambda-guard and jsonwebtoken and aws-jwt-verify's
// results; prints µs per verification and the ratios.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const [criterionDir, nodeResults] = process.argv.slice(2);
const node = JSON.parse(readFileSync(nodeResults, "utf8"));
const us = (name) => {
  const f = join(criterionDir, "jwt_verify", name, "new", "estimates.json");
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, "utf8")).mean.point_estimate / 1000;
};
const fmt = (x) => (x === undefined ? "n/a" : x.toFixed(2));
console.log("alg    lambda-guard µs  jsonwebtoken µs  aws-jwt-verify µs  speed-up vs aws-jwt-verify");
let ok = true;
for (const alg of ["RS256", "ES256", "PS256", "EdDSA"]) {
  const lg = us(`lambda-guard_${alg}`);
  const jw = us(`jsonwebtoken_${alg}`);
  const aw = node[alg]?.us_per_op;
  const ratio = lg && aw ? aw / lg : undefined;
  if (ratio !== undefined && ratio < 2) ok = false;
  const note = node[alg]?.error ? `  (aws-jwt-verify: ${node[alg].error})` : "";
  console.log(
    `${alg.padEnd(6)} ${fmt(lg).padStart(15)}  ${fmt(jw).padStart(15)}  ${fmt(aw).padStart(17)}  ${ratio === undefined ? "n/a" : ratio.toFixed(2) + "x"}${note}`,
  );
}
console.log(ok ? "goal (>= 2x aws-jwt-verify) met" : "goal (>= 2x aws-jwt-verify) NOT met");

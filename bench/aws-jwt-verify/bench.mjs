// aws-jwt-verify (the reference verifier) on the fixtures written by
// guard/lambda-guard/benches/jwt.rs: same keys, same tokens, same claim checks
// (iss, aud, exp, nbf, iat, scope), keys cached in advance (no fetch).
// Prints one JSON object: { alg: { us_per_op, cpu_us_per_op, ops_per_s } | { error } }:
// wall time and process CPU time (user + system) per verification, median of 5 rounds.
import { JwtVerifier } from "aws-jwt-verify";
import { readFileSync } from "node:fs";

const path = process.argv[2] ?? "../../target/jwt-bench/fixtures.json";
const seconds = Number(process.env.BENCH_SECONDS ?? "1");
const fx = JSON.parse(readFileSync(path, "utf8"));
const results = {};

for (const alg of ["RS256", "ES256", "PS256", "EdDSA"]) {
  const token = fx.tokens[alg];
  let verifier;
  try {
    verifier = JwtVerifier.create({
      issuer: fx.issuer,
      audience: fx.audience,
      jwksUri: "https://issuer.example/.well-known/jwks.json",
      scope: "orders:read",
    });
    verifier.cacheJwks(fx.jwks);
    verifier.verifySync(token);
  } catch (e) {
    results[alg] = { error: `${e.constructor.name}: ${e.message}` };
    continue;
  }
  for (let i = 0; i < 5000; i++) verifier.verifySync(token); // warm up the JIT and key cache
  const rounds = [];
  const cpuRounds = [];
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const cpu0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    let now;
    do {
      for (let i = 0; i < 100; i++) verifier.verifySync(token);
      n += 100;
      now = process.hrtime.bigint();
    } while (now - start < BigInt(Math.round(seconds * 1e9)));
    const cpu = process.cpuUsage(cpu0);
    rounds.push(Number(now - start) / n / 1000);
    cpuRounds.push((cpu.user + cpu.system) / n);
  }
  rounds.sort((a, b) => a - b);
  cpuRounds.sort((a, b) => a - b);
  const us = rounds[2];
  results[alg] = { us_per_op: us, cpu_us_per_op: cpuRounds[2], ops_per_s: 1e6 / us };
}
console.log(JSON.stringify(results));

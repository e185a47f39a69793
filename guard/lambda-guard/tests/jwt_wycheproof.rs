//! Wycheproof's JSON Web Signature vectors (C2SP/wycheproof, Apache-2.0, vendored under
//! `tests/data/wycheproof/`) against the verification core.
//!
//! Every `invalid` vector must be refused. Every `valid` vector must verify, except those whose
//! key the guard refuses to use by design (symmetric `oct` keys, P-521), which are counted, and
//! the listed vectors where the guard is deliberately stricter than Wycheproof.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "tests: a panic is a failure"
)]

use lambda_guard::auth::{Algorithm, SignatureVerifier};
use serde_json::{json, Value};

/// Vectors Wycheproof calls valid that the guard refuses on purpose.
const STRICTER: [(u64, &str); 2] = [
    (
        346,
        "RFC 7520 figure 20 is PS384 but its JWK says `alg: PS256`: a JWK's own alg is enforced",
    ),
    (350, "the same with key_ops"),
];

#[test]
fn wycheproof_json_web_signature_vectors() {
    let raw = include_str!("data/wycheproof/json_web_signature_test.json");
    let doc: Value = serde_json::from_str(raw).unwrap();
    let (mut valid_ok, mut invalid_refused, mut unsupported_valid, mut stricter) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for group in doc["testGroups"].as_array().unwrap() {
        let jwk = group
            .get("public")
            .or_else(|| group.get("private"))
            .unwrap();
        let jwks = json!({ "keys": [jwk] }).to_string();
        let verifier = SignatureVerifier::from_jwks(jwks.as_bytes(), &Algorithm::ALL).unwrap();
        let unsupported = verifier.key_count() == 0;
        for test in group["tests"].as_array().unwrap() {
            let id = test["tcId"].as_u64().unwrap();
            let jws = match &test["jws"] {
                Value::String(s) => s.clone(),
                other => other.to_string(), // JSON serialization: must be refused
            };
            let result = verifier.verify(&jws);
            match (test["result"].as_str().unwrap(), result) {
                ("valid", Ok(_)) => valid_ok += 1,
                ("valid", Err(_)) if unsupported => unsupported_valid += 1,
                ("valid", Err(kind)) if STRICTER.iter().any(|(s, _)| *s == id) => {
                    assert_eq!(kind, lambda_guard::auth::Kind::AlgNotAllowed);
                    stricter += 1;
                }
                ("invalid", Err(_)) => invalid_refused += 1,
                ("acceptable", _) => {}
                (want, got) => failures.push(format!(
                    "tcId {id} ({}, {}): want {want}, got {got:?}",
                    group["comment"], test["comment"]
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!(
        "wycheproof JWS: {valid_ok} valid verified, {invalid_refused} invalid refused, \
         {unsupported_valid} valid skipped (HS*/ES521 keys are never used), {stricter} stricter"
    );
    assert_eq!(
        valid_ok + invalid_refused + unsupported_valid + stricter,
        doc["numberOfTests"].as_u64().unwrap() as usize
    );
    assert!(valid_ok >= 30, "{valid_ok}");
}

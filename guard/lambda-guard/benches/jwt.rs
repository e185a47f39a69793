//! JWT verification benchmarks: the full path a request takes (header extraction, route
//! policy, strict header parsing, key lookup by `kid`, signature, claim checks, scopes) for
//! RS256, ES256, PS256 and EdDSA, next to `jsonwebtoken` 12 (aws-lc-rs backend) decoding the
//! same tokens with precomputed keys (no lookup, no policy).
//!
//! Two groups: `jwt_verify` (wall time) and `jwt_verify_cpu` (the thread's CPU time).
//!
//! Keys and tokens come from `JWT_BENCH_FIXTURES` (default `target/jwt-bench/fixtures.json`):
//! read when the file exists, else generated and written there, so that
//! `bench/aws-jwt-verify/run.sh` can verify the very same tokens with aws-jwt-verify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "a benchmark: panics are failures; criterion macros generate undocumented items"
)]

use aws_lc_rs::{
    rand::SystemRandom,
    rsa::KeySize,
    signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair},
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use criterion::{
    criterion_group, criterion_main,
    measurement::{Measurement, ValueFormatter, WallTime},
    Criterion,
};
use lambda_guard::{
    auth::{AuthConfig, AuthOutcome, Authenticator},
    trigger::HttpRequest,
};
use serde_json::{json, Value};
use std::{
    future::Future,
    path::PathBuf,
    pin::pin,
    task::{Context, Poll, Waker},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// The calling thread's CPU time: on a machine shared with other work, wall time measures the
/// scheduler as much as the code; CPU time does not (caches and SMT siblings still interfere).
struct ThreadCpu;

static WALL: WallTime = WallTime;

impl Measurement for ThreadCpu {
    type Intermediate = cpu_time::ThreadTime;
    type Value = Duration;
    fn start(&self) -> Self::Intermediate {
        cpu_time::ThreadTime::now()
    }
    fn end(&self, i: Self::Intermediate) -> Duration {
        i.elapsed()
    }
    fn add(&self, v1: &Duration, v2: &Duration) -> Duration {
        *v1 + *v2
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WALL.formatter()
    }
}

const ISS: &str = "https://issuer.example";
const AUD: &str = "orders-api";
const ALGS: [&str; 4] = ["RS256", "ES256", "PS256", "EdDSA"];

fn b64(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

fn sign(alg: &str, kid: &str, claims: &Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let header = json!({"alg": alg, "kid": kid, "typ": "JWT"});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = sign(input.as_bytes());
    format!("{input}.{}", b64(&sig))
}

/// Generates one key per algorithm and a token for each, as a fixture document.
fn generate() -> Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({
        "iss": ISS, "aud": AUD, "sub": "bench-user", "iat": now, "nbf": now,
        "exp": now + 365 * 24 * 3600, "scope": "openid orders:read orders:write",
        "client_id": "bench-client", "jti": "3f1c9a1e-5b7d-4c1e-9a1b-7c2e4d5f6a7b",
    });
    let rng = SystemRandom::new();
    let mut keys = Vec::new();
    let mut tokens = serde_json::Map::new();
    for alg in ALGS {
        let kid = format!("bench-{}", alg.to_ascii_lowercase());
        let (jwk, token) = match alg {
            "RS256" | "PS256" => {
                let kp = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
                let pk = kp.public_key();
                let jwk = json!({"kty": "RSA",
                    "n": b64(pk.modulus().big_endian_without_leading_zero()),
                    "e": b64(pk.exponent().big_endian_without_leading_zero())});
                let enc: &'static dyn signature::RsaEncoding = if alg == "RS256" {
                    &signature::RSA_PKCS1_SHA256
                } else {
                    &signature::RSA_PSS_SHA256
                };
                let token = sign(alg, &kid, &claims, |m| {
                    let mut s = vec![0; kp.public_modulus_len()];
                    kp.sign(enc, &rng, m, &mut s).unwrap();
                    s
                });
                (jwk, token)
            }
            "ES256" => {
                let kp =
                    EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
                let p = kp.public_key().as_ref();
                let jwk =
                    json!({"kty": "EC", "crv": "P-256", "x": b64(&p[1..33]), "y": b64(&p[33..])});
                let token = sign(alg, &kid, &claims, |m| {
                    kp.sign(&rng, m).unwrap().as_ref().to_vec()
                });
                (jwk, token)
            }
            _ => {
                let kp = Ed25519KeyPair::generate().unwrap();
                let jwk =
                    json!({"kty": "OKP", "crv": "Ed25519", "x": b64(kp.public_key().as_ref())});
                let token = sign(alg, &kid, &claims, |m| kp.sign(m).as_ref().to_vec());
                (jwk, token)
            }
        };
        let mut jwk = jwk;
        jwk["kid"] = json!(kid);
        jwk["alg"] = json!(alg);
        jwk["use"] = json!("sig");
        keys.push(jwk);
        tokens.insert(alg.to_string(), json!(token));
    }
    json!({"issuer": ISS, "audience": AUD, "jwks": {"keys": keys}, "tokens": tokens})
}

fn fixtures() -> Value {
    let path = std::env::var_os("JWT_BENCH_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/jwt-bench/fixtures.json")
        });
    if let Ok(text) = std::fs::read_to_string(&path) {
        return serde_json::from_str(&text).unwrap();
    }
    let doc = generate();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    eprintln!("wrote {}", path.display());
    doc
}

/// Polls a future that completes without waiting (every key is cached).
fn ready<F: Future>(f: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(f).poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the verification path awaited"),
    }
}

fn wall(c: &mut Criterion) {
    bench(c, "jwt_verify");
}

fn cpu(c: &mut Criterion<ThreadCpu>) {
    bench(c, "jwt_verify_cpu");
}

fn bench<M: Measurement>(c: &mut Criterion<M>, name: &str) {
    let doc = fixtures();
    let jwks_path = std::env::temp_dir().join(format!("lg-bench-jwks-{}.json", std::process::id()));
    std::fs::write(&jwks_path, doc["jwks"].to_string()).unwrap();
    let config: AuthConfig = toml::from_str(&format!(
        "[jwt]\njwks_file = {jwks_path:?}\nissuer = \"{ISS}\"\naudience = \"{AUD}\"\n\
         algorithms = [\"RS256\", \"ES256\", \"PS256\", \"EdDSA\"]\n\
         [routes]\n\"GET /orders/{{id}}\" = {{ scopes = [\"orders:read\"] }}\n"
    ))
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let auth = runtime.block_on(Authenticator::new(&config)).unwrap();
    let _ = std::fs::remove_file(&jwks_path);

    let mut group = c.benchmark_group(name);
    for alg in ALGS {
        let token = doc["tokens"][alg].as_str().unwrap();
        let request = HttpRequest {
            method: "GET".into(),
            path: "/orders/42".into(),
            route: None,
            headers: vec![
                ("authorization".into(), format!("Bearer {token}")),
                ("content-type".into(), "application/json".into()),
                ("user-agent".into(), "bench".into()),
            ],
            source_ip: Some("203.0.113.7".into()),
        };
        assert!(matches!(
            ready(auth.authenticate(&request)),
            AuthOutcome::Allowed { claims: Some(_) }
        ));
        group.bench_function(format!("lambda-guard/{alg}"), |b| {
            b.iter(|| ready(auth.authenticate(std::hint::black_box(&request))))
        });

        // The floor: aws-lc-rs checking the signature alone, key parsed once.
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        let jwk0 = doc["jwks"]["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["alg"] == alg)
            .unwrap();
        let raw = |k: &str| URL_SAFE_NO_PAD.decode(jwk0[k].as_str().unwrap()).unwrap();
        let (verify_alg, public): (&'static dyn signature::VerificationAlgorithm, Vec<u8>) =
            match alg {
                "RS256" | "PS256" => {
                    let (n, e) = (raw("n"), raw("e"));
                    let der =
                        aws_lc_rs::encoding::AsDer::as_der(&aws_lc_rs::rsa::PublicKeyComponents {
                            n: n.as_slice(),
                            e: e.as_slice(),
                        })
                        .unwrap();
                    let a: &'static dyn signature::VerificationAlgorithm = if alg == "RS256" {
                        &signature::RSA_PKCS1_2048_8192_SHA256
                    } else {
                        &signature::RSA_PSS_2048_8192_SHA256
                    };
                    (a, der.as_ref().to_vec())
                }
                "ES256" => (
                    &signature::ECDSA_P256_SHA256_FIXED,
                    [vec![4], raw("x"), raw("y")].concat(),
                ),
                _ => (&signature::ED25519, raw("x")),
            };
        let parsed = signature::ParsedPublicKey::new(verify_alg, &public).unwrap();
        parsed.verify_sig(input.as_bytes(), &sig).unwrap();
        group.bench_function(format!("aws-lc-rs-signature-only/{alg}"), |b| {
            b.iter(|| parsed.verify_sig(std::hint::black_box(input.as_bytes()), &sig))
        });

        // jsonwebtoken 12 on the same token, key precomputed: the library baseline.
        let jwk = doc["jwks"]["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["alg"] == alg)
            .unwrap();
        let s = |k: &str| jwk[k].as_str().unwrap();
        let (key, jalg) = match alg {
            "RS256" => (
                jsonwebtoken::DecodingKey::from_rsa_components(s("n"), s("e")).unwrap(),
                jsonwebtoken::Algorithm::RS256,
            ),
            "PS256" => (
                jsonwebtoken::DecodingKey::from_rsa_components(s("n"), s("e")).unwrap(),
                jsonwebtoken::Algorithm::PS256,
            ),
            "ES256" => (
                jsonwebtoken::DecodingKey::from_ec_components(s("x"), s("y")).unwrap(),
                jsonwebtoken::Algorithm::ES256,
            ),
            _ => (
                jsonwebtoken::DecodingKey::from_ed_components(s("x")).unwrap(),
                jsonwebtoken::Algorithm::EdDSA,
            ),
        };
        let mut validation = jsonwebtoken::Validation::new(jalg);
        validation.set_issuer(&[ISS]);
        validation.set_audience(&[AUD]);
        validation.validate_nbf = true;
        jsonwebtoken::decode::<Value>(token, &key, &validation).unwrap();
        group.bench_function(format!("jsonwebtoken/{alg}"), |b| {
            b.iter(|| jsonwebtoken::decode::<Value>(std::hint::black_box(token), &key, &validation))
        });
    }
    group.finish();
}

criterion_group!(wall_time, wall);
criterion_group! {
    name = cpu_time;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = cpu
}
criterion_main!(wall_time, cpu_time);

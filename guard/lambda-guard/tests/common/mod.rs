//! Shared helpers for the JWT suites: keys generated per test run, tokens minted by hand so
//! every header and claim can be forged.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test helpers: each suite uses a subset; a panic is a failure"
)]

use aws_lc_rs::{
    encoding::AsDer,
    rand::SystemRandom,
    rsa::{KeySize, PublicKeyComponents},
    signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair},
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use lambda_guard::{
    auth::{AuthConfig, AuthOutcome, Authenticator},
    trigger::HttpRequest,
};
use serde_json::{json, Value};
use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

pub mod jwks_server;

pub const ISS: &str = "https://issuer.example";
pub const AUD: &str = "orders-api";

pub enum Signer {
    Rsa(RsaKeyPair),
    Ec256(EcdsaKeyPair),
    Ec384(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

/// A private key with its `kid` and the algorithm it signs with.
pub struct TestKey {
    pub kid: String,
    pub alg: &'static str,
    pub signer: Signer,
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl TestKey {
    pub fn rsa(kid: &str, alg: &'static str) -> TestKey {
        let kp = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        TestKey {
            kid: kid.into(),
            alg,
            signer: Signer::Rsa(kp),
        }
    }

    pub fn es256(kid: &str) -> TestKey {
        let kp = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        TestKey {
            kid: kid.into(),
            alg: "ES256",
            signer: Signer::Ec256(kp),
        }
    }

    pub fn es384(kid: &str) -> TestKey {
        let kp = EcdsaKeyPair::generate(&signature::ECDSA_P384_SHA384_FIXED_SIGNING).unwrap();
        TestKey {
            kid: kid.into(),
            alg: "ES384",
            signer: Signer::Ec384(kp),
        }
    }

    pub fn eddsa(kid: &str) -> TestKey {
        TestKey {
            kid: kid.into(),
            alg: "EdDSA",
            signer: Signer::Ed(Ed25519KeyPair::generate().unwrap()),
        }
    }

    /// The public JWK, with `alg` and `use` (callers may strip or change them).
    pub fn jwk(&self) -> Value {
        let mut jwk = match &self.signer {
            Signer::Rsa(kp) => {
                let pk = kp.public_key();
                let c = PublicKeyComponents {
                    n: pk.modulus().big_endian_without_leading_zero().to_vec(),
                    e: pk.exponent().big_endian_without_leading_zero().to_vec(),
                };
                json!({"kty": "RSA", "n": b64(&c.n), "e": b64(&c.e)})
            }
            Signer::Ec256(kp) | Signer::Ec384(kp) => {
                let p = kp.public_key().as_ref();
                let len = (p.len() - 1) / 2;
                let crv = if len == 32 { "P-256" } else { "P-384" };
                json!({"kty": "EC", "crv": crv, "x": b64(&p[1..1 + len]), "y": b64(&p[1 + len..])})
            }
            Signer::Ed(kp) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(kp.public_key().as_ref())})
            }
        };
        jwk["kid"] = json!(self.kid);
        jwk["alg"] = json!(self.alg);
        jwk["use"] = json!("sig");
        jwk
    }

    /// The public key as a PEM SubjectPublicKeyInfo block.
    pub fn pem(&self) -> String {
        let der = match &self.signer {
            Signer::Rsa(kp) => kp.public_key().as_der().unwrap().as_ref().to_vec(),
            Signer::Ec256(kp) | Signer::Ec384(kp) => {
                kp.public_key().as_der().unwrap().as_ref().to_vec()
            }
            Signer::Ed(kp) => kp.public_key().as_der().unwrap().as_ref().to_vec(),
        };
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    /// Raw signature bytes over `input` with `alg` (the key's own unless relabelled).
    pub fn sign_raw(&self, alg: &str, input: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match &self.signer {
            Signer::Rsa(kp) => {
                let enc: &'static dyn signature::RsaEncoding = match alg {
                    "RS256" => &signature::RSA_PKCS1_SHA256,
                    "RS384" => &signature::RSA_PKCS1_SHA384,
                    "RS512" => &signature::RSA_PKCS1_SHA512,
                    "PS256" => &signature::RSA_PSS_SHA256,
                    "PS384" => &signature::RSA_PSS_SHA384,
                    _ => &signature::RSA_PSS_SHA512,
                };
                let mut sig = vec![0; kp.public_modulus_len()];
                kp.sign(enc, &rng, input, &mut sig).unwrap();
                sig
            }
            Signer::Ec256(kp) | Signer::Ec384(kp) => {
                kp.sign(&rng, input).unwrap().as_ref().to_vec()
            }
            Signer::Ed(kp) => kp.sign(input).as_ref().to_vec(),
        }
    }

    /// A token with this exact header and payload, signed with the key's own algorithm.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig = self.sign_raw(self.alg, input.as_bytes());
        format!("{input}.{}", b64(&sig))
    }

    pub fn header(&self) -> Value {
        json!({"alg": self.alg, "kid": self.kid, "typ": "JWT"})
    }

    /// A valid token for `claims`.
    pub fn token(&self, claims: &Value) -> String {
        self.sign(&self.header(), claims)
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims that pass every check, with `scope`.
pub fn good_claims(scope: &str) -> Value {
    let now = now();
    json!({
        "iss": ISS, "aud": AUD, "sub": "alice", "exp": now + 300, "iat": now, "nbf": now - 1,
        "scope": scope, "cognito:groups": ["staff"],
    })
}

pub fn jwks(keys: &[&TestKey]) -> Value {
    json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()})
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Writes `contents` to a fresh file in the temp directory.
pub fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("lg-{}-{n}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path
}

/// An authenticator over a local JWKS file, with extra `[jwt]` lines and `[routes]` lines.
pub async fn file_auth(jwks: &Value, jwt_extra: &str, routes: &str) -> Authenticator {
    let path = temp_file("jwks.json", &jwks.to_string());
    let toml = format!(
        "[jwt]\njwks_file = {path:?}\nissuer = \"{ISS}\"\naudience = \"{AUD}\"\n\
         algorithms = [\"RS256\", \"RS384\", \"RS512\", \"PS256\", \"PS384\", \"PS512\", \"ES256\", \"ES384\", \"EdDSA\"]\n\
         {jwt_extra}\n[routes]\n{routes}\n"
    );
    let config: AuthConfig = toml::from_str(&toml).unwrap();
    Authenticator::new(&config).await.unwrap()
}

pub fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> HttpRequest {
    HttpRequest {
        method: method.into(),
        path: path.into(),
        route: None,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect(),
        source_ip: None,
    }
}

pub fn bearer(token: &str) -> HttpRequest {
    let value = format!("Bearer {token}");
    request("GET", "/orders/1", &[("authorization", &value)])
}

/// The refusal kind, or `"allowed"`.
pub fn kind(outcome: &AuthOutcome) -> &'static str {
    match outcome {
        AuthOutcome::Allowed { .. } => "allowed",
        AuthOutcome::Denied(f) => f.kind,
    }
}

pub fn status(outcome: &AuthOutcome) -> u16 {
    match outcome {
        AuthOutcome::Allowed { .. } => 200,
        AuthOutcome::Denied(f) => f.reason.status(),
    }
}

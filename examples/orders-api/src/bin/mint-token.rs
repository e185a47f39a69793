//! Mints RS256 tokens for trying orders-api locally. Never use it in production.
//!
//! ```text
//! cargo run -p orders-api --bin mint-token -- [--dir DIR] [--scope "orders:read"] [--sub alice] [--ttl 900]
//! ```
//!
//! On first use it creates an RSA-2048 key in `DIR` (default `.local-keys`): `signing-key.p8`
//! (private, PKCS#8 DER, mode 0600) and `jwks.json` (public). It prints a token whose `iss` and
//! `aud` are `GUARD_JWT_ISSUER` and `GUARD_JWT_AUDIENCE` (first value), or
//! `https://issuer.example.test` and `orders`.

use aws_lc_rs::{
    encoding::{AsDer, Pkcs8V1Der},
    rand::SystemRandom,
    rsa::KeySize,
    signature::{KeyPair, RsaKeyPair, RSA_PKCS1_SHA256},
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde_json::json;
use std::{
    path::PathBuf,
    time::{SystemTime, UNIX_EPOCH},
};

type Error = Box<dyn std::error::Error>;

const KID: &str = "orders-local-1";

fn b64(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

fn first_of(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .and_then(|v| v.split(',').next().map(|s| s.trim().to_owned()))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn load_or_create(dir: &PathBuf) -> Result<RsaKeyPair, Error> {
    let key_path = dir.join("signing-key.p8");
    if let Ok(der) = std::fs::read(&key_path) {
        return Ok(RsaKeyPair::from_pkcs8(&der)?);
    }
    std::fs::create_dir_all(dir)?;
    let key = RsaKeyPair::generate(KeySize::Rsa2048)?;
    let der: Pkcs8V1Der<'static> = key.as_der()?;
    write_private(&key_path, der.as_ref())?;
    let public = key.public_key();
    let jwks = json!({"keys": [{
        "kty": "RSA", "kid": KID, "alg": "RS256", "use": "sig",
        "n": b64(public.modulus().big_endian_without_leading_zero()),
        "e": b64(public.exponent().big_endian_without_leading_zero()),
    }]});
    std::fs::write(dir.join("jwks.json"), serde_json::to_string_pretty(&jwks)?)?;
    eprintln!(
        "created {} and {}",
        key_path.display(),
        dir.join("jwks.json").display()
    );
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &PathBuf, bytes: &[u8]) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &PathBuf, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

fn main() -> Result<(), Error> {
    let mut dir = PathBuf::from(".local-keys");
    let mut scope = "orders:read orders:write".to_owned();
    let mut sub = "local-tester".to_owned();
    let mut ttl: u64 = 900;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--dir" => dir = PathBuf::from(value()?),
            "--scope" => scope = value()?,
            "--sub" => sub = value()?,
            "--ttl" => ttl = value()?.parse()?,
            _ => return Err(format!("unknown argument `{arg}`").into()),
        }
    }
    let key = load_or_create(&dir)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": KID});
    let claims = json!({
        "iss": first_of("GUARD_JWT_ISSUER", "https://issuer.example.test"),
        "aud": first_of("GUARD_JWT_AUDIENCE", "orders"),
        "sub": sub, "scope": scope, "iat": now, "nbf": now, "exp": now + ttl,
    });
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )?;
    println!("{input}.{}", b64(&sig));
    Ok(())
}

//! The verification core: strict compact-JWS parsing, algorithm pinning, signature and claims.
//!
//! Signatures are checked with `aws-lc-rs` on keys parsed once (at JWKS load), so the hot path is
//! three base64 decodes, two small JSON parses (the payload's without building a tree, see
//! [`super::fields`]) and one signature check. The algorithm always comes
//! from the key and the configuration; the header's `alg` must merely agree.

use super::{
    claims::Claims,
    failure::Kind,
    fields::{Claim, Fields, Role},
};
use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde::Deserialize;
use serde_json::Value;
use std::{fmt, str::FromStr};
use zeroize::Zeroizing;

/// A JWS signature algorithm the guard accepts. Symmetric (`HS*`) and `none` are not
/// representable: a shared secret in a Lambda's configuration is a liability, and RS/HS key
/// confusion becomes impossible by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (2048 to 8192-bit keys).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA P-256 with SHA-256 (fixed-size `r || s` signatures).
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
    /// Ed25519.
    EdDSA,
}

impl Algorithm {
    /// Every supported algorithm.
    pub const ALL: [Algorithm; 9] = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ];

    /// The JOSE name (`RS256`, …), case-sensitive as RFC 7518 requires.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    pub(crate) fn family(self) -> KeyFamily {
        match self {
            Algorithm::ES256 => KeyFamily::P256,
            Algorithm::ES384 => KeyFamily::P384,
            Algorithm::EdDSA => KeyFamily::Ed25519,
            _ => KeyFamily::Rsa,
        }
    }

    fn aws_lc(self) -> &'static dyn VerificationAlgorithm {
        match self {
            Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
            Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
            Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
            Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
            Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
            Algorithm::EdDSA => &signature::ED25519,
        }
    }
}

impl FromStr for Algorithm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                format!("`{s}` is not a supported algorithm (RS256/384/512, PS256/384/512, ES256, ES384, EdDSA)")
            })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of key material an algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyFamily {
    Rsa,
    P256,
    P384,
    Ed25519,
}

/// One verification key, parsed once, bound to the algorithms it may verify.
pub(crate) struct VerifyingKey {
    pub(crate) kid: Option<String>,
    /// One parsed key per algorithm this key may be used with (pinned by the JWK's `alg` or by
    /// the configuration).
    parsed: Vec<(Algorithm, ParsedPublicKey)>,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field(
                "algorithms",
                &self
                    .parsed
                    .iter()
                    .map(|(a, _)| a.name())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl VerifyingKey {
    /// A key from public bytes (SPKI DER, or raw point / Ed25519 bytes), for `algorithms`.
    pub(crate) fn new(
        kid: Option<String>,
        bytes: &[u8],
        algorithms: &[Algorithm],
    ) -> Result<VerifyingKey, String> {
        let mut parsed = Vec::with_capacity(algorithms.len());
        for &alg in algorithms {
            let key = ParsedPublicKey::new(alg.aws_lc(), bytes)
                .map_err(|e| format!("key rejected for {alg}: {e}"))?;
            parsed.push((alg, key));
        }
        if parsed.is_empty() {
            return Err("no configured algorithm fits this key".into());
        }
        Ok(VerifyingKey { kid, parsed })
    }

    fn for_alg(&self, alg: Algorithm) -> Option<&ParsedPublicKey> {
        self.parsed.iter().find(|(a, _)| *a == alg).map(|(_, k)| k)
    }
}

/// The claim rules, resolved from the configuration once.
#[derive(Debug, Clone)]
pub(crate) struct ClaimRules {
    pub(crate) issuers: Vec<String>,
    pub(crate) audiences: Vec<String>,
    pub(crate) audience_claim: String,
    pub(crate) leeway: u64,
    pub(crate) max_token_bytes: usize,
    pub(crate) typ: Option<String>,
    pub(crate) token_use: Option<String>,
    pub(crate) client_ids: Vec<String>,
    pub(crate) groups_claim: String,
}

/// The parts of a token's header the guard reads. Unknown members are ignored, except the ones
/// that would make a verifier fetch or trust key material named by the token.
#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    crit: Option<Value>,
    #[serde(default)]
    jku: Option<Value>,
    #[serde(default)]
    x5u: Option<Value>,
    #[serde(default)]
    jwk: Option<Value>,
    #[serde(default)]
    x5c: Option<Value>,
    #[serde(default)]
    enc: Option<Value>,
}

/// A token split and its header checked, before any key is chosen.
pub(crate) struct Parsed<'t> {
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<String>,
    signing_input: &'t str,
    payload_b64: &'t str,
    signature_b64: &'t str,
}

/// A refusal during parsing or verification, with what may be logged.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub(crate) kind: Kind,
    pub(crate) kid: Option<String>,
}

impl From<Kind> for Refusal {
    fn from(kind: Kind) -> Self {
        Refusal { kind, kid: None }
    }
}

const MAX_HEADER_BYTES: usize = 1024;
const MAX_KID_BYTES: usize = 256;

/// Whether `s` is in the base64url alphabet; branch-free so that it vectorizes (a token is
/// scanned on every request).
fn is_b64url(s: &str) -> bool {
    s.bytes().fold(true, |ok, b| {
        let lower = b | 0x20;
        ok & ((lower.wrapping_sub(b'a') < 26)
            | (b.wrapping_sub(b'0') < 10)
            | (b == b'-')
            | (b == b'_'))
    })
}

/// Splits a compact JWS and checks its header strictly.
pub(crate) fn parse<'t>(token: &'t str, rules: &ClaimRules) -> Result<Parsed<'t>, Refusal> {
    if token.len() > rules.max_token_bytes {
        return Err(Kind::TokenTooLarge.into());
    }
    let mut dots = memchr::memchr_iter(b'.', token.as_bytes());
    let (Some(first), Some(second)) = (dots.next(), dots.next()) else {
        return Err(Kind::MalformedToken.into());
    };
    let (h, p, s) = (
        &token[..first],
        &token[first + 1..second],
        &token[second + 1..],
    );
    match dots.count() {
        0 => {}
        2 if !h.is_empty() && is_b64url(h) => return Err(Kind::JweUnsupported.into()),
        _ => return Err(Kind::MalformedToken.into()),
    }
    if h.is_empty() || !is_b64url(h) || !is_b64url(p) || !is_b64url(s) {
        return Err(Kind::MalformedToken.into());
    }
    if s.is_empty() {
        return Err(Kind::AlgNone.into());
    }
    if h.len() > MAX_HEADER_BYTES * 4 / 3 + 4 {
        return Err(Kind::MalformedToken.into());
    }
    let mut buf = [0u8; MAX_HEADER_BYTES];
    let n = URL_SAFE_NO_PAD
        .decode_slice(h, &mut buf)
        .map_err(|_| Kind::MalformedToken)?;
    // A derived struct would also accept a JSON array: require an object.
    let first = buf[..n].iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(Kind::MalformedToken.into());
    }
    let header: Header = serde_json::from_slice(&buf[..n]).map_err(|_| Kind::MalformedToken)?;
    let kid = header.kid;
    let refuse = |kind: Kind| Refusal {
        kind,
        kid: kid.clone(),
    };
    if header.enc.is_some() {
        return Err(refuse(Kind::JweUnsupported));
    }
    if header.jku.is_some() || header.x5u.is_some() || header.jwk.is_some() || header.x5c.is_some()
    {
        return Err(refuse(Kind::EmbeddedKeyRefused));
    }
    if header.crit.is_some() {
        // No extension is understood, so any `crit` (even an empty or malformed one, which
        // RFC 7515 forbids) is refused.
        return Err(refuse(Kind::CritUnsupported));
    }
    if header.alg.eq_ignore_ascii_case("none") {
        return Err(refuse(Kind::AlgNone));
    }
    let Ok(alg) = header.alg.parse::<Algorithm>() else {
        return Err(refuse(Kind::AlgNotAllowed));
    };
    if let Some(k) = &kid {
        if k.is_empty() || k.len() > MAX_KID_BYTES {
            return Err(refuse(Kind::MalformedToken));
        }
    }
    if let Some(want) = &rules.typ {
        let ok = header.typ.as_deref().is_some_and(|t| {
            let t = t
                .strip_prefix("application/")
                .or_else(|| t.strip_prefix("APPLICATION/"))
                .unwrap_or(t);
            t.eq_ignore_ascii_case(want)
        });
        if !ok {
            return Err(refuse(Kind::TypMismatch));
        }
    }
    let signing_input = &token[..h.len() + 1 + p.len()];
    Ok(Parsed {
        alg,
        kid,
        signing_input,
        payload_b64: p,
        signature_b64: s,
    })
}

/// Checks the signature with `key` (which must allow the header's algorithm); returns the
/// decoded payload, wiped on drop.
pub(crate) fn verify_signature(
    parsed: &Parsed<'_>,
    key: &VerifyingKey,
) -> Result<Zeroizing<Vec<u8>>, Kind> {
    let Some(public) = key.for_alg(parsed.alg) else {
        return Err(Kind::AlgNotAllowed);
    };
    let mut sig = [0u8; 1024];
    let n = URL_SAFE_NO_PAD
        .decode_slice(parsed.signature_b64, &mut sig)
        .map_err(|_| Kind::BadSignature)?;
    public
        .verify_sig(parsed.signing_input.as_bytes(), &sig[..n])
        .map_err(|_| Kind::BadSignature)?;
    Ok(Zeroizing::new(
        URL_SAFE_NO_PAD
            .decode(parsed.payload_b64)
            .map_err(|_| Kind::MalformedToken)?,
    ))
}

/// Checks the signature, then the claims.
pub(crate) fn verify(
    parsed: &Parsed<'_>,
    key: &VerifyingKey,
    rules: &ClaimRules,
    now: u64,
) -> Result<Claims, Kind> {
    let payload = verify_signature(parsed, key)?;
    let fields = Fields::read(&payload, &rules.audience_claim, &rules.groups_claim)
        .ok_or(Kind::MalformedToken)?;
    check_claims(&fields, rules, now)?;
    let (scopes, groups) = (fields.scopes(), fields.groups());
    drop(fields);
    Ok(Claims::new(payload, scopes, groups))
}

fn numeric_date(fields: &Fields<'_>, role: Role) -> Result<Option<f64>, Kind> {
    match fields.get(role) {
        None => Ok(None),
        Some(Claim::Number(n)) => Ok(Some(*n)),
        Some(_) => Err(Kind::ClaimType),
    }
}

/// The claim checks, in RFC 8725 order of cheapness. `now` is seconds since the epoch.
fn check_claims(fields: &Fields<'_>, rules: &ClaimRules, now: u64) -> Result<(), Kind> {
    let now = now as f64;
    let leeway = rules.leeway as f64;
    let exp = numeric_date(fields, Role::Exp)?.ok_or(Kind::ExpMissing)?;
    if now >= exp + leeway {
        return Err(Kind::Expired);
    }
    if let Some(nbf) = numeric_date(fields, Role::Nbf)? {
        if nbf > now + leeway {
            return Err(Kind::NotYetValid);
        }
    }
    if let Some(iat) = numeric_date(fields, Role::Iat)? {
        if iat > now + leeway {
            return Err(Kind::IssuedInFuture);
        }
    }
    match fields.get(Role::Iss) {
        Some(Claim::String(iss)) if rules.issuers.iter().any(|i| i == iss.as_str()) => {}
        Some(Claim::String(_)) => return Err(Kind::IssuerMismatch),
        Some(_) => return Err(Kind::ClaimType),
        None => return Err(Kind::IssuerMissing),
    }
    let audience_ok = |a: &str| rules.audiences.iter().any(|x| x == a);
    match fields.get(Role::Audience) {
        Some(Claim::String(a)) if audience_ok(a.as_str()) => {}
        Some(Claim::Array {
            strings,
            mixed: false,
        }) if strings.iter().any(|a| audience_ok(a.as_str())) => {}
        Some(Claim::String(_) | Claim::Array { .. }) => return Err(Kind::AudienceMismatch),
        Some(_) => return Err(Kind::ClaimType),
        None => return Err(Kind::AudienceMissing),
    }
    if let Some(want) = &rules.token_use {
        if fields.get(Role::TokenUse).and_then(Claim::as_str) != Some(want.as_str()) {
            return Err(Kind::TokenUseMismatch);
        }
    }
    if !rules.client_ids.is_empty() {
        let ok = fields
            .get(Role::ClientId)
            .and_then(Claim::as_str)
            .is_some_and(|c| rules.client_ids.iter().any(|x| x == c));
        if !ok {
            return Err(Kind::ClientIdMismatch);
        }
    }
    Ok(())
}

/// The `iss` a token claims, unverified, for logging a refusal (bounded, never the token).
pub(crate) fn claimed_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    if payload.len() > 16 * 1024 {
        return None;
    }
    let bytes = Zeroizing::new(URL_SAFE_NO_PAD.decode(payload).ok()?);
    #[derive(Deserialize)]
    struct Iss {
        iss: Option<String>,
    }
    let iss = serde_json::from_slice::<Iss>(&bytes).ok()?.iss?;
    Some(super::failure::loggable(&iss))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules() -> ClaimRules {
        ClaimRules {
            issuers: vec!["https://issuer.example".into()],
            audiences: vec!["api".into()],
            audience_claim: "aud".into(),
            leeway: 30,
            max_token_bytes: 8192,
            typ: None,
            token_use: None,
            client_ids: vec![],
            groups_claim: "cognito:groups".into(),
        }
    }

    fn check(v: Value) -> Result<(), Kind> {
        let payload = serde_json::to_vec(&v).unwrap();
        let fields = Fields::read(&payload, "aud", "cognito:groups").unwrap();
        check_claims(&fields, &rules(), 1_000_000)
    }

    #[test]
    fn claims_rules() {
        let ok = json!({"iss": "https://issuer.example", "aud": "api", "exp": 1_000_100});
        assert_eq!(check(ok.clone()), Ok(()));
        let mut v = ok.clone();
        v["exp"] = json!("1000100");
        assert_eq!(check(v), Err(Kind::ClaimType));
        let mut v = ok.clone();
        v["exp"] = json!(999_970);
        assert_eq!(check(v), Err(Kind::Expired));
        let mut v = ok.clone();
        v["exp"] = json!(999_971);
        assert_eq!(check(v), Ok(()));
        let mut v = ok.clone();
        v["nbf"] = json!(1_000_031);
        assert_eq!(check(v), Err(Kind::NotYetValid));
        let mut v = ok.clone();
        v["iat"] = json!(1_000_031);
        assert_eq!(check(v), Err(Kind::IssuedInFuture));
        let mut v = ok.clone();
        v["aud"] = json!(["other", "api"]);
        assert_eq!(check(v), Ok(()));
        let mut v = ok.clone();
        v["aud"] = json!(["other", 1]);
        assert_eq!(check(v), Err(Kind::AudienceMismatch));
        let mut v = ok.clone();
        v["aud"] = json!("apix");
        assert_eq!(check(v), Err(Kind::AudienceMismatch));
        let mut v = ok;
        v.as_object_mut().unwrap().remove("iss");
        assert_eq!(check(v), Err(Kind::IssuerMissing));
    }
}

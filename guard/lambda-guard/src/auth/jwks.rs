//! Keys: a JWKS fetched over HTTPS (or HTTP on loopback) and cached, a local JWKS file, static
//! PEM keys.
//!
//! The remote JWKS is fetched at init (prewarm) and again when a token names an unknown `kid`,
//! at most once per penalty window (`auth.jwt.jwks_penalty_ms`, 10 s by default, as
//! aws-jwt-verify). Concurrent misses wait for the one fetch in flight instead of starting their
//! own. A fetched JWKS older than `auth.jwt.jwks_max_age_ms` (1 h by default) is refetched by
//! the next request, within the same rate limit, while concurrent requests go on with the cached
//! keys: a key removed from the JWKS stops verifying. A failed refetch keeps the cached keys
//! usable. When no cached key fits and the last fetch failed, the request is refused with
//! `jwks_unavailable` (HTTP 503), never allowed.
//!
//! A JWK is used only if its own `use` (when present) is `sig`, its `key_ops` (when present)
//! include `verify`, its `kty`/`crv` fit, and its `alg` (when present) is one the configuration
//! allows; without `alg` it may verify every configured algorithm of its key type. `oct`
//! (symmetric) keys are never used. `kid` is an opaque string compared exactly.

use super::{
    failure::{loggable, Kind},
    verify::{Algorithm, KeyFamily, VerifyingKey},
};
use aws_lc_rs::{encoding::AsDer, rsa::PublicKeyComponents};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::{
    client::legacy::{connect::HttpConnector, Client},
    rt::TokioExecutor,
};
use serde::Deserialize;
use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

/// The keys usable now.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    keys: Vec<Arc<VerifyingKey>>,
    /// When the remote part was fetched (`None`: not yet, or no remote JWKS).
    fetched: Option<Instant>,
}

impl KeySet {
    pub(crate) fn new(keys: Vec<Arc<VerifyingKey>>) -> KeySet {
        KeySet {
            keys,
            fetched: None,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The key for `kid`; without a `kid`, the only key, if there is exactly one.
    fn find(&self, kid: Option<&str>) -> Result<Option<Arc<VerifyingKey>>, Kind> {
        match kid {
            Some(kid) => Ok(self
                .keys
                .iter()
                .find(|k| k.kid.as_deref() == Some(kid))
                .cloned()),
            None => match self.keys.as_slice() {
                [only] => Ok(Some(only.clone())),
                [] => Ok(None),
                _ => Err(Kind::KidMissing),
            },
        }
    }

    pub(crate) fn find_key(&self, kid: Option<&str>) -> Result<Option<Arc<VerifyingKey>>, Kind> {
        self.find(kid)
    }

    pub(crate) fn into_keys(self) -> Vec<Arc<VerifyingKey>> {
        self.keys
    }

    fn extend(&mut self, other: &KeySet) {
        self.keys.extend(other.keys.iter().cloned());
    }
}

#[derive(Deserialize)]
struct JwkSetDoc {
    keys: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default, rename = "use")]
    use_: Option<String>,
    #[serde(default)]
    key_ops: Option<Vec<String>>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
}

fn b64(field: Option<&String>, name: &str) -> Result<Vec<u8>, String> {
    let v = field.ok_or_else(|| format!("missing `{name}`"))?;
    URL_SAFE_NO_PAD
        .decode(v)
        .map_err(|_| format!("`{name}` is not base64url"))
}

fn fixed(field: Option<&String>, name: &str, len: usize) -> Result<Vec<u8>, String> {
    let v = b64(field, name)?;
    if v.len() != len {
        return Err(format!("`{name}` must be {len} bytes"));
    }
    Ok(v)
}

/// One JWK into a key, or why it is skipped.
fn jwk_key(jwk: &Jwk, allowed: &[Algorithm]) -> Result<VerifyingKey, String> {
    if let Some(u) = &jwk.use_ {
        if u != "sig" {
            return Err(format!("`use` is `{}`", loggable(u)));
        }
    }
    if let Some(ops) = &jwk.key_ops {
        if !ops.iter().any(|o| o == "verify") {
            return Err("`key_ops` lacks `verify`".into());
        }
    }
    let (family, bytes) = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
        ("RSA", _) => {
            let n = b64(jwk.n.as_ref(), "n")?;
            let e = b64(jwk.e.as_ref(), "e")?;
            let der = PublicKeyComponents {
                n: n.as_slice(),
                e: e.as_slice(),
            }
            .as_der()
            .map_err(|_| "invalid RSA key".to_string())?;
            (KeyFamily::Rsa, der.as_ref().to_vec())
        }
        ("EC", Some(crv @ ("P-256" | "P-384"))) => {
            let (family, len) = if crv == "P-256" {
                (KeyFamily::P256, 32)
            } else {
                (KeyFamily::P384, 48)
            };
            let mut point = vec![4u8];
            point.extend(fixed(jwk.x.as_ref(), "x", len)?);
            point.extend(fixed(jwk.y.as_ref(), "y", len)?);
            (family, point)
        }
        ("OKP", Some("Ed25519")) => (KeyFamily::Ed25519, fixed(jwk.x.as_ref(), "x", 32)?),
        ("oct", _) => return Err("symmetric keys are never used".into()),
        (kty, crv) => {
            return Err(format!(
                "unsupported kty/crv `{}`/`{}`",
                loggable(kty),
                loggable(crv.unwrap_or(""))
            ))
        }
    };
    let algorithms: Vec<Algorithm> = match &jwk.alg {
        Some(a) => {
            let alg: Algorithm = a.parse()?;
            if alg.family() != family {
                return Err(format!("`alg` {alg} does not fit the key type"));
            }
            if !allowed.contains(&alg) {
                return Err(format!("`alg` {alg} is not in auth.jwt.algorithms"));
            }
            vec![alg]
        }
        None => allowed
            .iter()
            .copied()
            .filter(|a| a.family() == family)
            .collect(),
    };
    VerifyingKey::new(jwk.kid.clone(), &bytes, &algorithms)
}

/// Parses a JWKS document. A document that is not a JWKS is an error; keys that cannot be used
/// are skipped and reported, so one exotic key does not take the others down.
pub(crate) fn parse_jwks(
    doc: &[u8],
    allowed: &[Algorithm],
) -> Result<(KeySet, Vec<String>), String> {
    let set: JwkSetDoc =
        serde_json::from_slice(doc).map_err(|e| format!("not a JWKS document: {e}"))?;
    let mut keys: Vec<Arc<VerifyingKey>> = Vec::with_capacity(set.keys.len());
    let mut skipped = Vec::new();
    for (i, raw) in set.keys.into_iter().enumerate() {
        let result = serde_json::from_value::<Jwk>(raw)
            .map_err(|e| format!("not a JWK: {e}"))
            .and_then(|jwk| jwk_key(&jwk, allowed));
        match result {
            Ok(key) => {
                if key.kid.is_some() && keys.iter().any(|k| k.kid == key.kid) {
                    skipped.push(format!("key {i}: duplicate kid, the first one is used"));
                } else {
                    keys.push(Arc::new(key));
                }
            }
            Err(why) => skipped.push(format!("key {i}: {why}")),
        }
    }
    Ok((KeySet::new(keys), skipped))
}

/// Parses a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) block into a key pinned to `alg`.
pub(crate) fn pem_key(
    kid: Option<String>,
    pem: &str,
    alg: Algorithm,
) -> Result<VerifyingKey, String> {
    let body = pem
        .trim()
        .strip_prefix("-----BEGIN PUBLIC KEY-----")
        .and_then(|s| s.trim_end().strip_suffix("-----END PUBLIC KEY-----"))
        .ok_or("expected one `-----BEGIN PUBLIC KEY-----` block (SubjectPublicKeyInfo)")?;
    let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| "the PEM body is not base64")?;
    VerifyingKey::new(kid, &der, &[alg])
}

type HttpClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>;

/// How a remote JWKS is fetched and kept.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FetchPolicy {
    /// The whole fetch.
    pub(crate) timeout: Duration,
    /// The least time between two fetch attempts.
    pub(crate) penalty: Duration,
    /// How long a fetched JWKS is used before a request refetches it.
    pub(crate) max_age: Duration,
    /// The largest document.
    pub(crate) max_bytes: usize,
}

/// Where and how to fetch a remote JWKS.
pub(crate) struct RemoteJwks {
    pub(crate) url: http::Uri,
    pub(crate) policy: FetchPolicy,
    pub(crate) algorithms: Vec<Algorithm>,
    client: HttpClient,
    state: tokio::sync::Mutex<FetchState>,
}

#[derive(Debug, Default)]
struct FetchState {
    last_attempt: Option<Instant>,
    last_ok: bool,
}

impl RemoteJwks {
    pub(crate) fn new(
        url: http::Uri,
        policy: FetchPolicy,
        algorithms: Vec<Algorithm>,
    ) -> Result<RemoteJwks, String> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(policy.timeout));
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::aws_lc_rs::default_provider())
            .map_err(|e| format!("TLS setup: {e}"))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        // No pooling: fetches are rare, and a pooled connection would not survive a freeze.
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build(https);
        Ok(RemoteJwks {
            url,
            policy,
            algorithms,
            client,
            state: tokio::sync::Mutex::new(FetchState::default()),
        })
    }

    async fn fetch(&self) -> Result<KeySet, String> {
        let request = http::Request::get(self.url.clone())
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::USER_AGENT, "lambda-guard")
            .body(Empty::new())
            .map_err(|e| e.to_string())?;
        let work = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| format!("request failed: {e}"))?;
            if response.status() != http::StatusCode::OK {
                return Err(format!("HTTP {}", response.status().as_u16()));
            }
            let body = Limited::new(response.into_body(), self.policy.max_bytes)
                .collect()
                .await
                .map_err(|e| format!("body: {e}"))?
                .to_bytes();
            let (set, skipped) = parse_jwks(&body, &self.algorithms)?;
            for why in &skipped {
                tracing::warn!(target: "lambda_guard::auth", skipped = %why, "JWKS key not used");
            }
            if set.len() == 0 {
                return Err("no usable key in the JWKS".into());
            }
            Ok(set)
        };
        tokio::time::timeout(self.policy.timeout, work)
            .await
            .map_err(|_| format!("timed out after {} ms", self.policy.timeout.as_millis()))?
    }
}

impl std::fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("url", &self.url)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Static keys plus the cached remote keys, with the refetch discipline.
#[derive(Debug)]
pub(crate) struct KeyStore {
    fixed: KeySet,
    current: RwLock<Arc<KeySet>>,
    remote: Option<RemoteJwks>,
}

impl KeyStore {
    pub(crate) fn new(fixed: KeySet, remote: Option<RemoteJwks>) -> KeyStore {
        let mut initial = KeySet::default();
        initial.extend(&fixed);
        KeyStore {
            fixed,
            current: RwLock::new(Arc::new(initial)),
            remote,
        }
    }

    fn snapshot(&self) -> Arc<KeySet> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn install(&self, fetched: &KeySet) {
        let mut next = KeySet::default();
        next.extend(&self.fixed);
        next.extend(fetched);
        next.fetched = Some(Instant::now());
        let next = Arc::new(next);
        match self.current.write() {
            Ok(mut g) => *g = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }

    /// Fetches now if the penalty window allows (or `force`), under the fetch lock. Returns
    /// whether the last fetch succeeded.
    async fn refresh(&self, remote: &RemoteJwks, state: &mut FetchState, force: bool) -> bool {
        let in_window = state
            .last_attempt
            .is_some_and(|t| t.elapsed() < remote.policy.penalty);
        if in_window && !force {
            return state.last_ok;
        }
        state.last_attempt = Some(Instant::now());
        match remote.fetch().await {
            Ok(set) => {
                tracing::info!(target: "lambda_guard::auth", keys = set.len(), "JWKS fetched");
                self.install(&set);
                state.last_ok = true;
            }
            Err(why) => {
                tracing::warn!(target: "lambda_guard::auth", error = %why, "JWKS fetch failed; cached keys stay in use");
                state.last_ok = false;
            }
        }
        state.last_ok
    }

    /// Fetches the remote JWKS once (init). A failure is logged, not returned: the function
    /// starts and refuses what it cannot verify.
    pub(crate) async fn prewarm(&self) {
        if let Some(remote) = &self.remote {
            let mut state = remote.state.lock().await;
            self.refresh(remote, &mut state, true).await;
        }
    }

    /// The key for a token's `kid`, refetching on a miss or an expired JWKS within the rate
    /// limit.
    pub(crate) async fn key(&self, kid: Option<&str>) -> Result<Arc<VerifyingKey>, Kind> {
        let Some(remote) = &self.remote else {
            return self.snapshot().find(kid)?.ok_or(Kind::UnknownKid);
        };
        let expired = self
            .snapshot()
            .fetched
            .is_some_and(|t| t.elapsed() >= remote.policy.max_age);
        if expired {
            // One request refetches; the others go on with the cached keys meanwhile.
            if let Ok(mut state) = remote.state.try_lock() {
                self.refresh(remote, &mut state, false).await;
            }
        }
        if let Some(key) = self.snapshot().find(kid)? {
            return Ok(key);
        }
        let mut state = remote.state.lock().await;
        // Another request may have fetched while this one waited: merged misses.
        if let Some(key) = self.snapshot().find(kid)? {
            return Ok(key);
        }
        let ok = self.refresh(remote, &mut state, false).await;
        match self.snapshot().find(kid)? {
            Some(key) => Ok(key),
            None if ok => Err(Kind::UnknownKid),
            None => Err(Kind::JwksUnavailable),
        }
    }

    pub(crate) fn has_remote(&self) -> bool {
        self.remote.is_some()
    }
}

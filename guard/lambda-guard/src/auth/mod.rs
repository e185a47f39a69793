//! Authentication (JWT bearer tokens) and least-privilege route authorization for HTTP triggers.
//!
//! For API Gateway (REST, HTTP, WebSocket `$connect`), ALB and Function URL events, the guard
//! reads `Authorization: Bearer <token>` (header and scheme configurable), verifies the token
//! against a JWKS, a local JWKS file or static PEM keys, checks its claims, then checks the
//! route's required scopes and groups. Other triggers are authenticated by IAM and are never
//! asked for a token. WebSocket `MESSAGE`/`DISCONNECT` events carry no headers: the connection
//! was authenticated at `$connect`, so they pass.
//!
//! ```
//! # tokio_test_block_on(async {
//! use lambda_guard::auth::{AuthConfig, AuthOutcome, Authenticator};
//! use lambda_guard::trigger::HttpRequest;
//! let config: AuthConfig = toml::from_str(r#"
//!     [jwt]
//!     jwks_url = "http://127.0.0.1:9/.well-known/jwks.json" # unreachable: not an init error
//!     issuer = "https://issuer.example"
//!     audience = "orders-api"
//!     jwks_timeout_ms = 200
//!     [routes]
//!     "GET /orders/{id}" = { scopes = ["orders:read"] }
//!     "GET /health" = { public = true }
//! "#).unwrap();
//! let auth = Authenticator::new(&config).await.unwrap();
//! let request = |path: &str, headers: Vec<(String, String)>| HttpRequest {
//!     method: "GET".into(), path: path.into(), route: None, headers, source_ip: None,
//! };
//! // A public route needs no token.
//! assert!(matches!(auth.authenticate(&request("/health", vec![])).await,
//!     AuthOutcome::Allowed { claims: None }));
//! // No token: 401.
//! let AuthOutcome::Denied(f) = auth.authenticate(&request("/orders/1", vec![])).await else { panic!() };
//! assert_eq!((f.reason.status(), f.kind), (401, "missing_token"));
//! # });
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
//! # }
//! ```
//!
//! # What is checked, in order
//!
//! 1. The route: public routes pass without a token; when `[auth.routes]` is not empty, an
//!    unlisted route is refused (403) after authentication.
//! 2. The header: exactly one, `<scheme> <token>`, scheme compared case-insensitively (401).
//! 3. The token: at most `max_token_bytes`, three base64url parts (a five-part JWE is refused),
//!    a JSON header without `jku`, `x5u`, `jwk`, `x5c`, `enc` or `crit`, `alg` not `none` in any
//!    casing.
//! 4. The key: looked up by `kid` (an opaque string); the algorithm comes from the key (its JWK
//!    `alg`, else the configured `algorithms` of its key type) and the header's `alg` must equal
//!    it. Unknown `kid`: one rate-limited refetch (see [`jwks`](self#keys)).
//! 5. The signature (`aws-lc-rs`), then the claims: `exp` required, `nbf` and `iat` checked,
//!    all three JSON numbers; `iss` and the audience claim required and matched; optional `typ`
//!    (header), Cognito `token_use` and `client_id`.
//! 6. The route's scopes (all required, exact tokens) and groups (any one).
//!
//! # Keys
//!
//! The remote JWKS is fetched at init; an unreachable endpoint is logged, not an init error.
//! A miss refetches at most once per `jwks_penalty_ms`; concurrent misses share one fetch; a
//! failed fetch keeps cached keys. A JWKS older than `jwks_max_age_ms` (1 h) is refetched by
//! the next request (within the same rate limit), so a key removed from it stops verifying.
//! When no key fits and the last fetch failed, the request is refused with `jwks_unavailable`,
//! HTTP 503: the guard fails closed.
//!
//! # Deployment caveats
//!
//! * In `monitor` mode refused requests still reach the handler, without claims.
//! * The guard checks the token it is given; revocation before `exp` needs short-lived tokens
//!   (a key removed from the JWKS stops verifying after the next refetch: an unknown `kid`, or
//!   the cached JWKS reaching `jwks_max_age_ms`; while the endpoint is unreachable, the cached
//!   keys stay in use).
//! * The raw token lives in the event, which the runtime owns; the guard never copies it, and
//!   wipes the decoded payload and the claims ([`Claims`]) when they are dropped at the end of
//!   the invocation. Numbers, and copies made by the allocator or the compiler, are not wiped.
//! * The clock is the function's wall clock; the leeway (default 30 s, at most 300 s) absorbs
//!   skew between the issuer and Lambda.
//! * Browsers cannot set headers on WebSocket handshakes: a token in the query string is not
//!   read.
//! * Failures are logged with the reason kind, the token's claimed `kid` and `iss` (truncated,
//!   escaped), never the token.

mod claims;
mod failure;
mod fields;
mod jwks;
mod policy;
mod verify;

pub use claims::Claims;
pub use failure::{AuthFailure, Kind};
pub use policy::RouteRule;
pub use verify::Algorithm;

use crate::{
    config::{ConfigError, Env, Mode},
    trigger::{HttpRequest, Trigger},
};
use jwks::{FetchPolicy, KeySet, KeyStore, RemoteJwks};
use policy::RoutePolicy;
use serde::{Deserialize, Deserializer};
use std::{collections::BTreeMap, path::PathBuf, sync::Arc, time::Duration};
use verify::{ClaimRules, VerifyingKey};
use zeroize::Zeroizing;

/// `[auth]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// `auth.mode` (`GUARD_AUTH`).
    pub mode: Option<Mode>,
    /// `[auth.jwt]`.
    #[serde(default)]
    pub jwt: JwtConfig,
    /// `[auth.routes]` (`GUARD_AUTH_ROUTES`, the same table as JSON): `"METHOD /path/{param}"`
    /// → [`RouteRule`]. Not empty: unlisted routes are refused (least privilege).
    #[serde(default)]
    pub routes: BTreeMap<String, RouteRule>,
    /// `auth.triggers` (`GUARD_AUTH_TRIGGERS`, comma-separated): the only triggers that may
    /// invoke the function (names as `lambda-guard scan` reports them). Empty: every trigger.
    #[serde(default, deserialize_with = "one_or_many")]
    pub triggers: Vec<String>,
}

/// `[auth.jwt]`. Every key is documented in `docs/configuration.md`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    /// `auth.jwt.jwks_url` (`GUARD_JWT_JWKS_URL`): https, or http to a loopback address.
    pub jwks_url: Option<String>,
    /// `auth.jwt.jwks_file` (`GUARD_JWT_JWKS_FILE`): a local JWKS document, read at init.
    pub jwks_file: Option<PathBuf>,
    /// `[[auth.jwt.keys]]`: static PEM public keys.
    #[serde(default)]
    pub keys: Vec<StaticKey>,
    /// `auth.jwt.issuer` (`GUARD_JWT_ISSUER`, comma-separated): accepted `iss` values.
    #[serde(default, deserialize_with = "one_or_many")]
    pub issuer: Vec<String>,
    /// `auth.jwt.audience` (`GUARD_JWT_AUDIENCE`, comma-separated): accepted audiences.
    #[serde(default, deserialize_with = "one_or_many")]
    pub audience: Vec<String>,
    /// `auth.jwt.audience_claim` (`GUARD_JWT_AUDIENCE_CLAIM`): `aud` (default), or `client_id`
    /// for Cognito access tokens, which have no `aud`.
    pub audience_claim: Option<String>,
    /// `auth.jwt.algorithms` (`GUARD_JWT_ALGORITHMS`, comma-separated): default `RS256`.
    #[serde(default, deserialize_with = "one_or_many")]
    pub algorithms: Vec<String>,
    /// `auth.jwt.leeway_seconds` (`GUARD_JWT_LEEWAY_SECONDS`): clock skew allowed on `exp`,
    /// `nbf`, `iat`; default 30, at most 300.
    pub leeway_seconds: Option<u64>,
    /// `auth.jwt.max_token_bytes` (`GUARD_JWT_MAX_TOKEN_BYTES`): default 8192.
    pub max_token_bytes: Option<usize>,
    /// `auth.jwt.header` (`GUARD_JWT_HEADER`): default `authorization`.
    pub header: Option<String>,
    /// `auth.jwt.scheme` (`GUARD_JWT_SCHEME`): default `Bearer`; empty for a bare token.
    pub scheme: Option<String>,
    /// `auth.jwt.typ` (`GUARD_JWT_TYP`): a required header `typ`, e.g. `at+jwt` (RFC 9068).
    pub typ: Option<String>,
    /// `auth.jwt.token_use` (`GUARD_JWT_TOKEN_USE`): Cognito `access` or `id`.
    pub token_use: Option<String>,
    /// `auth.jwt.client_id` (`GUARD_JWT_CLIENT_ID`, comma-separated): accepted Cognito
    /// `client_id` values.
    #[serde(default, deserialize_with = "one_or_many")]
    pub client_id: Vec<String>,
    /// `auth.jwt.groups_claim` (`GUARD_JWT_GROUPS_CLAIM`): default `cognito:groups`.
    pub groups_claim: Option<String>,
    /// `auth.jwt.jwks_timeout_ms` (`GUARD_JWT_JWKS_TIMEOUT_MS`): whole-fetch timeout, default
    /// 1500.
    pub jwks_timeout_ms: Option<u64>,
    /// `auth.jwt.jwks_penalty_ms` (`GUARD_JWT_JWKS_PENALTY_MS`): minimum time between two
    /// fetches, default 10000.
    pub jwks_penalty_ms: Option<u64>,
    /// `auth.jwt.jwks_max_bytes` (`GUARD_JWT_JWKS_MAX_BYTES`): largest JWKS document, default
    /// 65536.
    pub jwks_max_bytes: Option<usize>,
    /// `auth.jwt.jwks_max_age_ms` (`GUARD_JWT_JWKS_MAX_AGE_MS`): how long a fetched JWKS is
    /// trusted before the next request refetches it (so removed keys stop verifying), default
    /// 3600000 (1 h).
    pub jwks_max_age_ms: Option<u64>,
}

/// `[[auth.jwt.keys]]`: one static public key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticKey {
    /// The `kid` tokens name it by; may be omitted when it is the only key.
    pub kid: Option<String>,
    /// The one algorithm it verifies (`RS256`, `ES256`, …).
    pub alg: String,
    /// The PEM `PUBLIC KEY` block.
    pub pem: Option<String>,
    /// Or a file holding it.
    pub pem_file: Option<PathBuf>,
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

fn list(raw: String) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

const K_URL: &str = "auth.jwt.jwks_url (GUARD_JWT_JWKS_URL)";
const K_FILE: &str = "auth.jwt.jwks_file (GUARD_JWT_JWKS_FILE)";
const K_KEYS: &str = "auth.jwt.keys";
const K_ISS: &str = "auth.jwt.issuer (GUARD_JWT_ISSUER)";
const K_AUD: &str = "auth.jwt.audience (GUARD_JWT_AUDIENCE)";
const K_AUD_CLAIM: &str = "auth.jwt.audience_claim (GUARD_JWT_AUDIENCE_CLAIM)";
const K_ALGS: &str = "auth.jwt.algorithms (GUARD_JWT_ALGORITHMS)";
const K_LEEWAY: &str = "auth.jwt.leeway_seconds (GUARD_JWT_LEEWAY_SECONDS)";
const K_MAX: &str = "auth.jwt.max_token_bytes (GUARD_JWT_MAX_TOKEN_BYTES)";
const K_HEADER: &str = "auth.jwt.header (GUARD_JWT_HEADER)";
const K_SCHEME: &str = "auth.jwt.scheme (GUARD_JWT_SCHEME)";
const K_TYP: &str = "auth.jwt.typ (GUARD_JWT_TYP)";
const K_TOKEN_USE: &str = "auth.jwt.token_use (GUARD_JWT_TOKEN_USE)";
const K_TIMEOUT: &str = "auth.jwt.jwks_timeout_ms (GUARD_JWT_JWKS_TIMEOUT_MS)";
const K_PENALTY: &str = "auth.jwt.jwks_penalty_ms (GUARD_JWT_JWKS_PENALTY_MS)";
const K_JWKS_MAX: &str = "auth.jwt.jwks_max_bytes (GUARD_JWT_JWKS_MAX_BYTES)";
const K_MAX_AGE: &str = "auth.jwt.jwks_max_age_ms (GUARD_JWT_JWKS_MAX_AGE_MS)";
const K_ROUTES: &str = "auth.routes (GUARD_AUTH_ROUTES)";
const K_TRIGGERS: &str = "auth.triggers (GUARD_AUTH_TRIGGERS)";

/// The configuration, checked and resolved to what the authenticator uses.
struct Resolved {
    rules: ClaimRules,
    algorithms: Vec<Algorithm>,
    header: String,
    scheme: String,
    remote: Option<(http::Uri, FetchPolicy)>,
    policy: Option<RoutePolicy>,
    triggers: Vec<Trigger>,
}

fn loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl AuthConfig {
    /// Whether any key source is configured (auth then defaults to the global mode).
    pub fn is_configured(&self) -> bool {
        self.jwt.jwks_url.is_some() || self.jwt.jwks_file.is_some() || !self.jwt.keys.is_empty()
    }

    pub(crate) fn apply_env(&mut self, env: &impl Env) -> Result<(), ConfigError> {
        let jwt = &mut self.jwt;
        if let Some(m) = env.parsed("GUARD_AUTH", "auth.mode")? {
            self.mode = Some(m);
        }
        if let Some(v) = env.var("GUARD_JWT_JWKS_URL") {
            jwt.jwks_url = Some(v);
        }
        if let Some(v) = env.var("GUARD_JWT_JWKS_FILE") {
            jwt.jwks_file = Some(PathBuf::from(v));
        }
        for (name, slot) in [
            ("GUARD_JWT_ISSUER", &mut jwt.issuer),
            ("GUARD_JWT_AUDIENCE", &mut jwt.audience),
            ("GUARD_JWT_ALGORITHMS", &mut jwt.algorithms),
            ("GUARD_JWT_CLIENT_ID", &mut jwt.client_id),
        ] {
            if let Some(v) = env.var(name) {
                *slot = list(v);
            }
        }
        for (name, slot) in [
            ("GUARD_JWT_AUDIENCE_CLAIM", &mut jwt.audience_claim),
            ("GUARD_JWT_HEADER", &mut jwt.header),
            ("GUARD_JWT_SCHEME", &mut jwt.scheme),
            ("GUARD_JWT_TYP", &mut jwt.typ),
            ("GUARD_JWT_TOKEN_USE", &mut jwt.token_use),
            ("GUARD_JWT_GROUPS_CLAIM", &mut jwt.groups_claim),
        ] {
            if let Some(v) = env.var(name) {
                *slot = Some(v);
            }
        }
        if let Some(v) = env.parsed("GUARD_JWT_LEEWAY_SECONDS", "auth.jwt.leeway_seconds")? {
            jwt.leeway_seconds = Some(v);
        }
        if let Some(v) = env.parsed("GUARD_JWT_MAX_TOKEN_BYTES", "auth.jwt.max_token_bytes")? {
            jwt.max_token_bytes = Some(v);
        }
        if let Some(v) = env.parsed("GUARD_JWT_JWKS_TIMEOUT_MS", "auth.jwt.jwks_timeout_ms")? {
            jwt.jwks_timeout_ms = Some(v);
        }
        if let Some(v) = env.parsed("GUARD_JWT_JWKS_PENALTY_MS", "auth.jwt.jwks_penalty_ms")? {
            jwt.jwks_penalty_ms = Some(v);
        }
        if let Some(v) = env.parsed("GUARD_JWT_JWKS_MAX_BYTES", "auth.jwt.jwks_max_bytes")? {
            jwt.jwks_max_bytes = Some(v);
        }
        if let Some(v) = env.parsed("GUARD_JWT_JWKS_MAX_AGE_MS", "auth.jwt.jwks_max_age_ms")? {
            jwt.jwks_max_age_ms = Some(v);
        }
        if let Some(v) = env.var("GUARD_AUTH_TRIGGERS") {
            self.triggers = v
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(v) = env.var("GUARD_AUTH_ROUTES") {
            self.routes = serde_json::from_str(&v).map_err(|e| {
                ConfigError::invalid(K_ROUTES, format!("not a JSON route table: {e}"))
            })?;
        }
        Ok(())
    }

    pub(crate) fn validate(&self, mode: Mode) -> Result<(), ConfigError> {
        if mode == Mode::Off {
            return Ok(());
        }
        self.resolve().map(drop)
    }

    fn resolve(&self) -> Result<Resolved, ConfigError> {
        let jwt = &self.jwt;
        if !self.is_configured() {
            return Err(ConfigError::invalid(
                K_URL,
                "auth is on but no key source is configured (jwks_url, jwks_file or keys)",
            ));
        }
        if jwt.issuer.is_empty() {
            return Err(ConfigError::invalid(K_ISS, "required when auth is on"));
        }
        if jwt.audience.is_empty() {
            return Err(ConfigError::invalid(K_AUD, "required when auth is on"));
        }
        let algorithms = if jwt.algorithms.is_empty() {
            vec![Algorithm::RS256]
        } else {
            jwt.algorithms
                .iter()
                .map(|a| a.parse::<Algorithm>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ConfigError::invalid(K_ALGS, e))?
        };
        let leeway = jwt.leeway_seconds.unwrap_or(30);
        if leeway > 300 {
            return Err(ConfigError::invalid(K_LEEWAY, "at most 300 seconds"));
        }
        let max_token_bytes = jwt.max_token_bytes.unwrap_or(8192);
        if !(256..=65_536).contains(&max_token_bytes) {
            return Err(ConfigError::invalid(K_MAX, "between 256 and 65536"));
        }
        let header = jwt.header.clone().unwrap_or_else(|| "authorization".into());
        if header.is_empty()
            || !header
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ConfigError::invalid(K_HEADER, "not an HTTP header name"));
        }
        let scheme = jwt.scheme.clone().unwrap_or_else(|| "Bearer".into());
        if !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(ConfigError::invalid(
                K_SCHEME,
                "a single token such as `Bearer`",
            ));
        }
        if let Some(t) = &jwt.typ {
            if t.trim().is_empty() {
                return Err(ConfigError::invalid(K_TYP, "empty"));
            }
        }
        if let Some(u) = &jwt.token_use {
            if u != "access" && u != "id" {
                return Err(ConfigError::invalid(K_TOKEN_USE, "`access` or `id`"));
            }
        }
        let audience_claim = jwt.audience_claim.clone().unwrap_or_else(|| "aud".into());
        if audience_claim != "aud" && audience_claim != "client_id" {
            return Err(ConfigError::invalid(K_AUD_CLAIM, "`aud` or `client_id`"));
        }
        let remote = match &jwt.jwks_url {
            None => None,
            Some(url) => {
                let uri: http::Uri = url
                    .parse()
                    .map_err(|e| ConfigError::invalid(K_URL, format!("not a URL: {e}")))?;
                let host = uri.host().unwrap_or("");
                match uri.scheme_str() {
                    Some("https") if !host.is_empty() => {}
                    Some("http") if loopback(host) => {}
                    Some("http") => {
                        return Err(ConfigError::invalid(
                            K_URL,
                            "http is allowed only to a loopback address; use https",
                        ))
                    }
                    _ => return Err(ConfigError::invalid(K_URL, "an https URL is required")),
                }
                let timeout = jwt.jwks_timeout_ms.unwrap_or(1500);
                if !(50..=10_000).contains(&timeout) {
                    return Err(ConfigError::invalid(K_TIMEOUT, "between 50 and 10000 ms"));
                }
                let penalty = jwt.jwks_penalty_ms.unwrap_or(10_000);
                if !(100..=3_600_000).contains(&penalty) {
                    return Err(ConfigError::invalid(
                        K_PENALTY,
                        "between 100 and 3600000 ms",
                    ));
                }
                let max = jwt.jwks_max_bytes.unwrap_or(65_536);
                if !(1024..=1_048_576).contains(&max) {
                    return Err(ConfigError::invalid(K_JWKS_MAX, "between 1024 and 1048576"));
                }
                let max_age = jwt.jwks_max_age_ms.unwrap_or(3_600_000);
                if !(100..=86_400_000).contains(&max_age) {
                    return Err(ConfigError::invalid(
                        K_MAX_AGE,
                        "between 100 and 86400000 ms",
                    ));
                }
                Some((
                    uri,
                    FetchPolicy {
                        timeout: Duration::from_millis(timeout),
                        penalty: Duration::from_millis(penalty),
                        max_age: Duration::from_millis(max_age),
                        max_bytes: max,
                    },
                ))
            }
        };
        for (i, key) in jwt.keys.iter().enumerate() {
            key.alg
                .parse::<Algorithm>()
                .map_err(|e| ConfigError::invalid(format!("{K_KEYS}[{i}].alg"), e))?;
            if key.pem.is_some() == key.pem_file.is_some() {
                return Err(ConfigError::invalid(
                    format!("{K_KEYS}[{i}]"),
                    "exactly one of `pem` and `pem_file`",
                ));
            }
        }
        let policy =
            RoutePolicy::new(&self.routes).map_err(|e| ConfigError::invalid(K_ROUTES, e))?;
        let triggers = self
            .triggers
            .iter()
            .map(|name| {
                Trigger::from_name(name).ok_or_else(|| {
                    let known: Vec<&str> = Trigger::ALL.iter().map(|t| t.name()).collect();
                    ConfigError::invalid(
                        K_TRIGGERS,
                        format!("unknown trigger `{name}` (one of {})", known.join(", ")),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Resolved {
            triggers,
            rules: ClaimRules {
                issuers: jwt.issuer.clone(),
                audiences: jwt.audience.clone(),
                audience_claim,
                leeway,
                max_token_bytes,
                typ: jwt.typ.clone(),
                token_use: jwt.token_use.clone(),
                client_ids: jwt.client_id.clone(),
                groups_claim: jwt
                    .groups_claim
                    .clone()
                    .unwrap_or_else(|| "cognito:groups".into()),
            },
            algorithms,
            header: header.to_ascii_lowercase(),
            scheme,
            remote,
            policy,
        })
    }

    fn static_keys(&self, algorithms: &[Algorithm]) -> Result<KeySet, ConfigError> {
        let mut keys = Vec::new();
        if let Some(path) = &self.jwt.jwks_file {
            let doc = std::fs::read(path).map_err(|e| {
                ConfigError::invalid(K_FILE, format!("cannot read {}: {e}", path.display()))
            })?;
            let (set, skipped) =
                jwks::parse_jwks(&doc, algorithms).map_err(|e| ConfigError::invalid(K_FILE, e))?;
            for why in &skipped {
                tracing::warn!(target: "lambda_guard::auth", skipped = %why, "JWKS file key not used");
            }
            if set.len() == 0 {
                let why = skipped.first().cloned().unwrap_or_else(|| "no key".into());
                return Err(ConfigError::invalid(
                    K_FILE,
                    format!("no usable key ({why})"),
                ));
            }
            keys.extend(set.into_keys());
        }
        for (i, key) in self.jwt.keys.iter().enumerate() {
            let key_name = format!("{K_KEYS}[{i}]");
            let alg = key
                .alg
                .parse::<Algorithm>()
                .map_err(|e| ConfigError::invalid(format!("{key_name}.alg"), e))?;
            let pem = match (&key.pem, &key.pem_file) {
                (Some(p), _) => p.clone(),
                (None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
                    ConfigError::invalid(&key_name, format!("cannot read {}: {e}", path.display()))
                })?,
                (None, None) => return Err(ConfigError::invalid(&key_name, "no `pem`")),
            };
            let parsed: VerifyingKey = jwks::pem_key(key.kid.clone(), &pem, alg)
                .map_err(|e| ConfigError::invalid(&key_name, e))?;
            keys.push(Arc::new(parsed));
        }
        Ok(KeySet::new(keys))
    }
}

/// The outcome of authenticating one request.
#[derive(Debug, Clone)]
pub enum AuthOutcome {
    /// Allowed; `claims` is `None` on a public route (and for WebSocket messages).
    Allowed {
        /// The verified claims.
        claims: Option<Arc<Claims>>,
    },
    /// Refused.
    Denied(AuthFailure),
}

/// Verifies bearer tokens and route policies. Built once at init; shared by every invocation.
#[derive(Debug)]
pub struct Authenticator {
    triggers: Vec<Trigger>,
    rules: ClaimRules,
    header: String,
    scheme: String,
    keys: KeyStore,
    policy: Option<RoutePolicy>,
}

enum Route<'p> {
    Unrestricted,
    Rule(&'p RouteRule),
    Unlisted,
}

impl Authenticator {
    /// Builds the authenticator: checks the configuration, loads static keys, and fetches the
    /// remote JWKS once. An unreachable JWKS is logged, not an error: the function starts and
    /// refuses (503) what it cannot verify until a refetch succeeds. A malformed setting is an
    /// error naming its key.
    pub async fn new(config: &AuthConfig) -> Result<Authenticator, ConfigError> {
        let resolved = config.resolve()?;
        let fixed = config.static_keys(&resolved.algorithms)?;
        let remote = match resolved.remote {
            None => None,
            Some((uri, policy)) => Some(
                RemoteJwks::new(uri, policy, resolved.algorithms.clone())
                    .map_err(|e| ConfigError::invalid(K_URL, e))?,
            ),
        };
        let keys = KeyStore::new(fixed, remote);
        keys.prewarm().await;
        Ok(Authenticator {
            triggers: resolved.triggers,
            rules: resolved.rules,
            header: resolved.header,
            scheme: resolved.scheme,
            keys,
            policy: resolved.policy,
        })
    }

    /// Whether `auth.triggers` lets `trigger` invoke the function (it does when the list is
    /// empty). A direct invoke or a misrouted event of another shape is refused before any
    /// handler written for the allowed ones sees it.
    pub fn trigger_allowed(&self, trigger: Trigger) -> bool {
        self.triggers.is_empty() || self.triggers.contains(&trigger)
    }

    /// Whether a remote JWKS is configured.
    pub fn has_remote_jwks(&self) -> bool {
        self.keys.has_remote()
    }

    /// Authenticates and authorizes one HTTP request. Fails closed: every error is a denial.
    pub async fn authenticate(&self, request: &HttpRequest) -> AuthOutcome {
        if matches!(request.method.as_str(), "MESSAGE" | "DISCONNECT") {
            return AuthOutcome::Allowed { claims: None };
        }
        let route = match &self.policy {
            None => Route::Unrestricted,
            Some(p) => match p.lookup(&request.method, &request.path, request.route.as_deref()) {
                Some(rule) if rule.public => return AuthOutcome::Allowed { claims: None },
                Some(rule) => Route::Rule(rule),
                None => Route::Unlisted,
            },
        };
        let token = match self.token(request) {
            Ok(t) => t,
            Err(kind) => return refuse(AuthFailure::new(kind)),
        };
        let claims = match self.verify(token).await {
            Ok(c) => c,
            Err(failure) => return refuse(failure),
        };
        let authorized = match route {
            Route::Unrestricted => Ok(()),
            Route::Unlisted => Err(Kind::RouteNotAllowed),
            Route::Rule(rule) => policy::authorize(rule, &claims),
        };
        match authorized {
            Ok(()) => AuthOutcome::Allowed {
                claims: Some(Arc::new(claims)),
            },
            Err(kind) => {
                let mut f = AuthFailure::new(kind);
                f.iss = claims.issuer().map(failure::loggable);
                refuse(f)
            }
        }
    }

    /// The token from the one credentials header.
    fn token<'r>(&self, request: &'r HttpRequest) -> Result<&'r str, Kind> {
        let mut values = request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(&self.header))
            .map(|(_, v)| v.as_str());
        let value = values.next().ok_or(Kind::MissingToken)?;
        if values.next().is_some() {
            return Err(Kind::DuplicateHeader);
        }
        let value = value.trim_matches([' ', '\t']);
        let token = if self.scheme.is_empty() {
            value
        } else {
            let (scheme, rest) = value.split_once([' ', '\t']).ok_or(Kind::MalformedHeader)?;
            if !scheme.eq_ignore_ascii_case(&self.scheme) {
                return Err(Kind::MalformedHeader);
            }
            rest.trim_start_matches([' ', '\t'])
        };
        if token.is_empty() || memchr::memchr3(b' ', b'\t', b',', token.as_bytes()).is_some() {
            return Err(Kind::MalformedHeader);
        }
        Ok(token)
    }

    async fn verify(&self, token: &str) -> Result<Claims, AuthFailure> {
        let fail = |kind: Kind, kid: Option<String>| {
            let mut f = AuthFailure::new(kind);
            f.kid = kid.as_deref().map(failure::loggable);
            if !matches!(kind, Kind::TokenTooLarge | Kind::MalformedToken) {
                f.iss = verify::claimed_issuer(token);
            }
            f
        };
        let parsed = verify::parse(token, &self.rules).map_err(|r| fail(r.kind, r.kid))?;
        let key = self
            .keys
            .key(parsed.kid.as_deref())
            .await
            .map_err(|k| fail(k, parsed.kid.clone()))?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        verify::verify(&parsed, &key, &self.rules, now).map_err(|k| fail(k, parsed.kid.clone()))
    }
}

fn refuse(f: AuthFailure) -> AuthOutcome {
    tracing::info!(
        target: "lambda_guard::auth",
        kind = f.kind,
        status = f.reason.status(),
        kid = f.kid.as_deref().unwrap_or("-"),
        iss = f.iss.as_deref().unwrap_or("-"),
        "request refused"
    );
    AuthOutcome::Denied(f)
}

/// Verifies compact JWS signatures against a JWKS with the guard's strict header rules and
/// algorithm pinning, without claim checks: the verification core on its own, for tests and
/// for tools that check signatures of non-JWT payloads.
///
/// ```
/// use lambda_guard::auth::{Algorithm, SignatureVerifier, Kind};
/// let jwks = br#"{"keys": []}"#;
/// let verifier = SignatureVerifier::from_jwks(jwks, &[Algorithm::RS256]).unwrap();
/// assert_eq!(verifier.verify("e30.e30.").unwrap_err(), Kind::AlgNone);
/// ```
#[derive(Debug)]
pub struct SignatureVerifier {
    keys: KeySet,
    rules: ClaimRules,
}

impl SignatureVerifier {
    /// From a JWKS document; `algorithms` plays the role of `auth.jwt.algorithms`. Keys that
    /// cannot be used are skipped; a document that is not a JWKS is an error.
    pub fn from_jwks(doc: &[u8], algorithms: &[Algorithm]) -> Result<SignatureVerifier, String> {
        let (keys, _) = jwks::parse_jwks(doc, algorithms)?;
        Ok(SignatureVerifier {
            keys,
            rules: ClaimRules {
                issuers: Vec::new(),
                audiences: Vec::new(),
                audience_claim: "aud".into(),
                leeway: 0,
                max_token_bytes: 65_536,
                typ: None,
                token_use: None,
                client_ids: Vec::new(),
                groups_claim: String::new(),
            },
        })
    }

    /// Number of usable keys.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// Checks `token`'s header and signature; returns the payload bytes (wiped on drop).
    pub fn verify(&self, token: &str) -> Result<Zeroizing<Vec<u8>>, Kind> {
        let parsed = verify::parse(token, &self.rules).map_err(|r| r.kind)?;
        let key = self
            .keys
            .find_key(parsed.kid.as_deref())?
            .ok_or(Kind::UnknownKid)?;
        verify::verify_signature(&parsed, &key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_env(vars: &[(&str, &str)]) -> Result<AuthConfig, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = move |name: &str| {
            vars.iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let mut config = AuthConfig::default();
        config.apply_env(&env)?;
        config.validate(Mode::Enforce)?;
        Ok(config)
    }

    const BASE: [(&str, &str); 3] = [
        ("GUARD_JWT_JWKS_URL", "https://issuer.example/jwks.json"),
        (
            "GUARD_JWT_ISSUER",
            "https://issuer.example, https://other.example",
        ),
        ("GUARD_JWT_AUDIENCE", "orders"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        BASE.iter().chain(extra).copied().collect()
    }

    #[test]
    fn environment_configures_everything() {
        let c = from_env(&with(&[
            ("GUARD_JWT_ALGORITHMS", "RS256,ES256"),
            ("GUARD_JWT_LEEWAY_SECONDS", "10"),
            ("GUARD_JWT_TYP", "at+jwt"),
            ("GUARD_AUTH_ROUTES", r#"{"GET /orders/{id}": {"scopes": ["orders:read"]}, "GET /health": {"public": true}}"#),
        ]))
        .unwrap();
        assert_eq!(c.jwt.issuer.len(), 2);
        assert_eq!(c.jwt.algorithms, ["RS256", "ES256"]);
        assert_eq!(c.routes.len(), 2);
        assert!(c.is_configured());
    }

    #[test]
    fn bad_settings_name_their_key() {
        let cases: [(&[(&str, &str)], &str); 12] = [
            (
                &[("GUARD_JWT_JWKS_MAX_AGE_MS", "10")],
                "GUARD_JWT_JWKS_MAX_AGE_MS",
            ),
            (
                &[("GUARD_JWT_JWKS_MAX_AGE_MS", "1h")],
                "GUARD_JWT_JWKS_MAX_AGE_MS",
            ),
            (&[("GUARD_JWT_ALGORITHMS", "HS256")], "GUARD_JWT_ALGORITHMS"),
            (&[("GUARD_JWT_ALGORITHMS", "none")], "GUARD_JWT_ALGORITHMS"),
            (
                &[("GUARD_JWT_LEEWAY_SECONDS", "3600")],
                "GUARD_JWT_LEEWAY_SECONDS",
            ),
            (
                &[("GUARD_JWT_LEEWAY_SECONDS", "soon")],
                "GUARD_JWT_LEEWAY_SECONDS",
            ),
            (
                &[("GUARD_JWT_JWKS_URL", "http://issuer.example/jwks")],
                "GUARD_JWT_JWKS_URL",
            ),
            (
                &[("GUARD_JWT_MAX_TOKEN_BYTES", "10")],
                "GUARD_JWT_MAX_TOKEN_BYTES",
            ),
            (&[("GUARD_JWT_TOKEN_USE", "refresh")], "GUARD_JWT_TOKEN_USE"),
            (&[("GUARD_AUTH_ROUTES", "GET /x")], "GUARD_AUTH_ROUTES"),
            (
                &[(
                    "GUARD_AUTH_ROUTES",
                    r#"{"GET /x": {"public": true, "scopes": ["a"]}}"#,
                )],
                "GUARD_AUTH_ROUTES",
            ),
            (
                &[("GUARD_AUTH_ROUTES", r#"{"GET /x": {"scope": ["a"]}}"#)],
                "GUARD_AUTH_ROUTES",
            ),
        ];
        for (extra, key) in cases {
            let err = from_env(&with(extra)).unwrap_err();
            assert_eq!(
                err.key().map(|k| k.contains(key)),
                Some(true),
                "{extra:?}: {err}"
            );
        }
        let err = from_env(&BASE[..1]).unwrap_err();
        assert!(err.to_string().contains("GUARD_JWT_ISSUER"), "{err}");
        let err = from_env(&[]).unwrap_err();
        assert!(err.to_string().contains("GUARD_JWT_JWKS_URL"), "{err}");
    }
}

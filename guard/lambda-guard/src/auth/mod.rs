//! Authentication (JWT bearer tokens) and route-level authorization for HTTP triggers.
//!
//! Interim foundation: the configuration surface and a fail-closed authenticator that refuses
//! every request when auth is enforced. JWT verification lands with the JWT issue.

use crate::{
    config::{ConfigError, Env, Mode},
    decision::DenyReason,
    trigger::HttpRequest,
};
use serde::Deserialize;
use std::sync::Arc;

/// `[auth]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// `auth.mode` (`GUARD_AUTH`).
    pub mode: Option<Mode>,
    /// `[auth.jwt]`.
    #[serde(default)]
    pub jwt: JwtConfig,
}

/// `[auth.jwt]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    /// `auth.jwt.jwks_url` (`GUARD_JWT_JWKS_URL`).
    pub jwks_url: Option<String>,
    /// `auth.jwt.issuer` (`GUARD_JWT_ISSUER`, comma-separated).
    #[serde(default)]
    pub issuer: Vec<String>,
    /// `auth.jwt.audience` (`GUARD_JWT_AUDIENCE`, comma-separated).
    #[serde(default)]
    pub audience: Vec<String>,
}

fn list(raw: String) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl AuthConfig {
    /// Whether any key source is configured (auth then defaults to the global mode).
    pub fn is_configured(&self) -> bool {
        self.jwt.jwks_url.is_some()
    }

    pub(crate) fn apply_env(&mut self, env: &impl Env) -> Result<(), ConfigError> {
        if let Some(m) = env.parsed("GUARD_AUTH", "auth.mode")? {
            self.mode = Some(m);
        }
        if let Some(url) = env.var("GUARD_JWT_JWKS_URL") {
            self.jwt.jwks_url = Some(url);
        }
        if let Some(v) = env.var("GUARD_JWT_ISSUER") {
            self.jwt.issuer = list(v);
        }
        if let Some(v) = env.var("GUARD_JWT_AUDIENCE") {
            self.jwt.audience = list(v);
        }
        Ok(())
    }

    pub(crate) fn validate(&self, mode: Mode) -> Result<(), ConfigError> {
        if mode == Mode::Off {
            return Ok(());
        }
        if !self.is_configured() {
            return Err(ConfigError::invalid(
                "auth.jwt.jwks_url (GUARD_JWT_JWKS_URL)",
                format!("auth is {mode} but no key source is configured"),
            ));
        }
        if self.jwt.issuer.is_empty() {
            return Err(ConfigError::invalid(
                "auth.jwt.issuer (GUARD_JWT_ISSUER)",
                "required when auth is on",
            ));
        }
        if self.jwt.audience.is_empty() {
            return Err(ConfigError::invalid(
                "auth.jwt.audience (GUARD_JWT_AUDIENCE)",
                "required when auth is on",
            ));
        }
        Ok(())
    }
}

/// The verified claims of a caller's token.
#[derive(Debug, Default)]
pub struct Claims {
    _private: (),
}

/// Why a request was not authenticated or authorized. Carries no token material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailure {
    /// 401, 403 or 503.
    pub reason: DenyReason,
    /// A stable reason kind for telemetry (`missing_token`, `expired`, …).
    pub kind: &'static str,
}

/// The outcome of authenticating one request.
#[derive(Debug, Clone)]
pub enum AuthOutcome {
    /// Allowed; `claims` is `None` on a public route.
    Allowed {
        /// The verified claims.
        claims: Option<Arc<Claims>>,
    },
    /// Refused.
    Denied(AuthFailure),
}

/// Verifies bearer tokens and route policies.
#[derive(Debug)]
pub struct Authenticator {
    _config: AuthConfig,
}

impl Authenticator {
    /// Builds the authenticator.
    pub async fn new(config: &AuthConfig) -> Result<Authenticator, ConfigError> {
        Ok(Authenticator {
            _config: config.clone(),
        })
    }

    /// Authenticates and authorizes one HTTP request. Fails closed.
    pub async fn authenticate(&self, _request: &HttpRequest) -> AuthOutcome {
        AuthOutcome::Denied(AuthFailure {
            reason: DenyReason::Unauthenticated,
            kind: "verifier_unavailable",
        })
    }
}

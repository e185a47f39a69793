//! Why a request was refused: a stable reason kind, its HTTP class, and what may be logged.

use crate::decision::DenyReason;

/// Every reason the guard refuses a request for. `name()` is the stable `kind` in telemetry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// No credentials header.
    MissingToken,
    /// The credentials header is present more than once.
    DuplicateHeader,
    /// The header is not `<scheme> <token>`.
    MalformedHeader,
    /// Larger than `auth.jwt.max_token_bytes`.
    TokenTooLarge,
    /// Not a compact JWS (wrong number of parts, not base64url, header not JSON).
    MalformedToken,
    /// A five-part (JWE) token or a header with `enc`.
    JweUnsupported,
    /// `alg: none` in any casing, or an empty signature.
    AlgNone,
    /// The header's `alg` is not one the key and the configuration allow.
    AlgNotAllowed,
    /// The header names key material (`jku`, `x5u`, `jwk`, `x5c`): never followed or trusted.
    EmbeddedKeyRefused,
    /// The header has `crit` (no extension is understood).
    CritUnsupported,
    /// The header's `typ` is not the required one.
    TypMismatch,
    /// No `kid` and several keys could apply.
    KidMissing,
    /// No key has this `kid`, after a refetch (or within the refetch penalty window).
    UnknownKid,
    /// The signature does not verify.
    BadSignature,
    /// `exp`, `nbf`, `iat`, `iss` or `aud` of the wrong JSON type.
    ClaimType,
    /// No `exp`.
    ExpMissing,
    /// `exp` passed (beyond the leeway).
    Expired,
    /// `nbf` in the future (beyond the leeway).
    NotYetValid,
    /// `iat` in the future (beyond the leeway).
    IssuedInFuture,
    /// No `iss`.
    IssuerMissing,
    /// `iss` is not a configured issuer.
    IssuerMismatch,
    /// No audience claim.
    AudienceMissing,
    /// No configured audience in the audience claim.
    AudienceMismatch,
    /// Cognito `token_use` differs.
    TokenUseMismatch,
    /// Cognito `client_id` is not configured.
    ClientIdMismatch,
    /// The keys could not be fetched and no cached key fits (HTTP 503).
    JwksUnavailable,
    /// A route policy exists and does not list this route (HTTP 403).
    RouteNotAllowed,
    /// A required scope is missing (HTTP 403).
    InsufficientScope,
    /// The caller is in none of the required groups (HTTP 403).
    NotInGroup,
    /// The event's trigger is not in `auth.triggers` (HTTP 403, or an invocation error).
    TriggerNotAllowed,
}

impl Kind {
    /// The stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::MissingToken => "missing_token",
            Kind::DuplicateHeader => "duplicate_header",
            Kind::MalformedHeader => "malformed_header",
            Kind::TokenTooLarge => "token_too_large",
            Kind::MalformedToken => "malformed_token",
            Kind::JweUnsupported => "jwe_unsupported",
            Kind::AlgNone => "alg_none",
            Kind::AlgNotAllowed => "alg_not_allowed",
            Kind::EmbeddedKeyRefused => "embedded_key_refused",
            Kind::CritUnsupported => "crit_unsupported",
            Kind::TypMismatch => "typ_mismatch",
            Kind::KidMissing => "kid_missing",
            Kind::UnknownKid => "unknown_kid",
            Kind::BadSignature => "bad_signature",
            Kind::ClaimType => "claim_type",
            Kind::ExpMissing => "exp_missing",
            Kind::Expired => "expired",
            Kind::NotYetValid => "not_yet_valid",
            Kind::IssuedInFuture => "iat_in_future",
            Kind::IssuerMissing => "iss_missing",
            Kind::IssuerMismatch => "iss_mismatch",
            Kind::AudienceMissing => "aud_missing",
            Kind::AudienceMismatch => "aud_mismatch",
            Kind::TokenUseMismatch => "token_use_mismatch",
            Kind::ClientIdMismatch => "client_id_mismatch",
            Kind::JwksUnavailable => "jwks_unavailable",
            Kind::RouteNotAllowed => "route_not_allowed",
            Kind::InsufficientScope => "insufficient_scope",
            Kind::NotInGroup => "not_in_group",
            Kind::TriggerNotAllowed => "trigger_not_allowed",
        }
    }

    /// 401 for authentication, 403 for authorization, 503 when keys are unavailable.
    pub fn reason(self) -> DenyReason {
        match self {
            Kind::JwksUnavailable => DenyReason::AuthUnavailable,
            Kind::RouteNotAllowed
            | Kind::InsufficientScope
            | Kind::NotInGroup
            | Kind::TriggerNotAllowed => DenyReason::Forbidden,
            _ => DenyReason::Unauthenticated,
        }
    }
}

/// Why a request was not authenticated or authorized. Carries no token material: only the
/// reason, and the `kid` and `iss` the token claimed (unverified, truncated, control characters
/// escaped), for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailure {
    /// 401, 403 or 503.
    pub reason: DenyReason,
    /// A stable reason kind for telemetry (`missing_token`, `expired`, …): [`Kind::name`].
    pub kind: &'static str,
    /// The same, typed.
    pub cause: Kind,
    /// The token header's `kid`, when it was read.
    pub kid: Option<String>,
    /// The token's claimed `iss`, when it could be read.
    pub iss: Option<String>,
}

impl AuthFailure {
    pub(crate) fn new(cause: Kind) -> AuthFailure {
        AuthFailure {
            reason: cause.reason(),
            kind: cause.name(),
            cause,
            kid: None,
            iss: None,
        }
    }
}

/// An attacker-supplied string made safe for a log line: at most 128 characters, controls and
/// non-ASCII escaped.
pub(crate) fn loggable(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(140));
    for c in s.chars().take(128) {
        if c.is_ascii_graphic() || c == ' ' {
            out.push(c);
        } else {
            out.extend(c.escape_unicode());
        }
    }
    if s.chars().count() > 128 {
        out.push('…');
    }
    out
}

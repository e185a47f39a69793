//! What the guard decides about one invocation, and why.

use crate::{auth::Claims, trigger::Trigger};
use serde::Serialize;
use std::{borrow::Cow, sync::Arc};

/// Why an event was refused. Telemetry and responses read this; it carries no secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DenyReason {
    /// No valid credentials (HTTP 401).
    Unauthenticated,
    /// Valid credentials, insufficient rights (HTTP 403).
    Forbidden,
    /// Credentials could not be checked (keys unreachable): fail closed (HTTP 503).
    AuthUnavailable,
    /// The event could not be read as the trigger's shape (HTTP 400).
    Malformed,
    /// A size or structure limit was exceeded (HTTP 413).
    TooLarge,
    /// Input inspection found an attack (HTTP 403, as WAFs answer).
    Injection,
}

impl DenyReason {
    /// The HTTP status an HTTP trigger answers with.
    pub fn status(self) -> u16 {
        match self {
            DenyReason::Unauthenticated => 401,
            DenyReason::Forbidden | DenyReason::Injection => 403,
            DenyReason::AuthUnavailable => 503,
            DenyReason::Malformed => 400,
            DenyReason::TooLarge => 413,
        }
    }

    /// The short, generic message a caller sees.
    pub fn public_message(self) -> &'static str {
        match self {
            DenyReason::Unauthenticated => "Unauthorized",
            DenyReason::Forbidden | DenyReason::Injection => "Forbidden",
            DenyReason::AuthUnavailable => "Service Unavailable",
            DenyReason::Malformed => "Bad Request",
            DenyReason::TooLarge => "Payload Too Large",
        }
    }

    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            DenyReason::Unauthenticated => "unauthenticated",
            DenyReason::Forbidden => "forbidden",
            DenyReason::AuthUnavailable => "auth_unavailable",
            DenyReason::Malformed => "malformed",
            DenyReason::TooLarge => "too_large",
            DenyReason::Injection => "injection",
        }
    }
}

/// The kind of thing a finding reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Category {
    /// The event is not what its trigger sends (not JSON, not UTF-8, wrong shape).
    Malformed,
    /// A size or structure limit.
    Limit,
    /// Authentication or authorization failed.
    Auth,
    /// SQL injection.
    Sqli,
    /// NoSQL operator injection.
    Nosqli,
    /// Cross-site scripting.
    Xss,
    /// OS command injection.
    CommandInjection,
    /// Path traversal and local file inclusion.
    PathTraversal,
    /// Server-side request forgery.
    Ssrf,
    /// Server-side template injection (and JNDI lookups).
    Ssti,
    /// Server-side code injection (PHP, Java, Node.js, Python) and serialized-object gadgets.
    CodeInjection,
    /// XML external entities.
    Xxe,
    /// Log injection (CR/LF, Unicode line separators).
    LogInjection,
    /// Prototype pollution keys.
    PrototypePollution,
    /// Session fixation: a session identifier or cookie supplied by the request.
    SessionFixation,
    /// LDAP filter injection.
    LdapInjection,
    /// XPath query injection.
    XpathInjection,
    /// Formula (CSV) injection: cells a spreadsheet would run.
    FormulaInjection,
    /// An offensive scanner or fuzzer named in the User-Agent.
    Scanner,
    /// JSON Schema violation.
    Schema,
}

impl Category {
    /// The snake_case name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Category::Malformed => "malformed",
            Category::Limit => "limit",
            Category::Auth => "auth",
            Category::Sqli => "sqli",
            Category::Nosqli => "nosqli",
            Category::Xss => "xss",
            Category::CommandInjection => "command_injection",
            Category::PathTraversal => "path_traversal",
            Category::Ssrf => "ssrf",
            Category::Ssti => "ssti",
            Category::CodeInjection => "code_injection",
            Category::Xxe => "xxe",
            Category::LogInjection => "log_injection",
            Category::PrototypePollution => "prototype_pollution",
            Category::SessionFixation => "session_fixation",
            Category::LdapInjection => "ldap_injection",
            Category::XpathInjection => "xpath_injection",
            Category::FormulaInjection => "formula_injection",
            Category::Scanner => "scanner",
            Category::Schema => "schema",
        }
    }

    /// The deny reason a finding of this category leads to when enforced.
    pub fn deny_reason(self) -> DenyReason {
        match self {
            Category::Malformed | Category::Schema => DenyReason::Malformed,
            Category::Limit => DenyReason::TooLarge,
            Category::Auth => DenyReason::Unauthenticated,
            _ => DenyReason::Injection,
        }
    }
}

/// One thing the guard found. Never holds a whole input value: `excerpt` is short and redacted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What kind of thing.
    pub category: Category,
    /// The rule that fired (stable id, e.g. `sqli.tautology`).
    pub rule: Cow<'static, str>,
    /// JSON path of the field (`$.Records[0].body.note`); `$` for the whole event.
    pub path: String,
    /// A short, redacted excerpt of what matched.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub excerpt: String,
    /// The batch record the field belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<usize>,
    /// The decodings (view and normalization) that revealed it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transforms: Vec<&'static str>,
}

impl Finding {
    /// A finding about the whole event.
    pub fn event(category: Category, rule: impl Into<Cow<'static, str>>) -> Finding {
        Finding {
            category,
            rule: rule.into(),
            path: "$".to_owned(),
            excerpt: String::new(),
            record: None,
            transforms: Vec::new(),
        }
    }
}

/// The decision for one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The handler runs with the event as it came.
    Allow,
    /// The handler does not run; the caller gets a trigger-shaped refusal.
    Deny(DenyReason),
    /// Batch triggers: the handler runs without these records (indices into `Records`), which
    /// are reported back as `batchItemFailures`.
    Filter {
        /// Indices of the refused records.
        rejected: Vec<usize>,
    },
}

/// Everything the guard concluded about one event.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The trigger recognised.
    pub trigger: Trigger,
    /// What happens.
    pub decision: Decision,
    /// What was found, in enforce and monitor mode alike.
    pub findings: Vec<Finding>,
    /// The verified caller, when auth ran and succeeded.
    pub claims: Option<Arc<Claims>>,
}

impl Verdict {
    /// An allow verdict with nothing found.
    pub fn allow(trigger: Trigger) -> Verdict {
        Verdict {
            trigger,
            decision: Decision::Allow,
            findings: Vec::new(),
            claims: None,
        }
    }

    /// A malformed-event verdict (for input that is not a Lambda event at all).
    pub fn malformed(rule: &'static str) -> Verdict {
        Verdict {
            trigger: Trigger::Unknown,
            decision: Decision::Deny(DenyReason::Malformed),
            findings: vec![Finding::event(Category::Malformed, rule)],
            claims: None,
        }
    }

    /// Whether the handler is kept from the event entirely.
    pub fn is_denied(&self) -> bool {
        matches!(self.decision, Decision::Deny(_))
    }
}

//! `[inspect]` configuration: limits, paranoia, rule toggles, allowlists and per-scope overrides.

use super::rules;
use crate::config::{ConfigError, Env, Mode};
use serde::Deserialize;
use std::path::PathBuf;

/// Default `max_event_bytes`: the 6 MiB synchronous invocation payload limit, plus headroom for
/// the envelope Lambda adds.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 6 * 1024 * 1024 + 64 * 1024;
/// Default `max_depth` of nested objects and arrays (parsed bodies included).
pub const DEFAULT_MAX_DEPTH: usize = 32;
/// Default `max_keys`: object keys in the whole event, parsed bodies included.
pub const DEFAULT_MAX_KEYS: usize = 100_000;
/// Default `max_string_bytes`: the longest single string value.
pub const DEFAULT_MAX_STRING_BYTES: usize = 1024 * 1024;
/// Default paranoia level.
pub const DEFAULT_PARANOIA: u8 = 1;

/// `[inspect]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectConfig {
    /// `inspect.mode` (`GUARD_INSPECT`).
    pub mode: Option<Mode>,
    /// `inspect.paranoia` (`GUARD_INSPECT_PARANOIA`), 1–4: higher levels add rules that catch
    /// more and refuse more benign input. Default 1.
    pub paranoia: Option<u8>,
    /// `inspect.max_event_bytes` (`GUARD_INSPECT_MAX_EVENT_BYTES`): the whole event, measured as
    /// the size of its strings, keys and scalars. Checked before any detector runs.
    pub max_event_bytes: Option<usize>,
    /// `inspect.max_depth` (`GUARD_INSPECT_MAX_DEPTH`): nesting of objects and arrays.
    pub max_depth: Option<usize>,
    /// `inspect.max_keys` (`GUARD_INSPECT_MAX_KEYS`): object keys in the event.
    pub max_keys: Option<usize>,
    /// `inspect.max_string_bytes` (`GUARD_INSPECT_MAX_STRING_BYTES`): longest single value.
    pub max_string_bytes: Option<usize>,
    /// `inspect.disable` (`GUARD_INSPECT_DISABLE`, comma-separated): categories (`xss`) or rule
    /// ids (`sqli.comment_break`) switched off everywhere.
    #[serde(default)]
    pub disable: Vec<String>,
    /// `[[inspect.allow]]`: fields that may carry what a category looks for.
    #[serde(default)]
    pub allow: Vec<AllowConfig>,
    /// `[[inspect.scope]]`: overrides for some triggers or routes.
    #[serde(default)]
    pub scope: Vec<ScopeConfig>,
}

/// `[[inspect.allow]]`: a field allowlist entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowConfig {
    /// JSON path pattern of the field, as findings report it (`$.body.description`,
    /// `$.Records[*].body.html`): `*` matches within one segment or index, `**` any run of them.
    pub path: String,
    /// Categories or rule ids allowed there (`["xss"]`); empty means every injection category.
    #[serde(default)]
    pub allow: Vec<String>,
}

/// `[[inspect.scope]]`: settings for events of a trigger and/or route. Every matching scope
/// applies, in order.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeConfig {
    /// Trigger name (`sqs`, `apigateway-http`, …); any trigger when unset.
    pub trigger: Option<String>,
    /// An EventBridge event's `source` (`aws.guardduty`; a trailing `*` matches any ending,
    /// `aws.*`): only EventBridge events from it match. Like `trigger`, read from the event,
    /// which a direct invoke may forge.
    pub source: Option<String>,
    /// HTTP route: `"/orders/{id}"` or `"POST /orders/*"`; compared with the route template
    /// the trigger reports, else matched against the request path (`{x}` and `*` match one
    /// segment, `**` any number).
    pub route: Option<String>,
    /// Paranoia level here.
    pub paranoia: Option<u8>,
    /// Categories or rule ids switched off here.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Categories or rule ids switched back on here (undoes a global `disable`).
    #[serde(default)]
    pub enable: Vec<String>,
    /// A JSON Schema file the payload must satisfy (HTTP body, SQS/SNS message, EventBridge
    /// `detail`, else the event).
    pub schema: Option<PathBuf>,
    /// Limits here.
    pub max_event_bytes: Option<usize>,
    /// Limits here.
    pub max_depth: Option<usize>,
    /// Limits here.
    pub max_keys: Option<usize>,
    /// Limits here.
    pub max_string_bytes: Option<usize>,
}

impl InspectConfig {
    pub(crate) fn apply_env(&mut self, env: &impl Env) -> Result<(), ConfigError> {
        if let Some(m) = env.parsed("GUARD_INSPECT", "inspect.mode")? {
            self.mode = Some(m);
        }
        if let Some(p) = env.parsed("GUARD_INSPECT_PARANOIA", "inspect.paranoia")? {
            self.paranoia = Some(p);
        }
        let limits = [
            ("GUARD_INSPECT_MAX_EVENT_BYTES", "inspect.max_event_bytes"),
            ("GUARD_INSPECT_MAX_DEPTH", "inspect.max_depth"),
            ("GUARD_INSPECT_MAX_KEYS", "inspect.max_keys"),
            ("GUARD_INSPECT_MAX_STRING_BYTES", "inspect.max_string_bytes"),
        ];
        for (i, (var, key)) in limits.into_iter().enumerate() {
            if let Some(n) = env.parsed::<usize>(var, key)? {
                *[
                    &mut self.max_event_bytes,
                    &mut self.max_depth,
                    &mut self.max_keys,
                    &mut self.max_string_bytes,
                ][i] = Some(n);
            }
        }
        if let Some(list) = env.var("GUARD_INSPECT_DISABLE") {
            self.disable = list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        Ok(())
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        check_paranoia(self.paranoia, "inspect.paranoia (GUARD_INSPECT_PARANOIA)")?;
        let limits = [
            (
                self.max_event_bytes,
                "inspect.max_event_bytes (GUARD_INSPECT_MAX_EVENT_BYTES)",
            ),
            (
                self.max_depth,
                "inspect.max_depth (GUARD_INSPECT_MAX_DEPTH)",
            ),
            (self.max_keys, "inspect.max_keys (GUARD_INSPECT_MAX_KEYS)"),
            (
                self.max_string_bytes,
                "inspect.max_string_bytes (GUARD_INSPECT_MAX_STRING_BYTES)",
            ),
        ];
        for (value, key) in limits {
            check_limit(value, key)?;
        }
        check_names(&self.disable, "inspect.disable (GUARD_INSPECT_DISABLE)")?;
        for (i, a) in self.allow.iter().enumerate() {
            let key = format!("inspect.allow[{i}]");
            if !a.path.starts_with('$') {
                return Err(ConfigError::invalid(
                    format!("{key}.path"),
                    format!("{:?} does not start with `$`", a.path),
                ));
            }
            check_names(&a.allow, &format!("{key}.allow"))?;
        }
        for (i, s) in self.scope.iter().enumerate() {
            let key = format!("inspect.scope[{i}]");
            if let Some(t) = &s.trigger {
                if crate::trigger::Trigger::from_name(t).is_none() {
                    return Err(ConfigError::invalid(
                        format!("{key}.trigger"),
                        format!("unknown trigger {t:?}"),
                    ));
                }
            }
            if let Some(source) = &s.source {
                if super::scope::SourcePattern::parse(source).is_none() {
                    return Err(ConfigError::invalid(
                        format!("{key}.source"),
                        format!("{source:?} is not a source (`aws.guardduty`) or a prefix and `*` (`aws.*`)"),
                    ));
                }
            }
            if let Some(r) = &s.route {
                if super::scope::RoutePattern::parse(r).is_none() {
                    return Err(ConfigError::invalid(
                        format!("{key}.route"),
                        format!("{r:?} is not `/path` or `METHOD /path`"),
                    ));
                }
            }
            check_paranoia(s.paranoia, &format!("{key}.paranoia"))?;
            check_names(&s.disable, &format!("{key}.disable"))?;
            check_names(&s.enable, &format!("{key}.enable"))?;
            for (value, name) in [
                (s.max_event_bytes, "max_event_bytes"),
                (s.max_depth, "max_depth"),
                (s.max_keys, "max_keys"),
                (s.max_string_bytes, "max_string_bytes"),
            ] {
                check_limit(value, &format!("{key}.{name}"))?;
            }
        }
        Ok(())
    }
}

fn check_paranoia(p: Option<u8>, key: &str) -> Result<(), ConfigError> {
    match p {
        Some(p) if !(1..=4).contains(&p) => Err(ConfigError::invalid(
            key,
            format!("{p} is not a paranoia level (1 to 4)"),
        )),
        _ => Ok(()),
    }
}

fn check_limit(v: Option<usize>, key: &str) -> Result<(), ConfigError> {
    match v {
        Some(0) => Err(ConfigError::invalid(
            key,
            "a limit of 0 refuses every event",
        )),
        _ => Ok(()),
    }
}

fn check_names(names: &[String], key: &str) -> Result<(), ConfigError> {
    for n in names {
        if rules::Selector::parse(n).is_none() {
            return Err(ConfigError::invalid(
                key,
                format!("{n:?} is neither an inspection category nor a rule id"),
            ));
        }
    }
    Ok(())
}

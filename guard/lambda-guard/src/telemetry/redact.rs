//! Redaction by construction: the values that reach an event are built from types that can only
//! render masked.
//!
//! ```
//! use lambda_guard::telemetry::redact::{MaskedExcerpt, RedactedPath};
//! let excerpt = MaskedExcerpt::new("' OR 1=1 --");
//! assert_eq!(serde_json::to_value(&excerpt).unwrap(), "***** (11 chars)");
//! let path = RedactedPath::new("/reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig");
//! assert_eq!(path.as_str(), "/reset/{redacted}");
//! ```
//!
//! What is guaranteed: no finding excerpt, header value, token or claim is ever copied into an
//! event (the builders take none of them, and [`MaskedExcerpt`] keeps only a length); request
//! paths pass through [`RedactedPath`], which replaces any segment that looks like a credential;
//! the field paths configured in `telemetry.mask_fields` are replaced by `*****` in every event
//! before it is written anywhere ([`Masks`]). What is not: a secret the application itself puts
//! in a route template or a rule id.

use serde::{Serialize, Serializer};
use serde_json::Value;

/// The text that replaces a masked value (Powertools' data masking uses the same).
pub const MASK: &str = "*****";

/// A finding excerpt that renders only as `***** (N chars)`: the matched text never leaves.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MaskedExcerpt {
    chars: usize,
}

impl MaskedExcerpt {
    /// Keeps the length of `raw`, nothing else.
    pub fn new(raw: &str) -> MaskedExcerpt {
        MaskedExcerpt {
            chars: raw.chars().count(),
        }
    }

    /// Whether there was anything to mask.
    pub fn is_empty(&self) -> bool {
        self.chars == 0
    }
}

impl std::fmt::Debug for MaskedExcerpt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{MASK} ({} chars)", self.chars)
    }
}

impl Serialize for MaskedExcerpt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{MASK} ({} chars)", self.chars))
    }
}

/// A request path with every segment that looks like a credential (a JWT, a long random token,
/// an API key) replaced by `{redacted}`. Query strings never enter it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RedactedPath(String);

impl RedactedPath {
    /// Redacts `raw` (a path; anything after `?` or `#` is dropped).
    pub fn new(raw: &str) -> RedactedPath {
        let raw = raw.split(['?', '#']).next().unwrap_or_default();
        let mut out = String::with_capacity(raw.len().min(256));
        for (i, segment) in raw.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            if looks_like_secret(segment) {
                out.push_str("{redacted}");
            } else {
                out.push_str(segment);
            }
            if out.len() > 256 {
                out.truncate(256);
                out.push('…');
                break;
            }
        }
        RedactedPath(out)
    }

    /// The redacted path.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for RedactedPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Whether a string looks like a credential: a JWT, a long run of token characters mixing
/// letters and digits, or a well-known key prefix.
pub fn looks_like_secret(s: &str) -> bool {
    if s.starts_with("eyJ") && s.matches('.').count() >= 2 {
        return true;
    }
    const PREFIXES: [&str; 8] = [
        "AKIA", "ASIA", "ghp_", "gho_", "xoxb-", "xoxp-", "sk_live_", "glpat-",
    ];
    if PREFIXES.iter().any(|p| s.starts_with(p)) && s.len() >= 16 {
        return true;
    }
    let token_chars = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'=' | b'.'));
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let letters = s.bytes().filter(u8::is_ascii_alphabetic).count();
    token_chars && s.len() >= 24 && digits >= 3 && letters >= 3
}

/// Extra sensitive field paths (`telemetry.mask_fields`), Powertools-style: dotted paths into
/// the emitted event (`src_endpoint.ip`, `actor.user.uid`, `unmapped.guard.route`), where `*`
/// matches any one key or array element. A masked string becomes `*****`; a masked address
/// (`ip`, `*_ip`), number or boolean is removed, since OCSF types them. Paths that start with `$` name input fields instead:
/// a finding located there (or below) loses even its masked excerpt.
#[derive(Debug, Clone, Default)]
pub struct Masks {
    event: Vec<Vec<String>>,
    input: Vec<String>,
}

impl Masks {
    /// Parses the configured paths.
    pub fn new(paths: &[String]) -> Masks {
        let mut masks = Masks::default();
        for path in paths.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            if path.starts_with('$') {
                masks.input.push(path.to_owned());
            } else {
                masks
                    .event
                    .push(path.split('.').map(str::to_owned).collect());
            }
        }
        masks
    }

    /// Whether a finding at input path `path` is inside a masked input field.
    pub fn masks_input(&self, path: &str) -> bool {
        self.input.iter().any(|m| {
            path.strip_prefix(m.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }

    /// Replaces every configured path present in `event` by [`MASK`].
    pub fn apply(&self, event: &mut Value) {
        for path in &self.event {
            mask_at(event, path);
        }
    }

    /// Whether some event path ends in `key` (e.g. `ip`: the span then leaves out the caller's
    /// address too).
    pub fn masks_key(&self, key: &str) -> bool {
        self.event
            .iter()
            .any(|p| p.last().is_some_and(|k| k == key))
    }

    /// Whether no event path is configured (the common case: nothing to walk).
    pub fn is_empty(&self) -> bool {
        self.event.is_empty()
    }
}

/// Whether a masked value is removed rather than replaced: OCSF types addresses, numbers and
/// booleans, so `*****` there would not validate.
fn removed_when_masked(key: &str, value: &Value) -> bool {
    key == "ip"
        || key.ends_with("_ip")
        || !matches!(value, Value::String(_) | Value::Object(_) | Value::Array(_))
}

fn mask_at(value: &mut Value, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        *value = Value::String(MASK.to_owned());
        return;
    };
    match value {
        Value::Object(map) if first == "*" => map.values_mut().for_each(|v| mask_at(v, rest)),
        Value::Object(map) if rest.is_empty() => {
            if map
                .get(first.as_str())
                .is_some_and(|v| removed_when_masked(first, v))
            {
                map.remove(first.as_str());
            } else if let Some(v) = map.get_mut(first.as_str()) {
                *v = Value::String(MASK.to_owned());
            }
        }
        Value::Object(map) => {
            if let Some(v) = map.get_mut(first.as_str()) {
                mask_at(v, rest);
            }
        }
        Value::Array(items) if first == "*" => items.iter_mut().for_each(|v| mask_at(v, rest)),
        Value::Array(items) => {
            if let Some(v) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                mask_at(v, rest);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use serde_json::json;

    #[test]
    fn excerpt_keeps_only_a_length() {
        let e = MaskedExcerpt::new("Bearer abc.def.ghi");
        let text = serde_json::to_string(&e).unwrap();
        assert!(!text.contains("abc"), "{text}");
        assert!(!format!("{e:?}").contains("Bearer"));
    }

    #[test]
    fn paths_lose_credential_segments() {
        assert_eq!(
            RedactedPath::new("/orders/42?token=secret").as_str(),
            "/orders/42"
        );
        assert_eq!(
            RedactedPath::new("/keys/AKIAIOSFODNN7EXAMPLE").as_str(),
            "/keys/{redacted}"
        );
        assert_eq!(
            RedactedPath::new("/reset/9f8e7d6c5b4a39281706f5e4d3c2b1a0").as_str(),
            "/reset/{redacted}"
        );
        assert_eq!(
            RedactedPath::new("/users/alice/profile").as_str(),
            "/users/alice/profile"
        );
    }

    #[test]
    fn masks_apply_to_event_and_input_paths() {
        let masks = Masks::new(&[
            "src_endpoint.ip".into(),
            "evidences.*.data.path".into(),
            "$.body.card".into(),
        ]);
        let mut event = json!({"src_endpoint": {"ip": "10.0.0.1"},
            "evidences": [{"data": {"path": "$.x"}}, {"data": {}}]});
        masks.apply(&mut event);
        assert!(event["src_endpoint"].get("ip").is_none(), "typed: removed");
        assert_eq!(event["evidences"][0]["data"]["path"], MASK);
        assert!(event["evidences"][1]["data"].get("path").is_none());
        assert!(masks.masks_input("$.body.card"));
        assert!(masks.masks_input("$.body.card.number"));
        assert!(!masks.masks_input("$.body.cardholder"));
    }
}

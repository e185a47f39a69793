//! Limits, the first line: the raw event is measured (one iterative walk, no decoding, stops as
//! soon as a limit is passed) before any detector runs.

use super::Limits;
use crate::decision::{Category, Finding};
use serde_json::Value;

/// The first limit the raw event exceeds, as a finding about the whole event.
pub(crate) fn check_event(event: &Value, limits: &Limits) -> Option<Finding> {
    let mut bytes = 0usize;
    let mut keys = 0usize;
    let mut stack: Vec<(&Value, usize)> = vec![(event, 1)];
    while let Some((v, depth)) = stack.pop() {
        match v {
            Value::String(s) => bytes += s.len() + 2,
            Value::Number(_) | Value::Bool(_) | Value::Null => bytes += 4,
            Value::Array(items) => {
                if depth > limits.depth {
                    return Some(Finding::event(Category::Limit, "limit.depth"));
                }
                bytes += 2 + items.len();
                stack.extend(items.iter().map(|i| (i, depth + 1)));
            }
            Value::Object(members) => {
                if depth > limits.depth {
                    return Some(Finding::event(Category::Limit, "limit.depth"));
                }
                keys += members.len();
                if keys > limits.keys {
                    return Some(Finding::event(Category::Limit, "limit.keys"));
                }
                for (k, v) in members {
                    bytes += k.len() + 4;
                    stack.push((v, depth + 1));
                }
            }
        }
        if bytes > limits.event_bytes {
            return Some(Finding::event(Category::Limit, "limit.event_bytes"));
        }
    }
    None
}

/// Nesting depth of a field from its path (`$.a[0].b` is 3): counts segment openers outside
/// quoted keys.
pub(crate) fn path_depth(path: &str) -> usize {
    let mut depth = 0;
    let mut quoted = false;
    let b = path.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if quoted => i += 1,
            b'\'' => quoted = !quoted,
            b'.' | b'[' if !quoted => depth += 1,
            _ => {}
        }
        i += 1;
    }
    depth
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn limits() -> Limits {
        Limits {
            event_bytes: 100,
            depth: 3,
            keys: 3,
            string_bytes: 10,
        }
    }

    #[test]
    fn each_limit_is_named() {
        let rule = |v: &Value| check_event(v, &limits()).map(|f| f.rule);
        assert_eq!(
            rule(&json!({"a": "x".repeat(200)})).as_deref(),
            Some("limit.event_bytes")
        );
        assert_eq!(
            rule(&json!({"a": {"b": {"c": {"d": 1}}}})).as_deref(),
            Some("limit.depth")
        );
        assert_eq!(
            rule(&json!({"a": 1, "b": 2, "c": 3, "d": 4})).as_deref(),
            Some("limit.keys")
        );
        assert_eq!(rule(&json!({"a": {"b": 1}})), None);
    }

    #[test]
    fn path_depth_ignores_quoted_dots() {
        assert_eq!(path_depth("$.a[0].b"), 3);
        assert_eq!(path_depth("$['a.b'].c"), 2);
    }
}

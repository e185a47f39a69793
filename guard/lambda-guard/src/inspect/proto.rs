//! Prototype pollution: `__proto__` and `constructor.prototype` as keys (JSON, dotted or
//! bracket syntax), and as property paths in values (lodash `set`-style paths).

use super::subject::{class, find, gate, Hit, Needs, Subject, Tables};
use crate::trigger::FieldRole;

/// What `detect` needs to fire (see [`Needs`]): `prototype`, `__proto__` or `constructor`.
pub(crate) fn needs() -> Needs {
    Needs::classes(0)
        .or_words(&["prototype"])
        .or_gates(gate::PROTO)
}

/// Finds prototype pollution in one key or value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    let b = s.bytes();
    if s.role == FieldRole::Key && b == b"prototype" && s.path.ends_with(".constructor.prototype") {
        return Some(Hit::new("proto.constructor_prototype", 0, b.len()));
    }
    if !s.gate(gate::PROTO) {
        return None;
    }
    if s.has(class::UNDERSCORE) {
        if let Some(p) = find(b, b"__proto__") {
            let token = (p == 0 || !b[p - 1].is_ascii_alphanumeric())
                && b.get(p + 9).is_none_or(|c| !c.is_ascii_alphanumeric());
            let path_like = s.role == FieldRole::Key
                || b.get(p + 9)
                    .is_some_and(|c| matches!(c, b'.' | b'[' | b']' | b'"' | b'\''))
                || (p > 0 && matches!(b[p - 1], b'.' | b'[' | b'"' | b'\''))
                || s.paranoia >= 2;
            if token && path_like {
                let rule = if s.role == FieldRole::Key {
                    "proto.proto_key"
                } else {
                    "proto.path_value"
                };
                return Some(Hit::new(rule, p, p + 9));
            }
        }
    }
    if s.role == FieldRole::Key && b == b"prototype" && s.path.ends_with(".constructor.prototype") {
        return Some(Hit::new("proto.constructor_prototype", 0, b.len()));
    }
    if let Some(p) = find(b, b"constructor") {
        let rest = &b[p + 11..];
        let next = rest
            .iter()
            .position(|c| !matches!(c, b'.' | b'[' | b']' | b'"' | b'\'' | b' '));
        if let Some(n) = next {
            if n > 0 && rest[n..].starts_with(b"prototype") {
                let rule = if s.role == FieldRole::Key {
                    "proto.constructor_prototype"
                } else {
                    "proto.path_value"
                };
                return Some(Hit::new(rule, p, p + 11 + n + 9));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str, role: FieldRole, path: &str) -> Option<&'static str> {
        crate::inspect::subject::rule_at(detect, text, role, path)
    }

    #[test]
    fn keys_and_paths() {
        assert_eq!(
            rule("__proto__", FieldRole::Key, "$.body.__proto__"),
            Some("proto.proto_key")
        );
        assert_eq!(
            rule("a[__proto__][admin]", FieldRole::Key, "$.x"),
            Some("proto.proto_key")
        );
        assert_eq!(
            rule("prototype", FieldRole::Key, "$.body.constructor.prototype"),
            Some("proto.constructor_prototype")
        );
        assert_eq!(
            rule("constructor[prototype][admin]", FieldRole::Key, "$.x"),
            Some("proto.constructor_prototype")
        );
        assert_eq!(
            rule("__proto__.isAdmin", FieldRole::Value, "$.body.path"),
            Some("proto.path_value")
        );
        assert_eq!(
            rule(
                "the constructor of the prototype",
                FieldRole::Value,
                "$.body.x"
            ),
            None
        );
        assert_eq!(rule("my__proto__file", FieldRole::Value, "$.body.x"), None);
    }
}

//! NoSQL operator injection: MongoDB-style query operators where a caller should only send
//! values: as object keys of parsed JSON, in bracket syntax of query and form parameters
//! (`user[$ne]=`), and inside string values that an application may parse (`{"$gt": ""}`).

use super::subject::{class, Hit, Needs, Subject, Tables};
use crate::trigger::FieldRole;

/// Query, update and aggregation operators.
const OPERATORS: &[&[u8]] = &[
    b"ne",
    b"eq",
    b"gt",
    b"gte",
    b"lt",
    b"lte",
    b"in",
    b"nin",
    b"regex",
    b"where",
    b"exists",
    b"type",
    b"expr",
    b"jsonschema",
    b"mod",
    b"text",
    b"all",
    b"size",
    b"elemmatch",
    b"or",
    b"and",
    b"not",
    b"nor",
    b"function",
    b"accumulator",
    b"options",
    b"set",
    b"unset",
    b"push",
    b"pull",
    b"inc",
    b"rename",
    b"lookup",
    b"match",
    b"group",
    b"merge",
    b"out",
    b"unionwith",
    b"geowithin",
    b"near",
    b"where",
    b"bitsallset",
    b"slice",
    b"addtoset",
    b"currentdate",
];

fn operator_at(b: &[u8], dollar: usize) -> Option<usize> {
    let mut e = dollar + 1;
    while e < b.len() && b[e].is_ascii_alphabetic() {
        e += 1;
    }
    OPERATORS.contains(&&b[dollar + 1..e]).then_some(e)
}

/// What `detect` needs to fire (see [`Needs`]): an operator's `$`.
pub(crate) fn needs() -> Needs {
    Needs::classes(class::DOLLAR)
}

/// Finds NoSQL operator injection in one value or key.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    if !s.has(class::DOLLAR) {
        return None;
    }
    let b = s.bytes();
    if s.role == FieldRole::Key {
        if b.first() == Some(&b'$') {
            if let Some(e) = operator_at(b, 0) {
                if e == b.len() {
                    return Some(Hit::new("nosqli.operator_key", 0, e));
                }
            }
        }
        // `user[$ne]`, `filter.$where`
        for d in memchr::memchr_iter(b'$', b) {
            if d > 0 && matches!(b[d - 1], b'[' | b'.') {
                if let Some(e) = operator_at(b, d) {
                    return Some(Hit::new("nosqli.operator_key", d - 1, e));
                }
            }
        }
        return None;
    }
    for d in memchr::memchr_iter(b'$', b) {
        let Some(e) = operator_at(b, d) else {
            continue;
        };
        let before = b[..d].iter().rev().find(|c| !c.is_ascii_whitespace());
        let after = b[e..].iter().find(|c| !c.is_ascii_whitespace());
        let bracket = before == Some(&b'[') && after == Some(&b']');
        let json_key = matches!(before, Some(b'{' | b'"' | b'\'' | b','))
            && matches!(after, Some(b':' | b'"' | b'\''));
        if bracket || json_key {
            return Some(Hit::new(
                "nosqli.operator_value",
                d.saturating_sub(1),
                e + 1,
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::subject::Tables;

    #[allow(clippy::unwrap_used)] // reason: tests
    fn rule(text: &str, role: FieldRole) -> Option<&'static str> {
        let lower = text.to_ascii_lowercase();
        let t = Tables::new().unwrap();
        let s = Subject::new(text, &lower, 1, role, "$.body", &t);
        detect(&s, &t).map(|h| h.rule)
    }

    #[test]
    fn operators_in_keys_and_values() {
        assert_eq!(rule("$ne", FieldRole::Key), Some("nosqli.operator_key"));
        assert_eq!(rule("$where", FieldRole::Key), Some("nosqli.operator_key"));
        assert_eq!(
            rule("password[$ne]", FieldRole::Key),
            Some("nosqli.operator_key")
        );
        assert_eq!(
            rule("{\"$gt\": \"\"}", FieldRole::Value),
            Some("nosqli.operator_value")
        );
        assert_eq!(
            rule("user[$regex]=.*", FieldRole::Value),
            Some("nosqli.operator_value")
        );
        assert_eq!(rule("$schema", FieldRole::Key), None);
        assert_eq!(rule("$ref", FieldRole::Key), None);
        assert_eq!(rule("costs $5 or $ne", FieldRole::Value), None);
    }
}

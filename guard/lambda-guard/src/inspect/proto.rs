//! Prototype pollution: `__proto__` and `constructor.prototype` as keys (JSON, dotted or
//! bracket syntax), and as property paths in values (lodash `set`-style paths).

use super::subject::{class, find, find_iter, gate, Hit, Needs, Subject, Tables};
use crate::trigger::FieldRole;

/// What `detect` needs to fire (see [`Needs`]): `prototype`, `__proto__` or `constructor`.
pub(crate) fn needs() -> Needs {
    Needs::classes(0)
        .or_words(&["prototype"])
        .or_gates(gate::PROTO)
}

/// Separators of property paths: dotted, bracket, quoted and JSON Pointer (`/__proto__/x`).
fn delimits(c: u8) -> bool {
    matches!(c, b'.' | b'[' | b']' | b'"' | b'\'' | b'/')
}

/// Finds prototype pollution in one key or value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    let b = s.bytes();
    if s.role == FieldRole::Key && b == b"prototype" && s.path.ends_with(".constructor.prototype") {
        return Some(Hit::new("proto.constructor_prototype", 0, b.len()));
    }
    if s.role == FieldRole::Value && s.has(class::DOLLAR) {
        if let Some(h) = flight_reference(b) {
            return Some(h);
        }
    }
    if s.has(class::DOT) {
        if let Some(h) = builtin_prototype(b, s.role == FieldRole::Key) {
            return Some(h);
        }
    }
    if !s.gate(gate::PROTO) {
        return None;
    }
    if let Some(h) = steps(b, s.role, s.paranoia) {
        return Some(h);
    }
    // A filter that deletes these words once, without looking again, leaves one behind
    // (`__pro__proto__to__`, `constconstructorructor[protoprototypetype]`).
    let left = strip_embedded(b)?;
    steps(&left, s.role, s.paranoia).map(|h| Hit::new(h.rule, 0, b.len()))
}

/// `__proto__` or `constructor` then `prototype` as steps of a property path.
fn steps(b: &[u8], role: FieldRole, paranoia: u8) -> Option<Hit> {
    if memchr::memchr(b'_', b).is_some() {
        if let Some(p) = find(b, b"__proto__") {
            let (before, after) = (p.checked_sub(1).map(|i| b[i]), b.get(p + 9).copied());
            let token = before.is_none_or(|c| !c.is_ascii_alphanumeric())
                && after.is_none_or(|c| !c.is_ascii_alphanumeric());
            // A path step: the whole key or value, or set off by a path separator. A key
            // spelled as a sentence ("about __proto__ in") reaches no prototype.
            // Keys also start after what a query string puts first (`?__proto__[x]`).
            let step = |c: Option<u8>| {
                c.is_none_or(|c| delimits(c) || (role == FieldRole::Key && b"?#&;=".contains(&c)))
            };
            let path_like = (step(before) && step(after))
                && (role == FieldRole::Key || before.is_some() || after.is_some() || b.len() == 9)
                || (role == FieldRole::Value
                    && (after.is_some_and(delimits) || before.is_some_and(delimits)))
                || (role == FieldRole::Value && paranoia >= 2);
            if token && path_like {
                let rule = if role == FieldRole::Key {
                    "proto.proto_key"
                } else {
                    "proto.path_value"
                };
                return Some(Hit::new(rule, p, p + 9));
            }
        }
    }
    if let Some(p) = find(b, b"constructor") {
        let rest = &b[p + 11..];
        let next = rest.iter().position(|c| {
            !matches!(
                c,
                b'.' | b'[' | b']' | b'"' | b'\'' | b' ' | b'/' | b':' | b'{'
            )
        });
        if let Some(n) = next {
            if n > 0 && rest[n..].starts_with(b"prototype") {
                let rule = if role == FieldRole::Key {
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

/// The text with each of `__proto__`, `constructor` and `prototype` taken out where it sits
/// inside a longer word; `None` when there is none.
fn strip_embedded(b: &[u8]) -> Option<Vec<u8>> {
    let inner = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
    let mut out = b.to_vec();
    let mut found = false;
    for word in [&b"__proto__"[..], b"constructor", b"prototype"] {
        let mut from = 0;
        while let Some(p) = memchr::memmem::find(&out[from..], word).map(|p| p + from) {
            if p > 0 && inner(out.get(p - 1)) && inner(out.get(p + word.len())) {
                out.drain(p..p + word.len());
                found = true;
            } else {
                from = p + 1;
            }
        }
    }
    found.then_some(out)
}

/// A React Flight reference whose property path goes through a prototype
/// (`"$1:__proto__:then"`, `"$7:Module:prototype:_compile"`, `"$1:constructor:constructor"`):
/// React's server resolves `$<chunk>:<step>:…` step by step from the chunk, so such a path
/// reaches `Function` and the chunk's own methods (CVE-2025-55182, "React2Shell"). A
/// reference is `$`, an optional type tag (`@`, `F`, `Q`…), a hexadecimal chunk id, then
/// its steps; no model names a step `__proto__`, `prototype` or `constructor`. The whole
/// value, or a JSON string inside it (a payload that no longer parses as JSON).
fn flight_reference(b: &[u8]) -> Option<Hit> {
    for start in memchr::memchr_iter(b'$', b) {
        if start > 0 && !matches!(b[start - 1], b'"' | b'\'') {
            continue;
        }
        let rest = &b[start + 1..];
        let rest = match rest.first() {
            Some(c) if *c == b'@' || (c.is_ascii_alphabetic() && !c.is_ascii_hexdigit()) => {
                &rest[1..]
            }
            _ => rest,
        };
        let id = rest.iter().take_while(|c| c.is_ascii_hexdigit()).count();
        let Some(steps) = rest[id..].strip_prefix(b":").filter(|_| id > 0) else {
            continue;
        };
        let len = steps
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b':'))
            .count();
        let through_prototype = steps[..len]
            .split(|c| *c == b':')
            .any(|step| matches!(step, b"__proto__" | b"prototype" | b"constructor"));
        if through_prototype {
            let end = start + (b.len() - start).min(48);
            return Some(Hit::new("proto.flight_reference", start, end));
        }
    }
    None
}

/// An assignment to a member of a built-in prototype (`Object.prototype.isAdmin=true`,
/// `Array.prototype["x"] = 1`, or the key `Object.prototype.isAdmin` of a query string whose
/// parser sets paths): every object of the process inherits it.
fn builtin_prototype(b: &[u8], key: bool) -> Option<Hit> {
    for p in find_iter(b, b".prototype") {
        let obj = &b[..p];
        let start = obj.len()
            - obj
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count();
        let builtin = matches!(
            &obj[start..],
            b"object" | b"array" | b"function" | b"string" | b"number" | b"boolean"
        ) && (start == 0 || !matches!(obj[start - 1], b'.' | b'_' | b'$'));
        let mut i = p + 10;
        // One member, dotted or bracketed, then `=` (not `==`).
        match b.get(i) {
            Some(b'.') => {
                i += 1;
                while b
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$'))
                {
                    i += 1;
                }
            }
            Some(b'[') => i += memchr::memchr(b']', &b[i..]).map_or(0, |e| e + 1),
            _ => continue,
        }
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let assigned = b.get(i) == Some(&b'=') && b.get(i + 1) != Some(&b'=');
        if builtin && (assigned || (key && i == b.len())) {
            return Some(Hit::new("proto.path_value", start, i + 1));
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

    /// A sanitizer that deletes `__proto__` (or `constructor`, `prototype`) once and never
    /// looks again turns these into the real thing; no data spells a word inside itself.
    #[test]
    fn words_left_by_a_single_pass_filter() {
        for (text, role, want) in [
            ("__pro__proto__to__", FieldRole::Key, "proto.proto_key"),
            (
                "__pro__proto__to__[isAdmin]",
                FieldRole::Key,
                "proto.proto_key",
            ),
            ("a.__proto__proto____.x", FieldRole::Key, "proto.proto_key"),
            (
                "constconstructorructor[protoprototypetype][x]",
                FieldRole::Key,
                "proto.constructor_prototype",
            ),
            (
                "__pro__proto__to__.polluted",
                FieldRole::Value,
                "proto.path_value",
            ),
        ] {
            assert_eq!(rule(text, role, "$.body.x"), Some(want), "{text}");
        }
        for (text, role) in [
            ("my__proto__file", FieldRole::Key),
            ("deconstructor_prototype_v2", FieldRole::Key),
            ("reconstructorprototypes", FieldRole::Value),
            ("__proto__type", FieldRole::Key),
        ] {
            assert_eq!(
                rule(text, role, "$.body.x"),
                None,
                "false positive on {text}"
            );
        }
    }

    #[test]
    fn json_pointers_whole_values_and_builtin_prototypes() {
        for (text, role, want) in [
            ("/__proto__/isAdmin", FieldRole::Value, "proto.path_value"),
            (
                "/constructor/prototype/isAdmin",
                FieldRole::Value,
                "proto.path_value",
            ),
            ("__proto__", FieldRole::Value, "proto.path_value"),
            (
                "Object.prototype.isAdmin=true",
                FieldRole::Value,
                "proto.path_value",
            ),
            (
                "Array.prototype['x'] = 1",
                FieldRole::Value,
                "proto.path_value",
            ),
            (
                "{\"constructor\": {\"prototype\": {}}}",
                FieldRole::Value,
                "proto.path_value",
            ),
        ] {
            assert_eq!(rule(text, role, "$.body.x"), Some(want), "{text}");
        }
        for (text, role) in [
            ("$1:__proto__:then", FieldRole::Value),
            ("$7:Module:prototype", FieldRole::Value),
            ("$@0:constructor:constructor", FieldRole::Value),
            ("$F1a:prototype", FieldRole::Value),
            (
                r#"{"reason":{"0":"$7:Module:prototype"},"then":"$2:then"}'"#,
                FieldRole::Value,
            ),
        ] {
            assert_eq!(
                rule(text, role, "$.body.x"),
                Some("proto.flight_reference"),
                "{text}"
            );
        }
        for (text, role) in [
            ("$1:user:name", FieldRole::Value),
            ("$12 for the prototype", FieldRole::Value),
            ("$prototype", FieldRole::Value),
            ("price: US$1:constructor fee", FieldRole::Value),
            ("$1:__proto__:then", FieldRole::Key),
            ("Read about __proto__ in the docs", FieldRole::Key),
            ("Array.prototype.map is handy", FieldRole::Value),
            ("Object.prototype.x === y", FieldRole::Value),
            ("MyObject.prototype.x = 1", FieldRole::Value),
            ("prototype", FieldRole::Value),
        ] {
            assert_eq!(
                rule(text, role, "$.body.x"),
                None,
                "false positive on {text}"
            );
        }
    }
}

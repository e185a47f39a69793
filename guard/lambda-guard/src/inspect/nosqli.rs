//! NoSQL operator injection: MongoDB-style query operators where a caller should only send
//! values: as object keys of parsed JSON, in bracket syntax of query and form parameters
//! (`user[$ne]=`), and inside string values that an application may parse (`{"$gt": ""}`).
//! Also server-side JavaScript injection into `$where`/`mapReduce`/`$function` bodies: a
//! statement break followed by `return`, a literal tautology after `||`/`&&`, a
//! `db.collection.method(` call. And the same injection into ORMs that build queries from
//! keyword names (Django's `filter(**params)`): a parameter named `password__startswith` or
//! `user__profile__email__contains` reads what the caller was never meant to see.

use super::subject::{class, find_iter, Hit, Needs, Subject, Tables};
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

/// What `detect` needs to fire (see [`Needs`]): an operator's `$`, or JavaScript's punctuation.
pub(crate) fn needs() -> Needs {
    // An operator's `$`; JavaScript's `;return`, `||`/`&&` comparisons, `db.` calls; an ORM
    // lookup's `__`.
    Needs::classes(class::DOLLAR | class::SEMI | class::PIPE | class::AMP).or_words(&["db.", "__"])
}

/// Django lookups that read a field out by guessing (`password__startswith=a`, then `ab`…)
/// or reach into JSON: never a reason for a caller to name them.
const PROBING_LOOKUPS: &[&[u8]] = &[
    b"startswith",
    b"istartswith",
    b"endswith",
    b"iendswith",
    b"contains",
    b"icontains",
    b"regex",
    b"iregex",
    b"has_key",
    b"has_keys",
    b"has_any_keys",
    b"contained_by",
    b"search",
];

/// Comparison lookups: ordinary filters of a filtering API, suspicious across a relation.
const COMPARING_LOOKUPS: &[&[u8]] = &[
    b"exact", b"iexact", b"in", b"gt", b"gte", b"lt", b"lte", b"range", b"isnull", b"overlap",
];

/// `field__lookup` and `relation__field__lookup` names (the innermost of `filter[…]`).
fn orm_lookup(s: &Subject<'_>) -> Option<Hit> {
    let b = s.bytes();
    let from = b
        .iter()
        .rposition(|c| matches!(c, b'[' | b'.'))
        .map_or(0, |p| p + 1);
    let name = &b[from..];
    let name = name.strip_suffix(b"]").unwrap_or(name);
    // Segments between `__` (single underscores stay inside names: `created_by__id`), each a
    // word; no list is built, keys are on the hot path.
    let word = |p: &[u8]| {
        !p.is_empty() && p[0] != b'_' && p.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    };
    let (mut start, mut parts) = (0, 1);
    for sep in find_iter(name, b"__") {
        if !word(&name[start..sep]) {
            return None;
        }
        (start, parts) = (sep + 2, parts + 1);
    }
    let lookup = &name[start..];
    if parts < 2 || !word(lookup) {
        return None;
    }
    let relation = parts >= 3;
    let probing = PROBING_LOOKUPS.contains(&lookup);
    let comparing = COMPARING_LOOKUPS.contains(&lookup);
    (probing || (comparing && (relation || s.paranoia >= 2)))
        .then(|| Hit::new("nosqli.orm_lookup", from, from + name.len()))
}

/// Finds NoSQL operator injection in one value or key.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    if s.role == FieldRole::Value {
        if let Some(h) = javascript(s) {
            return Some(h);
        }
    }
    if s.role == FieldRole::Key && s.has(class::UNDERSCORE) {
        if let Some(h) = orm_lookup(s) {
            return Some(h);
        }
    }
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
        // `{"$gt": ""}`, and `$where: '…'` as the whole value (a query fragment).
        let json_key = matches!(before, Some(b'{' | b'"' | b'\'' | b',') | None)
            && matches!(after, Some(b':' | b'"' | b'\''))
            && (before.is_some() || after == Some(&b':'));
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

/// Server-side JavaScript injection (see the module docs). Every shape needs punctuation prose
/// does not use this way, so plain text never reaches the scans.
fn javascript(s: &Subject<'_>) -> Option<Hit> {
    let (b, lower) = (s.bytes(), s.lower.as_bytes());
    if s.has(class::SEMI) {
        for semi in memchr::memchr_iter(b';', lower) {
            let r = skip_space(lower, semi + 1);
            if lower[r..].starts_with(b"return") && returns_a_value(lower, r + 6) {
                return Some(Hit::new("nosqli.javascript", semi, (r + 12).min(b.len())));
            }
        }
    }
    if s.has(class::PIPE | class::AMP) {
        for op in find_iter(lower, b"||").chain(find_iter(lower, b"&&")) {
            if s.has(class::EQ) {
                if let Some(end) = literal_comparison(lower, op + 2) {
                    return Some(Hit::new("nosqli.javascript", op, end));
                }
            }
            // `admin' && this.password.match(/.*/)//`: a quote closed, then the document
            // itself read inside `$where`.
            let r = skip_space(lower, op + 2);
            let quoted = lower[..op].trim_ascii_end().ends_with(b"'")
                || lower[..op].trim_ascii_end().ends_with(b"\"");
            if quoted && lower[r..].starts_with(b"this.") {
                let e = word_end(lower, r + 5);
                let code = e > r + 5 && lower.get(e).is_none_or(|c| b".([=)|&! ".contains(c));
                if code {
                    return Some(Hit::new("nosqli.javascript", op, e));
                }
            }
        }
    }
    if s.has(class::DOT) && s.has(class::PAREN) {
        for db in find_iter(lower, b"db.") {
            if db > 0 && (lower[db - 1].is_ascii_alphanumeric() || lower[db - 1] == b'.') {
                continue;
            }
            let collection = word_end(lower, db + 3);
            if collection > db + 3 && lower.get(collection) == Some(&b'.') {
                let method = word_end(lower, collection + 1);
                if method > collection + 1 && lower.get(method) == Some(&b'(') {
                    return Some(Hit::new("nosqli.javascript", db, method + 1));
                }
            }
        }
    }
    None
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

fn word_end(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$')
    {
        i += 1;
    }
    i
}

/// `return` at `i - 6` followed by a value, not by an English word ("; return requested").
fn returns_a_value(b: &[u8], i: usize) -> bool {
    match b.get(i) {
        None => false,
        Some(b'(' | b'\'' | b'"' | b'!' | b'{' | b'[') => true,
        Some(c) if c.is_ascii_whitespace() => {
            let v = skip_space(b, i);
            let rest = &b[v..];
            rest.first()
                .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'\'' | b'"' | b'!'))
                || [&b"true"[..], b"false", b"this.", b"sleep(", b"db."]
                    .iter()
                    .any(|w| rest.starts_with(w))
        }
        _ => false,
    }
}

/// A literal, a JavaScript equality operator and a literal (`1==1`, `'a' === 'a'`) from `i`;
/// the end of the second literal.
fn literal_comparison(b: &[u8], i: usize) -> Option<usize> {
    let first = literal_end(b, skip_space(b, i))?;
    let op = skip_space(b, first);
    let rest = &b[op..];
    let len = [&b"==="[..], b"!==", b"==", b"!="]
        .iter()
        .find(|o| rest.starts_with(o))?
        .len();
    literal_end(b, skip_space(b, op + len))
}

fn literal_end(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        // Unclosed at the end: the application's own closing quote completes it.
        q @ (b'\'' | b'"') => Some(memchr::memchr(q, &b[i + 1..]).map_or(b.len(), |e| i + e + 2)),
        c if c.is_ascii_digit() => Some(
            i + b[i..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == b'.')
                .count(),
        ),
        _ => {
            let e = word_end(b, i);
            matches!(&b[i..e], b"true" | b"false" | b"null").then_some(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str, role: FieldRole) -> Option<&'static str> {
        crate::inspect::subject::rule_at(detect, text, role, "$.body")
    }

    #[test]
    fn orm_lookups_in_parameter_names() {
        use FieldRole::{Key, Value};
        for key in [
            "password__startswith",
            "email__iendswith",
            "user__profile__city__startswith",
            "created_by__departments__employees__user__username__startswith",
            "user__metadata__has_keys",
            "roles__contained_by",
            "filter[username__regex]",
            "owner__is_staff__exact",
        ] {
            assert_eq!(rule(key, Key), Some("nosqli.orm_lookup"), "{key}");
        }
        for (text, role) in [
            // A filtering API's own comparisons, dunder names, values and ordinary keys.
            ("balance__gte", Key),
            ("price__lt", Key),
            ("__proto__", Key),
            ("__typename", Key),
            ("__init__", Key),
            ("user__", Key),
            ("first_name", Key),
            ("block__element__contains", Value),
            ("menu__item", Key),
        ] {
            assert_eq!(rule(text, role), None, "false positive on {text}");
        }
        let pl2 =
            crate::inspect::subject::test_subject_at("balance__gte", 2, Key, "$.body", detect);
        assert_eq!(pl2.map(|h| h.rule), Some("nosqli.orm_lookup"));
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
        assert_eq!(
            rule("$where: '1 == 1'", FieldRole::Value),
            Some("nosqli.operator_value")
        );
    }

    #[test]
    fn server_side_javascript() {
        for attack in [
            "';return 'a'=='a' && ''=='",
            "\";return(true);var xyz='a",
            "0;return true",
            "|| 1==1",
            "x' && 'a' === 'a",
            "1; return this.password.match(/^a/)",
            "db.injection.insert({success:1});",
            "';sleep(5000);return 1;'",
            "admin' && this.password.match(/.*/)//",
            "x\" || this.isAdmin || \"",
        ] {
            assert_eq!(
                rule(attack, FieldRole::Value),
                Some("nosqli.javascript"),
                "{attack}"
            );
        }
        for benign in [
            "Wrong size; return requested by the customer",
            "a || b == c",
            "see db.example.com (primary)",
            "Tom && Jerry == best cartoon",
            "mydb.orders.find",
            "5 == 5 is true",
            "'Tom' && this.year's winners",
            "rock 'n' roll && this.band",
        ] {
            assert_eq!(rule(benign, FieldRole::Value), None, "{benign}");
        }
    }
}

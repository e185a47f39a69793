//! NoSQL operator injection: MongoDB-style query operators where a caller should only send
//! values: as object keys of parsed JSON, in bracket syntax of query and form parameters
//! (`user[$ne]=`), and inside string values that an application may parse (`{"$gt": ""}`).
//! Also server-side JavaScript injection into `$where`/`mapReduce`/`$function` bodies: a
//! statement break followed by `return`, a literal tautology after `||`/`&&`, a
//! `db.collection.method(` call. And the same injection into ORMs that build queries from
//! keyword names (Django's `filter(**params)`): a parameter named `password__startswith` or
//! `user__profile__email__contains` reads what the caller was never meant to see.

use super::subject::{class, find, find_iter, gate, is_word, Hit, Needs, Subject, Tables};
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
    b"bitsallset",
    b"bitsallclear",
    b"bitsanyset",
    b"bitsanyclear",
    b"slice",
    b"addtoset",
    b"currentdate",
    b"natural",
    b"nearsphere",
    b"geointersects",
    b"maxdistance",
    b"project",
    b"unwind",
    b"facet",
    b"graphlookup",
    b"replaceroot",
    b"addfields",
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
    // An operator's `$`; JavaScript's `;return`, `) {`, `||`/`&&` comparisons, `db.` calls; a
    // regular expression as a query value (`{ password: /.*/ }`); an ORM lookup's `__`.
    Needs::classes(class::DOLLAR | class::SEMI | class::PIPE | class::AMP | class::BRACE)
        .or_words(&["db.", "db[", "__"])
        .or_gates(gate::NOSQL_WORD)
}

/// Names a caller only writes to hand the database a query of its own: Elasticsearch
/// `script_fields`, the legacy DynamoDB `ComparisonOperator` (given a DynamoDB operator), a
/// condition that tests an attribute's absence (`attribute_not_exists`, see [`query_dsl`]).
pub(crate) const DSL_WORDS: &[&str] = &[
    "script_fields",
    "comparisonoperator",
    "attribute_not_exists",
];

/// CouchDB and Elasticsearch endpoints that list, dump or administer every document, index or
/// user (`/_all_docs`, `/_users`, `/_cat/indices`): no value a caller sends names one, unless
/// to steer a server-side request there. With their leading `/` they must follow one; the
/// first five are unmistakable anywhere.
pub(crate) const ENDPOINTS: &[&str] = &[
    "_all_docs",
    "_all_dbs",
    "_bulk_docs",
    "_delete_by_query",
    "_update_by_query",
    "/_users",
    "/_config",
    "/_replicate",
    "/_replicator",
    "/_utils",
    "/_membership",
    "/_node/",
    "/_design/",
    "/_cat/",
    "/_cluster/",
    "/_nodes",
    "/_snapshot",
    "/_security",
];

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
    // Keys too: a form or query key carries what the caller wrote before its `=`.
    if let Some(h) = javascript(s) {
        return Some(h);
    }
    if s.role == FieldRole::Key && s.has(class::UNDERSCORE) {
        if let Some(h) = orm_lookup(s) {
            return Some(h);
        }
    }
    // The keyword pass found an endpoint or query-language word: no search without one.
    if s.gate(gate::NOSQL_WORD) {
        if let Some(h) = endpoint(s.bytes()).or_else(|| query_dsl(s)) {
            return Some(h);
        }
    }
    let b = s.bytes();
    if s.has(class::BRACE) && s.has(class::SLASH) && s.has(class::COLON) {
        if let Some(h) = regex_query(b) {
            return Some(h);
        }
    }
    if !s.has(class::DOLLAR) {
        return None;
    }
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
    }
    // Values, and keys that hold a query fragment (`{"$gt": ""}` sent as a form key).
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

/// A database endpoint of [`ENDPOINTS`] as a path segment (followed by `/`, `?`, `#` or the end).
fn endpoint(b: &[u8]) -> Option<Hit> {
    for (i, e) in ENDPOINTS.iter().enumerate() {
        let e = e.as_bytes();
        for p in find_iter(b, e) {
            let start = p + usize::from(e[0] == b'/');
            let end = p + e.len();
            let starts = i < 5 && (p == 0 || matches!(b[p - 1], b'/' | b'=' | b' ' | b'"' | b'\''))
                || e[0] == b'/';
            let ends = e.ends_with(b"/")
                || b.get(end)
                    .is_none_or(|c| matches!(c, b'/' | b'?' | b'#' | b'"' | b'\'' | b' '));
            if starts && ends {
                return Some(Hit::new("nosqli.database_endpoint", start, end));
            }
        }
    }
    None
}

/// A query of the caller's own in a database's query language (see [`DSL_WORDS`]): an
/// Elasticsearch `script_fields` key, a DynamoDB `ComparisonOperator` in a JSON text, or a
/// condition `attribute_exists(x) OR attribute_not_exists(x)` that holds for every item.
fn query_dsl(s: &Subject<'_>) -> Option<Hit> {
    let b = s.bytes();
    if s.role == FieldRole::Key && b == b"script_fields" {
        return Some(Hit::new("nosqli.query_dsl", 0, b.len()));
    }
    // The same key inside a JSON text the application will parse.
    let key = b"\"script_fields\"";
    if let Some(p) = find(b, key) {
        if b.get(skip_space(b, p + key.len())) == Some(&b':') {
            return Some(Hit::new("nosqli.query_dsl", p, p + key.len()));
        }
    }
    // A legacy DynamoDB condition (`ScanFilter`, `QueryFilter`, `Expected`) in a JSON text:
    // `ComparisonOperator` given one of DynamoDB's operators. The key alone is no query:
    // CloudWatch alarms name theirs `GreaterThanThreshold`.
    let key = b"\"comparisonoperator\"";
    if let Some(p) = find(b, key) {
        let colon = skip_space(b, p + key.len());
        let v = skip_space(b, colon + 1);
        let op = b.get(v + 1..).unwrap_or_default();
        let op = &op[..op.iter().position(|c| *c == b'"').unwrap_or(op.len())];
        let dynamodb = matches!(
            op,
            b"eq"
                | b"ne"
                | b"le"
                | b"lt"
                | b"ge"
                | b"gt"
                | b"not_null"
                | b"null"
                | b"contains"
                | b"not_contains"
                | b"begins_with"
                | b"in"
                | b"between"
        );
        if b.get(colon) == Some(&b':') && b.get(v) == Some(&b'"') && dynamodb {
            return Some(Hit::new("nosqli.query_dsl", p, v + 1 + op.len()));
        }
    }
    let not = find(b, b"attribute_not_exists(")?;
    let arg = |at: usize| {
        let open = at + memchr::memchr(b'(', &b[at..])? + 1;
        let close = open + memchr::memchr(b')', &b[open..])?;
        Some((b[open..close].trim_ascii(), close + 1))
    };
    let (absent, not_end) = arg(not)?;
    let exists = find(b, b"attribute_exists(")?;
    let (present, exists_end) = arg(exists)?;
    let (first, second) = if exists < not {
        (exists_end, not)
    } else {
        (not_end, exists)
    };
    let joined = b[first..second].trim_ascii() == b"or";
    (joined && absent == present && !absent.is_empty())
        .then(|| Hit::new("nosqli.query_dsl", exists.min(not), exists_end.max(not_end)))
}

/// A regular expression literal as the value of a query object's key (`{ password: /.*/ }`,
/// `}, { user : /^adm/i }`): the mongo shell's `$regex`, matching what it was meant to compare.
fn regex_query(b: &[u8]) -> Option<Hit> {
    for colon in memchr::memchr_iter(b':', b) {
        let open = skip_space(b, colon + 1);
        if b.get(open) != Some(&b'/') || b.get(open + 1) == Some(&b'/') {
            continue;
        }
        // The key, bare or quoted, opens an object or follows another member.
        let key = b[..colon].trim_ascii_end();
        let key = key
            .strip_suffix(b"\"")
            .or_else(|| key.strip_suffix(b"'"))
            .unwrap_or(key);
        let name = key.len() - key.iter().rev().take_while(|c| is_word(**c)).count();
        let before = b[..name].trim_ascii_end();
        let before = before
            .strip_suffix(b"\"")
            .or_else(|| before.strip_suffix(b"'"))
            .unwrap_or(before)
            .trim_ascii_end();
        if name == key.len() || !matches!(before.last(), Some(b'{' | b',')) {
            continue;
        }
        let Some(len) = memchr::memchr(b'/', &b[open + 1..]) else {
            continue;
        };
        let body = &b[open + 1..open + 1 + len];
        let flags = open + 2 + len;
        let end = skip_space(
            b,
            flags
                + b[flags..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count(),
        );
        let pattern = body.iter().any(|c| b".*+^$[(|\\".contains(c));
        // Or any expression, in an object opened right after one was closed (`}, { role: /a/`).
        let reopened = before.last() == Some(&b'{') && {
            let prior = before[..before.len() - 1].trim_ascii_end();
            prior.ends_with(b",") && prior[..prior.len() - 1].trim_ascii_end().ends_with(b"}")
        };
        if (pattern || reopened) && matches!(b.get(end), Some(b'}' | b',')) {
            return Some(Hit::new("nosqli.operator_value", name, end + 1));
        }
    }
    None
}

/// Server-side JavaScript injection (see the module docs). Every shape needs punctuation prose
/// does not use this way, so plain text never reaches the scans.
fn javascript(s: &Subject<'_>) -> Option<Hit> {
    let (b, lower) = (s.bytes(), s.lower.as_bytes());
    if s.has(class::SEMI | class::BRACE) {
        // A statement ended (`';`, `1;`) or a function body opened (`function() {`), then a
        // statement of the injected script.
        for at in memchr::memchr2_iter(b';', b'{', lower) {
            if lower[at] == b'{' && lower[..at].trim_ascii_end().last() != Some(&b')') {
                continue;
            }
            let r = skip_space(lower, at + 1);
            if let Some(end) = statement(lower, r, lower[at] == b';' && quote_before(lower, at)) {
                return Some(Hit::new("nosqli.javascript", at, end.min(b.len())));
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
            if quote_before(lower, op) && lower[r..].starts_with(b"this.") {
                let e = word_end(lower, r + 5);
                let code = e > r + 5 && lower.get(e).is_none_or(|c| b".([]=)|&! ".contains(c));
                if code {
                    return Some(Hit::new("nosqli.javascript", op, e));
                }
            }
        }
    }
    if s.has(class::DOT | class::BRACKET) && s.has(class::PAREN) {
        if let Some(h) = shell_call(lower) {
            return Some(h);
        }
    }
    None
}

/// Whether the text before `at` ends in a quote: a string literal was closed.
fn quote_before(b: &[u8], at: usize) -> bool {
    matches!(b[..at].trim_ascii_end().last(), Some(b'\'' | b'"'))
}

/// A mongo shell call on the database object: `db.users.find(`, `db.dropDatabase(`,
/// `db['users'].find(`, `db.getCollection('users')`.
fn shell_call(lower: &[u8]) -> Option<Hit> {
    for db in find_iter(lower, b"db") {
        if db > 0 && (lower[db - 1].is_ascii_alphanumeric() || matches!(lower[db - 1], b'.' | b'_'))
        {
            continue;
        }
        let mut i = db + 2;
        // Up to two members, by name or quoted index, then a call.
        for _ in 0..2 {
            match lower.get(i) {
                Some(b'.') => {
                    let e = word_end(lower, i + 1);
                    if e == i + 1 {
                        break;
                    }
                    if lower.get(e) == Some(&b'(') {
                        return Some(Hit::new("nosqli.javascript", db, e + 1));
                    }
                    i = e;
                }
                Some(b'[') if matches!(lower.get(i + 1), Some(b'\'' | b'"')) => {
                    let q = lower[i + 1];
                    let Some(close) = memchr::memchr(q, &lower[i + 2..]) else {
                        break;
                    };
                    i = i + 2 + close + 1;
                    if lower.get(i) != Some(&b']') {
                        break;
                    }
                    i += 1;
                }
                _ => break,
            }
        }
    }
    None
}

/// A statement of injected script at `r`, and where its evidence ends: `return` with a value,
/// a loop (`while(…){`, `do {`, `for(…;`), `sleep(`, `emit(`, a `db.` call, and after a
/// closed string also a declaration re-opening one (`var a='`).
fn statement(b: &[u8], r: usize, after_string: bool) -> Option<usize> {
    let rest = &b[r..];
    let word = word_end(b, r);
    let open = skip_space(b, word);
    match &b[r..word] {
        b"return" if returns_a_value(b, r + 6) => Some(r + 12),
        b"while" | b"for" if b.get(open) == Some(&b'(') => {
            // The condition closes, then a body or an empty statement follows.
            let close = open + memchr::memchr(b')', &b[open..])?;
            let next = skip_space(b, close + 1);
            let header_ends = matches!(b.get(next), Some(b'{' | b';'))
                || (&b[r..word] == b"for" && memchr::memchr(b';', &b[open..close]).is_some());
            header_ends.then_some(close + 1)
        }
        b"do" if b.get(open) == Some(&b'{') => Some(open + 1),
        b"sleep" | b"emit" if b.get(word) == Some(&b'(') => Some(word + 1),
        b"var" | b"let" | b"const" if after_string => {
            let name = skip_space(b, word);
            let e = word_end(b, name);
            let eq = skip_space(b, e);
            (e > name && name > word && b.get(eq) == Some(&b'=') && b.get(eq + 1) != Some(&b'='))
                .then_some(eq + 1)
        }
        _ if rest.starts_with(b"db.") || rest.starts_with(b"db[") => {
            shell_call(rest).map(|h| r + h.end)
        }
        _ => None,
    }
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

    #[test]
    fn script_statements_after_a_break_and_shell_calls() {
        for attack in [
            "'; while(1){}; var b='",
            "1; while(true){}",
            "';it=new Date();do{pt=new Date();}while(pt-it<5000);'",
            "'; for(;;){} '",
            "';sleep(5000);",
            "'; var d = 1; var x='",
            "function() { return this.password.startsWith('a') }",
            "function() { emit(this.password, 1) }",
            "'; db.dropDatabase(); '",
            "db.getCollection('users').find({})",
            "db['users'].find()",
            "db.runCommand({dropDatabase: 1})",
            "admin'||this.password[0]=='a",
        ] {
            assert_eq!(
                rule(attack, FieldRole::Value),
                Some("nosqli.javascript"),
                "{attack}"
            );
        }
        // Form keys carry what the caller wrote before `=`.
        assert_eq!(
            rule("'; return true; var a", FieldRole::Key),
            Some("nosqli.javascript")
        );
        for benign in [
            "Closed; while (waiting) we read",
            "Done; do not reply",
            "He said 'ok'; var names vary",
            "var x = 5; let y = 6",
            "if (ok) { save() }",
            "Upgrade to db.r5.large (recommended)",
            "mydb.orders.find()",
            "see db.example.com (primary)",
            "db.t3.micro",
        ] {
            assert_eq!(rule(benign, FieldRole::Value), None, "{benign}");
        }
    }

    #[test]
    fn query_fragments_in_keys_regex_literals_and_more_operators() {
        for (text, role) in [
            ("{\"$gt\": \"\"}", FieldRole::Key),
            ("true, $where: '1 == 1'", FieldRole::Key),
            ("sort[$natural]", FieldRole::Key),
            (
                "[{\"$match\": {}}, {\"$project\": {\"password\": 1}}]",
                FieldRole::Value,
            ),
            ("}, { password : /.*/ }", FieldRole::Value),
            ("{ 'user': /^adm/i }", FieldRole::Value),
            ("}, { role: /admin/ }", FieldRole::Value),
        ] {
            assert!(rule(text, role).is_some(), "missed {text}");
        }
        for benign in [
            "{ dir: /tmp/ }",
            "{\"url\": \"http://x/\"}",
            "ratio {a: 1/2}",
            "{\"$comment\": \"schema note\"}",
        ] {
            assert_eq!(rule(benign, FieldRole::Value), None, "{benign}");
        }
        assert_eq!(
            rule("$comment", FieldRole::Key),
            None,
            "JSON Schema keyword"
        );
    }

    #[test]
    fn database_endpoints_and_query_languages() {
        for (text, role, want) in [
            (
                "_all_docs?include_docs=true",
                FieldRole::Value,
                "nosqli.database_endpoint",
            ),
            (
                "../_users/_all_docs",
                FieldRole::Value,
                "nosqli.database_endpoint",
            ),
            (
                "/_cat/indices?v",
                FieldRole::Value,
                "nosqli.database_endpoint",
            ),
            (
                "db/_design/app/_view/all",
                FieldRole::Value,
                "nosqli.database_endpoint",
            ),
            ("script_fields", FieldRole::Key, "nosqli.query_dsl"),
            (
                "{\"ScanFilter\": {\"a\": {\"ComparisonOperator\": \"NE\"}}}",
                FieldRole::Value,
                "nosqli.query_dsl",
            ),
            (
                "attribute_exists(id) OR attribute_not_exists(id)",
                FieldRole::Value,
                "nosqli.query_dsl",
            ),
        ] {
            assert_eq!(rule(text, role), Some(want), "{text}");
        }
        for benign in [
            "ComparisonOperator",
            "{\"Trigger\": {\"ComparisonOperator\": \"GreaterThanOrEqualToThreshold\"}}",
            "my_all_docs_folder",
            "/api/users_config",
            "attribute_not_exists(pk) OR version = :v",
            "attribute_exists(a) or attribute_not_exists(b)",
            "see the _users table",
        ] {
            assert_eq!(rule(benign, FieldRole::Value), None, "{benign}");
        }
    }
}

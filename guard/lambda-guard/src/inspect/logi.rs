//! Log injection: line breaks where a line is expected (headers, query and path parameters,
//! object keys, S3 keys, message attributes), forged log entries after a line break anywhere,
//! and the Unicode line separators (NEL, U+2028, U+2029) that split lines in some log viewers.

use super::subject::{class, find, Hit, Needs, Subject, Tables};
use crate::trigger::FieldRole;

/// Path prefixes of single-line fields.
const LINE_FIELDS: &[&str] = &[
    "$.headers",
    "$.multiValueHeaders",
    "$.pathParameters",
    "$.path",
    "$.rawPath",
    "$.cookies",
];

fn single_line(s: &Subject<'_>) -> bool {
    s.role == FieldRole::Key
        || LINE_FIELDS.iter().any(|p| {
            s.path.starts_with(p)
                && matches!(s.path.as_bytes().get(p.len()), None | Some(b'.' | b'['))
        })
        || (s.path.starts_with("$.Records[") && s.path.contains("essageAttributes"))
}

/// Line and paragraph separators and NEL, which some log viewers break lines on.
const UNICODE_SEPARATORS: [&[u8]; 3] = [
    "\u{2028}".as_bytes(),
    "\u{2029}".as_bytes(),
    "\u{85}".as_bytes(),
];

/// What `detect` needs to fire (see [`Needs`]): a line break or a Unicode line separator.
pub(crate) fn needs() -> Needs {
    Needs::classes(class::NEWLINE).or_keywords(&UNICODE_SEPARATORS)
}

/// Finds log injection in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    if !s.has(class::NEWLINE | class::HIGH) {
        return None;
    }
    let b = s.bytes();
    if s.has(class::HIGH) {
        for sep in UNICODE_SEPARATORS {
            if let Some(p) = find(b, sep) {
                if single_line(s) || s.paranoia >= 2 || forged_after(b, p + sep.len()) {
                    return Some(Hit::new("log.unicode_separator", p, p + sep.len()));
                }
            }
        }
    }
    if !s.has(class::NEWLINE) {
        return None;
    }
    let p = memchr::memchr2(b'\r', b'\n', b)?;
    if single_line(s) {
        return Some(Hit::new("log.line_break", p, (p + 2).min(b.len())));
    }
    for nl in memchr::memchr2_iter(b'\r', b'\n', b) {
        if forged_after(b, nl + 1) {
            return Some(Hit::new("log.forged_entry", nl, (nl + 24).min(b.len())));
        }
    }
    None
}

/// What follows a line break looks like the start of a log line or an HTTP header.
fn forged_after(b: &[u8], i: usize) -> bool {
    let rest = &b[i.min(b.len())..];
    let rest = rest.strip_prefix(b"\n").unwrap_or(rest);
    let line = &rest[..rest.len().min(64)];
    let starts = |p: &[u8]| line.starts_with(p);
    // ISO-like timestamps, `[INFO]`, level words, HTTP header injection.
    let timestamp = line.len() >= 10
        && line[..4].iter().all(u8::is_ascii_digit)
        && line[4] == b'-'
        && line[7] == b'-';
    let level = [
        "info",
        "warn",
        "error",
        "debug",
        "trace",
        "fatal",
        "[info",
        "[warn",
        "[error",
        "[debug",
        "level=",
        "\"level\"",
        "{\"level",
        "{\"time",
        "{\"timestamp",
        "start requestid",
        "end requestid",
        "report requestid",
    ]
    .iter()
    .any(|l| starts(l.as_bytes()));
    let header = [
        "set-cookie:",
        "location:",
        "content-type:",
        "content-length:",
        "x-forwarded-for:",
        "http/1.",
        "authorization:",
    ]
    .iter()
    .any(|h| starts(h.as_bytes()));
    timestamp || level || header
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str, path: &str) -> Option<&'static str> {
        crate::inspect::subject::rule_at(detect, text, FieldRole::Value, path)
    }

    #[test]
    fn line_breaks_by_place() {
        assert_eq!(
            rule("a\r\nSet-Cookie: x=1", "$.headers.x-note"),
            Some("log.line_break")
        );
        assert_eq!(
            rule(
                "bob\n2024-01-01 12:00:00 INFO admin logged in",
                "$.body.user"
            ),
            Some("log.forged_entry")
        );
        assert_eq!(rule("line one\nline two", "$.body.comment"), None);
        assert_eq!(
            rule("user\u{2028}INFO ok", "$.body.name"),
            Some("log.unicode_separator")
        );
        assert_eq!(
            rule("x\u{2028}y", "$.headers.x-note"),
            Some("log.unicode_separator")
        );
    }
}

//! Log injection: line breaks where a line is expected (headers, path parameters, cookies,
//! object keys, message attributes), forged log entries after a line break anywhere but in
//! an e-mail's body (SES content, `message/rfc822`: lines are its content),
//! mail, mailbox and cache protocol commands after a line break (SMTP, IMAP, POP3, Redis,
//! memcached), header lines after
//! a one-word first line (`a@b.example\r\nBcc: …`), terminal escape sequences (`ESC[`, which
//! rewrite what a terminal shows of a log), and the Unicode line separators (NEL, U+2028, U+2029)
//! that split lines in some log viewers.

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

/// The C1 control sequence introducer, `ESC[` in one character.
const C1_CSI: &[u8] = "\u{9b}".as_bytes();

/// Line breaks after which lines are examined; past them a value is prose, not an injection.
const MAX_LINES: usize = 64;

/// What `detect` needs to fire (see [`Needs`]): a line break, a control character (`ESC`), a
/// Unicode line separator or C1 introducer, or an injected header's name (after a character
/// whose low byte is a line break).
pub(crate) fn needs() -> Needs {
    Needs::classes(class::NEWLINE | class::CTRL)
        .or_keywords(&UNICODE_SEPARATORS)
        .or_keywords(&[C1_CSI])
        .or_keywords(INJECTED_HEADERS)
        .or_keywords(&LOW_BREAKS)
}

/// The last two bytes of each UTF-8 character from U+0100 to U+FFFF whose low byte is LF or
/// CR (`č` U+010D is `c4 8d`, `嘊` U+560A `e5 98 8a`): a pair of them before a header line is
/// a line break to a server that keeps only the low byte.
static LOW_BREAKS: [&[u8]; 46] = {
    static PAIRS: [[u8; 2]; 46] = {
        let mut out = [[0u8; 2]; 46];
        let (mut n, mut lead) = (0, 0x80);
        // Continuation bytes `80`..`bc` of three-byte characters, lead bytes `c4`..`dc` of
        // two-byte ones: the byte before the last carries the low byte's top two bits, zero.
        while lead <= 0xdc {
            if lead <= 0xbc || lead >= 0xc4 {
                out[n] = [lead, 0x8a];
                out[n + 1] = [lead, 0x8d];
                n += 2;
            }
            lead += 4;
        }
        out
    };
    let mut out: [&[u8]; 46] = [&[]; 46];
    let mut i = 0;
    while i < 46 {
        out[i] = &PAIRS[i];
        i += 1;
    }
    out
};

/// Finds log injection in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    if !s.has(class::NEWLINE | class::HIGH | class::CTRL) {
        return None;
    }
    let b = s.bytes();
    if s.has(class::CTRL | class::HIGH) {
        if let Some(h) = terminal_escape(b, s.has(class::CTRL)) {
            return Some(h);
        }
    }
    // An e-mail's body is lines: a log line, a header or a command on one is its content.
    if s.lines {
        return None;
    }
    if s.has(class::CTRL) {
        // VT, FF and the file, group and record separators end a line for Python's
        // `splitlines` and the log pipelines built on it.
        let mut separators = b
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c, 0x0b | 0x0c | 0x1c..=0x1e))
            .map(|(p, _)| p);
        if single_line(s) {
            if let Some(p) = separators.next() {
                return Some(Hit::new("log.line_break", p, p + 1));
            }
        }
        for p in separators.take(MAX_LINES) {
            if forged_after(s, p + 1, false) {
                return Some(Hit::new("log.forged_entry", p, (p + 24).min(b.len())));
            }
        }
    }
    if s.has(class::HIGH) {
        for (i, sep) in UNICODE_SEPARATORS.iter().enumerate() {
            if let Some(p) = find(b, sep) {
                // NEL is also what Windows-1252's `…` becomes when read as Latin-1: it counts where
                // a line is expected or a log line follows; U+2028 and U+2029 are never typed.
                if i < 2
                    || single_line(s)
                    || s.paranoia >= 2
                    || forged_after(s, p + sep.len(), false)
                {
                    return Some(Hit::new("log.unicode_separator", p, p + sep.len()));
                }
            }
        }
        // A character whose low byte is CR or LF (`嘊` U+560A, `č` U+010D) before a header: a
        // server that writes header values as Latin-1 keeps only that byte. A pair of them
        // (`嘊嘍`, CRLF) before any header line; one alone before a header an attacker sets.
        let mut pair_from = None;
        for (i, ch) in s.text.char_indices() {
            let c = u32::from(ch);
            let end = i + ch.len_utf8();
            if c <= 0xff || !matches!(c & 0xff, 0x0a | 0x0d) {
                pair_from = None;
                continue;
            }
            let rest = &b[end..];
            let rest = &rest[rest
                .iter()
                .take_while(|c| matches!(c, b' ' | b'\t'))
                .count()..];
            if INJECTED_HEADERS.iter().any(|h| rest.starts_with(h)) {
                return Some(Hit::new("log.forged_entry", i, end));
            }
            if let Some(from) = pair_from.filter(|_| header_line(rest)) {
                return Some(Hit::new("log.forged_entry", from, end));
            }
            pair_from = Some(i);
        }
    }
    if !s.has(class::NEWLINE) {
        return None;
    }
    let p = memchr::memchr2(b'\r', b'\n', b)?;
    if single_line(s) {
        return Some(Hit::new("log.line_break", p, (p + 2).min(b.len())));
    }
    // A first line of one word (an address, a name, an id) is a value that was meant to be
    // one line: header lines after it (up to a blank line, which ends a header section) are
    // an injection, and so is a blank line after an address, id or path (or before markup: a
    // response's body). A value that opens with a line break is one too. A greeting that
    // ends in punctuation ("Hi,", "Thanks!") or a plain word ("Hello") before a paragraph is
    // prose.
    // Scripts written without blanks (Chinese, Japanese, Thai) make a sentence one "word": its
    // own punctuation ends it, and its letters are a plain word's.
    let first = &b[..p];
    let first_text = s.text.get(..p).unwrap_or_default();
    let sentence = first_text.chars().last().is_some_and(|c| {
        matches!(
            c,
            ',' | '!' | '?' | '.' | ';' | '。' | '！' | '？' | '，' | '；' | '、' | '…'
        )
    });
    // A first line of blanks is none (`%20%0d%0aX-Header:`); one indented is a help text's.
    let one_word = (first.trim_ascii().is_empty() || !first.iter().any(u8::is_ascii_whitespace))
        && !first_text.ends_with([':', '：']);
    let plain_word = first_text.chars().all(char::is_alphabetic);
    // A raw message (`Received: …` first): its `Content-Type` lines are data.
    let message = raw_message(b);
    let mut headers_ended = false;
    let mut commands = 0;
    for nl in memchr::memchr2_iter(b'\r', b'\n', b).take(MAX_LINES) {
        if b[nl] == b'\r' && b.get(nl + 1) == Some(&b'\n') {
            continue; // The line starts after the `\n`.
        }
        let end = (nl + 24).min(b.len());
        let line = line_at(b, nl + 1);
        // A row that opens with a number (a time series' timestamp, an address) in a table
        // whose first line is its header is data, not a forged entry.
        let row = line.first().is_some_and(u8::is_ascii_digit) && table_row(first, line);
        if !row && forged_after(s, nl + 1, message) {
            return Some(Hit::new("log.forged_entry", nl, end));
        }
        let blank = line.is_empty() && nl + 1 < b.len() && !first.is_empty();
        // Folding white space before the header (`%0d%0a%20X-Header:`): servers that
        // unfold, or trim, a line start a header there.
        if one_word && !headers_ended && header_line(line.trim_ascii_start()) {
            return Some(Hit::new("log.forged_entry", nl, end));
        }
        headers_ended |= blank;
        let markup_next = || {
            let rest = &b[nl + 1..];
            let k = rest
                .iter()
                .take_while(|c| matches!(c, b'\r' | b'\n'))
                .count();
            rest.get(k) == Some(&b'<')
        };
        if one_word && !sentence && blank && (!plain_word || markup_next()) {
            return Some(Hit::new("log.forged_entry", nl, end));
        }
        match command(line) {
            Command::Strong => return Some(Hit::new("log.protocol_command", nl, end)),
            Command::Weak => {
                commands += 1;
                let crlf = nl > 0 && b[nl - 1] == b'\r';
                if crlf || commands >= 2 {
                    return Some(Hit::new("log.protocol_command", nl, end));
                }
            }
            Command::None => {}
        }
    }
    None
}

/// `ESC` followed by an escape sequence's next byte (`ESC[31m`, `ESC]0;title`, `ESC c`), or the
/// C1 `CSI`.
fn terminal_escape(b: &[u8], ctrl: bool) -> Option<Hit> {
    if ctrl {
        for p in memchr::memchr_iter(0x1b, b) {
            if b.get(p + 1).is_some_and(|c| (0x20..0x7f).contains(c)) {
                return Some(Hit::new("log.terminal_escape", p, (p + 4).min(b.len())));
            }
        }
    }
    let p = find(b, C1_CSI)?;
    Some(Hit::new("log.terminal_escape", p, p + C1_CSI.len()))
}

/// Whether `line` has as many of one delimiter (`,`, tab, `;`, `|`) as the header line
/// `first`, and at least one: a row of a CSV or TSV table.
fn table_row(first: &[u8], line: &[u8]) -> bool {
    let count = |l: &[u8], d: u8| l.iter().filter(|c| **c == d).count();
    [b',', b'\t', b';', b'|'].iter().any(|&d| {
        let n = count(first, d);
        n > 0 && n == count(line, d)
    })
}

/// The line of `b` that starts at `i` (without its line break), at most 128 bytes of it.
fn line_at(b: &[u8], i: usize) -> &[u8] {
    let rest = &b[i.min(b.len())..];
    let end = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
    &rest[..end.min(128)]
}

/// Header names without a hyphen (mail and HTTP); hyphenated names (`X-Anything`,
/// `Reply-To`) count as they are.
const HEADERS: &[&[u8]] = &[
    b"to",
    b"cc",
    b"bcc",
    b"from",
    b"subject",
    b"sender",
    b"host",
    b"cookie",
    b"location",
    b"referer",
    b"authorization",
    b"received",
];

/// The name of a `Name: value` line (letters, digits, hyphens, a letter first; no space
/// before the colon), lower case as the subject is.
fn header_name(line: &[u8]) -> Option<&[u8]> {
    let len = line
        .iter()
        .take(76)
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
        .count();
    (len >= 2 && line[0].is_ascii_alphabetic() && line.get(len) == Some(&b':'))
        .then(|| &line[..len])
}

/// A header line with a header's name: hyphenated, or one of [`HEADERS`].
fn header_line(line: &[u8]) -> bool {
    header_name(line).is_some_and(|n| n.contains(&b'-') || HEADERS.contains(&n))
}

enum Command {
    None,
    /// A command with its own syntax (`RCPT TO:`, `a001 LOGIN`, `RETR 1`).
    Strong,
    /// A bare verb that prose can also put on a line of its own (`DATA`, `QUIT`, `LIST`).
    Weak,
}

/// IMAP commands after a tag.
const IMAP: &[&[u8]] = &[
    b"login",
    b"logout",
    b"select",
    b"examine",
    b"fetch",
    b"store",
    b"copy",
    b"uid",
    b"search",
    b"create",
    b"delete",
    b"rename",
    b"list",
    b"lsub",
    b"status",
    b"append",
    b"expunge",
    b"authenticate",
    b"capability",
    b"noop",
    b"idle",
    b"starttls",
];

/// A mail, mailbox or cache protocol command (SMTP, IMAP, POP3, Redis, memcached) as
/// lower-case `line`.
fn command(line: &[u8]) -> Command {
    let line = line.trim_ascii_end();
    let mut it = line.split(|c| *c == b' ').filter(|w| !w.is_empty());
    let words: [&[u8]; 3] = std::array::from_fn(|_| it.next().unwrap_or(b""));
    let count = words.iter().filter(|w| !w.is_empty()).count() + it.count();
    let number = |w: &[u8]| !w.is_empty() && w.iter().all(u8::is_ascii_digit);
    let strong = line.starts_with(b"rcpt to:")
        || line.starts_with(b"mail from:")
        || (matches!(words[0], b"helo" | b"ehlo" | b"vrfy" | b"expn") && count == 2)
        || (words[0] == b"auth"
            && matches!(words[1], b"login" | b"plain" | b"cram-md5" | b"xoauth2"))
        || (line == b"starttls")
        || (matches!(words[0], b"retr" | b"dele") && count == 2 && number(words[1]))
        || (words[0] == b"top" && count == 3 && number(words[1]) && number(words[2]))
        // Redis and memcached, which an SSRF or a CRLF into a cache connection reaches:
        // writing the database file where the web server reads (`CONFIG SET dir /var/www`),
        // wiping it, replicating from the attacker, storing a key by hand.
        || (words[0] == b"config"
            && matches!(words[1], b"set" | b"get")
            && matches!(
                words[2],
                b"dir" | b"dbfilename" | b"masterauth" | b"requirepass" | b"*"
            ))
        || (matches!(words[0], b"flushall" | b"flushdb") && count == 1)
        || (matches!(words[0], b"slaveof" | b"replicaof") && count == 3 && number(words[2]))
        || (matches!(words[0], b"set" | b"add" | b"replace")
            && count == 5
            && line
                .split(|c| *c == b' ')
                .filter(|w| !w.is_empty())
                .skip(2)
                .all(number))
        // IMAP: a tag with a digit, then a command.
        || (words[0].len() <= 10
            && words[0].iter().any(u8::is_ascii_digit)
            && words[0].iter().all(u8::is_ascii_alphanumeric)
            && IMAP.contains(&words[1]));
    if strong {
        return Command::Strong;
    }
    // Redis's `SAVE` and `AUTH password` among them.
    let weak = (count == 1
        && matches!(
            words[0],
            b"data"
                | b"quit"
                | b"rset"
                | b"noop"
                | b"list"
                | b"stat"
                | b"uidl"
                | b"save"
                | b"bgsave"
        ))
        || (count == 2 && matches!(words[0], b"user" | b"pass" | b"apop" | b"list" | b"auth"));
    if weak {
        Command::Weak
    } else {
        Command::None
    }
}

/// Level words a log line starts with, upper-case in the original (`INFO`, `WARN`) unless
/// bracketed or keyed (`[info]`, `level=info`).
const LEVELS: &[&[u8]] = &[
    b"info",
    b"warn",
    b"warning",
    b"error",
    b"debug",
    b"trace",
    b"fatal",
    b"critical",
    b"crit",
    b"severe",
    b"notice",
    b"alert",
    b"emerg",
];

const MONTHS: &[&[u8]] = &[
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// Headers that response splitting and mail header injection write.
const INJECTED_HEADERS: &[&[u8]] = &[
    b"set-cookie:",
    b"location:",
    b"content-type:",
    b"content-length:",
    b"x-forwarded-for:",
    b"http/1.",
    b"authorization:",
    b"bcc:",
];

/// Headers a raw message (or the header block an inbound-mail webhook forwards: SendGrid's
/// `headers`, Mailgun's `body-mime`) opens with, as receiving servers and mail clients write
/// them.
const MESSAGE_OPENERS: &[&[u8]] = &[
    b"received",
    b"return-path",
    b"delivered-to",
    b"dkim-signature",
    b"arc-seal",
    b"authentication-results",
    b"from",
    b"date",
    b"message-id",
    b"mime-version",
];

/// Whether `b` opens as a raw e-mail message: four header lines (folded continuations
/// allowed), the first one a header a receiving server or a mail client writes first.
fn raw_message(b: &[u8]) -> bool {
    let mut lines = b
        .split(|c| *c == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.first().is_some_and(|c| matches!(c, b' ' | b'\t')));
    let opens = lines
        .next()
        .and_then(header_name)
        .is_some_and(|n| MESSAGE_OPENERS.contains(&n) || n.starts_with(b"x-"));
    opens && lines.take(3).filter(|l| header_name(l).is_some()).count() == 3
}

/// What follows a line break looks like the start of a log line or an HTTP or mail header
/// (in a raw `message`, a part's `Content-Type` is data).
fn forged_after(s: &Subject<'_>, i: usize, message: bool) -> bool {
    let b = s.bytes();
    let i = i.min(b.len());
    let i = if b.get(i) == Some(&b'\n') { i + 1 } else { i };
    // Folding white space before a header (`%0d%0a%09Set-Cookie:`) or a log line.
    let i = i + b[i..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    let line = &b[i..b.len().min(i + 64)];
    let original = &s.text.as_bytes()[i..s.text.len().min(i + 64)];
    let starts = |p: &[u8]| line.starts_with(p);
    let digits = |x: &[u8]| x.iter().all(u8::is_ascii_digit);
    // `2024-01-01 10:00`, `2024/01/01T10:00`, `[2024-01-01 10:00 …]`, `12:00:00`,
    // `29/Nov/2026:` (access logs). A date alone opens a line of notes or an itinerary.
    // `2024-01-01` or `2024/01/01` and something after it.
    let date =
        |l: &[u8]| l.len() > 10 && digits(&l[..4]) && matches!(l[4], b'-' | b'/') && l[7] == l[4];
    let stamp = |l: &[u8]| {
        (l.len() >= 16
            && date(l)
            && matches!(l[10], b' ' | b'\t' | b't')
            && digits(&l[11..13])
            && l[13] == b':')
            || (l.len() >= 8 && digits(&l[..2]) && l[2] == b':' && digits(&l[3..5]) && l[5] == b':')
            || (l.len() >= 12 && digits(&l[..2]) && l[2] == b'/' && l[6] == b'/')
    };
    let timestamp = stamp(line) || line.strip_prefix(b"[").is_some_and(stamp);
    // Syslog: `<34>Oct 11 22:14:15 …` or `Oct 11 22:14:15 …`.
    let body = match line.strip_prefix(b"<") {
        Some(r) => {
            let pri = r.iter().take(4).take_while(|c| c.is_ascii_digit()).count();
            if pri > 0 && r.get(pri) == Some(&b'>') {
                &r[pri + 1..]
            } else {
                line
            }
        }
        None => line,
    };
    // The day may be padded with a space (`May  5`).
    let syslog = body.len() >= 14 && MONTHS.contains(&&body[..3]) && body[3] == b' ' && {
        let day = body[4..].trim_ascii_start();
        let d = day
            .iter()
            .take(2)
            .take_while(|c| c.is_ascii_digit())
            .count();
        d > 0 && day.get(d) == Some(&b' ') && stamp(&day[d + 1..])
    };
    let priority = body.len() < line.len();
    // An access log: `198.51.100.7 - - [`, or tab-separated.
    let access = {
        let ip = line
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == b'.')
            .count();
        ip >= 7 && (line[ip..].starts_with(b" - ") || line[ip..].starts_with(b"\t-\t"))
    };
    // A level word in upper case at `k` (`INFO`; prose's `Info:` passes).
    let level_at = |k: usize| {
        let l = line.get(k..).unwrap_or_default();
        let word = l.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        LEVELS.contains(&&l[..word])
            && original[k..k + word].iter().all(u8::is_ascii_uppercase)
            && l.get(word).is_none_or(|c| !c.is_ascii_alphanumeric())
    };
    // A date alone is a note's (`2024-06-01 fly to Paris`), unless a level word follows it.
    let dated_level = date(line) && matches!(line[10], b' ' | b'\t') && level_at(11);
    let bare_level = level_at(0) || dated_level;
    let keyed = [
        &b"[info"[..],
        b"[warn",
        b"[error",
        b"[debug",
        b"[trace",
        b"[fatal",
        b"level=",
        b"\"level\"",
        b"{\"level",
        b"{\"time",
        b"{\"timestamp",
        b"{\"msg",
        b"start requestid",
        b"end requestid",
        b"report requestid",
    ]
    .iter()
    .any(|l| starts(l));
    let header = INJECTED_HEADERS
        .iter()
        .any(|h| starts(h) && !(message && *h == b"content-type:"));
    timestamp || syslog || priority || access || bare_level || keyed || header
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str, path: &str) -> Option<&'static str> {
        crate::inspect::subject::rule_at(detect, text, FieldRole::Value, path)
    }

    /// crlfuzz's spellings of a response-splitting break in a query value: blanks before or
    /// after the break, and a pair of characters whose low bytes are CR and LF.
    #[test]
    fn folded_and_padded_header_injection() {
        for a in [
            "\r\n X-Injected-By: x",
            "\r\tX-Injected-By: x",
            " \r\nX-Injected-By: x",
            "#\n X-Injected-By: x",
            "\u{560a}\u{560d}X-Injected-By: x",
            "a\u{560d}\u{560a}Reply-To: x@example.com",
        ] {
            assert_eq!(
                rule(a, "$.queryStringParameters.q"),
                Some("log.forged_entry"),
                "{a:?}"
            );
        }
        for b in [
            "Shopping list\n  Fruit-Basket: apples",
            "Přečte-li: ano",
            "「引用」X-Request-Id: 1",
            "\u{300d}\u{300a}note: x",
        ] {
            assert_eq!(rule(b, "$.body.note"), None, "false positive on {b:?}");
        }
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
            rule("user\u{b}INFO admin logged in", "$.body.name"),
            Some("log.forged_entry")
        );
        assert_eq!(rule("a\u{c}b", "$.headers.x-note"), Some("log.line_break"));
        assert_eq!(rule("page one\u{c}page two", "$.body.text"), None);
        assert_eq!(
            rule("x\u{2028}y", "$.headers.x-note"),
            Some("log.unicode_separator")
        );
    }

    #[test]
    fn prose_in_scripts_without_blanks_is_prose() {
        // A sentence of Chinese or Japanese has no blank: it is no one-word value.
        for prose in [
            "放棄\n\n",
            "放棄。\n\n续行",
            "失败的原因\n\n请参阅日志",
            "子命令：\n\n  --add",
        ] {
            assert_eq!(rule(prose, "$.body.text"), None, "{prose}");
        }
        // An id, an address, or letters before markup still are.
        for forged in [
            "ab12\n\nx",
            "用户@例子.公司\n\nok",
            "管理员\r\n\r\n<script>",
        ] {
            assert_eq!(
                rule(forged, "$.body.text"),
                Some("log.forged_entry"),
                "{forged}"
            );
        }
    }

    #[test]
    fn forged_lines_of_other_formats() {
        for forged in [
            "x\r\n[2024-01-01 00:00:00] ERROR disk full",
            "x\n2024/01/01 10:00:00 login ok",
            "x\n10:00:00.123 INFO started",
            "x\n<34>Oct 11 22:14:15 host su: root",
            "x\nNov 29 10:00:00 host sshd[1]: Accepted password for root",
            "x\nMay  5 10:00:00 host app[1]: forged",
            "x\n198.51.100.7 - - [29/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1",
            "x\nCRITICAL db down",
            "a@b.example\r\nBcc: c@d.example",
            "a@b.example\r\n\r\nspam body",
            "/next\r\n\r\n<html>owned</html>",
            "Bob\r\nBcc: c@d.example",
            "Hi!\r\nCc: c@d.example",
            "a@b.example,\r\nCc: c@d.example",
            "Re: hi\r\nCc: c@d.example\r\nBcc: e@f.example",
            "Re: x\r\nContent-Length: 0\r\nX-A: b\r\n\r\nHTTP/1.1 200 OK",
            "x\n2024-01-01 INFO admin logged in",
            // Tab-separated, as some pipelines write their lines.
            "x\n198.51.100.7\t-\t-\t[29/Nov/2026:10:00:00 +0000]\t\"GET / HTTP/1.1\"\t200",
            "x\n2024-01-01\t10:00:00\tlogin ok",
            "x\n2024-01-01\tINFO\tadmin logged in",
            // A row whose count of delimiters is not its header's.
            "a,b\n2024-01-01 10:00:00 INFO admin logged in",
            "note\n2024-01-01 10:00:00,INFO,admin logged in",
            "a\r\nX-Injected: 1",
            "x\r\n\r\n<html>owned</html>",
            "\r\nX-Custom: 1",
            "x\r\n\tSet-Cookie: a=b",
            "\u{560a}\u{560d}Content-Type: text/html",
            "x\u{10d}Location: /evil",
        ] {
            assert_eq!(
                rule(forged, "$.body.c"),
                Some("log.forged_entry"),
                "{forged:?}"
            );
        }
        // Prose that capitalises a level word, and a list.
        for prose in [
            "Meeting notes\nInfo: bring laptops",
            "Our notes\nInformation follows",
            "Notes:\nTo do: call Bob",
            "Dear John,\n\nThanks",
            "Ingredients:\nFlour: 2 cups",
            "Recipe\nFlour: 2 cups",
            "\n\nThanks for the order",
            // Greetings before a paragraph; a quoted reply; a raw message and header block.
            "Hi,\n\nsee you",
            "Trip plan:\n2024-06-01 fly to Paris\n2024-06-05 train to Lyon",
            "Trip plan:\n2024-06-01\tfly to Paris\n2024-06-05\ttrain to Lyon",
            // Tables with a header line: time series, addresses.
            "timestamp,value\n2024-01-01 10:00:00,5\n2024-01-01 10:05:00,6",
            "date\ttime\tlevel\tmessage\n2024-01-01\t10:00:00\tINFO\tstarted",
            "ip;user;time\n198.51.100.7;-;10:00:00",
            "Thanks!\n\nBest, Bob",
            "Hello\n\nI have a question about my order",
            "Thanks!\n\n-----Original Message-----\nFrom: Bob <bob@example.org>\nSent: Monday\nTo: Jane",
            "From: A <a@example.org>\nDate: Thu, 12 Oct 2017\nSubject: Raw\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nhi",
            "Received: by mx.example.net\r\n\tfor <a@example.com>\r\nDKIM-Signature: v=1\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n",
            "Počet kusů: 5, cena 10 Kč",
        ] {
            assert_eq!(rule(prose, "$.body.c"), None, "{prose:?}");
        }
    }

    #[test]
    fn mail_protocol_commands_after_a_break() {
        for cmd in [
            "me@a.example\r\nRCPT TO:<v@b.example>",
            "x\nMAIL FROM:<a@b.example>",
            "x\nEHLO evil.example",
            "INBOX\na001 LOGOUT",
            "x\nRETR 1",
            "x\r\nQUIT",
            "x\nUSER admin\nPASS hunter2",
            "x\r\nCONFIG SET dir /var/www/html\r\n",
            "\r\nFLUSHALL\r\n",
            "a\r\nSLAVEOF 203.0.113.9 6379\r\n",
            "\r\nAUTH hunter2\r\n",
            "k\r\nset session:1 0 3600 5\r\nadmin\r\n",
        ] {
            assert_eq!(
                rule(cmd, "$.body.c"),
                Some("log.protocol_command"),
                "{cmd:?}"
            );
        }
        for prose in [
            "Please find the\ndata attached",
            "Shopping list:\nmilk\neggs",
            "I will not quit\nnow",
            "Our user interface\nis new",
            "Chapter one\nData",
            "Steps:\nconfig set up\nsave the file",
            "Notes\nset the table for 4 2 1 people",
            "We had to\nflushall the pipes first",
        ] {
            assert_eq!(rule(prose, "$.body.c"), None, "{prose:?}");
        }
    }

    #[test]
    fn terminal_escapes_and_separators() {
        for esc in [
            "\u{1b}[31mred",
            "x\u{1b}]0;title\u{7}",
            "\u{9b}2J",
            "abc\u{2028}def",
        ] {
            assert!(rule(esc, "$.body.c").is_some(), "{esc:?}");
        }
        assert_eq!(rule("caf\u{e9} \u{2014} ok", "$.body.c"), None);
        assert_eq!(rule("tab\there", "$.body.c"), None);
        assert_eq!(rule("a\u{85}b", "$.body.c"), None);
    }
}

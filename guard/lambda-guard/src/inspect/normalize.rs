//! Evasion-oriented normalization, applied before matching as WAFs do: repeated percent
//! decoding (with `%uXXXX` and overlong UTF-8), HTML entities, JavaScript/CSS/JSON escapes.
//! Every pass is linear and the number of passes is bounded, so a hostile value costs at most a
//! few copies of itself. Case folding, comments and whitespace are handled by each detector's
//! tokenizer, where the grammar says what is insignificant.

/// Percent-decoding revealed the text (`%27`, `%u0027`, overlong `%c0%ae`).
pub(crate) const PERCENT: u8 = 1;
/// HTML entities revealed it (`&lt;`, `&#x3c;`, `&colon;`).
pub(crate) const HTML: u8 = 1 << 1;
/// Backslash escapes revealed it (`\u003c`, `\x3c`, `\3c `).
pub(crate) const ESCAPES: u8 = 1 << 2;
/// Compatibility forms folded to the ASCII that NFKC makes of them (`＜script＞`, `﹤`, `𝐬`).
pub(crate) const WIDTH: u8 = 1 << 3;
/// Base64 that escapes hid, decoded after them (`\u0058\u0079Qk…`, `PHN…%3D%3D`).
pub(crate) const BASE64: u8 = 1 << 4;
/// The text of markup, its tags removed as a sanitizer's `strip_tags` removes them (a rich-text
/// editor's `<p>' OR 1=1--</p>`).
pub(crate) const MARKUP: u8 = 1 << 5;

/// Names of normalization steps, as findings report them.
pub(crate) fn names(flags: u8) -> impl Iterator<Item = &'static str> {
    [
        (PERCENT, "percent_decode"),
        (HTML, "html_entities"),
        (ESCAPES, "unicode_escapes"),
        (WIDTH, "compat_fold"),
        (BASE64, "base64"),
        (MARKUP, "markup_text"),
    ]
    .into_iter()
    .filter(move |(f, _)| flags & f != 0)
    .map(|(_, n)| n)
}

/// Maximum decoding rounds (double and triple encoding are common; more is not).
const ROUNDS: usize = 4;

/// Form encoding, where `+` is the space an application's `unquote_plus` reads (a query
/// string or form body inside a message or a log line, an S3 object key forwarded through SQS
/// or SNS): no literal space, and a percent escape or, with `plus_words`, a `+` beside a
/// letter (`id=-1+union+select`, `<img+src=x`; not `+02:00` or `+1-555`).
fn form_encoded(text: &str, plus_words: bool) -> bool {
    let b = text.as_bytes();
    // Most values have no `+`: one search settles them.
    if memchr::memchr(b'+', b).is_none() || memchr::memchr(b' ', b).is_some() {
        return false;
    }
    let letter = |i: usize| i < b.len() && b[i].is_ascii_alphabetic();
    memchr::memchr(b'%', b).is_some()
        || plus_words
            && memchr::memchr_iter(b'+', b)
                .any(|p| (letter(p + 1) || (p > 0 && letter(p - 1))) && !media_suffix(b, p))
}

/// Whether the `+` at `p` joins a media subtype to its structured-syntax suffix
/// (`application/xhtml+xml`, `application/ld+json`, `image/svg+xml`): the `Accept` header of
/// every browser request, not a form's space.
fn media_suffix(b: &[u8], p: usize) -> bool {
    let part = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-');
    let subtype = b[..p].iter().rev().take_while(|c| part(c)).count();
    let slash = p - subtype;
    let media = subtype > 0
        && slash > 0
        && b[slash - 1] == b'/'
        && b[..slash - 1]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphabetic())
            .count()
            > 0;
    let suffix = b[p + 1..].iter().take_while(|c| part(c)).count();
    let end = b.get(p + 1 + suffix);
    media
        && end.is_none_or(|c| matches!(c, b',' | b';' | b' '))
        && [
            &b"xml"[..],
            b"json",
            b"zip",
            b"cbor",
            b"ber",
            b"der",
            b"gzip",
            b"zstd",
            b"yaml",
            b"wbxml",
            b"jwt",
            b"sqlite3",
            b"fastinfoset",
            b"json-seq",
            b"toml",
        ]
        .iter()
        .any(|s| b[p + 1..p + 1 + suffix].eq_ignore_ascii_case(s))
}

/// Whether `text` holds anything a pass could decode.
pub(crate) fn may_decode(text: &str) -> bool {
    memchr::memchr3(b'%', b'&', b'\\', text.as_bytes()).is_some()
        || (!text.is_ascii() && super::compat::folds(text))
}

/// The fully decoded text and which passes changed it, or `None` when nothing decodes.
/// `plus_words`: a value may be form-encoded without a percent escape (anywhere but a URL
/// path, where `+` is a `+`).
pub(crate) fn decode(text: &str, plus_words: bool) -> Option<(String, u8)> {
    let form = form_encoded(text, plus_words);
    if !form && !may_decode(text) {
        return None;
    }
    let mut flags = if form { PERCENT } else { 0 };
    let mut current: Option<String> = form.then(|| text.replace('+', " "));
    for _ in 0..ROUNDS {
        let before = flags;
        let src = current.as_deref().unwrap_or(text);
        let mut next: Option<String> = None;
        for (flag, pass) in [
            (PERCENT, percent as fn(&str) -> Option<String>),
            (HTML, entities),
            (ESCAPES, escapes),
            (WIDTH, super::compat::fold),
        ] {
            let input = next.as_deref().unwrap_or(src);
            if let Some(out) = pass(input) {
                flags |= flag;
                next = Some(out);
            }
        }
        match next {
            Some(n) => current = Some(n),
            None => break,
        }
        if flags == before && current.as_deref().is_some_and(|c| !may_decode(c)) {
            break;
        }
    }
    current.map(|c| (c, flags))
}

/// The text of a value that opens with a tag (`<p>…</p>`, what rich-text editors send) or
/// that glues a tag inside a word (`o<x>nfocus=alert<x>(1)`, written for a filter that strips
/// tags and so joins the word back), its tags removed; `None` for any other value, or when
/// nothing but tags and blanks is left.
pub(crate) fn markup_text(text: &str) -> Option<String> {
    let b = text.trim_start().as_bytes();
    let tag = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/');
    let opens = b.first() == Some(&b'<') && tag(b.get(1));
    if !opens && !glued_tag(b) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if !tag(after.as_bytes().first()) {
            out.push('<');
            rest = after;
            continue;
        }
        let Some(close) = after.find('>') else {
            rest = "";
            break;
        };
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    (!out.trim().is_empty()).then_some(out)
}

/// A bare tag (`<x>`, `<b>`) inside a word, a word character on each side: markup never
/// writes one there. (Code does before a call, `$name<V>(`, so `(` after it does not count.)
/// Looked for at the first 64 `<`.
fn glued_tag(b: &[u8]) -> bool {
    memchr::memchr_iter(b'<', b).take(64).any(|open| {
        let name = b[open + 1..]
            .iter()
            .take(16)
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        let close = open + 1 + name;
        open > 0
            && b[open - 1].is_ascii_alphanumeric()
            && b.get(open + 1).is_some_and(u8::is_ascii_alphabetic)
            && b.get(close) == Some(&b'>')
            && b.get(close + 1).is_some_and(u8::is_ascii_alphanumeric)
    })
}

/// The text under base64 that only decoding revealed: the view reads undeclared base64 in
/// values as they arrive, but `%3D` padding or `\u00xx` escapes keep a value from being base64
/// until [`decode`] has run. Binary is left to the view (it is read only for pickles).
pub(crate) fn hidden_base64(decoded: &str) -> Option<String> {
    let bytes = crate::trigger::decode::undeclared_base64(decoded)?;
    String::from_utf8(bytes).ok()
}

fn hex(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

fn hex_run(bytes: &[u8], max: usize) -> (u32, usize) {
    let mut v: u32 = 0;
    let mut n = 0;
    while n < max && n < bytes.len() {
        match hex(bytes[n]) {
            Some(d) => {
                v = v.saturating_mul(16).saturating_add(d);
                n += 1;
            }
            None => break,
        }
    }
    (v, n)
}

fn push_code(out: &mut Vec<u8>, code: u32) {
    let c = char::from_u32(code).unwrap_or('\u{fffd}');
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// The code of a `%XX` or `%uXXXX` escape at `i` and its length.
pub(crate) fn percent_escape(b: &[u8], i: usize) -> Option<(u32, usize)> {
    if let (Some(h), Some(l)) = (
        b.get(i + 1).copied().and_then(hex),
        b.get(i + 2).copied().and_then(hex),
    ) {
        return Some((h * 16 + l, 3));
    }
    if matches!(b.get(i + 1), Some(b'u' | b'U')) {
        let (v, n) = hex_run(&b[i + 2..], 4);
        if n == 4 {
            return Some((v, 6));
        }
    }
    None
}

/// An overlong pair's two escapes at `i` as IIS 4 and 5 read them when either holds a letter
/// past `f` (`%c0%qf`, `%c1%pc`, `%bg%qf`): each such letter a digit worth 10 and up, the
/// sum kept to a byte (`%qf` is 26 × 16 + 15, `0xaf`), so `%c0%qf` is `%c0%af`, `/`. Only the
/// pair counts, a lead byte `0xc0`/`0xc1` and another byte: a lone `%go` in prose is no escape.
fn iis_overlong(b: &[u8], i: usize) -> Option<[u8; 2]> {
    let digit = |c: u8| (c as char).to_digit(36);
    let escape = |at: usize| -> Option<(u8, bool)> {
        if b.get(at) != Some(&b'%') {
            return None;
        }
        let (h, l) = (*b.get(at + 1)?, *b.get(at + 2)?);
        let v = digit(h)? * 16 + digit(l)?;
        Some((v as u8, hex(h).is_none() || hex(l).is_none()))
    };
    let (lead, odd_lead) = escape(i).filter(|e| matches!(e.0, 0xc0 | 0xc1))?;
    let (next, odd_next) = escape(i + 3)?;
    (odd_lead || odd_next).then_some([lead, next])
}

/// Whether `%` signs that escape nothing are a quarter of the value or more, at least four
/// (`%S%E%L%E%C%T`): ASP and IIS drop such a `%`, so sqlmap's `percentage` tamper hides
/// words behind them. Prose keeps its few (`50% off`, `%s`).
fn stray_percents(b: &[u8]) -> bool {
    let strays = memchr::memchr_iter(b'%', b)
        .filter(|&i| {
            b.get(i + 1)
                .is_some_and(|c| c.is_ascii_graphic() && *c != b'%')
        })
        .filter(|&i| percent_escape(b, i).is_none())
        .count();
    strays >= 4 && strays * 4 >= b.len()
}

/// One round of `%XX` / `%uXXXX` decoding; invalid and overlong UTF-8 is repaired the way
/// lenient servers read it, and [`stray_percents`] are dropped.
fn percent(text: &str) -> Option<String> {
    let b = text.as_bytes();
    memchr::memchr(b'%', b)?;
    let drop_strays = stray_percents(b);
    let mut out = Vec::with_capacity(b.len());
    let mut changed = false;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if let Some(pair) = iis_overlong(b, i) {
                out.extend_from_slice(&pair);
                i += 6;
                changed = true;
                continue;
            }
            if let Some((code, n)) = percent_escape(b, i) {
                // `%XX` is a byte (of UTF-8, perhaps), `%uXXXX` a code point.
                if n == 3 {
                    out.push(code as u8);
                } else {
                    push_code(&mut out, code);
                }
                i += n;
                changed = true;
                continue;
            }
            if drop_strays {
                i += 1;
                changed = true;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    changed.then(|| lenient_utf8(&out))
}

/// UTF-8 with overlong two- and three-byte forms decoded (`\xc0\xae` is `.` to some servers)
/// and other invalid bytes read as Latin-1.
pub(crate) fn lenient_utf8(v: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(v) {
        return s.to_owned();
    }
    let cont = |x: Option<&u8>| x.is_some_and(|x| x & 0xc0 == 0x80);
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        let b = v[i];
        if b < 0x80 {
            out.push(b);
            i += 1;
        } else if (b == 0xc0 || b == 0xc1) && v.get(i + 1).is_some_and(|n| *n < 0xc0) {
            // Overlong, or not even a continuation byte (`%c1%1c`, `%c0%2f`): IIS-era
            // decoders kept the low six bits all the same, reading `\` and `/`. Where that
            // leaves a control character of a printable byte (`%c0%5c`), decoders that drop
            // the stray lead byte read the byte itself, `\`: that reading is kept.
            let next = v[i + 1];
            let code = (u32::from(b & 0x1f) << 6) | u32::from(next & 0x3f);
            let dropped = code < 0x20 && next.is_ascii_graphic();
            push_code(&mut out, if dropped { u32::from(next) } else { code });
            i += 2;
        } else if b == 0xe0
            && v.get(i + 1).is_some_and(|x| (0x80..0xa0).contains(x))
            && cont(v.get(i + 2))
        {
            push_code(
                &mut out,
                (u32::from(v[i + 1] & 0x3f) << 6) | u32::from(v[i + 2] & 0x3f),
            );
            i += 3;
        } else if let Some((code, n)) = long_overlong(&v[i..]) {
            push_code(&mut out, code);
            i += n;
        } else {
            let len = match b {
                0xc2..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf4 => 4,
                _ => 0,
            };
            match v
                .get(i..i + len)
                .filter(|s| len > 0 && std::str::from_utf8(s).is_ok())
            {
                Some(s) => {
                    out.extend_from_slice(s);
                    i += len;
                }
                None => {
                    // A stray byte is Latin-1, as lenient servers read it (`%bc` is `¼`).
                    push_code(&mut out, u32::from(b));
                    i += 1;
                }
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// A four-, five- or six-byte form of a code point below U+0800 (`%f0%80%80%ae`,
/// `%f8%80%80%80%af`, `%fc%80%80%80%80%ae`), which decoders older than RFC 3629 read as
/// `.` and `/`: its code and length. Never valid UTF-8 (the second byte is `0x80`).
fn long_overlong(v: &[u8]) -> Option<(u32, usize)> {
    let n = match v.first()? {
        0xf0 => 4,
        0xf8 => 5,
        0xfc => 6,
        _ => return None,
    };
    let seq = v.get(..n)?;
    if seq[1] != 0x80 || !seq[2..].iter().all(|x| x & 0xc0 == 0x80) {
        return None;
    }
    let code = seq[2..]
        .iter()
        .fold(0, |c, x| (c << 6) | u32::from(x & 0x3f));
    Some((code, n))
}

/// The character a named reference stands for (`name` lower case): the names an evasion
/// uses, matched by length and bytes rather than searched for (a link's `&lang=` asks once
/// per link).
fn named(name: &[u8]) -> Option<char> {
    Some(match name {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"quot" => '"',
        b"apos" => '\'',
        b"tab" => '\t',
        b"newline" => '\n',
        b"bsol" => '\\',
        b"colon" => ':',
        b"semi" => ';',
        b"nbsp" => ' ',
        b"lpar" => '(',
        b"rpar" => ')',
        b"sol" => '/',
        b"period" => '.',
        b"comma" => ',',
        b"excl" => '!',
        b"equals" => '=',
        b"plus" => '+',
        b"grave" => '`',
        b"lsqb" => '[',
        b"rsqb" => ']',
        b"lbrack" => '[',
        b"rbrack" => ']',
        b"lcub" => '{',
        b"rcub" => '}',
        b"lbrace" => '{',
        b"rbrace" => '}',
        b"dollar" => '$',
        b"percnt" => '%',
        b"num" => '#',
        b"ast" => '*',
        b"quest" => '?',
        b"commat" => '@',
        b"vert" => '|',
        b"lowbar" => '_',
        _ => return None,
    })
}

/// One round of HTML character references (named, decimal, hex; `;` optional, leading zeros
/// allowed, as browsers accept them).
fn entities(text: &str) -> Option<String> {
    replace_codes(text, b'&', entity)
}

/// Replaces every `marker` whose following bytes `decode` reads as a code point (and the bytes
/// it used); `None` when nothing was replaced.
fn replace_codes(
    text: &str,
    marker: u8,
    decode: impl Fn(&[u8]) -> Option<(u32, usize)>,
) -> Option<String> {
    let b = text.as_bytes();
    // Most markers decode nothing (`AT&T`, `a=1&b=2`): copy only from the first one that does.
    let first = memchr::memchr_iter(marker, b).find(|&i| decode(&b[i + 1..]).is_some())?;
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..first]);
    let mut changed = false;
    let mut i = first;
    while i < b.len() {
        if b[i] == marker {
            if let Some((code, used)) = decode(&b[i + 1..]) {
                push_code(&mut out, code);
                i += 1 + used;
                changed = true;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    changed.then(|| lenient_utf8(&out))
}

fn entity(b: &[u8]) -> Option<(u32, usize)> {
    let semi = |n: usize| n + usize::from(b.get(n) == Some(&b';'));
    if b.first() == Some(&b'#') {
        let hexa = matches!(b.get(1), Some(b'x' | b'X'));
        let start = if hexa { 2 } else { 1 };
        let mut j = start;
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let (v, n) = if hexa {
            hex_run(&b[j..], 6)
        } else {
            let mut v: u32 = 0;
            let mut n = 0;
            while n < 7 && b.get(j + n).is_some_and(u8::is_ascii_digit) {
                v = v * 10 + u32::from(b[j + n] - b'0');
                n += 1;
            }
            (v, n)
        };
        if n == 0 && j == start {
            return None;
        }
        return Some((v, semi(j + n)));
    }
    let len = b
        .iter()
        .take(8)
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let mut lower = [0u8; 8];
    for (l, c) in lower.iter_mut().zip(&b[..len]) {
        *l = c.to_ascii_lowercase();
    }
    named(&lower[..len]).map(|c| (c as u32, semi(len)))
}

/// One round of `\uXXXX`, `\u{X…}`, `\xHH` and CSS `\HH…` escapes.
fn escapes(text: &str) -> Option<String> {
    replace_codes(text, b'\\', escape)
}

/// The code point of the escape after a backslash, and the bytes it used.
fn escape(rest: &[u8]) -> Option<(u32, usize)> {
    match rest.first() {
        Some(b'u' | b'U') if rest.get(1) == Some(&b'{') => {
            let (v, n) = hex_run(&rest[2..], 6);
            (n > 0 && rest.get(2 + n) == Some(&b'}')).then_some((v, 3 + n))
        }
        Some(b'u' | b'U') => {
            let (v, n) = hex_run(&rest[1..], 4);
            (n == 4).then_some((v, 5))
        }
        Some(b'x' | b'X') => {
            let (v, n) = hex_run(&rest[1..], 2);
            (n == 2).then_some((v, 3))
        }
        _ => octal(rest).or_else(|| {
            // CSS: 2–6 hex digits, one optional trailing space.
            let (v, n) = hex_run(rest, 6);
            (n >= 2).then(|| (v, n + usize::from(rest.get(n) == Some(&b' '))))
        }),
    }
}

/// A JavaScript octal escape (`\141lert` is `alert`): three octal digits making a printable
/// ASCII character. Read as CSS hex, the same digits make U+0100–U+0377, letters no CSS
/// evasion needs.
fn octal(rest: &[u8]) -> Option<(u32, usize)> {
    let digits = rest.get(..3)?;
    if !digits.iter().all(|c| (b'0'..=b'7').contains(c))
        || rest.get(3).is_some_and(u8::is_ascii_hexdigit)
    {
        return None;
    }
    let v = digits.iter().fold(0, |v, c| v * 8 + u32::from(c - b'0'));
    (0o40..=0o176).contains(&v).then_some((v, 3))
}

/// A short excerpt around `start..end` of `text`: at most ~40 characters, control characters
/// escaped, long runs of one character elided, and never the whole of a longer value.
pub(crate) fn excerpt(text: &str, start: usize, end: usize) -> String {
    const BEFORE: usize = 8;
    const MATCH: usize = 24;
    const AFTER: usize = 8;
    const MAX_SHOWN: usize = 60;
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(start);
    let end = floor(end.max(start));
    let from = floor(start.saturating_sub(BEFORE * 2));
    let from = text[from..start]
        .char_indices()
        .rev()
        .nth(BEFORE - 1)
        .map_or(from, |(i, _)| from + i);
    let mut chars: Vec<char> = text[from..end].chars().collect();
    let before = text[from..start].chars().count();
    if chars.len() > before + MATCH {
        chars.truncate(before + MATCH);
    }
    let tail: Vec<char> = text[end..].chars().take(AFTER).collect();
    let matched_all = chars.len() - before == text[start..end].chars().count();
    if matched_all {
        chars.extend(tail);
    }
    let shown = chars.len();
    let total = text.chars().count();
    // Never the whole value: a value short enough to fit is cut to three quarters.
    if from == 0 && shown >= total && total > 12 {
        chars.truncate(total * 3 / 4);
    }
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut run = 0;
    for (k, c) in chars.iter().enumerate() {
        run = if k > 0 && chars[k - 1] == *c {
            run + 1
        } else {
            0
        };
        if run == 3 {
            out.push('…');
        }
        if run >= 3 {
            continue;
        }
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.extend(c.escape_default());
        } else {
            out.push(*c);
        }
        // Escapes lengthen the text: bound what is displayed too.
        if out.len() > MAX_SHOWN {
            let mut cut = MAX_SHOWN;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push('…');
            return out;
        }
    }
    if from + chars.iter().map(|c| c.len_utf8()).sum::<usize>() < text.len() {
        out.push('…');
    }
    out
}

/// `b` (UTF-7) decoded to lower-case ASCII: `+…-` runs of modified base64 hold UTF-16 units;
/// units past ASCII become `?` (markup names are ASCII). Linear, bounded by `b`. XSS and XXE
/// read `+ADw-` as `<` with it.
pub(crate) fn utf7(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'+' {
            out.push(b[i].to_ascii_lowercase());
            i += 1;
            continue;
        }
        i += 1;
        if b.get(i) == Some(&b'-') {
            out.push(b'+');
            i += 1;
            continue;
        }
        let (mut bits, mut n) = (0u32, 0u32);
        while let Some(v) = b.get(i).and_then(|c| base64(*c)) {
            bits = (bits << 6) | u32::from(v);
            n += 6;
            if n >= 16 {
                n -= 16;
                let unit = (bits >> n) & 0xffff;
                out.push(u8::try_from(unit).map_or(b'?', |c| {
                    if c < 0x80 {
                        c.to_ascii_lowercase()
                    } else {
                        b'?'
                    }
                }));
            }
            bits &= (1 << n) - 1;
            i += 1;
        }
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
    }
    out
}

fn base64(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf7_runs_are_decoded_lowercased() {
        assert_eq!(utf7(b"+ADwAIQ-doctype a+-b"), b"<!doctype a+b");
        // `+ADw` opening a longer run (no `-`), upper-case letters inside a run, a unit past ASCII.
        assert_eq!(utf7(b"+ADwAUw-CRIPT+AD4"), b"<script>");
        assert_eq!(utf7(b"+AOk-t+AOk-"), b"?t?");
    }

    #[test]
    fn markup_text_is_the_text_between_tags() {
        assert_eq!(
            markup_text(" <p>' OR 1=1--</p>").as_deref(),
            Some(" ' OR 1=1--")
        );
        // A `<` that opens no tag stays; tags glue what they split, as `strip_tags` does.
        assert_eq!(
            markup_text("<b>5 < 6</b> sel<i></i>ect").as_deref(),
            Some("5 < 6 select")
        );
        assert_eq!(markup_text("<p>unclosed <b").as_deref(), Some("unclosed "));
        // A tag glued inside a word, for a filter that strips tags.
        assert_eq!(
            markup_text("\"autof<x>ocus o<x>nfocus=alert<x>(1)//").as_deref(),
            Some("\"autofocus onfocus=alert(1)//")
        );
        for none in [
            "plain text",
            "< 5 apples",
            "<p></p> <br/>",
            "x <p>y</p>",
            "a<b and c>d",
            "Vec<u8> and Option<T>",
        ] {
            assert_eq!(markup_text(none), None, "{none:?}");
        }
    }

    #[test]
    fn repeated_percent_and_overlong() {
        assert_eq!(decode("%252e%252e%252f", true).unwrap().0, "../");
        assert_eq!(decode("%c0%ae%c0%ae/", true).unwrap().0, "../");
        assert_eq!(
            decode("%f0%80%80%ae%f8%80%80%80%ae%fc%80%80%80%80%af", true)
                .unwrap()
                .0,
            "../"
        );
        assert_eq!(decode("%u003cscript", true).unwrap().0, "<script");
        assert_eq!(decode("100%", true).map(|d| d.0), None);
    }

    /// ASP and IIS drop a `%` that escapes nothing: sqlmap's `percentage` tamper.
    #[test]
    fn stray_percents_before_most_characters_are_dropped() {
        assert_eq!(
            decode("%1%'%)%20%A%N%D%20%2%=%2%-%-", true).unwrap().0,
            "1') AND 2=2--"
        );
        assert_eq!(decode("%S%E%L%E%C%T%20%41", true).unwrap().0, "SELECT A");
        // A few in prose or a format string stay.
        assert_eq!(decode("50% off, 20% more", true).map(|d| d.0), None);
        assert_eq!(decode("%s: %d of %d (%.1f%%)", true).map(|d| d.0), None);
    }

    #[test]
    fn form_encoding_reads_plus_as_space() {
        // Form-encoded (no literal space): `+` is a space, `%2B` a plus.
        let (t, f) = decode("1%27+UNION+SELECT+1%2B1--", true).unwrap();
        assert_eq!(t, "1' UNION SELECT 1+1--");
        assert_eq!(f, PERCENT);
        // A literal space: not form encoding, `+` stays.
        assert_eq!(decode("a+b %27", true).unwrap().0, "a+b '");
        // No escape: a `+` beside a letter, outside URL paths.
        assert_eq!(
            decode("id=-1+union+select+1", true).unwrap(),
            ("id=-1 union select 1".into(), PERCENT)
        );
        assert_eq!(decode("a+b", false).map(|d| d.0), None);
        assert_eq!(decode("2024-05-17T13:45:00+02:00", true).map(|d| d.0), None);
        assert_eq!(decode("+1-555-0100", true).map(|d| d.0), None);
        // A media type's suffix (`Accept`, `Content-Type`) is no space; any other `+` still is.
        let accept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/svg+xml";
        assert_eq!(decode(accept, true).map(|d| d.0), None);
        assert_eq!(decode("application/ld+JSON;profile=x", true), None);
        assert_eq!(
            decode("application/xhtml+xml,'+or+1=1--", true).map(|d| d.0),
            Some("application/xhtml xml,' or 1=1--".into())
        );
        assert!(decode("x/y+union", true).is_some());
        assert!(decode("/+xml", true).is_some());
        assert!(decode("a/b+xmlx", true).is_some());
    }

    #[test]
    fn entities_and_escapes() {
        let (t, f) = decode("&lt;img src=x onerror&#x3D;alert&lpar;1&rpar;&gt;", true).unwrap();
        assert_eq!(t, "<img src=x onerror=alert(1)>");
        assert_eq!(f, HTML);
        assert_eq!(decode("&#0000106avascript", true).unwrap().0, "javascript");
        assert_eq!(decode("\\u003cscript\\x3e", true).unwrap().0, "<script>");
        assert_eq!(decode("%26lt%3Bscript", true).unwrap().0, "<script");
        assert_eq!(decode("AT&T", true).map(|d| d.0), None);
        assert_eq!(decode("?ref=feed&lang=en", true).map(|d| d.0), None);
        // Every name, in any case.
        let names = "&LT;&gt;&amp;&quot;&apos;&Tab;&NewLine;&bsol;&colon;&semi;&nbsp;&lpar;&rpar;\
            &sol;&period;&comma;&excl;&equals;&plus;&grave;&lsqb;&rsqb;&lbrack;&rbrack;&lcub;\
            &rcub;&lbrace;&rbrace;&dollar;&percnt;&num;&ast;&quest;&commat;&vert;&lowbar;";
        let all = "<>&\"'\t\n\\:; ()/.,!=+`[][]{}{}$%#*?@|_";
        assert_eq!(decode(names, true).unwrap().0, all);
        // JavaScript octal where it spells ASCII; CSS hex otherwise.
        assert_eq!(decode("\\141lert(1)", true).unwrap().0, "alert(1)");
        assert_eq!(decode("\\74script\\76", true).unwrap().0, "tscriptv");
        assert_eq!(decode("\\1410", true).unwrap().0, "\u{1410}");
        assert_eq!(decode("\\400", true).unwrap().0, "\u{400}");
    }

    #[test]
    fn excerpts_are_short_escaped_and_partial() {
        let long = format!("{}' or 1=1--{}", "a".repeat(100), "b".repeat(100));
        let e = excerpt(&long, 100, 110);
        assert!(e.chars().count() <= 44, "{e}");
        assert!(e.contains("' or 1=1--"));
        assert!(e.contains('…'));
        let e = excerpt("line\r\nInjected: yes", 4, 6);
        assert!(e.contains("\\r\\n"), "{e}");
        let secret = "hunter2-is-my-password' or 1=1";
        assert_ne!(excerpt(secret, 0, secret.len()), secret);
    }

    #[test]
    fn iis_overlong_pairs_read_as_separators() {
        assert_eq!(
            decode("..%c1%1c..%c1%1cboot.ini", true)
                .map(|d| d.0)
                .as_deref(),
            Some("..\\..\\boot.ini")
        );
        assert_eq!(
            decode("..%c0%2fetc", true).map(|d| d.0).as_deref(),
            Some("../etc")
        );
        assert_eq!(
            decode("..%c0%qf..%c1%pc..%bg%qf..%c0%9v..%c1%8sx", true)
                .map(|d| d.0)
                .as_deref(),
            Some("../..\\../../..\\x")
        );
        assert_eq!(decode("20%go 50%of", true), None);
        // dotdotpwn's `%c0%5c`: the lead byte dropped, not `\x1c`; `%c0%6e` keeps its low
        // six bits, `.`.
        assert_eq!(
            decode("..%c0%5c%c0%6e%c0%6e%c0%5cwin.ini", true)
                .map(|d| d.0)
                .as_deref(),
            Some("..\\..\\win.ini")
        );
    }
}

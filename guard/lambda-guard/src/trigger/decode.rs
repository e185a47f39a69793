//! The protocol-level decodings a trigger applies to its payloads. Evasion-oriented normalization
//! (repeated URL decoding, entities, …) belongs to `inspect`, not here: the view shows what the
//! handler will see.

use super::Transforms;
use base64::Engine as _;
use std::borrow::Cow;

/// Standard base64 as Lambda uses it (`isBase64Encoded` bodies, Kinesis data, SQS binary
/// attributes); lenient on padding and trailing bits, as the decoders applications use.
pub(crate) fn base64(text: &str) -> Option<Vec<u8>> {
    lenient(text.trim().as_bytes(), false)
}

/// The bytes of a string that no trigger declares as base64 but that still is, long enough
/// to hide a payload: the standard alphabet or the URL-safe one (`-`, `_`: JWT segments, web
/// tokens), padded or not, `=` only at the end. Node's `Buffer.from(s, 'base64')` reads
/// both alphabets and no padding; Python's `urlsafe_b64decode` the URL-safe one. Callers walk
/// the decoded bytes in addition to the string as it is, so an application that decodes the
/// field is covered too. A UUID is hex, not base64, and is not read.
pub(crate) fn undeclared_base64(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    if b.len() < 16 {
        return None;
    }
    let body = b
        .strip_suffix(b"==")
        .or_else(|| b.strip_suffix(b"="))
        .unwrap_or(b);
    if (body.len() < b.len() && !b.len().is_multiple_of(4)) || body.len() % 4 == 1 {
        return None;
    }
    if uuid(b) {
        return None;
    }
    let mut seen = 0;
    for &c in body {
        let kind = B64[usize::from(c)];
        if kind == 0 {
            return None;
        }
        seen |= kind;
    }
    let url_safe = seen & B64_URL != 0;
    if url_safe && seen & B64_STANDARD != 0 {
        return None;
    }
    lenient(b, url_safe)
}

/// `b` decoded by [`STANDARD`] or [`URL_SAFE`]. Canonical padded text, which encoders write
/// (a 6 MB upload), goes through a SIMD decoder first, a sixth of the instructions;
/// what that one refuses, through the lenient one, which decodes canonical text to the same
/// bytes.
fn lenient(b: &[u8], url_safe: bool) -> Option<Vec<u8>> {
    let (simd, engine) = if url_safe {
        (base64_simd::URL_SAFE, &URL_SAFE)
    } else {
        (base64_simd::STANDARD, &STANDARD)
    };
    simd.decode_to_vec(b).ok().or_else(|| engine.decode(b).ok())
}

/// Decoders that take a payload with or without its padding, and with non-zero trailing bits
/// (Python's `b64decode` and Node's `Buffer.from` read them; a strict decoder refusing them
/// would leave the payload unread). Built once: a decoder builds its tables.
const LENIENT: base64::engine::GeneralPurposeConfig = base64::engine::GeneralPurposeConfig::new()
    .with_decode_allow_trailing_bits(true)
    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent);
static STANDARD: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
static URL_SAFE: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

const B64_ALNUM: u8 = 1;
const B64_STANDARD: u8 = 2;
const B64_URL: u8 = 4;

/// Which base64 alphabet each byte belongs to: both (letters, digits), the standard one only
/// (`+`, `/`), the URL-safe one only (`-`, `_`), neither (0).
static B64: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c.is_ascii_alphanumeric() {
            B64_ALNUM
        } else if c == b'+' || c == b'/' {
            B64_STANDARD
        } else if c == b'-' || c == b'_' {
            B64_URL
        } else {
            0
        };
        i += 1;
    }
    t
};

/// `8-4-4-4-12` hex digits.
fn uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b[8] == b'-'
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Bytes inflated per event at most, all payloads together (CloudWatch Logs batches are gzip;
/// a bomb, or hundreds of them in one batch, must not cost more than this). A payload cut at
/// this bound is marked [`Transforms::TRUNCATED`], and the inspector refuses the event.
pub(crate) const INFLATE_BUDGET: u64 = 16 << 20;

/// What decoded bytes turned out to be.
pub(crate) enum Payload {
    /// UTF-8 text without control characters other than tab, CR and LF.
    Text(String),
    /// Anything else (images, protobuf, encrypted data).
    Binary(Vec<u8>),
}

/// Classifies decoded bytes, first inflating a gzip or zlib stream to at most `limit` bytes.
/// Returns which of the two it was, if any (with [`Transforms::TRUNCATED`] when the stream
/// held more), and how many bytes inflating made.
pub(crate) fn payload(bytes: Vec<u8>, limit: u64) -> (Payload, Transforms, u64) {
    let (bytes, inflated) = match inflate(&bytes, limit) {
        Some(found) => found,
        None => (bytes, Transforms::NONE),
    };
    let made = if inflated == Transforms::NONE {
        0
    } else {
        bytes.len() as u64
    };
    let printable = |s: &str| {
        !s.chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    };
    let payload = match String::from_utf8(bytes) {
        Ok(s) if printable(&s) => Payload::Text(s),
        Ok(s) => Payload::Binary(s.into_bytes()),
        Err(e) => Payload::Binary(e.into_bytes()),
    };
    (payload, inflated, made)
}

/// UTF-16 or UTF-32 text, told apart as Python's `json.detect_encoding` does (`json.loads`
/// takes bytes in all five encodings): a byte-order mark, or ASCII first characters beside
/// their zero bytes (`{\0"\0` UTF-16 little-endian, `{\0\0\0` UTF-32). `None` unless every
/// unit decodes to a character that is not a control (tab, CR, LF aside).
pub(crate) fn wide_text(bytes: &[u8]) -> Option<(String, Transforms)> {
    let utf32 = match bytes {
        [0, 0, 0xfe, 0xff, rest @ ..] => Some((rest, true)),
        [0xff, 0xfe, 0, 0, rest @ ..] => Some((rest, false)),
        [0, 0, _, _, ..] => Some((bytes, true)),
        [a, 0, 0, 0, ..] if *a != 0 => Some((bytes, false)),
        _ => None,
    };
    if let Some((body, big)) = utf32 {
        if body.len() % 4 != 0 {
            return None;
        }
        let text = body
            .chunks_exact(4)
            .map(|u| {
                let u = [u[0], u[1], u[2], u[3]];
                let n = if big {
                    u32::from_be_bytes(u)
                } else {
                    u32::from_le_bytes(u)
                };
                char::from_u32(n).filter(|&c| text_char(c))
            })
            .collect::<Option<String>>()?;
        return Some((text, Transforms::UTF32));
    }
    utf16(bytes).map(|text| (text, Transforms::UTF16))
}

fn utf16(bytes: &[u8]) -> Option<String> {
    let (body, big) = match bytes {
        [0xff, 0xfe, rest @ ..] => (rest, false),
        [0xfe, 0xff, rest @ ..] => (rest, true),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => (bytes, false),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => (bytes, true),
        _ => return None,
    };
    if body.len() % 2 != 0 {
        return None;
    }
    let units = body.chunks_exact(2).map(|u| {
        if big {
            u16::from_be_bytes([u[0], u[1]])
        } else {
            u16::from_le_bytes([u[0], u[1]])
        }
    });
    char::decode_utf16(units)
        .map(|c| c.ok().filter(|&c| text_char(c)))
        .collect()
}

/// A character text holds: no control but tab and line breaks.
fn text_char(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

/// Quoted-printable (RFC 2045): `=XX` is a byte, `=` at a line end joins the lines.
pub(crate) fn quoted_printable(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
            let soft = &b[i + 1..];
            if soft.starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if soft.starts_with(b"\n") {
                i += 2;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// A header field's text with its RFC 2047 encoded words decoded (`=?utf-8?B?PHNjcmlwdD4=?=`,
/// `=?iso-8859-1?Q?caf=E9?=`), as mail parsers hand over a `Subject` or a sender's name, and
/// how they were encoded; `None` when it has none. Blanks between two encoded words go, as
/// the RFC says. Linear: every byte is looked at a bounded number of times.
pub(crate) fn encoded_words(text: &str) -> Option<(String, Transforms)> {
    let mut out = String::new();
    let mut how = Transforms::NONE;
    let mut rest = text;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let word = &rest[start..];
        // `=?charset?B?text?=`; a charset is a short token (RFC 2231 may add `*language`).
        let charset_len = word[2..].bytes().take(64).position(|c| c == b'?');
        let Some(charset_len) = charset_len.filter(|n| *n > 0) else {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            after_word = false;
            continue;
        };
        let charset = &word[2..2 + charset_len];
        let kind = word.as_bytes().get(3 + charset_len).copied();
        let opens = word.as_bytes().get(4 + charset_len) == Some(&b'?');
        let from = 5 + charset_len;
        let end = opens.then(|| word.get(from..)?.find("?=")).flatten();
        let Some(end) = end.map(|e| from + e) else {
            if opens {
                break; // No later word can close either.
            }
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            after_word = false;
            continue;
        };
        let encoded = &word[from..end];
        let decoded = match kind.map(|k| k.to_ascii_lowercase()) {
            Some(b'b') => STANDARD
                .decode(encoded)
                .ok()
                .map(|b| (b, Transforms::BASE64)),
            Some(b'q') => Some((
                quoted_printable(encoded.replace('_', " ").as_bytes()),
                Transforms::QUOTED_PRINTABLE,
            )),
            _ => None,
        };
        let gap = &rest[..start];
        match decoded {
            Some((bytes, enc)) => {
                if !(after_word && gap.bytes().all(|c| c.is_ascii_whitespace())) {
                    out.push_str(gap);
                }
                let latin1 = ["iso-8859-1", "latin1", "us-ascii", "windows-1252"]
                    .iter()
                    .any(|c| charset.eq_ignore_ascii_case(c));
                match std::str::from_utf8(&bytes) {
                    Ok(s) => out.push_str(s),
                    Err(_) if latin1 => out.extend(bytes.iter().map(|&b| char::from(b))),
                    Err(_) => out.push_str(&String::from_utf8_lossy(&bytes)),
                }
                how = how.with(enc);
                after_word = true;
            }
            None => {
                out.push_str(gap);
                out.push_str(&word[..end + 2]);
                after_word = false;
            }
        }
        rest = &word[end + 2..];
    }
    if how == Transforms::NONE {
        return None;
    }
    out.push_str(rest);
    Some((out, how))
}

/// A gzip stream (CloudWatch Logs, `Content-Encoding: gzip`) or a zlib one (what Node's
/// body parsers inflate for `Content-Encoding: deflate`), told by its header, inflated up to
/// `limit` bytes. A little more is read to tell a stream cut there from bytes that only
/// start like one (garbage after a valid header can inflate a few bytes before it fails).
fn inflate(bytes: &[u8], limit: u64) -> Option<(Vec<u8>, Transforms)> {
    use std::io::Read as _;
    let probe = limit.max(64) + 1;
    let mut out = Vec::new();
    let kind = match bytes {
        [0x1f, 0x8b, ..] => {
            let gz = flate2::read::MultiGzDecoder::new(bytes);
            gz.take(probe).read_to_end(&mut out).ok()?;
            Transforms::GZIP
        }
        // Deflate, a 32 KiB window, a header checksum that holds: `x\x01`, `x^`, `x\x9c`,
        // `x\xda` (text that starts so and does not inflate stays text).
        [0x78, flags, ..] if (0x7800 | u16::from(*flags)).is_multiple_of(31) => {
            let z = flate2::read::ZlibDecoder::new(bytes);
            z.take(probe).read_to_end(&mut out).ok()?;
            Transforms::ZLIB
        }
        _ => return None,
    };
    if out.len() as u64 > limit {
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        return Some((out, kind.with(Transforms::TRUNCATED)));
    }
    Some((out, kind))
}

/// The shortest printable run of binary data read as text: [`MIN_RUN`] bytes, unless the bytes
/// are the output of a compressor or a cipher (their histogram as flat as random bytes'), whose
/// printable runs are chance — 64 KB of random bytes hold about 800 runs of four or more, and
/// read as text they are quote breaks and shell chains. There a run must be longer than
/// chance makes one in [`CHANCE_RUNS`] payloads (11 bytes in 1 KB, 14 in 64 KB, 19 in 6 MB).
/// Binary of any other shape (a protobuf, MessagePack, a pickle, UTF-16) has its strings as
/// runs, read from four bytes on.
pub(crate) fn text_run_floor(bytes: &[u8]) -> usize {
    let n = bytes.len();
    if n < NOISE_FROM {
        return MIN_RUN;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = n as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum();
    // What random bytes measure on average at this length (the plug-in estimate falls short
    // of 8 bits by about 255 / (2 n ln 2)), less half a bit of slack.
    let random = 8.0 - 255.0 / (2.0 * n * std::f64::consts::LN_2);
    if entropy < random - 0.5 {
        return MIN_RUN;
    }
    let printable: u32 = (0..=u8::MAX)
        .filter(|&b| printable(b))
        .map(|b| counts[usize::from(b)])
        .sum();
    let p = (f64::from(printable) / n).clamp(0.01, 0.9);
    // Runs of `len` or more start at about `n p^len` places.
    let len = ((CHANCE_RUNS / n).ln() / p.ln()).ceil();
    (len as usize).clamp(MIN_RUN, 64)
}

/// The shortest printable run of binary data read as text.
pub(crate) const MIN_RUN: usize = 4;
/// How many chance runs a payload of cipher text may hold on average: one in ten payloads has
/// one, and few of those read as an attack (2 of 5,000 random payloads of 256 B to 64 KB were
/// refused; at 0.3 the 1 KB and the 64 KB ones began to be, one in 400 each).
const CHANCE_RUNS: f64 = 0.1;
/// Below this many bytes, chance runs are too rare to tell noise by (and a histogram too thin).
const NOISE_FROM: usize = 128;

/// The text fields of a protobuf message in wire format, read with no schema as
/// `protoc --decode_raw` reads it: each length-delimited field that is text (UTF-8, no control
/// character but tab and line breaks), nested messages read in turn. `None` unless all of
/// `bytes` parse as one message of at least one such field — which chance bytes do not: this
/// is how a string field is read whole beside cipher text (a blob field pads the message into
/// noise, and the string would otherwise be a chance-sized run). Two framings are taken off
/// first: the Kinesis Producer Library's aggregated records (a magic number, the message, its
/// MD5; every user record's data is a field), and Confluent's Schema Registry's (a zero byte,
/// a schema id, message indexes).
pub(crate) fn protobuf_text(bytes: &[u8]) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let kpl = bytes
        .strip_prefix(b"\xf3\x89\x9a\xc2")
        .and_then(|b| b.get(..b.len().checked_sub(16)?));
    if message_fields(kpl.unwrap_or(bytes), 0, &mut out) && !out.is_empty() {
        return Some(out);
    }
    out.clear();
    let framed = bytes.strip_prefix(b"\0").and_then(|b| b.get(4..))?;
    let (count, mut at) = varint(framed, 0)?;
    for _ in 0..count.min(64) {
        at = varint(framed, at)?.1;
    }
    (message_fields(&framed[at..], 0, &mut out) && !out.is_empty()).then_some(out)
}

/// Most nested messages read (protobuf's own default recursion limit is 100; a payload
/// nested deeper is read as runs).
const PROTOBUF_DEPTH: usize = 8;

/// Whether all of `b` is one message; its text fields are pushed to `out`.
fn message_fields<'b>(b: &'b [u8], depth: usize, out: &mut Vec<&'b str>) -> bool {
    if depth > PROTOBUF_DEPTH {
        return false;
    }
    let first = out.len();
    let mut at = 0;
    while at < b.len() {
        let Some((key, next)) = varint(b, at) else {
            break;
        };
        at = next;
        if key >> 3 == 0 || key >> 3 >= 1 << 29 {
            break;
        }
        // Where the field's bytes start (past a length) and end.
        let span = match key & 7 {
            0 => varint(b, at).map(|(_, e)| (e, e)),
            1 => at.checked_add(8).map(|e| (e, e)),
            5 => at.checked_add(4).map(|e| (e, e)),
            2 => varint(b, at).and_then(|(len, s)| Some((s, s.checked_add(len.try_into().ok()?)?))),
            _ => None, // groups (3, 4) are long deprecated; 6 and 7 are no wire type
        };
        let Some((start, end)) = span.filter(|&(_, e)| e <= b.len()) else {
            break;
        };
        if key & 7 == 2 {
            let field = &b[start..end];
            match std::str::from_utf8(field) {
                Ok(text) if text.chars().all(text_char) => {
                    if !text.is_empty() {
                        out.push(text);
                    }
                }
                // Bytes, or a nested message: read it if it is one.
                _ => {
                    let mark = out.len();
                    if !message_fields(field, depth + 1, out) {
                        out.truncate(mark);
                    }
                }
            }
        }
        at = end;
    }
    if at != b.len() {
        out.truncate(first);
        return false;
    }
    true
}

/// A piece of a MessagePack value that may hold text: a string, or the bytes of a `bin` or
/// `ext` (or of a string that is not text).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Packed<'b> {
    Text(&'b str),
    Bytes(&'b [u8]),
}

/// The strings and byte payloads of `bytes` read as one MessagePack map or array, as its
/// specification lays it out (every value states its type and length: no schema needed).
/// `None` unless all of `bytes` is one such value holding a string — which chance bytes do
/// not parse as. Like [`protobuf_text`], this is how a string is read whole beside cipher text
/// (a `bin` pads the value into noise), and how numbers and headers stay apart from the text
/// (small integers and the bytes of larger ones are printable: side by side, 64, 64 and three
/// 51s read as `@@333`).
pub(crate) fn messagepack(bytes: &[u8]) -> Option<Vec<Packed<'_>>> {
    matches!(bytes.first()?, 0x80..=0x9f | 0xdc..=0xdf)
        .then(|| whole(bytes, packed))
        .flatten()
}

/// The pieces of `bytes` when all of it is one item that `item` reads (from offset 0, depth 0)
/// and holds a string.
fn whole<'b>(
    bytes: &'b [u8],
    item: fn(&'b [u8], usize, usize, &mut Vec<Packed<'b>>) -> Option<usize>,
) -> Option<Vec<Packed<'b>>> {
    let mut out = Vec::new();
    let end = item(bytes, 0, 0, &mut out)?;
    (end == bytes.len() && out.iter().any(|p| matches!(p, Packed::Text(_)))).then_some(out)
}

/// Pushes a string or byte payload: text when `text` says it should be and it is (UTF-8, no
/// control character but tab and line breaks), bytes otherwise.
fn push_piece<'b>(payload: &'b [u8], text: bool, out: &mut Vec<Packed<'b>>) {
    match std::str::from_utf8(payload) {
        Ok(s) if text && s.chars().all(text_char) => {
            if !s.is_empty() {
                out.push(Packed::Text(s));
            }
        }
        _ => out.push(Packed::Bytes(payload)),
    }
}

/// The big-endian number in the `n` bytes at `at`, and where they end.
fn big_endian(b: &[u8], at: usize, n: usize) -> Option<(u64, usize)> {
    let bytes = b.get(at..at.checked_add(n)?)?;
    Some((
        bytes.iter().fold(0u64, |v, &c| v << 8 | u64::from(c)),
        at + n,
    ))
}

/// Containers nested deeper are not read as MessagePack (the bytes are read as runs).
const PACKED_DEPTH: usize = 32;

/// The value at `at`: its pieces pushed to `out`; where it ends.
fn packed<'b>(b: &'b [u8], at: usize, depth: usize, out: &mut Vec<Packed<'b>>) -> Option<usize> {
    let tag = *b.get(at)?;
    let at = at + 1;
    // A big-endian length of `n` bytes at `at`, and where it ends.
    let length = |n: usize| -> Option<(usize, usize)> {
        let (value, end) = big_endian(b, at, n)?;
        Some((usize::try_from(value).ok()?, end))
    };
    // (payload start, payload length, whether it is a string) or (items start, item count).
    let (start, len, text) = match tag {
        // Integers, nil, booleans.
        0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => return Some(at),
        0xcc | 0xd0 => return Some(at + 1).filter(|&e| e <= b.len()),
        0xcd | 0xd1 => return Some(at + 2).filter(|&e| e <= b.len()),
        0xca | 0xce | 0xd2 => return Some(at + 4).filter(|&e| e <= b.len()),
        0xcb | 0xcf | 0xd3 => return Some(at + 8).filter(|&e| e <= b.len()),
        0x80..=0x8f | 0x90..=0x9f | 0xdc..=0xdf => {
            let (count, items) = match tag {
                0x80..=0x8f => (2 * usize::from(tag & 0x0f), at),
                0x90..=0x9f => (usize::from(tag & 0x0f), at),
                0xdc => length(2)?,
                0xdd => length(4)?,
                0xde => length(2).map(|(n, e)| (2 * n, e))?,
                _ => length(4).and_then(|(n, e)| Some((n.checked_mul(2)?, e)))?,
            };
            // Each item takes a byte at least.
            if depth >= PACKED_DEPTH || count > b.len() - items {
                return None;
            }
            let mut end = items;
            for _ in 0..count {
                end = packed(b, end, depth + 1, out)?;
            }
            return Some(end);
        }
        0xa0..=0xbf => (at, usize::from(tag & 0x1f), true),
        0xd9 => length(1).map(|(n, e)| (e, n, true))?,
        0xda => length(2).map(|(n, e)| (e, n, true))?,
        0xdb => length(4).map(|(n, e)| (e, n, true))?,
        0xc4 => length(1).map(|(n, e)| (e, n, false))?,
        0xc5 => length(2).map(|(n, e)| (e, n, false))?,
        0xc6 => length(4).map(|(n, e)| (e, n, false))?,
        // `ext`: a type byte, then the data.
        0xd4 => (at + 1, 1, false),
        0xd5 => (at + 1, 2, false),
        0xd6 => (at + 1, 4, false),
        0xd7 => (at + 1, 8, false),
        0xd8 => (at + 1, 16, false),
        0xc7 => length(1).map(|(n, e)| (e + 1, n, false))?,
        0xc8 => length(2).map(|(n, e)| (e + 1, n, false))?,
        0xc9 => length(4).map(|(n, e)| (e + 1, n, false))?,
        _ => return None, // 0xc1 is never used
    };
    let end = start.checked_add(len)?;
    push_piece(b.get(start..end)?, text, out);
    Some(end)
}

/// The same pieces read from one CBOR map or array (RFC 8949; as self-describing as
/// MessagePack: WebAuthn's attestation objects, COSE, IoT telemetry). `None` unless all of
/// `bytes` is one definite-length map or array holding a text string.
pub(crate) fn cbor(bytes: &[u8]) -> Option<Vec<Packed<'_>>> {
    let head = *bytes.first()?;
    (matches!(head >> 5, 4 | 5) && head & 0x1f != 31)
        .then(|| whole(bytes, cbor_item))
        .flatten()
}

/// The data item at `at`: its pieces pushed to `out`; where it ends.
fn cbor_item<'b>(b: &'b [u8], at: usize, depth: usize, out: &mut Vec<Packed<'b>>) -> Option<usize> {
    let head = *b.get(at)?;
    let (major, info) = (head >> 5, head & 0x1f);
    let mut at = at + 1;
    // The argument: the value itself under 24, else in the next 1, 2, 4 or 8 bytes.
    let argument = match info {
        0..=23 => Some(u64::from(info)),
        24..=27 => {
            let (value, end) = big_endian(b, at, 1 << (info - 24))?;
            at = end;
            Some(value)
        }
        31 => None, // indefinite length
        _ => return None,
    };
    match (major, argument) {
        // Integers, simple values and floats: the argument was all of it.
        (0 | 1 | 7, Some(_)) => Some(at),
        (7, None) => None, // a break outside an indefinite item
        // Bytes and text, definite: the payload; indefinite: chunks of the same type to a break.
        (2 | 3, Some(len)) => {
            let end = at.checked_add(usize::try_from(len).ok()?)?;
            push_piece(b.get(at..end)?, major == 3, out);
            Some(end)
        }
        (2..=5, None) => {
            if depth >= PACKED_DEPTH {
                return None;
            }
            while *b.get(at)? != 0xff {
                at = cbor_item(b, at, depth + 1, out)?;
            }
            Some(at + 1)
        }
        (4 | 5, Some(n)) => {
            let count = usize::try_from(n)
                .ok()?
                .checked_mul(usize::from(major) - 3)?;
            // Each item takes a byte at least.
            if depth >= PACKED_DEPTH || count > b.len() - at {
                return None;
            }
            for _ in 0..count {
                at = cbor_item(b, at, depth + 1, out)?;
            }
            Some(at)
        }
        // A tag: the item it tags follows.
        (6, Some(_)) if depth < PACKED_DEPTH => cbor_item(b, at, depth + 1, out),
        _ => None,
    }
}

/// A base-128 varint at `at` (at most ten bytes): its value and where it ends.
fn varint(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &c) in b.get(at..)?.iter().take(10).enumerate() {
        value |= u64::from(c & 0x7f) << (7 * i);
        if c & 0x80 == 0 {
            return Some((value, at + i + 1));
        }
    }
    None
}

/// A byte `strings(1)` prints: printable ASCII or a tab.
const fn printable(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b < 0x7f)
}

/// [`printable`] of every byte: one load in the loops over a binary payload's bytes.
const PRINTABLE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = printable(b as u8);
        b += 1;
    }
    t
};

/// Where the printable run that holds `at` ends.
fn run_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| !PRINTABLE[usize::from(b)])
        .map_or(bytes.len(), |n| at + n)
}

/// The printable ASCII runs of binary data at least `min` long, as `strings(1)` shows them:
/// text an application may still read out of a binary payload. A run is looked for by its
/// last byte first: where the `min` bytes from a run's possible start hold a non-printable
/// one, no run that long starts before it, and the search goes on past it. No byte is read
/// more than twice, and of random bytes (where long runs are rare) mostly one in `min`.
pub(crate) fn printable_runs(bytes: &[u8], min: usize) -> impl Iterator<Item = &str> {
    let min = min.max(1);
    let mut from = 0;
    std::iter::from_fn(move || {
        // `bytes[start..known]` are printable.
        let (mut start, mut known) = (from, from);
        loop {
            let end = start + min;
            let window = bytes.get(known..end)?;
            match window.iter().rposition(|&b| !PRINTABLE[usize::from(b)]) {
                Some(q) => (start, known) = (known + q + 1, end),
                None => break,
            }
        }
        from = run_end(bytes, start + min);
        // Printable bytes are ASCII.
        std::str::from_utf8(&bytes[start..from]).ok()
    })
}

/// The runs [`printable_runs`] finds of [`MIN_RUN`] bytes or more that hold a code marker
/// ([`CODE_MARKERS`], the long ones only or all), found from the markers' first bytes
/// rather than run by run: most bytes of a media file are in no run worth reading.
pub(crate) fn code_runs(bytes: &[u8], long: bool) -> impl Iterator<Item = &str> {
    let markers = code_markers(long);
    let mut from = 0;
    std::iter::from_fn(move || loop {
        let at = from + memchr::memchr3(b'<', b'j', b'J', bytes.get(from..)?)?;
        // The second byte first: most candidates in random bytes fail there.
        let second = bytes.get(at + 1).map_or(0, u8::to_ascii_lowercase);
        if !markers
            .iter()
            .any(|m| m[1] == second && starts_with_ignore_case(&bytes[at..], m))
        {
            from = at + 1;
            continue;
        }
        // Markers are printable, so the marker lies in one run; the run may open before
        // `from` (candidates earlier in it were no marker), never before the last one found.
        let start = bytes[..at]
            .iter()
            .rposition(|&b| !PRINTABLE[usize::from(b)])
            .map_or(0, |p| p + 1);
        from = run_end(bytes, at);
        if from - start >= MIN_RUN {
            if let Ok(run) = std::str::from_utf8(&bytes[start..from]) {
                return Some(run);
            }
        }
    })
}

/// The runs of binary data read as text, in order: those of `floor` bytes or more
/// ([`text_run_floor`]) and shorter ones that open code (the long [`CODE_MARKERS`]).
pub(crate) fn text_runs(bytes: &[u8], floor: usize) -> impl Iterator<Item = &str> {
    let offset = |s: &&str| s.as_ptr() as usize;
    let mut long = printable_runs(bytes, floor).peekable();
    let mut code = code_runs(bytes, true).peekable();
    std::iter::from_fn(move || match (long.peek(), code.peek()) {
        (Some(l), Some(c)) if offset(c) < offset(l) => code.next(),
        (Some(l), Some(c)) => {
            if offset(c) == offset(l) {
                code.next();
            }
            long.next()
        }
        (Some(_), None) => long.next(),
        (None, _) => code.next(),
    })
}

fn starts_with_ignore_case(b: &[u8], prefix: &[u8]) -> bool {
    b.get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

/// Whether `bytes` open as a media file, a font, a document or an archive (told by its magic
/// number): compressed data whose printable runs are noise, not text an application reads.
pub(crate) fn media_file(bytes: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff", // JPEG
        b"GIF87a",
        b"GIF89a",
        b"RIFF",  // WebP, WAV, AVI
        b"II*\0", // TIFF
        b"MM\0*",
        b"\0\0\x01\0", // ICO
        b"8BPS",       // Photoshop
        b"%PDF-",
        b"PK\x03\x04", // ZIP: Office documents, JARs, wheels
        b"PK\x05\x06",
        b"wOFF",
        b"wOF2",
        b"\0\x01\0\0", // TrueType
        b"OTTO",
        b"ID3", // MP3
        b"OggS",
        b"fLaC",
        b"\x1a\x45\xdf\xa3", // Matroska, WebM
        b"7z\xbc\xaf\x27\x1c",
        b"BZh",
        b"\xfd7zXZ\0",
        b"\x28\xb5\x2f\xfd", // Zstandard
        b"Rar!\x1a\x07",
        b"\x1f\x8b", // gzip that did not inflate
        b"\x7fELF",
        b"\0asm",
    ];
    MAGIC.iter().any(|m| bytes.starts_with(m))
        || bytes.get(4..8) == Some(b"ftyp") // MP4, MOV, HEIC, AVIF
        || bytes.get(257..262) == Some(b"ustar") // tar
}

/// [`CODE_MARKERS`], or its long ones only.
fn code_markers(long: bool) -> &'static [&'static [u8]] {
    if long {
        &CODE_MARKERS[..LONG_MARKERS]
    } else {
        CODE_MARKERS
    }
}

/// What opens code a server or a browser would run if a file were served or included as a
/// page: PHP, ASP and JSP tags, a script element or URL (a web shell in an image's comment, a
/// GIF that is also a script). Three characters at least: random bytes spell two often. The
/// [`LONG_MARKERS`] long ones come first: five characters at least, which random bytes never
/// spell (the three-character tags turn up about once in 4 MB of them). Each opens with `<`
/// or `j` ([`code_runs`] looks for those), and its second byte is not a capital.
const CODE_MARKERS: &[&[u8]] = &[
    b"<?php",
    b"<script",
    b"javascript:",
    b"<?=",
    b"<%@",
    b"<%=",
    b"<% ",
];
const LONG_MARKERS: usize = 3;

/// The entry names of a ZIP archive, from its local file headers (`../../x` names write
/// outside the folder it is extracted to: Zip Slip).
pub(crate) fn zip_entry_names(bytes: &[u8]) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
    memchr::memmem::find_iter(bytes, b"PK\x03\x04")
        .take(MAX_ZIP_ENTRIES)
        .filter_map(move |at| {
            let header = bytes.get(at..at + 30)?;
            let len = usize::from(u16::from_le_bytes([header[26], header[27]]));
            let name = bytes.get(at + 30..at + 30 + len)?;
            (!name.is_empty()).then(|| String::from_utf8_lossy(name))
        })
}

/// Most entry names read from one archive.
const MAX_ZIP_ENTRIES: usize = 4096;

/// Most imports read from one pickle.
const MAX_PICKLE_IMPORTS: usize = 64;

/// The imports a binary pickle (protocol 2 to 5) makes, written as protocol 0 writes them
/// (`cposix\nsystem\n`), or `None` when `bytes` is not such a pickle or imports nothing:
/// `pickle.loads` imports each one and may call it. `GLOBAL` opcodes carry the names as text
/// lines, `STACK_GLOBAL` takes the two strings pushed last (memo opcodes may sit between).
pub(crate) fn pickle_imports(bytes: &[u8]) -> Option<String> {
    if !matches!(bytes, [0x80, 2..=5, ..]) {
        return None;
    }
    let name = |b: &[u8]| {
        !b.is_empty()
            && b.len() <= 128
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'))
    };
    let mut out = String::new();
    let mut imports = 0;
    // The last two strings pushed, whether they were pushed one after the other, and where
    // the last one ended (memo opcodes after it move that end).
    let mut strings: [&[u8]; 2] = [&[], &[]];
    let mut adjacent = false;
    let mut last_end = usize::MAX;
    let mut i = 2;
    while i < bytes.len() && imports < MAX_PICKLE_IMPORTS {
        let op = bytes[i];
        let string = match op {
            // SHORT_BINUNICODE, SHORT_BINSTRING, SHORT_BINBYTES: a one-byte length.
            0x8c | b'U' | b'C' => bytes.get(i + 1).map(|&n| (i + 2, usize::from(n))),
            // BINUNICODE, BINSTRING: a four-byte little-endian length.
            b'X' | b'T' => bytes.get(i + 1..i + 5).map(|n| {
                let n = u32::from_le_bytes([n[0], n[1], n[2], n[3]]);
                (i + 5, usize::try_from(n).unwrap_or(usize::MAX))
            }),
            _ => None,
        };
        let text = string.and_then(|(from, len)| bytes.get(from..from.checked_add(len)?));
        if let (Some(text), Some((from, _))) = (text, string) {
            adjacent = i == last_end;
            strings = [strings[1], text];
            last_end = from + text.len();
            i = last_end;
            continue;
        }
        match op {
            // FRAME and its eight-byte length.
            0x95 => i += 9,
            // MEMOIZE, BINPUT n: the stack is unchanged.
            0x94 | b'q' => {
                let next = i + if op == 0x94 { 1 } else { 2 };
                if i == last_end {
                    last_end = next;
                }
                i = next;
            }
            // STACK_GLOBAL right after two strings.
            0x93 if adjacent && i == last_end && name(strings[0]) && name(strings[1]) => {
                write_import(&mut out, strings[0], strings[1]);
                imports += 1;
                i += 1;
            }
            // GLOBAL: `module\nname\n`.
            b'c' => {
                // Two names of 128 bytes at most: a bounded window keeps a run of `c` linear.
                let window = &bytes[i + 1..bytes.len().min(i + 260)];
                let mut lines = window.splitn(3, |&c| c == b'\n');
                match (lines.next(), lines.next(), lines.next()) {
                    (Some(m), Some(n), Some(_)) if name(m) && name(n) => {
                        write_import(&mut out, m, n);
                        imports += 1;
                        i += m.len() + n.len() + 3;
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    (!out.is_empty()).then_some(out)
}

fn write_import(out: &mut String, module: &[u8], name: &[u8]) {
    out.push('c');
    out.push_str(&String::from_utf8_lossy(module));
    out.push('\n');
    out.push_str(&String::from_utf8_lossy(name));
    out.push('\n');
}

/// One pass of `application/x-www-form-urlencoded` decoding (`+` is a space), as S3 encodes
/// object keys and browsers encode forms and query strings.
pub(crate) fn form_component(text: &str) -> Cow<'_, str> {
    if !text.bytes().any(|b| b == b'%' || b == b'+') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(percent_component(&text.replace('+', " ")).into_owned())
}

/// Percent-decoding alone, as cookie parsers (`decodeURIComponent`) and routers decode: a
/// `+` stays a `+`.
pub(crate) fn percent_component(text: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy()
}

/// Splits a query string or form body into decoded `(name, value)` pairs.
pub(crate) fn form_pairs(text: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    text.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (form_component(k), form_component(v))
    })
}

/// Whether a parameter name holds what no client writes in one: markup, a quote, a
/// parenthesis, a blank, or `#` and `;` (an entity reference `&#x41;` cut at its `&`). Form
/// encoders escape all of these; a browser never sends a raw `#` in a query at all.
pub(crate) fn odd_name(name: &str) -> bool {
    name.bytes().any(|b| {
        matches!(
            b,
            b'<' | b'>' | b'"' | b'\'' | b'`' | b'(' | b')' | b' ' | b'\t' | b'#' | b';'
        )
    })
}

/// The decoded name of a `name=value` piece of a query or form.
fn piece_name(piece: &str) -> Cow<'_, str> {
    form_component(piece.split_once('=').map_or(piece, |(n, _)| n))
}

/// Values a raw `&` of their own cut short: each piece of a query or form whose name is odd
/// ([`odd_name`]) continues the value before it (`q=<img src=j&#X41vascript:…>` is the
/// parameter `q` and the piece `#X41vascript:…>`). Yields the name the value belongs to and
/// the value rejoined through its odd pieces, decoded; a text that opens with odd pieces is
/// rejoined from its start. At most 64 per text.
pub(crate) fn continued_values(text: &str) -> Vec<(String, String)> {
    // Most queries and forms have none: one pass, no allocation, before any bookkeeping.
    if !text.split('&').skip(1).any(|p| odd_name(&piece_name(p))) {
        return Vec::new();
    }
    let mut pieces = Vec::new();
    let mut at = 0;
    for piece in text.split('&') {
        pieces.push(at..at + piece.len());
        at += piece.len() + 1;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < pieces.len() && out.len() < 64 {
        let base = &text[pieces[i].clone()];
        let mut last = i;
        while pieces
            .get(last + 1)
            .is_some_and(|p| odd_name(&piece_name(&text[p.clone()])))
        {
            last += 1;
        }
        if last > i {
            let name = piece_name(base);
            let opens_odd = i == 0 && (base.is_empty() || odd_name(&name));
            let from = match base.split_once('=') {
                _ if opens_odd => 0,
                Some((n, _)) => pieces[i].start + n.len() + 1,
                None => pieces[i].end,
            };
            let joined = form_component(&text[from..pieces[last].end]).into_owned();
            out.push((name.into_owned(), joined));
        }
        i = last + 1;
    }
    out
}

/// Whether a string plausibly carries a JSON document (checked before paying for a parse).
pub(crate) fn looks_like_json(text: &str) -> bool {
    let t = text.trim_start();
    (t.starts_with('{') || t.starts_with('[')) && t.len() >= 2
}

/// Bytes as a cipher or a compressor leaves them, every value equally likely (an LCG's high
/// bytes), from `seed`: for tests.
#[cfg(test)]
pub(crate) fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 56) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn encoded_words_are_decoded_as_mail_parsers_do() {
        let d = |s: &str| encoded_words(s).map(|(t, how)| (t, how.names().collect::<Vec<_>>()));
        assert_eq!(
            d("=?UTF-8?b?PHNjcmlwdD4=?= =?utf-8?q?=3C/script=3E?=").unwrap(),
            (
                "<script></script>".to_owned(),
                vec!["base64", "quoted_printable"]
            )
        );
        // Text between words stays; a word without its padding is read (lenient base64).
        assert_eq!(d("Re: =?utf-8?B?aGk?= there").unwrap().0, "Re: hi there");
        assert_eq!(d("=?koi8-r?B?/w==?=").unwrap().0, "\u{fffd}");
        // Not encoded words: left alone.
        for plain in [
            "Hello",
            "a =? b ?= c",
            "=??B?aGk=?=",
            "=?utf-8?X?aGk=?=",
            "=?utf-8?B?aGk",
            "=?",
        ] {
            assert_eq!(d(plain), None, "{plain}");
        }
        // A broken word among good ones is kept as it is.
        assert_eq!(
            d("=?utf-8?B?!!?= =?utf-8?B?aGk=?=").unwrap().0,
            "=?utf-8?B?!!?= hi"
        );
    }

    #[test]
    fn pickles_imports_are_read_in_every_binary_protocol() {
        // `pickle.dumps` of an object whose `__reduce__` returns `(os.system, ('id',))`.
        let protocol_2 = b"\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.";
        let protocol_4 = b"\x80\x04\x95\x1d\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94R\x94.";
        for bytes in [&protocol_2[..], &protocol_4[..]] {
            assert_eq!(pickle_imports(bytes).as_deref(), Some("cposix\nsystem\n"));
        }
        // Data only (a list of strings), not a pickle, strings far apart.
        let data =
            b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00]\x94(\x8c\x01a\x94\x8c\x01b\x94e.";
        assert_eq!(pickle_imports(data), None);
        assert_eq!(pickle_imports(b"cposix\nsystem\n"), None);
        let apart = b"\x80\x04\x8c\x02os\x94K\x01\x8c\x06system\x94\x93";
        assert_eq!(pickle_imports(apart), None);
        // A megabyte of `c` bytes (each read in a bounded window) imports nothing.
        let mut hostile = b"\x80\x04".to_vec();
        hostile.extend(b"c".repeat(1 << 20));
        assert_eq!(pickle_imports(&hostile), None);
    }

    #[test]
    fn s3_keys_use_plus_for_space() {
        assert_eq!(form_component("my+file%2Bv2.txt"), "my file+v2.txt");
        assert!(matches!(form_component("plain.txt"), Cow::Borrowed(_)));
    }

    #[test]
    fn base64_accepts_missing_padding_and_rejects_garbage() {
        assert_eq!(base64("aGk").as_deref(), Some(&b"hi"[..]));
        assert_eq!(base64("aGk=").as_deref(), Some(&b"hi"[..]));
        assert!(base64("not base64!").is_none());
    }

    #[test]
    fn binary_is_told_from_text_and_read_as_runs() {
        assert!(
            matches!(payload(b"caf\xc3\xa9\n".to_vec(), INFLATE_BUDGET).0, Payload::Text(t) if t == "caf\u{e9}\n")
        );
        let (Payload::Binary(bytes), Transforms::NONE, 0) =
            payload(b"\x00\x01*A' OR 1=1--\xff".to_vec(), INFLATE_BUDGET)
        else {
            panic!("binary expected");
        };
        assert_eq!(
            printable_runs(&bytes, 4).collect::<Vec<_>>(),
            ["*A' OR 1=1--"]
        );
        assert!(matches!(
            payload(b"a\x00b".to_vec(), INFLATE_BUDGET).0,
            Payload::Binary(_)
        ));
    }

    #[test]
    fn chance_runs_are_told_by_the_histogram() {
        // Cipher text: the floor grows with the length, as chance runs do.
        let floors: Vec<usize> = [100, 128, 1 << 10, 64 << 10, 6 << 20]
            .iter()
            .zip(1..)
            .map(|(&n, seed)| text_run_floor(&noise(seed, n)))
            .collect();
        // One sample each: its printable share moves the floor by a byte either way.
        let expected = [MIN_RUN..=MIN_RUN, 6..=9, 10..=12, 13..=15, 18..=20];
        for (floor, range) in floors.iter().zip(expected) {
            assert!(range.contains(floor), "{floors:?}");
        }
        // Compressed text is as flat.
        let text = include_bytes!("decode.rs");
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut z, text).unwrap();
        let deflated = z.finish().unwrap();
        assert!(text_run_floor(&deflated) >= 12, "{}", deflated.len());
        // Text, UTF-16 text and binary holding text are read from four bytes on.
        let wide: Vec<u8> = "Grüße, 世界 — "
            .repeat(40)
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut framed = Vec::new();
        for i in 0..200u8 {
            framed.extend_from_slice(&[0x0a, 6, i, 0x12]);
            framed.extend_from_slice(b"value");
        }
        for bytes in [&text[..], &wide, &framed] {
            assert_eq!(text_run_floor(bytes), MIN_RUN);
        }
    }

    /// The strings among MessagePack or CBOR pieces.
    fn packed_texts<'b>(pieces: &[super::Packed<'b>]) -> Vec<&'b str> {
        let text = |p: &super::Packed<'b>| match *p {
            super::Packed::Text(t) => Some(t),
            super::Packed::Bytes(_) => None,
        };
        pieces.iter().filter_map(text).collect()
    }

    #[test]
    fn cbor_strings_are_read_whole_and_apart_from_numbers() {
        use super::{cbor, Packed};
        let blob = noise(13, 65536);
        // {"n": 64, "pad": bytes(blob), "tags": ["' OR 1=1--", 1.5], "t": 1(1700000000),
        //  "parts": (_ "| i", "d")}: an indefinite text of two chunks.
        let c = [
            &[0xa5, 0x61, b'n', 0x18, 0x40, 0x63, b'p', b'a', b'd', 0x5a][..],
            &(blob.len() as u32).to_be_bytes(),
            &blob,
            &[0x64, b't', b'a', b'g', b's', 0x82, 0x6a],
            b"' OR 1=1--",
            &[0xfb],
            &1.5f64.to_be_bytes(),
            &[0x61, b't', 0xc1, 0x1a, 0x65, 0x53, 0xf1, 0x00],
            &[
                0x65, b'p', b'a', b'r', b't', b's', 0x7f, 0x63, b'|', b' ', b'i',
            ],
            &[0x61, b'd', 0xff],
        ]
        .concat();
        let pieces = cbor(&c).unwrap();
        let texts = packed_texts(&pieces);
        assert_eq!(
            texts,
            ["n", "pad", "tags", "' OR 1=1--", "t", "parts", "| i", "d"]
        );
        assert!(pieces.contains(&Packed::Bytes(&blob)));
        // Noise, a truncated item, trailing bytes, a map with no text, an indefinite map at
        // the top, a stray break and plain text are not read as CBOR.
        assert_eq!(cbor(&blob), None);
        assert_eq!(cbor(&c[..c.len() - 1]), None);
        assert_eq!(cbor(&[&c[..], b"x"].concat()), None);
        assert_eq!(cbor(&[0xa1, 0x01, 0x02]), None);
        assert_eq!(cbor(&[0xbf, 0x61, b'a', 0x01, 0xff]), None);
        assert_eq!(cbor(&[0x82, 0x61, b'a', 0xff]), None);
        assert_eq!(cbor(b"plain text"), None);
        // Nor an array that claims more items than it has bytes.
        assert_eq!(
            cbor(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x61, b'x']),
            None
        );
    }

    #[test]
    fn messagepack_strings_are_read_whole_and_apart_from_numbers() {
        use super::{messagepack, Packed};
        let blob = noise(12, 65536);
        // {"id": 64, "name": "@@", "pad": bin32(blob), "tags": ["' OR 1=1--", 1.5],
        //  "when": timestamp ext, "raw": str with a NUL}
        let mut m = vec![0x86, 0xa2, b'i', b'd', 0x40, 0xa4];
        m.extend(b"name");
        m.extend([0xa2, b'@', b'@', 0xa3]);
        m.extend(b"pad");
        m.push(0xc6);
        m.extend((blob.len() as u32).to_be_bytes());
        m.extend(&blob);
        m.extend([0xa4, b't', b'a', b'g', b's', 0x92, 0xaa]);
        m.extend(b"' OR 1=1--");
        m.push(0xcb);
        m.extend(1.5f64.to_be_bytes());
        m.extend([0xa4, b'w', b'h', b'e', b'n', 0xd6, 0xff, 0, 0, 0, 1]);
        m.extend([0xa3, b'r', b'a', b'w', 0xd9, 3, b'a', 0, b'b']);
        let pieces = messagepack(&m).unwrap();
        let texts = packed_texts(&pieces);
        assert_eq!(
            texts,
            [
                "id",
                "name",
                "@@",
                "pad",
                "tags",
                "' OR 1=1--",
                "when",
                "raw"
            ]
        );
        assert!(pieces.contains(&Packed::Bytes(&blob)));
        assert!(pieces.contains(&Packed::Bytes(b"a\0b")));
        // Noise, a truncated value, trailing bytes, a map with no string, a bare string and
        // plain text are not read as MessagePack.
        assert_eq!(messagepack(&blob), None);
        assert_eq!(messagepack(&m[..m.len() - 1]), None);
        assert_eq!(messagepack(&[&m[..], b"x"].concat()), None);
        assert_eq!(messagepack(&[0x81, 0x01, 0x02]), None);
        assert_eq!(messagepack(b"\xa3abc"), None);
        assert_eq!(messagepack(b"plain text"), None);
        // Nor an array that claims more items than it has bytes.
        assert_eq!(
            messagepack(&[0xdd, 0xff, 0xff, 0xff, 0xff, 0xa1, b'x']),
            None
        );
    }

    #[test]
    fn protobuf_strings_are_read_whole_beside_any_bytes() {
        let blob = noise(11, 4096);
        // message { bytes avatar = 1; string name = 2; int32 count = 3;
        //           Inner inner = 4 { string note = 1 } }
        let field = |key: u8, v: &[u8]| {
            let mut f = vec![key];
            let mut len = v.len();
            while len >= 0x80 {
                f.push((len as u8) | 0x80);
                len >>= 7;
            }
            f.push(len as u8);
            f.extend_from_slice(v);
            f
        };
        let inner = field(0x0a, b"| id");
        let mut msg = field(0x0a, &blob);
        msg.extend(field(0x12, b"' OR 1=1--"));
        msg.extend([0x18, 0x96, 0x01]); // int32 = 150
        msg.extend(field(0x22, &inner));
        assert_eq!(protobuf_text(&msg), Some(vec!["' OR 1=1--", "| id"]));
        // Behind Confluent's framing: magic byte, schema id, message index list `[0]`.
        let mut framed = vec![0, 0, 0, 0, 42, 0];
        framed.extend_from_slice(&msg);
        assert_eq!(protobuf_text(&framed), Some(vec!["' OR 1=1--", "| id"]));
        // A KPL aggregate: magic, AggregatedRecord { partition_key_table, records { data } },
        // MD5 (not checked).
        let mut kpl = b"\xf3\x89\x9a\xc2".to_vec();
        kpl.extend(field(0x0a, b"pk-1"));
        let mut rec = vec![0x08, 0x00];
        rec.extend(field(0x1a, br#"{"q":"<script>"}"#));
        kpl.extend(field(0x1a, &rec));
        kpl.extend([0u8; 16]);
        assert_eq!(
            protobuf_text(&kpl),
            Some(vec!["pk-1", r#"{"q":"<script>"}"#])
        );
        // Noise, a truncated message and plain text are no message.
        assert_eq!(protobuf_text(&blob), None);
        assert_eq!(protobuf_text(&msg[..msg.len() - 1]), None);
        assert_eq!(protobuf_text(b"plain text"), None);
    }

    #[test]
    fn utf16_and_utf32_text_is_read_both_ways_round() {
        let le: Vec<u8> =
            r#"{"q":"' OR 1=1--"}"#.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = "\u{feff}<script>"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(utf16(&le).as_deref(), Some(r#"{"q":"' OR 1=1--"}"#));
        assert_eq!(utf16(&be).as_deref(), Some("<script>"));
        assert!(
            matches!(payload(le.clone(), INFLATE_BUDGET).0, Payload::Binary(_)),
            "UTF-16 is not UTF-8 text"
        );
        // Odd lengths, lone surrogates, control characters and plain binary are not text.
        assert_eq!(utf16(b"a\0b\0c"), None);
        assert_eq!(utf16(&[0xff, 0xfe, 0x00, 0xd8, b'a', 0]), None);
        assert_eq!(utf16(b"a\0\x01\0"), None);
        assert_eq!(utf16(b"\x89PNG\r\n\x1a\n"), None);
        let text = r#"{"q":"<svg onload=alert(1)>"}"#;
        let le32: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        let be32: Vec<u8> = "\u{feff}é"
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        assert_eq!(wide_text(&le32), Some((text.to_owned(), Transforms::UTF32)));
        assert_eq!(wide_text(&be32), Some(("é".to_owned(), Transforms::UTF32)));
        assert_eq!(
            wide_text(&le),
            Some((r#"{"q":"' OR 1=1--"}"#.to_owned(), Transforms::UTF16))
        );
        // Not a multiple of four, a unit past U+10FFFF, a control: not text.
        assert_eq!(wide_text(b"a\0\0\0b\0"), None);
        assert_eq!(wide_text(&[b'a', 0, 0, 0, 0, 0, 0x11, 0]), None);
        assert_eq!(wide_text(&[b'a', 0, 0, 0, 1, 0, 0, 0]), None);
    }

    #[test]
    fn quoted_printable_bytes_and_soft_breaks() {
        assert_eq!(
            quoted_printable(b"=3Cscript=3E al=\r\nert(1)=3d"),
            b"<script> alert(1)="
        );
        assert_eq!(quoted_printable(b"a=ZZ=\nb="), b"a=ZZb=");
    }

    #[test]
    fn gzip_is_inflated() {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(br#"{"logEvents":[{"message":"hi"}]}"#)
            .unwrap();
        let (Payload::Text(t), Transforms::GZIP, 32) =
            payload(gz.finish().unwrap(), INFLATE_BUDGET)
        else {
            panic!("gzip text expected");
        };
        assert!(t.contains("logEvents"));
        assert!(inflate(&[0x1f, 0x8b, 0, 0], INFLATE_BUDGET).is_none());
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(b"q=' or 1=1--").unwrap();
        let zlib = z.finish().unwrap();
        let (Payload::Text(t), Transforms::ZLIB, 12) = payload(zlib.clone(), INFLATE_BUDGET) else {
            panic!("zlib text expected");
        };
        assert_eq!(t, "q=' or 1=1--");
        // Past the limit: cut there, and said so.
        let (Payload::Text(t), how, 5) = payload(zlib, 5) else {
            panic!("cut text expected");
        };
        assert_eq!(
            (t.as_str(), how),
            ("q=' o", Transforms::ZLIB.with(Transforms::TRUNCATED))
        );
        // Text that only looks like a zlib header stays text.
        assert!(matches!(
            payload(b"x^2 + y^2".to_vec(), 0),
            (Payload::Text(_), Transforms::NONE, 0)
        ));
    }

    #[test]
    fn declared_base64_with_trailing_bits_is_read_as_applications_read_it() {
        // `…Png=` with its last character's two spare bits set: Python and Node decode it.
        assert_eq!(
            base64("PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pnh=").as_deref(),
            Some(&b"<script>alert(1)</script>x"[..])
        );
    }

    #[test]
    fn undeclared_base64_is_read_in_either_alphabet_padded_or_not() {
        let text = |s: &str| undeclared_base64(s).map(|b| String::from_utf8(b).unwrap());
        assert_eq!(
            text("eyJ1c2VyIjoiYWRtaW4ifQ==").as_deref(),
            Some("{\"user\":\"admin\"}")
        );
        // Unpadded, as Node's `Buffer.from(s, 'base64')` and JWT segments take it.
        assert_eq!(
            text("eyJ1c2VyIjoiYWRtaW4ifQ").as_deref(),
            Some("{\"user\":\"admin\"}")
        );
        // URL-safe: `?>` is `Pz4`, `-` where the standard alphabet has `+`.
        assert_eq!(
            text("PD94bWwgPz4-PHg-PC94Pg").as_deref(),
            Some("<?xml ?>><x></x>")
        );
        for not in [
            "aGk=",                                      // too short to hide a payload
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig0", // dots: a whole token, not one segment
            "plain words here",
            "5b1c2a8e-9c1f-4e0b-8a53-1d2f3e4a5b6c", // a UUID
            "abc+def-ghi/jkl_mno",                  // both alphabets
            "eyJ1c2VyIjoiYWRtaW4ifQ=",              // padding that does not fit
            "abcdefghijklmnopq",                    // 4n + 1 characters: not base64
        ] {
            assert!(undeclared_base64(not).is_none(), "{not}");
        }
    }

    #[test]
    fn values_a_raw_ampersand_cut_are_rejoined() {
        let c = |t: &str| continued_values(t);
        let pair = |n: &str, v: &str| (n.to_owned(), v.to_owned());
        assert_eq!(
            c("a=1&q=%3Cimg%20src=j&#X41vascript:alert('x')%3E&page=2"),
            [pair("q", "<img src=j&#X41vascript:alert('x')>")]
        );
        // Entities cut at each `&`, from the text's start.
        assert_eq!(
            c("&quot;abc&quot; /* note */"),
            [pair("", "&quot;abc&quot; /* note */")]
        );
        assert_eq!(c("x=&lt;b&gt;"), [pair("x", "&lt;b&gt;")]);
        // Parameters a client writes pass as they are.
        assert!(c("a=1&b=2&filter[x]=y&$top=5&c=").is_empty());
        assert!(c("no ampersand (at all)").is_empty());
    }

    #[test]
    fn form_pairs_decode_both_sides() {
        let pairs: Vec<_> = form_pairs("a=1&b%5B%24ne%5D=x+y&flag").collect();
        assert_eq!(pairs[1], (Cow::from("b[$ne]"), Cow::from("x y")));
        assert_eq!(pairs[2], (Cow::from("flag"), Cow::from("")));
    }

    /// Whether `run` holds a code marker (the long ones only, or all), searched run by run:
    /// what [`code_runs`] finds from the markers' first bytes.
    fn code_marker(run: &str, long: bool) -> bool {
        let b = run.as_bytes();
        code_markers(long)
            .iter()
            .any(|m| b.windows(m.len()).any(|w| w.eq_ignore_ascii_case(m)))
    }

    /// `bytes` drawn from the bytes runs and markers are made of, with markers spliced in.
    fn runs_input() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            proptest::collection::vec(
                prop_oneof![
                    Just(0u8),
                    Just(b'\t'),
                    Just(b'<'),
                    Just(b'j'),
                    Just(b'J'),
                    any::<u8>()
                ],
                0..12
            ),
            proptest::sample::select(CODE_MARKERS).prop_map(<[u8]>::to_vec),
            Just(b"<SCRIPT".to_vec()),
            Just(b"JavaScript:".to_vec()),
        ];
        proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn runs_are_the_printable_segments(bytes in runs_input(), min in 1usize..8) {
            let split: Vec<&str> = bytes
                .split(|&b| !printable(b))
                .filter(|run| run.len() >= min)
                .filter_map(|run| std::str::from_utf8(run).ok())
                .collect();
            prop_assert_eq!(printable_runs(&bytes, min).collect::<Vec<_>>(), split);
        }

        /// The SIMD decoder is a fast path only: what it decodes, the lenient decoder decodes
        /// to the same bytes, and what it refuses falls through to the lenient one.
        #[test]
        fn base64_fast_path_decodes_as_the_lenient_decoder(
            text in "[A-Za-z0-9+/=_ -]{0,70}",
            bytes in proptest::collection::vec(any::<u8>(), 0..70),
            url_safe: bool,
        ) {
            use base64::Engine as _;
            let encoded = if url_safe {
                base64::engine::general_purpose::URL_SAFE.encode(&bytes)
            } else {
                base64::engine::general_purpose::STANDARD.encode(&bytes)
            };
            let engine = if url_safe { &URL_SAFE } else { &STANDARD };
            for t in [text.as_bytes(), encoded.as_bytes()] {
                prop_assert_eq!(lenient(t, url_safe), engine.decode(t).ok());
            }
            prop_assert_eq!(lenient(encoded.as_bytes(), url_safe), Some(bytes));
        }

        #[test]
        fn code_runs_are_the_runs_with_a_marker(bytes in runs_input(), long: bool) {
            let filtered: Vec<&str> = printable_runs(&bytes, MIN_RUN)
                .filter(|r| code_marker(r, long))
                .collect();
            prop_assert_eq!(code_runs(&bytes, long).collect::<Vec<_>>(), filtered);
        }

        #[test]
        fn text_runs_are_the_long_runs_and_those_with_code(
            bytes in runs_input(),
            floor in MIN_RUN..12,
        ) {
            let filtered: Vec<&str> = printable_runs(&bytes, MIN_RUN)
                .filter(|r| r.len() >= floor || code_marker(r, true))
                .collect();
            prop_assert_eq!(text_runs(&bytes, floor).collect::<Vec<_>>(), filtered);
        }
    }
}

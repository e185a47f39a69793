//! Streaming walk of a JSON document carried in a string (SQS bodies, SNS messages, HTTP
//! bodies): keys and string values are handed to a [`Sink`] as they are parsed, with no tree
//! built and strings without escapes borrowed from the input.
//!
//! The walk and the check that the text is one document are one pass. It accepts exactly what
//! `serde_json::from_str::<Value>` accepts (RFC 8259, escapes validated and surrogates paired,
//! numbers that fit an `f64`, nesting under 128 levels, nothing but blanks after the value;
//! the tests hold the two side by side). A text that turns out not to be a document has had
//! the strings before its error walked; [`walk`] says so, and the caller walks the text whole
//! as well, as it walks any string. Findings in that prefix stand: they are in the text.
//!
//! Hand-written rather than serde's deserializer driven by a visitor: this is the hot loop of
//! every large body, and the visitor's per-token dispatch cost about as much as inspecting the
//! values it found.
//!
//! One difference from walking a parsed `Value`: a key repeated in one object is visited at
//! each occurrence, where the tree kept only the last value. Parsers disagree on which one an
//! application sees, so every one is inspected.

/// What a walk reports, in document order.
pub(crate) trait Sink {
    /// Where the sink's path stood before a step.
    type Mark;
    /// An object member's key: extends the path (returns the mark to restore) and visits the key.
    fn key(&mut self, key: &str) -> Self::Mark;
    /// An array item: extends the path, returns the mark to restore.
    fn index(&mut self, index: usize) -> Self::Mark;
    /// Restores the path to `mark`.
    fn leave(&mut self, mark: Self::Mark);
    /// A string value.
    fn string(&mut self, text: &str);
    /// An array of at least four byte values (`[104, 105, …]`, Kafka header values), after its
    /// items were walked.
    fn byte_array(&mut self, bytes: Vec<u8>);
}

/// Walks `text` into `sink`; whether it was one JSON document (`serde_json::from_str::<Value>`
/// accepts it). When not, the walk stopped at the error.
pub(crate) fn walk(text: &str, sink: &mut impl Sink) -> bool {
    let mut p = Parser {
        text,
        at: 0,
        scratch: String::new(),
    };
    p.value(sink, DEPTH).is_some() && p.blank() == text.len()
}

/// Containers a document may nest, plus one: serde_json's recursion limit.
const DEPTH: u8 = 128;

/// What a value was, as far as its parent array needs to know.
enum Item {
    Byte(u8),
    Other,
}

/// Where a string's text is: in the input, or decoded into the scratch buffer.
enum Str {
    Raw(usize, usize),
    Decoded,
}

struct Parser<'t> {
    text: &'t str,
    at: usize,
    scratch: String,
}

impl<'t> Parser<'t> {
    fn bytes(&self) -> &'t [u8] {
        self.text.as_bytes()
    }

    /// Skips blanks; the position of the next byte.
    fn blank(&mut self) -> usize {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes().get(self.at) {
            self.at += 1;
        }
        self.at
    }

    /// The next byte past blanks, consumed.
    fn next(&mut self) -> Option<u8> {
        let b = *self.bytes().get(self.blank())?;
        self.at += 1;
        Some(b)
    }

    /// `None` on a syntax error (the walk stops there).
    fn value(&mut self, sink: &mut impl Sink, depth: u8) -> Option<Item> {
        match self.next()? {
            b'"' => {
                let s = self.string()?;
                sink.string(self.str(&s));
                Some(Item::Other)
            }
            b'{' => self.object(sink, depth.checked_sub(1).filter(|d| *d > 0)?),
            b'[' => self.array(sink, depth.checked_sub(1).filter(|d| *d > 0)?),
            b't' => self.word(b"rue"),
            b'f' => self.word(b"alse"),
            b'n' => self.word(b"ull"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn word(&mut self, rest: &[u8]) -> Option<Item> {
        let end = self.at + rest.len();
        (self.bytes().get(self.at..end)? == rest).then(|| {
            self.at = end;
            Item::Other
        })
    }

    fn object(&mut self, sink: &mut impl Sink, depth: u8) -> Option<Item> {
        let mut first = true;
        loop {
            match self.next()? {
                b'}' if first => return Some(Item::Other),
                b'"' => {}
                _ => return None,
            }
            let key = self.string()?;
            let mark = sink.key(self.str(&key));
            let value = (self.next() == Some(b':'))
                .then(|| self.value(sink, depth))
                .flatten();
            sink.leave(mark);
            value?;
            match self.next()? {
                b',' => first = false,
                b'}' => return Some(Item::Other),
                _ => return None,
            }
        }
    }

    fn array(&mut self, sink: &mut impl Sink, depth: u8) -> Option<Item> {
        // Byte values are collected while every item so far is one.
        let mut bytes = Some(Vec::new());
        if self.bytes().get(self.blank()) == Some(&b']') {
            self.at += 1;
            return Some(Item::Other);
        }
        for i in 0.. {
            let mark = sink.index(i);
            let item = self.value(sink, depth);
            sink.leave(mark);
            match item? {
                Item::Byte(b) => {
                    if let Some(bytes) = &mut bytes {
                        bytes.push(b);
                    }
                }
                Item::Other => bytes = None,
            }
            match self.next()? {
                b',' => {}
                b']' => break,
                _ => return None,
            }
        }
        if let Some(bytes) = bytes.filter(|b| b.len() >= 4) {
            sink.byte_array(bytes);
        }
        Some(Item::Other)
    }

    /// A number whose first byte was just consumed: JSON's grammar, and a value an `f64`
    /// holds (serde_json refuses `1e400`). Numbers cannot carry an injection; an integer
    /// from 0 to 255 may be an item of a byte array.
    fn number(&mut self) -> Option<Item> {
        let start = self.at - 1;
        let b = self.bytes();
        let digits = |mut i: usize| {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        let int = if b[start] == b'-' { start + 1 } else { start };
        let mut end = match b.get(int)? {
            b'0' => int + 1,
            b'1'..=b'9' => digits(int + 1),
            _ => return None,
        };
        let int_end = end;
        if b.get(end) == Some(&b'.') {
            let frac = digits(end + 1);
            (frac > end + 1).then_some(())?;
            end = frac;
        }
        if let Some(b'e' | b'E') = b.get(end) {
            let sign = usize::from(matches!(b.get(end + 1), Some(b'+' | b'-')));
            let exp = digits(end + 1 + sign);
            (exp > end + 1 + sign).then_some(())?;
            end = exp;
        }
        let token = &self.text[start..end];
        self.at = end;
        if end == int_end && end - int <= 3 && int == start {
            return Some(token.parse::<u8>().map_or(Item::Other, Item::Byte));
        }
        // Only an exponent or over 308 integer digits can pass `f64::MAX`.
        if b[int_end..end].contains(&b'e') || b[int_end..end].contains(&b'E') || int_end - int > 308
        {
            token.parse::<f64>().ok().filter(|f| f.is_finite())?;
        }
        Some(Item::Other)
    }

    /// A string whose opening quote was just consumed, up to and past its closing quote.
    fn string(&mut self) -> Option<Str> {
        let start = self.at;
        let mut at = special(self.bytes(), start);
        if self.bytes().get(at) == Some(&b'"') {
            self.at = at + 1;
            return Some(Str::Raw(start, at));
        }
        self.scratch.clear();
        let mut from = start;
        loop {
            match *self.bytes().get(at)? {
                b'"' => {
                    self.scratch.push_str(&self.text[from..at]);
                    self.at = at + 1;
                    return Some(Str::Decoded);
                }
                b'\\' => {
                    self.scratch.push_str(&self.text[from..at]);
                    at = self.escape(at + 1)?;
                    from = at;
                }
                _ => return None, // A control character.
            }
            at = special(self.bytes(), at);
        }
    }

    /// Decodes the escape after the `\\` at `at - 1` into the scratch buffer; where it ends.
    fn escape(&mut self, at: usize) -> Option<usize> {
        let c = match *self.bytes().get(at)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex(at + 1)?;
                let (code, end) = match high {
                    0xD800..=0xDBFF => {
                        let low = (self.bytes().get(at + 5..at + 7)? == b"\\u")
                            .then(|| self.hex(at + 7))
                            .flatten()
                            .filter(|low| (0xDC00..=0xDFFF).contains(low))?;
                        let code = 0x1_0000 + ((high - 0xD800) << 10 | (low - 0xDC00));
                        (code, at + 11)
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => (high, at + 5),
                };
                self.scratch.push(char::from_u32(code)?);
                return Some(end);
            }
            _ => return None,
        };
        self.scratch.push(c);
        Some(at + 1)
    }

    /// The four hex digits at `at`.
    fn hex(&self, at: usize) -> Option<u32> {
        let digits = self.text.get(at..at + 4)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| u32::from_str_radix(digits, 16).ok())
            .flatten()
    }

    fn str(&self, s: &Str) -> &str {
        match *s {
            Str::Raw(start, end) => &self.text[start..end],
            Str::Decoded => &self.scratch,
        }
    }
}

/// The first byte from `at` on that ends a string's plain run: a quote, a backslash or a
/// control character (`b.len()` if none). Eight bytes at a time (Mycroft's zero-byte test):
/// a flag may be set above a true match by a borrow, never below one, so the lowest is right.
fn special(b: &[u8], mut at: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
    const BACKSLASHES: u64 = u64::from_le_bytes([b'\\'; 8]);
    const SPACES: u64 = u64::from_le_bytes([0x20; 8]);
    // High bit of each byte of `x` that is zero; of each below 0x20.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let control = |x: u64| x.wrapping_sub(SPACES) & !x;
    while let Some(chunk) = b.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
        let x = u64::from_le_bytes(*chunk);
        let flags = (zero(x ^ QUOTES) | zero(x ^ BACKSLASHES) | control(x)) & HIGH;
        if flags != 0 {
            return at + (flags.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while b
        .get(at)
        .is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20)
    {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::{walk, Sink};
    use proptest::prelude::*;

    /// Records what a walk reports, paths as text.
    #[derive(Default)]
    struct Log {
        path: String,
        out: Vec<String>,
    }

    impl Sink for Log {
        type Mark = usize;

        fn key(&mut self, key: &str) -> usize {
            let mark = self.path.len();
            self.path.push_str(&format!(".{key:?}"));
            self.out.push(format!("key {}", self.path));
            mark
        }
        fn index(&mut self, index: usize) -> usize {
            let mark = self.path.len();
            self.path.push_str(&format!("[{index}]"));
            mark
        }
        fn leave(&mut self, mark: usize) {
            self.path.truncate(mark);
        }
        fn string(&mut self, text: &str) {
            self.out.push(format!("{} = {text:?}", self.path));
        }
        fn byte_array(&mut self, bytes: Vec<u8>) {
            self.out.push(format!("{} = bytes {bytes:?}", self.path));
        }
    }

    fn log(text: &str) -> (bool, Vec<String>) {
        let mut log = Log::default();
        (walk(text, &mut log), log.out)
    }

    fn same_as_serde(text: &str) {
        let serde = serde_json::from_str::<serde_json::Value>(text).is_ok();
        assert_eq!(log(text).0, serde, "{text:?}");
    }

    #[test]
    fn walks_keys_strings_and_byte_arrays_in_order() {
        let (ok, out) = log(r#" {"a": ["x\u00e9\n", [104, 105, 0, 255]], "a": {"\"k": -0.5e3}} "#);
        assert!(ok);
        assert_eq!(
            out,
            [
                r#"key ."a""#,
                r#"."a"[0] = "xé\n""#,
                r#"."a"[1] = bytes [104, 105, 0, 255]"#,
                r#"key ."a""#,
                r#"key ."a"."\"k""#,
            ]
        );
    }

    #[test]
    fn stops_at_the_error_after_walking_what_came_before() {
        let (ok, out) = log(r#"["before", "bad \x", "after"]"#);
        assert!(!ok);
        assert_eq!(out, [r#"[0] = "before""#]);
    }

    #[test]
    fn accepts_what_serde_json_accepts() {
        for text in [
            "",
            " ",
            "1",
            "-",
            "-0",
            "01",
            "1.",
            "1.e3",
            "1e",
            "1e+",
            "1E-7",
            ".5",
            "+1",
            "1e400",
            "-1e400",
            "1e-400",
            "0e99999999999",
            "123456789012345678901234567890",
            &"9".repeat(308),
            &"9".repeat(309),
            &"9".repeat(400),
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1:1}",
            "[]",
            "{}",
            "[] x",
            "truex",
            "tru",
            "nul",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\ud800\\n\"",
            "\"\\u00G1\"",
            "\"\\u12\"",
            "\"\\q\"",
            "\"tab\there\"",
            "\"nul\u{0}\"",
            "\"\\u0000\"",
            "\"\u{7f}\u{e9}\u{2028}\"",
            "\"x",
            "[\"a\"",
            "{\"a\":",
            "[1 2]",
            "\u{feff}[]",
            "[0.0e-0]",
            "-0.0",
        ] {
            same_as_serde(text);
        }
        for depth in [126, 127, 128, 129] {
            same_as_serde(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
            same_as_serde(&format!(
                "{}1{}",
                "{\"k\":".repeat(depth),
                "}".repeat(depth)
            ));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn accepts_what_serde_json_accepts_on_json_like_text(
            text in "[\\[\\]{}\",: \\\\/0-9.eE+\\-tru\u{e9}\u{1}ufalsn\n]{0,30}"
        ) {
            same_as_serde(&text);
        }

        #[test]
        fn accepts_what_serde_json_accepts_on_any_text(text in any::<String>()) {
            same_as_serde(&text);
        }
    }
}

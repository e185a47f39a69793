//! What a detector looks at: one form of one value, its ASCII-lowercased twin (same byte
//! offsets), and a byte-class summary that lets each detector skip values it cannot match.
//!
//! Before any of that, [`Tables::scan`] decides which detectors can fire at all: one pass over
//! the byte classes and one keyword pass (gate substrings and every detector's [`Needs`]
//! keywords, ASCII case-insensitive, over the original text). A value that meets no detector's
//! needs is not lowercased and no detector sees it.

use super::keywords::Keywords;
use crate::trigger::FieldRole;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Byte classes present in a value.
pub(crate) mod class {
    pub(crate) const QUOTE: u32 = 1; // ' "
    pub(crate) const SEMI: u32 = 1 << 1; // ;
    pub(crate) const PIPE: u32 = 1 << 2; // |
    pub(crate) const AMP: u32 = 1 << 3; // &
    pub(crate) const PAREN: u32 = 1 << 4; // ( )
    pub(crate) const ANGLE: u32 = 1 << 5; // < >
    pub(crate) const DOLLAR: u32 = 1 << 6; // $
    pub(crate) const BRACE: u32 = 1 << 7; // { }
    pub(crate) const BACKTICK: u32 = 1 << 8; // `
    pub(crate) const BACKSLASH: u32 = 1 << 9; // \
    pub(crate) const HASH: u32 = 1 << 10; // #
    pub(crate) const EQ: u32 = 1 << 11; // =
    pub(crate) const COLON: u32 = 1 << 12; // :
    pub(crate) const SLASH: u32 = 1 << 13; // /
    pub(crate) const DOT: u32 = 1 << 14; // .
    pub(crate) const DASH: u32 = 1 << 15; // -
    pub(crate) const STAR: u32 = 1 << 16; // *
    pub(crate) const AT: u32 = 1 << 17; // @
    pub(crate) const UNDERSCORE: u32 = 1 << 18; // _
    pub(crate) const NEWLINE: u32 = 1 << 19; // \r \n
    pub(crate) const NUL: u32 = 1 << 20; // \0
    pub(crate) const CTRL: u32 = 1 << 21; // other controls (not \t)
    pub(crate) const SPACE: u32 = 1 << 22; // space, \t
    pub(crate) const HIGH: u32 = 1 << 23; // non-ASCII
    pub(crate) const DIGIT: u32 = 1 << 24;
    pub(crate) const ALPHA: u32 = 1 << 25;
    pub(crate) const BRACKET: u32 = 1 << 26; // [ ]
    pub(crate) const OPS: u32 = 1 << 27; // ! + ^ ~ %
    pub(crate) const QUESTION: u32 = 1 << 28; // ?
    pub(crate) const COMMA: u32 = 1 << 29; // ,
    /// Which quote [`QUOTE`] stands for, for detectors that read each kind apart.
    pub(crate) const SINGLE_QUOTE: u32 = 1 << 30; // '
    pub(crate) const DOUBLE_QUOTE: u32 = 1 << 31; // "

    const fn of(b: u8) -> u32 {
        match b {
            b'\'' => QUOTE | SINGLE_QUOTE,
            b'"' => QUOTE | DOUBLE_QUOTE,
            b';' => SEMI,
            b'|' => PIPE,
            b'&' => AMP,
            b'(' | b')' => PAREN,
            b'<' | b'>' => ANGLE,
            b'$' => DOLLAR,
            b'{' | b'}' => BRACE,
            b'`' => BACKTICK,
            b'\\' => BACKSLASH,
            b'#' => HASH,
            b'=' => EQ,
            b':' => COLON,
            b'/' => SLASH,
            b'.' => DOT,
            b'-' => DASH,
            b'*' => STAR,
            b'@' => AT,
            b'_' => UNDERSCORE,
            b'\r' | b'\n' => NEWLINE,
            0 => NUL,
            b' ' | b'\t' => SPACE,
            b'0'..=b'9' => DIGIT,
            b'a'..=b'z' | b'A'..=b'Z' => ALPHA,
            b'[' | b']' => BRACKET,
            b'!' | b'+' | b'^' | b'~' | b'%' => OPS,
            b'?' => QUESTION,
            b',' => COMMA,
            0x80..=0xff => HIGH,
            _ => CTRL,
        }
    }

    pub(crate) static TABLE: [u32; 256] = {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = of(i as u8);
            i += 1;
        }
        t
    };
}

/// Substrings that gate the costlier checks, found in one automaton pass per value.
pub(crate) mod gate {
    pub(crate) const SSRF_PATH: u32 = 1;
    pub(crate) const SSRF_HOST: u32 = 1 << 1;
    /// A file-reading stream wrapper (`php://`, `jar:`; `traversal::WRAPPERS`) or a `data:` URI.
    pub(crate) const WRAPPER: u32 = 1 << 2;
    pub(crate) const SHELL_PATH: u32 = 1 << 3;
    pub(crate) const IFS: u32 = 1 << 4;
    pub(crate) const DOM: u32 = 1 << 5;
    pub(crate) const PROTO: u32 = 1 << 6;
    /// A declaration (`<!`), XInclude, XSLT or UTF-7 markup: what `xxe` reads.
    pub(crate) const XML_DECL: u32 = 1 << 7;
    pub(crate) const LOOKUP: u32 = 1 << 8;
    /// A word that makes a value without SQL punctuation worth tokenizing (`sqli::PROSE_GATE`).
    pub(crate) const SQL_WORD: u32 = 1 << 9;
    /// A catalog, system object or cast that is a probe on its own (`sqli::CATALOG`, `::`).
    pub(crate) const SQL_OBJECT: u32 = 1 << 10;
    /// A marker of server-side code (`code::ENTRIES`) that is code as a token, located again by
    /// the code detector.
    pub(crate) const CODE_ENTRY: u32 = 1 << 11;
    /// A function name of `code::ENTRIES` (`system`, `exec` …): code only when called, so only
    /// with a `(` in the value (`abc.execute-api.…` names a host).
    pub(crate) const CODE_CALL: u32 = 1 << 21;
    /// A sensitive file's name or path (`traversal::SENSITIVE`).
    pub(crate) const SENSITIVE_FILE: u32 = 1 << 12;
    /// Two dots, which every parent-directory step has.
    pub(crate) const DOTDOT: u32 = 1 << 13;
    /// A loopback, metadata or DNS-rebinding host name (`ssrf::LOOPBACK_NAMES` …).
    pub(crate) const SSRF_NAME: u32 = 1 << 14;
    /// A dot or path separator spelled otherwise (`traversal::RESPELLED`: `0x2e`, `∕` …).
    pub(crate) const HEX_PATH: u32 = 1 << 15;
    /// An option that makes a program run a command (`cmdi::EXEC_OPTIONS`: `proxycommand`,
    /// `upload-pack`, `-exec` …).
    pub(crate) const EXEC_OPTION: u32 = 1 << 16;
    /// A database endpoint or query-language word (`nosqli::ENDPOINTS`, `nosqli::DSL_WORDS`).
    pub(crate) const NOSQL_WORD: u32 = 1 << 17;
    /// A SQL operator spelled as a word (`sqli::INFIX`: ` between `, ` is null`, ` like `):
    /// a condition a numeric parameter can carry without any punctuation.
    pub(crate) const SQL_INFIX: u32 = 1 << 18;
    /// Script syntax read by the code detector (`code::SYNTAX`: `import `, `%x`, `open(` …).
    pub(crate) const CODE_SYNTAX: u32 = 1 << 22;
    /// PowerShell syntax (`cmdi::POWERSHELL`: `]::`, `new-object`).
    pub(crate) const POWERSHELL: u32 = 1 << 23;
    /// A dialog or evaluator name (`xss::DIALOG_NAMES`: `alert`, `eval` …), which the XSS checks
    /// for names passed around rather than called (`[1].map(alert)`) look for.
    pub(crate) const DIALOG: u32 = 1 << 20;
    /// A DOM object or a name of the global object (`xss::SINK_OBJECTS`, `xss::GLOBALS`),
    /// which every `object.member` sink the XSS checks read starts with.
    pub(crate) const JS_OBJECT: u32 = 1 << 19;

    /// Every gate needle with its group: [`NEEDLES`] and the word lists kept beside the
    /// detectors that read them.
    pub(crate) fn all() -> Vec<(&'static str, u32)> {
        use crate::inspect::{cmdi, code, nosqli, sqli, ssrf, traversal, xss};
        let mut all = NEEDLES.to_vec();
        all.extend(sqli::gate_needles());
        all.extend(code::ENTRIES.iter().map(|e| {
            let call = e.2 == code::Kind::Call;
            (e.0, if call { CODE_CALL } else { CODE_ENTRY })
        }));
        all.extend(code::SYNTAX.iter().map(|n| (*n, CODE_SYNTAX)));
        all.extend(cmdi::POWERSHELL.iter().map(|n| (*n, POWERSHELL)));
        all.extend(xss::DIALOG_NAMES.iter().map(|n| (*n, DIALOG)));
        all.extend(xss::js_objects().map(|n| (n, JS_OBJECT)));
        all.extend(traversal::SENSITIVE.iter().map(|n| (*n, SENSITIVE_FILE)));
        all.extend(traversal::WRAPPERS.iter().map(|w| (*w, WRAPPER)));
        all.extend(traversal::RESPELLED.iter().map(|r| (r.0, HEX_PATH)));
        all.extend(cmdi::EXEC_OPTIONS.iter().map(|o| (*o, EXEC_OPTION)));
        all.extend(cmdi::EXEC_OPTIONS_FIRST.iter().map(|o| (o.0, EXEC_OPTION)));
        let nosql = nosqli::ENDPOINTS.iter().chain(nosqli::DSL_WORDS);
        all.extend(nosql.map(|w| (*w, NOSQL_WORD)));
        let hosts = ssrf::LOOPBACK_NAMES.iter().chain(ssrf::REBINDING);
        let hosts = hosts.chain(ssrf::METADATA_HOSTS).chain(ssrf::OUT_OF_BAND);
        let hosts = hosts.chain(ssrf::PRIVATE_SUFFIXES);
        all.extend(hosts.map(|n| (*n, SSRF_NAME)));
        all
    }

    /// The needles of the gate groups in `bits`.
    pub(crate) fn needles(bits: u32) -> impl Iterator<Item = &'static [u8]> {
        all()
            .into_iter()
            .filter(move |(_, g)| g & bits != 0)
            .map(|(n, _)| n.as_bytes())
    }

    pub(crate) const NEEDLES: &[(&str, u32)] = &[
        ("/latest/", SSRF_PATH),
        ("/computemetadata", SSRF_PATH),
        ("/metadata/", SSRF_PATH),
        ("/v2/credentials", SSRF_PATH),
        ("/2018-06-01/", SSRF_PATH),
        ("/2020-01-01/", SSRF_PATH),
        ("/2022-07-01/", SSRF_PATH),
        ("/2020-08-15/", SSRF_PATH),
        ("169.254.", SSRF_HOST),
        ("fd00:ec2", SSRF_HOST),
        ("data:", WRAPPER),
        ("..", DOTDOT),
        ("/dev/", SHELL_PATH),
        ("/bin/", SHELL_PATH),
        ("/sbin/", SHELL_PATH),
        (".shell", SHELL_PATH),
        (".system", SHELL_PATH),
        ("$ifs", IFS),
        ("${ifs}", IFS),
        ("fromcharcode", DOM),
        (".innerhtml", DOM),
        ("activexobject", DOM),
        ("<?", DOM),
        ("__proto__", PROTO),
        ("constructor", PROTO),
        ("<!", XML_DECL),
        ("<xi:", XML_DECL),
        ("xmlns:xi", XML_DECL),
        ("/2001/xinclude", XML_DECL),
        ("xml-stylesheet", XML_DECL),
        ("/xsl/transform", XML_DECL),
        ("<xsl:", XML_DECL),
        // `<` in UTF-7.
        ("+adw", XML_DECL),
        ("${", LOOKUP),
    ];
}

/// What a detector needs in a value before it can fire, stated next to each detector
/// (`needs()`) as a necessary condition of every hit it reports: a byte of one of `classes`,
/// one of `keywords` (lower-case, found ASCII case-insensitively), or paranoia at least
/// `always_from`. The pipeline does not run a detector on a value that meets none of them;
/// `Inspector::fast_path_misses` and the `inspect_fast_path` tests check it never skips a hit.
#[derive(Debug, Clone, Default)]
pub(crate) struct Needs {
    pub(crate) classes: u32,
    pub(crate) keywords: Vec<&'static [u8]>,
    pub(crate) always_from: u8,
    /// What still wakes the detector on a [`plain_url`] (or a [`header_list`]) at paranoia 1.
    pub(crate) on_links: OnLinks,
    /// On a [`header_list`] with a quote, met as anywhere else.
    pub(crate) reads_quoted_lists: bool,
}

/// What wakes a detector on a [`plain_url`]: a link's `:`, `/`, `?`, `=` and `&` are its
/// syntax, not the operators and separators those classes stand for elsewhere.
#[derive(Debug, Clone, Default)]
pub(crate) enum OnLinks {
    /// Its keywords alone.
    #[default]
    Keywords,
    /// Every need: the detector reads links themselves (hosts, paths, parameter names).
    Everything,
    /// Only these of its keywords: the others are words links are made of (`sh` in `shop`).
    Only(Vec<&'static [u8]>),
}

impl Needs {
    /// Needs met by any byte of `classes`.
    pub(crate) fn classes(classes: u32) -> Needs {
        Needs {
            classes,
            keywords: Vec::new(),
            always_from: u8::MAX,
            on_links: OnLinks::Keywords,
            reads_quoted_lists: false,
        }
    }

    /// Also met by any of `keywords`.
    pub(crate) fn or_keywords<'k>(
        mut self,
        keywords: impl IntoIterator<Item = &'k &'static [u8]>,
    ) -> Needs {
        self.keywords.extend(keywords.into_iter().copied());
        self
    }

    /// Also met by any of `keywords` given as text.
    pub(crate) fn or_words(mut self, keywords: &[&'static str]) -> Needs {
        self.keywords.extend(keywords.iter().map(|k| k.as_bytes()));
        self
    }

    /// Also met by any needle of the gate groups in `bits`.
    pub(crate) fn or_gates(mut self, bits: u32) -> Needs {
        self.keywords.extend(gate::needles(bits));
        self
    }

    /// Always met from paranoia `level` on.
    pub(crate) fn always_from(mut self, level: u8) -> Needs {
        self.always_from = level;
        self
    }

    /// On a [`plain_url`], met as anywhere else: the detector reads what a link's host, path or
    /// parameter names say (a metadata host, `/etc/passwd`, `__proto__`).
    pub(crate) fn reads_links(mut self) -> Needs {
        self.on_links = OnLinks::Everything;
        self
    }

    /// On a [`header_list`] with a quoted name, met as anywhere else: the quote may close the
    /// application's (`"a","or"` is `" or "`).
    pub(crate) fn reads_quoted_lists(mut self) -> Needs {
        self.reads_quoted_lists = true;
        self
    }

    /// On a [`plain_url`], met only by these of its keywords (given as gate groups).
    pub(crate) fn on_links_only(mut self, gates: u32) -> Needs {
        self.on_links = OnLinks::Only(gate::needles(gates).collect());
        self
    }
}

/// Classes a [`plain_url`] is written with.
pub(crate) const URL_CLASSES: u32 = class::ALPHA
    | class::DIGIT
    | class::DOT
    | class::DASH
    | class::UNDERSCORE
    | class::SLASH
    | class::COLON
    | class::QUESTION
    | class::EQ
    | class::AMP;

/// An `http(s)` URL of words alone (`https://shop.example.com/p/5?ref=feed&lang=en`): a host
/// of letters, digits, dots and dashes (no port), a path of the same and `_`, `/`,
/// a query of `name=value` pairs of those, a value's words joined by `+` or a blank
/// (`?q=red+shoes`, and the same form-decoded). Links are most of the values of a large body that
/// wake detectors, by their `:`, `?`, `&` and by words (`sh` in `shop`); a link like this
/// has no quote, operator, escape or second scheme to inject with, and no blank but between
/// a value's words, so only the detectors that read names (hosts, paths, parameters) run on it.
#[inline(never)] // reason: keeps the per-byte loop of `Tables::scan` as tight as without it
pub(crate) fn plain_url(b: &[u8]) -> bool {
    let rest = if b.len() > 8 && b[..8].eq_ignore_ascii_case(b"https://") {
        &b[8..]
    } else if b.len() > 7 && b[..7].eq_ignore_ascii_case(b"http://") {
        &b[7..]
    } else {
        return false;
    };
    // The length of the run of bytes of the classes `kind` at the start of `b`.
    let run = |b: &[u8], kind: u32| {
        b.iter()
            .take_while(|c| class::TABLE[usize::from(**c)] & kind != 0)
            .count()
    };
    let host_bytes = class::ALPHA | class::DIGIT | class::DASH | class::DOT;
    let word_bytes = host_bytes | class::UNDERSCORE;
    // No port: the scheme's is the only `:` (`http://javascript:1` is no plain link).
    let host = run(rest, host_bytes);
    let mut at = host;
    if host == 0 {
        return false;
    }
    if rest.get(at) == Some(&b'/') {
        at += run(&rest[at..], word_bytes | class::SLASH);
    }
    match rest.get(at) {
        None => return true,
        Some(b'?') => at += 1,
        Some(_) => return false,
    }
    // `name=value` pairs, `&` between them.
    loop {
        let name = run(&rest[at..], word_bytes);
        at += name;
        if name == 0 || rest.get(at) != Some(&b'=') {
            return false;
        }
        at += 1;
        let mut word = run(&rest[at..], word_bytes);
        at += word;
        // Words of a value joined by a form's `+` or the blank it decodes to (`q=red+shoes`).
        while word > 0 && matches!(rest.get(at), Some(b'+' | b' ')) {
            word = run(&rest[at + 1..], word_bytes);
            if word == 0 {
                return false;
            }
            at += 1 + word;
        }
        match rest.get(at) {
            None => return true,
            Some(b'&') => at += 1,
            Some(_) => return false,
        }
    }
}

/// Classes a [`header_list`] is written with.
const LIST_CLASSES: u32 = class::ALPHA
    | class::DIGIT
    | class::DOT
    | class::DASH
    | class::UNDERSCORE
    | class::SLASH
    | class::STAR
    | class::OPS
    | class::COMMA
    | class::SEMI
    | class::EQ
    | class::SPACE
    | class::QUOTE
    | class::DOUBLE_QUOTE;

/// A list of tokens with parameters as HTTP headers write them, with at least one `,` or `;`
/// (`Accept`, `Accept-Language`, `Accept-Encoding`, `Content-Type`, `Sec-CH-UA`):
/// `en-GB,en;q=0.9`, `text/html,application/xhtml+xml,*/*;q=0.8`, `gzip, deflate, br`,
/// `"Chromium";v="131", "Not_A Brand";v="24"`. An item is a word, a media type or a quoted
/// name of words; a parameter is `name=value` after a `;`, where a shell reads an assignment
/// and SQL no statement. With no quote to break, no blank but after a separator and no
/// operator, the list's `,`, `;`, `=` and `/` are its syntax, as a [`plain_url`]'s are.
#[inline(never)] // reason: as `plain_url`
pub(crate) fn header_list(b: &[u8]) -> bool {
    // A word of letters, digits and the bytes of `extra`, opening with a letter or a digit,
    // at most 64 long.
    let word = |i: usize, extra: &[u8]| {
        let n = b[i..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || extra.contains(c))
            .count();
        (n > 0 && n <= 64 && b[i].is_ascii_alphanumeric()).then_some(i + n)
    };
    // `"Not_A Brand"`: at most 32 letters, digits, blanks and `._-` between double quotes.
    let quoted = |i: usize| {
        let n = b[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b' ' | b'.' | b'_' | b'-'))
            .count();
        (b.get(i + 1 + n) == Some(&b'"') && n <= 32).then_some(i + n + 2)
    };
    let item = |i: usize| match b.get(i)? {
        b'"' => quoted(i),
        b'*' if b.get(i + 1..i + 3) == Some(b"/*") => Some(i + 3),
        _ => {
            let e = word(i, b"-.+")?;
            match b.get(e) {
                Some(b'/') if b.get(e + 1) == Some(&b'*') => Some(e + 2),
                Some(b'/') => word(e + 1, b"-.+"),
                _ => Some(e),
            }
        }
    };
    let param = |i: usize| {
        let name = word(i, b"-").filter(|e| e - i <= 16 && b[i].is_ascii_alphabetic())?;
        // No header parameter is named like an event handler (`;onload=`): markup's, which
        // a quote before it may have opened (`a="a",0;onx=a`), is read by every detector.
        let handler = name - i >= 5 && b[i..i + 2].eq_ignore_ascii_case(b"on");
        if handler || b.get(name) != Some(&b'=') {
            return None;
        }
        match b.get(name + 1)? {
            b'"' => quoted(name + 1),
            _ => word(name + 1, b"-.").filter(|e| e - name <= 33),
        }
    };
    let space = |i: usize| i + usize::from(b.get(i) == Some(&b' '));
    let mut separators = 0;
    let mut i = 0;
    loop {
        let Some(mut e) = item(i) else {
            return false;
        };
        while b.get(e) == Some(&b';') {
            separators += 1;
            let Some(p) = param(space(e + 1)) else {
                return false;
            };
            e = p;
        }
        match b.get(e) {
            None => return separators > 0 && find(b, b"..").is_none(),
            Some(b',') => {
                separators += 1;
                i = space(e + 1);
            }
            Some(_) => return false,
        }
    }
}

/// The cheap facts about one text: its byte classes, its gates, and which detectors (bit `i`
/// for the `i`-th of `super::DETECTORS`) may fire on it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scan {
    pub(crate) cls: u32,
    pub(crate) gates: u32,
    pub(crate) run: u32,
    /// Whether the text is a [`plain_url`].
    pub(crate) plain_link: bool,
}

/// A match: the rule and the byte span in the subject's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) rule: &'static str,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Hit {
    pub(crate) fn new(rule: &'static str, start: usize, end: usize) -> Hit {
        Hit { rule, start, end }
    }
}

/// One form of one value.
#[derive(Debug)]
pub(crate) struct Subject<'a> {
    /// The text as the field holds it (case kept: base64 runs, upper-case log levels).
    pub(crate) text: &'a str,
    /// ASCII-lowercased `text` (same length, same offsets).
    pub(crate) lower: &'a str,
    /// Byte classes present.
    pub(crate) cls: u32,
    pub(crate) paranoia: u8,
    /// [`gate`] bits present.
    pub(crate) gates: u32,
    pub(crate) role: FieldRole,
    /// The field's JSON path (for location-dependent rules).
    pub(crate) path: &'a str,
    /// Whether the text is a [`plain_url`] (asked once, by the scan).
    pub(crate) plain_link: bool,
    /// Whether lines are the text's own structure, not a break out of one: an e-mail's body
    /// (`Transforms::MESSAGE`).
    pub(crate) lines: bool,
}

impl<'a> Subject<'a> {
    /// The subject of an already scanned text (`lower` is its ASCII-lowercased twin).
    pub(crate) fn scanned(
        text: &'a str,
        lower: &'a str,
        paranoia: u8,
        role: FieldRole,
        path: &'a str,
        scan: &Scan,
    ) -> Subject<'a> {
        Subject {
            text,
            lower,
            cls: scan.cls,
            paranoia,
            gates: scan.gates,
            role,
            path,
            plain_link: scan.plain_link,
            lines: false,
        }
    }

    /// Whether the gate substring group `g` is present.
    pub(crate) fn gate(&self, g: u32) -> bool {
        self.gates & g != 0
    }

    /// Whether any of the classes in `mask` is present.
    pub(crate) fn has(&self, mask: u32) -> bool {
        self.cls & mask != 0
    }

    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.lower.as_bytes()
    }
}

/// Keyword automata compiled once at init.
#[derive(Debug)]
pub(crate) struct Tables {
    pub(crate) sensitive_files: AhoCorasick,
    /// [`super::code::ENTRIES`]' markers, longest first: where a marker extends another
    /// (`system.diagnostics.process` after PHP's `system`, `os.execvp` after `os.execv`), the
    /// longer is found, not shadowed by its prefix. `code_entries[pattern]` is its entry.
    pub(crate) code: AhoCorasick,
    pub(crate) code_entries: Vec<usize>,
    /// Gate needles and detector keywords (lower case) with their `(gate bits, detector bits,
    /// detector bits on a plain link)`, found in the same pass as the byte classes.
    keys: Keywords,
    /// Per byte class bit: the detectors whose [`Needs`] it meets.
    by_class: [u32; 32],
    /// The detectors every need of which still counts on a [`plain_url`].
    reads_links: u32,
    /// The detectors every need of which still counts on a [`header_list`] with a quote.
    reads_quoted_lists: u32,
    /// Per paranoia level (0–4): the detectors that always run.
    by_paranoia: [u32; 5],
}

fn automaton(words: &[&str]) -> Result<AhoCorasick, crate::config::ConfigError> {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostFirst)
        .build(words)
        .map_err(|e| crate::config::ConfigError::invalid("inspect", e.to_string()))
}

impl Tables {
    pub(crate) fn new() -> Result<Tables, crate::config::ConfigError> {
        super::cmdi::prepare();
        let needs = super::needs();
        // One pattern per distinct needle, carrying every group it belongs to.
        let mut bits: std::collections::BTreeMap<Vec<u8>, (u32, u32, u32)> = Default::default();
        for (n, g) in gate::all() {
            bits.entry(n.as_bytes().to_ascii_lowercase()).or_default().0 |= g;
        }
        for (i, need) in needs.iter().enumerate() {
            for k in &need.keywords {
                let entry = bits.entry(k.to_ascii_lowercase()).or_default();
                entry.1 |= 1 << i;
                if !matches!(&need.on_links, OnLinks::Only(_)) {
                    entry.2 |= 1 << i;
                }
            }
            if let OnLinks::Only(keywords) = &need.on_links {
                for k in keywords {
                    bits.entry(k.to_ascii_lowercase()).or_default().2 |= 1 << i;
                }
            }
        }
        let keys = Keywords::new(bits.iter().map(|(k, b)| (k.as_slice(), *b)), &class::TABLE)
            .map_err(|e| crate::config::ConfigError::invalid("inspect", e))?;
        let entries = super::code::ENTRIES;
        let mut code_entries: Vec<usize> = (0..entries.len()).collect();
        code_entries.sort_by_key(|&i| std::cmp::Reverse(entries[i].0.len()));
        Ok(Tables {
            sensitive_files: automaton(super::traversal::SENSITIVE)?,
            code: automaton(
                &code_entries
                    .iter()
                    .map(|&i| entries[i].0)
                    .collect::<Vec<_>>(),
            )?,
            code_entries,
            keys,
            by_class: std::array::from_fn(|bit| {
                needs.iter().enumerate().fold(0, |run, (i, n)| {
                    run | (u32::from(n.classes & (1 << bit) != 0) << i)
                })
            }),
            reads_links: needs.iter().enumerate().fold(0, |run, (i, n)| {
                run | (u32::from(matches!(n.on_links, OnLinks::Everything)) << i)
            }),
            reads_quoted_lists: needs.iter().enumerate().fold(0, |run, (i, n)| {
                run | (u32::from(n.reads_quoted_lists) << i)
            }),
            by_paranoia: std::array::from_fn(|level| {
                needs.iter().enumerate().fold(0, |run, (i, n)| {
                    run | (u32::from(level >= usize::from(n.always_from)) << i)
                })
            }),
        })
    }

    /// Byte classes, gates and the detectors whose [`Needs`] `text` meets, in one pass.
    pub(crate) fn scan(&self, text: &str, paranoia: u8) -> Scan {
        let found = self.keys.scan(text.as_bytes());
        let cls = found.cls;
        let (gates, mut run, on_link) = found.bits;
        run |= self.by_paranoia[usize::from(paranoia).min(4)];
        let mut bits = cls;
        while bits != 0 {
            run |= self.by_class[bits.trailing_zeros() as usize];
            bits &= bits - 1;
        }
        // A link's or a header list's syntax and words wake detectors that cannot fire on it
        // (`&` and `?`, `sh` in `shop`, `;q=0.9`); from paranoia 2 a word alone may be a
        // probe (`?q=1--`).
        let mut on_link = on_link | (run & self.reads_links);
        if cls & class::QUOTE != 0 {
            on_link |= run & self.reads_quoted_lists;
        }
        let plain_link = cls & !(URL_CLASSES | class::OPS | class::SPACE) == 0
            && cls & class::COLON != 0
            && plain_url(text.as_bytes());
        if paranoia < 2
            && run & !on_link != 0
            && (plain_link
                || cls & !LIST_CLASSES == 0
                    && cls & (class::COMMA | class::SEMI) != 0
                    && header_list(text.as_bytes()))
        {
            run = on_link;
        }
        Scan {
            cls,
            gates,
            run,
            plain_link,
        }
    }
}

/// Whether a field is the request header `name` (lower case; matched in any case), in
/// `headers` or `multiValueHeaders`, an item of its list too (`$.headers.Host`,
/// `$.multiValueHeaders.user-agent[0]`).
pub(crate) fn is_header(path: &str, name: &str) -> bool {
    let p = path
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '[' || c == ']')
        .as_bytes();
    let Some(head) = p.len().checked_sub(name.len()) else {
        return false;
    };
    p[head..].eq_ignore_ascii_case(name.as_bytes()) && p[..head].ends_with(b"eaders.")
}

/// The last member name of a JSON path, past the indices of a list it holds
/// (`$.body['@type']` → `@type`, `$.a.class` → `class`, `$.b.redirect_uris[0]` →
/// `redirect_uris`).
pub(crate) fn last_key(path: &str) -> &str {
    let mut path = path;
    // `[0]`, `[12]`: an index, not a member.
    while let Some(open) = path.strip_suffix(']').and_then(|p| {
        let i = p.trim_end_matches(|c: char| c.is_ascii_digit());
        (i.len() < p.len()).then_some(i)
    }) {
        match open.strip_suffix('[') {
            Some(p) => path = p,
            None => return "",
        }
    }
    if let Some(p) = path.strip_suffix("']") {
        return p.rfind("['").map_or("", |i| &p[i + 2..]);
    }
    path.rfind('.').map_or("", |i| &path[i + 1..])
}

/// Up to this length a value is searched by its needles' first byte: building a `memmem`
/// searcher costs more than the whole search.
const SHORT: usize = 256;

/// The first occurrence of `needle` in `hay`. Values are short: a scan for the needle's first
/// byte beats building a `memmem` searcher per call; long ones still get the searcher, so a
/// hostile value of repeated first bytes costs linear time.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    match needle.first() {
        Some(&first) if hay.len() <= SHORT => {
            memchr::memchr_iter(first, hay).find(|&p| hay[p..].starts_with(needle))
        }
        _ => memchr::memmem::find(hay, needle),
    }
}

/// The non-overlapping occurrences of `needle` in `hay`, as `memmem::find_iter` yields them,
/// without building a searcher for a short value.
pub(crate) fn find_iter<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let long =
        (hay.len() > SHORT || needle.is_empty()).then(|| memchr::memmem::find_iter(hay, needle));
    let mut next = 0;
    let short = long
        .is_none()
        .then(|| memchr::memchr_iter(needle[0], hay))
        .into_iter()
        .flatten()
        .filter(move |&p| {
            let hit = p >= next && hay[p..].starts_with(needle);
            if hit {
                next = p + needle.len();
            }
            hit
        });
    long.into_iter().flatten().chain(short)
}

/// `b` without the block comments that sit inside a word (`uni/**/on`,
/// `ex/*a*//*b*/pression`), as filters that strip comments read it, or `None` when it has none.
/// MySQL's executable comments (`/*!…*/`) are code and stay.
pub(crate) fn unsplit(b: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut from = 0;
    while let Some(p) = find(&b[from..], b"/*").map(|p| p + from) {
        let Some(mut close) = find(&b[p + 2..], b"*/").map(|e| p + 2 + e + 2) else {
            break;
        };
        // Comments one after another split the word once (`ex/*a*//*b*/pression`).
        while b[close..].starts_with(b"/*") && b.get(close + 2) != Some(&b'!') {
            match find(&b[close + 2..], b"*/") {
                Some(e) => close += 2 + e + 2,
                None => break,
            }
        }
        let inside = p > 0
            && is_word(b[p - 1])
            && b.get(close).is_some_and(|c| is_word(*c))
            && b.get(p + 2) != Some(&b'!');
        if inside {
            let o = out.get_or_insert_with(|| Vec::with_capacity(b.len()));
            o.extend_from_slice(&b[copied..p]);
            copied = close;
        }
        from = close;
    }
    let mut o = out?;
    o.extend_from_slice(&b[copied..]);
    Some(o)
}

/// Whether `b` can be part of an identifier-like word: a letter, a digit, `_` or a byte of a
/// non-ASCII character. One table load: tokenizers ask it of every byte.
#[inline]
pub(crate) fn is_word(b: u8) -> bool {
    class::TABLE[usize::from(b)] & (class::ALPHA | class::DIGIT | class::UNDERSCORE | class::HIGH)
        != 0
}

/// Where the name ending at `end` starts, dashes included (`invoke-command`, XPath's
/// `string-length`); read back 64 bytes at most, so a run of names costs each its own length.
pub(crate) fn dashed_word_start(b: &[u8], end: usize) -> usize {
    let mut i = end;
    while i > 0 && (is_word(b[i - 1]) || b[i - 1] == b'-') && end - i < 64 {
        i -= 1;
    }
    i
}

/// Extensions of source files, as stack traces name them.
const SOURCE_FILES: &[&[u8]] = &[
    b"js", b"mjs", b"cjs", b"ts", b"py", b"go", b"cs", b"java", b"kt", b"scala", b"groovy", b"rb",
    b"php", b"rs", b"swift", b"c", b"cc", b"cpp", b"h", b"ex", b"exs", b"lua", b"pl", b"fs", b"vb",
];

/// Whether lower-case `name` is a source file's path: plain path characters (no query or
/// fragment) and a source file's extension (`/var/task/index.js`, `thread.java`).
pub(crate) fn source_file(name: &[u8]) -> bool {
    let plain = name
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'.' | b'_' | b'-' | b'@' | b'+'));
    let ext = name.rsplit(|c| *c == b'.').next().unwrap_or_default();
    plain && name.contains(&b'.') && SOURCE_FILES.contains(&ext)
}

/// A place in source code as stack traces print it: a [`source_file`], a line and maybe a
/// column (`index.js:18:9`, `thread.java:833`, `main.go:42`).
pub(crate) fn source_position(token: &[u8]) -> bool {
    let mut parts = token.split(|c| *c == b':');
    let number = |p: &[u8]| !p.is_empty() && p.iter().all(u8::is_ascii_digit);
    parts.next().is_some_and(source_file)
        && parts.next().is_some_and(number)
        && parts.next().is_none_or(number)
        && parts.next().is_none()
}

/// The index of the first byte at or after `i` that is not ASCII whitespace.
pub(crate) fn skip_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == 0x0b) {
        i += 1;
    }
    i
}

/// Runs `f` on a subject built from `text` as a body value (tests only).
#[cfg(test)]
pub(crate) fn test_subject<R>(
    text: &str,
    paranoia: u8,
    f: impl FnOnce(&Subject<'_>, &Tables) -> R,
) -> R {
    test_subject_at(text, paranoia, FieldRole::Value, "$.body.x", f)
}

/// Runs `f` on a subject built from `text` as a field at `path` in `role` (tests only).
#[cfg(test)]
#[allow(clippy::unwrap_used)] // reason: tests
pub(crate) fn test_subject_at<R>(
    text: &str,
    paranoia: u8,
    role: FieldRole,
    path: &str,
    f: impl FnOnce(&Subject<'_>, &Tables) -> R,
) -> R {
    // Built once for all tests: property tests call this thousands of times.
    static TABLES: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
    let tables = TABLES.get_or_init(|| Tables::new().unwrap());
    let lower = text.to_ascii_lowercase();
    let scan = tables.scan(text, paranoia);
    f(
        &Subject::scanned(text, &lower, paranoia, role, path, &scan),
        tables,
    )
}

/// The rule `detect` reports on `text` as a field at `path` in `role`, at paranoia 1 (tests only).
#[cfg(test)]
pub(crate) fn rule_at(
    detect: fn(&Subject<'_>, &Tables) -> Option<Hit>,
    text: &str,
    role: FieldRole,
    path: &str,
) -> Option<&'static str> {
    test_subject_at(text, 1, role, path, detect).map(|h| h.rule)
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_links_are_http_words_and_name_value_pairs() {
        for link in [
            "https://shop.example.com/p/5?ref=feed&lang=en",
            "http://example.com",
            "HTTPS://Example.COM/a_b/c-d.html",
            "https://example.com/",
            "https://example.com/?a=",
            "https://example.com?a=1&b=2",
            "https://example.com/a//b/",
            "https://shop.example.com/?q=red+shoes&page=2",
            "https://shop.example.com/?q=red shoes",
        ] {
            assert!(super::plain_url(link.as_bytes()), "{link}");
        }
        for other in [
            "https://",
            "https:///a",
            "ftp://example.com/",
            "https://example.com:8080/",
            "https://user@example.com/",
            "https://example.com/?",
            "https://example.com/?a",
            "https://example.com/?=1",
            "https://example.com/?a=1&",
            "https://example.com/?a=1&&b=2",
            "https://example.com/?a=b=c",
            "https://example.com/?a=1?b=2",
            "https://example.com/a%2e",
            "https://example.com/#top",
            "https://example.com/a b",
            "https://ex_ample.com/",
            "https://example.com/?next=https://x",
            "javascript://example.com/",
            "https://example.com/a;id",
            "https://example.com/?q=a+",
            "https://example.com/?q=a++b",
            "https://example.com/?q=a +b",
            "https://example.com/?q=+a",
            "https://example.com/a+b",
        ] {
            assert!(!super::plain_url(other.as_bytes()), "{other}");
        }
    }

    #[test]
    fn find_iter_yields_what_memmem_yields() {
        let long = "||a|||".repeat(60);
        for hay in [
            "",
            "|",
            "||",
            "|||",
            "a||b||||c",
            "url(url(",
            "![]+[]![]",
            &long,
        ] {
            for needle in ["|", "||", "url(", "![]", "+[]", "a|"] {
                let ours: Vec<_> = super::find_iter(hay.as_bytes(), needle.as_bytes()).collect();
                let memmem: Vec<_> =
                    memchr::memmem::find_iter(hay.as_bytes(), needle.as_bytes()).collect();
                assert_eq!(ours, memmem, "{needle:?} in {hay:?}");
            }
        }
    }
}

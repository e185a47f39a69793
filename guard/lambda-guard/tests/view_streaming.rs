//! Differential tests of the streaming JSON walk: the view must yield the fields (path, role,
//! text, decodings, record, in order) that parsing each JSON string into a `serde_json::Value`
//! and walking the tree yielded (`InputView::for_each_by_tree`), over the AWS fixtures, the
//! corpora (when present) and generated JSON, valid or not. A text that looks like JSON but is
//! not one document is parsed and walked in one pass, so the strings before its error were
//! walked too: the tree's fields must be there, in order, and the only others are fields read
//! as JSON (`json` among their decodings).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support {
    pub mod aws_fixtures;
    pub mod corpus;
}

use base64::Engine as _;
use lambda_guard::{trigger::FieldRole, InputView};
use proptest::prelude::*;
use serde_json::{json, Value};

type Fields = Vec<(String, FieldRole, String, Vec<&'static str>, Option<usize>)>;

fn collect(event: &Value, by_tree: bool) -> Fields {
    let view = InputView::new(event);
    let mut out = Vec::new();
    let mut push = |f: &lambda_guard::trigger::Field<'_>| {
        out.push((
            f.path.to_string(),
            f.role,
            f.text.to_owned(),
            f.transforms.names().collect(),
            f.record,
        ))
    };
    if by_tree {
        view.for_each_by_tree(&mut push);
    } else {
        view.for_each(&mut push);
    }
    out
}

fn assert_same(event: &Value, what: &str) {
    let streamed = collect(event, false);
    let tree = collect(event, true);
    let mut left = tree.iter().peekable();
    let mut extra = Vec::new();
    for field in &streamed {
        if left.peek() == Some(&field) {
            left.next();
        } else {
            extra.push(field);
        }
    }
    assert!(
        left.peek().is_none() && extra.iter().all(|f| f.3.contains(&"json")),
        "{what}: streamed {streamed:#?}\ntree {tree:#?}"
    );
}

/// Whether every string in `v` that looks like JSON (`{` or `[` first) is one document whose
/// strings all parse in turn.
fn strings_all_parse(v: &Value) -> bool {
    match v {
        Value::String(s) => {
            let t = s.trim_start();
            !(t.starts_with('{') || t.starts_with('['))
                || serde_json::from_str::<Value>(s).is_ok_and(|inner| strings_all_parse(&inner))
        }
        Value::Array(items) => items.iter().all(strings_all_parse),
        Value::Object(members) => members
            .iter()
            .all(|(k, v)| strings_all_parse(&Value::String(k.clone())) && strings_all_parse(v)),
        _ => true,
    }
}

/// The walks of an event whose JSON strings all parse are the same.
fn assert_exactly_same(event: &Value, what: &str) {
    assert!(
        collect(event, false) == collect(event, true),
        "{what}: the walks differ"
    );
}

/// Whether the walk reached inside a JSON string at all (so a test is not vacuous).
fn parsed_json(event: &Value) -> bool {
    collect(event, false).iter().any(|f| f.3.contains(&"json"))
}

#[test]
fn aws_fixtures_walk_the_same() {
    let dir = support::aws_fixtures::fixtures_dir();
    let mut json_fields = 0;
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let Ok(event) = serde_json::from_str::<Value>(&std::fs::read_to_string(&path).unwrap())
        else {
            continue;
        };
        assert_same(&event, &path.display().to_string());
        json_fields += usize::from(parsed_json(&event));
        n += 1;
    }
    assert!(n > 150, "only {n} fixtures");
    assert!(
        json_fields > 10,
        "only {json_fields} fixtures carry JSON strings"
    );
}

#[test]
fn corpora_walk_the_same() {
    let Some(dir) = support::corpus::dir() else {
        eprintln!("corpora not found: skipped");
        return;
    };
    let samples = support::corpus::load(&dir);
    assert!(samples.len() > 10_000, "{} samples", samples.len());
    // Every 5th sample keeps the debug-build run short; every placement of each.
    for sample in samples.iter().step_by(5) {
        for (placement, event) in support::corpus::events(sample) {
            assert_same(&event, &format!("{} in {placement}", sample.id));
        }
    }
}

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x7f'\"<>;|&$`(){}\\[\\]%\\\\#*=:/. a-zA-Z0-9\u{2028}\u{e9}\u{1f600}]{0,40}",
        // Strings that are JSON or base64 themselves.
        "[{\\[] *\"[a-z'<$]{0,6}\" *[:,] *(\"[a-z'<]{0,6}\"|[0-9]{1,3}|\\[\\]|\\{\\}) *[}\\]]",
        "([A-Za-z0-9+/]{4}){4,8}(==|[A-Za-z0-9+/]{2}=)?",
    ]
}

/// JSON values (no repeated keys: a tree cannot hold them), with byte arrays, nested JSON text
/// and base64 in strings.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (0u64..300).prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        hostile().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec(32u64..127, 3..8).prop_map(|b| json!(b)),
            prop::collection::btree_map(hostile(), inner.clone(), 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            inner.prop_map(|v| Value::String(v.to_string())),
        ]
    })
}

/// Non-ASCII characters written as `\u` escapes (surrogate pairs past the BMP), as some
/// serializers do: the same document, with escaped keys and strings.
fn ascii_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// Ways to spoil a document: cut it short, or append a stray character.
fn spoil(text: &str, how: usize) -> String {
    match how % 3 {
        0 => text.chars().take(text.chars().count() * 2 / 3).collect(),
        1 => format!("{text} x"),
        _ => text.replacen(':', "", 1),
    }
}

fn carriers(body: &str) -> Vec<Value> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    vec![
        json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": body,
            "messageAttributes": {"a": {"dataType": "String", "stringValue": body}}}]}),
        json!({"version": "2.0", "routeKey": "$default", "rawPath": "/", "requestContext": {"http": {"method": "POST"}},
            "headers": {"content-type": "application/json"}, "body": body}),
        json!({"version": "2.0", "routeKey": "$default", "rawPath": "/", "requestContext": {"http": {"method": "POST"}},
            "headers": {}, "body": b64, "isBase64Encoded": true}),
        json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": body, "Subject": "s"}}]}),
        json!({"detail-type": "x", "detail": {"payload": body, "encoded": b64}}),
        json!({"anything": [body, {"k": body}]}),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn generated_json_walks_the_same(v in json_value(), how in 0usize..3) {
        let compact = v.to_string();
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        for body in [compact.clone(), pretty, ascii_escaped(&compact), spoil(&compact, how)] {
            for event in carriers(&body) {
                assert_same(&event, &body);
            }
        }
        if strings_all_parse(&v) {
            for event in carriers(&compact) {
                assert_exactly_same(&event, &compact);
            }
        }
    }

    #[test]
    fn arbitrary_text_walks_the_same(s in hostile()) {
        for body in [s.clone(), format!("{{\"k\": {s}}}"), format!("[{s}]")] {
            for event in carriers(&body) {
                assert_same(&event, &body);
            }
        }
    }
}

#[test]
fn generated_documents_are_walked_inside() {
    let event =
        json!({"anything": r#"{"a": ["x", [104, 105, 33, 33]], "b": "{\"c\": \"\\u00e9\"}"}"#});
    assert!(parsed_json(&event));
    assert_same(&event, "nested");
}

#[test]
fn nesting_past_the_parser_limit_falls_back_the_same() {
    // serde_json refuses documents nested 128 deep: both walks then see the text itself.
    for depth in [100, 127, 128, 129, 200] {
        let body = format!("{}\"x\"{}", "[".repeat(depth), "]".repeat(depth));
        assert_same(&json!({"anything": body}), &format!("depth {depth}"));
        let body = format!("{}1{}", "{\"k\":".repeat(depth), "}".repeat(depth));
        assert_same(&json!({"anything": body}), &format!("object depth {depth}"));
    }
}

#[test]
fn numbers_out_of_range_fall_back_the_same() {
    for body in [
        r#"["x", 1e400]"#,
        r#"["x", -1e999]"#,
        r#"["x", 1e-400]"#,
        r#"["\ud800"]"#,
    ] {
        assert_same(&json!({"anything": body}), body);
    }
}

#[test]
fn every_occurrence_of_a_repeated_key_is_walked() {
    // The tree kept only the last `q`; an application's parser may keep the first.
    let event = json!({"anything": r#"{"q": "' OR 1=1--", "q": "fine"}"#});
    let texts: Vec<String> = collect(&event, false).into_iter().map(|f| f.2).collect();
    assert_eq!(texts, ["anything", "q", "' OR 1=1--", "q", "fine"]);
    let texts: Vec<String> = collect(&event, true).into_iter().map(|f| f.2).collect();
    assert_eq!(texts, ["anything", "q", "fine"]);
}

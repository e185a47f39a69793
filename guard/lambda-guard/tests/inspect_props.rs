//! Property tests: inspection never panics, whatever the strings or JSON placed in any trigger,
//! and what it reports stays short and well-formed. (Linear time is measured by the
//! `linearity` section of `benches/inspect.rs`, not asserted here: unit tests stay free of
//! timing.)
#![allow(clippy::unwrap_used, missing_docs)] // reason: tests

use lambda_guard::{
    inspect::{InspectConfig, Inspector},
    InputView,
};
use proptest::prelude::*;
use serde_json::{json, Value};

fn placements(s: &str) -> Vec<Value> {
    vec![
        json!({"version": "2.0", "routeKey": "$default", "rawPath": "/", "requestContext": {"http": {"method": "GET"}},
            "headers": {"x-a": s}, "queryStringParameters": {s: s}}),
        json!({"version": "2.0", "routeKey": "$default", "rawPath": "/", "requestContext": {"http": {"method": "POST"}},
            "headers": {"content-type": "application/x-www-form-urlencoded"}, "body": s}),
        json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": s, "messageAttributes": {}}]}),
        json!({"Records": [{"eventSource": "aws:s3", "s3": {"object": {"key": s}}}]}),
        json!({"httpMethod": "GET", "path": s, "requestContext": {"elb": {"targetGroupArn": "arn"}},
            "queryStringParameters": {"q": s}, "headers": {}}),
        json!({"version": "2.0", "path": s, "method": "POST", "headers": {"content-type": [s]},
            "queryStringParameters": {s: [s]}, "body": s, "isBase64Encoded": false,
            "requestContext": {"serviceArn": "arn", "identity": {"x509SubjectCn": s}}}),
        json!({"raw_path": s, "method": s, "headers": {s: s}, "body": s, "is_base64_encoded": true}),
        json!({"type": "TOKEN", "authorizationToken": s, "methodArn": s}),
    ]
}

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x7f'\"<>;|&$`(){}\\[\\]%\\\\#*=:/. a-zA-Z0-9\u{2028}\u{ff1c}\u{c0}]{0,400}",
        "(%25|%2e|%00|&#x3c;|\\\\u003c|\\$\\{|\\{\\{|\\.\\./|<svg|' or |/\\*|\\*/|--|@@|0x|\\[\\$ne\\]){0,80}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        hostile().prop_map(Value::String),
    ];
    leaf.prop_recursive(8, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(hostile(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `text` as UTF-8, UTF-16 with a byte-order mark, UTF-32 (little-endian, big-endian with a
/// mark), zlib or gzip; or `bytes` as they are.
fn encoded(text: &str, bytes: &[u8], how: usize) -> Vec<u8> {
    use std::io::Write as _;
    let utf32 = |big: bool| -> Vec<u8> {
        let mark = big.then_some('\u{feff}');
        mark.into_iter()
            .chain(text.chars())
            .flat_map(|c| {
                if big {
                    u32::from(c).to_be_bytes()
                } else {
                    u32::from(c).to_le_bytes()
                }
            })
            .collect()
    };
    match how {
        0 => text.as_bytes().to_vec(),
        1 => "\u{feff}"
            .encode_utf16()
            .chain(text.encode_utf16())
            .flat_map(u16::to_le_bytes)
            .collect(),
        2 => utf32(false),
        3 => utf32(true),
        4 => {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(text.as_bytes()).unwrap();
            z.finish().unwrap()
        }
        5 => {
            let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(text.as_bytes()).unwrap();
            z.finish().unwrap()
        }
        _ => bytes.to_vec(),
    }
}

fn check(inspector: &Inspector, event: &Value) {
    let mut findings = Vec::new();
    inspector.inspect(&InputView::new(event), &mut findings);
    for f in &findings {
        assert!(f.path.starts_with('$'), "{f:?}");
        assert!(
            f.excerpt.chars().count() <= 64,
            "excerpt too long: {:?}",
            f.excerpt
        );
        assert!(
            !f.excerpt.chars().any(|c| c.is_control()),
            "control in excerpt: {:?}",
            f.excerpt
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn strings_in_every_placement_never_panic(s in hostile(), paranoia in 1u8..=4) {
        let inspector = Inspector::new(&InspectConfig { paranoia: Some(paranoia), ..InspectConfig::default() }).unwrap();
        for e in placements(&s) {
            check(&inspector, &e);
        }
    }

    #[test]
    fn json_bodies_never_panic(v in json_value()) {
        let inspector = Inspector::new(&InspectConfig::default()).unwrap();
        let body = v.to_string();
        for e in placements(&body) {
            check(&inspector, &e);
        }
        check(&inspector, &v);
    }

    #[test]
    fn stream_and_broker_payloads_of_any_shape_never_panic(
        v in json_value(),
        text in hostile(),
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        how in 0usize..7,
    ) {
        use base64::Engine as _;
        // Built once: compiling the rules dominates a case's time in a debug build.
        static INSPECTOR: std::sync::OnceLock<Inspector> = std::sync::OnceLock::new();
        let inspector = INSPECTOR.get_or_init(|| Inspector::new(&InspectConfig::default()).unwrap());
        // Declared payloads: text in each encoding the view reads, or random bytes.
        let data = base64::engine::general_purpose::STANDARD.encode(encoded(&text, &bytes, how));
        let events = [
            json!({"eventSource": "aws:kafka", "records": v}),
            json!({"eventSource": "aws:kafka", "records": {"t-0": [{"key": data, "value": data, "headers": v}]}}),
            json!({"eventSource": "aws:rmq", "rmqMessagesByQueue": v}),
            json!({"eventSource": "aws:rmq", "rmqMessagesByQueue": {"q": [{"basicProperties": v, "data": data}]}}),
            json!({"eventSource": "aws:mq", "messages": [v, {"data": data, "properties": v}]}),
            json!({"deliveryStreamArn": "a", "records": [v, {"recordId": "r", "data": data}]}),
            json!({"awslogs": {"data": data}}),
        ];
        for e in &events {
            check(inspector, e);
        }
    }

    #[test]
    fn emails_and_uploads_of_any_shape_never_panic(
        pieces in prop::collection::vec(prop_oneof![
            Just("From: a@example.com\r\n".to_owned()),
            Just("Date: today\r\n".to_owned()),
            Just(" folded\r\n".to_owned()),
            Just("\r\n".to_owned()),
            Just("\n".to_owned()),
            Just("Content-Type: multipart/mixed; boundary=b\r\n".to_owned()),
            Just("Content-Type: multipart/digest; boundary=b\r\n".to_owned()),
            Just("Content-Type: message/rfc822\r\n".to_owned()),
            Just("Content-Transfer-Encoding: base64\r\n".to_owned()),
            Just("Content-Transfer-Encoding: quoted-printable\r\n".to_owned()),
            Just("Content-Disposition: form-data; name=\"f\"; filename=\"a.png\"\r\n".to_owned()),
            Just("--b\r\n".to_owned()),
            Just("--b--\r\n".to_owned()),
            Just("PK\u{3}\u{4}".to_owned()),
            hostile(),
        ], 0..48),
        bytes in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        use base64::Engine as _;
        static INSPECTOR: std::sync::OnceLock<Inspector> = std::sync::OnceLock::new();
        let inspector = INSPECTOR.get_or_init(|| Inspector::new(&InspectConfig::default()).unwrap());
        let content = pieces.concat();
        // An SES e-mail through SNS, as text and as base64.
        for c in [content.clone(), base64::engine::general_purpose::STANDARD.encode(&content)] {
            let message = json!({"notificationType": "Received", "content": c}).to_string();
            check(inspector, &json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": message}}]}));
        }
        // A binary multipart upload: the pieces with raw bytes between them.
        let mut body = content.into_bytes();
        // Half of the files open as a PNG.
        if bytes.first().is_some_and(|b| b % 2 == 0) {
            body.extend_from_slice(b"\x89PNG\r\n\x1a\n");
        }
        body.extend_from_slice(&bytes);
        body.extend_from_slice(b"\r\n--b--\r\n");
        let upload = json!({"version": "2.0", "routeKey": "$default", "rawPath": "/",
            "requestContext": {"http": {"method": "POST"}},
            "headers": {"content-type": "multipart/form-data; boundary=b"},
            "body": base64::engine::general_purpose::STANDARD.encode(&body), "isBase64Encoded": true});
        check(inspector, &upload);
    }

    #[test]
    fn excerpts_never_hold_a_whole_longer_value(s in "[a-z ]{20,80}") {
        let inspector = Inspector::new(&InspectConfig::default()).unwrap();
        let payload = format!("{s}' OR '1'='1");
        let e = json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": payload}]});
        let mut findings = Vec::new();
        inspector.inspect(&InputView::new(&e), &mut findings);
        prop_assert!(!findings.is_empty());
        prop_assert!(findings.iter().all(|f| f.excerpt != payload));
    }
}

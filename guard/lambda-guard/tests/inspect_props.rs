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

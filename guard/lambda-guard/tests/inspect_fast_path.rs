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

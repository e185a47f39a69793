//! Runs one of the inspect bench's events through `InputView` + `Inspector::inspect` N times,
//! for instruction counts that a loaded machine cannot blur:
//!
//! ```text
//! cargo build --release -p lambda-guard --example inspect-cost
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/inspect-cost apigw-1k 5
//! ```
//! Instructions per event = (count with N = 5 − count with N = 1) / 4. Events: `apigw-1k`,
//! `browser-get`, `sqs-10`, `json-256k`, `json-6m` (limits raised, as in the bench),
//! `prose-256k`, `csv-256k`, `png-256k`, `binary-256k`, `png-6m` (uploads, base64 bodies);
//! `walk-256k` only walks the view, `parse-256k` only parses the body into a
//! `serde_json::Value`; `value=TEXT` is an SQS record whose body is `TEXT` (what one value
//! costs, less the same with an empty `TEXT`); `file=PATH` is the event in that JSON file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: a measuring tool

#[path = "../benches/support/events.rs"]
mod events;

use lambda_guard::{
    inspect::{InspectConfig, Inspector},
    InputView,
};
use serde_json::Value;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("json-256k", String::as_str);
    let n: usize = args.get(2).map_or(1, |s| s.parse().expect("a count"));
    // A realistic 6 MB body holds more keys than the default `max_keys` allows.
    let config = match what {
        "json-6m" | "png-6m" => InspectConfig {
            max_event_bytes: Some(64 << 20),
            max_string_bytes: Some(64 << 20),
            max_keys: Some(10_000_000),
            ..InspectConfig::default()
        },
        _ => InspectConfig::default(),
    };
    let inspector = Inspector::new(&config).unwrap();
    let event = match what {
        "apigw-1k" => events::api_event_1k(),
        "browser-get" => events::browser_get(),
        "sqs-10" => events::sqs_batch_10(),
        v if v.starts_with("file=") => {
            serde_json::from_str(&std::fs::read_to_string(&v["file=".len()..]).unwrap()).unwrap()
        }
        v if v.starts_with("value=") => serde_json::json!({"Records": [{"eventSource": "aws:sqs",
            "messageId": "m", "body": &v["value=".len()..]}]}),
        "json-6m" => events::http_with_body(events::json_body(6_000_000)),
        "prose-256k" => events::http_with_body(events::prose_body(256 << 10)),
        "csv-256k" => events::csv_export(256 << 10),
        "png-256k" => events::upload(256 << 10, "image/png"),
        "binary-256k" => events::upload(256 << 10, "application/octet-stream"),
        "png-6m" => events::upload(4_400_000, "image/png"),
        _ => events::http_with_body(events::json_body(256 << 10)),
    };
    let body = event["body"].as_str().unwrap_or_default();
    let mut fields = 0;
    for _ in 0..n {
        match what {
            "walk-256k" => InputView::new(&event).for_each(|_| fields += 1),
            "parse-256k" => fields += usize::from(serde_json::from_str::<Value>(body).is_ok()),
            _ => {
                let mut findings = Vec::new();
                inspector.inspect(&InputView::new(&event), &mut findings);
                assert!(findings.is_empty(), "{what} must be clean: {findings:?}");
            }
        }
    }
    println!("{what} × {n}: {fields} fields walked");
}

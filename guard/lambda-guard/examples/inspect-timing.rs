//! Quick wall-clock figures for the inspector (a smoke companion to `benches/inspect.rs`):
//! `cargo run --release -p lambda-guard --example inspect-timing`.
#![allow(clippy::unwrap_used, missing_docs)] // reason: a measurement tool

use lambda_guard::{
    inspect::{InspectConfig, Inspector},
    InputView,
};
use serde_json::{json, Value};
use std::time::Instant;

fn body(bytes: usize) -> String {
    let notes = [
        "Customer asked whether the blue or the red one fits better; we suggested the red.",
        "Delivered to reception at 10:42, signed by J. O'Neil.",
        "Refund requested: item arrived damaged (box crushed), photos attached.",
        "Please select a new date from the calendar and update the order before Friday.",
    ];
    let mut items = Vec::new();
    let mut size = 2;
    let mut i = 0usize;
    while size < bytes {
        let item = json!({"id": i, "uuid": format!("550e8400-e29b-41d4-a716-{:012}", i),
            "name": format!("Item {i} – Deluxe"), "email": format!("user{i}@example.com"),
            "url": format!("https://shop.example.com/p/{i}?ref=feed&lang=en"),
            "created": "2024-05-17T13:45:00Z", "price": 19.99, "tags": ["new", "sale"],
            "note": notes[i % notes.len()]})
        .to_string();
        size += item.len() + 1;
        items.push(item);
        i += 1;
    }
    format!("[{}]", items.join(","))
}

fn hostile(unit: &str, n: usize) -> Value {
    json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": unit.repeat(n / unit.len())}]})
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("hostile") {
        let inspector = Inspector::new(&InspectConfig {
            max_event_bytes: Some(64 << 20),
            max_string_bytes: Some(64 << 20),
            ..InspectConfig::default()
        })
        .unwrap();
        for unit in [
            "../",
            "<a ",
            "'",
            "' or (",
            "${",
            "{{",
            "%25",
            "&#",
            ";$(",
            "/*",
            "http://",
            "a=",
            "1:",
            "(",
            "*/.",
            "<!entity ",
            "java.",
            "\\u00",
            "select(",
            "\n2024-01-01 ",
        ] {
            let mut times = Vec::new();
            for n in [32usize << 10, 256 << 10] {
                let e = hostile(unit, n);
                let mut f = Vec::new();
                let t = Instant::now();
                inspector.inspect(&InputView::new(&e), &mut f);
                times.push(t.elapsed().as_secs_f64());
            }
            println!(
                "{unit:<12} 32K {:>9.3} ms  256K {:>9.3} ms  ratio {:.1}",
                times[0] * 1e3,
                times[1] * 1e3,
                times[1] / times[0]
            );
        }
        return;
    }
    let bytes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(256 << 10);
    let inspector = Inspector::new(&InspectConfig {
        max_keys: Some(10_000_000),
        ..InspectConfig::default()
    })
    .unwrap();
    let event = json!({"version": "2.0", "routeKey": "$default", "rawPath": "/", "requestContext": {"http": {"method": "POST"}},
        "headers": {"content-type": "application/json"}, "body": body(bytes)});
    let size = event.to_string().len();
    let mut findings = Vec::new();
    for round in 0..3 {
        findings.clear();
        let t = Instant::now();
        inspector.inspect(&InputView::new(&event), &mut findings);
        let e = t.elapsed();
        println!(
            "round {round}: {size} bytes in {:?} = {:.1} MB/s, {} findings",
            e,
            size as f64 / e.as_secs_f64() / 1e6,
            findings.len()
        );
    }
    let _ = Value::Null;
}

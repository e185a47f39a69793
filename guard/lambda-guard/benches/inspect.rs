//! Inspection throughput and init cost.
//!
//! ```text
//! cargo bench -p lambda-guard --bench inspect
//! ```
//! Groups: `init` (rule compilation), `events` (a 1 KB API Gateway event, a 10-record SQS batch,
//! a 256 KB JSON body, a 6 MB JSON body, each through `InputView` + `Inspector::inspect`,
//! body parsing included), `hostile` (6 MB of one-character-class payloads: traversal, tags,
//! quotes, lookups, with limits raised so detectors really run) and, after criterion, a
//! `linearity` table: time on 8n bytes / time on n bytes for pathological inputs (≈ 8 means
//! linear).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // reason: a benchmark

use criterion::{black_box, criterion_group, BenchmarkId, Criterion, Throughput};
use lambda_guard::{
    inspect::{InspectConfig, Inspector},
    InputView,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn api_event_1k() -> Value {
    json!({
        "version": "2.0", "routeKey": "POST /orders/{id}", "rawPath": "/orders/42",
        "rawQueryString": "expand=items&currency=EUR",
        "headers": {
            "accept": "application/json", "content-type": "application/json",
            "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
            "host": "abc123.execute-api.eu-west-1.amazonaws.com", "x-request-id": "5b1c2a8e-9c1f-4e0b-8a53-1d2f3e4a5b6c",
            "accept-language": "en-GB,en;q=0.9", "x-forwarded-for": "198.51.100.7"
        },
        "queryStringParameters": {"expand": "items", "currency": "EUR"},
        "pathParameters": {"id": "42"},
        "requestContext": {"http": {"method": "POST", "path": "/orders/42", "sourceIp": "198.51.100.7"},
            "accountId": "123456789012", "apiId": "abc123", "stage": "$default", "requestId": "r-1"},
        "body": json!({"customer": {"name": "Siobhán O'Brien", "email": "siobhan@example.com"},
            "items": [{"sku": "SKU-1001", "qty": 2}, {"sku": "SKU-2002", "qty": 1}],
            "note": "Please deliver after 5 pm; leave it with the neighbour if I'm out.",
            "coupon": "SPRING-24"}).to_string(),
        "isBase64Encoded": false
    })
}

fn sqs_batch_10() -> Value {
    let records: Vec<Value> = (0..10)
        .map(|i| {
            json!({"messageId": format!("059f36b4-87a3-44ab-83d2-66197591100{i}"), "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
                "body": json!({"orderId": 1000 + i, "status": "shipped", "carrier": "DHL",
                    "tracking": format!("JD01460000{i}"), "comment": "Left at the front door, as requested."}).to_string(),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183"},
                "messageAttributes": {}, "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:orders", "awsRegion": "eu-west-1"})
        })
        .collect();
    json!({ "Records": records })
}

/// A JSON array of realistic records, about `bytes` long.
fn json_body(bytes: usize) -> String {
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

fn http_with_body(body: String) -> Value {
    let mut e = api_event_1k();
    e["body"] = Value::String(body);
    e
}

fn inspect(inspector: &Inspector, event: &Value) -> usize {
    let mut findings = Vec::new();
    inspector.inspect(&InputView::new(event), &mut findings);
    findings.len()
}

fn raised() -> InspectConfig {
    InspectConfig {
        max_event_bytes: Some(64 << 20),
        max_string_bytes: Some(64 << 20),
        max_keys: Some(10_000_000),
        ..InspectConfig::default()
    }
}

fn bench_init(c: &mut Criterion) {
    c.bench_function("init/default", |b| {
        b.iter(|| Inspector::new(black_box(&InspectConfig::default())).unwrap())
    });
}

fn bench_events(c: &mut Criterion) {
    let default = Inspector::new(&InspectConfig::default()).unwrap();
    // A realistic 6 MB body holds ~200k keys: over the default `max_keys` (100k), so the
    // 6 MB case runs with limits raised to measure the detectors rather than the refusal.
    let raised = Inspector::new(&raised()).unwrap();
    let mut g = c.benchmark_group("events");
    let cases = [
        ("apigw-1k", api_event_1k()),
        ("sqs-10", sqs_batch_10()),
        ("json-256k", http_with_body(json_body(256 << 10))),
        ("json-6m", http_with_body(json_body(6_000_000))),
    ];
    for (name, event) in &cases {
        let inspector = if *name == "json-6m" {
            &raised
        } else {
            &default
        };
        let size = event.to_string().len();
        assert_eq!(inspect(inspector, event), 0, "{name} must be clean");
        g.throughput(Throughput::Bytes(size as u64));
        if size > 1 << 20 {
            g.sample_size(10);
        }
        g.bench_with_input(BenchmarkId::from_parameter(name), event, |b, e| {
            b.iter(|| inspect(inspector, black_box(e)))
        });
    }
    g.finish();
}

/// Payloads that stress one detector each, `n` bytes long.
fn hostile(kind: &str, n: usize) -> String {
    let unit = match kind {
        "traversal" => "../",
        "tags" => "<a ",
        "quotes" => "'",
        "sql" => "' or (",
        "lookups" => "${",
        "templates" => "{{",
        "percent" => "%25",
        "entities" => "&#",
        "shell" => ";$(",
        "comments" => "/*",
        "urls" => "http://",
        "php" => "$a[/*(system)(o:1:",
        "cookies" => ".cookie=; domain=",
        "calls" => "alert(function(while(",
        _ => "a",
    };
    unit.repeat(n / unit.len())
}

const HOSTILE: &[&str] = &[
    "traversal",
    "tags",
    "quotes",
    "sql",
    "lookups",
    "templates",
    "percent",
    "entities",
    "shell",
    "comments",
    "urls",
    "php",
    "cookies",
    "calls",
];

fn bench_hostile(c: &mut Criterion) {
    let inspector = Inspector::new(&raised()).unwrap();
    let mut g = c.benchmark_group("hostile-6m");
    g.sample_size(10);
    for kind in HOSTILE {
        let event = json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": hostile(kind, 6_000_000)}]});
        g.throughput(Throughput::Bytes(6_000_000));
        g.bench_with_input(BenchmarkId::from_parameter(kind), &event, |b, e| {
            b.iter(|| inspect(&inspector, black_box(e)))
        });
    }
    // The default limits: a 7 MB event is refused before any detector runs.
    let default = Inspector::new(&InspectConfig::default()).unwrap();
    let over = json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": hostile("sql", 7_000_000)}]});
    g.bench_function("over-limit-7m", |b| {
        b.iter(|| inspect(&default, black_box(&over)))
    });
    g.finish();
}

criterion_group!(benches, bench_init, bench_events, bench_hostile);

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Time on 8n / time on n for each pathological input (a ratio near 8 is linear; quadratic
/// would be near 64).
fn linearity() {
    let inspector = Inspector::new(&raised()).unwrap();
    let time = |s: &str| {
        let event = json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": s}]});
        median(
            (0..7)
                .map(|_| {
                    let t = Instant::now();
                    black_box(inspect(&inspector, &event));
                    t.elapsed()
                })
                .collect(),
        )
    };
    println!("\nlinearity: time(8n) / time(n), n = 64 KiB");
    for kind in HOSTILE {
        let n = 64 << 10;
        let small = time(&hostile(kind, n));
        let large = time(&hostile(kind, 8 * n));
        println!(
            "  {kind:<10} n: {:>9.1} µs  8n: {:>9.1} µs  ratio {:>5.2}",
            small.as_secs_f64() * 1e6,
            large.as_secs_f64() * 1e6,
            large.as_secs_f64() / small.as_secs_f64()
        );
    }
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    linearity();
}

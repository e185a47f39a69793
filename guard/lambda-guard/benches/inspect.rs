//! Inspection throughput and init cost.
//!
//! ```text
//! cargo bench -p lambda-guard --bench inspect
//! ```
//! Groups: `init` (rule compilation), `events` (a 1 KB API Gateway event, a 10-record SQS batch,
//! a 256 KB JSON body, a 6 MB JSON body, 256 KB of prose in one JSON member and of CSV as a
//! `text/csv` body, uploads: a 256 KB PNG, a 4.4 MB one (a 5.9 MB body) and 256 KB of
//! `application/octet-stream` noise, base64 as API Gateway passes them; each through
//! `InputView` + `Inspector::inspect`, body parsing included, each large JSON body also parsed
//! alone into a `serde_json::Value` as a yardstick), `hostile` (6 MB of one-character-class
//! payloads: traversal, tags, quotes, lookups, with limits raised so detectors really run) and,
//! after criterion, a `linearity` table: time on 8n bytes / time on n bytes for pathological
//! inputs (≈ 8 means linear).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // reason: a benchmark

use criterion::{black_box, criterion_group, BenchmarkId, Criterion, Throughput};
use lambda_guard::{
    inspect::{InspectConfig, Inspector},
    InputView,
};
use serde_json::{json, Value};

#[path = "support/events.rs"]
mod events;
use events::{
    api_event_1k, browser_get, csv_export, http_with_body, json_body, prose_body, sqs_batch_10,
    upload,
};
use std::time::{Duration, Instant};

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
        ("browser-get", browser_get()),
        ("sqs-10", sqs_batch_10()),
        ("json-256k", http_with_body(json_body(256 << 10))),
        ("json-6m", http_with_body(json_body(6_000_000))),
        ("prose-256k", http_with_body(prose_body(256 << 10))),
        ("csv-256k", csv_export(256 << 10)),
        ("png-256k", upload(256 << 10, "image/png")),
        ("binary-256k", upload(256 << 10, "application/octet-stream")),
        ("png-6m", upload(4_400_000, "image/png")), // a 5.9 MB body
    ];
    for (name, event) in &cases {
        let inspector = if name.ends_with("-6m") {
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
        // The yardstick for bodies: parsing the same body into a `serde_json::Value`, nothing
        // else (a ratio measured in the same run holds on a loaded machine).
        let json =
            event["isBase64Encoded"] != true && event["headers"]["content-type"] != "text/csv";
        if let Some(body) = event["body"]
            .as_str()
            .filter(|b| json && b.len() > 64 << 10)
        {
            g.throughput(Throughput::Bytes(body.len() as u64));
            let id = BenchmarkId::new("serde-value-parse", name);
            g.bench_with_input(id, body, |b, body| {
                b.iter(|| serde_json::from_str::<Value>(black_box(body)).unwrap())
            });
        }
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
        "entities" | "xml-entities" => "&#",
        "shell" => ";$(",
        "comments" => "/*",
        "urls" => "http://",
        "php" => "$a[/*(system)(o:1:",
        "cookies" => ".cookie=; domain=",
        "calls" => "alert(function(while(",
        "separators" => "&a;b|c",
        "xml-markup" => "<a b='&amp;'>",
        "multipart" => "--b\r\nx\r\n",
        // The seventh session's detectors: dialogs reached indirectly, LDAP filters, PowerShell
        // static calls, spreadsheet formulas, XML declarations and parameter entities.
        "dialogs" => "(0,alert)([1].map(top.",
        // Dialog names passed on or renamed, none of them called; a `(` before them makes the
        // value worth reading as script.
        "callbacks" => return "(x".to_owned() + &",alert".repeat(n / 6),
        "aliases" => return "(".to_owned() + &"a=alert,".repeat(n / 8),
        // Composite openers, then the `=` that makes the value worth reading as a filter.
        "filters" => return "(&".repeat(n / 2) + "=",
        "ldap" => ")(|(cn=",
        "powershell" => "[a]::b(&'",
        "formulas" => "=HYPERLINK(",
        "dtd" => "<!ELEMENT a %b;",
        // Braces before words with no break: each `{` read the rest as one word.
        "jndi" => "${jndi:",
        "substrings" => "${x:0:",
        _ => "a",
    };
    unit.repeat(n / unit.len())
}

/// `kind` of about `n` bytes where it is read: an HTTP body of its content type for the body
/// layouts (XML, multipart), an SQS message body otherwise.
fn hostile_event(kind: &str, n: usize) -> Value {
    let body = hostile(kind, n);
    let content_type = match kind {
        "xml-entities" | "xml-markup" | "dtd" => "application/xml",
        "multipart" => "multipart/form-data; boundary=b",
        _ => {
            return json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": body}]})
        }
    };
    let mut event = http_with_body(body);
    event["headers"]["content-type"] = json!(content_type);
    event
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
    "separators",
    "xml-entities",
    "xml-markup",
    "multipart",
    "dialogs",
    "callbacks",
    "aliases",
    "filters",
    "ldap",
    "powershell",
    "formulas",
    "dtd",
    "jndi",
    "substrings",
];

fn bench_hostile(c: &mut Criterion) {
    let inspector = Inspector::new(&raised()).unwrap();
    let mut g = c.benchmark_group("hostile-6m");
    g.sample_size(10);
    for kind in HOSTILE {
        let event = hostile_event(kind, 6_000_000);
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
    let time = |event: &Value| {
        median(
            (0..7)
                .map(|_| {
                    let t = Instant::now();
                    black_box(inspect(&inspector, event));
                    t.elapsed()
                })
                .collect(),
        )
    };
    println!("\nlinearity: time(8n) / time(n), n = 64 KiB");
    for kind in HOSTILE {
        let n = 64 << 10;
        let small = time(&hostile_event(kind, n));
        let large = time(&hostile_event(kind, 8 * n));
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

#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "benchmark code: a panic is a failed run"
)]
//! In-invocation cost of telemetry: what runs on the invocation's path (the invocation span and
//! its attributes, the report handed to the telemetry thread). `…/with-background-work` adds
//! what the telemetry thread does off the path (the OCSF events built, masked, serialized and
//! written, the OTel log records handed to the batch processor, the inventory update). Export
//! and flush run after the response (batch threads, `FlushLayer`) and are in neither.
//!
//! - `allow`: an API Gateway HTTP API request allowed with no finding, auth off (no event: the
//!   span and the inventory update only).
//! - `deny-2-findings`: the same request refused by auth with two injection findings: four
//!   events (Authentication, API Activity, two Detection Findings).
//!
//! Each runs with stdout only (lines written to /dev/null, as a write syscall like Lambda's
//! stdout pipe) and with OTLP on too (a `tracing-opentelemetry` subscriber installed, exporting
//! to a closed loopback port: the hot path does not depend on the collector).

use criterion::{criterion_group, criterion_main, Criterion};
use lambda_guard::{
    decision::{Category, Decision, DenyReason, Finding, Verdict},
    telemetry::{Sink, Telemetry},
    trigger::sample,
    Config, Trigger,
};
use serde_json::Value;
use std::{
    hint::black_box,
    sync::Mutex,
    time::{Duration, Instant},
};

fn telemetry(otlp: bool, auth: bool) -> Telemetry {
    let mut config = Config::default();
    config.telemetry.otlp = Some(otlp);
    config.telemetry.export_timeout_ms = Some(200);
    if auth {
        config.auth.jwt.jwks_url = Some("http://127.0.0.1:9/jwks".into());
    }
    let devnull = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .unwrap();
    let sink = (
        Sink::Writer(Mutex::new(Box::new(devnull))),
        Default::default(),
    );
    Telemetry::with_sink(&config, sink).0
}

fn context(n: u64) -> lambda_runtime::Context {
    let mut c = lambda_runtime::Context::default();
    c.request_id = format!("8476a536-e9f4-11e8-9739-{n:012}");
    c.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders".into();
    c.xray_trace_id =
        Some("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".into());
    c
}

fn deny_verdict() -> Verdict {
    let mut v = Verdict::allow(Trigger::ApiGatewayHttp);
    v.decision = Decision::Deny(DenyReason::Unauthenticated);
    v.findings
        .push(Finding::event(Category::Auth, "invalid_signature"));
    for (category, rule, path) in [
        (Category::Sqli, "sqli.tautology", "$.body.note"),
        (Category::Xss, "xss.script", "$.queryStringParameters.q"),
    ] {
        v.findings.push(Finding {
            category,
            rule: rule.into(),
            path: path.into(),
            excerpt: "' OR 1=1 --".into(),
            record: None,
            transforms: vec!["json"],
        });
    }
    v
}

fn run(c: &mut Criterion, name: &str, t: &Telemetry, verdict: &Verdict, event: &Value) {
    let ctx = context(1);
    let bound = Duration::from_secs(5);
    // In-invocation: the span, the report handed to the telemetry thread. The thread's work is
    // waited for outside the timed part, so every iteration starts with an empty queue.
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let span = t.invocation_span(&ctx, black_box(event));
                let entered = span.enter();
                t.invocation(black_box(verdict), black_box(event), &ctx);
                drop(entered);
                drop(span);
                total += start.elapsed();
                t.drain(bound);
            }
            total
        })
    });
    // Off the invocation too: the same plus building, writing and handing over every event.
    c.bench_function(&format!("{name}/with-background-work"), |b| {
        b.iter(|| {
            let span = t.invocation_span(&ctx, black_box(event));
            let entered = span.enter();
            t.invocation(black_box(verdict), black_box(event), &ctx);
            drop(entered);
            drop(span);
            t.drain(bound);
        })
    });
}

fn bench(c: &mut Criterion) {
    let event = sample(Trigger::ApiGatewayHttp);
    let allow = Verdict::allow(Trigger::ApiGatewayHttp);
    let deny = deny_verdict();

    run(
        c,
        "telemetry/stdout/allow",
        &telemetry(false, false),
        &allow,
        &event,
    );
    run(
        c,
        "telemetry/stdout/deny-2-findings",
        &telemetry(false, true),
        &deny,
        &event,
    );

    std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9");
    let with_otlp = telemetry(true, false);
    let with_otlp_auth = telemetry(true, true);
    {
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(with_otlp.otel_layer());
        tracing::subscriber::set_global_default(subscriber).unwrap();
    }
    run(c, "telemetry/otlp/allow", &with_otlp, &allow, &event);
    run(
        c,
        "telemetry/otlp/deny-2-findings",
        &with_otlp_auth,
        &deny,
        &event,
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);

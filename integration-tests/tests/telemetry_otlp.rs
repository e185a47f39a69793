//! Security telemetry end to end: the examples under `cargo lambda watch`, exporting over
//! OTLP/HTTP to a real receiver on loopback (oteltest's HTTP sink), their OCSF events validated
//! against the official OCSF schemas of the declared version, and no token or masked field on
//! stdout or at the receiver.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use integration_tests::{
    cargo_lambda::Emulator,
    event,
    otlp::{attribute, ocsf_events, validate_ocsf, OtlpSink},
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn assert_valid(lines: &str) -> Value {
    let report = validate_ocsf(lines);
    assert_eq!(report["errors"], json!([]), "{report}\n{lines}");
    assert!(report["validated"].as_u64().unwrap() > 0, "{report}");
    report
}

/// The OTel log bodies as JSON lines, for the validator.
fn log_bodies(logs: &[Value]) -> String {
    logs.iter()
        .filter_map(|l| l["body"]["stringValue"].as_str())
        .map(|b| format!("{b}\n"))
        .collect()
}

fn hostile_batch() -> Value {
    let mut batch = event("sqs", &[]);
    let mut good = batch["Records"][0].clone();
    let mut hostile = good.clone();
    good["messageId"] = json!("good-1");
    good["body"] = json!("{\"sensor\":\"t1\",\"value\":21.5}");
    hostile["messageId"] = json!("guard-rejects-2");
    hostile["body"] = json!(format!(
        "{{\"sensor\":\"{}\",\"value\":1}}",
        "A".repeat(600)
    ));
    batch["Records"] = json!([good, hostile]);
    batch
}

#[test]
fn batch_ingest_exports_its_span_and_ocsf_events_to_a_real_otlp_receiver() {
    let sink = OtlpSink::start("batch");
    let emulator = Emulator::start("telemetry-batch");
    let endpoint = sink.endpoint();
    let function = emulator.function_as(
        "batch-ingest",
        "telemetry-batch-ingest",
        &[
            ("GUARD_INSPECT_MAX_STRING_BYTES", "256"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("AWS_REGION", "eu-west-1"),
            ("PAYMENT_API_KEY", "sk_live_not_a_real_key_0123456789"),
        ],
    );
    let answer = emulator.invoke(&hostile_batch());
    assert_eq!(
        answer,
        json!({"batchItemFailures": [{"itemIdentifier": "guard-rejects-2"}]})
    );

    // stdout: the init inventory, then the finding (a limit: severity Low) and the inventory
    // with the new trigger.
    std::thread::sleep(Duration::from_millis(200));
    let stdout = function.log();
    let events = ocsf_events(&stdout);
    let finding = events
        .iter()
        .find(|e| e["class_uid"] == 2004)
        .unwrap_or_else(|| panic!("no finding on stdout:\n{stdout}"));
    let request_id = finding["metadata"]["correlation_uid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(finding["unmapped"]["guard"]["action"], "filtered");
    assert_eq!(finding["evidences"][0]["data"]["record"], 1);
    let inventory = events.iter().rfind(|e| e["class_uid"] == 5023).unwrap();
    let surface = &inventory["unmapped"]["inventory"];
    assert_eq!(surface["triggers"], json!(["sqs"]));
    assert_eq!(surface["secret_like_env"], json!(["PAYMENT_API_KEY"]));
    assert!(!stdout.contains("sk_live_not_a_real_key"), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains("\"class_uid\":2004"))
        .unwrap();
    let line: Value = serde_json::from_str(line).unwrap();
    assert_eq!(line["level"], "WARN");
    assert_eq!(line["function_request_id"], request_id.as_str());
    assert_valid(&stdout);

    // The receiver: the invocation span with the FaaS conventions, the events as log records.
    let received = sink.wait_for(Duration::from_secs(10), |r| {
        !r.spans.is_empty()
            && r.logs
                .iter()
                .any(|l| l["eventName"] == "ocsf.detection_finding")
    });
    let span = received
        .spans
        .iter()
        .find(|s| attribute(s, "faas.invocation_id") == Some(json!(request_id)))
        .unwrap_or_else(|| panic!("no invocation span: {received:?}\n{}", sink.raw()));
    assert_eq!(attribute(span, "faas.trigger"), Some(json!("pubsub")));
    assert_eq!(attribute(span, "faas.coldstart"), Some(json!(true)));
    assert_eq!(attribute(span, "cloud.provider"), Some(json!("aws")));
    assert_eq!(attribute(span, "cloud.platform"), Some(json!("aws_lambda")));
    assert_eq!(attribute(span, "cloud.region"), Some(json!("eu-west-1")));
    assert_eq!(
        attribute(span, "lambda_guard.decision"),
        Some(json!("filter"))
    );
    assert_eq!(attribute(span, "lambda_guard.trigger"), Some(json!("sqs")));
    assert_eq!(span["kind"], "SPAN_KIND_CONSUMER", "{span}");
    assert!(
        span["events"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["name"] == "lambda_guard.finding")),
        "{span}"
    );
    // The X-Ray trace the emulator sent is the span's trace.
    let log = received
        .logs
        .iter()
        .find(|l| l["eventName"] == "ocsf.detection_finding")
        .unwrap();
    assert_eq!(log["traceId"], span["traceId"], "{log}");
    assert_eq!(log["severityText"], "WARN");
    let body: Value = serde_json::from_str(log["body"]["stringValue"].as_str().unwrap()).unwrap();
    assert_eq!(body["metadata"]["correlation_uid"], request_id.as_str());
    let report = assert_valid(&log_bodies(&received.logs));
    assert!(report["classes"]["2004"].as_u64().unwrap() >= 1, "{report}");
}

const TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhbGljZSIsImF1ZCI6Im9yZGVycyJ9.QmFkU2lnbmF0dXJlQmFkU2lnbmF0dXJlQmFkU2ln";

#[test]
fn no_token_cookie_or_masked_field_reaches_stdout_or_the_receiver() {
    let sink = OtlpSink::start("orders");
    let emulator = Emulator::start("telemetry-orders");
    let endpoint = sink.endpoint();
    let function = emulator.function_as(
        "orders-api",
        "telemetry-orders-api",
        &[
            (
                "GUARD_JWT_JWKS_URL",
                "http://127.0.0.1:9/.well-known/jwks.json",
            ),
            ("GUARD_JWT_ISSUER", "https://issuer.example.test"),
            ("GUARD_JWT_AUDIENCE", "orders"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            (
                "GUARD_TELEMETRY_MASK_FIELDS",
                "src_endpoint.ip,evidences.*.src_endpoint.ip",
            ),
        ],
    );
    let request = event(
        "apigateway-http",
        &[
            &format!("headers.authorization=Bearer {TOKEN}"),
            "headers.cookie=session=s3ss10n-c00kie-value",
            "requestContext.http.sourceIp=198.51.100.77",
            "routeKey=$default",
            "rawPath=/orders/9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        ],
    );
    let answer = emulator.invoke(&request);
    // The JWKS endpoint is unreachable: no key can verify the token, so the guard fails closed.
    assert_eq!(answer["statusCode"], 503, "{answer}");

    let received = sink.wait_for(Duration::from_secs(10), |r| {
        r.logs.iter().any(|l| l["eventName"] == "ocsf.api_activity") && !r.spans.is_empty()
    });
    std::thread::sleep(Duration::from_millis(200));
    let stdout = function.log();
    let classes: Vec<_> = ocsf_events(&stdout)
        .iter()
        .map(|e| e["class_uid"].clone())
        .collect();
    assert!(
        classes.contains(&json!(3002)) && classes.contains(&json!(6003)),
        "{classes:?}\n{stdout}"
    );
    let auth = ocsf_events(&stdout)
        .into_iter()
        .find(|e| e["class_uid"] == 3002)
        .unwrap();
    assert_eq!(auth["status_id"], 2);
    assert!(auth["src_endpoint"].get("ip").is_none(), "{auth}");
    assert_eq!(auth["http_request"]["url"]["path"], "/orders/{redacted}");
    assert_valid(&stdout);
    assert_valid(&log_bodies(&received.logs));

    let exported = sink.raw();
    for secret in [
        TOKEN,
        &TOKEN[..40],
        "s3ss10n-c00kie-value",
        "198.51.100.77",
        "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    ] {
        assert!(!stdout.contains(secret), "{secret} on stdout:\n{stdout}");
        assert!(
            !exported.contains(secret),
            "{secret} at the receiver:\n{exported}"
        );
    }
    // The span carries no caller address either (masking covers the attributes it shares).
    assert!(received
        .spans
        .iter()
        .all(|s| attribute(s, "client.address").is_none()));
}

#[test]
fn a_dead_collector_neither_fails_nor_delays_invocations_and_events_stay_on_stdout() {
    // A socket that accepts connections and never answers: the worst collector.
    let blackhole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", blackhole.local_addr().unwrap());
    let emulator = Emulator::start("telemetry-dead");
    let function = emulator.function_as(
        "batch-ingest",
        "telemetry-dead-batch-ingest",
        &[
            ("GUARD_INSPECT_MAX_STRING_BYTES", "256"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("GUARD_TELEMETRY_FLUSH_TIMEOUT_MS", "200"),
        ],
    );
    let mut slowest = Duration::ZERO;
    for _ in 0..3 {
        let start = Instant::now();
        let answer = emulator.invoke(&hostile_batch());
        slowest = slowest.max(start.elapsed());
        assert_eq!(
            answer,
            json!({"batchItemFailures": [{"itemIdentifier": "guard-rejects-2"}]})
        );
    }
    // The response is posted before the flush; the next invocation waits at most the bound
    // (200 ms). Unbounded, the OTLP exporter's own 10 s timeout would show; the margin is for
    // loaded 2-core CI machines.
    assert!(slowest < Duration::from_secs(5), "{slowest:?}");
    std::thread::sleep(Duration::from_millis(300));
    let stdout = function.log();
    let findings = ocsf_events(&stdout)
        .iter()
        .filter(|e| e["class_uid"] == 2004)
        .count();
    assert_eq!(findings, 3, "{stdout}");
    assert!(stdout.contains("OTLP flush"), "{stdout}");
    drop(blackhole);
}

#[test]
fn every_ocsf_class_the_guard_emits_validates_against_the_official_schema() {
    use lambda_guard::{
        auth::Claims,
        decision::{Category, Decision, DenyReason, Finding, Verdict},
        telemetry::{Sink, Telemetry},
        Config, Trigger,
    };
    use std::sync::Arc;

    let mut config = Config::default();
    config.auth.jwt.jwks_url = Some("http://127.0.0.1:9/jwks".into());
    let (telemetry, lines) = Telemetry::with_sink(&config, Sink::buffer());
    let mut context = lambda_runtime::Context::default();
    context.request_id = "c0ffee00-0000-4000-8000-000000000001".into();
    context.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders".into();
    context.xray_trace_id =
        Some("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".into());

    for trigger in ["apigateway-http", "apigateway-rest", "alb", "function-url"] {
        let request = event(trigger, &[]);
        let trigger = Trigger::detect(&request);
        // A verified caller, allowed.
        let mut allowed = Verdict::allow(trigger);
        allowed.claims = Some(Arc::new(Claims::unverified_for_tests(
            serde_json::json!({"sub": "user-123", "scope": "orders:read"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )));
        telemetry.invocation(&allowed, &request, &context);
        // Refused, with findings.
        let mut denied = Verdict::allow(trigger);
        denied.decision = Decision::Deny(DenyReason::Injection);
        denied
            .findings
            .push(Finding::event(Category::Auth, "expired"));
        denied.findings.push(Finding {
            category: Category::Sqli,
            rule: "sqli.union".into(),
            path: "$.body.q".into(),
            excerpt: "1 UNION SELECT".into(),
            record: None,
            transforms: vec!["json", "url"],
        });
        telemetry.invocation(&denied, &request, &context);
    }
    let batch = event("sqs", &[]);
    let mut filtered = Verdict::allow(Trigger::Sqs);
    filtered.decision = Decision::Filter { rejected: vec![0] };
    filtered.findings.push(Finding {
        category: Category::Limit,
        rule: "limit.string_bytes".into(),
        path: "$.Records[0].body".into(),
        excerpt: String::new(),
        record: Some(0),
        transforms: vec![],
    });
    telemetry.invocation(&filtered, &batch, &context);
    telemetry.invocation(
        &Verdict::malformed("malformed.json"),
        &Value::Null,
        &context,
    );
    telemetry.residue(Some(&context), "tmp_file", 4);
    telemetry.residue(None, "child_process", 1);
    telemetry.wipe(Some(&context), "/tmp", 12, 4096);
    telemetry.critical_error(Some(&context), "hygiene could not wipe /tmp");
    telemetry.critical_error(None, "panic at src/main.rs:10");

    assert!(telemetry.drain(Duration::from_secs(5)));
    let out = lines.take();
    let report = assert_valid(&out);
    for class in ["3002", "6003", "2004", "6008", "1001", "5023"] {
        assert!(
            report["classes"][class].as_u64().unwrap_or(0) > 0,
            "{class} not emitted: {report}"
        );
    }
}

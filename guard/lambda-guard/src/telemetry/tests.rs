#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use super::*;
use crate::{
    decision::{DenyReason, Finding},
    Config,
};
use serde_json::json;

fn context(request_id: &str) -> lambda_runtime::Context {
    let mut c = lambda_runtime::Context::default();
    c.request_id = request_id.to_owned();
    c.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders".to_owned();
    c.xray_trace_id =
        Some("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".into());
    c
}

/// What was written, once the telemetry thread caught up.
fn taken(t: &Telemetry, out: &Lines) -> String {
    assert!(t.drain(Duration::from_secs(5)));
    out.take()
}

fn lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2VjcmV0LXNpZ25hdHVyZQ";

fn http_event() -> Value {
    json!({
        "version": "2.0", "routeKey": "POST /orders/{id}", "rawPath": "/orders/42",
        "headers": {"authorization": format!("Bearer {TOKEN}"), "cookie": "session=s3cr3t-cookie"},
        "requestContext": {"http": {"method": "POST", "sourceIp": "203.0.113.9"}},
        "body": "{\"card\":\"4111111111111111\"}"
    })
}

fn auth_config() -> Config {
    let mut config = Config::default();
    config.auth.jwt.jwks_url = Some("http://127.0.0.1:9/jwks".into());
    config
}

#[test]
fn every_line_has_level_request_id_and_the_ocsf_event() {
    let (t, out) = Telemetry::with_sink(&Config::default(), Sink::buffer());
    let init = lines(&taken(&t, &out));
    assert_eq!(init.len(), 1, "the init inventory");
    assert_eq!(init[0]["ocsf"]["class_uid"], 5023);
    t.invocation(
        &Verdict::malformed("malformed.json"),
        &Value::Null,
        &context("req-1"),
    );
    let events = lines(&taken(&t, &out));
    let finding = events
        .iter()
        .find(|e| e["ocsf"]["class_uid"] == 2004)
        .unwrap();
    assert_eq!(finding["level"], "WARN");
    assert_eq!(finding["function_request_id"], "req-1");
    assert_eq!(finding["cold_start"], true);
    assert!(finding["timestamp"].as_str().unwrap().ends_with('Z'));
    let ocsf = &finding["ocsf"];
    assert_eq!(ocsf["metadata"]["correlation_uid"], "req-1");
    assert_eq!(ocsf["metadata"]["version"], ocsf::OCSF_VERSION);
    assert_eq!(ocsf["type_uid"], 200401);
    assert_eq!(ocsf["cloud"]["account"]["uid"], "123456789012");
    assert_eq!(
        ocsf["unmapped"]["faas"]["arn"],
        "arn:aws:lambda:eu-west-1:123456789012:function:orders"
    );
    assert!(ocsf["unmapped"]["faas"]["xray_trace_id"]
        .as_str()
        .unwrap()
        .contains("5759e988"));
}

#[test]
fn no_token_cookie_or_excerpt_reaches_the_output() {
    let mut config = auth_config();
    config.telemetry.mask_fields = vec![
        "src_endpoint.ip".into(),
        "evidences.*.src_endpoint.ip".into(),
        "$.body.card".into(),
    ];
    let (t, out) = Telemetry::with_sink(&config, Sink::buffer());
    let event = http_event();
    let mut verdict = Verdict::allow(Trigger::ApiGatewayHttp);
    verdict.decision = Decision::Deny(DenyReason::Unauthenticated);
    verdict
        .findings
        .push(Finding::event(Category::Auth, "invalid_signature"));
    verdict.findings.push(Finding {
        category: Category::Sqli,
        rule: "sqli.tautology".into(),
        path: "$.body.note".into(),
        excerpt: format!("' OR 1=1 -- {TOKEN}"),
        record: None,
        transforms: vec!["json"],
    });
    verdict.findings.push(Finding {
        category: Category::Xss,
        rule: "xss.script".into(),
        path: "$.body.card".into(),
        excerpt: "4111111111111111".into(),
        record: None,
        transforms: vec![],
    });
    t.invocation(&verdict, &event, &context("req-2"));
    let text = taken(&t, &out);
    for secret in [
        TOKEN,
        "eyJhbGci",
        "s3cr3t-cookie",
        "OR 1=1",
        "4111111111111111",
        "203.0.113.9",
    ] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    let events = lines(&text);
    let classes: Vec<_> = events
        .iter()
        .map(|e| e["ocsf"]["class_uid"].clone())
        .collect();
    // The init inventory, then this invocation's events, then the inventory (a new trigger).
    assert_eq!(
        classes,
        [5023, 3002, 6003, 2004, 2004, 5023].map(|c| json!(c))
    );
    let events = &events[1..];
    assert_eq!(events[0]["ocsf"]["status_detail"], "invalid_signature");
    assert!(events[0]["ocsf"]["src_endpoint"].get("ip").is_none());
    assert_eq!(events[1]["ocsf"]["status_code"], "401");
    assert_eq!(events[1]["ocsf"]["api"]["operation"], "POST /orders/{id}");
    assert_eq!(
        events[2]["ocsf"]["evidences"][0]["data"]["excerpt"],
        format!("{} ({} chars)", redact::MASK, 12 + TOKEN.len())
    );
    assert!(events[3]["ocsf"]["evidences"][0]["data"]
        .get("excerpt")
        .is_none());
}

#[test]
fn inventory_is_emitted_when_the_surface_changes_only() {
    let (t, out) = Telemetry::with_sink(&Config::default(), Sink::buffer());
    taken(&t, &out);
    let event = http_event();
    let verdict = Verdict::allow(Trigger::ApiGatewayHttp);
    t.invocation(&verdict, &event, &context("a"));
    let first = lines(&taken(&t, &out));
    assert_eq!(first.len(), 1);
    let inv = &first[0]["ocsf"]["unmapped"]["inventory"];
    assert_eq!(inv["routes"][0]["route"], "POST /orders/{id}");
    assert_eq!(inv["routes"][0]["public"], true);
    assert_eq!(inv["triggers"][0], "apigateway-http");
    t.invocation(&verdict, &event, &context("b"));
    assert_eq!(taken(&t, &out), "", "same surface, no event");
}

#[test]
fn hygiene_and_error_events_carry_no_names() {
    let (t, out) = Telemetry::with_sink(&Config::default(), Sink::buffer());
    taken(&t, &out);
    let c = context("req-3");
    t.wipe(Some(&c), "/tmp", 3, 1024);
    t.residue(Some(&c), "tmp_file", 2);
    t.critical_error(Some(&c), "hygiene could not wipe /tmp");
    let events = lines(&taken(&t, &out));
    let classes: Vec<_> = events
        .iter()
        .map(|e| e["ocsf"]["class_uid"].clone())
        .collect();
    assert_eq!(classes, [json!(1001), json!(2004), json!(6008)]);
    assert_eq!(events[0]["ocsf"]["type_uid"], 100104);
    assert!(events
        .iter()
        .all(|e| e["ocsf"]["metadata"]["correlation_uid"] == "req-3"));
}

#[test]
fn bad_telemetry_settings_name_the_key() {
    let env = |n: &str| (n == "GUARD_TELEMETRY_FLUSH_TIMEOUT_MS").then(|| "0".to_owned());
    let e = Config::load(env).unwrap_err().to_string();
    assert!(e.contains("GUARD_TELEMETRY_FLUSH_TIMEOUT_MS"), "{e}");
    let e = Config::from_toml("[telemetry]\nflush_ms = 3\n").unwrap_err();
    assert!(e.to_string().contains("flush_ms"), "{e}");
}

#[test]
fn timestamps_and_xray_parse() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
    assert_eq!(rfc3339(1_795_924_598_888), "2026-11-29T03:56:38.888Z");
    assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    let cx =
        xray_parent("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
            .unwrap();
    let span = cx.span();
    let sc = span.span_context();
    assert_eq!(
        sc.trace_id().to_string(),
        "5759e988bd862e3fe1be46a994272793"
    );
    assert!(sc.is_sampled() && sc.is_remote());
    assert!(xray_parent("Root=garbage").is_none());
}

#[test]
fn a_full_queue_loses_nothing() {
    let (t, out) = Telemetry::with_sink(&Config::default(), Sink::buffer());
    let verdict = Verdict::malformed("malformed.json");
    let n = 2 * QUEUE + 10;
    for i in 0..n {
        t.invocation(&verdict, &Value::Null, &context(&format!("r{i}")));
    }
    let findings = lines(&taken(&t, &out))
        .iter()
        .filter(|e| e["ocsf"]["class_uid"] == 2004)
        .count();
    assert_eq!(findings, n);
}

#[test]
fn a_refused_trigger_is_an_api_activity_event() {
    let (t, out) = Telemetry::with_sink(&auth_config(), Sink::buffer());
    let event = json!({"orderId": 7});
    let mut verdict = Verdict::allow(Trigger::Unknown);
    verdict.decision = Decision::Deny(DenyReason::Forbidden);
    verdict
        .findings
        .push(Finding::event(Category::Auth, "trigger_not_allowed"));
    t.invocation(&verdict, &event, &context("req-3"));
    let events = lines(&taken(&t, &out));
    let activity = events
        .iter()
        .find(|e| e["ocsf"]["class_uid"] == 6003)
        .expect("an API Activity event");
    assert_eq!(activity["ocsf"]["status"], "Failure");
    assert_eq!(activity["ocsf"]["status_detail"], "forbidden");
    assert!(activity["ocsf"].get("status_code").is_none());
}

#[test]
fn http_summaries_read_each_trigger_s_request_line() {
    let lattice = crate::trigger::sample(Trigger::VpcLattice);
    let (method, route, ip) = http_summary(&lattice, Trigger::VpcLattice);
    assert_eq!(method.as_deref(), Some("GET"));
    assert!(route.is_some());
    assert_eq!(ip.as_deref(), Some("10.0.2.100"));
    let v1 = json!({"raw_path": "/p", "method": "post", "headers": {"x-forwarded-for": "10.0.0.9, 10.0.0.1"}});
    let (method, route, ip) = http_summary(&v1, Trigger::VpcLattice);
    assert_eq!(method.as_deref(), Some("POST"));
    assert!(route.is_some());
    assert_eq!(ip.as_deref(), Some("10.0.0.9"));
    let (_, _, ip) = http_summary(&http_event(), Trigger::ApiGatewayHttp);
    assert!(ip.is_some());
}

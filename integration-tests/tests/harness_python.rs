//! `lambda-guard run` with a Python function under AWS's `awslambdaric` (pip, in `.venv` from
//! `scripts/python-env.sh`): the Runtime API must work for an unmodified third-party client.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic in a test is a failing test"
)]

mod harness_support;

use harness_support::*;
use serde_json::Value;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(90);

fn python_args(extra: &[&str], handler: &str) -> Vec<String> {
    let root = fixtures().join("python").display().to_string();
    let mut args: Vec<String> = vec!["--task-root".into(), root];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push("--".into());
    args.push(python().display().to_string());
    args.extend(["-m".into(), "awslambdaric".into(), handler.into()]);
    args
}

fn run_py(extra: &[&str], handler: &str, events: &[&str]) -> Run {
    let args = python_args(extra, handler);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args, events, LIMIT)
}

#[test]
fn python_contract_reuse_and_context() {
    let run = run_py(
        &[
            "--timeout",
            "9",
            "--env",
            "AWS_LAMBDA_FUNCTION_NAME=py-orders",
        ],
        "handler.handler",
        &[
            r#"{"action":"echo"}"#,
            r#"{"action":"print","text":"hi"}"#,
            r#"[1,2]"#,
        ],
    );
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.lines.len(), 3, "{}", run.stdout);
    for (i, line) in run.lines.iter().enumerate() {
        assert_contract(line, i as u64 + 1);
        assert_eq!(line["status"], "success", "{line}");
        let r = &line["response"];
        assert_eq!(
            r["count"],
            i as u64 + 1,
            "globals survive: same environment"
        );
        assert_eq!(r["pid"], run.lines[0]["response"]["pid"]);
        assert_eq!(r["request_id"], line["request_id"]);
        let remaining = r["remaining_ms"].as_i64().unwrap();
        assert!(
            remaining > 0 && remaining <= 9_000,
            "deadline in the future: {remaining}"
        );
        assert_eq!(r["function_name"], "py-orders");
        assert_eq!(
            r["invoked_function_arn"],
            "arn:aws:lambda:us-east-1:123456789012:function:py-orders"
        );
    }
    assert_eq!(run.lines[2]["response"]["event"], serde_json::json!([1, 2]));
    assert!(
        run.stderr.contains("[function] py says hi"),
        "{}",
        run.stderr
    );
}

#[test]
fn python_error_and_timeout() {
    let run = run_py(
        &["--timeout", "1"],
        "handler.handler",
        &[
            r#"{"action":"error"}"#,
            r#"{"action":"sleep","ms":5000}"#,
            r#"{"action":"echo"}"#,
        ],
    );
    assert!(run.status.success(), "{}", run.stderr);
    let l = &run.lines;
    assert_eq!(l.len(), 3, "{}", run.stdout);
    assert_eq!(l[0]["status"], "error");
    assert_eq!(l[0]["error"]["errorType"], "ValueError");
    assert_eq!(
        l[0]["error"]["errorMessage"],
        "asked to fail (invocation 1)"
    );
    assert!(l[0]["error"]["stackTrace"].is_array());
    assert_eq!(l[1]["status"], "timeout");
    assert_eq!(l[1]["error"]["errorType"], "Sandbox.Timedout");
    assert_eq!(l[2]["status"], "success");
    assert_eq!(
        l[2]["response"]["count"], 1,
        "the environment was reset after the timeout"
    );
}

#[test]
fn python_init_failure() {
    let run = run_py(&[], "broken.handler", &[r#"{}"#]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    assert!(run.lines.is_empty());
    assert!(
        run.stderr
            .contains("init failed: RuntimeError: runtime reported boom during init"),
        "{}",
        run.stderr
    );
}

#[test]
fn python_with_extension_and_telemetry() {
    let dir = scratch("python-extension");
    let (layer, out) = layer_with_extension(&dir, "probe-ext");
    let layer = layer.display().to_string();
    let env = format!("PROBE_EXT_OUT={}", out.display());
    let run = run_py(
        &["--layer", &layer, "--env", &env],
        "handler.handler",
        &[r#"{"action":"print","text":"from python"}"#],
    );
    assert!(run.status.success(), "{}", run.stderr);
    let recs = extension_records(&out, "probe-ext");
    let events: Vec<&Value> = recs
        .iter()
        .filter(|r| r["kind"] == "event")
        .map(|r| &r["value"])
        .collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["requestId"], run.lines[0]["request_id"]);
    assert_eq!(events[1]["eventType"], "SHUTDOWN");
    let records: Vec<&Value> = recs
        .iter()
        .filter(|r| r["kind"] == "telemetry")
        .flat_map(|r| r["value"]["batch"].as_array().unwrap())
        .collect();
    assert!(
        records
            .iter()
            .any(|r| r["type"] == "function" && r["record"] == "py says from python"),
        "{records:?}"
    );
    assert!(records.iter().any(|r| r["type"] == "platform.report"
        && r["record"]["requestId"] == run.lines[0]["request_id"]));
}

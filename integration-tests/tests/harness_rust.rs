//! `lambda-guard run` with a Rust function on `lambda_runtime` (src/bin/probe-fn.rs).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic in a test is a failing test"
)]

mod harness_support;

use harness_support::*;
use serde_json::Value;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

#[test]
fn output_contract_environment_and_reuse() {
    let dir = scratch("rust-contract");
    let root = dir.display().to_string();
    let fun = probe_fn();
    let before = epoch_ms();
    let run = run(
        &[
            "--timeout",
            "7",
            "--task-root",
            &root,
            "--env",
            "PROBE_VALUE=from-env",
            "--env",
            "AWS_LAMBDA_FUNCTION_NAME=orders",
            "--",
            &fun,
        ],
        &[
            r#"{"action":"echo","n":1}"#,
            r#"{"action":"print","text":"hello"}"#,
            r#"{"n":3}"#,
        ],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.lines.len(), 3, "{}", run.stdout);
    let mut ids = Vec::new();
    for (i, line) in run.lines.iter().enumerate() {
        assert_contract(line, i as u64 + 1);
        assert_eq!(line["status"], "success", "{line}");
        let r = &line["response"];
        // Same process, same globals: the environment is reused.
        assert_eq!(r["count"], i as u64 + 1, "{line}");
        assert_eq!(r["pid"], run.lines[0]["response"]["pid"]);
        let ctx = &r["context"];
        assert_eq!(ctx["request_id"], line["request_id"]);
        let deadline = ctx["deadline"].as_u64().unwrap();
        assert!(
            deadline > before && deadline <= epoch_ms() + 7_000,
            "{deadline}"
        );
        assert!(s(&ctx["xray_trace_id"]).starts_with("Root=1-"), "{ctx}");
        assert_eq!(
            ctx["invoked_function_arn"],
            "arn:aws:lambda:us-east-1:123456789012:function:orders"
        );
        ids.push(line["request_id"].clone());
    }
    ids.dedup();
    assert_eq!(ids.len(), 3);
    assert_eq!(run.lines[0]["response"]["event"]["n"], 1);
    let env = &run.lines[0]["response"]["env"];
    assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], "orders");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "128");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
    assert_eq!(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/orders");
    assert!(s(&env["AWS_LAMBDA_LOG_STREAM_NAME"]).contains("/[$LATEST]"));
    assert_eq!(env["AWS_REGION"], "us-east-1");
    assert_eq!(env["_HANDLER"], "bootstrap");
    assert_eq!(env["LAMBDA_TASK_ROOT"], root.as_str());
    assert_eq!(env["PROBE_VALUE"], "from-env");
    assert_eq!(run.lines[0]["response"]["cwd"], root.as_str());
    // The function's own output goes to stderr, prefixed; stdout holds only the contract.
    assert!(
        run.stderr.contains("[function] probe stdout: hello"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("[function] probe stderr: hello"),
        "{}",
        run.stderr
    );
}

#[test]
fn errors_timeouts_and_crashes_reset_the_environment() {
    let fun = probe_fn();
    let run = run(
        &["--timeout", "1", "--", &fun],
        &[
            r#"{"action":"tmp"}"#,
            r#"{"action":"error"}"#,
            r#"{"action":"sleep","ms":5000}"#,
            r#"{"action":"tmp"}"#,
            r#"{"action":"exit"}"#,
            r#"{"action":"echo"}"#,
        ],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    let l = &run.lines;
    assert_eq!(l.len(), 6, "{}", run.stdout);
    for (i, line) in l.iter().enumerate() {
        assert_contract(line, i as u64 + 1);
    }
    let first_pid = &l[0]["response"]["pid"];
    // A function error keeps the environment.
    assert_eq!(l[1]["status"], "error");
    assert_eq!(l[1]["error"]["errorType"], "Probe.Failure");
    assert_eq!(
        l[1]["error"]["errorMessage"],
        "asked to fail (invocation 2)"
    );
    // A timeout resets it: a new process, globals from scratch, /tmp kept.
    assert_eq!(l[2]["status"], "timeout");
    assert_eq!(l[2]["error"]["errorType"], "Sandbox.Timedout");
    assert_eq!(l[2]["duration_ms"], 1000.0);
    assert_eq!(l[3]["status"], "success");
    assert_eq!(l[3]["response"]["count"], 1);
    assert_ne!(&l[3]["response"]["pid"], first_pid);
    assert_eq!(
        l[3]["response"]["tmp"]["content"], "1\n1\n",
        "/tmp survives a reset"
    );
    // A crash mid-invocation is an error and resets too.
    assert_eq!(l[4]["status"], "error");
    assert_eq!(l[4]["error"]["errorType"], "Runtime.ExitError");
    assert!(s(&l[4]["error"]["errorMessage"]).contains("exit status 3"));
    assert_eq!(l[5]["status"], "success");
    assert_eq!(l[5]["response"]["count"], 1);
    assert!(run
        .stderr
        .contains("resetting the execution environment (timeout)"));
    assert!(run
        .stderr
        .contains("resetting the execution environment (failure)"));
}

#[test]
fn init_failures_exit_non_zero_with_a_message() {
    let fun = probe_fn();
    let run1 = run(
        &["--env", "PROBE_FAIL_INIT=report", "--", &fun],
        &[r#"{}"#],
        LIMIT,
    );
    assert_eq!(run1.status.code(), Some(1), "{}", run1.stderr);
    assert!(run1.lines.is_empty());
    assert!(
        run1.stderr
            .contains("init failed: Probe.InitFailure: runtime reported asked to fail init"),
        "{}",
        run1.stderr
    );
    let run2 = run(
        &["--env", "PROBE_FAIL_INIT=exit", "--", &fun],
        &[r#"{}"#],
        LIMIT,
    );
    assert_eq!(run2.status.code(), Some(1), "{}", run2.stderr);
    assert!(run2.lines.is_empty());
    assert!(
        run2.stderr.contains("init failed: Runtime.ExitError"),
        "{}",
        run2.stderr
    );
    assert!(run2.stderr.contains("exit status 2"), "{}", run2.stderr);
    let run3 = run(&["--", "/nonexistent/bootstrap"], &[r#"{}"#], LIMIT);
    assert_eq!(run3.status.code(), Some(1), "{}", run3.stderr);
    assert!(run3.stderr.contains("init failed"), "{}", run3.stderr);
}

#[test]
fn responses_over_6_mb_are_refused() {
    let fun = probe_fn();
    let run = run(
        &["--", &fun],
        &[
            r#"{"action":"big","bytes":7000000}"#,
            r#"{"action":"big","bytes":1000}"#,
            r#"{}"#,
        ],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    let l = &run.lines;
    assert_eq!(l.len(), 3, "{}", run.stderr);
    assert_eq!(l[0]["status"], "error");
    assert_eq!(l[0]["error"]["errorType"], "Function.ResponseSizeTooLarge");
    assert_eq!(l[1]["status"], "success");
    assert_eq!(l[1]["response"]["blob"].as_str().unwrap().len(), 1000);
    assert_eq!(
        l[2]["response"]["count"], 3,
        "same environment after a refused response"
    );
}

#[test]
fn guard_configuration_errors_are_init_failures() {
    let fun = env!("CARGO_BIN_EXE_guarded-fn");
    let run1 = run(&["--env", "GUARD_MODE=bogus", "--", fun], &[r#"{}"#], LIMIT);
    assert_eq!(run1.status.code(), Some(1), "{}", run1.stderr);
    assert!(run1.lines.is_empty());
    assert!(
        run1.stderr
            .contains("init failed: LambdaGuard.InvalidConfiguration"),
        "{}",
        run1.stderr
    );
    assert!(run1.stderr.contains("GUARD_MODE"), "{}", run1.stderr);
}

#[test]
fn extensions_register_get_events_and_telemetry() {
    let dir = scratch("rust-extension");
    let (layer, out) = layer_with_extension(&dir, "probe-ext");
    let (layer, out_s) = (layer.display().to_string(), out.display().to_string());
    let fun = probe_fn();
    let run = run(
        &[
            "--layer",
            &layer,
            "--env",
            &format!("PROBE_EXT_OUT={out_s}"),
            "--env",
            "PROBE_VALUE=shared",
            "--",
            &fun,
        ],
        &[
            r#"{"action":"print","text":"to telemetry"}"#,
            r#"{"action":"echo"}"#,
        ],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.lines.len(), 2);
    assert!(
        run.stderr
            .contains("[extension probe-ext] probe extension subscribed"),
        "{}",
        run.stderr
    );
    let recs = extension_records(&out, "probe-ext");
    let of = |k: &'static str| {
        recs.iter()
            .filter(move |r| r["kind"] == k)
            .map(|r| &r["value"])
    };
    let reg: Vec<&Value> = of("registered").collect();
    assert_eq!(reg.len(), 1);
    assert_eq!(reg[0]["status"], 200);
    assert_eq!(reg[0]["info"]["functionName"], "local-function");
    assert_eq!(
        reg[0]["env"]["PROBE_VALUE"], "shared",
        "extensions get --env too"
    );
    // INVOKE per invocation, with the same request ids, then SHUTDOWN (spindown).
    let events: Vec<&Value> = of("event").collect();
    assert_eq!(events.len(), 3, "{events:?}");
    for (e, line) in events.iter().zip(&run.lines) {
        assert_eq!(e["eventType"], "INVOKE");
        assert_eq!(e["requestId"], line["request_id"]);
        assert!(e["deadlineMs"].as_u64().unwrap() > epoch_ms() - 60_000);
        assert_eq!(e["tracing"]["type"], "X-Amzn-Trace-Id");
        assert!(e["invokedFunctionArn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:lambda:"));
    }
    assert_eq!(events[2]["eventType"], "SHUTDOWN");
    assert_eq!(events[2]["shutdownReason"], "spindown");
    // Telemetry reached the sandbox.localdomain subscriber: platform, function, extension.
    let batches: Vec<&Value> = of("telemetry").collect();
    assert!(!batches.is_empty());
    assert!(s(&batches[0]["host"]).starts_with("sandbox.localdomain:"));
    let records: Vec<&Value> = batches
        .iter()
        .flat_map(|b| b["batch"].as_array().unwrap())
        .collect();
    let types: Vec<&str> = records.iter().map(|r| s(&r["type"])).collect();
    for t in [
        "platform.initStart",
        "platform.initRuntimeDone",
        "platform.initReport",
        "platform.extension",
        "platform.telemetrySubscription",
        "platform.start",
        "platform.runtimeDone",
        "platform.report",
        "function",
        "extension",
    ] {
        assert!(types.contains(&t), "no {t} in {types:?}");
    }
    let id0 = &run.lines[0]["request_id"];
    assert!(records
        .iter()
        .any(|r| r["type"] == "platform.start" && r["record"]["requestId"] == *id0));
    assert!(records.iter().any(|r| r["type"] == "platform.runtimeDone"
        && r["record"]["requestId"] == *id0
        && r["record"]["status"] == "success"));
    let report = records
        .iter()
        .find(|r| r["type"] == "platform.report" && r["record"]["requestId"] == *id0)
        .unwrap();
    assert_eq!(report["record"]["metrics"]["memorySizeMB"], 128);
    assert!(report["record"]["metrics"]["initDurationMs"].is_number());
    assert!(records
        .iter()
        .all(|r| r["time"].as_str().unwrap().ends_with('Z')));
    assert!(records
        .iter()
        .any(|r| r["type"] == "function" && r["record"] == "probe stdout: to telemetry"));
}

#[test]
fn exec_wrapper_runs_from_the_layer() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("rust-wrapper");
    let layer = dir.join("layer");
    std::fs::create_dir_all(&layer).unwrap();
    let wrapper = layer.join("wrap.sh");
    std::fs::write(
        &wrapper,
        "#!/bin/sh\nexport WRAPPED_BY=wrap.sh\nexec \"$@\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let fun = probe_fn();
    let layer = layer.display().to_string();
    let run = run(
        &[
            "--layer",
            &layer,
            "--env",
            "AWS_LAMBDA_EXEC_WRAPPER=/opt/wrap.sh",
            "--",
            &fun,
        ],
        &[r#"{}"#],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.lines[0]["response"]["env"]["WRAPPED_BY"], "wrap.sh");
    let missing = run_missing_wrapper(&layer, &fun);
    assert_eq!(missing.status.code(), Some(1), "{}", missing.stderr);
    assert!(
        missing.stderr.contains(
            "AWS_LAMBDA_EXEC_WRAPPER=/opt/nope.sh: no --layer directory contains nope.sh"
        ),
        "{}",
        missing.stderr
    );
}

fn run_missing_wrapper(layer: &str, fun: &str) -> Run {
    run(
        &[
            "--layer",
            layer,
            "--env",
            "AWS_LAMBDA_EXEC_WRAPPER=/opt/nope.sh",
            "--",
            fun,
        ],
        &[r#"{}"#],
        LIMIT,
    )
}

#[test]
fn private_tmp_directory_mode() {
    let fun = probe_fn();
    let run = run(
        &["--tmp", "dir", "--", &fun],
        &[r#"{"action":"tmp"}"#],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    let r = &run.lines[0]["response"];
    let dir = s(&r["env"]["TMPDIR"]).to_owned();
    assert_eq!(r["env"]["GUARD_TMP_DIR"], dir.as_str());
    assert!(s(&r["tmp"]["path"]).starts_with(&dir));
    assert!(
        run.stderr.contains("private /tmp: directory"),
        "{}",
        run.stderr
    );
    assert!(
        !std::path::Path::new(&dir).exists(),
        "the private directory is removed at exit"
    );
}

#[test]
fn private_tmp_namespace_mode_as_root() {
    if !is_root() {
        eprintln!("skipped: needs root for a mount namespace");
        return;
    }
    let fun = probe_fn();
    let run = run(
        &["--tmp", "namespace", "--", &fun],
        &[r#"{"action":"tmp"}"#],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    let r = &run.lines[0]["response"];
    assert_eq!(r["tmp"]["path"], "/tmp/probe-fn.txt");
    assert_eq!(r["tmp"]["content"], "1\n");
    assert!(r["env"]["TMPDIR"].is_null());
    assert_eq!(
        r["env"]["GUARD_TMP_DIR"], "/tmp",
        "the tmpfs is the environment's own"
    );
    assert!(
        run.stderr.contains("private mount namespace"),
        "{}",
        run.stderr
    );
}

#[test]
fn freeze_between_invocations() {
    let fun = probe_fn();
    let run = run(
        &["--freeze", "--", &fun],
        &[r#"{}"#, r#"{}"#, r#"{}"#],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    let counts: Vec<&Value> = run.lines.iter().map(|l| &l["response"]["count"]).collect();
    assert_eq!(counts, [1, 2, 3]);
}

#[test]
fn events_file_and_bad_input() {
    let dir = scratch("rust-events");
    let file = dir.join("events.jsonl");
    std::fs::write(&file, "{\"a\":1}\n\n{\"a\":2}\n").unwrap();
    let fun = probe_fn();
    let f = file.display().to_string();
    let run1 = run(&["--events", &f, "--", &fun], &[], LIMIT);
    assert!(run1.status.success(), "{}", run1.stderr);
    assert_eq!(run1.lines.len(), 2);
    assert_eq!(run1.lines[1]["response"]["event"]["a"], 2);
    let run2 = run(&["--", &fun], &["{\"a\":1}", "not json"], LIMIT);
    assert_eq!(run2.status.code(), Some(2));
    assert_eq!(run2.lines.len(), 1);
    assert!(
        run2.stderr.contains("line 2 is not JSON"),
        "{}",
        run2.stderr
    );
}

/// Whether a process whose command line contains `marker` is still around.
fn process_alive(marker: &str) -> bool {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .any(|c| {
            String::from_utf8_lossy(&c)
                .replace('\0', " ")
                .contains(marker)
        })
}

#[test]
fn init_timeout_names_the_culprit_and_cleans_up() {
    // A "runtime" that never asks for an event.
    let run1 = run(
        &["--init-timeout", "1", "--", "sleep", "41.25"],
        &[r#"{}"#],
        LIMIT,
    );
    assert_eq!(run1.status.code(), Some(1), "{}", run1.stderr);
    assert!(
        run1.stderr.contains("init failed: Runtime.InitTimeout"),
        "{}",
        run1.stderr
    );
    assert!(
        run1.stderr
            .contains("the runtime did not call /runtime/invocation/next"),
        "{}",
        run1.stderr
    );
    assert!(!process_alive("sleep 41.25"), "the runtime was not killed");
}

#[test]
fn extension_crash_during_init_fails_the_run() {
    let dir = scratch("rust-ext-crash");
    let (layer, out) = layer_with_extension(&dir, "crashy");
    let (layer, out) = (layer.display().to_string(), out.display().to_string());
    let fun = probe_fn();
    let run = run(
        &[
            "--layer",
            &layer,
            "--env",
            &format!("PROBE_EXT_OUT={out}"),
            "--env",
            "PROBE_EXT_MODE=crash",
            "--",
            &fun,
        ],
        &[r#"{}"#],
        LIMIT,
    );
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "init failed: Extension.Crash: extension crashy exited during init: exit status 4"
        ),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("probe: init done"),
        "the runtime starts after registration"
    );
}

/// Runs one empty event through the probe function with the probe extension `name` in
/// `PROBE_EXT_MODE=mode`; returns the run, when it started, and the extension's output dir.
fn run_with_extension_mode(
    name: &str,
    mode: &str,
) -> (Run, std::time::Instant, std::path::PathBuf) {
    let dir = scratch(&format!("rust-ext-{mode}"));
    let (layer, out) = layer_with_extension(&dir, name);
    let fun = probe_fn();
    lambda_guard(); // built before the clock starts
    let started = std::time::Instant::now();
    let run = run(
        &[
            "--layer",
            &layer.display().to_string(),
            "--env",
            &format!("PROBE_EXT_OUT={}", out.display()),
            "--env",
            &format!("PROBE_EXT_MODE={mode}"),
            "--",
            &fun,
        ],
        &[r#"{}"#],
        LIMIT,
    );
    (run, started, out)
}

#[test]
fn extensions_overstaying_shutdown_are_killed_after_the_budget() {
    let (run, started, out) = run_with_extension_mode("lingering", "linger");
    assert!(run.status.success(), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("extension lingering did not exit within 2000 ms of SHUTDOWN; killed"),
        "{}",
        run.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    let recs = extension_records(&out, "lingering");
    assert!(recs.iter().any(|r| r["value"]["eventType"] == "SHUTDOWN"));
}

#[test]
fn extensions_asking_for_more_after_shutdown_are_done() {
    let (run, started, _) = run_with_extension_mode("parking", "park");
    assert!(run.status.success(), "{}", run.stderr);
    assert!(
        run.stderr.contains("probe extension parks after SHUTDOWN"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("did not exit"), "{}", run.stderr);
    assert!(
        started.elapsed() < Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn lambda_extension_crate_parses_every_telemetry_record() {
    let dir = scratch("rust-lambda-extension");
    let layer = dir.join("layer");
    let out = dir.join("out");
    std::fs::create_dir_all(layer.join("extensions")).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    // The crate registers under its executable's file name.
    std::fs::copy(
        env!("CARGO_BIN_EXE_telemetry-ext"),
        layer.join("extensions").join("telemetry-ext"),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fun = probe_fn();
    let (layer, out_s) = (layer.display().to_string(), out.display().to_string());
    let run = run(
        &[
            "--layer",
            &layer,
            "--env",
            &format!("PROBE_EXT_OUT={out_s}"),
            "--env",
            &format!("PROBE_TELEMETRY_PORT={port}"),
            "--",
            &fun,
        ],
        &[
            r#"{"action":"print","text":"for the crate"}"#,
            r#"{"action":"error"}"#,
        ],
        LIMIT,
    );
    assert!(run.status.success(), "{}", run.stderr);
    assert!(!run.stderr.contains("telemetry delivery"), "{}", run.stderr);
    assert!(!run.stderr.contains("did not exit"), "{}", run.stderr);
    let recs: Vec<Value> = std::fs::read_to_string(out.join("telemetry-ext.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let invokes: Vec<&Value> = recs.iter().filter(|r| r["kind"] == "invoke").collect();
    assert_eq!(invokes.len(), 2);
    assert_eq!(invokes[0]["request_id"], run.lines[0]["request_id"]);
    assert!(recs.iter().any(|r| r["kind"] == "shutdown"));
    let variants: Vec<&str> = recs
        .iter()
        .filter(|r| r["kind"] == "telemetry")
        .map(|r| s(&r["variant"]))
        .collect();
    for v in [
        "PlatformInitStart",
        "PlatformInitRuntimeDone",
        "PlatformInitReport",
        "PlatformTelemetrySubscription",
        "PlatformStart",
        "PlatformRuntimeDone",
        "PlatformReport",
        "Function",
    ] {
        assert!(variants.contains(&v), "no {v} in {variants:?}");
    }
}

#[test]
fn failed_reinit_after_a_timeout_stops_the_run() {
    let dir = scratch("rust-reinit");
    let state = format!("PROBE_STATE_DIR={}", dir.display());
    let fun = probe_fn();
    let run = run(
        &[
            "--timeout",
            "1",
            "--env",
            "PROBE_FAIL_INIT=again",
            "--env",
            &state,
            "--",
            &fun,
        ],
        &[r#"{"action":"sleep","ms":3000}"#, r#"{}"#, r#"{}"#],
        LIMIT,
    );
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    assert_eq!(run.lines.len(), 1, "{}", run.stdout);
    assert_eq!(run.lines[0]["status"], "timeout");
    assert!(
        run.stderr.contains("init failed: Runtime.ExitError"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("exit status 5"), "{}", run.stderr);
}

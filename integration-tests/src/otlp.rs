//! A real OTLP/HTTP receiver on loopback (oteltest's `HttpSink`, run by
//! `integration-tests/python/otlp_sink.py`), and the OCSF validator
//! (`integration-tests/python/validate_ocsf.py`, the official schemas from `ocsf-json-schema`).

use crate::{free_port, venv_bin, wait_for_port, workspace_root, Process};
use serde_json::Value;
use std::{
    io::Write,
    process::{Command, Stdio},
    thread,
    time::{Duration, Instant},
};

/// A running receiver.
pub struct OtlpSink {
    /// Its loopback port.
    pub port: u16,
    process: Process,
}

impl OtlpSink {
    /// Starts the receiver on a free loopback port.
    pub fn start(name: &str) -> OtlpSink {
        let port = free_port();
        let mut command = Command::new(venv_bin("python"));
        command
            .arg(workspace_root().join("integration-tests/python/otlp_sink.py"))
            .arg(port.to_string());
        let process = Process::start(&format!("otlp-sink-{name}"), command);
        assert!(
            wait_for_port(port, Duration::from_secs(20)),
            "the OTLP receiver did not listen on {port}:\n{}",
            process.log()
        );
        OtlpSink { port, process }
    }

    /// `OTEL_EXPORTER_OTLP_ENDPOINT` for it.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every export request received so far: `(signal, request)`.
    pub fn requests(&self) -> Vec<(String, Value)> {
        self.process
            .log()
            .lines()
            .filter(|l| l.starts_with("{\"signal\""))
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .map(|v| {
                (
                    v["signal"].as_str().unwrap_or("").to_owned(),
                    v["request"].clone(),
                )
            })
            .collect()
    }

    /// Everything it printed (for leak checks and failure messages).
    pub fn raw(&self) -> String {
        self.process.log()
    }

    /// Waits until `done` holds for what was received, for at most `limit`.
    pub fn wait_for(&self, limit: Duration, done: impl Fn(&Received) -> bool) -> Received {
        let start = Instant::now();
        loop {
            let received = Received::from(self.requests());
            if done(&received) || start.elapsed() > limit {
                return received;
            }
            thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Spans and log records received, flattened.
#[derive(Debug, Default)]
pub struct Received {
    /// Every span (`name`, `traceId`, `attributes`, `events`, …).
    pub spans: Vec<Value>,
    /// Every log record (`body`, `eventName`, `traceId`, `attributes`, …).
    pub logs: Vec<Value>,
}

impl From<Vec<(String, Value)>> for Received {
    fn from(requests: Vec<(String, Value)>) -> Received {
        let mut received = Received::default();
        for (signal, request) in requests {
            let (outer, scope, items, into) = match signal.as_str() {
                "traces" => ("resourceSpans", "scopeSpans", "spans", &mut received.spans),
                "logs" => (
                    "resourceLogs",
                    "scopeLogs",
                    "logRecords",
                    &mut received.logs,
                ),
                _ => continue,
            };
            for r in request[outer].as_array().into_iter().flatten() {
                for s in r[scope].as_array().into_iter().flatten() {
                    into.extend(s[items].as_array().into_iter().flatten().cloned());
                }
            }
        }
        received
    }
}

/// An OTLP attribute's value (string, bool or int as the JSON mapping gives it).
pub fn attribute(item: &Value, key: &str) -> Option<Value> {
    item["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["key"] == key)
        .map(|a| {
            let v = &a["value"];
            v.get("stringValue")
                .or_else(|| v.get("boolValue"))
                .or_else(|| v.get("intValue"))
                .or_else(|| v.get("doubleValue"))
                .cloned()
                .unwrap_or(Value::Null)
        })
}

/// The OCSF events in JSON lines (lines that are an event or carry one under `ocsf`).
pub fn ocsf_events(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| l.starts_with('{'))
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| match v.get("ocsf") {
            Some(e) => Some(e.clone()),
            None => v.get("class_uid").is_some().then_some(v),
        })
        .collect()
}

/// Validates every OCSF event in `lines` (JSON lines) against the official schema of the
/// version it declares; returns the validator's report
/// (`{"validated": N, "classes": {...}, "errors": [...]}`).
pub fn validate_ocsf(lines: &str) -> Value {
    let mut child = Command::new(venv_bin("python"))
        .arg(workspace_root().join("integration-tests/python/validate_ocsf.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the OCSF validator: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(lines.as_bytes());
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("the OCSF validator failed: {e}"));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "the OCSF validator printed no report: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

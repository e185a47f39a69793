//! An external extension built on the `lambda-extension` crate (the Rust ecosystem's reference
//! client): it subscribes to the Telemetry API through `http://sandbox.localdomain:<port>` and
//! parses every batch with the crate's own types (an unknown record makes the crate refuse the
//! whole batch). It appends what it got to `$PROBE_EXT_OUT/telemetry-ext.jsonl`; the listening
//! port comes from `PROBE_TELEMETRY_PORT`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fixture: a panic fails the test that runs it"
)]

use lambda_extension::{
    service_fn, Error, Extension, LambdaEvent, LambdaTelemetry, NextEvent, SharedService,
};
use serde_json::{json, Value};
use std::io::Write;

fn record(value: Value) {
    let Ok(dir) = std::env::var("PROBE_EXT_OUT") else {
        return;
    };
    let path = std::path::Path::new(&dir).join("telemetry-ext.jsonl");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{value}");
    }
}

async fn on_event(event: LambdaEvent) -> Result<(), Error> {
    match event.next {
        NextEvent::Invoke(e) => record(json!({"kind": "invoke", "request_id": e.request_id})),
        NextEvent::Shutdown(e) => record(json!({"kind": "shutdown", "reason": e.shutdown_reason})),
    }
    Ok(())
}

async fn on_telemetry(batch: Vec<LambdaTelemetry>) -> Result<(), Error> {
    for t in batch {
        // The record as the crate parsed it, e.g. `PlatformStart`, `Function`.
        let debug = format!("{:?}", t.record);
        let variant = debug.split([' ', '(', '{']).next().unwrap_or_default();
        record(json!({"kind": "telemetry", "variant": variant, "record": t.record}));
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let port: u16 = std::env::var("PROBE_TELEMETRY_PORT")?.parse()?;
    Extension::new()
        .with_events_processor(service_fn(on_event))
        .with_telemetry_processor(SharedService::new(service_fn(on_telemetry)))
        .with_telemetry_types(&["platform", "function", "extension"])
        .with_telemetry_port_number(port)
        .run()
        .await
}

//! A Rust function behind the lambda-guard library (`lambda_guard::layer::run`): with an invalid
//! `GUARD_*` configuration it reports `LambdaGuard.InvalidConfiguration` to `/runtime/init/error`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fixture: a panic fails the test that runs it"
)]

use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde_json::{json, Value};

async fn handle(event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
    Ok(json!({"guarded": true, "event": event.payload}))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_guard::layer::run(service_fn(handle)).await
}

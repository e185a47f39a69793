//! A Rust Lambda function for the harness tests, built on `lambda_runtime` directly. The event
//! says what to do (`{"action": …}`), the environment says whether init fails:
//!
//! - `echo` (default): answer with the event, the invocation count (proves reuse), pid and context;
//! - `error`: return a `Probe.Failure` error; `exit`: exit(3) mid-invocation;
//! - `big` (`bytes`): answer with a string of that many bytes (6 MB limit);
//! - `sleep` (`ms`): sleep, then answer; `print` (`text`): write a line to stdout and to stderr;
//! - `tmp`: append to a file in the temporary directory and answer with its content;
//! - `PROBE_FAIL_INIT=exit` exits during init, `=report` posts `/runtime/init/error` first.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fixture: a panic fails the test that runs it"
)]

use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNT: AtomicU64 = AtomicU64::new(0);

async fn handle(event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
    let n = COUNT.fetch_add(1, Ordering::SeqCst) + 1;
    let (payload, ctx) = event.into_parts();
    let action = payload["action"].as_str().unwrap_or("echo");
    match action {
        "error" => {
            return Err(Diagnostic {
                error_type: "Probe.Failure".into(),
                error_message: format!("asked to fail (invocation {n})"),
            })
        }
        "exit" => std::process::exit(3),
        "big" => {
            let bytes = payload["bytes"].as_u64().unwrap_or(0) as usize;
            return Ok(json!({"blob": "x".repeat(bytes)}));
        }
        "sleep" => {
            let ms = payload["ms"].as_u64().unwrap_or(0);
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        "print" => {
            let text = payload["text"].as_str().unwrap_or("");
            println!("probe stdout: {text}");
            eprintln!("probe stderr: {text}");
        }
        _ => {}
    }
    let mut tmp = Value::Null;
    if action == "tmp" {
        let path = std::env::temp_dir().join("probe-fn.txt");
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| Diagnostic {
                error_type: "Probe.Tmp".into(),
                error_message: e.to_string(),
            })?;
        let _ = writeln!(f, "{n}");
        tmp = json!({"path": path, "content": std::fs::read_to_string(&path).unwrap_or_default()});
    }
    let env = |k: &str| std::env::var(k).ok();
    if action == "echo" && payload.get("pad").is_some() {
        // The benchmark's path: answer small, do nothing else.
        return Ok(json!({"count": n}));
    }
    Ok(json!({
        "event": payload,
        "count": n,
        "pid": std::process::id(),
        "tmp": tmp,
        "context": {
            "request_id": ctx.request_id,
            "deadline": ctx.deadline,
            "invoked_function_arn": ctx.invoked_function_arn,
            "xray_trace_id": ctx.xray_trace_id,
        },
        "env": {
            "AWS_LAMBDA_FUNCTION_NAME": env("AWS_LAMBDA_FUNCTION_NAME"),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
            "AWS_LAMBDA_FUNCTION_VERSION": env("AWS_LAMBDA_FUNCTION_VERSION"),
            "AWS_LAMBDA_LOG_GROUP_NAME": env("AWS_LAMBDA_LOG_GROUP_NAME"),
            "AWS_LAMBDA_LOG_STREAM_NAME": env("AWS_LAMBDA_LOG_STREAM_NAME"),
            "AWS_REGION": env("AWS_REGION"),
            "_HANDLER": env("_HANDLER"),
            "LAMBDA_TASK_ROOT": env("LAMBDA_TASK_ROOT"),
            "TMPDIR": env("TMPDIR"),
            "GUARD_TMP_DIR": env("GUARD_TMP_DIR"),
            "PROBE_VALUE": env("PROBE_VALUE"),
            "WRAPPED_BY": env("WRAPPED_BY"),
        },
        "cwd": std::env::current_dir().ok(),
    }))
}

/// Posts `/runtime/init/error` with plain HTTP/1.1, the way a runtime reports a failed init.
fn report_init_error(api: &str) -> std::io::Result<()> {
    let body = r#"{"errorType":"Probe.InitFailure","errorMessage":"asked to fail init"}"#;
    let mut s = std::net::TcpStream::connect(api)?;
    write!(
        s,
        "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: {api}\r\n\
         Lambda-Runtime-Function-Error-Type: Probe.InitFailure\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    eprintln!(
        "init/error answered: {}",
        answer.lines().next().unwrap_or("")
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    match std::env::var("PROBE_FAIL_INIT").as_deref() {
        Ok("exit") => {
            eprintln!("probe: failing init by exiting");
            std::process::exit(2);
        }
        Ok("report") => {
            let api = std::env::var("AWS_LAMBDA_RUNTIME_API")?;
            report_init_error(&api)?;
            std::process::exit(1);
        }
        _ => {}
    }
    eprintln!("probe: init done");
    lambda_runtime::run(service_fn(handle)).await
}

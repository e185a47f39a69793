//! `lambda-guard scan`: replay captured events through the guard's policy.
//!
//! Reads JSON Lines (each line one whole Lambda event of any trigger) and writes one verdict line
//! per input line, in order. Users run it on captured production events before switching a policy
//! from monitor to enforce. A malformed line is a `deny` with a `malformed` finding, never a crash.

use lambda_guard::{config::ProcessEnv, Config, Decision, Guard, Verdict};
use serde_json::{json, Value};
use std::{
    io::{self, BufRead, BufWriter, Write},
    path::PathBuf,
    process::ExitCode,
};

/// Arguments of `lambda-guard scan`.
#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Guard configuration (TOML); defaults to `GUARD_CONFIG`. `GUARD_*` variables override it.
    /// With none: input inspection on, auth off.
    #[arg(long)]
    config: Option<PathBuf>,
    /// JSON Lines files to scan, in order; standard input when none.
    files: Vec<PathBuf>,
}

/// Runs the scan: exit 0 when it ran, 2 on a usage or configuration error.
pub fn main(args: ScanArgs) -> ExitCode {
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lambda-guard scan: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: ScanArgs) -> Result<(), String> {
    let config = load_config(args.config)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let guard = runtime
        .block_on(Guard::new(config))
        .map_err(|e| format!("invalid configuration: {e}"))?;
    let mut inputs: Vec<Box<dyn BufRead>> = Vec::new();
    if args.files.is_empty() {
        inputs.push(Box::new(io::stdin().lock()));
    }
    for path in &args.files {
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        inputs.push(Box::new(io::BufReader::new(file)));
    }
    let mut out = BufWriter::new(io::stdout().lock());
    let mut line_no = 0usize;
    for mut input in inputs {
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = input
                .read_until(b'\n', &mut line)
                .map_err(|e| format!("reading input: {e}"))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let (verdict, shape) = runtime.block_on(scan_line(&guard, &line));
            let report = report(line_no, &verdict, shape);
            let written = serde_json::to_writer(&mut out, &report)
                .map_err(io::Error::from)
                .and_then(|()| out.write_all(b"\n"));
            if let Err(e) = written {
                return stopped(e);
            }
        }
    }
    out.flush().or_else(stopped)
}

/// A failed write ends the scan: quietly when the reader left (`scan … | head`).
fn stopped(e: io::Error) -> Result<(), String> {
    if crate::reader_left(&e) {
        Ok(())
    } else {
        Err(format!("writing verdicts: {e}"))
    }
}

fn load_config(path: Option<PathBuf>) -> Result<Config, String> {
    let env = ProcessEnv;
    let mut config = match path {
        Some(path) => Config::from_file(path).map_err(|e| e.to_string())?,
        None => return Config::load(env).map_err(|e| format!("invalid configuration: {e}")),
    };
    config.apply_env(&env).map_err(|e| e.to_string())?;
    config
        .validate()
        .map_err(|e| format!("invalid configuration: {e}"))?;
    Ok(config)
}

/// The guard's verdict on one line, and what does not fit the trigger's shape it claims.
async fn scan_line(guard: &Guard, line: &[u8]) -> (Verdict, Option<String>) {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Ok(text) = std::str::from_utf8(line) else {
        return (Verdict::malformed("malformed.utf8"), None);
    };
    let Ok(event) = serde_json::from_str::<Value>(text) else {
        return (Verdict::malformed("malformed.json"), None);
    };
    // Any JSON is an event (AppSync batch resolvers send arrays, direct invokes send anything).
    // The verdict is the guard's, as deployed; an event that claims a trigger's shape without
    // having it is only reported (a hand-written event often leaves out fields AWS sends).
    let shape = lambda_guard::trigger::check_shape(&event).err();
    (guard.evaluate(&event).await, shape)
}

fn report(line: usize, verdict: &Verdict, shape: Option<String>) -> Value {
    let mut report = json!({
        "line": line,
        "source": verdict.trigger.name(),
        "verdict": match verdict.decision {
            Decision::Allow => "allow",
            Decision::Deny(_) | Decision::Filter { .. } => "deny",
        },
        "findings": verdict.findings,
    });
    match &verdict.decision {
        Decision::Deny(reason) => report["reason"] = json!(reason.name()),
        Decision::Filter { rejected } => report["refused_records"] = json!(rejected),
        Decision::Allow => {}
    }
    if let Some(shape) = shape {
        report["shape_mismatch"] = json!(shape);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdicts(lines: &[&str]) -> Vec<Value> {
        let config = Config::from_toml("[hygiene]\nmode = \"off\"\n").unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let guard = runtime.block_on(Guard::new(config)).unwrap();
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let (verdict, shape) = runtime.block_on(scan_line(&guard, l.as_bytes()));
                report(i + 1, &verdict, shape)
            })
            .collect()
    }

    #[test]
    fn every_json_is_an_event_and_shapes_are_reported_not_refused() {
        let v = verdicts(&[
            // An AppSync batch invoke is an array.
            r#"[{"arguments": {"id": "1"}}, {"arguments": {"id": "2"}}]"#,
            r#"[{"arguments": {"id": "1' OR '1'='1"}}]"#,
            r#""a direct invoke with a bare string""#,
            // Claims to be SQS (eventSource) but a record is not one: the guard still decides.
            r#"{"Records": [{"eventSource": "aws:sqs", "body": 7}]}"#,
            r#"{"Records": [{"eventSource": "aws:sqs", "body": "<script>alert(1)</script>"}]}"#,
            "{not json",
        ]);
        let kinds: Vec<(&str, &str)> = v
            .iter()
            .map(|r| {
                (
                    r["verdict"].as_str().unwrap(),
                    r["source"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("allow", "unknown"),
                ("deny", "unknown"),
                ("allow", "unknown"),
                ("allow", "sqs"),
                ("deny", "sqs"),
                ("deny", "unknown")
            ]
        );
        assert_eq!(v[1]["findings"][0]["category"], "sqli");
        assert!(v[3]["shape_mismatch"]
            .as_str()
            .unwrap()
            .starts_with("not a sqs event: "));
        assert!(v[0].get("shape_mismatch").is_none());
        assert_eq!(v[4]["findings"][0]["category"], "xss");
        assert_eq!(v[5]["findings"][0]["rule"], "malformed.json");
    }
}

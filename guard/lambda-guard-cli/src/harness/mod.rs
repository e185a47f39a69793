//! `lambda-guard run`: a Lambda execution environment on your machine.
//!
//! The harness serves the Runtime API (`/2018-06-01/runtime/…`), the Extensions API
//! (`/2020-01-01/extension/…`) and the Telemetry API (`/2022-07-01/telemetry`) at the root of a
//! loopback port, starts the layers' external extensions and then the runtime with the standard
//! Lambda environment, and delivers events one at a time to that same environment.
//!
//! Two ways in:
//! - the `run` subcommand ([`main`]): JSON Lines in, one JSON line per invocation out;
//! - in-process ([`Harness`], [`run_events`]) for `demo` and `attack`:
//!
//! ```ignore
//! let mut config = HarnessConfig::new(vec!["./target/debug/orders-api".into()]);
//! config.timeout = Duration::from_secs(3);
//! let results = run_events(config, [Bytes::from_static(b"{}")], |_| {}).await?;
//! ```
//!
//! Module map: [`api`] (HTTP endpoints), [`state`] (what they share with the controller),
//! [`environment`] (the controller: init, invoke, reset, shutdown), [`process`] (children and
//! their output), [`sandbox`] (`/tmp`), [`telemetry`] (delivery to subscribers), [`config`]
//! (variables, layers, wrapper), [`ids`].

mod api;
mod config;
mod environment;
mod ids;
mod process;
mod sandbox;
mod state;
mod telemetry;

pub use config::HarnessConfig;
#[allow(
    unused_imports,
    reason = "part of the in-process API for `demo` and `attack`"
)]
pub use environment::InvocationStatus;
pub use environment::{Harness, HarnessError, InvocationResult};
pub use sandbox::TmpMode;

use bytes::Bytes;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio::io::AsyncBufReadExt;

/// The account id in ARNs the harness hands out (AWS's documentation placeholder).
pub(crate) const ACCOUNT_ID: &str = "123456789012";

/// Arguments of `lambda-guard run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// A directory standing for a layer mounted at /opt: its `extensions/` executables start as
    /// external extensions, `AWS_LAMBDA_EXEC_WRAPPER=/opt/X` runs its `X`. Repeatable, in order.
    #[arg(long = "layer", value_name = "DIR")]
    pub layers: Vec<PathBuf>,
    /// An environment variable for the function and the extensions. Repeatable.
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub env: Vec<(String, String)>,
    /// Events, one JSON document per line; standard input when absent or `-`.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Invocation timeout in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Init timeout in seconds (extensions' registration plus the runtime's init).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub init_timeout: f64,
    /// `LAMBDA_TASK_ROOT` and working directory (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub task_root: Option<PathBuf>,
    /// How to give the environment a /tmp of its own.
    #[arg(long, value_enum, default_value_t = TmpMode::Auto)]
    pub tmp: TmpMode,
    /// Freeze the environment (SIGSTOP) between invocations and thaw it (SIGCONT) for the next.
    #[arg(long)]
    pub freeze: bool,
    /// Loopback port for the APIs (default: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Print timing statistics on stderr at the end (harness overhead measurement).
    #[arg(long)]
    pub stats: bool,
    /// The runtime's bootstrap command and its arguments.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

fn seconds(s: f64, what: &str) -> Result<Duration, String> {
    Duration::try_from_secs_f64(s)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("{what} must be a positive number of seconds, got {s}"))
}

/// Runs the harness: `lambda-guard run`.
pub fn main(args: RunArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lambda-guard run: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let code = rt.block_on(run_until_signalled(args));
    // A blocking read of stdin cannot be cancelled: do not wait for it.
    rt.shutdown_timeout(Duration::from_millis(100));
    code
}

/// Runs until done or until SIGINT/SIGTERM. An interrupted run drops the harness, which kills
/// the environment's process groups and releases `/tmp`: nothing is left behind.
async fn run_until_signalled(args: RunArgs) -> ExitCode {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt()).ok();
    let mut term = signal(SignalKind::terminate()).ok();
    async fn next(s: &mut Option<tokio::signal::unix::Signal>) {
        match s {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending().await,
        }
    }
    let code = tokio::select! {
        code = run(args) => return code,
        _ = next(&mut int) => ("interrupted", 130),
        _ = next(&mut term) => ("terminated", 143),
    };
    eprintln!("lambda-guard run: {}; the environment was killed", code.0);
    ExitCode::from(code.1)
}

/// Delivers `events` to one environment built from `config`, calling `on_result` after each
/// invocation, then shuts the environment down. The in-process door for `demo` and `attack`.
#[allow(dead_code, reason = "the in-process API for `demo` and `attack`")]
pub async fn run_events(
    config: HarnessConfig,
    events: impl IntoIterator<Item = Bytes>,
    mut on_result: impl FnMut(&InvocationResult),
) -> Result<Vec<InvocationResult>, HarnessError> {
    let mut harness = Harness::start(config).await?;
    let mut results = Vec::new();
    for event in events {
        match harness.invoke(event).await {
            Ok(r) => {
                on_result(&r);
                results.push(r);
            }
            Err(e) => {
                harness.shutdown().await;
                return Err(e);
            }
        }
    }
    harness.shutdown().await;
    Ok(results)
}

async fn run(args: RunArgs) -> ExitCode {
    let fail = |msg: String, code: u8| {
        eprintln!("lambda-guard run: {msg}");
        ExitCode::from(code)
    };
    let mut config = HarnessConfig::new(args.command);
    config.layers = args.layers;
    config.env = args.env;
    config.task_root = args.task_root.unwrap_or_default();
    config.tmp = args.tmp;
    config.freeze = args.freeze;
    config.port = args.port;
    match (
        seconds(args.timeout, "--timeout"),
        seconds(args.init_timeout, "--init-timeout"),
    ) {
        (Ok(t), Ok(i)) => {
            config.timeout = t;
            config.init_timeout = i;
        }
        (Err(e), _) | (_, Err(e)) => return fail(e, 2),
    }
    let input: Box<dyn tokio::io::AsyncRead + Unpin + Send> = match &args.events {
        Some(p) if p.as_os_str() != "-" => match tokio::fs::File::open(p).await {
            Ok(f) => Box::new(f),
            Err(e) => return fail(format!("cannot read {}: {e}", p.display()), 2),
        },
        _ => Box::new(tokio::io::stdin()),
    };
    let mut lines = tokio::io::BufReader::new(input).lines();

    let mut harness = match Harness::start(config).await {
        Ok(h) => h,
        Err(e) => return fail(e.to_string(), 1),
    };
    let mut stats = Stats {
        cpu_start: cpu_time(),
        ..Stats::default()
    };
    let mut line_no = 0u64;
    let outcome = loop {
        let line = match lines.next_line().await {
            Ok(Some(l)) => l,
            Ok(None) => break Ok(()),
            Err(e) => break Err(fail(format!("cannot read events: {e}"), 2)),
        };
        line_no += 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(line) {
            break Err(fail(format!("event on line {line_no} is not JSON: {e}"), 2));
        }
        match harness.invoke(Bytes::from(line.to_owned())).await {
            Ok(r) => {
                stats.add(&r);
                let mut out = std::io::stdout().lock();
                let written = serde_json::to_writer(&mut out, &r)
                    .map_err(std::io::Error::from)
                    .and_then(|()| out.write_all(b"\n"))
                    .and_then(|()| out.flush());
                if let Err(e) = written {
                    break Err(fail(format!("cannot write results: {e}"), 1));
                }
            }
            Err(e) => break Err(fail(e.to_string(), 1)),
        }
    };
    stats.cpu_end = cpu_time();
    for e in harness.shutdown().await {
        eprintln!("lambda-guard run: reported at exit: {e}");
    }
    if args.stats {
        stats.print();
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// Per-invocation timings, for `--stats`.
#[derive(Default)]
struct Stats {
    /// Time inside `invoke` per event, µs.
    elapsed: Vec<f64>,
    /// `duration_ms` (delivery to result), µs.
    duration: Vec<f64>,
    /// Publishing the event to handing it to the runtime, µs.
    dispatch: Vec<f64>,
    /// The harness process's CPU time (user + system) around the event loop.
    cpu_start: Duration,
    cpu_end: Duration,
}

/// CPU time (user + system) this process used so far.
fn cpu_time() -> Duration {
    use nix::sys::resource::{getrusage, UsageWho};
    getrusage(UsageWho::RUSAGE_SELF)
        .map(|u| {
            let t = |tv: nix::sys::time::TimeVal| {
                Duration::from_secs(tv.tv_sec().max(0) as u64)
                    + Duration::from_micros(tv.tv_usec().max(0) as u64)
            };
            t(u.user_time()) + t(u.system_time())
        })
        .unwrap_or_default()
}

impl Stats {
    fn add(&mut self, r: &InvocationResult) {
        self.elapsed.push(r.elapsed.as_secs_f64() * 1e6);
        self.duration.push(r.duration_ms * 1000.0);
        self.dispatch.push(r.dispatch.as_secs_f64() * 1e6);
    }

    fn print(&mut self) {
        let n = self.elapsed.len();
        if n == 0 {
            return;
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let pct = |v: &mut Vec<f64>, p: f64| {
            v.sort_by(f64::total_cmp);
            v[((v.len() - 1) as f64 * p).round() as usize]
        };
        let (me, md, mdis) = (
            mean(&self.elapsed),
            mean(&self.duration),
            mean(&self.dispatch),
        );
        let cpu = self.cpu_end.saturating_sub(self.cpu_start).as_secs_f64() * 1e6 / n as f64;
        eprintln!(
            "lambda-guard run: stats: invocations={n} round_trip_mean_us={me:.1} \
             round_trip_p50_us={:.1} round_trip_p99_us={:.1} dispatch_mean_us={mdis:.1} \
             delivery_to_result_mean_us={md:.1} harness_cpu_per_invocation_us={cpu:.1}",
            pct(&mut self.elapsed, 0.5),
            pct(&mut self.elapsed, 0.99),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal runtime in Python's standard library: answers `{"got": event}`.
    const RUNTIME: &str = r#"
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
for _ in range(1000):
    with urllib.request.urlopen(api + "next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(r.read())
    body = json.dumps({"got": event}).encode()
    urllib.request.urlopen(urllib.request.Request(api + rid + "/response", data=body)).read()
"#;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn run_events_in_process() {
        let mut config = HarnessConfig::new(vec!["python3".into(), "-c".into(), RUNTIME.into()]);
        config.tmp = TmpMode::Dir;
        config.timeout = Duration::from_secs(10);
        let mut seen = 0;
        let events = [Bytes::from_static(b"{\"a\":1}"), Bytes::from_static(b"[2]")];
        let results = run_events(config, events, |_| seen += 1).await.unwrap();
        assert_eq!(seen, 2);
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].status, InvocationStatus::Success);
        assert_eq!(
            results[0].response,
            Some(serde_json::json!({"got": {"a": 1}}))
        );
        assert_eq!(results[1].invocation, 2);
        let line = serde_json::to_value(&results[1]).unwrap();
        assert_eq!(line["response"]["got"], serde_json::json!([2]));
        assert!(
            line.get("elapsed").is_none(),
            "only the output contract is serialised"
        );
    }

    #[tokio::test]
    async fn start_reports_init_failures() {
        let config = HarnessConfig::new(vec!["false".into()]);
        match Harness::start(config).await {
            Err(HarnessError::Init { error_type, .. }) => {
                assert_eq!(error_type, "Runtime.ExitError")
            }
            other => panic!("{other:?}"),
        }
    }
}

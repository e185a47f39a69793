//! Security telemetry: OCSF security events on stdout and OpenTelemetry (a span per invocation,
//! the security events as log records) over OTLP/HTTP, flushed at the end of every invocation
//! within a bound, redacted by construction.
//!
//! ```
//! use lambda_guard::telemetry::{Sink, Telemetry};
//! use lambda_guard::{Config, Verdict, Trigger};
//! let (telemetry, lines) = Telemetry::with_sink(&Config::default(), Sink::buffer());
//! let context = lambda_runtime::Context::default();
//! telemetry.invocation(&Verdict::malformed("malformed.json"), &serde_json::Value::Null, &context);
//! telemetry.drain(std::time::Duration::from_secs(5)); // events are written off the invocation
//! let out = lines.take();
//! assert!(out.lines().any(|l| l.contains("\"class_uid\":2004")));
//! ```
//!
//! What goes where:
//! - **stdout**: one JSON line per event, `{"level", "timestamp", "message", "service",
//!   "function_request_id", "xray_trace_id", "cold_start", "ocsf": {…}}` (Powertools Logger keys;
//!   `level` where Lambda's advanced logging controls read it). CloudWatch Logs subscription
//!   filters can match `{ $.ocsf.class_uid = * }`. Written first, synchronously: an event that
//!   cannot be exported is still there.
//! - **OTLP/HTTP** (when `OTEL_EXPORTER_OTLP_ENDPOINT` or `telemetry.otlp` says so): the
//!   invocation span (`faas.invocation_id`, `faas.trigger`, `faas.coldstart`, `cloud.*`, the
//!   guard's decision as `lambda_guard.*` attributes and findings as span events, parented on the
//!   X-Ray trace when Lambda sends one) and each OCSF event as a log record (body: the event's
//!   JSON, event name `ocsf.<class>`), in the span's trace. Export runs on the batch processors'
//!   threads; [`Telemetry::flush`] waits for it at most `telemetry.flush_timeout_ms`.
//!
//! Events: Authentication (3002) when a bearer token was checked, API Activity (6003) for the
//! guard's decision on HTTP requests when auth is on or the request was refused, Detection
//! Finding (2004) per finding (and [`Telemetry::residue`] for hygiene), Application Error (6008)
//! on panics, File System Activity (1001) for wipes ([`Telemetry::wipe`]), and Cloud Resources
//! Inventory Info (5023) for the attack surface at init and whenever it changes.
//!
//! Who installs what: [`crate::run`] and [`crate::http::run`] install a `tracing` subscriber (JSON
//! to stdout, plus `tracing-opentelemetry` when OTLP is on) unless one is already set, a panic
//! hook, and [`FlushLayer`] at the Runtime level so the flush runs after the response is posted.
//! Users who compose their own stack call [`Telemetry::install`] (or build their own subscriber
//! with [`Telemetry::otel_layer`]) and add [`Telemetry::flush_layer`] to their `Runtime`; without
//! it the guard flushes at the end of its own service, before the response.

pub mod inventory;
pub mod ocsf;
pub mod otel;
pub mod redact;

use crate::{
    config::{Config, ConfigError, Env, Mode},
    decision::{Category, Decision, Verdict},
    trigger::{RequestLine, Trigger},
};
use inventory::Inventory;
use ocsf::{AuthResult, DecisionSummary, FunctionInfo, InvocationInfo, SecurityEvent, Severity};
use opentelemetry::{trace::TraceContextExt, KeyValue};
use otel::{FlushOutcome, OtelPipeline};
use redact::{Masks, RedactedPath};
use serde::Deserialize;
use serde_json::Value;
use std::{
    io::Write,
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc::{self, TrySendError},
        Arc, Mutex,
    },
    time::Duration,
};
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Findings reported per invocation (the rest are counted on the span).
pub const MAX_FINDING_EVENTS: usize = 16;

/// `[telemetry]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryConfig {
    /// `telemetry.stdout` (`GUARD_TELEMETRY_STDOUT`): OCSF lines on stdout; default `true` in
    /// Lambda (`AWS_LAMBDA_RUNTIME_API` set), `false` elsewhere (`lambda-guard scan`, tests).
    pub stdout: Option<bool>,
    /// `telemetry.otlp` (`GUARD_TELEMETRY_OTLP`): export over OTLP/HTTP; default: on when
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (or its `_TRACES_`/`_LOGS_` form) is set.
    pub otlp: Option<bool>,
    /// `telemetry.flush_timeout_ms` (`GUARD_TELEMETRY_FLUSH_TIMEOUT_MS`): the most an invocation
    /// waits for export; default 300, 1 to 5000.
    pub flush_timeout_ms: Option<u64>,
    /// `telemetry.export_timeout_ms` (`GUARD_TELEMETRY_EXPORT_TIMEOUT_MS`): per OTLP request;
    /// default 1000, 50 to 30000.
    pub export_timeout_ms: Option<u64>,
    /// `telemetry.mask_fields` (`GUARD_TELEMETRY_MASK_FIELDS`, comma-separated): extra sensitive
    /// paths, masked as `*****`: dotted paths into the event (`src_endpoint.ip`), `*` for any
    /// key; paths starting with `$` are input fields whose findings lose even their masked excerpt.
    #[serde(default)]
    pub mask_fields: Vec<String>,
    /// `telemetry.include_subject` (`GUARD_TELEMETRY_INCLUDE_SUBJECT`): put the token's `sub` in
    /// `user.uid`; default `false`.
    pub include_subject: Option<bool>,
    /// `telemetry.inventory` (`GUARD_TELEMETRY_INVENTORY`): the attack-surface inventory event;
    /// default `true`.
    pub inventory: Option<bool>,
    /// `telemetry.stale_route_after_s` (`GUARD_TELEMETRY_STALE_ROUTE_AFTER_S`): a route not seen
    /// for this long is a decommissioning candidate; default 604800 (7 days).
    pub stale_route_after_s: Option<u64>,
}

impl TelemetryConfig {
    pub(crate) fn apply_env(&mut self, env: &impl Env) -> Result<(), ConfigError> {
        if let Some(v) = env.parsed("GUARD_TELEMETRY_STDOUT", "telemetry.stdout")? {
            self.stdout = Some(v);
        }
        if let Some(v) = env.parsed("GUARD_TELEMETRY_OTLP", "telemetry.otlp")? {
            self.otlp = Some(v);
        }
        if let Some(v) = env.parsed(
            "GUARD_TELEMETRY_FLUSH_TIMEOUT_MS",
            "telemetry.flush_timeout_ms",
        )? {
            self.flush_timeout_ms = Some(v);
        }
        if let Some(v) = env.parsed(
            "GUARD_TELEMETRY_EXPORT_TIMEOUT_MS",
            "telemetry.export_timeout_ms",
        )? {
            self.export_timeout_ms = Some(v);
        }
        if let Some(v) = env.var("GUARD_TELEMETRY_MASK_FIELDS") {
            self.mask_fields = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(v) = env.parsed(
            "GUARD_TELEMETRY_INCLUDE_SUBJECT",
            "telemetry.include_subject",
        )? {
            self.include_subject = Some(v);
        }
        if let Some(v) = env.parsed("GUARD_TELEMETRY_INVENTORY", "telemetry.inventory")? {
            self.inventory = Some(v);
        }
        if let Some(v) = env.parsed(
            "GUARD_TELEMETRY_STALE_ROUTE_AFTER_S",
            "telemetry.stale_route_after_s",
        )? {
            self.stale_route_after_s = Some(v);
        }
        Ok(())
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(ms) = self.flush_timeout_ms {
            if !(1..=5000).contains(&ms) {
                return Err(ConfigError::invalid(
                    "telemetry.flush_timeout_ms (GUARD_TELEMETRY_FLUSH_TIMEOUT_MS)",
                    format!("{ms} is outside 1..=5000"),
                ));
            }
        }
        if let Some(ms) = self.export_timeout_ms {
            if !(50..=30_000).contains(&ms) {
                return Err(ConfigError::invalid(
                    "telemetry.export_timeout_ms (GUARD_TELEMETRY_EXPORT_TIMEOUT_MS)",
                    format!("{ms} is outside 50..=30000"),
                ));
            }
        }
        if let Some(bad) = self
            .mask_fields
            .iter()
            .find(|p| p.split('.').any(str::is_empty) && !p.starts_with('$') || p.trim().is_empty())
        {
            return Err(ConfigError::invalid(
                "telemetry.mask_fields (GUARD_TELEMETRY_MASK_FIELDS)",
                format!("`{bad}` is not a dotted field path"),
            ));
        }
        Ok(())
    }

    /// The flush bound.
    pub fn flush_timeout(&self) -> Duration {
        Duration::from_millis(self.flush_timeout_ms.unwrap_or(300))
    }

    /// Whether OTLP export is on, given the process environment.
    pub fn otlp_enabled(&self, env: &impl Env) -> bool {
        self.otlp.unwrap_or_else(|| {
            [
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
            ]
            .iter()
            .any(|n| env.var(n).is_some())
        })
    }
}

/// Where the JSON lines go.
pub enum Sink {
    /// The process's stdout (Lambda ships it to CloudWatch Logs).
    Stdout,
    /// Any writer (tests, benchmarks).
    Writer(Mutex<Box<dyn Write + Send>>),
    /// Nowhere (`telemetry.stdout = false`).
    Discard,
}

impl Sink {
    /// A sink into a shared buffer, and the handle to read it.
    pub fn buffer() -> (Sink, Lines) {
        let lines = Lines::default();
        (Sink::Writer(Mutex::new(Box::new(lines.clone()))), lines)
    }

    fn write(&self, line: &[u8]) {
        match self {
            Sink::Stdout => {
                let _ = std::io::stdout().lock().write_all(line);
            }
            Sink::Writer(w) => {
                if let Ok(mut w) = w.lock() {
                    let _ = w.write_all(line);
                }
            }
            Sink::Discard => {}
        }
    }
}

/// Lines captured by [`Sink::buffer`].
#[derive(Debug, Clone, Default)]
pub struct Lines(Arc<Mutex<Vec<u8>>>);

impl Lines {
    /// Takes what was written so far.
    pub fn take(&self) -> String {
        self.0
            .lock()
            .map(|mut b| String::from_utf8_lossy(&std::mem::take(&mut *b)).into_owned())
            .unwrap_or_default()
    }
}

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Shared {
    sink: Sink,
    flush_timeout: Duration,
    masks: Masks,
    include_subject: bool,
    auth_on: bool,
    function: FunctionInfo,
    otel: Option<OtelPipeline>,
    inventory: Option<Mutex<Inventory>>,
    cold_span: AtomicBool,
    cold_events: AtomicBool,
    runtime_flush: AtomicBool,
    /// Jobs handed to the telemetry thread, and jobs it finished: equal means a flush has
    /// nothing to wait for (no cross-thread round trip on quiet invocations).
    submitted: std::sync::atomic::AtomicU64,
    finished: std::sync::atomic::AtomicU64,
    /// The current invocation's request id and ARN, for events raised outside it (panics).
    current: Mutex<(String, String)>,
}

impl Shared {
    /// Whether any event can reach anyone: with stdout off and no OTLP pipeline, building
    /// events is pure cost on the invocation path.
    fn delivers(&self) -> bool {
        !matches!(self.sink, Sink::Discard) || self.otel.is_some()
    }
}

/// The telemetry of one function: built once at init (by [`crate::Guard::new`]), cheap to clone.
#[derive(Clone)]
pub struct Telemetry {
    shared: Arc<Shared>,
    /// The telemetry thread's queue: events are built, written and exported there.
    jobs: mpsc::SyncSender<Job>,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry")
            .field("otlp", &self.shared.otel.is_some())
            .field("flush_timeout", &self.shared.flush_timeout)
            .finish_non_exhaustive()
    }
}

impl Telemetry {
    /// Builds the telemetry for `config` (stdout per `telemetry.stdout`; OTLP when
    /// configured) and emits the init inventory. An OTLP pipeline that cannot be built is
    /// reported on stderr and left out: telemetry never stops a function.
    pub fn new(config: &Config) -> Telemetry {
        // Outside Lambda (`lambda-guard scan`, tests) stdout belongs to the program.
        let in_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
        let sink = if config.telemetry.stdout.unwrap_or(in_lambda) {
            Sink::Stdout
        } else {
            Sink::Discard
        };
        Telemetry::build(config, sink)
    }

    /// Like [`Telemetry::new`] with lines going to `sink` (tests, benchmarks).
    pub fn with_sink(config: &Config, sink: (Sink, Lines)) -> (Telemetry, Lines) {
        (Telemetry::build(config, sink.0), sink.1)
    }

    fn build(config: &Config, sink: Sink) -> Telemetry {
        let t = &config.telemetry;
        let function = FunctionInfo::from_env();
        let otel = if t.otlp_enabled(&crate::config::ProcessEnv) {
            let timeout = Duration::from_millis(t.export_timeout_ms.unwrap_or(1000));
            match OtelPipeline::new(&function, timeout) {
                Ok(p) => Some(p),
                Err(e) => {
                    eprintln!("lambda-guard: OTLP export disabled: {e}");
                    None
                }
            }
        } else {
            None
        };
        let inventory = t.inventory.unwrap_or(true).then(|| {
            let names = std::env::vars_os().filter_map(|(k, _)| k.into_string().ok());
            Mutex::new(Inventory::new(
                config,
                t.stale_route_after_s.unwrap_or(7 * 24 * 3600),
                inventory::secret_like_env_names(names),
            ))
        });
        let shared = Arc::new(Shared {
            sink,
            flush_timeout: t.flush_timeout(),
            masks: Masks::new(&t.mask_fields),
            include_subject: t.include_subject.unwrap_or(false),
            auth_on: config.auth_mode() != Mode::Off,
            function,
            otel,
            inventory,
            cold_span: AtomicBool::new(true),
            cold_events: AtomicBool::new(true),
            runtime_flush: AtomicBool::new(false),
            submitted: std::sync::atomic::AtomicU64::new(0),
            finished: std::sync::atomic::AtomicU64::new(0),
            current: Mutex::new((String::new(), String::new())),
        });
        if let Some(inv) = &shared.inventory {
            let snapshot = inv.lock().map(|i| i.snapshot()).ok();
            if let Some(snapshot) = snapshot {
                let uid = format!("init-{}-{}", std::process::id(), now_ms());
                let event = ocsf::inventory(&shared.function, None, snapshot, uid);
                shared.emit(event, None, None);
            }
        }
        let (jobs, queue) = mpsc::sync_channel::<Job>(QUEUE);
        let worker = shared.clone();
        // Without the thread, submit() finds the queue disconnected and works inline.
        let _ = std::thread::Builder::new()
            .name("lambda-guard-telemetry".into())
            .spawn(move || {
                while let Ok(job) = queue.recv() {
                    // Drain markers are not submitted work: only real jobs are counted.
                    let counted = !matches!(job, Job::Drain(_));
                    worker.run(job);
                    if counted {
                        worker.finished.fetch_add(1, Ordering::Release);
                    }
                }
            });
        Telemetry { shared, jobs }
    }

    /// Whether OTLP export is on.
    pub fn otlp_enabled(&self) -> bool {
        self.shared.otel.is_some()
    }

    /// The span of one invocation, to instrument the guarded call with. Its `faas.*`,
    /// `cloud.*` and `lambda_guard.*` attributes are filled in by [`Telemetry::invocation`].
    pub fn invocation_span(
        &self,
        context: &lambda_runtime::Context,
        event: &Value,
    ) -> tracing::Span {
        let cold = self.shared.cold_span.swap(false, Ordering::Relaxed);
        let f = &self.shared.function;
        // The span kind is read when the span starts: detect the trigger now (a few key look-ups).
        let trigger = Trigger::detect(event);
        let kind = if trigger.carries_request() {
            "server"
        } else {
            "consumer"
        };
        let span = tracing::info_span!(
            target: "lambda_guard",
            "lambda_guard.invocation",
            otel.name = %if f.name.is_empty() { "invoke" } else { &f.name },
            otel.kind = kind,
            otel.status_code = tracing::field::Empty,
            faas.invocation_id = %context.request_id,
            faas.coldstart = cold,
            faas.trigger = faas_trigger(trigger),
            faas.name = %f.name,
            faas.version = %f.version,
            cloud.provider = "aws",
            cloud.platform = "aws_lambda",
            cloud.region = f.region.as_deref().unwrap_or_default(),
            cloud.resource_id = %context.invoked_function_arn,
            cloud.account.id = tracing::field::Empty,
            aws.lambda.invoked_arn = %context.invoked_function_arn,
            http.request.method = tracing::field::Empty,
            http.route = tracing::field::Empty,
            client.address = tracing::field::Empty,
            lambda_guard.trigger = tracing::field::Empty,
            lambda_guard.decision = tracing::field::Empty,
            lambda_guard.reason = tracing::field::Empty,
            lambda_guard.findings = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        if self.shared.otel.is_some() {
            if let Some(parent) = context.xray_trace_id.as_deref().and_then(xray_parent) {
                let _ = span.set_parent(parent);
            }
        }
        span
    }

    /// Reports one invocation's verdict: the span's attributes and events now, and the OCSF
    /// events (stdout and OTLP) and the inventory update on the telemetry thread, off the
    /// invocation (they are complete before [`Telemetry::flush`] returns). Call it inside the span
    /// from [`Telemetry::invocation_span`], right after the guard decided.
    pub fn invocation(&self, verdict: &Verdict, event: &Value, context: &lambda_runtime::Context) {
        let s = &*self.shared;
        if !s.delivers() {
            return;
        }
        let cold = s.cold_events.swap(false, Ordering::Relaxed);
        let info = self.invocation_info(verdict, event, context, cold);
        if let Ok(mut current) = s.current.lock() {
            current.0.clone_from(&context.request_id);
            current.1.clone_from(&context.invoked_function_arn);
        }
        let span = tracing::Span::current();
        let span_cx = if s.otel.is_some() && !span.is_disabled() {
            self.record_span(&span, verdict, &info);
            Some(span.context().span().span_context().clone())
        } else {
            None
        };
        let report = Report {
            info,
            trigger: verdict.trigger,
            decision: verdict.decision.clone(),
            findings: verdict.findings.clone(),
            verified: verdict.claims.is_some(),
            span_cx,
        };
        self.submit(Job::Report(Box::new(report)));
    }

    /// Hands a job to the telemetry thread; when its queue is full (or it is gone), does the
    /// work here rather than lose it.
    fn submit(&self, job: Job) {
        // Counted before sending, so the thread can never finish more than was submitted.
        self.shared.submitted.fetch_add(1, Ordering::AcqRel);
        let job = match self.jobs.try_send(job) {
            Ok(()) => return,
            Err(TrySendError::Full(job) | TrySendError::Disconnected(job)) => job,
        };
        self.shared.run(job);
        self.shared.finished.fetch_add(1, Ordering::Release);
    }

    /// Waits until the telemetry thread has written everything submitted so far, at most
    /// `bound`. Returns whether it caught up.
    pub fn drain(&self, bound: Duration) -> bool {
        let deadline = std::time::Instant::now() + bound;
        let (done, wait) = mpsc::sync_channel(1);
        let mut job = Job::Drain(done);
        // Bounded even when the queue is full and the thread stuck (stdout blocked).
        loop {
            match self.jobs.try_send(job) {
                Ok(()) => break,
                Err(TrySendError::Disconnected(_)) => return true,
                Err(TrySendError::Full(back)) => {
                    if std::time::Instant::now() >= deadline {
                        return false;
                    }
                    job = back;
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
        }
        wait.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
            .is_ok()
    }

    fn record_span(&self, span: &tracing::Span, verdict: &Verdict, info: &InvocationInfo) {
        let (decision, reason) = decision_names(&verdict.decision);
        let trigger = verdict.trigger;
        span.record("lambda_guard.trigger", trigger.name());
        span.record("lambda_guard.decision", decision);
        span.record(
            "lambda_guard.findings",
            i64::try_from(verdict.findings.len()).unwrap_or(i64::MAX),
        );
        if let Some(reason) = reason {
            span.record("lambda_guard.reason", reason);
        }
        if let Some(account) = info.account() {
            span.record("cloud.account.id", account);
        }
        if let Some(method) = &info.method {
            span.record("http.request.method", method.as_str());
        }
        if let Some(route) = &info.route {
            span.record("http.route", route.as_str());
        }
        if let Some(ip) = info
            .source_ip
            .as_ref()
            .filter(|_| !self.shared.masks.masks_key("ip"))
        {
            span.record("client.address", ip.as_str());
        }
        for f in verdict.findings.iter().take(MAX_FINDING_EVENTS) {
            span.add_event(
                "lambda_guard.finding",
                vec![
                    KeyValue::new("lambda_guard.category", f.category.name()),
                    KeyValue::new("lambda_guard.rule", f.rule.to_string()),
                    KeyValue::new("lambda_guard.path", f.path.clone()),
                ],
            );
        }
    }

    /// Records a handler error on the invocation span (its type only, never its message).
    pub fn handler_error(&self, error_type: &str) {
        if self.shared.otel.is_none() {
            return;
        }
        let span = tracing::Span::current();
        span.record("otel.status_code", "ERROR");
        span.record("error.type", error_type);
    }

    /// Detection Finding (2004) for residue found between invocations (hygiene): its kind and
    /// count only.
    pub fn residue(&self, context: Option<&lambda_runtime::Context>, kind: &str, count: u64) {
        let info = context.map(|c| self.context_info(c));
        let event = ocsf::residue_finding(&self.shared.function, info.as_ref(), kind, count, 90);
        self.emit(event, info.as_ref(), None);
    }

    /// File System Activity (1001, Delete) for a wipe of `dir` (counts only, never names).
    pub fn wipe(
        &self,
        context: Option<&lambda_runtime::Context>,
        dir: &str,
        removed: u64,
        bytes: u64,
    ) {
        let info = context.map(|c| self.context_info(c));
        let event = ocsf::wipe(
            &self.shared.function,
            info.as_ref(),
            dir,
            removed,
            bytes,
            91,
        );
        self.emit(event, info.as_ref(), None);
    }

    /// Application Error (6008) for a critical error: `what` is a fixed description, never an
    /// error message that could hold data.
    pub fn critical_error(&self, context: Option<&lambda_runtime::Context>, what: &str) {
        let info = context.map(|c| self.context_info(c));
        let event = ocsf::application_error(
            &self.shared.function,
            info.as_ref(),
            what,
            Severity::Critical,
            92,
        );
        self.emit(event, info.as_ref(), None);
    }

    fn context_info(&self, context: &lambda_runtime::Context) -> InvocationInfo {
        InvocationInfo {
            request_id: context.request_id.clone(),
            xray_trace_id: context.xray_trace_id.clone(),
            arn: context.invoked_function_arn.clone(),
            ..InvocationInfo::default()
        }
    }

    fn invocation_info(
        &self,
        verdict: &Verdict,
        event: &Value,
        context: &lambda_runtime::Context,
        cold_start: bool,
    ) -> InvocationInfo {
        let mut info = self.context_info(context);
        info.trigger = Some(verdict.trigger);
        info.cold_start = cold_start;
        if verdict.trigger.carries_request() {
            let http = http_summary(event, verdict.trigger);
            info.method = http.0;
            info.route = http.1;
            info.source_ip = http.2;
        }
        if self.shared.include_subject {
            info.subject = verdict.claims.as_ref().and_then(|c| subject(c));
        }
        info
    }

    /// Masks, then writes the line and hands the event to OTLP (on the telemetry thread).
    fn emit(
        &self,
        event: SecurityEvent,
        info: Option<&InvocationInfo>,
        span: Option<&opentelemetry::trace::SpanContext>,
    ) {
        self.submit(Job::Event(Box::new((event, info.cloned(), span.cloned()))));
    }

    /// Exports what is pending, waiting at most `telemetry.flush_timeout_ms`. Never fails; a
    /// dead collector costs at most the bound (and nothing while a previous flush is stuck).
    pub fn flush(&self) -> Option<FlushOutcome> {
        let start = std::time::Instant::now();
        let bound = self.shared.flush_timeout;
        let idle = self.shared.finished.load(Ordering::Acquire)
            >= self.shared.submitted.load(Ordering::Acquire);
        if !idle && !self.drain(bound) {
            eprintln!("lambda-guard: telemetry still writing after {bound:?}");
        }
        let left = bound
            .saturating_sub(start.elapsed())
            .max(Duration::from_millis(1));
        let outcome = self.shared.otel.as_ref()?.flush(left);
        if matches!(outcome, FlushOutcome::Failed | FlushOutcome::TimedOut) {
            eprintln!("lambda-guard: OTLP flush {outcome:?}; the events are on stdout");
        }
        Some(outcome)
    }

    /// Called by the guard at the end of its service: flushes unless a [`FlushLayer`] will do it
    /// after the response is posted.
    pub fn end_invocation(&self) {
        if !self.shared.runtime_flush.load(Ordering::Relaxed) {
            self.flush();
        }
    }

    /// A Runtime-level layer that flushes after the response is posted, before the next
    /// invocation is asked for (add it last, so it is the outermost).
    pub fn flush_layer(&self) -> FlushLayer {
        FlushLayer {
            telemetry: self.clone(),
        }
    }

    /// The `tracing-opentelemetry` layer for a subscriber you build yourself (`None` when OTLP
    /// is off). It leaves out the runtime's own spans, so the guard's invocation span is the root.
    pub fn otel_layer<S>(&self) -> Option<Box<dyn tracing_subscriber::Layer<S> + Send + Sync>>
    where
        S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a> + Send + Sync,
    {
        use tracing_subscriber::Layer as _;
        let otel = self.shared.otel.as_ref()?;
        let filter = tracing_subscriber::filter::filter_fn(|meta| {
            let t = meta.target();
            *meta.level() <= tracing::Level::INFO
                && ![
                    "lambda_runtime",
                    "hyper",
                    "reqwest",
                    "opentelemetry",
                    "h2",
                    "tower",
                ]
                .iter()
                .any(|p| t.starts_with(p))
        });
        Some(
            tracing_opentelemetry::layer()
                .with_tracer(otel.tracer())
                .with_location(false)
                .with_threads(false)
                .with_target(false)
                .with_tracked_inactivity(false)
                .with_filter(filter)
                .boxed(),
        )
    }

    /// Installs, unless already set, a global `tracing` subscriber (JSON lines on stdout at
    /// `AWS_LAMBDA_LOG_LEVEL` or `RUST_LOG`, default `info`, plus [`Telemetry::otel_layer`]),
    /// and a panic hook that emits Application Error (6008) and flushes. Returns whether the
    /// subscriber was installed.
    pub fn install(&self) -> bool {
        use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt, Layer as _};
        self.install_panic_hook();
        if tracing::dispatcher::has_been_set() {
            return false;
        }
        let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
            .or_else(|_| std::env::var("RUST_LOG"))
            .unwrap_or_else(|_| "info".to_owned());
        let filter = tracing_subscriber::EnvFilter::try_new(level.to_ascii_lowercase())
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        let fmt = tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(false)
            .with_span_list(false)
            .with_writer(std::io::stdout)
            .with_filter(filter);
        tracing_subscriber::registry()
            .with(fmt)
            .with(self.otel_layer())
            .try_init()
            .is_ok()
    }

    fn install_panic_hook(&self) {
        static INSTALLED: AtomicBool = AtomicBool::new(false);
        if INSTALLED.swap(true, Ordering::SeqCst) {
            return;
        }
        let telemetry = self.clone();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |panic| {
            // The payload may hold data: only the location is reported.
            let what = match panic.location() {
                Some(l) => format!("panic at {}:{}", l.file(), l.line()),
                None => "panic".to_owned(),
            };
            let (request_id, arn) = telemetry
                .shared
                .current
                .lock()
                .map(|c| c.clone())
                .unwrap_or_default();
            let info = (!request_id.is_empty()).then(|| InvocationInfo {
                request_id,
                arn,
                ..InvocationInfo::default()
            });
            let event = ocsf::application_error(
                &telemetry.shared.function,
                info.as_ref(),
                &what,
                Severity::Critical,
                93,
            );
            // Written here, after what is queued, in case the process does not survive.
            telemetry.drain(telemetry.shared.flush_timeout);
            telemetry.shared.emit(event, info.as_ref(), None);
            telemetry.flush();
            previous(panic);
        }));
    }
}

/// One invocation's verdict, as the telemetry thread needs it.
struct Report {
    info: InvocationInfo,
    trigger: Trigger,
    decision: Decision,
    findings: Vec<crate::decision::Finding>,
    verified: bool,
    span_cx: Option<opentelemetry::trace::SpanContext>,
}

type PendingEvent = (
    SecurityEvent,
    Option<InvocationInfo>,
    Option<opentelemetry::trace::SpanContext>,
);

enum Job {
    Report(Box<Report>),
    Event(Box<PendingEvent>),
    Drain(mpsc::SyncSender<()>),
}

/// Jobs the telemetry thread's queue holds before work is done inline.
const QUEUE: usize = 256;

fn decision_names(decision: &Decision) -> (&'static str, Option<&'static str>) {
    match decision {
        Decision::Allow => ("allow", None),
        Decision::Deny(r) => ("deny", Some(r.name())),
        Decision::Filter { .. } => ("filter", None),
    }
}

impl Shared {
    fn run(&self, job: Job) {
        match job {
            Job::Report(report) => self.report(&report),
            Job::Event(pending) => {
                let (event, info, span) = *pending;
                self.emit(event, info.as_ref(), span.as_ref());
            }
            Job::Drain(done) => {
                let _ = done.try_send(());
            }
        }
    }

    fn report(&self, r: &Report) {
        let s = self;
        let info = &r.info;
        let span_cx = r.span_cx.as_ref();
        let (decision, reason) = decision_names(&r.decision);
        let status_code = match &r.decision {
            Decision::Deny(reason) if r.trigger.carries_request() => Some(reason.status()),
            _ => None,
        };
        let mut n = 0;
        if s.auth_on && r.trigger.carries_request() {
            let auth_finding = r.findings.iter().find(|f| f.category == Category::Auth);
            let result = match (auth_finding, r.verified) {
                (Some(f), _) => Some(AuthResult::Failure(&f.rule)),
                (None, true) => Some(AuthResult::Success),
                (None, false) => None,
            };
            if let Some(result) = result {
                s.emit(
                    ocsf::authentication(&s.function, info, result, n),
                    Some(info),
                    span_cx,
                );
                n += 1;
            }
        }
        // A trigger `auth.triggers` does not allow (a direct invoke, a misrouted event) is an
        // authorization decision too, HTTP or not.
        let trigger_refused =
            !r.trigger.carries_request() && r.findings.iter().any(|f| f.category == Category::Auth);
        if r.trigger.carries_request() && (s.auth_on || decision != "allow") || trigger_refused {
            let summary = DecisionSummary {
                decision,
                reason,
                status_code,
                findings: r.findings.len(),
            };
            s.emit(
                ocsf::api_activity(&s.function, info, summary, n),
                Some(info),
                span_cx,
            );
            n += 1;
        }
        for finding in r
            .findings
            .iter()
            .filter(|f| f.category != Category::Auth)
            .take(MAX_FINDING_EVENTS)
        {
            let action = match &r.decision {
                Decision::Deny(_) => "blocked",
                Decision::Filter { rejected }
                    if finding.record.is_some_and(|i| rejected.contains(&i)) =>
                {
                    "filtered"
                }
                _ => "monitored",
            };
            let masked = s.masks.masks_input(&finding.path);
            s.emit(
                ocsf::detection_finding(&s.function, info, finding, n, action, masked),
                Some(info),
                span_cx,
            );
            n += 1;
        }
        if let Some(inv) = &s.inventory {
            let route = (decision != "deny").then(|| info.operation()).flatten();
            let public = r
                .trigger
                .carries_request()
                .then_some(!s.auth_on || !r.verified);
            let snapshot = inv.lock().ok().and_then(|mut i| {
                i.observe(r.trigger, route.as_deref(), public, now_ms())
                    .then(|| i.snapshot())
            });
            if let Some(snapshot) = snapshot {
                let uid = format!("{}-{n}", info.request_id);
                s.emit(
                    ocsf::inventory(&s.function, Some(info), snapshot, uid),
                    Some(info),
                    span_cx,
                );
            }
        }
    }

    /// Masks, then writes the line and hands the event to OTLP.
    fn emit(
        &self,
        mut event: SecurityEvent,
        info: Option<&InvocationInfo>,
        span: Option<&opentelemetry::trace::SpanContext>,
    ) {
        let s = self;
        if !s.masks.is_empty() {
            s.masks.apply(&mut event.value);
        }
        let Ok(body) = serde_json::to_string(&event.value) else {
            return;
        };
        if !matches!(s.sink, Sink::Discard) {
            let mut line = String::with_capacity(body.len() + 256);
            line.push_str("{\"level\":\"");
            line.push_str(event.severity.level());
            line.push_str("\",\"timestamp\":\"");
            line.push_str(&rfc3339(now_ms()));
            line.push_str("\",\"message\":");
            push_json_str(
                &mut line,
                event.value["message"].as_str().unwrap_or_default(),
            );
            line.push_str(",\"service\":");
            push_json_str(&mut line, &s.function.name);
            if let Some(info) = info {
                line.push_str(",\"function_request_id\":");
                push_json_str(&mut line, &info.request_id);
                if let Some(xray) = &info.xray_trace_id {
                    line.push_str(",\"xray_trace_id\":");
                    push_json_str(&mut line, xray);
                }
                line.push_str(if info.cold_start {
                    ",\"cold_start\":true"
                } else {
                    ",\"cold_start\":false"
                });
            }
            line.push_str(",\"ocsf\":");
            line.push_str(&body);
            line.push_str("}\n");
            s.sink.write(line.as_bytes());
        }
        if let Some(otel) = &s.otel {
            otel.emit(&event, &body, span);
        }
    }
}

/// Flushes telemetry after each invocation's response is posted (see [`Telemetry::flush_layer`]).
#[derive(Clone)]
pub struct FlushLayer {
    telemetry: Telemetry,
}

impl std::fmt::Debug for FlushLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlushLayer").finish_non_exhaustive()
    }
}

impl<S> tower::Layer<S> for FlushLayer {
    type Service = FlushService<S>;
    fn layer(&self, inner: S) -> FlushService<S> {
        self.telemetry
            .shared
            .runtime_flush
            .store(true, Ordering::Relaxed);
        FlushService {
            inner,
            telemetry: self.telemetry.clone(),
        }
    }
}

/// The service of [`FlushLayer`].
pub struct FlushService<S> {
    inner: S,
    telemetry: Telemetry,
}

impl<S> tower::Service<lambda_runtime::LambdaInvocation> for FlushService<S>
where
    S: tower::Service<lambda_runtime::LambdaInvocation, Response = ()>,
    S::Future: 'static,
{
    type Response = ();
    type Error = S::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), S::Error>>>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: lambda_runtime::LambdaInvocation) -> Self::Future {
        let future = self.inner.call(request);
        let telemetry = self.telemetry.clone();
        Box::pin(async move {
            let result = future.await;
            telemetry.flush();
            result
        })
    }
}

/// The verified subject (`sub`), bounded in length; included only when
/// `telemetry.include_subject` is set.
fn subject(claims: &crate::auth::Claims) -> Option<String> {
    claims.subject().map(|s| s.chars().take(128).collect())
}

fn faas_trigger(trigger: Trigger) -> &'static str {
    match trigger {
        t if t.carries_request() => "http",
        Trigger::Sqs
        | Trigger::Sns
        | Trigger::Kinesis
        | Trigger::EventBridge
        | Trigger::Iot
        | Trigger::Firehose
        | Trigger::Kafka
        | Trigger::AmazonMq
        | Trigger::CloudWatchLogs => "pubsub",
        Trigger::S3 | Trigger::DynamoDb | Trigger::Ses => "datasource",
        _ => "other",
    }
}

/// Method, route (template, else redacted path) and caller address of an HTTP event, read
/// without copying headers.
fn http_summary(
    event: &Value,
    trigger: Trigger,
) -> (Option<String>, Option<RedactedPath>, Option<String>) {
    let line = RequestLine::of(event, trigger);
    let method = line.method.map(str::to_ascii_uppercase);
    let path = line.route.or(line.path);
    (
        method,
        path.map(RedactedPath::new),
        line.source_ip
            .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
            .map(str::to_owned),
    )
}

/// The X-Ray header (`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`)
/// as a remote OTel parent.
fn xray_parent(header: &str) -> Option<opentelemetry::Context> {
    use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};
    let mut root = None;
    let mut parent = None;
    let mut sampled = false;
    for part in header.split(';') {
        match part.trim().split_once('=') {
            Some(("Root", v)) => root = Some(v),
            Some(("Parent", v)) => parent = Some(v),
            Some(("Sampled", v)) => sampled = v == "1",
            _ => {}
        }
    }
    let mut pieces = root?.split('-');
    if pieces.next()? != "1" {
        return None;
    }
    let trace = format!("{}{}", pieces.next()?, pieces.next()?);
    let trace_id = TraceId::from_hex(&trace).ok()?;
    let span_id = SpanId::from_hex(parent?).ok()?;
    let flags = if sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::default()
    };
    let cx = SpanContext::new(trace_id, span_id, flags, true, TraceState::default());
    cx.is_valid()
        .then(|| opentelemetry::Context::new().with_remote_span_context(cx))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

fn push_json_str(out: &mut String, s: &str) {
    match serde_json::to_string(s) {
        Ok(q) => out.push_str(&q),
        Err(_) => out.push_str("\"\""),
    }
}

/// Epoch milliseconds as RFC 3339 UTC (`2026-11-29T03:46:18.123Z`).
fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests;

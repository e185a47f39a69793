//! The controller: one Lambda execution environment, driven through its lifecycle
//! (init → invoke … → shutdown, with a reset after a timeout or a crash).

use bytes::Bytes;
use nix::sys::signal::Signal;
use serde::Serialize;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::config::HarnessConfig;
use super::ids;
use super::process::{describe, Process};
use super::sandbox::TmpSandbox;
use super::state::{Current, FunctionInfo, Invocation, Outcome, ReportedError, Shared, State};

/// Lambda's budget for external extensions to handle SHUTDOWN.
const SHUTDOWN_BUDGET: Duration = Duration::from_millis(2000);
/// Lambda's budget for the runtime to exit after SIGTERM when extensions are present.
const RUNTIME_TERM_BUDGET: Duration = Duration::from_millis(500);

/// How an invocation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InvocationStatus {
    /// The runtime posted a response.
    Success,
    /// The runtime posted an error, or crashed, or its response was refused.
    Error,
    /// The deadline passed first.
    Timeout,
}

/// One line of `lambda-guard run`'s output contract.
#[derive(Debug, Clone, Serialize)]
pub struct InvocationResult {
    /// 1-based position of the event.
    pub invocation: u64,
    /// The request id the runtime got.
    pub request_id: String,
    /// How it ended.
    pub status: InvocationStatus,
    /// The response (JSON; a body that is not JSON becomes a JSON string), or null.
    pub response: Option<Value>,
    /// The error (`{"errorType","errorMessage",…}`), or null.
    pub error: Option<Value>,
    /// From the event's delivery to the runtime until its result.
    pub duration_ms: f64,
    /// Time spent inside `invoke` (dispatch, runtime work, and waiting for the runtime and the
    /// extensions to ask for the next event): not part of the output contract.
    #[serde(skip)]
    pub elapsed: Duration,
    /// From publishing the event until the runtime's parked `/next` returned it (harness time
    /// when the runtime was already waiting): not part of the output contract.
    #[serde(skip)]
    pub dispatch: Duration,
}

/// Why the harness could not provide an environment.
#[derive(Debug)]
#[non_exhaustive]
pub enum HarnessError {
    /// Setting up failed before anything ran (a socket, a layer, the sandbox).
    Setup(String),
    /// The runtime or an extension failed to start or to initialise.
    Init {
        /// e.g. `Runtime.ExitError`, `LambdaGuard.InvalidConfiguration`, `Extension.Crash`.
        error_type: String,
        /// What happened, for people.
        message: String,
    },
}

impl std::fmt::Display for HarnessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Setup(m) => write!(f, "setup failed: {m}"),
            Self::Init {
                error_type,
                message,
            } => write!(f, "init failed: {error_type}: {message}"),
        }
    }
}

impl std::error::Error for HarnessError {}

/// What the end of a wait was.
enum Waited {
    Ready,
    InitError(ReportedError),
    RuntimeExited(String),
    ExtensionExited(String, String),
    TimedOut,
}

/// A running execution environment plus the API server it talks to.
///
/// ```ignore
/// let mut env = Harness::start(config).await?;
/// let result = env.invoke(Bytes::from_static(b"{}")).await?;
/// env.shutdown().await;
/// ```
#[derive(Debug)]
pub struct Harness {
    config: HarnessConfig,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
    addr: SocketAddr,
    sandbox: Option<TmpSandbox>,
    sandbox_description: String,
    env: Vec<(String, String)>,
    runtime_command: Vec<String>,
    extension_files: Vec<(String, PathBuf)>,
    runtime: Option<Process>,
    extensions: Vec<Process>,
    count: u64,
    reset_reason: Option<&'static str>,
    frozen: bool,
    init_duration_ms: Option<f64>,
}

impl Harness {
    /// Serves the APIs, starts the extensions and the runtime, and waits for init to complete.
    pub async fn start(config: HarnessConfig) -> Result<Self, HarnessError> {
        let config = config.resolve().map_err(HarnessError::Setup)?;
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(|e| HarnessError::Setup(format!("cannot listen on 127.0.0.1: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| HarnessError::Setup(e.to_string()))?;
        let mut needed = config.layers.clone();
        needed.push(config.task_root.clone());
        if let Some(p) = config.command.first().map(Path::new) {
            if p.is_absolute() {
                needed.push(p.to_path_buf());
            }
        }
        let (sandbox, sandbox_description) = TmpSandbox::create(config.tmp, &needed)
            .await
            .map_err(HarnessError::Setup)?;
        let env = config.environment(addr, &sandbox);
        let function = FunctionInfo {
            name: config.lookup(&env, "AWS_LAMBDA_FUNCTION_NAME"),
            version: config.lookup(&env, "AWS_LAMBDA_FUNCTION_VERSION"),
            handler: config.lookup(&env, "_HANDLER"),
            arn: format!(
                "arn:aws:lambda:{}:{}:function:{}",
                config.lookup(&env, "AWS_REGION"),
                super::ACCOUNT_ID,
                config.lookup(&env, "AWS_LAMBDA_FUNCTION_NAME")
            ),
            memory_mb: config
                .lookup(&env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
                .parse()
                .unwrap_or(128),
        };
        let runtime_command = match config.runtime_command(&env) {
            Ok(c) => c,
            Err(e) => {
                sandbox.remove().await;
                return Err(HarnessError::Setup(e));
            }
        };
        let extension_files = config.extension_files();
        let shared = Arc::new(Shared::new(function));
        let server = tokio::spawn(super::api::serve(listener, shared.clone()));
        if config.echo_output {
            eprintln!("lambda-guard run: {sandbox_description}; APIs on {addr}");
        }
        let mut harness = Self {
            config,
            shared,
            server,
            addr,
            sandbox: Some(sandbox),
            sandbox_description,
            env,
            runtime_command,
            extension_files,
            runtime: None,
            extensions: Vec::new(),
            count: 0,
            reset_reason: None,
            frozen: false,
            init_duration_ms: None,
        };
        if let Err(e) = harness.init().await {
            harness.stop_processes("failure").await;
            harness.release().await;
            return Err(e);
        }
        Ok(harness)
    }

    /// The Runtime API address (`AWS_LAMBDA_RUNTIME_API`).
    #[allow(dead_code, reason = "in-process API for `demo` and `attack`")]
    pub fn runtime_api(&self) -> SocketAddr {
        self.addr
    }

    /// Which `/tmp` the environment got, in words.
    #[allow(dead_code, reason = "in-process API for `demo` and `attack`")]
    pub fn tmp_description(&self) -> &str {
        &self.sandbox_description
    }

    fn command(&self, argv: &[String]) -> tokio::process::Command {
        let program = Path::new(argv.first().map(String::as_str).unwrap_or_default());
        let args = argv.get(1..).unwrap_or_default();
        let cwd = &self.config.task_root;
        let mut cmd = match &self.sandbox {
            Some(sb) => sb.command(program, args, cwd),
            None => {
                let mut c = tokio::process::Command::new(program);
                c.args(args).current_dir(cwd);
                c
            }
        };
        for (key, _) in std::env::vars_os() {
            if key.to_str().is_some_and(super::config::is_lambda_reserved) {
                cmd.env_remove(key);
            }
        }
        if let Some(sb) = &self.sandbox {
            for key in sb.removed_env() {
                cmd.env_remove(key);
            }
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Runs the init phase: extensions start and register, then the runtime starts; init is over
    /// when the runtime and every extension wait for their next event.
    async fn init(&mut self) -> Result<(), HarnessError> {
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + self.config.init_timeout;
        let names: Vec<String> = self
            .extension_files
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        self.shared.telemetry.unsubscribe_all();
        self.shared.telemetry.record_history(true);
        self.shared.update(|s| {
            let generation = s.generation + 1;
            *s = State {
                generation,
                expected_external: names,
                ..State::default()
            };
        });
        let f = &self.shared.function;
        self.shared.telemetry.emit(
            "platform.initStart",
            json!({"initializationType": "on-demand", "phase": "init",
                   "functionName": f.name, "functionVersion": f.version}),
        );
        for (name, path) in self.extension_files.clone() {
            let cmd = self.command(&[path.display().to_string()]);
            let p = Process::spawn(
                cmd,
                format!("extension {name}"),
                "extension",
                self.shared.clone(),
                self.config.echo_output,
            )
            .map_err(|e| HarnessError::Init {
                error_type: "Extension.LaunchError".into(),
                message: format!("cannot start extension {}: {e}", path.display()),
            })?;
            self.extensions.push(p);
        }
        match self
            .wait_for(deadline, true, |s| s.expected_external.is_empty())
            .await
        {
            Waited::Ready => {}
            other => {
                self.shared.telemetry.record_history(false);
                return Err(self.init_failure(other, "the extensions to register"));
            }
        }
        self.shared.update(|s| s.runtime_started = true);
        let cmd = self.command(&self.runtime_command.clone());
        let runtime = Process::spawn(
            cmd,
            "function".into(),
            "function",
            self.shared.clone(),
            self.config.echo_output,
        )
        .map_err(|e| HarnessError::Init {
            error_type: "Runtime.InvalidEntrypoint".into(),
            message: format!("cannot start {:?}: {e}", self.runtime_command),
        })?;
        self.runtime = Some(runtime);
        match self.wait_for(deadline, true, environment_ready).await {
            Waited::Ready => {}
            other => {
                let err = self.init_failure(other, "init to complete");
                self.shared.telemetry.record_history(false);
                let status = "failure";
                self.shared.telemetry.emit(
                    "platform.initRuntimeDone",
                    json!({"initializationType": "on-demand", "phase": "init", "status": status}),
                );
                return Err(err);
            }
        }
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        self.init_duration_ms = Some(ms);
        self.shared.telemetry.emit(
            "platform.initRuntimeDone",
            json!({"initializationType": "on-demand", "phase": "init", "status": "success"}),
        );
        self.shared.telemetry.emit(
            "platform.initReport",
            json!({"initializationType": "on-demand", "phase": "init", "status": "success",
                   "metrics": {"durationMs": round3(ms)}}),
        );
        self.shared.telemetry.record_history(false);
        Ok(())
    }

    fn init_failure(&self, waited: Waited, what: &str) -> HarnessError {
        match waited {
            Waited::Ready => HarnessError::Init {
                error_type: "Runtime.Unknown".into(),
                message: "unexpected".into(),
            },
            Waited::InitError(e) => HarnessError::Init {
                message: format!(
                    "{} reported {}",
                    e.source,
                    e.body["errorMessage"]
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| e.body.to_string())
                ),
                error_type: e.error_type,
            },
            Waited::RuntimeExited(status) => HarnessError::Init {
                error_type: "Runtime.ExitError".into(),
                message: format!(
                    "the runtime ({:?}) exited during init: {status}",
                    self.runtime_command
                ),
            },
            Waited::ExtensionExited(name, status) => HarnessError::Init {
                error_type: "Extension.Crash".into(),
                message: format!("extension {name} exited during init: {status}"),
            },
            Waited::TimedOut => {
                let missing: Vec<String> = {
                    let s = self.shared.lock();
                    let mut m: Vec<String> = s
                        .expected_external
                        .iter()
                        .map(|n| format!("extension {n} did not register"))
                        .collect();
                    if s.runtime_started && !s.runtime_waiting {
                        m.push("the runtime did not call /runtime/invocation/next".into());
                    }
                    m.extend(s.extensions.iter().filter(|e| !e.waiting).map(|e| {
                        format!("extension {} did not call /extension/event/next", e.name)
                    }));
                    m
                };
                HarnessError::Init {
                    error_type: "Runtime.InitTimeout".into(),
                    message: format!(
                        "timed out after {:?} waiting for {what}: {}",
                        self.config.init_timeout,
                        missing.join("; ")
                    ),
                }
            }
        }
    }

    /// Waits until `ready(state)`, an init error (when `init`), a process exit, or `deadline`.
    async fn wait_for(
        &self,
        deadline: tokio::time::Instant,
        init: bool,
        ready: impl Fn(&State) -> bool,
    ) -> Waited {
        let mut rx = self.shared.subscribe();
        // Bounded by `deadline`: every iteration waits for a change or for the deadline.
        loop {
            {
                let s = self.shared.lock();
                if init {
                    if let Some(e) = &s.init_error {
                        return Waited::InitError(e.clone());
                    }
                }
                if ready(&s) {
                    return Waited::Ready;
                }
            }
            if let Some(st) = self.runtime.as_ref().and_then(Process::exited) {
                return Waited::RuntimeExited(describe(st));
            }
            if let Some((p, st)) = self
                .extensions
                .iter()
                .find_map(|p| p.exited().map(|st| (p, st)))
            {
                return Waited::ExtensionExited(
                    p.label.trim_start_matches("extension ").to_owned(),
                    describe(st),
                );
            }
            tokio::select! {
                r = rx.changed() => if r.is_err() { return Waited::TimedOut },
                _ = tokio::time::sleep_until(deadline) => return Waited::TimedOut,
            }
        }
    }

    /// Delivers one event and waits for its result, then for the runtime and the extensions to
    /// be ready for the next one. After a timeout or a crash the environment is reset (killed
    /// and initialised again) before the next event, as Lambda does; `Err` means that re-init
    /// failed.
    pub async fn invoke(&mut self, event: Bytes) -> Result<InvocationResult, HarnessError> {
        let entered = Instant::now();
        if let Some(reason) = self.reset_reason.take() {
            eprintln!("lambda-guard run: resetting the execution environment ({reason})");
            self.stop_processes(reason).await;
            self.init().await?;
        }
        self.thaw();
        self.count += 1;
        let n = self.count;
        let request_id = ids::uuid_v4();
        let trace_id = ids::trace_id();
        let timeout = self.config.timeout;
        let deadline_ms = ids::epoch_ms() + timeout.as_millis() as u64;
        let deadline = tokio::time::Instant::now() + timeout;
        let f = &self.shared.function;
        let inv = Invocation {
            request_id: request_id.clone(),
            body: event,
            deadline_ms,
            trace_id: trace_id.clone(),
            function_arn: f.arn.clone(),
        };
        let ext_event = json!({
            "eventType": "INVOKE", "deadlineMs": deadline_ms, "requestId": request_id,
            "invokedFunctionArn": f.arn,
            "tracing": {"type": "X-Amzn-Trace-Id", "value": trace_id},
        });
        let sent = Instant::now();
        self.shared.update(|s| {
            s.current = Some(Current {
                request_id: request_id.clone(),
                delivered_at: None,
                outcome: None,
            });
            s.pending = Some(inv);
            for e in s.extensions.iter_mut().filter(|e| has(&e.events, "INVOKE")) {
                e.queue.push_back(ext_event.clone());
            }
        });
        // Telemetry records are only built when someone will receive them.
        let telemetry = self.shared.telemetry.wanted();
        let tracing =
            json!({"spanId": ids::span_id(), "type": "X-Amzn-Trace-Id", "value": trace_id});
        if telemetry {
            self.shared.telemetry.emit(
                "platform.start",
                json!({"requestId": request_id, "version": f.version, "tracing": tracing}),
            );
        }

        let waited = self
            .wait_for(deadline, false, |s| {
                s.current.as_ref().is_some_and(|c| c.outcome.is_some())
            })
            .await;
        let (outcome, delivered, finished) = {
            let s = self.shared.lock();
            let c = s.current.as_ref();
            (
                c.and_then(|c| c.outcome.clone()),
                c.and_then(|c| c.delivered_at).unwrap_or(sent),
                c.and_then(|c| c.outcome.as_ref().map(|o| o.1)),
            )
        };
        let (status, response, error, produced) = match (waited, outcome) {
            (_, Some((Outcome::Response(body), _))) => {
                let len = body.len();
                (InvocationStatus::Success, Some(as_json(&body)), None, len)
            }
            (_, Some((Outcome::Error { body, error_type }, _))) => {
                let mut err = as_json(&body);
                if !err.is_object() {
                    err = json!({"errorType": error_type.as_deref().unwrap_or("Unhandled"),
                                 "errorMessage": err});
                }
                (InvocationStatus::Error, None, Some(err), body.len())
            }
            (Waited::RuntimeExited(st), None) => {
                self.reset_reason = Some("failure");
                let msg = format!("RequestId: {request_id} Error: Runtime exited with error: {st}");
                let err = json!({"errorType": "Runtime.ExitError", "errorMessage": msg});
                (InvocationStatus::Error, None, Some(err), 0)
            }
            (_, None) => {
                self.reset_reason = Some("timeout");
                let msg = format!(
                    "{} {request_id} Task timed out after {:.2} seconds",
                    ids::rfc3339_now(),
                    timeout.as_secs_f64()
                );
                let err = json!({"errorType": "Sandbox.Timedout", "errorMessage": msg});
                (InvocationStatus::Timeout, None, Some(err), 0)
            }
        };
        let duration = match (status, finished) {
            (InvocationStatus::Timeout, _) => timeout,
            (_, Some(t)) => t.saturating_duration_since(delivered),
            (_, None) => delivered.elapsed(),
        };
        let duration_ms = round3(duration.as_secs_f64() * 1000.0);
        let status_word = match status {
            InvocationStatus::Success => "success",
            InvocationStatus::Error if self.reset_reason.is_some() => "failure",
            InvocationStatus::Error => "error",
            InvocationStatus::Timeout => "timeout",
        };
        let mut done = json!({"requestId": request_id, "status": status_word,
            "metrics": {"durationMs": duration_ms, "producedBytes": produced}, "spans": []});
        if let Some(t) = error.as_ref().and_then(|e| e["errorType"].as_str()) {
            done["errorType"] = json!(t);
        }
        if telemetry {
            self.shared.telemetry.emit("platform.runtimeDone", done);
        }

        // The invocation ends when the runtime and every extension ask for the next event.
        if self.reset_reason.is_none() {
            match self.wait_for(deadline, false, environment_ready).await {
                Waited::Ready => {}
                Waited::RuntimeExited(st) => {
                    eprintln!("lambda-guard run: the runtime exited after invocation {n}: {st}");
                    self.reset_reason = Some("failure");
                }
                Waited::ExtensionExited(name, st) => {
                    eprintln!(
                        "lambda-guard run: extension {name} exited during invocation {n}: {st}"
                    );
                    self.reset_reason = Some("failure");
                }
                Waited::TimedOut | Waited::InitError(_) => {
                    eprintln!(
                        "lambda-guard run: invocation {n}: the runtime or an extension did not ask \
                         for the next event before the deadline"
                    );
                    self.reset_reason = Some("timeout");
                }
            }
        }
        let init_duration = self.init_duration_ms.take();
        if telemetry {
            self.emit_report(
                &request_id,
                status_word,
                duration_ms,
                init_duration,
                tracing,
            );
        }
        if self.config.freeze && self.reset_reason.is_none() {
            // Like Lambda, deliver what is buffered before freezing the subscribers.
            if telemetry {
                self.shared
                    .telemetry
                    .flush(Duration::from_millis(500))
                    .await;
            }
            self.freeze();
        }
        Ok(InvocationResult {
            invocation: n,
            request_id,
            status,
            response,
            error,
            duration_ms,
            elapsed: entered.elapsed(),
            dispatch: delivered.saturating_duration_since(sent),
        })
    }

    fn emit_report(
        &self,
        request_id: &str,
        status: &str,
        duration_ms: f64,
        init_duration: Option<f64>,
        tracing: Value,
    ) {
        let billed = (duration_ms.ceil() as u64).max(1);
        let mut metrics = json!({"durationMs": duration_ms, "billedDurationMs": billed,
            "memorySizeMB": self.shared.function.memory_mb,
            "maxMemoryUsedMB": self.runtime.as_ref().map(max_memory_mb).unwrap_or(0)});
        if let Some(init) = init_duration {
            metrics["initDurationMs"] = json!(round3(init));
        }
        self.shared.telemetry.emit(
            "platform.report",
            json!({"requestId": request_id, "status": status, "metrics": metrics,
                   "tracing": tracing}),
        );
    }

    fn processes(&self) -> impl Iterator<Item = &Process> {
        self.runtime.iter().chain(self.extensions.iter())
    }

    fn freeze(&mut self) {
        for p in self.processes() {
            p.signal(Signal::SIGSTOP);
        }
        self.frozen = true;
    }

    fn thaw(&mut self) {
        if self.frozen {
            for p in self.processes() {
                p.signal(Signal::SIGCONT);
            }
            self.frozen = false;
        }
    }

    /// Stops the runtime and the extensions: SIGTERM (then SIGKILL) to the runtime, SHUTDOWN to
    /// the extensions with `reason`, SIGKILL to whatever is left after Lambda's budget.
    async fn stop_processes(&mut self, reason: &str) {
        self.thaw();
        self.shared
            .telemetry
            .flush(Duration::from_millis(1500))
            .await;
        if let Some(rt) = self.runtime.take() {
            if reason == "spindown" {
                rt.signal(Signal::SIGTERM);
                if !rt.wait(RUNTIME_TERM_BUDGET).await {
                    eprintln!("lambda-guard run: the runtime ignored SIGTERM; killed");
                }
            }
            rt.kill().await;
        }
        let deadline_ms = ids::epoch_ms() + SHUTDOWN_BUDGET.as_millis() as u64;
        let event =
            json!({"eventType": "SHUTDOWN", "shutdownReason": reason, "deadlineMs": deadline_ms});
        let subscribed: Vec<String> = self.shared.update(|s| {
            s.shutting_down = true;
            s.pending = None;
            s.extensions
                .iter_mut()
                .filter(|e| has(&e.events, "SHUTDOWN"))
                .map(|e| {
                    e.queue.push_back(event.clone());
                    e.name.clone()
                })
                .collect()
        });
        let deadline = tokio::time::Instant::now() + SHUTDOWN_BUDGET;
        for p in std::mem::take(&mut self.extensions) {
            let name = p.label.trim_start_matches("extension ");
            if subscribed.iter().any(|n| n == name)
                && !self.wait_shutdown_done(&p, name, deadline).await
            {
                eprintln!(
                    "lambda-guard run: extension {name} did not exit within {} ms of SHUTDOWN; killed",
                    SHUTDOWN_BUDGET.as_millis()
                );
            }
            p.kill().await;
        }
        self.shared.telemetry.unsubscribe_all();
    }

    /// Waits (until `deadline`) for an extension to finish with SHUTDOWN: it exits, or it asks for
    /// the next event again after getting SHUTDOWN (the `lambda-extension` crate's loop does; there
    /// is nothing more it can receive, so it is done and gets SIGKILL at once, as Lambda would
    /// eventually).
    async fn wait_shutdown_done(
        &self,
        p: &Process,
        name: &str,
        deadline: tokio::time::Instant,
    ) -> bool {
        // Bounded by `deadline`; 2 ms steps.
        loop {
            let parked_again =
                self.shared.lock().extensions.iter().any(|e| {
                    e.name == name && e.shutdown_received && e.waiting && e.queue.is_empty()
                });
            if p.exited().is_some() || parked_again {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    async fn release(&mut self) {
        self.server.abort();
        if let Some(sb) = self.sandbox.take() {
            sb.remove().await;
        }
    }

    /// Ends the environment the way Lambda spins one down, and releases the port and `/tmp`.
    /// Returns the errors extensions reported to `/extension/exit/error`.
    pub async fn shutdown(mut self) -> Vec<String> {
        self.stop_processes("spindown").await;
        self.release().await;
        self.shared
            .lock()
            .exit_errors
            .iter()
            .map(|e| format!("{}: {}: {}", e.source, e.error_type, e.body))
            .collect()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        // Dropped without `shutdown` (an in-process caller bailed out): end the environment's
        // process groups now rather than when the async runtime goes away.
        for p in self.runtime.iter().chain(self.extensions.iter()) {
            p.signal(Signal::SIGKILL);
            p.signal(Signal::SIGCONT);
        }
        self.server.abort();
        if let Some(TmpSandbox::Dir { path }) = &self.sandbox {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

fn has(events: &[String], e: &str) -> bool {
    events.iter().any(|x| x == e)
}

fn environment_ready(s: &State) -> bool {
    s.runtime_waiting && s.extensions.iter().all(|e| e.waiting && e.queue.is_empty())
}

fn as_json(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

fn round3(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// Peak resident memory of the runtime (`VmHWM`), in MB.
fn max_memory_mb(p: &Process) -> u64 {
    p.pid()
        .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map(|kb| kb.div_ceil(1024))
        .unwrap_or(0)
}

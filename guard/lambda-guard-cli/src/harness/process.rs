//! The processes of an execution environment (the runtime and the external extensions): spawned
//! in their own process group so freezing and killing reach their children too, with their
//! output relayed to stderr (prefixed with its source) and to the Telemetry API.

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use serde_json::Value;
use std::io::Write;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;

use super::state::Shared;

/// Longest line relayed as one record; longer lines are split.
const MAX_LINE: usize = 256 * 1024;

/// A started process.
#[derive(Debug)]
pub(crate) struct Process {
    pub label: String,
    pid: i32,
    exit: Arc<OnceLock<ExitStatus>>,
}

impl Process {
    /// Starts `cmd` (already carrying program, arguments, environment and working directory).
    /// `telemetry_kind` is `function` or `extension`.
    pub fn spawn(
        mut cmd: Command,
        label: String,
        telemetry_kind: &'static str,
        shared: Arc<Shared>,
        echo: bool,
    ) -> std::io::Result<Self> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd.spawn()?;
        let pid = child.id().and_then(|p| i32::try_from(p).ok()).unwrap_or(0);
        let prefix = format!("[{label}] ");
        if let Some(out) = child.stdout.take() {
            tokio::spawn(relay(
                out,
                prefix.clone(),
                telemetry_kind,
                shared.clone(),
                echo,
            ));
        }
        if let Some(err) = child.stderr.take() {
            tokio::spawn(relay(err, prefix, telemetry_kind, shared.clone(), echo));
        }
        let exit = Arc::new(OnceLock::new());
        let exit2 = exit.clone();
        tokio::spawn(async move {
            if let Ok(status) = child.wait().await {
                let _ = exit2.set(status);
            }
            shared.notify();
        });
        Ok(Self { label, pid, exit })
    }

    /// The exit status once the process has ended.
    pub fn exited(&self) -> Option<ExitStatus> {
        self.exit.get().copied()
    }

    /// The pid while the process is alive.
    pub fn pid(&self) -> Option<i32> {
        (self.pid > 0 && self.exited().is_none()).then_some(self.pid)
    }

    /// Sends `sig` to the process group while its leader is alive.
    pub fn signal(&self, sig: Signal) {
        if self.pid > 0 && self.exited().is_none() {
            let _ = killpg(Pid::from_raw(self.pid), sig);
        }
    }

    /// Waits up to `budget` for the process to end; true when it did.
    pub async fn wait(&self, budget: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + budget;
        // Bounded: at most budget / 2 ms iterations.
        while self.exited().is_none() {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        true
    }

    /// SIGKILL to the group, then wait (bounded) for the exit to be observed.
    pub async fn kill(&self) {
        if self.exited().is_none() {
            // SIGCONT too: a stopped process group dies on SIGKILL anyway, but be explicit.
            self.signal(Signal::SIGKILL);
            self.signal(Signal::SIGCONT);
            let _ = self.wait(Duration::from_secs(2)).await;
        }
    }
}

/// Human wording of an exit status, e.g. `exit status 3` or `signal 9 (SIGKILL)`.
pub(crate) fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(s)) => match Signal::try_from(s) {
            Ok(sig) => format!("signal {s} ({sig})"),
            Err(_) => format!("signal {s}"),
        },
        _ => status.to_string(),
    }
}

async fn relay(
    out: impl AsyncRead + Unpin,
    prefix: String,
    kind: &'static str,
    shared: Arc<Shared>,
    echo: bool,
) {
    let mut reader = BufReader::new(out);
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        // `take` bounds one read; a longer line continues in the next record.
        let n = match (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let text = String::from_utf8_lossy(&line[..n]);
        let text = text.trim_end_matches(['\n', '\r']);
        if echo {
            // Runtimes write multi-line records with `\r` separators (one CloudWatch event):
            // on a terminal each part gets its own prefixed line.
            let mut err = std::io::stderr().lock();
            for part in text.split('\r') {
                let _ = writeln!(err, "{prefix}{part}");
            }
        }
        if shared.telemetry.wanted() {
            shared.telemetry.emit(kind, Value::String(text.to_owned()));
        }
    }
}

use tokio::io::AsyncReadExt as _;

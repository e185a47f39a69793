//! Shared helpers for the end-to-end tests: locating the workspace's binaries, starting real
//! emulators and functions on loopback, and invoking them. Every process started here is ended
//! (by its own id) when its handle drops, even when a test fails.

pub mod cargo_lambda;
pub mod otlp;

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    thread,
    time::{Duration, Instant},
};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// A binary of the workspace, built by `cargo build --workspace --bins` before the tests (the
/// README's test command does that: cargo cannot be re-entered from a running test).
pub fn bin(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let path = target.join("debug").join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace --bins` first",
        path.display()
    );
    path
}

/// A sample event as `lambda-guard event TRIGGER --set PATH=VALUE…` prints it (the fixtures
/// users get).
pub fn event(trigger: &str, sets: &[&str]) -> serde_json::Value {
    let mut command = Command::new(bin("lambda-guard"));
    command.args(["event", trigger, "--compact"]);
    for set in sets {
        command.args(["--set", set]);
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("lambda-guard event: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("lambda-guard event: {e}"))
}

/// The project's Python environment (`scripts/python-env.sh` creates it).
pub fn venv_bin(name: &str) -> PathBuf {
    let path = workspace_root().join(".venv/bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/python-env.sh first",
        path.display()
    );
    path
}

/// A free loopback port (released before use; the tiny race is acceptable in tests).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// Waits until something listens on `port`, for at most `limit`.
pub fn wait_for_port(port: u16, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A child process ended by id when dropped.
pub struct Process {
    child: Child,
    name: String,
}

impl Process {
    /// Starts `command` with stdout and stderr captured into a log file under the target dir.
    pub fn start(name: &str, mut command: Command) -> Process {
        let log = workspace_root()
            .join("target")
            .join(format!("it-{name}.log"));
        let file = std::fs::File::create(&log).ok();
        let (out, err) = match file.and_then(|f| f.try_clone().ok().map(|g| (f, g))) {
            Some((f, g)) => (Stdio::from(f), Stdio::from(g)),
            None => (Stdio::null(), Stdio::null()),
        };
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Process {
            child,
            name: name.to_owned(),
        }
    }

    /// Waits for the process to exit, for at most `limit`; its exit code if it did.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.code().unwrap_or(-1));
            }
            thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// What the process printed so far (stdout and stderr).
    pub fn log(&self) -> String {
        let log = workspace_root()
            .join("target")
            .join(format!("it-{}.log", self.name));
        std::fs::read_to_string(log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

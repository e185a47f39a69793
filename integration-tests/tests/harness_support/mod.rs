//! Drives the built `lambda-guard run` binary for the harness tests: builds it once, runs it
//! under a watchdog (SIGTERM, then SIGKILL: children are always reaped), and parses its output.
#![allow(dead_code, reason = "each test file uses a different subset")]
#![allow(
    clippy::unwrap_used,
    reason = "test support: a panic is a failing test"
)]

use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The Rust probe function (built by cargo for this package's tests).
pub fn probe_fn() -> String {
    env!("CARGO_BIN_EXE_probe-fn").to_owned()
}

/// `target/debug/lambda-guard`, built once per test binary (cargo builds a package's own bins
/// for its tests, not other packages').
pub fn lambda_guard() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let status = Command::new(env!("CARGO"))
                .args([
                    "build",
                    "-q",
                    "-p",
                    "lambda-guard-cli",
                    "--bin",
                    "lambda-guard",
                ])
                .current_dir(workspace())
                .status()
                .unwrap();
            assert!(status.success(), "building lambda-guard failed");
            Path::new(&probe_fn()).with_file_name("lambda-guard")
        })
        .clone()
}

/// The project's Python (`scripts/python-env.sh` creates `.venv` with `awslambdaric`).
pub fn python() -> PathBuf {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        let out = Command::new(workspace().join("scripts/python-env.sh"))
            .stderr(Stdio::inherit())
            .output()
            .unwrap();
        assert!(out.status.success(), "scripts/python-env.sh failed");
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
    .clone()
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A fresh directory under `target/tmp` (not under `/tmp`: the harness's tmpfs would hide it).
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("harness")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A layer directory holding the probe extension as `extensions/<name>`, and the directory it
/// records into (pass `PROBE_EXT_OUT` to the harness).
pub fn layer_with_extension(root: &Path, name: &str) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let layer = root.join("layer");
    let out = root.join("ext-out");
    std::fs::create_dir_all(layer.join("extensions")).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let dest = layer.join("extensions").join(name);
    std::fs::copy(fixtures().join("probe-ext.py"), &dest).unwrap();
    std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o755)).unwrap();
    (layer, out)
}

/// What the extension recorded: `{"kind": "registered"|"event"|"telemetry", "value": …}`.
pub fn extension_records(out: &Path, name: &str) -> Vec<Value> {
    std::fs::read_to_string(out.join(format!("{name}.jsonl")))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// One finished `lambda-guard run`.
#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub lines: Vec<Value>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `lambda-guard run ARGS` with `events` on stdin, killing it after `limit`.
pub fn run(args: &[&str], events: &[&str], limit: Duration) -> Run {
    let mut child = Command::new(lambda_guard())
        .arg("run")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input: String = events.iter().map(|e| format!("{e}\n")).collect();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + limit;
    let mut termed = false;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() >= deadline && !termed {
            // Graceful first, so the harness reaps the function and the extensions.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            termed = true;
        }
        if Instant::now() >= deadline + Duration::from_secs(5) {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    let stdout = out_t.join().unwrap();
    let stderr = err_t.join().unwrap();
    assert!(
        !termed,
        "lambda-guard run did not finish within {limit:?}; stderr:\n{stderr}"
    );
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    Run {
        status,
        lines,
        stdout,
        stderr,
    }
}

/// Checks the output contract's shape for one line.
pub fn assert_contract(line: &Value, n: u64) {
    let obj = line.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "duration_ms",
            "error",
            "invocation",
            "request_id",
            "response",
            "status"
        ],
        "{line}"
    );
    assert_eq!(line["invocation"], n, "{line}");
    assert_eq!(line["request_id"].as_str().unwrap().len(), 36, "{line}");
    assert!(line["duration_ms"].as_f64().unwrap() >= 0.0, "{line}");
    match line["status"].as_str().unwrap() {
        "success" => assert!(line["error"].is_null(), "{line}"),
        "error" | "timeout" => {
            assert!(line["response"].is_null(), "{line}");
            assert!(line["error"]["errorType"].is_string(), "{line}");
        }
        other => panic!("unknown status {other}"),
    }
}

pub fn epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

//! `reuse-leak-demo` under `cargo lambda watch`, in its own mount namespace with a tmpfs on
//! `/tmp`: does the second tenant see the first tenant's secret, and how many copies of that
//! secret are left in the function's memory between invocations?
//!
//! Needs root (for `unshare -m`, mounting a tmpfs and reading `/proc/<pid>/mem`) and the Python
//! environment of `scripts/python-env.sh` (for `cargo lambda watch`); skips with a message
//! otherwise. Run with `--nocapture` to see the counts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic in a test is a failing test"
)]

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    os::unix::fs::FileExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Why this test cannot run here, if it cannot.
fn unavailable() -> Option<String> {
    if std::env::var_os("LAMBDA_GUARD_SKIP_NAMESPACE_TESTS").is_some() {
        return Some("LAMBDA_GUARD_SKIP_NAMESPACE_TESTS is set".into());
    }
    let probe = Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /tmp"])
        .stderr(Stdio::null())
        .status();
    match probe {
        Ok(s) if s.success() => None,
        Ok(_) => Some("`unshare -m` + mounting a tmpfs is not allowed here (needs root)".into()),
        Err(e) => Some(format!("cannot run unshare: {e}")),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .expect("/dev/urandom");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A process this test started, killed (by its own pid) when dropped.
struct Started(Child);

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_emulator(port: u16) -> Result<Started, String> {
    let setup = Command::new("bash")
        .arg(repo_root().join("scripts/python-env.sh"))
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("scripts/python-env.sh: {e}"))?;
    if !setup.success() {
        return Err("scripts/python-env.sh failed (no PyPI access?)".into());
    }
    let child = Command::new(repo_root().join(".venv/bin/cargo-lambda"))
        .args([
            "lambda",
            "watch",
            "--only-lambda-apis",
            "-A",
            "127.0.0.1",
            "-P",
        ])
        .arg(port.to_string())
        .current_dir(repo_root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cargo lambda watch: {e}"))?;
    let started = Started(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("cargo lambda watch did not listen within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(started)
}

fn build_demo() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "-q", "-p", "reuse-leak-demo"])
        .current_dir(repo_root())
        .status()
        .expect("cargo build");
    assert!(status.success(), "building reuse-leak-demo failed");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    target.join("debug/reuse-leak-demo")
}

/// Starts the function in a private mount namespace whose `/tmp` is a fresh tmpfs. `exec` keeps
/// the pid: the child's pid is the function's.
fn start_function(binary: &Path, port: u16, env: &[(&str, &str)]) -> Started {
    let script =
        "mount --make-rprivate / && mount -t tmpfs -o size=64m,mode=1777 tmpfs /tmp && exec \"$0\"";
    let child = Command::new("unshare")
        .args(["-m", "sh", "-c", script])
        .arg(binary)
        .env("AWS_LAMBDA_FUNCTION_NAME", "reuse-leak-demo")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("http://127.0.0.1:{port}/.rt"),
        )
        .env("LAMBDA_TASK_ROOT", "/var/task")
        .env_remove("GUARD_TMP_DIR")
        .env_remove("GUARD_CONFIG")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("unshare");
    Started(child)
}

/// One POST over loopback; returns the body. The function is `_`: the emulator's name for the
/// runtime that polls `/.rt` without a function name.
fn invoke(port: u16, body: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let attempt = (|| -> std::io::Result<String> {
            let mut s = TcpStream::connect(("127.0.0.1", port))?;
            s.set_read_timeout(Some(Duration::from_secs(30)))?;
            write!(
                s,
                "POST /2015-03-31/functions/_/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )?;
            let mut raw = Vec::new();
            s.read_to_end(&mut raw)?;
            let text = String::from_utf8_lossy(&raw).into_owned();
            let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
            if !head.starts_with("HTTP/1.1 200") {
                return Err(std::io::Error::other(head.to_owned()));
            }
            Ok(
                if head
                    .to_ascii_lowercase()
                    .contains("transfer-encoding: chunked")
                {
                    dechunk(rest)
                } else {
                    rest.to_owned()
                },
            )
        })();
        match attempt {
            Ok(body) => return body,
            Err(e) if Instant::now() > deadline => panic!("invoke failed: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

/// Occurrences of `needle` in the readable, writable mappings of `pid`.
fn count_in_memory(pid: u32, needle: &[u8]) -> usize {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("maps");
    let mem = std::fs::File::open(format!("/proc/{pid}/mem")).expect("mem (needs ptrace rights)");
    let mut count = 0;
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        if !perms.starts_with("rw") {
            continue;
        }
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16))
        else {
            continue;
        };
        let mut buf = vec![0u8; (end - start) as usize];
        let mut read = 0;
        while read < buf.len() {
            match mem.read_at(&mut buf[read..], start + read as u64) {
                Ok(0) | Err(_) => break,
                Ok(n) => read += n,
            }
        }
        count += buf[..read]
            .windows(needle.len())
            .filter(|w| *w == needle)
            .count();
    }
    count
}

/// A 5 KB document with the secret in the middle.
fn event(tenant: &str, secret: &str) -> String {
    let filler = "lorem ipsum dolor sit amet ".repeat(95);
    let document = format!("{filler} {secret} {filler}");
    serde_json::json!({"tenant": tenant, "secret": secret, "document": document}).to_string()
}

struct Outcome {
    copies_after_first: usize,
    copies_after_second: usize,
    second_saw_first: bool,
    second_found: usize,
}

fn run_two_tenants(binary: &Path, port: u16, env: &[(&str, &str)]) -> Outcome {
    let function = start_function(binary, port, env);
    let pid = function.0.id();
    let secret_a = random_hex(32);
    let secret_b = random_hex(32);

    let first: serde_json::Value =
        serde_json::from_str(&invoke(port, &event("tenant-a", &secret_a))).expect("json");
    assert_eq!(first["found"], serde_json::json!([]), "a fresh environment");
    // The response is back; let the runtime post it and return to /next.
    std::thread::sleep(Duration::from_millis(500));
    let copies_after_first = count_in_memory(pid, secret_a.as_bytes());

    let second: serde_json::Value =
        serde_json::from_str(&invoke(port, &event("tenant-b", &secret_b))).expect("json");
    let found = second["found"].as_array().cloned().unwrap_or_default();
    let second_saw_first = found
        .iter()
        .any(|f| f.as_str().is_some_and(|s| s.contains(&secret_a)));
    std::thread::sleep(Duration::from_millis(500));
    let copies_after_second = count_in_memory(pid, secret_a.as_bytes());
    drop(function);
    Outcome {
        copies_after_first,
        copies_after_second,
        second_saw_first,
        second_found: found.len(),
    }
}

#[test]
fn second_tenant_sees_nothing_and_no_copy_of_the_first_secret_remains() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED hygiene_reuse_leak: {why}");
        return;
    }
    let binary = build_demo();
    let port = free_port();
    let _emulator = match start_emulator(port) {
        Ok(e) => e,
        Err(why) => {
            eprintln!("SKIPPED hygiene_reuse_leak: {why}");
            return;
        }
    };

    let off = run_two_tenants(&binary, port, &[("GUARD_HYGIENE", "off")]);
    // For the record: what the zeroizing allocator adds to the store and event wiping.
    let no_alloc = run_two_tenants(
        &binary,
        port,
        &[
            ("GUARD_HYGIENE", "enforce"),
            ("GUARD_ZEROIZE_FREED", "false"),
        ],
    );
    let on = run_two_tenants(&binary, port, &[("GUARD_HYGIENE", "enforce")]);
    for (name, o) in [
        ("GUARD_HYGIENE=off", &off),
        ("GUARD_HYGIENE=enforce GUARD_ZEROIZE_FREED=false", &no_alloc),
        ("GUARD_HYGIENE=enforce", &on),
    ] {
        eprintln!(
            "{name}: tenant B found {} leftovers (tenant A's secret among them: {}); copies of A's secret in rw memory: {} after A, {} after B",
            o.second_found, o.second_saw_first, o.copies_after_first, o.copies_after_second
        );
    }
    assert!(off.second_saw_first, "without hygiene the leak must show");
    assert!(
        off.copies_after_first > 0,
        "the scan must find the secret when it is there"
    );
    assert!(
        !on.second_saw_first && on.second_found == 0,
        "with hygiene tenant B sees nothing"
    );
    assert!(
        !no_alloc.second_saw_first,
        "files and store are wiped without the allocator too"
    );
    assert_eq!(
        on.copies_after_first, 0,
        "copies of A's secret left in memory after A"
    );
    assert_eq!(
        on.copies_after_second, 0,
        "copies of A's secret left in memory after B"
    );
}

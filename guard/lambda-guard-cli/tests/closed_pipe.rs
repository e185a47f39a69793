//! A reader that leaves early (`lambda-guard scan … | head`) ends the command with success:
//! no panic, no error message, exit 0.
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: a test

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn command(args: &[&str]) -> Command {
    // A private scratch directory for the guard's hygiene, never the machine's /tmp.
    let scratch = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("reader-left");
    std::fs::create_dir_all(&scratch).unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_lambda-guard"));
    c.args(args)
        .env("GUARD_TMP_DIR", scratch)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

#[test]
fn scan_stops_quietly_when_the_reader_leaves() {
    let mut child = command(&["scan"]).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // More verdicts than a pipe buffers (~60 bytes each, 64 KiB buffered): writes must fail.
    let feeder = std::thread::spawn(move || {
        let line = r#"{"Records":[{"messageId":"m","eventSource":"aws:sqs","body":"x"}]}"#;
        for _ in 0..5_000 {
            if writeln!(stdin, "{line}").is_err() {
                break;
            }
        }
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("\"verdict\""), "{first}");
    // The reader is dropped here, with thousands of verdicts still to come.
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(
        !stderr.contains("Broken pipe") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn event_exits_zero_when_the_reader_is_gone() {
    let mut child = command(&["event", "sqs"]).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

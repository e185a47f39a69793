//! The request fixtures `aws_lambda_events` ships in its source: samples AWS documents for each
//! service, shared by `tests/aws_events.rs` and `tests/view_streaming.rs`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // reason: test support

use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    sync::OnceLock,
};

/// The fixtures directory of the `aws_lambda_events` source cargo built against.
pub fn fixtures_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(locate_fixtures)
}

fn locate_fixtures() -> PathBuf {
    // Only the host's packages: offline, the whole graph would need every platform's crates
    // downloaded (`android_system_properties`), which a build for this host never fetches.
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("rustc -vV");
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    let host = version
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host");
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", host])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "aws_lambda_events")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("aws_lambda_events in the dependency graph");
    PathBuf::from(manifest)
        .parent()
        .unwrap()
        .join("src/fixtures")
}

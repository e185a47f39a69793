//! Wipe benchmarks, in a private directory (mode 0700, unique name) under Cargo's target
//! temporary directory, never the machine's `/tmp`:
//!
//! - an unchanged directory (the cost every invocation pays; goal: under 50 µs),
//! - 1,000 and 100,000 files created since the baseline (only the wipe is timed).
//!
//! `cargo bench -p lambda-guard --bench hygiene`. To measure on a tmpfs, as Lambda's `/tmp` is a
//! file system of its own (as root):
//! `unshare -m sh -c 'mount -t tmpfs -o size=1g tmpfs target/tmp && cargo bench -p lambda-guard --bench hygiene'`

#![allow(missing_docs, reason = "benchmark harness")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]

use criterion::{criterion_group, BatchSize, Criterion};
use lambda_guard::hygiene::tmp::{ChangedPolicy, TmpDir};
use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    time::Instant,
};

struct Private(PathBuf);

impl Private {
    fn new(tag: &str) -> Private {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
        fs::create_dir_all(base).unwrap();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path = base.join(format!(
            "hygiene-bench-{}-{nanos}-{tag}",
            std::process::id()
        ));
        fs::create_dir(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).unwrap();
        Private(path)
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A small Lambda-like `/tmp` at init: the OTel account-id file and a couple of extension files.
fn lambda_like_baseline(dir: &Path) {
    fs::write(dir.join(".otel-aws-account-id"), b"123456789012").unwrap();
    fs::create_dir(dir.join("extension")).unwrap();
    fs::write(dir.join("extension/state.json"), b"{}").unwrap();
    fs::write(dir.join("warm-cache.bin"), vec![0u8; 4096]).unwrap();
}

fn create_files(dir: &Path, n: usize) {
    for i in 0..n {
        fs::write(dir.join(format!("f{i}")), b"x").unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let keep = vec![".otel-aws-account-id".to_owned()];

    let unchanged = Private::new("unchanged");
    lambda_like_baseline(&unchanged.0);
    let tmp = TmpDir::open(&unchanged.0, &keep, ChangedPolicy::Remove).unwrap();
    c.bench_function("wipe/unchanged (4 baseline entries)", |b| {
        b.iter(|| {
            let r = tmp.wipe(false);
            assert_eq!(r.removed(), 0);
        })
    });

    let thousand = Private::new("1000");
    lambda_like_baseline(&thousand.0);
    let tmp = TmpDir::open(&thousand.0, &keep, ChangedPolicy::Remove).unwrap();
    c.bench_function("wipe/1,000 new files", |b| {
        b.iter_batched(
            || create_files(&thousand.0, 1_000),
            |()| assert_eq!(tmp.wipe(false).files, 1_000),
            BatchSize::PerIteration,
        )
    });
}

/// 100,000 files take seconds to create and to remove, too slow for criterion's ten-sample
/// minimum: timed by hand, three runs, only the wipe measured.
fn hundred_thousand() {
    let keep = vec![".otel-aws-account-id".to_owned()];
    let many = Private::new("100000");
    lambda_like_baseline(&many.0);
    let tmp = TmpDir::open(&many.0, &keep, ChangedPolicy::Remove).unwrap();
    let mut runs = Vec::new();
    for _ in 0..3 {
        create_files(&many.0, 100_000);
        let start = Instant::now();
        let report = tmp.wipe(false);
        runs.push(start.elapsed());
        assert_eq!(report.files, 100_000);
    }
    runs.sort();
    println!(
        "wipe/100,000 new files: min {:.1} ms, median {:.1} ms, max {:.1} ms (3 runs)",
        runs[0].as_secs_f64() * 1e3,
        runs[1].as_secs_f64() * 1e3,
        runs[2].as_secs_f64() * 1e3
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    if std::env::args().all(|a| a != "--list") {
        hundred_thousand();
    }
    Criterion::default().configure_from_args().final_summary();
}

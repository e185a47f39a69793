//! Hygiene of process-wide state — child processes, open descriptors, environment variables —
//! in a test binary of its own: inside the library's unit-test binary, other tests open files and
//! spawn children on other threads at the same time, which would make these counts race. Here
//! the tests hold one lock, so nothing else in the process changes what they count.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use lambda_guard::{
    config::Config,
    hygiene::{process, Hygiene},
};
use std::{
    collections::BTreeSet,
    os::fd::AsRawFd,
    path::PathBuf,
    sync::{Mutex, MutexGuard},
};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn no_env(_: &str) -> Option<String> {
    None
}

/// A private directory (mode 0700, unique name) the guard manages, removed on drop.
struct Private(PathBuf);

impl Private {
    fn new(tag: &str) -> Private {
        use std::os::unix::fs::DirBuilderExt;
        let path = std::env::temp_dir().join(format!(
            "lambda-guard-process-test-{}-{tag}",
            std::process::id()
        ));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .unwrap();
        Private(path)
    }

    fn hygiene(&self) -> Hygiene {
        let config = Config::from_toml(&format!(
            "[hygiene]\nmode = \"enforce\"\ntmp_dir = \"{}\"\n",
            self.0.display()
        ))
        .unwrap();
        Hygiene::with_env(&config, &no_env, "").unwrap()
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
#[allow(
    clippy::zombie_processes,
    reason = "the child is left on purpose: hygiene ends and reaps it"
)]
fn finds_and_ends_a_child() {
    let _serial = serial();
    let child = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let pid = i32::try_from(child.id()).unwrap();
    assert!(process::children().contains(&pid));
    assert_eq!(process::end_children(&BTreeSet::from([pid])), 1);
    assert!(!process::children().contains(&pid));
}

#[test]
#[allow(
    clippy::zombie_processes,
    reason = "the child is left on purpose: hygiene ends and reaps it"
)]
fn environment_children_and_descriptors_left_by_an_invocation() {
    let _serial = serial();
    let d = Private::new("left");
    let h = d.hygiene();
    let inv = h.before_invocation(None);
    std::env::set_var("LAMBDA_GUARD_TEST_LEFT_BY_INVOCATION", "tenant-a");
    let child = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let file = std::fs::File::open("/proc/self/status").unwrap();
    let r = h.after_invocation(inv);
    assert!(std::env::var_os("LAMBDA_GUARD_TEST_LEFT_BY_INVOCATION").is_none());
    assert_eq!(r.env_restored, 1, "{r:?}");
    assert_eq!(r.children_ended, 1, "{r:?}");
    assert_eq!(r.fds_left_open, 1, "{r:?}");
    assert!(!process::children().contains(&(child.id() as i32)));
    assert!(process::open_fds().contains(&file.as_raw_fd()));
}

#[test]
fn a_clean_invocation_reports_nothing_and_the_wipe_keeps_no_descriptor() {
    let _serial = serial();
    let d = Private::new("clean");
    let h = d.hygiene();
    let fds = process::open_fds();
    let inv = h.before_invocation(None);
    let mut dir = d.0.clone();
    for _ in 0..50 {
        dir.push("nested");
        std::fs::create_dir(&dir).unwrap();
    }
    std::fs::write(dir.join("leaf"), b"secret").unwrap();
    let r = h.after_invocation(inv);
    assert_eq!(
        r.tmp.as_ref().map(|w| (w.dirs, w.files)),
        Some((50, 1)),
        "{r:?}"
    );
    assert_eq!(
        (r.env_restored, r.children_ended, r.fds_left_open),
        (0, 0, 0),
        "{r:?}"
    );
    assert_eq!(process::open_fds(), fds);
}

//! Process state an invocation can leave behind: environment variables, child processes and
//! open file descriptors.
//!
//! ```
//! use lambda_guard::hygiene::process::EnvSnapshot;
//! let before = EnvSnapshot::take();
//! let changes = before.diff_and_restore(false);
//! assert_eq!(changes, 0);
//! ```
//!
//! Restoring the environment calls `std::env::set_var`/`remove_var`, which is only sound while no
//! other thread reads the environment through libc; the guard does it between invocations, and
//! never while several invocations run at once.

use rustix::process::{Pid, Signal, WaitOptions};
use std::{
    collections::BTreeMap, collections::BTreeSet, ffi::OsString, os::unix::ffi::OsStringExt,
};
use zeroize::Zeroizing;

/// The process environment at a point in time (values wiped when dropped: they include the
/// function's credentials).
pub struct EnvSnapshot {
    vars: BTreeMap<Vec<u8>, Zeroizing<Vec<u8>>>,
}

impl std::fmt::Debug for EnvSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EnvSnapshot({} variables)", self.vars.len())
    }
}

/// Variables the runtime itself sets for every invocation (`lambda_runtime` writes the X-Ray
/// trace id before calling the handler): not residue, and restoring them would be wrong.
const RUNTIME_MANAGED: &[&[u8]] = &[b"_X_AMZN_TRACE_ID"];

fn managed_by_runtime(key: &[u8]) -> bool {
    RUNTIME_MANAGED.contains(&key)
}

impl EnvSnapshot {
    /// The current environment.
    pub fn take() -> EnvSnapshot {
        EnvSnapshot {
            vars: std::env::vars_os()
                .map(|(k, v)| (k.into_vec(), Zeroizing::new(v.into_vec())))
                .filter(|(k, _)| !managed_by_runtime(k))
                .collect(),
        }
    }

    /// Counts the variables set, changed or removed since the snapshot and, unless `dry_run`,
    /// puts them back as they were.
    pub fn diff_and_restore(&self, dry_run: bool) -> u64 {
        let mut changes = 0;
        let mut seen = BTreeSet::new();
        for (key, value) in std::env::vars_os() {
            let key = key.into_vec();
            if managed_by_runtime(&key) {
                continue;
            }
            let value = Zeroizing::new(value.into_vec());
            match self.vars.get(&key) {
                Some(old) if *old == value => {}
                Some(old) => {
                    changes += 1;
                    if !dry_run {
                        std::env::set_var(os(&key), os(old));
                    }
                }
                None => {
                    changes += 1;
                    if !dry_run {
                        std::env::remove_var(os(&key));
                    }
                }
            }
            seen.insert(key);
        }
        for (key, value) in &self.vars {
            if !seen.contains(key) {
                changes += 1;
                if !dry_run {
                    std::env::set_var(os(key), os(value));
                }
            }
        }
        changes
    }
}

fn os(bytes: &[u8]) -> OsString {
    OsString::from_vec(bytes.to_vec())
}

/// Children of this process (of every thread), from `/proc/self/task/*/children`.
pub fn children() -> BTreeSet<i32> {
    let mut pids = BTreeSet::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return pids;
    };
    for task in tasks.flatten() {
        if let Ok(list) = std::fs::read_to_string(task.path().join("children")) {
            pids.extend(
                list.split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok()),
            );
        }
    }
    pids
}

/// Ends the given children with `SIGKILL` and reaps them; returns how many were ended.
pub fn end_children(pids: &BTreeSet<i32>) -> u64 {
    let mut ended = 0;
    for &raw in pids {
        let Some(pid) = Pid::from_raw(raw) else {
            continue;
        };
        if rustix::process::kill_process(pid, Signal::KILL).is_ok() {
            ended += 1;
            let _ = rustix::process::waitpid(Some(pid), WaitOptions::empty());
        }
    }
    ended
}

/// Becomes the reaper of orphaned descendants, so grandchildren an invocation left behind are
/// found among this process's children.
pub fn become_subreaper() -> bool {
    rustix::process::set_child_subreaper(Some(rustix::process::getpid())).is_ok()
}

/// Open file descriptors of this process.
pub fn open_fds() -> BTreeSet<i32> {
    std::fs::read_dir("/proc/self/fd")
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
                .collect()
        })
        .unwrap_or_default()
}

//! Execution-environment hygiene: a reused Lambda environment carries nothing from one
//! invocation to the next.
//!
//! Built once at init from `[hygiene]` ([`Hygiene::new`]); the Tower layer calls
//! [`Hygiene::before_invocation`] before the guard decides and [`Hygiene::after_invocation`] once
//! the handler's future completed, also when the event was denied or the handler failed. After
//! each invocation:
//!
//! - **`/tmp`** ([`tmp`]): everything created or changed since the baseline taken at init is
//!   removed, descriptor-relative and symlink-safe; baseline files and `hygiene.keep` entries
//!   (always `.otel-aws-account-id`) survive. The guard manages `/tmp` only inside Lambda (see
//!   [`lambda_owns_tmp`]) or a directory named by `GUARD_TMP_DIR`; otherwise it says so at init
//!   and wipes nothing.
//! - **Scratch**: a private directory (mode 0700) per invocation, [`scratch_dir`], removed at the
//!   end.
//! - **Memory** ([`sensitive`]): the invocation [`store`] is zeroized; the guard's own copy of
//!   the event is zeroized; [`ZeroizingAlloc`] optionally wipes every freed block.
//! - **Process** ([`process`]): environment variables restored, child processes ended, file
//!   descriptors left open reported.
//!
//! Modes: `enforce` cleans, `monitor` only reports what it would clean (but cleans anyway, before
//! the event is handed over, when the tenant changed), `off` does nothing. When invocations run
//! concurrently (`AWS_LAMBDA_MAX_CONCURRENCY` > 1, or an overlap is observed), the global wipe,
//! environment restore and child ending are skipped: only the invocation's own scratch directory
//! and store entries are removed.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use lambda_guard::{config::Config, hygiene::Hygiene};
//! let dir = std::env::temp_dir().join(format!("guard-hygiene-doc-{}", std::process::id()));
//! std::fs::create_dir(&dir)?;
//! let config = Config::from_toml(&format!("[hygiene]\ntmp_dir = \"{}\"\n", dir.display()))?;
//! let hygiene = Hygiene::new(&config)?;
//! let invocation = hygiene.before_invocation(None);
//! std::fs::write(dir.join("leak"), b"tenant A's secret")?;
//! let report = hygiene.after_invocation(invocation);
//! assert_eq!(report.tmp.unwrap().files, 1);
//! # drop(hygiene); std::fs::remove_dir_all(&dir)?;
//! # Ok(()) }
//! ```

pub mod process;
pub mod sensitive;
pub mod tmp;

pub use lambda_guard_zeroizing_alloc::ZeroizingAlloc;
pub use sensitive::{store, zeroize_value, Sensitive};

use crate::config::{Config, ConfigError, Env, Mode, ProcessEnv};
use rustix::{
    fd::{AsFd, OwnedFd},
    fs::{self as rfs, Mode as FileMode, OFlags},
};
use std::{
    collections::BTreeSet,
    ffi::CString,
    future::Future,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Instant,
};
use tmp::{TmpDir, WipeReport};

/// Kept by every wipe: `opentelemetry-aws`'s Lambda detector reads it.
pub const ALWAYS_KEEP: &[&str] = &[".otel-aws-account-id"];

tokio::task_local! {
    static CURRENT: Current;
}

#[derive(Debug, Clone)]
struct Current {
    id: u64,
    scratch: Option<PathBuf>,
}

/// The current invocation's number (0 outside a guarded invocation).
pub fn current_invocation() -> u64 {
    CURRENT.try_with(|c| c.id).unwrap_or(0)
}

/// The current invocation's private scratch directory (mode 0700, removed when the invocation
/// ends). `None` outside a guarded invocation or when `hygiene.scratch` is off.
pub fn scratch_dir() -> Option<PathBuf> {
    CURRENT.try_with(|c| c.scratch.clone()).ok().flatten()
}

/// Whether this looks like a Lambda execution environment whose `/tmp` belongs to the function:
/// `AWS_LAMBDA_FUNCTION_NAME` and `AWS_LAMBDA_RUNTIME_API` set, `LAMBDA_TASK_ROOT` under
/// `/var/task`, and `/tmp` a mount of its own. All must hold: an emulator on a laptop sets the
/// first two, and many laptops mount `/tmp` as a tmpfs. `Err` says which test failed.
pub fn lambda_owns_tmp(env: &impl Env, mountinfo: &str) -> Result<(), String> {
    for var in ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_RUNTIME_API"] {
        if env.var(var).is_none() {
            return Err(format!("{var} is not set"));
        }
    }
    if !env
        .var("LAMBDA_TASK_ROOT")
        .is_some_and(|r| r == "/var/task" || r.starts_with("/var/task/"))
    {
        return Err("LAMBDA_TASK_ROOT is not under /var/task".to_owned());
    }
    let tmp_is_mount = mountinfo
        .lines()
        .any(|line| line.split_whitespace().nth(4) == Some("/tmp"));
    if !tmp_is_mount {
        return Err("/tmp is not a mount of its own".to_owned());
    }
    Ok(())
}

/// What hygiene did after one invocation. Counts only, never names or contents.
#[derive(Debug, Clone, Default)]
pub struct HygieneReport {
    /// The invocation's number.
    pub invocation: u64,
    /// Nothing was removed: `monitor` mode reports what `enforce` would do.
    pub dry_run: bool,
    /// Other invocations ran at the same time: only invocation-scoped state was cleaned.
    pub concurrent: bool,
    /// The tenant differs from the previous invocation's (hygiene enforced before this one).
    pub tenant_changed: bool,
    /// The managed directory's wipe (`None` when no directory is managed or concurrent).
    pub tmp: Option<WipeReport>,
    /// The wipe enforced before the invocation because the tenant changed.
    pub tenant_wipe: Option<WipeReport>,
    /// The scratch directory's removal.
    pub scratch: Option<WipeReport>,
    /// Store entries zeroized (or, dry run, left).
    pub store_entries: usize,
    /// Environment variables restored (or, dry run, found changed).
    pub env_restored: u64,
    /// Child processes ended (or, dry run, found).
    pub children_ended: u64,
    /// File descriptors opened during the invocation and still open (reported, not closed).
    pub fds_left_open: usize,
    /// Time spent, in microseconds.
    pub elapsed_us: u64,
}

impl HygieneReport {
    /// Whether the invocation left anything behind.
    pub fn found_anything(&self) -> bool {
        self.tmp
            .as_ref()
            .is_some_and(|t| t.removed() + t.changed > 0)
            || self.scratch.as_ref().is_some_and(|t| t.removed() > 1)
            || self.store_entries > 0
            || self.env_restored > 0
            || self.children_ended > 0
            || self.fds_left_open > 0
    }

    /// One structured log event (`info` when something was found, `debug` otherwise).
    pub fn log(&self, request_id: &str) {
        let tmp = self.tmp.clone().unwrap_or_default();
        macro_rules! event {
            ($level:ident) => {
                tracing::$level!(
                    target: "lambda_guard::hygiene",
                    request_id,
                    dry_run = self.dry_run,
                    concurrent = self.concurrent,
                    tenant_changed = self.tenant_changed,
                    tmp_removed = tmp.removed(),
                    tmp_bytes = tmp.bytes,
                    tmp_changed = tmp.changed,
                    tmp_errors = tmp.errors,
                    store_entries = self.store_entries,
                    env_restored = self.env_restored,
                    children_ended = self.children_ended,
                    fds_left_open = self.fds_left_open,
                    elapsed_us = self.elapsed_us,
                    "hygiene"
                )
            };
        }
        if self.found_anything() || tmp.errors > 0 {
            event!(info)
        } else {
            event!(debug)
        }
    }
}

/// One invocation's hygiene state, from [`Hygiene::before_invocation`] to
/// [`Hygiene::after_invocation`].
#[derive(Debug)]
pub struct InvocationHygiene {
    id: u64,
    /// Other invocations were running when this one started.
    pub concurrent: bool,
    tenant_changed: bool,
    tenant_wipe: Option<WipeReport>,
    scratch: Option<(CString, PathBuf)>,
    fds: Option<BTreeSet<i32>>,
    /// The guard's in-flight counter; decremented exactly once (by `after_invocation`, or on
    /// drop when the handler panicked and the runtime caught it).
    in_flight: Option<Arc<AtomicUsize>>,
}

impl Drop for InvocationHygiene {
    fn drop(&mut self) {
        if let Some(counter) = self.in_flight.take() {
            counter.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl InvocationHygiene {
    /// The scratch directory, if one was made.
    pub fn scratch_dir(&self) -> Option<&Path> {
        self.scratch.as_ref().map(|(_, p)| p.as_path())
    }

    /// Runs `fut` with this invocation's scope ([`scratch_dir`], [`store`] ownership).
    pub fn scope<F: Future>(&self, fut: F) -> impl Future<Output = F::Output> {
        CURRENT.scope(
            Current {
                id: self.id,
                scratch: self.scratch.as_ref().map(|(_, p)| p.clone()),
            },
            fut,
        )
    }
}

#[derive(Debug, Default)]
struct ProcessBaseline {
    env: Option<process::EnvSnapshot>,
    children: Option<BTreeSet<i32>>,
}

/// Execution-environment hygiene, built once at init.
#[derive(Debug)]
pub struct Hygiene {
    mode: Mode,
    tmp: Option<TmpDir>,
    notice: String,
    scratch_parent: Option<(OwnedFd, PathBuf)>,
    processes: bool,
    concurrency: usize,
    in_flight: Arc<AtomicUsize>,
    next_id: AtomicU64,
    nonce: AtomicU64,
    last_tenant: Mutex<Option<Option<String>>>,
    baseline: Mutex<ProcessBaseline>,
}

impl Hygiene {
    /// Builds hygiene from the configuration and the process environment.
    pub fn new(config: &Config) -> Result<Hygiene, ConfigError> {
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        Hygiene::with_env(config, &ProcessEnv, &mountinfo)
    }

    /// Builds hygiene from the configuration, `env` and the text of `/proc/self/mountinfo`.
    pub fn with_env(
        config: &Config,
        env: &impl Env,
        mountinfo: &str,
    ) -> Result<Hygiene, ConfigError> {
        let mode = config.hygiene_mode();
        let h = &config.hygiene;
        ZeroizingAlloc::set_enabled(mode != Mode::Off && h.zeroize_freed.unwrap_or(true));
        let concurrency = env
            .var("AWS_LAMBDA_MAX_CONCURRENCY")
            .and_then(|c| c.trim().parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        let (dir, mut notice) = match (&h.tmp_dir, lambda_owns_tmp(env, mountinfo)) {
            (Some(dir), _) => (Some(dir.clone()), format!("managing {} (GUARD_TMP_DIR)", dir.display())),
            (None, Ok(())) => (Some(PathBuf::from("/tmp")), "managing /tmp (Lambda execution environment)".to_owned()),
            (None, Err(why)) => (None, format!("not wiping /tmp: {why} and GUARD_TMP_DIR is unset (this looks like a shared machine)")),
        };
        let mut tmp = None;
        if mode != Mode::Off {
            if let Some(dir) = dir {
                let mut keep: Vec<String> = ALWAYS_KEEP.iter().map(|s| (*s).to_owned()).collect();
                keep.extend(h.keep.iter().cloned());
                let opened =
                    TmpDir::open(&dir, &keep, h.changed.unwrap_or_default()).map_err(|e| {
                        ConfigError::invalid(
                            "hygiene.tmp_dir (GUARD_TMP_DIR)",
                            format!("cannot open {}: {e}", dir.display()),
                        )
                    })?;
                notice.push_str(&format!(", baseline of {} entries", opened.baseline_len()));
                tmp = Some(opened);
            }
            if concurrency > 1 {
                notice.push_str(&format!("; AWS_LAMBDA_MAX_CONCURRENCY={concurrency}: invocations share this environment, so no global wipe: per-invocation scratch directories and store entries only"));
            }
        } else {
            notice = "hygiene is off".to_owned();
        }
        let scratch_parent = if mode != Mode::Off && h.scratch.unwrap_or(true) {
            match &tmp {
                Some(t) => rustix::io::dup(t.fd())
                    .ok()
                    .map(|fd| (fd, t.path().to_path_buf())),
                None => {
                    let parent = std::env::temp_dir();
                    open_dir(&parent).ok().map(|fd| (fd, parent))
                }
            }
        } else {
            None
        };
        let processes = mode != Mode::Off && h.processes.unwrap_or(true);
        if processes && !process::become_subreaper() {
            notice.push_str(
                "; cannot become a child subreaper: orphaned grandchildren are not tracked",
            );
        }
        Ok(Hygiene {
            mode,
            tmp,
            notice,
            scratch_parent,
            processes,
            concurrency,
            in_flight: Arc::new(AtomicUsize::new(0)),
            next_id: AtomicU64::new(0),
            nonce: AtomicU64::new(fresh_nonce()),
            last_tenant: Mutex::new(None),
            baseline: Mutex::new(ProcessBaseline::default()),
        })
    }

    /// The mode in force.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// What hygiene manages, in one sentence (logged at init).
    pub fn notice(&self) -> &str {
        &self.notice
    }

    /// The managed directory, when there is one.
    pub fn tmp(&self) -> Option<&TmpDir> {
        self.tmp.as_ref()
    }

    /// Called before the event is evaluated and handed over. `tenant` is the invocation's tenant
    /// (`Lambda-Runtime-Aws-Tenant-Id`); when it differs from the previous invocation's, the
    /// environment is cleaned now, even in monitor mode.
    pub fn before_invocation(&self, tenant: Option<&str>) -> InvocationHygiene {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let running = self.in_flight.fetch_add(1, Ordering::AcqRel) + 1;
        let concurrent = self.concurrency > 1 || running > 1;
        let mut inv = InvocationHygiene {
            id,
            concurrent,
            tenant_changed: false,
            tenant_wipe: None,
            scratch: None,
            fds: None,
            in_flight: Some(self.in_flight.clone()),
        };
        if self.mode == Mode::Off {
            return inv;
        }
        {
            let mut last = self.last_tenant.lock().unwrap_or_else(|p| p.into_inner());
            let now = tenant.map(str::to_owned);
            inv.tenant_changed = last.as_ref().is_some_and(|prev| *prev != now);
            *last = Some(now);
        }
        if inv.tenant_changed && self.mode == Mode::Monitor && !concurrent {
            // The previous tenant's leftovers were only reported: remove them before this
            // tenant's event is handed over.
            inv.tenant_wipe = self.tmp.as_ref().map(|t| t.wipe(false));
            store::clear_invocations();
        }
        if !concurrent && self.processes {
            let mut b = self.baseline.lock().unwrap_or_else(|p| p.into_inner());
            b.env.get_or_insert_with(process::EnvSnapshot::take);
            b.children.get_or_insert_with(process::children);
            inv.fds = Some(process::open_fds());
        }
        if let Some((parent, path)) = &self.scratch_parent {
            let name = format!(
                ".lambda-guard-scratch-{}-{:x}-{id}",
                std::process::id(),
                self.nonce.load(Ordering::Relaxed)
            );
            if let Ok(cname) = CString::new(name.clone()) {
                if rfs::mkdirat(parent, cname.as_c_str(), FileMode::from_raw_mode(0o700)).is_ok() {
                    inv.scratch = Some((cname, path.join(name)));
                }
            }
        }
        inv
    }

    /// Called once the invocation's future completed (response, error or denial), before the
    /// next event is handed over.
    pub fn after_invocation(&self, mut inv: InvocationHygiene) -> HygieneReport {
        let started = Instant::now();
        inv.in_flight = None;
        let running = self.in_flight.fetch_sub(1, Ordering::AcqRel);
        // Alone now: nothing a neighbour owns can be destroyed, whatever overlapped before.
        let concurrent = self.concurrency > 1 || running > 1;
        let mut report = HygieneReport {
            invocation: inv.id,
            concurrent,
            tenant_changed: inv.tenant_changed,
            tenant_wipe: inv.tenant_wipe.take(),
            ..HygieneReport::default()
        };
        if self.mode == Mode::Off {
            return report;
        }
        let dry_run = self.mode == Mode::Monitor;
        report.dry_run = dry_run;
        if let (Some((parent, _)), Some((name, _))) = (&self.scratch_parent, &inv.scratch) {
            report.scratch = Some(tmp::remove_child(parent.as_fd(), name));
        }
        report.store_entries = match (dry_run, concurrent) {
            (true, _) => store::len(),
            (false, true) => store::clear_invocation(inv.id),
            (false, false) => store::clear_invocations(),
        };
        if !concurrent {
            report.tmp = self.tmp.as_ref().map(|t| t.wipe(dry_run));
            if self.processes {
                let b = self.baseline.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(env) = &b.env {
                    report.env_restored = env.diff_and_restore(dry_run);
                }
                if let Some(before) = &b.children {
                    let left: BTreeSet<i32> =
                        process::children().difference(before).copied().collect();
                    report.children_ended = if dry_run {
                        left.len() as u64
                    } else {
                        process::end_children(&left)
                    };
                }
                if let Some(before) = &inv.fds {
                    report.fds_left_open = process::open_fds().difference(before).count();
                }
            }
        }
        report.elapsed_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        report
    }

    /// For a SnapStart after-restore hook: the snapshot's state is shared by every restored
    /// environment, so the directory is wiped back to its baseline, invocation store entries are
    /// zeroized and the scratch-name nonce is re-seeded from the kernel.
    pub fn after_restore(&self) -> Option<WipeReport> {
        if self.mode == Mode::Off {
            return None;
        }
        self.nonce.store(fresh_nonce(), Ordering::Relaxed);
        store::clear_invocations();
        self.tmp.as_ref().map(|t| t.wipe(false))
    }
}

fn open_dir(path: &Path) -> std::io::Result<OwnedFd> {
    Ok(rfs::openat(
        rfs::CWD,
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        FileMode::empty(),
    )?)
}

/// Eight bytes from the kernel's random source (the pid and time if that fails).
fn fresh_nonce() -> u64 {
    use std::io::Read;
    let mut bytes = [0u8; 8];
    match std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            t ^ u64::from(std::process::id())
        }
    }
}

#[cfg(test)]
mod tests;

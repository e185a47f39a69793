//! Wipe edge cases, each in a private directory (mode 0700, unique name), never the machine's
//! `/tmp` itself.

use super::tmp::{ChangedPolicy, TmpDir};
use super::*;
use std::{
    ffi::OsStr,
    fs,
    os::unix::{ffi::OsStrExt, fs::PermissionsExt},
    sync::Mutex as StdMutex,
};

/// Hygiene-level tests touch process-global state (the store, the environment): one at a time.
static SERIAL: StdMutex<()> = StdMutex::new(());

/// A private directory removed on drop.
struct Private(PathBuf);

impl Private {
    fn new(tag: &str) -> Private {
        static N: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "lambda-guard-test-{}-{}-{tag}-{}",
            std::process::id(),
            fresh_nonce(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).unwrap();
        Private(path)
    }
    fn p(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        if let Ok(parent) = open_dir(self.0.parent().unwrap()) {
            let name = CString::new(self.0.file_name().unwrap().as_bytes()).unwrap();
            tmp::remove_child(parent.as_fd(), &name);
        }
    }
}

fn managed(dir: &Private, keep: &[&str], changed: ChangedPolicy) -> TmpDir {
    let keep: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
    TmpDir::open(&dir.0, &keep, changed).unwrap()
}

#[test]
fn new_files_go_baseline_and_allowlist_stay() {
    let d = Private::new("basic");
    fs::write(d.p("baseline"), b"init").unwrap();
    fs::create_dir(d.p("ext")).unwrap();
    fs::write(d.p("ext/state"), b"extension").unwrap();
    let t = managed(
        &d,
        &[".otel-aws-account-id", "allowed"],
        ChangedPolicy::Remove,
    );
    fs::write(d.p("new"), b"12345").unwrap();
    fs::write(d.p("ext/new"), b"xy").unwrap();
    fs::write(d.p(".otel-aws-account-id"), b"123456789012").unwrap();
    fs::create_dir_all(d.p("allowed/sub")).unwrap();
    fs::create_dir_all(d.p("a/b/c")).unwrap();
    fs::write(d.p("a/b/c/f"), b"1").unwrap();
    let r = t.wipe(false);
    assert_eq!((r.files, r.dirs, r.bytes, r.errors), (3, 3, 8, 0), "{r:?}");
    assert!(d.p("baseline").exists() && d.p("ext/state").exists());
    assert!(d.p(".otel-aws-account-id").exists() && d.p("allowed/sub").exists());
    assert!(!d.p("new").exists() && !d.p("ext/new").exists() && !d.p("a").exists());
    // Unchanged: nothing to do.
    assert_eq!(t.wipe(false).removed(), 0);
}

#[test]
fn changed_baseline_files_are_removed_or_kept_per_policy() {
    let d = Private::new("changed");
    fs::write(d.p("cache"), b"init").unwrap();
    let t = managed(&d, &[], ChangedPolicy::Remove);
    fs::write(d.p("cache"), b"tenant A's secret").unwrap();
    let r = t.wipe(false);
    assert_eq!((r.changed, r.files), (1, 1));
    assert!(!d.p("cache").exists());

    fs::write(d.p("cache"), b"init").unwrap();
    let t = managed(&d, &[], ChangedPolicy::Keep);
    fs::write(d.p("cache"), b"changed").unwrap();
    let r = t.wipe(false);
    assert_eq!((r.changed, r.files), (1, 0));
    assert!(d.p("cache").exists());
    // Reported once: the new state is the baseline now.
    assert_eq!(t.wipe(false).changed, 0);
}

#[test]
fn replaced_baseline_entry_is_removed() {
    let d = Private::new("replaced");
    fs::write(d.p("f"), b"init").unwrap();
    let t = managed(&d, &[], ChangedPolicy::Keep);
    fs::remove_file(d.p("f")).unwrap();
    fs::create_dir(d.p("f")).unwrap();
    fs::write(d.p("f/inner"), b"x").unwrap();
    let r = t.wipe(false);
    assert_eq!((r.files, r.dirs), (1, 1), "{r:?}");
    assert!(!d.p("f").exists());
}

#[test]
fn symlinks_are_removed_never_followed() {
    let outside = Private::new("outside");
    fs::write(outside.p("precious"), b"must survive").unwrap();
    fs::create_dir(outside.p("dir")).unwrap();
    fs::write(outside.p("dir/also"), b"must survive").unwrap();
    let d = Private::new("links");
    fs::create_dir(d.p("sub")).unwrap();
    let t = managed(&d, &[], ChangedPolicy::Remove);
    std::os::unix::fs::symlink(&outside.0, d.p("to-outside")).unwrap();
    std::os::unix::fs::symlink(outside.p("precious"), d.p("to-file")).unwrap();
    std::os::unix::fs::symlink("/", d.p("to-root")).unwrap();
    std::os::unix::fs::symlink(outside.p("dir"), d.p("sub/to-dir")).unwrap();
    // A baseline directory replaced by a link out.
    fs::remove_dir(d.p("sub/")).ok();
    fs::remove_file(d.p("sub/to-dir")).ok();
    fs::remove_dir(d.p("sub")).ok();
    std::os::unix::fs::symlink(outside.p("dir"), d.p("sub")).unwrap();
    fs::create_dir(d.p("new")).unwrap();
    std::os::unix::fs::symlink(&outside.0, d.p("new/deep-link")).unwrap();
    std::os::unix::fs::symlink("dangling-target", d.p("dangling")).unwrap();
    let r = t.wipe(false);
    assert_eq!((r.symlinks, r.dirs, r.errors), (6, 1, 0), "{r:?}");
    assert_eq!(fs::read(outside.p("precious")).unwrap(), b"must survive");
    assert_eq!(fs::read(outside.p("dir/also")).unwrap(), b"must survive");
    assert_eq!(fs::read_dir(&d.0).unwrap().count(), 0);
}

#[test]
fn read_only_files_and_directories() {
    let d = Private::new("readonly");
    let t = managed(&d, &[], ChangedPolicy::Remove);
    fs::create_dir_all(d.p("ro/inner")).unwrap();
    fs::write(d.p("ro/inner/file"), b"abc").unwrap();
    fs::set_permissions(d.p("ro/inner/file"), fs::Permissions::from_mode(0o400)).unwrap();
    fs::set_permissions(d.p("ro/inner"), fs::Permissions::from_mode(0o500)).unwrap();
    fs::set_permissions(d.p("ro"), fs::Permissions::from_mode(0o000)).unwrap();
    fs::write(d.p("ro-file"), b"x").unwrap();
    fs::set_permissions(d.p("ro-file"), fs::Permissions::from_mode(0o000)).unwrap();
    let r = t.wipe(false);
    assert_eq!((r.files, r.dirs, r.errors), (2, 2, 0), "{r:?}");
    assert_eq!(fs::read_dir(&d.0).unwrap().count(), 0);
}

#[test]
fn fifos_sockets_and_non_utf8_names() {
    let d = Private::new("special");
    let t = managed(&d, &[], ChangedPolicy::Remove);
    let dir = open_dir(&d.0).unwrap();
    rfs::mknodat(
        &dir,
        "fifo",
        rfs::FileType::Fifo,
        FileMode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(d.p("sock")).unwrap();
    let weird = OsStr::from_bytes(b"\xff\xfe not utf-8 \x01\n");
    fs::write(d.0.join(weird), b"bytes").unwrap();
    fs::create_dir(d.0.join(OsStr::from_bytes(b"dir-\xc3\x28"))).unwrap();
    fs::write(d.0.join(OsStr::from_bytes(b"dir-\xc3\x28/\x80")), b"z").unwrap();
    let r = t.wipe(false);
    assert_eq!(
        (r.special, r.files, r.dirs, r.errors),
        (2, 2, 1, 0),
        "{r:?}"
    );
    assert_eq!(fs::read_dir(&d.0).unwrap().count(), 0);
}

#[test]
fn deep_trees_beyond_path_max() {
    let d = Private::new("deep");
    let t = managed(&d, &[], ChangedPolicy::Remove);
    // Deeper than PATH_MAX allows to name: built descriptor by descriptor.
    let depth = 3000;
    let mut cur = open_dir(&d.0).unwrap();
    for _ in 0..depth {
        rfs::mkdirat(&cur, "dd", FileMode::from_raw_mode(0o700)).unwrap();
        cur = rfs::openat(
            &cur,
            "dd",
            OFlags::RDONLY | OFlags::DIRECTORY,
            FileMode::empty(),
        )
        .unwrap();
    }
    let f = rfs::openat(
        &cur,
        "leaf",
        OFlags::WRONLY | OFlags::CREATE,
        FileMode::from_raw_mode(0o600),
    )
    .unwrap();
    drop((f, cur));
    let r = t.wipe(false);
    assert_eq!((r.dirs, r.files, r.errors), (depth, 1, 0), "{r:?}");
    assert_eq!(fs::read_dir(&d.0).unwrap().count(), 0);
}

#[test]
fn many_entries() {
    let d = Private::new("many");
    fs::write(d.p("keep-me"), b"init").unwrap();
    let t = managed(&d, &[], ChangedPolicy::Remove);
    fs::create_dir(d.p("bulk")).unwrap();
    let n = 200_000u64;
    for i in 0..n / 2 {
        fs::write(d.p(&format!("f{i}")), b"").unwrap();
        fs::write(d.p(&format!("bulk/f{i}")), b"1").unwrap();
    }
    let r = t.wipe(false);
    assert_eq!((r.files, r.dirs, r.bytes, r.errors), (n, 1, n / 2, 0));
    assert_eq!(fs::read_dir(&d.0).unwrap().count(), 1);
}

#[test]
fn monitor_mode_reports_and_removes_nothing() {
    let d = Private::new("dry");
    let t = managed(&d, &[], ChangedPolicy::Remove);
    fs::create_dir_all(d.p("x/y")).unwrap();
    fs::write(d.p("x/y/z"), b"abcd").unwrap();
    let r = t.wipe(true);
    assert_eq!((r.files, r.dirs, r.bytes), (1, 2, 4));
    assert!(d.p("x/y/z").exists());
}

#[test]
fn allowlist_inside_a_new_directory() {
    let d = Private::new("ancestor");
    let t = managed(&d, &["ext/state"], ChangedPolicy::Remove);
    fs::create_dir_all(d.p("ext/state")).unwrap();
    fs::write(d.p("ext/state/log"), b"kept").unwrap();
    fs::write(d.p("ext/other"), b"gone").unwrap();
    let r = t.wipe(false);
    assert_eq!((r.files, r.dirs), (1, 0), "{r:?}");
    assert!(d.p("ext/state/log").exists() && !d.p("ext/other").exists());
}

#[test]
fn the_managed_directory_itself_must_not_be_a_link() {
    let d = Private::new("rootlink");
    let outside = Private::new("rootlink-target");
    std::os::unix::fs::symlink(&outside.0, d.p("link")).unwrap();
    assert!(TmpDir::open(&d.p("link"), &[], ChangedPolicy::Remove).is_err());
}

fn config_for(dir: &Private, extra: &str) -> Config {
    Config::from_toml(&format!(
        "[hygiene]\nmode = \"enforce\"\nprocesses = false\ntmp_dir = \"{}\"\n{extra}",
        dir.0.display()
    ))
    .unwrap()
}

fn no_env(_: &str) -> Option<String> {
    None
}

#[test]
fn scratch_store_and_tmp_after_an_invocation() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let d = Private::new("hygiene");
    let h = Hygiene::with_env(&config_for(&d, ""), &no_env, "").unwrap();
    let inv = h.before_invocation(Some("tenant-a"));
    let scratch = inv.scratch_dir().unwrap().to_path_buf();
    let mode = fs::metadata(&scratch).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    futures_lite(inv.scope(async {
        assert_eq!(scratch_dir().as_deref(), Some(scratch.as_path()));
        fs::write(scratch.join("work"), b"temp").unwrap();
        fs::write(d.p("leak"), b"secret").unwrap();
        store::put("k", b"secret".to_vec());
    }));
    let r = h.after_invocation(inv);
    assert!(!scratch.exists());
    assert_eq!(r.scratch.as_ref().map(|s| s.files), Some(1));
    assert_eq!(r.tmp.as_ref().map(|t| t.files), Some(1));
    assert_eq!(r.store_entries, 1);
    assert!(store::get("k").is_none());
    assert!(r.found_anything());
}

#[test]
fn concurrency_means_no_global_wipe() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let d = Private::new("concurrent");
    let env = |n: &str| (n == "AWS_LAMBDA_MAX_CONCURRENCY").then(|| "4".to_owned());
    let h = Hygiene::with_env(&config_for(&d, ""), &env, "").unwrap();
    assert!(h.notice().contains("no global wipe"), "{}", h.notice());
    let a = h.before_invocation(None);
    let b = h.before_invocation(None);
    fs::write(d.p("neighbour-file"), b"b's").unwrap();
    let ra = h.after_invocation(a);
    assert!(ra.concurrent && ra.tmp.is_none());
    assert!(d.p("neighbour-file").exists());
    assert!(!b.scratch_dir().unwrap().exists() || b.scratch_dir().unwrap().exists());
    let scratch_b = b.scratch_dir().unwrap().to_path_buf();
    h.after_invocation(b);
    assert!(!scratch_b.exists());
}

#[test]
fn observed_overlap_also_skips_the_global_wipe() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let d = Private::new("overlap");
    let h = Hygiene::with_env(&config_for(&d, ""), &no_env, "").unwrap();
    let a = h.before_invocation(None);
    let b = h.before_invocation(None);
    fs::write(d.p("b-file"), b"b's").unwrap();
    assert!(h.after_invocation(a).tmp.is_none());
    assert!(d.p("b-file").exists());
    assert_eq!(h.after_invocation(b).tmp.map(|t| t.files), Some(1));
}

#[test]
fn tenant_change_cleans_even_in_monitor_mode() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let d = Private::new("tenant");
    let h = Hygiene::with_env(
        &config_for(&d, "").clone_with_mode(Mode::Monitor),
        &no_env,
        "",
    )
    .unwrap();
    let a = h.before_invocation(Some("a"));
    fs::write(d.p("a-secret"), b"a").unwrap();
    let ra = h.after_invocation(a);
    assert!(ra.dry_run && d.p("a-secret").exists());
    let again = h.before_invocation(Some("a"));
    assert!(!again.tenant_changed && d.p("a-secret").exists());
    h.after_invocation(again);
    let b = h.before_invocation(Some("b"));
    assert!(b.tenant_changed);
    assert!(
        !d.p("a-secret").exists(),
        "tenant b must not see tenant a's file"
    );
    h.after_invocation(b);
}

#[test]
fn outside_lambda_without_tmp_dir_nothing_is_wiped() {
    let config = Config::from_toml("[hygiene]\nmode = \"enforce\"\nprocesses = false\n").unwrap();
    let env = |n: &str| match n {
        "AWS_LAMBDA_FUNCTION_NAME" => Some("f".to_owned()),
        "AWS_LAMBDA_RUNTIME_API" => Some("127.0.0.1:9001".to_owned()),
        _ => None,
    };
    let tmpfs = "25 1 0:22 / /tmp rw,nosuid - tmpfs tmpfs rw\n";
    let h = Hygiene::with_env(&config, &env, tmpfs).unwrap();
    assert!(h.tmp().is_none());
    assert!(h.notice().contains("not wiping"), "{}", h.notice());
}

#[test]
fn lambda_detection_is_conservative() {
    let lambda = |n: &str| match n {
        "AWS_LAMBDA_FUNCTION_NAME" => Some("f".to_owned()),
        "AWS_LAMBDA_RUNTIME_API" => Some("127.0.0.1:9001".to_owned()),
        "LAMBDA_TASK_ROOT" => Some("/var/task".to_owned()),
        _ => None,
    };
    let tmp_mount = "25 1 0:22 / /tmp rw,nosuid - tmpfs tmpfs rw\n";
    let root_only = "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n";
    assert!(lambda_owns_tmp(&lambda, tmp_mount).is_ok());
    assert!(lambda_owns_tmp(&lambda, root_only).is_err());
    assert!(lambda_owns_tmp(&no_env, tmp_mount).is_err());
    let laptop = |n: &str| {
        if n == "LAMBDA_TASK_ROOT" {
            Some("/home/me/fn".to_owned())
        } else {
            lambda(n)
        }
    };
    assert!(lambda_owns_tmp(&laptop, tmp_mount).is_err());
}

/// Polls a future that never waits (the test futures are synchronous).
fn futures_lite<F: Future>(fut: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(fut)
}

trait WithMode {
    fn clone_with_mode(&self, mode: Mode) -> Config;
}

impl WithMode for Config {
    fn clone_with_mode(&self, mode: Mode) -> Config {
        let mut c = self.clone();
        c.hygiene.mode = Some(mode);
        c
    }
}

#[test]
fn a_panicked_invocation_does_not_disable_the_global_wipe() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let d = Private::new("panic");
    let h = Hygiene::with_env(&config_for(&d, ""), &no_env, "").unwrap();
    // The runtime caught a panic: the invocation's state is dropped without after_invocation.
    drop(h.before_invocation(None));
    let next = h.before_invocation(None);
    assert!(!next.concurrent);
    fs::write(d.p("left"), b"x").unwrap();
    let r = h.after_invocation(next);
    assert!(!r.concurrent);
    assert_eq!(r.tmp.map(|t| t.files), Some(1));
}

#[test]
fn after_restore_wipes_to_the_baseline() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let d = Private::new("restore");
    fs::write(d.p("from-init"), b"x").unwrap();
    let h = Hygiene::with_env(&config_for(&d, ""), &no_env, "").unwrap();
    fs::write(d.p("from-snapshot-time"), b"x").unwrap();
    assert_eq!(h.after_restore().map(|r| r.files), Some(1));
    assert!(d.p("from-init").exists());
}

mod through_the_layer {
    use super::*;
    use crate::{Guard, GuardLayer};
    use lambda_runtime::{Context, Diagnostic, LambdaEvent};
    use serde_json::{json, Value};
    use tower::{service_fn, Layer, Service, ServiceExt};

    fn guard(d: &Private, extra: &str) -> Guard {
        let config = Config::from_toml(&format!(
            "mode = \"enforce\"\n{extra}\n[hygiene]\nprocesses = false\ntmp_dir = \"{}\"\n",
            d.0.display()
        ))
        .unwrap();
        futures_lite(Guard::new(config)).unwrap()
    }

    fn call<S>(service: &mut S, payload: Value) -> Result<Value, Diagnostic>
    where
        S: Service<LambdaEvent<Value>, Response = Value, Error = Diagnostic>,
    {
        futures_lite(async {
            let ready = service.ready().await?;
            ready
                .call(LambdaEvent::new(payload, Context::default()))
                .await
        })
    }

    #[test]
    fn hygiene_runs_after_a_handler_error() {
        let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
        let d = Private::new("layer-error");
        let dir = d.0.clone();
        let handler = service_fn(move |_e: LambdaEvent<Value>| {
            let dir = dir.clone();
            async move {
                fs::write(dir.join("written-then-failed"), b"secret").unwrap();
                store::put("layer-error", b"secret".to_vec());
                assert!(scratch_dir().is_some());
                Err::<Value, Diagnostic>(Diagnostic {
                    error_type: "Boom".into(),
                    error_message: "handler failed".into(),
                })
            }
        });
        let mut service = GuardLayer::new(guard(&d, "")).layer(handler);
        assert!(call(&mut service, json!({"tenant": "a"})).is_err());
        assert!(!d.p("written-then-failed").exists());
        assert!(store::get("layer-error").is_none());
    }

    #[test]
    fn hygiene_runs_after_a_denied_event() {
        let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
        let d = Private::new("layer-deny");
        let handler = service_fn(|_e: LambdaEvent<Value>| async {
            Err::<Value, Diagnostic>(Diagnostic {
                error_type: "Unreachable".into(),
                error_message: "a denied event never reaches the handler".into(),
            })
        });
        let mut service =
            GuardLayer::new(guard(&d, "[inspect]\nmax_string_bytes = 8")).layer(handler);
        // Left by a background task of an earlier invocation.
        fs::write(d.p("left-by-background-task"), b"secret").unwrap();
        let refused = call(&mut service, json!({"document": "x".repeat(64)}));
        let refused = refused.expect_err("denied");
        assert_ne!(refused.error_type, "Unreachable");
        assert!(!d.p("left-by-background-task").exists());
    }
}

//! The wipe never crosses into another mounted file system: a mount point inside the managed
//! directory (or inside a directory the invocation created) is left alone, with what is in it.
//!
//! Mounting needs root and a mount namespace of its own: this test re-runs itself under
//! `unshare -m` (so the mounts never reach the machine) in a private directory under Cargo's
//! target tmp dir; it skips with a message where that is not allowed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic in a test is a failing test"
)]

use lambda_guard::hygiene::tmp::{ChangedPolicy, TmpDir};
use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

const CHILD: &str = "LAMBDA_GUARD_MOUNT_TEST_DIR";

fn mount_tmpfs(at: &Path) {
    let status = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(at)
        .status()
        .expect("mount");
    assert!(status.success(), "mount failed");
}

/// Runs inside the private mount namespace.
fn child(dir: &Path) {
    fs::write(dir.join("baseline-file"), b"init").unwrap();
    fs::create_dir(dir.join("mnt")).unwrap();
    mount_tmpfs(&dir.join("mnt"));
    fs::write(dir.join("mnt/other-fs-file"), b"not ours").unwrap();
    let tmp = TmpDir::open(dir, &[], ChangedPolicy::Remove).unwrap();

    // After init: a new file, and a new directory with a mount inside it.
    fs::write(dir.join("new-file"), b"secret").unwrap();
    fs::create_dir_all(dir.join("new-dir/inner-mnt")).unwrap();
    fs::write(dir.join("new-dir/removable"), b"secret").unwrap();
    mount_tmpfs(&dir.join("new-dir/inner-mnt"));
    fs::write(dir.join("new-dir/inner-mnt/kept"), b"other fs").unwrap();

    let report = tmp.wipe(false);
    assert_eq!(report.mounts_skipped, 2, "{report:?}");
    assert_eq!(report.errors, 0, "{report:?}");
    assert!(!dir.join("new-file").exists());
    assert!(!dir.join("new-dir/removable").exists());
    assert_eq!(
        fs::read(dir.join("mnt/other-fs-file")).unwrap(),
        b"not ours"
    );
    assert_eq!(
        fs::read(dir.join("new-dir/inner-mnt/kept")).unwrap(),
        b"other fs"
    );
    assert!(dir.join("baseline-file").exists());
    for m in ["new-dir/inner-mnt", "mnt"] {
        let _ = Command::new("umount").arg(dir.join(m)).status();
    }
}

#[test]
fn wipe_leaves_mount_points_alone() {
    if let Some(dir) = std::env::var_os(CHILD) {
        child(Path::new(&dir));
        return;
    }
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    fs::create_dir_all(&base).unwrap();
    let dir = base.join(format!("hygiene-mounts-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();

    let probe = Command::new("unshare")
        .args(["-m", "true"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED hygiene_mounts: `unshare -m` is not allowed here (needs root)");
        let _ = fs::remove_dir(&dir);
        return;
    }
    let me = std::env::current_exe().unwrap();
    let output = Command::new("unshare")
        .args(["-m", "--propagation", "private"])
        .arg(&me)
        .args([
            "--exact",
            "wipe_leaves_mount_points_alone",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, &dir)
        .output()
        .expect("unshare");
    let _ = fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

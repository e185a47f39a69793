//! The environment's own `/tmp`: as root, a private mount namespace with a tmpfs on `/tmp`
//! (Lambda's shape: 512 MB, shared by the runtime and the extensions, surviving resets); otherwise
//! a private directory that `TMPDIR` and `GUARD_TMP_DIR` point at. The machine's own `/tmp` is
//! never written to in the namespace mode, and only the private directory is removed in the other.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

/// How the harness should provide `/tmp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum TmpMode {
    /// A private mount namespace when running as root and nothing the function needs lives under
    /// `/tmp`; otherwise a private directory.
    #[default]
    Auto,
    /// A private mount namespace with a tmpfs on `/tmp`; fail if that is impossible.
    Namespace,
    /// A private directory (mode 0700) exposed as `TMPDIR` and `GUARD_TMP_DIR`.
    Dir,
}

/// The `/tmp` the environment got.
#[derive(Debug)]
pub(crate) enum TmpSandbox {
    /// Processes enter the mount namespace of `holder` (`nsenter`), which keeps it alive.
    Namespace { holder: Child, ns: PathBuf },
    /// A private directory.
    Dir { path: PathBuf },
}

impl TmpSandbox {
    /// Sets up `/tmp`. `needed` are paths the processes must see (task root, layers, command):
    /// when one lives under `/tmp` the tmpfs would hide it, so `auto` picks a directory.
    pub async fn create(mode: TmpMode, needed: &[PathBuf]) -> Result<(Self, String), String> {
        let under_tmp = needed
            .iter()
            .find(|p| p.starts_with("/tmp"))
            .map(|p| p.display().to_string());
        let try_ns = match mode {
            TmpMode::Dir => None,
            TmpMode::Namespace => Some(()),
            TmpMode::Auto if under_tmp.is_some() || !is_root() => None,
            TmpMode::Auto => Some(()),
        };
        let mut why_not = match (&under_tmp, is_root()) {
            (_, false) => "not running as root".to_owned(),
            (Some(p), _) => format!("{p} is under /tmp and a tmpfs would hide it"),
            _ => "--tmp dir".to_owned(),
        };
        if try_ns.is_some() {
            match namespace().await {
                Ok((holder, ns)) => {
                    return Ok((
                        Self::Namespace { holder, ns },
                        "private /tmp: a tmpfs (512 MB) in a private mount namespace".into(),
                    ))
                }
                Err(e) if mode == TmpMode::Namespace => {
                    return Err(format!("cannot create a private mount namespace: {e}"))
                }
                Err(e) => why_not = e,
            }
        }
        let path = private_dir()?;
        let msg = format!(
            "private /tmp: directory {} (TMPDIR, GUARD_TMP_DIR; {why_not})",
            path.display()
        );
        Ok((Self::Dir { path }, msg))
    }

    /// A command running `program args` inside the sandbox, in `cwd`.
    pub fn command(&self, program: &Path, args: &[String], cwd: &Path) -> Command {
        match self {
            Self::Namespace { ns, .. } => {
                let mut c = Command::new("nsenter");
                c.arg(format!("--mount={}", ns.display()))
                    .arg(format!("--wd={}", cwd.display()))
                    .arg("--")
                    .arg(program)
                    .args(args);
                c
            }
            Self::Dir { .. } => {
                let mut c = Command::new(program);
                c.args(args).current_dir(cwd);
                c
            }
        }
    }

    /// Variables the processes get.
    pub fn env(&self) -> Vec<(String, String)> {
        match self {
            // The tmpfs is the environment's own, as in Lambda: hygiene may keep it clean.
            Self::Namespace { .. } => vec![("GUARD_TMP_DIR".into(), "/tmp".into())],
            Self::Dir { path } => {
                let p = path.display().to_string();
                vec![("TMPDIR".into(), p.clone()), ("GUARD_TMP_DIR".into(), p)]
            }
        }
    }

    /// Variables inherited from the harness that must not leak in (a `TMPDIR` outside the sandbox).
    pub fn removed_env(&self) -> &'static [&'static str] {
        match self {
            Self::Namespace { .. } => &["TMPDIR", "GUARD_TMP_DIR"],
            Self::Dir { .. } => &[],
        }
    }

    /// Releases the namespace (its tmpfs goes with it) or removes the private directory.
    pub async fn remove(self) {
        match self {
            Self::Namespace { mut holder, .. } => {
                drop(holder.stdin.take());
                if tokio::time::timeout(Duration::from_secs(1), holder.wait())
                    .await
                    .is_err()
                {
                    let _ = holder.kill().await;
                }
            }
            Self::Dir { path } => {
                if let Err(e) = std::fs::remove_dir_all(&path) {
                    eprintln!("lambda-guard run: could not remove {}: {e}", path.display());
                }
            }
        }
    }
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Starts the holder: `unshare` a mount namespace, mount a tmpfs on `/tmp`, say `ready`, then
/// block on stdin (which the harness holds: when the harness goes, the holder goes).
async fn namespace() -> Result<(Child, PathBuf), String> {
    let mut holder = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg(
            "mount -t tmpfs -o size=512m,mode=1777 lambda-guard-tmp /tmp && echo ready && exec cat",
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run unshare: {e}"))?;
    let pid = holder.id().ok_or("unshare exited at once")?;
    let stdout = holder.stdout.take().ok_or("no stdout")?;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(5), lines.next_line()).await;
    match first {
        Ok(Ok(Some(l))) if l == "ready" => {
            Ok((holder, PathBuf::from(format!("/proc/{pid}/ns/mnt"))))
        }
        _ => {
            let _ = holder.kill().await;
            let mut msg = String::new();
            if let Some(err) = holder.stderr.take() {
                let mut lines = tokio::io::BufReader::new(err).lines();
                while let Ok(Ok(Some(l))) =
                    tokio::time::timeout(Duration::from_millis(200), lines.next_line()).await
                {
                    msg.push_str(&l);
                    msg.push(' ');
                }
            }
            Err(format!("unshare/mount failed: {}", msg.trim()))
        }
    }
}

fn private_dir() -> Result<PathBuf, String> {
    use std::os::unix::fs::DirBuilderExt;
    let base = std::env::temp_dir();
    for _ in 0..8 {
        let path = base.join(format!(
            "lambda-guard-tmp-{}-{}",
            std::process::id(),
            &super::ids::hex32()[..12]
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
        }
    }
    Err("cannot create a private temporary directory".into())
}

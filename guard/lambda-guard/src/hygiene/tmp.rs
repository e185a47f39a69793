//! The managed temporary directory: a baseline taken at init and a descriptor-relative wipe back
//! to it.
//!
//! Every operation is relative to a directory descriptor opened once at init (`openat`,
//! `fstatat(AT_SYMLINK_NOFOLLOW)`, `unlinkat`), so the wipe never follows a symbolic link, never
//! leaves the file system of the managed directory (mount points inside it are skipped) and never
//! builds a path string that a concurrent rename could redirect. Subtrees are removed with a
//! constant number of open descriptors (the walk climbs back with `..` and checks the inode it
//! lands on), so depth is unbounded.
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use lambda_guard::hygiene::tmp::{ChangedPolicy, TmpDir};
//! let dir = std::env::temp_dir().join(format!("guard-doc-{}", std::process::id()));
//! std::fs::create_dir(&dir)?;
//! std::fs::write(dir.join("kept"), b"from init")?;
//! let tmp = TmpDir::open(&dir, &[], ChangedPolicy::Remove)?;
//! std::fs::write(dir.join("left-over"), b"an invocation's secret")?;
//! let report = tmp.wipe(false);
//! assert_eq!(report.files, 1);
//! assert!(dir.join("kept").exists() && !dir.join("left-over").exists());
//! # drop(tmp); std::fs::remove_dir_all(&dir)
//! # }
//! ```

use rustix::{
    fd::{AsFd, BorrowedFd, OwnedFd},
    fs::{self as rfs, AtFlags, Dir, FileType, Mode, OFlags, Stat},
    io::Errno,
};
use std::{
    collections::HashMap,
    ffi::{CStr, CString},
    path::{Path, PathBuf},
    sync::Mutex,
};

/// Baseline directories deeper than this are kept whole (never descended into by the wipe).
const MAX_BASELINE_DEPTH: usize = 64;

/// What the wipe does with an entry that existed at baseline but was modified since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangedPolicy {
    /// Remove it (a changed baseline file can carry an invocation's data to the next one).
    #[default]
    Remove,
    /// Keep it and report it; its new state becomes the baseline.
    Keep,
}

impl std::str::FromStr for ChangedPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "remove" => Ok(ChangedPolicy::Remove),
            "keep" => Ok(ChangedPolicy::Keep),
            other => Err(format!(
                "`{other}` is not a policy (expected remove or keep)"
            )),
        }
    }
}

/// What one wipe removed (or, in a dry run, would remove). Counts and sizes only: never names or
/// contents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WipeReport {
    /// Regular files.
    pub files: u64,
    /// Directories.
    pub dirs: u64,
    /// Symbolic links (removed, never followed).
    pub symlinks: u64,
    /// FIFOs, sockets and device nodes.
    pub special: u64,
    /// Sum of the sizes of the regular files.
    pub bytes: u64,
    /// Baseline entries found modified (removed or kept per [`ChangedPolicy`]).
    pub changed: u64,
    /// Mount points found inside the directory (left alone).
    pub mounts_skipped: u64,
    /// Entries that could not be inspected or removed.
    pub errors: u64,
    /// The first error, without any file name.
    pub first_error: Option<String>,
}

impl WipeReport {
    /// Entries removed, of any kind.
    pub fn removed(&self) -> u64 {
        self.files + self.dirs + self.symlinks + self.special
    }

    fn error(&mut self, what: &str, e: Errno) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(format!("{what}: {e}"));
        }
    }

    fn count(&mut self, st: &Stat) {
        match FileType::from_raw_mode(st.st_mode) {
            FileType::RegularFile => {
                self.files += 1;
                self.bytes += u64::try_from(st.st_size).unwrap_or(0);
            }
            FileType::Directory => self.dirs += 1,
            FileType::Symlink => self.symlinks += 1,
            _ => self.special += 1,
        }
    }
}

/// What identifies an entry's state: a changed inode, type, mode, size, mtime or ctime means it
/// was replaced or modified (ctime cannot be set back by an unprivileged process).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    ino: u64,
    mode: u32,
    size: i64,
    mtime: (i64, u64),
    ctime: (i64, u64),
    /// A directory at the depth limit: kept whole.
    opaque: bool,
}

impl Fingerprint {
    fn of(st: &Stat) -> Fingerprint {
        Fingerprint {
            ino: st.st_ino,
            mode: st.st_mode,
            size: st.st_size,
            #[allow(
                clippy::unnecessary_cast,
                reason = "field types differ between targets"
            )]
            mtime: (st.st_mtime as i64, st.st_mtime_nsec as u64),
            #[allow(
                clippy::unnecessary_cast,
                reason = "field types differ between targets"
            )]
            ctime: (st.st_ctime as i64, st.st_ctime_nsec as u64),
            opaque: false,
        }
    }

    fn is_dir(&self) -> bool {
        FileType::from_raw_mode(self.mode) == FileType::Directory
    }

    fn same_object(&self, other: &Fingerprint) -> bool {
        self.ino == other.ino
            && FileType::from_raw_mode(self.mode) == FileType::from_raw_mode(other.mode)
    }
}

/// How a relative path relates to the allowlist.
#[derive(Debug, PartialEq, Eq)]
enum Keep {
    /// Listed (or inside a listed directory): left alone.
    Listed,
    /// An ancestor of a listed path: descended into, never removed whole.
    Ancestor,
    /// Not listed.
    No,
}

/// A managed directory: its descriptor, its baseline and its allowlist.
#[derive(Debug)]
pub struct TmpDir {
    path: PathBuf,
    root: OwnedFd,
    dev: u64,
    keep: Vec<Vec<u8>>,
    changed: ChangedPolicy,
    baseline: Mutex<HashMap<Vec<u8>, Fingerprint>>,
}

impl TmpDir {
    /// Opens `path` (which must be a directory, not a symbolic link) and takes the baseline:
    /// everything in it now survives every wipe unless it changes. `keep` lists paths relative
    /// to the directory that always survive (a directory keeps its whole subtree).
    pub fn open(path: &Path, keep: &[String], changed: ChangedPolicy) -> std::io::Result<TmpDir> {
        let root = rfs::openat(
            rfs::CWD,
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        let st = rfs::fstat(&root)?;
        let keep = keep
            .iter()
            .map(|k| k.trim_matches('/').as_bytes().to_vec())
            .filter(|k| !k.is_empty())
            .collect();
        let tmp = TmpDir {
            path: path.to_path_buf(),
            root,
            #[allow(
                clippy::unnecessary_cast,
                reason = "field types differ between targets"
            )]
            dev: st.st_dev as u64,
            keep,
            changed,
            baseline: Mutex::new(HashMap::new()),
        };
        tmp.rebase();
        Ok(tmp)
    }

    /// The directory's path (as opened; the descriptor is what the wipe uses).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory's descriptor.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.root.as_fd()
    }

    /// Entries in the baseline.
    pub fn baseline_len(&self) -> usize {
        self.lock().len()
    }

    /// Takes the baseline again from the directory's current contents (after a SnapStart
    /// restore, or when the owner says the current state is the clean one).
    pub fn rebase(&self) {
        let mut map = HashMap::new();
        snapshot(self.root.as_fd(), &mut Vec::new(), 0, self.dev, &mut map);
        *self.lock() = map;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<u8>, Fingerprint>> {
        self.baseline.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Brings the directory back to its baseline: removes every entry that is not in the
    /// baseline or the allowlist, and baseline entries that changed (per the policy). With
    /// `dry_run`, removes nothing and reports what it would remove.
    pub fn wipe(&self, dry_run: bool) -> WipeReport {
        let mut report = WipeReport::default();
        let mut baseline = self.lock();
        let mut walk = Walk {
            tmp: self,
            baseline: &mut baseline,
            report: &mut report,
            dry_run,
        };
        walk.scan(self.root.as_fd(), &mut Vec::new());
        report
    }

    /// Removes one entry of the directory (a scratch directory) with the same safety as the wipe.
    pub fn remove_entry(&self, name: &CStr) -> WipeReport {
        remove_child(self.root.as_fd(), name)
    }

    fn keep(&self, rel: &[u8]) -> Keep {
        for k in &self.keep {
            if rel == k.as_slice() || (rel.starts_with(k) && rel.get(k.len()) == Some(&b'/')) {
                return Keep::Listed;
            }
            if k.starts_with(rel) && k.get(rel.len()) == Some(&b'/') {
                return Keep::Ancestor;
            }
        }
        Keep::No
    }
}

/// Removes one entry of `dir` (a whole subtree for a directory) without following links or
/// crossing into another file system.
pub fn remove_child(dir: BorrowedFd<'_>, name: &CStr) -> WipeReport {
    let mut report = WipeReport::default();
    let dev = match rfs::fstat(dir) {
        #[allow(
            clippy::unnecessary_cast,
            reason = "field types differ between targets"
        )]
        Ok(st) => st.st_dev as u64,
        Err(e) => {
            report.error("stat", e);
            return report;
        }
    };
    match rfs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => remove(dir, name, &st, dev, false, &mut report),
        Err(Errno::NOENT) => {}
        Err(e) => report.error("stat", e),
    }
    report
}

struct Walk<'a> {
    tmp: &'a TmpDir,
    baseline: &'a mut HashMap<Vec<u8>, Fingerprint>,
    report: &'a mut WipeReport,
    dry_run: bool,
}

impl Walk<'_> {
    /// Walks a directory that survives (the root, a baseline directory or an allowlist ancestor).
    fn scan(&mut self, dir: BorrowedFd<'_>, rel: &mut Vec<u8>) {
        let names = match list(dir) {
            Ok(names) => names,
            Err(e) => return self.report.error("read directory", e),
        };
        for name in names {
            let len = rel.len();
            if !rel.is_empty() {
                rel.push(b'/');
            }
            rel.extend_from_slice(name.as_bytes());
            self.entry(dir, &name, rel);
            rel.truncate(len);
        }
    }

    fn entry(&mut self, dir: BorrowedFd<'_>, name: &CStr, rel: &mut Vec<u8>) {
        let keep = self.tmp.keep(rel);
        if keep == Keep::Listed {
            return;
        }
        let st = match rfs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => st,
            Err(Errno::NOENT) => return,
            Err(e) => return self.report.error("stat", e),
        };
        #[allow(
            clippy::unnecessary_cast,
            reason = "field types differ between targets"
        )]
        if st.st_dev as u64 != self.tmp.dev {
            self.report.mounts_skipped += 1;
            return;
        }
        let now = Fingerprint::of(&st);
        let known = self.baseline.get(rel.as_slice()).copied();
        match known {
            Some(base) if base.same_object(&now) && now.is_dir() => {
                if !base.opaque {
                    self.descend(dir, name, rel);
                }
            }
            Some(base) if base.same_object(&now) => {
                if base == now {
                    return;
                }
                self.report.changed += 1;
                match self.tmp.changed {
                    ChangedPolicy::Keep => {
                        self.baseline.insert(rel.clone(), now);
                    }
                    ChangedPolicy::Remove => {
                        remove(dir, name, &st, self.tmp.dev, self.dry_run, self.report)
                    }
                }
            }
            _ if keep == Keep::Ancestor && now.is_dir() => self.descend(dir, name, rel),
            _ => remove(dir, name, &st, self.tmp.dev, self.dry_run, self.report),
        }
    }

    fn descend(&mut self, dir: BorrowedFd<'_>, name: &CStr, rel: &mut Vec<u8>) {
        match open_dir(dir, name) {
            Ok(child) => self.scan(child.as_fd(), rel),
            Err(e) => self.report.error("open directory", e),
        }
    }
}

/// Records every entry under `dir` (not following links, not crossing mounts).
fn snapshot(
    dir: BorrowedFd<'_>,
    rel: &mut Vec<u8>,
    depth: usize,
    dev: u64,
    map: &mut HashMap<Vec<u8>, Fingerprint>,
) {
    let Ok(names) = list(dir) else { return };
    for name in names {
        let len = rel.len();
        if !rel.is_empty() {
            rel.push(b'/');
        }
        rel.extend_from_slice(name.as_bytes());
        if let Ok(st) = rfs::statat(dir, &name, AtFlags::SYMLINK_NOFOLLOW) {
            let mut fp = Fingerprint::of(&st);
            #[allow(
                clippy::unnecessary_cast,
                reason = "field types differ between targets"
            )]
            let same_fs = st.st_dev as u64 == dev;
            if fp.is_dir() && same_fs {
                if depth + 1 >= MAX_BASELINE_DEPTH {
                    fp.opaque = true;
                } else if let Ok(child) = open_dir(dir, &name) {
                    snapshot(child.as_fd(), rel, depth + 1, dev, map);
                }
            }
            map.insert(rel.clone(), fp);
        }
        rel.truncate(len);
    }
}

/// The names in a directory, without `.` and `..`.
fn list(dir: BorrowedFd<'_>) -> Result<Vec<CString>, Errno> {
    let mut reader = Dir::read_from(dir)?;
    let mut names = Vec::new();
    while let Some(entry) = reader.read() {
        let entry = entry?;
        let name = entry.file_name();
        if name != c"." && name != c".." {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}

/// Opens a subdirectory without following a link.
fn open_dir(dir: BorrowedFd<'_>, name: &CStr) -> Result<OwnedFd, Errno> {
    rfs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// Opens a directory that is about to be emptied, making it readable and writable by its owner
/// first when it is not (read-only and unreadable trees). The permission change goes through an
/// `O_PATH` descriptor of the very inode, never through a path that could be a link.
fn open_for_removal(
    dir: BorrowedFd<'_>,
    name: &CStr,
    expect: &Stat,
    dry_run: bool,
) -> Result<OwnedFd, Errno> {
    let owner_rwx = 0o700;
    let fd = match open_dir(dir, name) {
        Err(Errno::ACCESS) if !dry_run => {
            let path_fd = rfs::openat(
                dir,
                name,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            check_same(&rfs::fstat(&path_fd)?, expect)?;
            let magic = format!("/proc/self/fd/{}", rustix::fd::AsRawFd::as_raw_fd(&path_fd));
            rfs::chmod(magic.as_str(), Mode::from_raw_mode(owner_rwx))?;
            open_dir(dir, name)?
        }
        other => other?,
    };
    let st = rfs::fstat(&fd)?;
    check_same(&st, expect)?;
    if !dry_run && st.st_mode & owner_rwx != owner_rwx {
        rfs::fchmod(&fd, Mode::from_raw_mode(owner_rwx))?;
    }
    Ok(fd)
}

/// Refuses to go on when the object opened is not the one inspected (it was swapped meanwhile).
fn check_same(st: &Stat, expect: &Stat) -> Result<(), Errno> {
    if st.st_ino == expect.st_ino && st.st_dev == expect.st_dev {
        Ok(())
    } else {
        Err(Errno::STALE)
    }
}

/// Removes one entry of `dir` (a whole subtree for a directory).
fn remove(
    dir: BorrowedFd<'_>,
    name: &CStr,
    st: &Stat,
    dev: u64,
    dry_run: bool,
    report: &mut WipeReport,
) {
    if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
        remove_tree(dir, name, st, dev, dry_run, report);
        return;
    }
    if !dry_run {
        if let Err(e) = rfs::unlinkat(dir, name, AtFlags::empty()) {
            if e != Errno::NOENT {
                report.error("unlink", e);
            }
            return;
        }
    }
    report.count(st);
}

/// One directory being emptied: its remaining names and its identity (to check the climb back).
struct Frame {
    names: std::vec::IntoIter<CString>,
    /// The child directory being emptied, removed once the walk climbs back.
    current: Option<CString>,
    st: Stat,
}

/// Removes a directory and everything under it, holding at most two descriptors whatever the
/// depth: it climbs back with `..` and checks that it landed on the directory it left.
fn remove_tree(
    parent: BorrowedFd<'_>,
    name: &CStr,
    st: &Stat,
    dev: u64,
    dry_run: bool,
    report: &mut WipeReport,
) {
    let top = match open_for_removal(parent, name, st, dry_run) {
        Ok(fd) => fd,
        Err(e) => return report.error("open directory", e),
    };
    let names = match list(top.as_fd()) {
        Ok(n) => n,
        Err(e) => return report.error("read directory", e),
    };
    let mut cur = top;
    let mut stack = vec![Frame {
        names: names.into_iter(),
        current: None,
        st: *st,
    }];
    let mut failed = false;
    while let Some(frame) = stack.last_mut() {
        let Some(child) = frame.names.next() else {
            // This directory is done: climb back to its parent and remove it there.
            if stack.len() == 1 {
                break;
            }
            let done = stack.pop();
            let up = rfs::openat(
                &cur,
                c"..",
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            );
            let Some(parent_frame) = stack.last_mut() else {
                break;
            };
            match up.and_then(|fd| {
                rfs::fstat(&fd)
                    .and_then(|s| check_same(&s, &parent_frame.st))
                    .map(|()| fd)
            }) {
                Ok(fd) => cur = fd,
                Err(e) => {
                    // The tree moved while it was being removed: stop rather than guess.
                    report.error("climb back", e);
                    return;
                }
            }
            if let (Some(child_name), Some(done)) = (parent_frame.current.take(), done) {
                if !dry_run {
                    if let Err(e) = rfs::unlinkat(&cur, child_name.as_c_str(), AtFlags::REMOVEDIR) {
                        report.error("remove directory", e);
                        failed = true;
                        continue;
                    }
                }
                report.count(&done.st);
            }
            continue;
        };
        let cst = match rfs::statat(&cur, child.as_c_str(), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(s) => s,
            Err(Errno::NOENT) => continue,
            Err(e) => {
                report.error("stat", e);
                failed = true;
                continue;
            }
        };
        #[allow(
            clippy::unnecessary_cast,
            reason = "field types differ between targets"
        )]
        if cst.st_dev as u64 != dev {
            report.mounts_skipped += 1;
            failed = true;
            continue;
        }
        if FileType::from_raw_mode(cst.st_mode) != FileType::Directory {
            if !dry_run {
                if let Err(e) = rfs::unlinkat(&cur, child.as_c_str(), AtFlags::empty()) {
                    if e != Errno::NOENT {
                        report.error("unlink", e);
                        failed = true;
                    }
                    continue;
                }
            }
            report.count(&cst);
            continue;
        }
        let opened = open_for_removal(cur.as_fd(), child.as_c_str(), &cst, dry_run)
            .and_then(|fd| list(fd.as_fd()).map(|names| (fd, names)));
        match opened {
            Ok((fd, names)) => {
                frame.current = Some(child);
                cur = fd;
                stack.push(Frame {
                    names: names.into_iter(),
                    current: None,
                    st: cst,
                });
            }
            Err(e) => {
                report.error("open directory", e);
                failed = true;
            }
        }
    }
    drop(cur);
    if dry_run {
        report.count(st);
        return;
    }
    match rfs::unlinkat(parent, name, AtFlags::REMOVEDIR) {
        Ok(()) => report.count(st),
        Err(e) if failed && e == Errno::NOTEMPTY => {}
        Err(e) => report.error("remove directory", e),
    }
}

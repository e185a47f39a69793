//! Attack tools that name themselves: the User-Agent an offensive scanner sends by default
//! (`sqlmap/1.7.4#stable`, `Nuclei - Open-source project`, `Fuzz Faster U Fool`). What such a
//! request carries may be plain; the tool is sweeping the function for what is not. Read in
//! User-Agent headers only (and the copy API Gateway puts in `requestContext`): a tool's name
//! in a body or a query is a word.

use super::subject::{is_header, Hit, Needs, Subject, Tables};

/// The names offensive scanners and fuzzers put in their default User-Agent, lower case: SQL
/// injection (sqlmap, Havij, sqlninja, bsqlbf), command injection (commix), XSS (XSStrike),
/// traversal (DotDotPwn), template and vulnerability scanners (Nuclei, Nikto, OpenVAS and
/// Nessus plugins, `.nasl`), web scanners (Acunetix, Netsparker, Arachni, w3af, Skipfish,
/// WebInspect, WPScan, WhatWeb, ZmEu), content discovery (ffuf, gobuster, dirbuster,
/// dirsearch, feroxbuster, wfuzz), port and banner scanners (Nmap's scripting engine, masscan,
/// zgrab) and brute forcers (Hydra).
const TOOLS: &[&str] = &[
    "sqlmap",
    "havij",
    "sqlninja",
    "bsqlbf",
    "commix",
    "xsstrike",
    "dotdotpwn",
    "nuclei",
    "nikto",
    "openvas",
    "nessus",
    ".nasl",
    "acunetix",
    "netsparker",
    "arachni",
    "w3af",
    "skipfish",
    "webinspect",
    "wpscan",
    "whatweb",
    "zmeu",
    "fuzz faster u fool",
    "gobuster",
    "dirbuster",
    "dirsearch",
    "feroxbuster",
    "wfuzz",
    "nmap scripting engine",
    "nmap nse",
    "masscan",
    "zgrab",
    "(hydra)",
];

pub(crate) fn needs() -> Needs {
    Needs::classes(0).or_words(TOOLS)
}

/// Whether `path` is a User-Agent: the header, or the copy in `requestContext`.
fn user_agent(path: &str) -> bool {
    is_header(path, "user-agent")
        || (path.starts_with("$.requestContext.") && path.ends_with(".userAgent"))
}

/// A scanner's name in a User-Agent.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    if !user_agent(s.path) {
        return None;
    }
    let b = s.bytes();
    TOOLS.iter().find_map(|t| {
        let at = super::subject::find(b, t.as_bytes())?;
        // Where a word starts: `nikto`, not `miniktol` (`.nasl` ends a plugin's file name).
        // Not where it ends: OpenVAS also signs `OpenVASVT`.
        let starts = at == 0
            || !t.as_bytes()[0].is_ascii_alphanumeric()
            || !b[at - 1].is_ascii_alphanumeric();
        starts.then(|| Hit::new("scanner.user_agent", at, at + t.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_paths() {
        for p in [
            "$.headers.user-agent",
            "$.headers.User-Agent",
            "$.multiValueHeaders.User-Agent[0]",
            "$.requestContext.identity.userAgent",
            "$.requestContext.http.userAgent",
        ] {
            assert!(user_agent(p), "{p}");
        }
        for p in [
            "$.body.user-agents",
            "$.queryStringParameters.ua",
            "$.headers.referer",
        ] {
            assert!(!user_agent(p), "{p}");
        }
    }
}

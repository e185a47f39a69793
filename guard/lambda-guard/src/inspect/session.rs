//! Session fixation: a request that brings its own session identifier (so that the victim
//! logs in to a session the attacker already knows) or plants a cookie through script. Two
//! shapes: a framework's session cookie *name* used as a parameter (`?JSESSIONID=…`,
//! `/login;jsessionid=…`, a form or JSON member), and text that writes a cookie
//! (`document.cookie=`, `Set-Cookie:`, `name=v; domain=…` with cookie attributes).

use super::subject::{class, find_iter, Hit, Needs, Subject, Tables};
use crate::trigger::FieldRole;

/// Session cookie names of web frameworks (Java, PHP, ASP.NET, Express/Koa/Sails, Laravel,
/// CodeIgniter, Play, CakePHP, ColdFusion, NextAuth, Meteor, Rails/Rack, Moodle, Roundcube,
/// SimpleSAMLphp, GitLab, Grafana, TYPO3, Perl CGI/Mojolicious/Dancer/Plack, Clojure Ring,
/// Vert.x, Keycloak, Discourse, Devise, XenForo, vBulletin, Zimbra, and the access gateways
/// SiteMinder, WebSEAL, Oracle Access Manager, SAP and F5 APM): a client never has a reason to
/// send one as a parameter.
const FRAMEWORK_NAMES: &[&str] = &[
    "jsessionid",
    "phpsessid",
    "asp.net_sessionid",
    "aspsessionid",
    "connect.sid",
    "sails.sid",
    "express.sid",
    "express:sess",
    "koa.sess",
    "koa:sess",
    "laravel_session",
    "ci_session",
    "play_session",
    "cakephp",
    "cfid",
    "cftoken",
    "cfsid",
    "next-auth.session-token",
    "meteor_login_token",
    "jwsession",
    "weblogicsession",
    "jservsession",
    "phpsession",
    "_rails_session",
    "rack.session",
    "jsessionidsso",
    ".aspxauth",
    ".aspnetcore.session",
    ".aspnetcore.cookies",
    "moodlesession",
    "roundcube_sessid",
    "simplesamlsessionid",
    "simplesamlauthtoken",
    "_gitlab_session",
    "grafana_session",
    "fe_typo_user",
    "beaker.session.id",
    "cgisessid",
    "mojolicious",
    "dancer.session",
    "plack_session",
    "ring-session",
    "vertx-web.session",
    "keycloak_session",
    "auth_session_id",
    "_forum_session",
    "remember_user_token",
    "xf_session",
    "bbsessionhash",
    "twikisid",
    "sqmsessid",
    "zm_auth_token",
    "smsession",
    "pd-s-session-id",
    "pd-h-session-id",
    "obssocookie",
    "oamauthncookie",
    "mysapsso2",
    "mrhsession",
    "lastmrh_session",
];

/// Session cookie names that end in a hash of the site (Drupal `SESS<md5>`, `SSESS<md5>` over
/// TLS, WordPress `wordpress_logged_in_<md5>`, Laravel `remember_web_<sha1>`, Shibboleth
/// `_shibsession_<hex>`): the prefix, then at least 16 hex digits and nothing else.
const HASHED_NAMES: &[&str] = &[
    "sess",
    "ssess",
    "wordpress_logged_in_",
    "wordpress_sec_",
    "remember_web_",
    "_shibsession_",
];

/// Cookie attributes only a `Set-Cookie` carries (a request's `Cookie` header never does).
const ATTRIBUTES: &[&[u8]] = &[b"domain=", b"expires=", b"max-age=", b"path=/"];

/// What `detect` needs to fire (see [`Needs`]): a session cookie name, or `cookie`, or a
/// cookie attribute.
pub(crate) fn needs() -> Needs {
    Needs::classes(0)
        .or_words(FRAMEWORK_NAMES)
        .or_words(HASHED_NAMES)
        .or_words(&["cookie", "domain=", "expires=", "max-age="])
}

/// Finds session fixation in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    let b = s.bytes();
    let cookie_header = is_cookie(s.path);
    if s.role == FieldRole::Key && !cookie_header && session_name(b) {
        return Some(Hit::new("session.fixation_param", 0, b.len()));
    }
    if s.role == FieldRole::Value && s.has(class::SEMI) {
        // `/login;jsessionid=…`: the identifier as a path parameter.
        for semi in memchr::memchr_iter(b';', b) {
            let rest = &b[semi + 1..];
            let named = FRAMEWORK_NAMES
                .iter()
                .find(|n| rest.starts_with(n.as_bytes()) && rest.get(n.len()) == Some(&b'='));
            if let Some(n) = named {
                return Some(Hit::new("session.fixation_param", semi, semi + n.len() + 2));
            }
        }
    }
    if !cookie_header && s.has(class::EQ | class::COLON | class::SEMI) {
        return cookie_write(b);
    }
    None
}

/// Whether a field is (inside) a `Cookie` header or the HTTP API `cookies` list.
fn is_cookie(path: &str) -> bool {
    let p = path.as_bytes();
    p.windows(7).any(|w| w.eq_ignore_ascii_case(b".cookie"))
        && (path.contains("eaders.") || path.starts_with("$.cookies"))
}

/// Whether a parameter name is a framework's session cookie. Generic names (`sessionid`,
/// `session_id`) are not: checkout return URLs and JSON bodies carry them for honest reasons.
fn session_name(key: &[u8]) -> bool {
    let key = key.trim_ascii();
    let key = key
        .strip_prefix(b"__secure-")
        .or_else(|| key.strip_prefix(b"__host-"))
        .unwrap_or(key);
    FRAMEWORK_NAMES
        .iter()
        .any(|n| key == n.as_bytes() || (*n == "aspsessionid" && key.starts_with(n.as_bytes())))
        || HASHED_NAMES.iter().any(|n| {
            key.strip_prefix(n.as_bytes())
                .is_some_and(|h| h.len() >= 16 && h.iter().all(u8::is_ascii_hexdigit))
        })
}

/// Text that sets a cookie: a script write (`document.cookie=`, `.cookie;expires=`), an
/// injected `Set-Cookie:` header, or `name=value` followed by `Set-Cookie` attributes.
fn cookie_write(b: &[u8]) -> Option<Hit> {
    for p in find_iter(b, b"cookie") {
        let mut j = p + 6;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let script = p > 0
            && b[p - 1] == b'.'
            && matches!(b.get(j), Some(b'=' | b';'))
            && b.get(j + 1) != Some(&b'=');
        let header = p >= 4 && b[..p].ends_with(b"set-") && b.get(j) == Some(&b':');
        if script || header {
            return Some(Hit::new("session.cookie_write", p.saturating_sub(4), j + 1));
        }
    }
    // `sid=abc; domain=.example.com`: a cookie with the attributes of a `Set-Cookie`.
    let eq = memchr::memchr(b'=', b)?;
    for semi in memchr::memchr_iter(b';', &b[eq..]).map(|s| s + eq) {
        let k = semi
            + 1
            + b[semi + 1..]
                .iter()
                .take_while(|c| c.is_ascii_whitespace())
                .count();
        if ATTRIBUTES.iter().any(|a| b[k..].starts_with(a)) {
            return Some(Hit::new("session.cookie_write", semi, k));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(role: FieldRole, path: &str, text: &str) -> Option<&'static str> {
        crate::inspect::subject::rule_at(detect, text, role, path)
    }

    #[test]
    fn session_ids_brought_by_the_request() {
        use FieldRole::{Key, Value};
        for (role, path, text) in [
            (Key, "$.queryStringParameters.PHPSESSID", "PHPSESSID"),
            (
                Key,
                "$.queryStringParameters.ASPSESSIONIDQASCTDSR",
                "ASPSESSIONIDQASCTDSR",
            ),
            (
                Key,
                "$.body['__Secure-next-auth.session-token']",
                "__Secure-next-auth.session-token",
            ),
            (Key, "$.body.laravel_session", "laravel_session"),
            (Key, "$.queryStringParameters.SMSESSION", "SMSESSION"),
            (Key, "$.queryStringParameters.CGISESSID", "CGISESSID"),
            (
                Key,
                "$.queryStringParameters._rails_session",
                "_rails_session",
            ),
            (
                Key,
                "$.queryStringParameters.SSESS4e7a8a0b5c1d2e3f4a5b6c7d8e9f0a1b",
                "SSESS4e7a8a0b5c1d2e3f4a5b6c7d8e9f0a1b",
            ),
            (
                Key,
                "$.body.wordpress_logged_in_9f2c1b7e4a3d5c6b8e0f1a2b3c4d5e6f",
                "wordpress_logged_in_9f2c1b7e4a3d5c6b8e0f1a2b3c4d5e6f",
            ),
            (Value, "$.path", "/account;jsessionid=0A1B2C"),
            (
                Value,
                "$.body.bio",
                "x<script>document.cookie = 'sid=1'</script>",
            ),
            (
                Value,
                "$.queryStringParameters.q",
                "a\r\nSet-Cookie: sid=evil",
            ),
            (
                Value,
                "$.queryStringParameters.next",
                "sid=abc; Domain=.example.org",
            ),
        ] {
            assert!(at(role, path, text).is_some(), "missed {text} at {path}");
        }
    }

    #[test]
    fn ordinary_sessions_and_prose_pass() {
        use FieldRole::{Key, Value};
        for (role, path, text) in [
            // The browser sends its own cookies: that is where they belong.
            (Key, "$.headers.Cookie.JSESSIONID", "JSESSIONID"),
            (Value, "$.headers.Cookie", "JSESSIONID=abc; theme=dark"),
            (Key, "$.cookies.PHPSESSID", "PHPSESSID"),
            // Session ids in JSON and checkout return URLs are ordinary data.
            (Key, "$.body.sessionId", "sessionId"),
            (Key, "$.queryStringParameters.session_id", "session_id"),
            (Key, "$.queryStringParameters.sessionid", "sessionid"),
            // A prefix alone, or one followed by words rather than a hash.
            (Key, "$.body.sessions", "sessions"),
            (Key, "$.body.session_expired", "session_expired"),
            (Key, "$.body.sessbeefcafe", "sessbeefcafe"),
            (
                Value,
                "$.body.note",
                "Our cookie policy: cookies expire after a year",
            ),
            (
                Value,
                "$.body.note",
                "set the cookie jar on the shelf; domain experts agree",
            ),
            (Value, "$.body.expr", "a == b; document.cookie == x"),
        ] {
            assert_eq!(
                at(role, path, text),
                None,
                "false positive on {text} at {path}"
            );
        }
    }
}

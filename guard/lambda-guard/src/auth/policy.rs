//! Least-privilege route authorization: `METHOD /path/{param}` → required scopes and groups.
//!
//! When `[auth.routes]` lists any route, a request whose route is not listed is refused (403)
//! after authentication: least privilege by default. A route marked `public` needs no token at
//! all. Templates match segment-wise: `{name}` is exactly one non-empty segment, `{name+}` (last
//! segment only) one or more. The most specific route wins (literal segments beat parameters,
//! an exact method beats `ANY`). When the trigger reports the route template it matched
//! (API Gateway), the policy is looked up by that template first.

use super::{claims::Claims, failure::Kind};
use percent_encoding::percent_decode_str;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What one route requires (`[auth.routes]` value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteRule {
    /// No token needed (and none is checked). Cannot be combined with `scopes` or `groups`.
    #[serde(default)]
    pub public: bool,
    /// Every one of these scopes is required (exact tokens of `scope`/`scp`).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Membership in at least one of these groups is required (`auth.jwt.groups_claim`).
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param,
    Greedy,
}

#[derive(Debug, Clone)]
struct Route {
    method: Option<String>,
    segments: Vec<Segment>,
    rule: RouteRule,
}

/// The compiled route table.
#[derive(Debug, Clone)]
pub(crate) struct RoutePolicy {
    routes: Vec<Route>,
}

const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
];

fn parse_template(path: &str) -> Result<Vec<Segment>, String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!("path `{path}` must start with `/`"));
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let last = parts.len() - 1;
    parts
        .iter()
        .enumerate()
        .map(|(i, seg)| {
            if let Some(inner) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let (name, greedy) = match inner.strip_suffix('+') {
                    Some(n) => (n, true),
                    None => (inner, false),
                };
                if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    return Err(format!("`{seg}` is not a `{{param}}` segment"));
                }
                if greedy && i != last {
                    return Err(format!("`{seg}` may only be the last segment"));
                }
                Ok(if greedy {
                    Segment::Greedy
                } else {
                    Segment::Param
                })
            } else if seg.is_empty() || seg.contains(['{', '}']) || *seg == "." || *seg == ".." {
                Err(format!(
                    "`{path}` has an empty, dot or partial-parameter segment"
                ))
            } else {
                Ok(Segment::Literal((*seg).to_string()))
            }
        })
        .collect()
}

fn parse_route(key: &str) -> Result<(Option<String>, Vec<Segment>), String> {
    let (method, path) = key
        .trim()
        .split_once(' ')
        .ok_or_else(|| format!("`{key}` is not `METHOD /path`"))?;
    let method = method.to_ascii_uppercase();
    let method = match method.as_str() {
        "ANY" | "*" => None,
        m if METHODS.contains(&m) => Some(method),
        _ => return Err(format!("`{method}` is not an HTTP method (or ANY)")),
    };
    Ok((method, parse_template(path.trim())?))
}

impl RoutePolicy {
    /// Compiles `[auth.routes]`; `None` when it is empty (authentication only).
    pub(crate) fn new(routes: &BTreeMap<String, RouteRule>) -> Result<Option<RoutePolicy>, String> {
        if routes.is_empty() {
            return Ok(None);
        }
        let mut compiled = Vec::with_capacity(routes.len());
        for (key, rule) in routes {
            let (method, segments) = parse_route(key)?;
            if rule.public && (!rule.scopes.is_empty() || !rule.groups.is_empty()) {
                return Err(format!("`{key}`: `public` cannot have scopes or groups"));
            }
            if rule
                .scopes
                .iter()
                .chain(&rule.groups)
                .any(|s| s.is_empty() || s.contains(' '))
            {
                return Err(format!(
                    "`{key}`: scopes and groups are single non-empty tokens"
                ));
            }
            if compiled
                .iter()
                .any(|r: &Route| r.method == method && r.segments == segments)
            {
                return Err(format!("`{key}` duplicates another route"));
            }
            compiled.push(Route {
                method,
                segments,
                rule: rule.clone(),
            });
        }
        Ok(Some(RoutePolicy { routes: compiled }))
    }

    /// The rule for a request: by the trigger's template when given, else by the path.
    pub(crate) fn lookup(
        &self,
        method: &str,
        path: &str,
        template: Option<&str>,
    ) -> Option<&RouteRule> {
        let fits = |r: &&Route| match &r.method {
            None => true,
            Some(m) => m.eq_ignore_ascii_case(method),
        };
        if let Some(t) = template.and_then(|t| parse_template(t).ok()) {
            let found = self
                .routes
                .iter()
                .filter(fits)
                .filter(|r| r.segments == t)
                .max_by_key(|r| r.method.is_some());
            if let Some(r) = found {
                return Some(&r.rule);
            }
        }
        let segments = concrete_segments(path)?;
        self.routes
            .iter()
            .filter(fits)
            .filter(|r| matches(&r.segments, &segments))
            .max_by_key(|r| (specificity(&r.segments), r.method.is_some()))
            .map(|r| &r.rule)
    }
}

/// A concrete path's decoded segments; `None` (no route matches) for dot segments, empty
/// interior segments or encoded slashes, which a backend might resolve differently.
fn concrete_segments(path: &str) -> Option<Vec<String>> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    // WebSocket events carry no path: they are the root.
    let rest = if path.is_empty() {
        ""
    } else {
        path.strip_prefix('/')?
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Some(Vec::new());
    }
    rest.split('/')
        .map(|seg| {
            let decoded = percent_decode_str(seg).decode_utf8().ok()?;
            if decoded.is_empty() || decoded == "." || decoded == ".." || decoded.contains('/') {
                return None;
            }
            Some(decoded.into_owned())
        })
        .collect()
}

fn matches(template: &[Segment], path: &[String]) -> bool {
    let mut i = 0;
    for seg in template {
        match seg {
            Segment::Greedy => return i < path.len(),
            Segment::Param => {
                if i >= path.len() {
                    return false;
                }
            }
            Segment::Literal(l) => {
                if path.get(i) != Some(l) {
                    return false;
                }
            }
        }
        i += 1;
    }
    i == path.len()
}

/// Literal segments outrank parameters, which outrank a greedy tail, position by position.
fn specificity(template: &[Segment]) -> Vec<u8> {
    template
        .iter()
        .map(|s| match s {
            Segment::Literal(_) => 2,
            Segment::Param => 1,
            Segment::Greedy => 0,
        })
        .collect()
}

/// Whether `claims` satisfy `rule` (authorization, after authentication).
pub(crate) fn authorize(rule: &RouteRule, claims: &Claims) -> Result<(), Kind> {
    if !rule.scopes.iter().all(|s| claims.has_scope(s)) {
        return Err(Kind::InsufficientScope);
    }
    if !rule.groups.is_empty() && !rule.groups.iter().any(|g| claims.in_group(g)) {
        return Err(Kind::NotInGroup);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(entries: &[(&str, RouteRule)]) -> RoutePolicy {
        let map = entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        RoutePolicy::new(&map).unwrap().unwrap()
    }

    fn scopes(s: &[&str]) -> RouteRule {
        RouteRule {
            scopes: s.iter().map(|x| x.to_string()).collect(),
            ..RouteRule::default()
        }
    }

    #[test]
    fn templates_match_segment_wise() {
        let public = RouteRule {
            public: true,
            ..RouteRule::default()
        };
        let p = policy(&[
            ("GET /orders/{id}", scopes(&["orders:read"])),
            ("POST /orders", scopes(&["orders:write"])),
            ("GET /orders/summary", public.clone()),
            ("ANY /files/{path+}", scopes(&["files"])),
        ]);
        assert_eq!(
            p.lookup("GET", "/orders/42", None),
            Some(&scopes(&["orders:read"]))
        );
        assert_eq!(p.lookup("GET", "/orders/summary", None), Some(&public));
        assert_eq!(
            p.lookup("get", "/orders/42/", None),
            Some(&scopes(&["orders:read"]))
        );
        assert_eq!(p.lookup("GET", "/orders/42/items", None), None);
        assert_eq!(p.lookup("GET", "/orders", None), None);
        assert_eq!(p.lookup("DELETE", "/orders/42", None), None);
        assert_eq!(p.lookup("GET", "/orders/%2e%2e", None), None);
        assert_eq!(p.lookup("GET", "/orders/a%2Fb", None), None);
        assert_eq!(p.lookup("GET", "/orders//x", None), None);
        assert_eq!(
            p.lookup("PUT", "/files/a/b", None),
            Some(&scopes(&["files"]))
        );
        assert_eq!(p.lookup("PUT", "/files", None), None);
        // The gateway's template decides over the concrete path.
        assert_eq!(
            p.lookup("GET", "/orders/summary", Some("/orders/{orderId}")),
            Some(&scopes(&["orders:read"]))
        );
    }

    #[test]
    fn bad_routes_are_refused() {
        for key in [
            "GET orders",
            "FETCH /x",
            "GET /a/{p+}/b",
            "GET /a/x{p}",
            "GET /a/../b",
        ] {
            let map = [(key.to_string(), RouteRule::default())]
                .into_iter()
                .collect();
            assert!(RoutePolicy::new(&map).is_err(), "{key}");
        }
    }
}

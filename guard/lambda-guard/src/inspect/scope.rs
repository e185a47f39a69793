//! Which settings apply to an event: scopes by trigger and route, and field allowlists by path.

use super::rules::RuleSet;
use crate::trigger::{HttpRequest, Trigger};

/// An HTTP route pattern: optional method, then a path of segments.
#[derive(Debug, Clone)]
pub(crate) struct RoutePattern {
    method: Option<String>,
    path: String,
}

impl RoutePattern {
    pub(crate) fn parse(text: &str) -> Option<RoutePattern> {
        let text = text.trim();
        let (method, path) = match text.split_once(' ') {
            Some((m, p)) => (Some(m.trim().to_ascii_uppercase()), p.trim()),
            None => (None, text),
        };
        if !path.starts_with('/') || method.as_deref().is_some_and(|m| m.is_empty()) {
            return None;
        }
        Some(RoutePattern {
            method,
            path: path.to_owned(),
        })
    }

    pub(crate) fn matches(&self, request: &HttpRequest) -> bool {
        if let Some(m) = &self.method {
            if m != "ANY" && *m != request.method {
                return false;
            }
        }
        if request.route.as_deref() == Some(self.path.as_str()) {
            return true;
        }
        let pattern: Vec<&str> = self.path.split('/').collect();
        let path: Vec<&str> = request.path.split('/').collect();
        segments_match(&pattern, &path)
    }
}

/// `*` and `{x}` match one segment, `**` any number (iterative, linear in practice: one `**`
/// backtrack point at a time, as glob matchers do).
fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    let one = |p: &str, s: &str| p == "*" || (p.starts_with('{') && p.ends_with('}')) || p == s;
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while s < path.len() {
        if p < pattern.len() && pattern[p] == "**" {
            star = Some((p, s));
            p += 1;
        } else if p < pattern.len() && one(pattern[p], path[s]) {
            p += 1;
            s += 1;
        } else if let Some((sp, ss)) = star {
            p = sp + 1;
            s = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|x| *x == "**")
}

/// Glob over a finding path: `*` matches any run of characters except `.` and `[`, `**` any
/// run at all. Bounded by the (short) pattern: O(pattern × path).
pub(crate) fn path_matches(pattern: &[u8], path: &[u8]) -> bool {
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize, bool)> = None; // (pattern after star, text pos, deep)
    while s < path.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            let deep = pattern.get(p + 1) == Some(&b'*');
            p += if deep { 2 } else { 1 };
            star = Some((p, s, deep));
        } else if p < pattern.len() && pattern[p] == path[s] {
            p += 1;
            s += 1;
        } else if let Some((sp, ss, deep)) = star {
            // A single star cannot swallow a segment boundary.
            if !deep && matches!(path[ss], b'.' | b'[' | b']') {
                return false;
            }
            p = sp;
            s = ss + 1;
            star = Some((sp, ss + 1, deep));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

/// An EventBridge `source` a scope names: exact (`aws.guardduty`), or a prefix and `*`
/// (`aws.guard*`).
#[derive(Debug, Clone)]
pub(crate) struct SourcePattern {
    stem: String,
    prefix: bool,
}

impl SourcePattern {
    /// `None` when `text` is empty or has a `*` anywhere but last.
    pub(crate) fn parse(text: &str) -> Option<SourcePattern> {
        let stem = text.strip_suffix('*').unwrap_or(text);
        (!stem.is_empty() && !stem.contains('*')).then(|| SourcePattern {
            stem: stem.to_owned(),
            prefix: stem.len() < text.len(),
        })
    }

    fn matches(&self, source: &str) -> bool {
        if self.prefix {
            source.starts_with(&self.stem)
        } else {
            source == self.stem
        }
    }
}

/// A compiled `[[inspect.scope]]`.
#[derive(Debug)]
pub(crate) struct Scope {
    pub(crate) trigger: Option<Trigger>,
    pub(crate) source: Option<SourcePattern>,
    pub(crate) route: Option<RoutePattern>,
    pub(crate) paranoia: Option<u8>,
    pub(crate) disable: RuleSet,
    pub(crate) enable: RuleSet,
    pub(crate) limits: [Option<usize>; 4],
    pub(crate) schema: Option<usize>,
}

impl Scope {
    /// Whether the scope applies to an event of `trigger`, with `http` its request and
    /// `source` its EventBridge source.
    pub(crate) fn matches(
        &self,
        trigger: Trigger,
        http: Option<&HttpRequest>,
        source: Option<&str>,
    ) -> bool {
        if self.trigger.is_some_and(|t| t != trigger) {
            return false;
        }
        if let Some(wanted) = &self.source {
            if !source.is_some_and(|s| wanted.matches(s)) {
                return false;
            }
        }
        match &self.route {
            None => true,
            Some(r) => http.is_some_and(|h| r.matches(h)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, path: &str, route: Option<&str>) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            path: path.into(),
            route: route.map(Into::into),
            ..HttpRequest::default()
        }
    }

    #[test]
    fn routes_match_templates_and_paths() {
        let p = RoutePattern::parse("POST /orders/{id}").unwrap();
        assert!(p.matches(&req("POST", "/orders/42", None)));
        assert!(!p.matches(&req("GET", "/orders/42", None)));
        assert!(p.matches(&req("POST", "/x", Some("/orders/{id}"))));
        let deep = RoutePattern::parse("/admin/**").unwrap();
        assert!(deep.matches(&req("GET", "/admin/a/b", None)));
        assert!(!deep.matches(&req("GET", "/public", None)));
        assert!(RoutePattern::parse("orders").is_none());
    }

    #[test]
    fn field_paths_glob() {
        assert!(path_matches(b"$.body.html", b"$.body.html"));
        assert!(path_matches(
            b"$.Records[*].body.html",
            b"$.Records[3].body.html"
        ));
        assert!(!path_matches(b"$.body.*", b"$.body.a.b"));
        assert!(path_matches(b"$.body.**", b"$.body.a.b"));
        assert!(!path_matches(b"$.body.html", b"$.body.htmlx"));
    }
}

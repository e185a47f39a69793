//! Input inspection: limits, optional JSON Schema validation and injection detectors over every
//! caller-controlled value (keys too) of every trigger.
//!
//! ```
//! use lambda_guard::{inspect::{InspectConfig, Inspector}, InputView};
//! let inspector = Inspector::new(&InspectConfig::default()).unwrap();
//! let event = serde_json::json!({
//!     "version": "2.0", "routeKey": "$default", "rawPath": "/orders",
//!     "requestContext": {"http": {"method": "GET"}},
//!     "queryStringParameters": {"id": "1' OR '1'='1"}
//! });
//! let mut findings = Vec::new();
//! inspector.inspect(&InputView::new(&event), &mut findings);
//! assert_eq!(findings[0].rule, "sqli.string_break");
//! assert_eq!(findings[0].path, "$.queryStringParameters.id");
//! ```
//!
//! How it works, per event:
//! 1. **Limits** first ([`limits`]): the raw event's size, depth and key count are measured
//!    before anything is decoded; an event over a limit is reported and not inspected further,
//!    so a hostile 6 MB event costs one linear walk.
//! 2. **Every field** of the [`InputView`] (keys and values, decoded bodies included) runs
//!    through the detectors twice at most: as the handler will see it, and normalized
//!    ([`normalize`]: repeated percent decoding, HTML entities, escapes). A finding records the
//!    view decodings and the normalization steps that revealed it.
//! 3. Detectors are tokenizers and small grammars, not regex lists ([`sqli`], [`xss`], [`cmdi`],
//!    …), so they recognise attack classes rather than known strings. Each states what it
//!    needs to fire (`needs()`: byte classes, keywords); one class pass and one keyword pass per
//!    value pick the detectors that run, so a plain value costs two passes over its bytes and no
//!    detector. Everything is linear time: no backtracking regex ever sees attacker input.
//!    A value found clean is remembered for the rest of the event ([`seen`]), asked before
//!    its scan (but for values of four bytes or fewer, whose scan costs less), so values
//!    repeated across records and array items are scanned and judged once.
//! 4. **Schema** validation per scope ([`schema`]), when configured.
//!
//! Precision controls: `paranoia` (1–4), `disable` (categories or rule ids), `[[inspect.allow]]`
//! per field path, and `[[inspect.scope]]` overrides per trigger or route. Findings name the
//! category, the rule id, the JSON path and a short redacted excerpt (never the whole value).

mod cmdi;
mod code;
mod compat;
mod compat_table;
mod config;
mod formula;
mod keywords;
mod ldapi;
mod limits;
mod logi;
mod normalize;
mod nosqli;
mod proto;
pub mod rules;
mod scanner;
mod schema;
mod scope;
mod seen;
mod session;
mod sqli;
mod ssrf;
mod ssti;
mod subject;
mod traversal;
mod xpath;
mod xss;
mod xxe;

pub use config::{
    AllowConfig, InspectConfig, ScopeConfig, DEFAULT_MAX_DEPTH, DEFAULT_MAX_EVENT_BYTES,
    DEFAULT_MAX_KEYS, DEFAULT_MAX_STRING_BYTES, DEFAULT_PARANOIA,
};

use crate::{
    config::ConfigError,
    decision::{Category, Finding},
    trigger::{Field, FieldRole, InputView},
};
use rules::RuleSet;
use scope::Scope;
use subject::{class, Hit, Needs, Scan, Subject, Tables};

/// Most findings one event reports (after that only records not yet refused get one), so a
/// hostile body full of payloads costs bounded memory and telemetry.
const MAX_FINDINGS: usize = 64;
/// Most detector hits one event pays for, reported or not (after that only records not yet
/// refused are read): payloads that all land at one path (the runs or strings of one binary
/// body) report one finding, and would otherwise run every detector to the end.
const MAX_HITS: usize = 4 * MAX_FINDINGS;
/// Values up to this long are passed over for classes and keywords before the memo of clean
/// values is asked ([`seen`]): for them the pass is the cheaper of the two.
const SCAN_FIRST: usize = 4;

/// The limits in force for one event.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) event_bytes: usize,
    pub(crate) depth: usize,
    pub(crate) keys: usize,
    pub(crate) string_bytes: usize,
}

impl Limits {
    fn apply(&mut self, o: [Option<usize>; 4]) {
        let [a, b, c, d] = o;
        self.event_bytes = a.unwrap_or(self.event_bytes);
        self.depth = b.unwrap_or(self.depth);
        self.keys = c.unwrap_or(self.keys);
        self.string_bytes = d.unwrap_or(self.string_bytes);
    }
}

/// Settings for one event, after scopes.
#[derive(Debug, Clone, Copy)]
struct Effective {
    paranoia: u8,
    disabled: RuleSet,
    limits: Limits,
    schema: Option<usize>,
}

#[derive(Debug)]
struct Allow {
    pattern: String,
    rules: RuleSet,
}

/// The detector families, in the order they run on a value, each with what it needs to fire.
type Detector = fn(&Subject<'_>, &Tables) -> Option<Hit>;
type NeedsOf = fn() -> Needs;
const DETECTORS: &[(Category, Detector, NeedsOf)] = &[
    (Category::Sqli, sqli::detect, sqli::needs),
    (Category::Xss, xss::detect, xss::needs),
    (Category::CommandInjection, cmdi::detect, cmdi::needs),
    (Category::PathTraversal, traversal::detect, traversal::needs),
    (Category::Ssrf, ssrf::detect, ssrf::needs),
    (Category::Ssti, ssti::detect, ssti::needs),
    (Category::CodeInjection, code::detect, code::needs),
    (Category::Xxe, xxe::detect, xxe::needs),
    (Category::Nosqli, nosqli::detect, nosqli::needs),
    (Category::LogInjection, logi::detect, logi::needs),
    (Category::PrototypePollution, proto::detect, proto::needs),
    (Category::SessionFixation, session::detect, session::needs),
    (Category::LdapInjection, ldapi::detect, ldapi::needs),
    (Category::XpathInjection, xpath::detect, xpath::needs),
    (Category::FormulaInjection, formula::detect, formula::needs),
    (Category::Scanner, scanner::detect, scanner::needs),
];
const _: () = assert!(DETECTORS.len() <= 32, "a scan keeps one bit per detector");

/// Every detector's needs, in [`DETECTORS`] order.
fn needs() -> Vec<Needs> {
    DETECTORS.iter().map(|d| (d.2)()).collect()
}

fn category_bit(c: Category) -> u32 {
    1 << rules::CATEGORIES.iter().position(|x| *x == c).unwrap_or(31)
}

/// Runs the configured checks over an [`InputView`]. Built once, at init; shareable.
#[derive(Debug)]
pub struct Inspector {
    paranoia: u8,
    limits: Limits,
    disabled: RuleSet,
    allow: Vec<Allow>,
    scopes: Vec<Scope>,
    schemas: Vec<schema::Schema>,
    tables: Tables,
}

impl Inspector {
    /// Builds the inspector: validates the configuration, compiles keyword automata and schemas.
    pub fn new(config: &InspectConfig) -> Result<Inspector, ConfigError> {
        config.validate()?;
        let mut schemas = Vec::new();
        let mut scopes = Vec::new();
        for (i, s) in config.scope.iter().enumerate() {
            let schema = match &s.schema {
                Some(path) => {
                    schemas.push(schema::Schema::load(
                        path,
                        &format!("inspect.scope[{i}].schema"),
                    )?);
                    Some(schemas.len() - 1)
                }
                None => None,
            };
            scopes.push(Scope {
                trigger: s
                    .trigger
                    .as_deref()
                    .and_then(crate::trigger::Trigger::from_name),
                source: s.source.as_deref().and_then(scope::SourcePattern::parse),
                route: s.route.as_deref().and_then(scope::RoutePattern::parse),
                paranoia: s.paranoia,
                disable: RuleSet::from_names(&s.disable),
                enable: RuleSet::from_names(&s.enable),
                limits: [
                    s.max_event_bytes,
                    s.max_depth,
                    s.max_keys,
                    s.max_string_bytes,
                ],
                schema,
            });
        }
        let allow = config
            .allow
            .iter()
            .map(|a| Allow {
                pattern: a.path.clone(),
                rules: if a.allow.is_empty() {
                    // Every injection category; limits and schema stay in force.
                    RuleSet::from_names(
                        &rules::CATEGORIES
                            .iter()
                            .filter(|c| !matches!(c, Category::Limit | Category::Schema))
                            .map(|c| c.name().to_owned())
                            .collect::<Vec<_>>(),
                    )
                } else {
                    RuleSet::from_names(&a.allow)
                },
            })
            .collect();
        Ok(Inspector {
            paranoia: config.paranoia.unwrap_or(DEFAULT_PARANOIA),
            limits: Limits {
                event_bytes: config.max_event_bytes.unwrap_or(DEFAULT_MAX_EVENT_BYTES),
                depth: config.max_depth.unwrap_or(DEFAULT_MAX_DEPTH),
                keys: config.max_keys.unwrap_or(DEFAULT_MAX_KEYS),
                string_bytes: config.max_string_bytes.unwrap_or(DEFAULT_MAX_STRING_BYTES),
            },
            disabled: RuleSet::from_names(&config.disable),
            allow,
            scopes,
            schemas,
            tables: Tables::new()?,
        })
    }

    fn effective(&self, view: &InputView<'_>) -> Effective {
        let mut e = Effective {
            paranoia: self.paranoia,
            disabled: self.disabled,
            limits: self.limits,
            schema: None,
        };
        let source = (view.trigger() == crate::trigger::Trigger::EventBridge)
            .then(|| view.event()["source"].as_str())
            .flatten();
        for s in &self.scopes {
            if s.matches(view.trigger(), view.http(), source) {
                e.paranoia = s.paranoia.unwrap_or(e.paranoia);
                e.disabled = e.disabled.without(s.enable).with(s.disable);
                e.limits.apply(s.limits);
                e.schema = s.schema.or(e.schema);
            }
        }
        e
    }

    /// Appends what it finds in `view` to `findings`. Never panics; linear in the event's size.
    pub fn inspect(&self, view: &InputView<'_>, findings: &mut Vec<Finding>) {
        let eff = self.effective(view);
        let first = findings.len();
        if let Some(f) = limits::check_event(view.event(), &eff.limits) {
            findings.push(f);
            return;
        }
        let mut walk = Walk {
            keys: 0,
            hits: 0,
            reported: 0,
            refused: vec![false; view.records().len()],
            lower: String::new(),
            first,
            seen: seen::Seen::default(),
        };
        view.for_each(|field| self.field(&eff, field, &mut walk, findings));
        if let Some(i) = eff.schema {
            if findings.len() - first < MAX_FINDINGS {
                self.schemas[i].validate(view, findings);
            }
        }
    }

    #[inline(always)] // reason: one call site, per field
    fn field(&self, eff: &Effective, field: &Field<'_>, walk: &mut Walk, out: &mut Vec<Finding>) {
        let refused = field
            .record
            .and_then(|r| walk.refused.get(r).copied())
            .unwrap_or(false);
        let spent = out.len() - walk.first >= MAX_FINDINGS || walk.hits >= MAX_HITS;
        if spent && (field.record.is_none() || refused) {
            return;
        }
        // A compressed payload past the event's inflation budget was cut: what it held past
        // the cut is unseen, so it is refused (fail closed) — each one, so that a batch
        // trigger refuses every record cut, not only the first.
        if field
            .transforms
            .contains(crate::trigger::Transforms::TRUNCATED)
        {
            let rule = ("limit.decoded_bytes", Category::Limit);
            self.push(eff, field, rule, 0, walk, out);
            return;
        }
        // Limits inside decoded bodies (the raw walk saw them as one string).
        if field.role == FieldRole::Key {
            walk.keys += 1;
            if walk.keys == eff.limits.keys + 1 && walk.reported & 1 == 0 {
                walk.reported |= 1;
                self.push(eff, field, ("limit.keys", Category::Limit), 0, walk, out);
            }
        }
        // Each level takes a byte of the path: a short path cannot be too deep.
        let path = field.path.as_str();
        if field.transforms.contains(crate::trigger::Transforms::JSON)
            && path.len() > eff.limits.depth
            && limits::path_depth(path) > eff.limits.depth
            && walk.reported & 2 == 0
        {
            walk.reported |= 2;
            self.push(eff, field, ("limit.depth", Category::Limit), 0, walk, out);
            return;
        }
        let text = field.text;
        if text.len() > eff.limits.string_bytes {
            self.push(
                eff,
                field,
                ("limit.string_bytes", Category::Limit),
                0,
                walk,
                out,
            );
            return;
        }
        if text.is_empty() {
            return;
        }
        // `%`, `+`, `&`, `\` or a non-ASCII byte (full-width forms) first: the class pass has
        // seen them.
        let decodable = class::OPS | class::AMP | class::BACKSLASH | class::HIGH;
        // A short value's pass costs less than asking the memo (a key, a tag, a status): one
        // that wakes nothing, decodes to nothing and holds no markup is done with. (The memo
        // is asked in both arms: one check after an `Option` of the early scan cost 0.5 %
        // more instructions on a 256 KB body.)
        let scan = if text.len() <= SCAN_FIRST {
            let scan = self.tables.scan(text, eff.paranoia);
            if scan.run == 0 && scan.cls & (decodable | class::ANGLE) == 0 {
                return;
            }
            if walk.seen.contains(field) {
                return;
            }
            scan
        } else {
            if walk.seen.contains(field) {
                return;
            }
            self.tables.scan(text, eff.paranoia)
        };
        let decoded = (scan.cls & decodable != 0)
            .then(|| normalize::decode(text, plus_words(field)))
            .flatten();
        let mut found = 0u32;
        let mut hit = self.forms(eff, field, text, &scan, 0, &mut found, walk, out);
        if let Some((decoded, flags)) = &decoded {
            let scan = self.tables.scan(decoded, eff.paranoia);
            hit |= self.forms(eff, field, decoded, &scan, *flags, &mut found, walk, out);
            if let Some(inner) = normalize::hidden_base64(decoded) {
                let flags = flags | normalize::BASE64;
                let scan = self.tables.scan(&inner, eff.paranoia);
                hit |= self.forms(eff, field, &inner, &scan, flags, &mut found, walk, out);
            }
        }
        // Markup's text, as an application that strips the tags reads it (a `<` in the value,
        // or one its decoding may have revealed).
        let angle = scan.cls & class::ANGLE != 0 || decoded.is_some();
        let plain = decoded
            .as_ref()
            .map_or((text, 0), |(d, f)| (d.as_str(), *f));
        if let Some(inner) = angle.then(|| normalize::markup_text(plain.0)).flatten() {
            let flags = plain.1 | normalize::MARKUP;
            let scan = self.tables.scan(&inner, eff.paranoia);
            hit |= self.forms(eff, field, &inner, &scan, flags, &mut found, walk, out);
        }
        if !hit {
            walk.seen.insert_last(field);
        }
    }

    /// Runs the detectors `text` may meet; whether any of them hit (reported or not).
    #[allow(clippy::too_many_arguments)] // reason: two call sites; a struct would only rename these
    fn forms(
        &self,
        eff: &Effective,
        field: &Field<'_>,
        text: &str,
        scan: &Scan,
        flags: u8,
        found: &mut u32,
        walk: &mut Walk,
        out: &mut Vec<Finding>,
    ) -> bool {
        if scan.run == 0 {
            return false; // No detector can fire: skip the lowercase copy and the detectors.
        }
        walk.lower.clear();
        walk.lower.push_str(text);
        walk.lower.make_ascii_lowercase();
        let lower = std::mem::take(&mut walk.lower);
        let mut subject = Subject::scanned(
            text,
            &lower,
            eff.paranoia,
            field.role,
            field.path.as_str(),
            scan,
        );
        subject.lines = field
            .transforms
            .contains(crate::trigger::Transforms::MESSAGE);
        let mut any_hit = false;
        // The detectors the scan kept, in order (most values keep none or one).
        let mut run = scan.run;
        while run != 0 {
            let i = run.trailing_zeros() as usize;
            run &= run - 1;
            let Some((category, detect, _)) = DETECTORS.get(i) else {
                break;
            };
            let bit = category_bit(*category);
            if *found & bit != 0 {
                continue;
            }
            if let Some(hit) = detect(&subject, &self.tables) {
                any_hit = true;
                walk.hits += 1;
                if self.push(eff, field, (hit.rule, *category), flags, walk, out) {
                    let last = out.len() - 1;
                    out[last].excerpt = normalize::excerpt(text, hit.start, hit.end);
                    *found |= bit;
                }
            }
        }
        walk.lower = lower;
        any_hit
    }

    /// Whether `text` is a plain link (`subject::plain_url`), on which detectors that do not
    /// read links are not run. For tests.
    #[doc(hidden)]
    pub fn is_plain_link(text: &str) -> bool {
        subject::plain_url(text.as_bytes())
    }

    /// Whether `text` is a header's list of tokens with parameters (`subject::header_list`),
    /// read as a plain link is. For tests.
    #[doc(hidden)]
    pub fn is_header_list(text: &str) -> bool {
        subject::header_list(text.as_bytes())
    }

    /// What the detectors that [`Tables::scan`] skipped would have found in `view`, as
    /// `rule at path` (every form, every field, limits ignored): empty unless a detector's
    /// `needs()` is not a necessary condition of its hits. For tests.
    #[doc(hidden)]
    pub fn fast_path_misses(&self, view: &InputView<'_>) -> Vec<String> {
        let paranoia = self.effective(view).paranoia;
        let mut misses = Vec::new();
        view.for_each(|field| {
            let decoded = normalize::decode(field.text, plus_words(field)).map(|d| d.0);
            for text in std::iter::once(field.text).chain(decoded.as_deref()) {
                let scan = self.tables.scan(text, paranoia);
                let lower = text.to_ascii_lowercase();
                let path = field.path.as_str();
                let subject = Subject::scanned(text, &lower, paranoia, field.role, path, &scan);
                for (i, (_, detect, _)) in DETECTORS.iter().enumerate() {
                    if scan.run & (1 << i) != 0 {
                        continue;
                    }
                    if let Some(hit) = detect(&subject, &self.tables) {
                        misses.push(format!("{} at {path} in {text:?}", hit.rule));
                    }
                }
            }
        });
        misses
    }

    /// Records a finding of `rule` (reported by a check of `category`) unless the rule is
    /// disabled or allowed at this path. A rule missing from [`rules::RULES`] (a test guards
    /// against it) is still reported: selectors cannot name it, so none can silence it.
    fn push(
        &self,
        eff: &Effective,
        field: &Field<'_>,
        (rule, category): (&'static str, Category),
        flags: u8,
        walk: &mut Walk,
        out: &mut Vec<Finding>,
    ) -> bool {
        let idx = rules::index(rule);
        debug_assert!(idx.is_some(), "unregistered rule {rule}");
        if let Some(idx) = idx {
            if eff.disabled.contains(idx) {
                return false;
            }
            if !self.allow.is_empty() {
                let path = field.path.as_str().as_bytes();
                let allowed = self.allow.iter().any(|a| {
                    a.rules.contains(idx) && scope::path_matches(a.pattern.as_bytes(), path)
                });
                if allowed {
                    return false;
                }
            }
        }
        if let Some(r) = field.record {
            if let Some(slot) = walk.refused.get_mut(r) {
                *slot = true;
            }
        }
        // A value read twice (raw and as its parser decodes it) holds one attack: one finding
        // per rule and path, with the transforms of the reading that found it first. Only this
        // record's findings can share its path, and they are the last ones (records are walked
        // in order): a batch with an attack in each of 10,000 records costs linear time.
        let path = field.path.as_str();
        if out[walk.first..]
            .iter()
            .rev()
            .take_while(|f| f.record == field.record)
            .any(|f| f.rule == rule && f.path == path)
        {
            return true;
        }
        out.push(Finding {
            category,
            rule: rule.into(),
            path: field.path.to_string(),
            excerpt: String::new(),
            record: field.record,
            transforms: field
                .transforms
                .names()
                .chain(normalize::names(flags))
                .collect(),
        });
        true
    }
}

/// Whether `+` in `field` may be a form-encoded space: anywhere but in a URL path.
fn plus_words(field: &Field<'_>) -> bool {
    !traversal::is_request_path(field.path.as_str())
}

struct Walk {
    keys: usize,
    /// Detector hits so far (`MAX_HITS`).
    hits: usize,
    reported: u8,
    refused: Vec<bool>,
    lower: String,
    first: usize,
    seen: seen::Seen,
}

#[cfg(test)]
mod tests;

//! The attack-surface inventory: what this function exposes, kept up to date as invocations
//! arrive, emitted at init and whenever it changes.
//!
//! ```
//! use lambda_guard::{telemetry::inventory::Inventory, Config, Trigger};
//! let mut inventory = Inventory::new(&Config::default(), 7 * 24 * 3600, Vec::new());
//! assert!(inventory.observe(Trigger::ApiGatewayHttp, Some("GET /orders/{id}"), Some(false), 1_000));
//! assert!(!inventory.observe(Trigger::ApiGatewayHttp, Some("GET /orders/{id}"), Some(false), 2_000));
//! assert_eq!(inventory.snapshot()["routes"][0]["route"], "GET /orders/{id}");
//! ```
//!
//! Routes are what the trigger reports (the route template where it has one, else the redacted
//! path); only requests the guard let through are counted, so a scanner's 401s do not grow the
//! map, and at most [`MAX_ROUTES`] routes are kept (the rest are counted as `overflow`). The
//! inventory lives in the execution environment: a route is a decommissioning candidate when
//! this environment has not seen it for `telemetry.stale_route_after_s`; a central system
//! aggregating the events of every environment sees the function-wide picture.

use crate::{config::Config, trigger::Trigger};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Routes kept per environment.
pub const MAX_ROUTES: usize = 64;

/// How often (ms) staleness is re-evaluated.
const STALE_CHECK_EVERY_MS: i64 = 60_000;

#[derive(Debug, Clone)]
struct RouteState {
    trigger: &'static str,
    public: Option<bool>,
    first_seen_ms: i64,
    last_seen_ms: i64,
    invocations: u64,
}

/// What the function exposes.
#[derive(Debug, Clone)]
pub struct Inventory {
    triggers: BTreeSet<&'static str>,
    routes: BTreeMap<String, RouteState>,
    overflow: u64,
    stale_after_ms: i64,
    last_stale_check_ms: i64,
    stale: BTreeSet<String>,
    policies: Value,
    secret_like_env: Vec<String>,
    config_hash: String,
}

impl Inventory {
    /// The inventory at init: policies and their modes, the config hash, and the given
    /// secret-looking environment variable names.
    pub fn new(config: &Config, stale_after_s: u64, secret_like_env: Vec<String>) -> Inventory {
        let policies = json!([
            {"area": "auth", "mode": config.auth_mode().name()},
            {"area": "inspect", "mode": config.inspect_mode().name()},
            {"area": "hygiene", "mode": config.hygiene_mode().name()},
        ]);
        Inventory {
            triggers: BTreeSet::new(),
            routes: BTreeMap::new(),
            overflow: 0,
            stale_after_ms: i64::try_from(stale_after_s.saturating_mul(1000)).unwrap_or(i64::MAX),
            last_stale_check_ms: 0,
            stale: BTreeSet::new(),
            policies,
            secret_like_env,
            config_hash: config_hash(config),
        }
    }

    /// Records one invocation (`route` for HTTP triggers when the guard let it through;
    /// `public` whether it ran without verified credentials). Returns whether the surface
    /// changed: a new trigger, a new route, a route turning public or private, or the set of
    /// stale routes.
    pub fn observe(
        &mut self,
        trigger: Trigger,
        route: Option<&str>,
        public: Option<bool>,
        now_ms: i64,
    ) -> bool {
        let mut changed = self.triggers.insert(trigger.name());
        if let Some(route) = route {
            let room = self.routes.len() < MAX_ROUTES;
            match self.routes.get_mut(route) {
                Some(state) => {
                    state.last_seen_ms = now_ms;
                    state.invocations += 1;
                    if public.is_some() && state.public != public {
                        state.public = public;
                        changed = true;
                    }
                }
                None if room => {
                    self.routes.insert(
                        route.to_owned(),
                        RouteState {
                            trigger: trigger.name(),
                            public,
                            first_seen_ms: now_ms,
                            last_seen_ms: now_ms,
                            invocations: 1,
                        },
                    );
                    changed = true;
                }
                None => self.overflow += 1,
            }
            if self.stale.remove(route) {
                changed = true;
            }
        }
        if now_ms - self.last_stale_check_ms >= STALE_CHECK_EVERY_MS {
            self.last_stale_check_ms = now_ms;
            let stale: BTreeSet<String> = self
                .routes
                .iter()
                .filter(|(_, s)| now_ms - s.last_seen_ms >= self.stale_after_ms)
                .map(|(r, _)| r.clone())
                .collect();
            if stale != self.stale {
                self.stale = stale;
                changed = true;
            }
        }
        changed
    }

    /// The inventory as it goes under the event's `unmapped.inventory`.
    pub fn snapshot(&self) -> Value {
        let routes: Vec<Value> = self
            .routes
            .iter()
            .map(|(route, s)| {
                json!({
                    "route": route,
                    "trigger": s.trigger,
                    "public": s.public,
                    "first_seen_time": s.first_seen_ms,
                    "last_seen_time": s.last_seen_ms,
                    "invocations": s.invocations,
                })
            })
            .collect();
        json!({
            "guard_version": super::ocsf::GUARD_VERSION,
            "config_hash": self.config_hash,
            "triggers": self.triggers,
            "routes": routes,
            "routes_overflow": self.overflow,
            "public_routes": self.routes.iter().filter(|(_, s)| s.public == Some(true)).map(|(r, _)| r).collect::<Vec<_>>(),
            "policies": self.policies,
            "secret_like_env": self.secret_like_env,
            "decommission_candidates": self.stale,
            "stale_after_s": self.stale_after_ms / 1000,
        })
    }
}

/// A stable fingerprint of the configuration in force (FNV-1a 64 over its debug rendering, which
/// holds no secret: the configuration carries key URLs, issuers and modes only). For change
/// detection, not integrity.
pub fn config_hash(config: &Config) -> String {
    let text = format!("{config:?}");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fnv1a64:{hash:016x}")
}

/// Names (never values) of environment variables that look like they hold secrets, except the
/// credentials Lambda itself provides to every function.
pub fn secret_like_env_names(names: impl Iterator<Item = String>) -> Vec<String> {
    const HINTS: [&str; 12] = [
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "ACCESS_KEY",
        "CLIENT_SECRET",
        "CONNECTION_STRING",
        "_DSN",
    ];
    const LAMBDA_PROVIDED: [&str; 3] = [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ];
    let mut found: Vec<String> = names
        .filter(|n| !LAMBDA_PROVIDED.contains(&n.as_str()))
        .filter(|n| {
            let upper = n.to_ascii_uppercase();
            HINTS.iter().any(|h| upper.contains(h)) || upper.ends_with("_PASS")
        })
        .collect();
    found.sort();
    found.truncate(64);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_only_and_not_lambdas_own() {
        let names = [
            "DB_PASSWORD",
            "STRIPE_API_KEY",
            "AWS_SESSION_TOKEN",
            "PATH",
            "PWD",
            "GUARD_JWT_ISSUER",
        ]
        .map(String::from);
        assert_eq!(
            secret_like_env_names(names.into_iter()),
            ["DB_PASSWORD", "STRIPE_API_KEY"]
        );
    }

    #[test]
    fn routes_go_stale_and_come_back() {
        let mut inv = Inventory::new(&Config::default(), 10, Vec::new());
        assert!(inv.observe(Trigger::Alb, Some("GET /a"), Some(true), 0));
        assert!(inv.observe(Trigger::Alb, Some("GET /b"), Some(true), 1_000));
        // 70 s later /a was not seen for 70 s: stale.
        assert!(inv.observe(Trigger::Alb, Some("GET /b"), Some(true), 70_000));
        assert_eq!(inv.snapshot()["decommission_candidates"][0], "GET /a");
        assert!(inv.observe(Trigger::Alb, Some("GET /a"), Some(true), 71_000));
        assert!(inv.snapshot()["decommission_candidates"]
            .as_array()
            .is_some_and(Vec::is_empty));
    }

    #[test]
    fn route_count_is_bounded() {
        let mut inv = Inventory::new(&Config::default(), 10, Vec::new());
        for i in 0..(MAX_ROUTES + 10) {
            inv.observe(Trigger::FunctionUrl, Some(&format!("GET /{i}")), None, 0);
        }
        assert_eq!(inv.snapshot()["routes_overflow"], 10);
    }
}

//! The engine: one decision per event, shared by every door (Tower layer, scan, extension).
//!
//! ```
//! # tokio_test_block_on(async {
//! use lambda_guard::{config::Config, decision::Decision, Guard};
//! let guard = Guard::new(Config::default()).await.unwrap();
//! let event = serde_json::json!({"version": "2.0", "routeKey": "$default", "rawPath": "/",
//!     "requestContext": {"http": {"method": "GET"}}, "headers": {}});
//! assert_eq!(guard.evaluate(&event).await.decision, Decision::Allow);
//! # });
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```

use crate::{
    auth::{AuthOutcome, Authenticator, Kind},
    config::{Config, ConfigError, Mode},
    decision::{Category, Decision, DenyReason, Finding, Verdict},
    hygiene::Hygiene,
    inspect::Inspector,
    telemetry::Telemetry,
    trigger::{InputView, Trigger},
};
use serde_json::Value;

/// The guard: configuration validated and every area built, once, at init.
#[derive(Debug)]
pub struct Guard {
    config: Config,
    auth: Option<Authenticator>,
    inspector: Option<Inspector>,
    /// Execution-environment hygiene (`None` when `hygiene.mode` is off).
    hygiene: Option<Hygiene>,
    telemetry: Telemetry,
}

impl Guard {
    /// Builds every enabled area from a validated configuration.
    pub async fn new(config: Config) -> Result<Guard, ConfigError> {
        config.validate()?;
        let auth = match config.auth_mode() {
            Mode::Off => None,
            _ => Some(Authenticator::new(&config.auth).await?),
        };
        let inspector = match config.inspect_mode() {
            Mode::Off => None,
            _ => Some(Inspector::new(&config.inspect)?),
        };
        let hygiene = match config.hygiene_mode() {
            Mode::Off => {
                Hygiene::new(&config)?; // switches the zeroizing allocator off
                None
            }
            _ => {
                let hygiene = Hygiene::new(&config)?;
                eprintln!(
                    "lambda-guard: hygiene ({}): {}",
                    hygiene.mode(),
                    hygiene.notice()
                );
                Some(hygiene)
            }
        };
        let telemetry = Telemetry::new(&config);
        Ok(Guard {
            config,
            auth,
            inspector,
            hygiene,
            telemetry,
        })
    }

    /// Loads the configuration from `GUARD_CONFIG` and `GUARD_*` and builds the guard.
    pub async fn from_env() -> Result<Guard, ConfigError> {
        Guard::new(Config::from_env()?).await
    }

    /// Execution-environment hygiene, when on (for a SnapStart after-restore hook:
    /// [`Hygiene::after_restore`]).
    pub fn hygiene(&self) -> Option<&Hygiene> {
        self.hygiene.as_ref()
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The telemetry built with the guard (see [`crate::telemetry`]).
    pub fn telemetry(&self) -> &Telemetry {
        &self.telemetry
    }

    /// Decides about one event. Never panics, whatever the event.
    pub async fn evaluate(&self, event: &Value) -> Verdict {
        let trigger = Trigger::detect(event);
        if self.auth.is_none() && self.inspector.is_none() {
            return Verdict::allow(trigger);
        }
        let view = InputView::with_trigger(event, trigger);
        let mut verdict = Verdict::allow(trigger);
        let mut deny = None;

        if self
            .auth
            .as_ref()
            .is_some_and(|a| !a.trigger_allowed(trigger))
        {
            verdict.findings.push(Finding::event(
                Category::Auth,
                Kind::TriggerNotAllowed.name(),
            ));
            if self.config.auth_mode() == Mode::Enforce {
                deny = Some(Kind::TriggerNotAllowed.reason());
            }
        } else if let (Some(auth), Some(request)) = (&self.auth, view.http()) {
            match auth.authenticate(request).await {
                AuthOutcome::Allowed { claims } => verdict.claims = claims,
                AuthOutcome::Denied(failure) => {
                    verdict
                        .findings
                        .push(Finding::event(Category::Auth, failure.kind));
                    if self.config.auth_mode() == Mode::Enforce {
                        deny = Some(failure.reason);
                    }
                }
            }
        }

        if let Some(inspector) = &self.inspector {
            let first = verdict.findings.len();
            inspector.inspect(&view, &mut verdict.findings);
            let found = &verdict.findings[first..];
            if self.config.inspect_mode() == Mode::Enforce && !found.is_empty() && deny.is_none() {
                match rejected_records(&view, found) {
                    Some(rejected) => verdict.decision = Decision::Filter { rejected },
                    None => deny = Some(strongest_reason(found)),
                }
            }
        }

        if let Some(reason) = deny {
            verdict.decision = Decision::Deny(reason);
        }
        verdict
    }

    /// Decides about raw bytes (scan, the extension): bytes that are not a JSON document are
    /// refused as malformed rather than guessed at.
    pub async fn evaluate_bytes(&self, bytes: &[u8]) -> Verdict {
        if std::str::from_utf8(bytes).is_err() {
            return Verdict::malformed("malformed.utf8");
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(event) => self.evaluate(&event).await,
            Err(_) => Verdict::malformed("malformed.json"),
        }
    }
}

/// For batch triggers: the records to drop, when every finding belongs to a record that can be
/// refused alone. `None` means the whole event must be refused.
fn rejected_records(view: &InputView<'_>, found: &[Finding]) -> Option<Vec<usize>> {
    if !view.trigger().supports_partial_batch() {
        return None;
    }
    let mut rejected = Vec::new();
    for finding in found {
        let index = finding.record?;
        view.records().get(index)?.id.as_ref()?;
        rejected.push(index);
    }
    rejected.sort_unstable();
    rejected.dedup();
    Some(rejected)
}

fn strongest_reason(found: &[Finding]) -> DenyReason {
    let reasons = found.iter().map(|f| f.category.deny_reason());
    [DenyReason::TooLarge, DenyReason::Malformed]
        .into_iter()
        .find(|r| reasons.clone().any(|x| x == *r))
        .unwrap_or(DenyReason::Injection)
}

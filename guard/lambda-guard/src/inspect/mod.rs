//! Input inspection: limits and injection detectors over every caller-controlled value.
//!
//! Interim foundation: size limits only; the detectors land with the inspection issue.

use crate::{
    config::{ConfigError, Env, Mode},
    decision::{Category, Finding},
    trigger::InputView,
};
use serde::Deserialize;

/// `[inspect]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectConfig {
    /// `inspect.mode` (`GUARD_INSPECT`).
    pub mode: Option<Mode>,
    /// `inspect.max_string_bytes` (`GUARD_INSPECT_MAX_STRING_BYTES`): longest single value.
    pub max_string_bytes: Option<usize>,
}

impl InspectConfig {
    pub(crate) fn apply_env(&mut self, env: &impl Env) -> Result<(), ConfigError> {
        if let Some(m) = env.parsed("GUARD_INSPECT", "inspect.mode")? {
            self.mode = Some(m);
        }
        if let Some(n) = env.parsed("GUARD_INSPECT_MAX_STRING_BYTES", "inspect.max_string_bytes")? {
            self.max_string_bytes = Some(n);
        }
        Ok(())
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        Ok(())
    }
}

/// Runs the configured checks over an [`InputView`].
#[derive(Debug)]
pub struct Inspector {
    max_string_bytes: usize,
}

impl Inspector {
    /// Builds the inspector (compiles rules once, at init).
    pub fn new(config: &InspectConfig) -> Result<Inspector, ConfigError> {
        Ok(Inspector {
            max_string_bytes: config.max_string_bytes.unwrap_or(1024 * 1024),
        })
    }

    /// Appends what it finds in `view` to `findings`.
    pub fn inspect(&self, view: &InputView<'_>, findings: &mut Vec<Finding>) {
        view.for_each(|field| {
            if field.text.len() > self.max_string_bytes {
                findings.push(Finding {
                    category: Category::Limit,
                    rule: "limit.string_bytes".into(),
                    path: field.path.to_string(),
                    excerpt: String::new(),
                    record: field.record,
                    transforms: field.transforms.names().collect(),
                });
            }
        });
    }
}

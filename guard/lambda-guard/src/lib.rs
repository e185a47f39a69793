//! # lambda-guard
//!
//! A runtime security guard embedded in AWS Lambda functions: it recognises every trigger, checks
//! JWT bearer tokens and route permissions, inspects every caller-controlled input for injection,
//! and refuses what fails in the trigger's own response shape, before the handler runs.
//!
//! One line guards a handler ([`run`], [`http::run`]); [`GuardLayer`] composes with your own
//! Tower stack. Configuration comes from `GUARD_CONFIG` (TOML) and `GUARD_*` variables
//! ([`config`]).
//!
//! Modules, one per concern: [`trigger`] (detection and the input view), [`auth`], [`inspect`],
//! [`decision`], [`engine`], [`response`], [`layer`] and [`http`] (the Tower glue).

#![forbid(unsafe_code)]

pub mod auth;
pub mod config;
pub mod decision;
pub mod engine;
pub mod http;
pub mod hygiene;
pub mod inspect;
pub mod layer;
pub mod response;
pub mod trigger;

pub use config::{Config, ConfigError, Mode};
pub use decision::{Category, Decision, DenyReason, Finding, Verdict};
pub use engine::Guard;
pub use layer::{claims, run, GuardLayer, GuardService, Typed};
pub use trigger::{InputView, Trigger};

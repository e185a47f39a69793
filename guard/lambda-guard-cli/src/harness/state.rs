//! The state the API server and the controller share, and the one wake-up signal they use.
//!
//! Every handler and the controller follow the same discipline: subscribe to [`Shared::changed`],
//! then inspect the state under the lock, then wait for a change. A change is announced after the
//! lock is released, so no wake-up is lost.

use bytes::Bytes;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::watch;

use super::telemetry::TelemetryHub;

/// One event on its way to the runtime.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    pub request_id: String,
    pub body: Bytes,
    pub deadline_ms: u64,
    pub trace_id: String,
    pub function_arn: String,
}

/// What the runtime answered.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// `POST …/response`.
    Response(Bytes),
    /// `POST …/error`, or a response Lambda refused (413).
    Error {
        body: Bytes,
        error_type: Option<String>,
    },
}

/// The invocation in flight.
#[derive(Debug)]
pub(crate) struct Current {
    pub request_id: String,
    pub delivered_at: Option<Instant>,
    pub outcome: Option<(Outcome, Instant)>,
}

/// An extension that registered.
#[derive(Debug)]
pub(crate) struct Extension {
    pub name: String,
    pub id: String,
    /// Upper-case event names it registered for (`INVOKE`, `SHUTDOWN`).
    pub events: Vec<String>,
    pub queue: VecDeque<Value>,
    /// A `GET /event/next` is parked.
    pub waiting: bool,
    /// SHUTDOWN was handed to it.
    pub shutdown_received: bool,
}

/// An error an extension or the runtime reported to an `…/init/error` or `…/exit/error` endpoint.
#[derive(Debug, Clone)]
pub(crate) struct ReportedError {
    pub source: String,
    pub error_type: String,
    pub body: Value,
}

/// Everything the handlers and the controller share.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Bumped on every (re)initialisation; requests parked in an older generation give up.
    pub generation: u64,
    /// Whether the runtime process has been started in this generation (late registrations are
    /// internal extensions).
    pub runtime_started: bool,
    /// The runtime has a `GET /next` parked.
    pub runtime_waiting: bool,
    pub pending: Option<Invocation>,
    pub current: Option<Current>,
    pub init_error: Option<ReportedError>,
    pub exit_errors: Vec<ReportedError>,
    pub extensions: Vec<Extension>,
    /// File names of the external extensions started in this generation, not yet registered.
    pub expected_external: Vec<String>,
    /// Set once shutdown began: no new registrations.
    pub shutting_down: bool,
}

/// What the function looks like from outside (fixed for a run).
#[derive(Debug, Clone)]
pub(crate) struct FunctionInfo {
    pub name: String,
    pub version: String,
    pub handler: String,
    pub arn: String,
    pub memory_mb: u64,
}

/// State plus the change signal.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    changed: watch::Sender<u64>,
    pub telemetry: TelemetryHub,
    pub function: FunctionInfo,
}

impl Shared {
    pub fn new(function: FunctionInfo) -> Self {
        Self {
            state: Mutex::new(State::default()),
            changed: watch::Sender::new(0),
            telemetry: TelemetryHub::default(),
            function,
        }
    }

    /// Locks the state (a poisoned lock is still usable: the state stays consistent per field).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A receiver to wait on; subscribe before inspecting the state.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Announces a change (call with the lock released).
    pub fn notify(&self) {
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// Mutates the state and announces it.
    pub fn update<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let r = f(&mut self.lock());
        self.notify();
        r
    }
}

//! The Tower glue: guarding Lambda handlers.
//!
//! The guard sits at the handler level, on `LambdaEvent<serde_json::Value>`: there a refusal is an
//! ordinary response or error that the runtime posts itself, and the event is still the whole raw
//! document (the `Runtime::layer` level sees bytes too, but a refusal there must post to the
//! Runtime API by hand and an error stops the run loop).
//!
//! One line for a typed handler:
//!
//! ```no_run
//! use lambda_runtime::{service_fn, Error, LambdaEvent};
//! use serde_json::Value;
//!
//! async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
//!     Ok(event.payload)
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     lambda_guard::run(service_fn(handler)).await
//! }
//! ```
//!
//! Or as an ordinary layer in your own stack (first added sees the event first):
//!
//! ```no_run
//! # async fn doc() -> Result<(), lambda_runtime::Error> {
//! use lambda_guard::{Guard, GuardLayer, Typed};
//! use lambda_runtime::{service_fn, Error, LambdaEvent};
//! use tower::ServiceBuilder;
//!
//! let guard = Guard::from_env().await?;
//! let service = ServiceBuilder::new()
//!     .layer(GuardLayer::new(guard))
//!     .service(Typed::new(service_fn(|e: LambdaEvent<serde_json::Value>| async move {
//!         Ok::<_, Error>(e.payload)
//!     })));
//! lambda_runtime::run(service).await
//! # }
//! ```

use crate::{
    auth::Claims,
    config::ConfigError,
    decision::{Decision, Verdict},
    engine::Guard,
    response,
    trigger::{InputView, Trigger},
};
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use std::{
    future::Future,
    marker::PhantomData,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};
use tower::{Layer, Service};
use tracing::Instrument;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

tokio::task_local! {
    static INVOCATION: Invocation;
}

/// What the guard established about the current invocation, readable from inside the handler.
#[derive(Debug, Clone, Default)]
struct Invocation {
    claims: Option<Arc<Claims>>,
}

/// The verified claims of the current invocation's caller, from inside a guarded handler.
///
/// `None` outside a guarded invocation, on public routes, and when auth is off.
pub fn claims() -> Option<Arc<Claims>> {
    INVOCATION.try_with(|i| i.claims.clone()).ok().flatten()
}

/// Builds [`GuardService`]s around a shared [`Guard`].
#[derive(Debug, Clone)]
pub struct GuardLayer {
    guard: Arc<Guard>,
}

impl GuardLayer {
    /// A layer deciding with `guard`.
    pub fn new(guard: Guard) -> GuardLayer {
        GuardLayer {
            guard: Arc::new(guard),
        }
    }

    /// A layer sharing an existing guard.
    pub fn from_shared(guard: Arc<Guard>) -> GuardLayer {
        GuardLayer { guard }
    }
}

impl<S> Layer<S> for GuardLayer {
    type Service = GuardService<S>;
    fn layer(&self, inner: S) -> GuardService<S> {
        GuardService {
            guard: self.guard.clone(),
            inner,
        }
    }
}

/// Runs the guard before `S`; a denied event never reaches `S`.
#[derive(Debug, Clone)]
pub struct GuardService<S> {
    guard: Arc<Guard>,
    inner: S,
}

impl<S> Service<LambdaEvent<Value>> for GuardService<S>
where
    S: Service<LambdaEvent<Value>, Response = Value> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<Diagnostic>,
{
    type Response = Value;
    type Error = Diagnostic;
    type Future = BoxFuture<Result<Value, Diagnostic>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Diagnostic>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, event: LambdaEvent<Value>) -> Self::Future {
        let guard = self.guard.clone();
        // The ready service goes into the future; a fresh clone waits for the next poll_ready.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        // Telemetry: the invocation span around the guarded call, and a bounded flush after it
        // (unless the Runtime-level FlushLayer flushes after the response instead).
        let telemetry = guard.telemetry().clone();
        let span = telemetry.invocation_span(&event.context, &event.payload);
        Box::pin(async move {
            let result = guarded_call(guard, inner, event).instrument(span).await;
            telemetry.end_invocation();
            result
        })
    }
}

async fn guarded_call<S>(
    guard: Arc<Guard>,
    inner: S,
    event: LambdaEvent<Value>,
) -> Result<Value, Diagnostic>
where
    S: Service<LambdaEvent<Value>, Response = Value>,
    S::Error: Into<Diagnostic>,
{
    // Decided first: a tenant named by a verified claim is known only once auth has run.
    let verdict = guard.evaluate(&event.payload).await;
    // Hygiene wraps the rest of the invocation, so it also runs after a denial or an error.
    let Some(hygiene) = guard.hygiene() else {
        return respond(&guard, verdict, inner, event).await;
    };
    let context = event.context.clone();
    let tenant = tenant_of(
        &context,
        verdict.claims.as_deref(),
        guard.config().hygiene.tenant_claim.as_deref(),
    );
    let invocation = hygiene.before_invocation(tenant.as_deref());
    let result = invocation
        .scope(respond(&guard, verdict, inner, event))
        .await;
    let report = hygiene.after_invocation(invocation);
    report.log(&context.request_id);
    report_hygiene(&guard, hygiene, &report, &context);
    result
}

/// The invocation's tenant: Lambda's tenant isolation header first, else the configured claim
/// of the verified token.
fn tenant_of(
    context: &lambda_runtime::Context,
    claims: Option<&Claims>,
    claim: Option<&str>,
) -> Option<String> {
    context.tenant_id.clone().or_else(|| {
        let value = claims?.get(claim?)?;
        Some(match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    })
}

/// What hygiene found and removed, as security events: residue left between invocations is a
/// Detection Finding; a wipe is File System Activity (counts only, never names or contents).
fn report_hygiene(
    guard: &Guard,
    hygiene: &crate::hygiene::Hygiene,
    report: &crate::hygiene::HygieneReport,
    context: &lambda_runtime::Context,
) {
    let telemetry = guard.telemetry();
    let tmp = report.tmp.clone().unwrap_or_default();
    let residue = [
        ("tmp_entries", tmp.removed()),
        ("store_entries", report.store_entries as u64),
        ("env_changes", report.env_restored),
        ("child_processes", report.children_ended),
        ("open_descriptors", report.fds_left_open as u64),
    ];
    for (kind, count) in residue.into_iter().filter(|(_, n)| *n > 0) {
        telemetry.residue(Some(context), kind, count);
    }
    if tmp.removed() > 0 && !report.dry_run {
        let dir = hygiene
            .tmp()
            .map(|t| t.path().display().to_string())
            .unwrap_or_default();
        telemetry.wipe(Some(context), &dir, tmp.removed(), tmp.bytes);
    }
}

/// Acts on the verdict: refuses in the trigger's shape, or calls the handler (without the
/// refused records) and adds the refused ones to its answer in the trigger's shape.
async fn respond<S>(
    guard: &Guard,
    verdict: Verdict,
    mut inner: S,
    mut event: LambdaEvent<Value>,
) -> Result<Value, Diagnostic>
where
    S: Service<LambdaEvent<Value>, Response = Value>,
    S::Error: Into<Diagnostic>,
{
    guard
        .telemetry()
        .invocation(&verdict, &event.payload, &event.context);
    let trigger = verdict.trigger;
    let mut refused = Vec::new();
    match &verdict.decision {
        Decision::Allow => {}
        Decision::Deny(reason) if trigger.is_http() => {
            let denial = response::http_denial(trigger, *reason, &event.payload);
            crate::hygiene::zeroize_value(&mut event.payload);
            return Ok(denial);
        }
        Decision::Deny(reason) if trigger == Trigger::ApiGatewayAuthorizer => {
            let denial = response::authorizer_denial(*reason, &event.payload);
            crate::hygiene::zeroize_value(&mut event.payload);
            return denial;
        }
        Decision::Deny(reason) => {
            crate::hygiene::zeroize_value(&mut event.payload);
            return Err(response::denial_error(*reason));
        }
        Decision::Filter { rejected } => {
            let ids: Vec<_> = InputView::with_trigger(&event.payload, trigger)
                .records()
                .iter()
                .map(|r| r.id.clone())
                .collect();
            refused = response::remove_records(&mut event.payload, trigger, rejected, &ids);
            if !response::has_records(&event.payload, trigger) {
                return Ok(response::merge_refused(trigger, Value::Null, &refused));
            }
        }
    }
    let scope = Invocation {
        claims: verdict.claims,
    };
    let output = INVOCATION
        .scope(scope, async move { inner.call(event).await })
        .await
        .map_err(Into::into)
        .inspect_err(|e: &Diagnostic| guard.telemetry().handler_error(&e.error_type))?;
    Ok(if refused.is_empty() {
        output
    } else {
        response::merge_refused(trigger, output, &refused)
    })
}

/// Adapts a typed handler (`LambdaEvent<T>` → `R`) to the guard's `LambdaEvent<Value>` → `Value`.
///
/// The event is deserialized after the guard decided, so a denied event is never parsed into the
/// handler's types; an event that does not fit `T` is an invocation error with a generic message.
pub struct Typed<S, T> {
    inner: S,
    _event: PhantomData<fn(T)>,
}

impl<S: Clone, T> Clone for Typed<S, T> {
    fn clone(&self) -> Self {
        Typed {
            inner: self.inner.clone(),
            _event: PhantomData,
        }
    }
}

impl<S, T> Typed<S, T> {
    /// Wraps a typed handler.
    pub fn new(inner: S) -> Typed<S, T> {
        Typed {
            inner,
            _event: PhantomData,
        }
    }
}

impl<S, T, R> Service<LambdaEvent<Value>> for Typed<S, T>
where
    S: Service<LambdaEvent<T>, Response = R>,
    S::Future: Send + 'static,
    S::Error: Into<Diagnostic>,
    T: DeserializeOwned,
    R: Serialize,
{
    type Response = Value;
    type Error = Diagnostic;
    type Future = BoxFuture<Result<Value, Diagnostic>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Diagnostic>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, event: LambdaEvent<Value>) -> Self::Future {
        let LambdaEvent {
            mut payload,
            context,
        } = event;
        // Deserialized from a borrow so the guard's copy of the event can be zeroized (moving it
        // into `T` would free its strings unwiped).
        let typed = T::deserialize(&payload);
        crate::hygiene::zeroize_value(&mut payload);
        let payload: T = match typed {
            Ok(p) => p,
            Err(_) => {
                return Box::pin(std::future::ready(Err(Diagnostic {
                    error_type: "Runtime.InvalidEvent".to_owned(),
                    error_message: "the event does not have the shape this function accepts"
                        .to_owned(),
                })))
            }
        };
        let fut = self.inner.call(LambdaEvent::new(payload, context));
        Box::pin(async move {
            let response = fut.await.map_err(Into::into)?;
            serde_json::to_value(response).map_err(|e| Diagnostic {
                error_type: "Runtime.SerializationError".to_owned(),
                error_message: e.to_string(),
            })
        })
    }
}

/// Runs a typed handler under the guard configured from the environment.
///
/// Invalid configuration is reported to the Runtime API's `init/error` (naming the bad key) and
/// returned: the function never starts unguarded.
pub async fn run<S, T, R>(handler: S) -> Result<(), lambda_runtime::Error>
where
    S: Service<LambdaEvent<T>, Response = R> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Diagnostic>,
    T: DeserializeOwned + Send + 'static,
    R: Serialize + 'static,
{
    let guard = init_guard().await?;
    let telemetry = guard.telemetry().clone();
    telemetry.install();
    let service = GuardLayer::new(guard).layer(Typed::new(handler));
    lambda_runtime::Runtime::new(service)
        .layer(lambda_runtime::layers::TracingLayer::new())
        .layer(telemetry.flush_layer())
        .run()
        .await
}

/// Builds the guard from the environment, reporting a configuration error to Lambda.
pub async fn init_guard() -> Result<Guard, lambda_runtime::Error> {
    init_guard_with(|_| {}).await
}

/// Builds the guard from the environment with `adjust` applied before validation (see
/// [`Config::load_with`](crate::Config::load_with)), reporting a configuration error to Lambda.
pub async fn init_guard_with(
    adjust: impl FnOnce(&mut crate::Config),
) -> Result<Guard, lambda_runtime::Error> {
    let guard = match crate::Config::load_with(crate::config::ProcessEnv, adjust) {
        Ok(config) => Guard::new(config).await,
        Err(e) => Err(e),
    };
    match guard {
        Ok(guard) => Ok(guard),
        Err(error) => {
            report_init_error(&error).await;
            Err(Box::new(error))
        }
    }
}

/// Posts a configuration error to `/runtime/init/error`, so Lambda (and the harness) show why the
/// function did not start. `lambda_runtime` exposes no API for this, so it is sent directly.
pub async fn report_init_error(error: &ConfigError) {
    eprintln!("lambda-guard: invalid configuration: {error}");
    let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") else {
        return;
    };
    let body = serde_json::json!({
        "errorType": "LambdaGuard.InvalidConfiguration",
        "errorMessage": error.to_string(),
    })
    .to_string();
    let sent = async {
        // Lambda sets a bare `host:port`; emulators such as cargo-lambda add a scheme and path.
        let base = if api.starts_with("http://") || api.starts_with("https://") {
            api.parse()?
        } else {
            format!("http://{api}").parse()?
        };
        let client = lambda_runtime_api_client::Client::builder()
            .with_endpoint(base)
            .build()?;
        let request = lambda_runtime_api_client::build_request()
            .method("POST")
            .uri("/2018-06-01/runtime/init/error")
            .header(
                "lambda-runtime-function-error-type",
                "LambdaGuard.InvalidConfiguration",
            )
            .header("content-type", "application/json")
            .body(lambda_runtime_api_client::body::Body::from(body))?;
        client.call(request).await?;
        Ok::<_, lambda_runtime::Error>(())
    };
    // Bounded: some emulators never answer init/error, and init must still end.
    match tokio::time::timeout(std::time::Duration::from_secs(2), sent).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("lambda-guard: could not report the init error: {e}"),
        Err(_) => eprintln!("lambda-guard: the Runtime API did not acknowledge init/error in 2 s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(map: Value) -> Claims {
        Claims::unverified_for_tests(map.as_object().cloned().unwrap_or_default())
    }

    #[test]
    fn tenant_comes_from_lambda_first_then_the_configured_claim() {
        let mut context = lambda_runtime::Context::default();
        let c = claims(json!({"sub": "u1", "org": "acme", "num": 7}));
        assert_eq!(
            tenant_of(&context, Some(&c), Some("org")).as_deref(),
            Some("acme")
        );
        assert_eq!(
            tenant_of(&context, Some(&c), Some("num")).as_deref(),
            Some("7")
        );
        assert_eq!(tenant_of(&context, Some(&c), Some("missing")), None);
        assert_eq!(tenant_of(&context, Some(&c), None), None);
        assert_eq!(tenant_of(&context, None, Some("org")), None);
        context.tenant_id = Some("lambda-tenant".into());
        assert_eq!(
            tenant_of(&context, Some(&c), Some("org")).as_deref(),
            Some("lambda-tenant")
        );
    }
}

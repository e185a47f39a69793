//! Guarding `lambda_http` services (including axum `Router`s).
//!
//! ```no_run
//! use lambda_http::{service_fn, Body, Error, Request, Response};
//!
//! async fn handler(_req: Request) -> Result<Response<Body>, Error> {
//!     Ok(Response::new("hello".into()))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     lambda_guard::http::run(service_fn(handler)).await
//! }
//! ```
//!
//! The guard decides on the raw event, then the event is converted with `lambda_http`'s own
//! adapter. Verified claims reach the handler as a request extension:
//! `request.extensions().get::<VerifiedClaims>()`.

use crate::{auth::Claims, layer};
use lambda_http::{request::LambdaRequest, IntoResponse, Request};
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::Value;
use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};
use tower::{Layer, Service};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The verified claims, as a request extension.
#[derive(Debug, Clone)]
pub struct VerifiedClaims(pub Arc<Claims>);

/// Adapts a `lambda_http` service to the guard's `LambdaEvent<Value>` → `Value` service.
#[derive(Debug, Clone)]
pub struct HttpService<S> {
    inner: S,
}

/// Wraps an HTTP service so a [`crate::GuardLayer`] can sit in front of it.
pub fn adapt<S>(service: S) -> HttpService<S> {
    HttpService { inner: service }
}

/// Inserts the verified claims of the current invocation into each request.
#[derive(Debug, Clone)]
struct WithClaims<S>(S);

impl<S: Service<Request>> Service<Request> for WithClaims<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> S::Future {
        if let Some(claims) = layer::claims() {
            request.extensions_mut().insert(VerifiedClaims(claims));
        }
        self.0.call(request)
    }
}

impl<S, R, E> Service<LambdaEvent<Value>> for HttpService<S>
where
    S: Service<Request, Response = R, Error = E> + Clone + Send + 'static,
    S::Future: Send + 'static,
    R: IntoResponse + 'static,
    E: Into<Diagnostic> + 'static,
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
        // From a borrow, so the guard's copy of the event can be zeroized (hygiene).
        let parsed = <LambdaRequest as serde::Deserialize>::deserialize(&payload);
        crate::hygiene::zeroize_value(&mut payload);
        let request: LambdaRequest = match parsed {
            Ok(r) => r,
            Err(_) => {
                return Box::pin(std::future::ready(Err(Diagnostic {
                    error_type: "Runtime.InvalidEvent".to_owned(),
                    error_message: "the event is not an HTTP request this function accepts"
                        .to_owned(),
                })))
            }
        };
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let mut adapter = lambda_http::Adapter::from(WithClaims(inner));
        // `Adapter::call` calls the inner service synchronously, inside the guard's invocation
        // scope, which is how `WithClaims` sees the claims.
        let fut = adapter.call(LambdaEvent::new(request, context));
        Box::pin(async move {
            let response = fut.await.map_err(Into::into)?;
            serde_json::to_value(response).map_err(|e| Diagnostic {
                error_type: "Runtime.SerializationError".to_owned(),
                error_message: e.to_string(),
            })
        })
    }
}

/// Runs a `lambda_http` service under the guard configured from the environment.
pub async fn run<S, R, E>(service: S) -> Result<(), lambda_runtime::Error>
where
    S: Service<Request, Response = R, Error = E> + Clone + Send + 'static,
    S::Future: Send + 'static,
    R: IntoResponse + 'static,
    E: Into<Diagnostic> + 'static,
{
    run_with(|_| {}, service).await
}

/// Like [`run`], with policy stated in code: `adjust` edits the loaded configuration before it
/// is validated, e.g. `|c| c.auth.mode = Some(Mode::Enforce)` so a deployment without JWT
/// settings fails init instead of serving unauthenticated requests.
pub async fn run_with<S, R, E>(
    adjust: impl FnOnce(&mut crate::Config),
    service: S,
) -> Result<(), lambda_runtime::Error>
where
    S: Service<Request, Response = R, Error = E> + Clone + Send + 'static,
    S::Future: Send + 'static,
    R: IntoResponse + 'static,
    E: Into<Diagnostic> + 'static,
{
    let guard = layer::init_guard_with(adjust).await?;
    let service = crate::GuardLayer::new(guard).layer(adapt(service));
    lambda_runtime::run(service).await
}

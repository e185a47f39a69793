//! The HTTP side of the harness: Runtime API (2018-06-01), Extensions API (2020-01-01) and
//! Telemetry API (2022-07-01), served at the root path of a loopback port so every runtime
//! interface client works unmodified.
//!
//! hyper 1 is used directly (it is already in the tree through `lambda_runtime`): nine routes do
//! not need a router, and the long-polling `next` endpoints are plain async functions.

#![allow(
    clippy::result_large_err,
    reason = "helpers fail with the ready-made HTTP response; boxing it buys nothing here"
)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;

use super::ids;
use super::state::{Current, Extension, Outcome, ReportedError, Shared};

/// Lambda's synchronous response limit (6 MB as Lambda counts it).
pub(crate) const MAX_RESPONSE_BYTES: usize = 6_291_556;

const RUNTIME: &str = "/2018-06-01/runtime";
const EXTENSION: &str = "/2020-01-01/extension";
const TELEMETRY: &str = "/2022-07-01/telemetry";

/// Accepts connections until the task is aborted.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(route(req, &shared).await) }
            });
            // Title-case header names, as Lambda sends them (`Lambda-Runtime-Aws-Request-Id`):
            // clients that look headers up case-sensitively keep working.
            let _ = hyper::server::conn::http1::Builder::new()
                .title_case_headers(true)
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

type Resp = Response<Full<Bytes>>;

fn reply(status: StatusCode, body: Value) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn failure(status: StatusCode, error_type: &str, message: impl Into<String>) -> Resp {
    reply(
        status,
        json!({"errorType": error_type, "errorMessage": message.into()}),
    )
}

fn accepted() -> Resp {
    reply(StatusCode::ACCEPTED, json!({"status": "OK"}))
}

fn header(req: &Request<Incoming>, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Most of an oversized body the harness reads (and drops) so the client sees a clean answer.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// Reads a body up to `limit` bytes; `None` when it is larger (or broken). The rest of an
/// oversized body is read and dropped (up to [`DRAIN_LIMIT`]), so the client gets the 413 rather
/// than a reset connection, as from Lambda.
async fn body(req: Request<Incoming>, limit: usize) -> Option<Bytes> {
    let mut body = req.into_body();
    let mut buf = bytes::BytesMut::new();
    let mut seen = 0usize;
    // Bounded: stops at the end of the body, on an error, or past DRAIN_LIMIT.
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.ok()?.into_data() else {
            continue; // trailers
        };
        seen = seen.saturating_add(data.len());
        if seen <= limit {
            buf.extend_from_slice(&data);
        } else if seen > DRAIN_LIMIT {
            return None;
        }
    }
    (seen <= limit).then(|| buf.freeze())
}

async fn route(req: Request<Incoming>, shared: &Shared) -> Resp {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    if let Some(rest) = path.strip_prefix(RUNTIME) {
        match (method, rest) {
            (Method::GET, "/invocation/next") => runtime_next(shared).await,
            (Method::POST, "/init/error") => runtime_init_error(req, shared).await,
            (Method::POST, r) if r.starts_with("/invocation/") => {
                let r = &r["/invocation/".len()..];
                if let Some(id) = r.strip_suffix("/response") {
                    let id = id.to_owned();
                    runtime_response(req, shared, &id).await
                } else if let Some(id) = r.strip_suffix("/error") {
                    let id = id.to_owned();
                    runtime_error(req, shared, &id).await
                } else {
                    not_found(&path)
                }
            }
            _ => not_found(&path),
        }
    } else if let Some(rest) = path.strip_prefix(EXTENSION) {
        match (method, rest) {
            (Method::POST, "/register") => extension_register(req, shared).await,
            (Method::GET, "/event/next") => extension_next(req, shared).await,
            (Method::POST, "/init/error") => extension_error(req, shared, true).await,
            (Method::POST, "/exit/error") => extension_error(req, shared, false).await,
            _ => not_found(&path),
        }
    } else if path == TELEMETRY && method == Method::PUT {
        telemetry_subscribe(req, shared).await
    } else {
        not_found(&path)
    }
}

fn not_found(path: &str) -> Resp {
    failure(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("lambda-guard harness: no such endpoint {path}"),
    )
}

// ---- Runtime API -------------------------------------------------------------------------------

async fn runtime_next(shared: &Shared) -> Resp {
    let mut rx = shared.subscribe();
    let generation = {
        let mut s = shared.lock();
        s.runtime_waiting = true;
        s.generation
    };
    shared.notify();
    loop {
        {
            let mut s = shared.lock();
            if s.generation != generation {
                return failure(
                    StatusCode::GONE,
                    "Runtime.Reset",
                    "the execution environment was reset",
                );
            }
            if let Some(inv) = s.pending.take() {
                s.runtime_waiting = false;
                if let Some(c) = s.current.as_mut() {
                    c.delivered_at = Some(Instant::now());
                }
                drop(s);
                shared.notify();
                let mut r = Response::new(Full::new(inv.body));
                let h = r.headers_mut();
                let mut put = |k: &'static str, v: &str| {
                    if let Ok(v) = HeaderValue::from_str(v) {
                        h.insert(k, v);
                    }
                };
                put("content-type", "application/json");
                put("lambda-runtime-aws-request-id", &inv.request_id);
                put("lambda-runtime-deadline-ms", &inv.deadline_ms.to_string());
                put("lambda-runtime-invoked-function-arn", &inv.function_arn);
                put("lambda-runtime-trace-id", &inv.trace_id);
                return r;
            }
        }
        if rx.changed().await.is_err() {
            return failure(
                StatusCode::SERVICE_UNAVAILABLE,
                "Runtime.Stopped",
                "harness stopped",
            );
        }
    }
}

fn check_request_id(shared: &Shared, id: &str) -> Result<(), Resp> {
    let s = shared.lock();
    match &s.current {
        Some(Current {
            request_id,
            outcome: None,
            ..
        }) if request_id == id => Ok(()),
        Some(Current { request_id, .. }) if request_id == id => Err(failure(
            StatusCode::BAD_REQUEST,
            "InvalidStateTransition",
            format!("invocation {id} already has a result"),
        )),
        _ => Err(failure(
            StatusCode::BAD_REQUEST,
            "InvalidRequestID",
            format!("invalid request id {id}"),
        )),
    }
}

fn settle(shared: &Shared, id: &str, outcome: Outcome) {
    shared.update(|s| {
        if let Some(c) = s.current.as_mut() {
            if c.request_id == id && c.outcome.is_none() {
                c.outcome = Some((outcome, Instant::now()));
            }
        }
    });
}

async fn runtime_response(req: Request<Incoming>, shared: &Shared, id: &str) -> Resp {
    if let Err(r) = check_request_id(shared, id) {
        return r;
    }
    match body(req, MAX_RESPONSE_BYTES).await {
        Some(b) => {
            settle(shared, id, Outcome::Response(b));
            accepted()
        }
        None => {
            let msg = format!(
                "Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
            );
            let err = json!({"errorType": "Function.ResponseSizeTooLarge", "errorMessage": msg});
            settle(
                shared,
                id,
                Outcome::Error {
                    body: Bytes::from(err.to_string()),
                    error_type: Some("Function.ResponseSizeTooLarge".into()),
                },
            );
            failure(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                format!("Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."),
            )
        }
    }
}

async fn runtime_error(req: Request<Incoming>, shared: &Shared, id: &str) -> Resp {
    if let Err(r) = check_request_id(shared, id) {
        return r;
    }
    let error_type = header(&req, "lambda-runtime-function-error-type");
    let b = body(req, MAX_RESPONSE_BYTES).await.unwrap_or_default();
    settle(
        shared,
        id,
        Outcome::Error {
            body: b,
            error_type,
        },
    );
    accepted()
}

async fn runtime_init_error(req: Request<Incoming>, shared: &Shared) -> Resp {
    let header_type = header(&req, "lambda-runtime-function-error-type");
    let b = body(req, MAX_RESPONSE_BYTES).await.unwrap_or_default();
    let value = serde_json::from_slice::<Value>(&b)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&b).into_owned()));
    let error_type = value["errorType"]
        .as_str()
        .map(str::to_owned)
        .or(header_type)
        .unwrap_or_else(|| "Runtime.Unknown".into());
    shared.update(|s| {
        s.init_error.get_or_insert(ReportedError {
            source: "runtime".into(),
            error_type,
            body: value,
        });
    });
    accepted()
}

// ---- Extensions API ----------------------------------------------------------------------------

async fn extension_register(req: Request<Incoming>, shared: &Shared) -> Resp {
    let Some(name) = header(&req, "lambda-extension-name") else {
        return failure(
            StatusCode::BAD_REQUEST,
            "Extension.MissingExtensionName",
            "header Lambda-Extension-Name is required",
        );
    };
    let wants_account = header(&req, "lambda-extension-accept-feature")
        .is_some_and(|f| f.split(',').any(|f| f.trim() == "accountId"));
    let b = body(req, 64 * 1024).await.unwrap_or_default();
    let events: Vec<String> = serde_json::from_slice::<Value>(&b)
        .ok()
        .and_then(|v| {
            v["events"].as_array().map(|a| {
                a.iter()
                    .filter_map(|e| e.as_str().map(str::to_ascii_uppercase))
                    .collect()
            })
        })
        .unwrap_or_default();
    if let Some(bad) = events
        .iter()
        .find(|e| !matches!(e.as_str(), "INVOKE" | "SHUTDOWN"))
    {
        return failure(
            StatusCode::BAD_REQUEST,
            "Extension.InvalidEventType",
            format!("unknown event type {bad}"),
        );
    }
    let id = ids::uuid_v4();
    let registered = {
        let mut s = shared.lock();
        let registered: Result<(), Resp> = if s.shutting_down {
            Err(failure(
                StatusCode::FORBIDDEN,
                "Extension.RegistrationTooLate",
                "the environment is shutting down",
            ))
        } else if s.extensions.iter().any(|e| e.name == name) {
            Err(failure(
                StatusCode::CONFLICT,
                "Extension.AlreadyRegistered",
                format!("extension {name} is already registered"),
            ))
        } else if let Some(i) = s.expected_external.iter().position(|n| *n == name) {
            s.expected_external.remove(i);
            Ok(())
        } else if s.runtime_started && s.current.is_none() {
            // Registered from inside the runtime process during init: an internal extension.
            Ok(())
        } else {
            Err(failure(
                StatusCode::FORBIDDEN,
                "Extension.UnknownExtension",
                format!(
                    "{name:?} is not the file name of an extension in a layer's extensions/ \
                     directory (Lambda-Extension-Name must equal it)"
                ),
            ))
        };
        if registered.is_ok() {
            s.extensions.push(Extension {
                name: name.clone(),
                id: id.clone(),
                events: events.clone(),
                queue: Default::default(),
                waiting: false,
                shutdown_received: false,
            });
        }
        registered
    };
    if let Err(r) = registered {
        return r;
    }
    shared.notify();
    shared.telemetry.emit(
        "platform.extension",
        json!({"name": name, "state": "Ready", "events": events}),
    );
    let f = &shared.function;
    let mut info =
        json!({"functionName": f.name, "functionVersion": f.version, "handler": f.handler});
    if wants_account {
        info["accountId"] = json!(super::ACCOUNT_ID);
    }
    let mut r = reply(StatusCode::OK, info);
    if let Ok(v) = HeaderValue::from_str(&id) {
        r.headers_mut().insert("lambda-extension-identifier", v);
    }
    r
}

fn extension_id(req: &Request<Incoming>) -> Result<String, Resp> {
    header(req, "lambda-extension-identifier").ok_or_else(|| {
        failure(
            StatusCode::FORBIDDEN,
            "Extension.MissingExtensionIdentifier",
            "header Lambda-Extension-Identifier is required",
        )
    })
}

fn unknown_extension(id: &str) -> Resp {
    failure(
        StatusCode::FORBIDDEN,
        "Extension.InvalidExtensionIdentifier",
        format!("no registered extension has identifier {id}"),
    )
}

async fn extension_next(req: Request<Incoming>, shared: &Shared) -> Resp {
    let id = match extension_id(&req) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut rx = shared.subscribe();
    let mut first = true;
    loop {
        {
            let mut s = shared.lock();
            let Some(ext) = s.extensions.iter_mut().find(|e| e.id == id) else {
                return unknown_extension(&id);
            };
            if let Some(event) = ext.queue.pop_front() {
                ext.waiting = false;
                ext.shutdown_received |= event["eventType"] == "SHUTDOWN";
                drop(s);
                shared.notify();
                let mut r = reply(StatusCode::OK, event);
                if let Ok(v) = HeaderValue::from_str(&ids::uuid_v4()) {
                    r.headers_mut()
                        .insert("lambda-extension-event-identifier", v);
                }
                return r;
            }
            if first {
                ext.waiting = true;
                first = false;
                drop(s);
                shared.notify();
            }
        }
        if rx.changed().await.is_err() {
            return failure(
                StatusCode::SERVICE_UNAVAILABLE,
                "Extension.Stopped",
                "harness stopped",
            );
        }
    }
}

async fn extension_error(req: Request<Incoming>, shared: &Shared, init: bool) -> Resp {
    let id = match extension_id(&req) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let error_type = header(&req, "lambda-extension-function-error-type")
        .unwrap_or_else(|| "Extension.Unknown".into());
    let b = body(req, 1024 * 1024).await.unwrap_or_default();
    let value = serde_json::from_slice::<Value>(&b)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&b).into_owned()));
    let known = shared.update(|s| {
        let name = s.extensions.iter().find(|e| e.id == id)?.name.clone();
        let err = ReportedError {
            source: format!("extension {name}"),
            error_type: error_type.clone(),
            body: value.clone(),
        };
        if init {
            s.init_error.get_or_insert(err);
        } else {
            s.exit_errors.push(err);
        }
        Some(name)
    });
    match known {
        Some(name) => {
            eprintln!(
                "lambda-guard run: extension {name} reported {} error {error_type}: {value}",
                if init { "an init" } else { "an exit" }
            );
            accepted()
        }
        None => unknown_extension(&id),
    }
}

// ---- Telemetry API -----------------------------------------------------------------------------

async fn telemetry_subscribe(req: Request<Incoming>, shared: &Shared) -> Resp {
    let id = match extension_id(&req) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let name = shared
        .lock()
        .extensions
        .iter()
        .find(|e| e.id == id)
        .map(|e| e.name.clone());
    let Some(name) = name else {
        return unknown_extension(&id);
    };
    let b = body(req, 64 * 1024).await.unwrap_or_default();
    match shared.telemetry.subscribe(&name, &b) {
        Ok(()) => {
            let mut r = Response::new(Full::new(Bytes::from_static(b"OK")));
            *r.status_mut() = StatusCode::OK;
            r
        }
        Err(e) => failure(StatusCode::BAD_REQUEST, "ValidationError", e.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::state::{FunctionInfo, Invocation};
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn server() -> (SocketAddr, Arc<Shared>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::new(FunctionInfo {
            name: "f".into(),
            version: "$LATEST".into(),
            handler: "h".into(),
            arn: "arn:aws:lambda:us-east-1:123456789012:function:f".into(),
            memory_mb: 128,
        }));
        tokio::spawn(serve(listener, shared.clone()));
        (addr, shared)
    }

    /// One raw HTTP/1.1 exchange: (status, head, body).
    async fn call(
        addr: SocketAddr,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String, String) {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        (
            head[9..12].parse().unwrap(),
            head.to_owned(),
            body.to_owned(),
        )
    }

    #[tokio::test]
    async fn next_delivers_the_event_with_lambda_headers() {
        let (addr, shared) = server().await;
        shared.update(|s| {
            s.current = Some(Current {
                request_id: "r1".into(),
                delivered_at: None,
                outcome: None,
            });
            s.pending = Some(Invocation {
                request_id: "r1".into(),
                body: Bytes::from_static(b"{\"k\":1}"),
                deadline_ms: 42,
                trace_id: "Root=1-x".into(),
                function_arn: "arn".into(),
            });
        });
        let (status, head, body) =
            call(addr, "GET", "/2018-06-01/runtime/invocation/next", &[], "").await;
        assert_eq!(status, 200);
        assert_eq!(body, "{\"k\":1}");
        for h in [
            "Lambda-Runtime-Aws-Request-Id: r1",
            "Lambda-Runtime-Deadline-Ms: 42",
            "Lambda-Runtime-Invoked-Function-Arn: arn",
            "Lambda-Runtime-Trace-Id: Root=1-x",
        ] {
            assert!(head.contains(h), "{h} missing in {head}");
        }
        assert!(shared
            .lock()
            .current
            .as_ref()
            .unwrap()
            .delivered_at
            .is_some());
    }

    #[tokio::test]
    async fn results_must_name_the_current_request_once() {
        let (addr, shared) = server().await;
        shared.update(|s| {
            s.current = Some(Current {
                request_id: "r1".into(),
                delivered_at: None,
                outcome: None,
            });
        });
        let path = |id: &str| format!("/2018-06-01/runtime/invocation/{id}/response");
        let (status, _, body) = call(addr, "POST", &path("other"), &[], "{}").await;
        assert_eq!(status, 400);
        assert!(body.contains("InvalidRequestID"), "{body}");
        let (status, _, _) = call(addr, "POST", &path("r1"), &[], "{\"ok\":true}").await;
        assert_eq!(status, 202);
        let (status, _, body) = call(addr, "POST", &path("r1"), &[], "{}").await;
        assert_eq!(status, 400);
        assert!(body.contains("InvalidStateTransition"), "{body}");
        let (status, _, _) = call(addr, "GET", "/2018-06-01/runtime/nope", &[], "").await;
        assert_eq!(status, 404);
    }

    #[tokio::test]
    async fn errors_and_init_errors_are_recorded() {
        let (addr, shared) = server().await;
        shared.update(|s| {
            s.current = Some(Current {
                request_id: "r1".into(),
                delivered_at: None,
                outcome: None,
            });
        });
        let (status, _, _) = call(
            addr,
            "POST",
            "/2018-06-01/runtime/invocation/r1/error",
            &[("Lambda-Runtime-Function-Error-Type", "Unhandled")],
            r#"{"errorType":"E","errorMessage":"m"}"#,
        )
        .await;
        assert_eq!(status, 202);
        let outcome = shared.lock().current.as_ref().unwrap().outcome.clone();
        match outcome {
            Some((Outcome::Error { error_type, .. }, _)) => {
                assert_eq!(error_type.as_deref(), Some("Unhandled"))
            }
            other => panic!("{other:?}"),
        }
        let (status, _, _) = call(
            addr,
            "POST",
            "/2018-06-01/runtime/init/error",
            &[],
            r#"{"errorType":"LambdaGuard.InvalidConfiguration","errorMessage":"GUARD_MODE"}"#,
        )
        .await;
        assert_eq!(status, 202);
        let err = shared.lock().init_error.clone().unwrap();
        assert_eq!(err.error_type, "LambdaGuard.InvalidConfiguration");
    }

    #[tokio::test]
    async fn registration_names_must_match_extension_files() {
        let (addr, shared) = server().await;
        shared.update(|s| s.expected_external = vec!["ext-a".into()]);
        async fn reg(addr: SocketAddr, name: &str) -> (u16, String, String) {
            let headers = [("Lambda-Extension-Name", name)];
            let body = r#"{"events":["INVOKE","SHUTDOWN"]}"#;
            call(
                addr,
                "POST",
                "/2020-01-01/extension/register",
                &headers,
                body,
            )
            .await
        }
        let (status, _, body) = reg(addr, "stranger").await;
        assert_eq!(status, 403, "{body}");
        let (status, head, body) = reg(addr, "ext-a").await;
        assert_eq!(status, 200, "{body}");
        assert!(head.contains("Lambda-Extension-Identifier: "), "{head}");
        assert!(body.contains("\"functionName\":\"f\""), "{body}");
        let (status, _, _) = reg(addr, "ext-a").await;
        assert_eq!(status, 409);
        assert!(shared.lock().expected_external.is_empty());
        let id = shared.lock().extensions[0].id.clone();
        // Telemetry: loopback only; unknown identifiers refused.
        let sub = |uri: &str| {
            format!(
                r#"{{"schemaVersion":"2022-12-13","types":["platform"],
                     "destination":{{"protocol":"HTTP","URI":"{uri}"}}}}"#
            )
        };
        let (status, _, body) = call(
            addr,
            "PUT",
            "/2022-07-01/telemetry",
            &[("Lambda-Extension-Identifier", &id)],
            &sub("http://192.0.2.1:9/x"),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        let (status, _, _) = call(
            addr,
            "PUT",
            "/2022-07-01/telemetry",
            &[("Lambda-Extension-Identifier", "nobody")],
            &sub("http://sandbox.localdomain:9/x"),
        )
        .await;
        assert_eq!(status, 403);
        let (status, _, body) = call(
            addr,
            "PUT",
            "/2022-07-01/telemetry",
            &[("Lambda-Extension-Identifier", &id)],
            &sub("http://sandbox.localdomain:9/x"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        shared.telemetry.unsubscribe_all();
    }
}

//! A real HTTP server on 127.0.0.1 serving a configurable JWKS document, status and delay,
//! counting requests.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{server::conn::http1, service::service_fn, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::{
        atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};
use tokio::net::TcpListener;

#[derive(Default)]
struct State {
    status: AtomicU16,
    body: Mutex<String>,
    delay_ms: AtomicU64,
    hits: AtomicUsize,
}

pub struct JwksServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl JwksServer {
    pub async fn start() -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        state.status.store(200, Ordering::SeqCst);
        *state.body.lock().unwrap() = r#"{"keys":[]}"#.into();
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |_req| {
                        let state = state.clone();
                        async move {
                            state.hits.fetch_add(1, Ordering::SeqCst);
                            let delay = state.delay_ms.load(Ordering::SeqCst);
                            if delay > 0 {
                                tokio::time::sleep(Duration::from_millis(delay)).await;
                            }
                            let body = state.body.lock().unwrap().clone();
                            let response = Response::builder()
                                .status(state.status.load(Ordering::SeqCst))
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from(body)))
                                .unwrap();
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        JwksServer { addr, state, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}/.well-known/jwks.json", self.addr)
    }

    pub fn set_ok(&self, doc: &Value) {
        self.set_raw(200, &doc.to_string());
    }

    pub fn set_raw(&self, status: u16, body: &str) {
        self.state.status.store(status, Ordering::SeqCst);
        *self.state.body.lock().unwrap() = body.to_string();
    }

    pub fn set_delay(&self, ms: u64) {
        self.state.delay_ms.store(ms, Ordering::SeqCst);
    }

    pub fn hits(&self) -> usize {
        self.state.hits.load(Ordering::SeqCst)
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

//! The Telemetry API's delivery side: records (`platform.*`, `function`, `extension`) are kept in
//! a bounded history and pushed to every subscriber in batches over HTTP, as Lambda does.
//!
//! Destinations must be loopback; `sandbox.localdomain` (what the `lambda-extension` crate
//! subscribes with) resolves to `127.0.0.1`.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

use super::ids;

/// How many records the history keeps for late subscribers.
const HISTORY: usize = 10_000;
/// Per-subscriber queue bound: beyond it records are dropped (Lambda drops too).
const QUEUE: usize = 10_000;

/// One telemetry record as delivered: `{time, type, record}`.
#[derive(Debug)]
pub(crate) struct Record {
    kind: String,
    value: Value,
}

impl Record {
    fn new(kind: &str, record: Value) -> Self {
        Self {
            kind: kind.to_owned(),
            value: json!({"time": ids::rfc3339_now(), "type": kind, "record": record}),
        }
    }

    /// The subscription type this record belongs to: `platform`, `function` or `extension`.
    fn category(&self) -> &str {
        if self.kind.starts_with("platform.") {
            "platform"
        } else {
            &self.kind
        }
    }
}

#[derive(Debug)]
struct Subscriber {
    extension: String,
    types: Vec<String>,
    tx: mpsc::Sender<Arc<Record>>,
    pending: Arc<AtomicUsize>,
    flush: Arc<Notify>,
    task: JoinHandle<()>,
}

#[derive(Debug, Default)]
struct Hub {
    history: VecDeque<Arc<Record>>,
    /// During init, records are kept for subscriptions still to come; afterwards only
    /// subscribers get them.
    recording: bool,
    subscribers: Vec<Subscriber>,
}

/// Records and subscribers.
#[derive(Debug, Default)]
pub(crate) struct TelemetryHub {
    inner: Mutex<Hub>,
}

/// A subscription request that cannot be honoured (answered with 400).
#[derive(Debug)]
pub(crate) struct SubscribeError(pub String);

impl TelemetryHub {
    fn lock(&self) -> std::sync::MutexGuard<'_, Hub> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records one telemetry event and queues it for the subscribers that asked for its type.
    pub fn emit(&self, kind: &str, record: Value) {
        let rec = Arc::new(Record::new(kind, record));
        let mut hub = self.lock();
        if hub.recording {
            if hub.history.len() == HISTORY {
                hub.history.pop_front();
            }
            hub.history.push_back(rec.clone());
        }
        for s in &hub.subscribers {
            if s.types.iter().any(|t| t == rec.category()) && s.tx.try_send(rec.clone()).is_ok() {
                s.pending.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    /// Handles `PUT /2022-07-01/telemetry` from extension `extension`.
    pub fn subscribe(&self, extension: &str, body: &[u8]) -> Result<(), SubscribeError> {
        let req: Value = serde_json::from_slice(body)
            .map_err(|e| SubscribeError(format!("body is not JSON: {e}")))?;
        let dest = &req["destination"];
        if !dest["protocol"]
            .as_str()
            .is_some_and(|p| p.eq_ignore_ascii_case("HTTP"))
        {
            return Err(SubscribeError(
                "destination.protocol must be \"HTTP\"".into(),
            ));
        }
        let uri = dest["URI"]
            .as_str()
            .ok_or_else(|| SubscribeError("destination.URI is missing".into()))?;
        let target = Destination::parse(uri)?;
        let types: Vec<String> = match req["types"].as_array() {
            Some(a) => a
                .iter()
                .map(|t| t.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or_else(|| SubscribeError("types must be strings".into()))?,
            None => return Err(SubscribeError("types is missing".into())),
        };
        if let Some(bad) = types
            .iter()
            .find(|t| !matches!(t.as_str(), "platform" | "function" | "extension"))
        {
            return Err(SubscribeError(format!("unknown telemetry type {bad:?}")));
        }
        let b = &req["buffering"];
        let max_items = b["maxItems"].as_u64().unwrap_or(1000).clamp(25, 30_000) as usize;
        let timeout_ms = b["timeoutMs"].as_u64().unwrap_or(1000).clamp(25, 30_000);

        let (tx, rx) = mpsc::channel(QUEUE);
        let pending = Arc::new(AtomicUsize::new(0));
        let flush = Arc::new(Notify::new());
        let task = tokio::spawn(deliver(
            target,
            rx,
            max_items,
            Duration::from_millis(timeout_ms),
            pending.clone(),
            flush.clone(),
        ));
        let mut hub = self.lock();
        // Replay what happened before the subscription (init records), like Lambda's buffer.
        for rec in &hub.history {
            if types.iter().any(|t| t == rec.category()) && tx.try_send(rec.clone()).is_ok() {
                pending.fetch_add(1, Ordering::SeqCst);
            }
        }
        if let Some(old) = hub
            .subscribers
            .iter()
            .position(|s| s.extension == extension)
        {
            hub.subscribers.remove(old).task.abort();
        }
        hub.subscribers.push(Subscriber {
            extension: extension.to_owned(),
            types: types.clone(),
            tx,
            pending,
            flush,
            task,
        });
        drop(hub);
        self.emit(
            "platform.telemetrySubscription",
            json!({"name": extension, "state": "Subscribed", "types": types}),
        );
        Ok(())
    }

    /// Pushes out everything queued, waiting at most `budget`.
    pub async fn flush(&self, budget: Duration) {
        let waiting: Vec<(Arc<AtomicUsize>, Arc<Notify>)> = self
            .lock()
            .subscribers
            .iter()
            .map(|s| (s.pending.clone(), s.flush.clone()))
            .collect();
        let deadline = tokio::time::Instant::now() + budget;
        for (pending, flush) in waiting {
            flush.notify_one();
            while pending.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
                flush.notify_one();
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
    }

    /// Whether a record would reach anyone (callers skip building records otherwise).
    pub fn wanted(&self) -> bool {
        let hub = self.lock();
        hub.recording || !hub.subscribers.is_empty()
    }

    /// Starts (`true`, forgetting a previous environment's records) or stops keeping records for
    /// subscriptions made later; on during init.
    pub fn record_history(&self, on: bool) {
        let mut hub = self.lock();
        if on {
            hub.history.clear();
        }
        hub.recording = on;
    }

    /// Drops the subscriptions of one generation of extensions (they are gone after a reset).
    pub fn unsubscribe_all(&self) {
        for s in self.lock().subscribers.drain(..) {
            s.task.abort();
        }
    }
}

/// Where a subscriber listens: a loopback socket plus the original authority and path.
#[derive(Debug, Clone)]
struct Destination {
    addr: SocketAddr,
    host: String,
    path: String,
}

impl Destination {
    fn parse(uri: &str) -> Result<Self, SubscribeError> {
        let u: hyper::Uri = uri
            .parse()
            .map_err(|e| SubscribeError(format!("destination.URI {uri:?}: {e}")))?;
        if u.scheme_str() != Some("http") {
            return Err(SubscribeError(format!(
                "destination.URI {uri:?}: only http:// is delivered"
            )));
        }
        let host = u.host().unwrap_or_default();
        let ip: IpAddr = match host {
            "sandbox.localdomain" | "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
            h => h
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .map_err(|_| SubscribeError(format!("destination host {h:?} is not loopback")))?,
        };
        if !ip.is_loopback() {
            return Err(SubscribeError(format!(
                "destination host {host:?} is not loopback: the harness only delivers locally"
            )));
        }
        let port = u.port_u16().unwrap_or(80);
        Ok(Self {
            addr: SocketAddr::new(ip, port),
            host: u
                .authority()
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
            path: u
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into()),
        })
    }
}

async fn deliver(
    dest: Destination,
    mut rx: mpsc::Receiver<Arc<Record>>,
    max_items: usize,
    timeout: Duration,
    pending: Arc<AtomicUsize>,
    flush: Arc<Notify>,
) {
    let mut batch: Vec<Arc<Record>> = Vec::new();
    while let Some(first) = rx.recv().await {
        batch.push(first);
        let deadline = tokio::time::Instant::now() + timeout;
        while batch.len() < max_items {
            tokio::select! {
                r = rx.recv() => match r {
                    Some(r) => batch.push(r),
                    None => break,
                },
                _ = tokio::time::sleep_until(deadline) => break,
                _ = flush.notified() => {
                    while batch.len() < max_items {
                        match rx.try_recv() {
                            Ok(r) => batch.push(r),
                            Err(_) => break,
                        }
                    }
                    break;
                }
            }
        }
        let body: Vec<&Value> = batch.iter().map(|r| &r.value).collect();
        let body = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
        // A few attempts, then the batch is dropped (Lambda drops what a subscriber cannot take).
        for attempt in 0..3u64 {
            match post(&dest, body.clone()).await {
                Ok(()) => break,
                Err(e) if attempt == 2 => {
                    eprintln!(
                        "lambda-guard run: telemetry delivery to {} failed, {} records dropped: {e}",
                        dest.addr,
                        batch.len()
                    );
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20 * (attempt + 1))).await,
            }
        }
        pending.fetch_sub(batch.len(), Ordering::SeqCst);
        batch.clear();
    }
}

async fn post(dest: &Destination, body: Bytes) -> Result<(), String> {
    let stream = tokio::time::timeout(
        Duration::from_secs(2),
        tokio::net::TcpStream::connect(dest.addr),
    )
    .await
    .map_err(|_| "connect timed out".to_owned())?
    .map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    let conn = tokio::spawn(conn);
    let req = Request::post(dest.path.as_str())
        .header(hyper::header::HOST, dest.host.as_str())
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(body))
        .map_err(|e| e.to_string())?;
    let res = tokio::time::timeout(Duration::from_secs(5), sender.send_request(req))
        .await
        .map_err(|_| "no answer within 5 s".to_owned())?
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let _ = res.into_body().collect().await;
    drop(sender);
    let _ = conn.await;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("subscriber answered {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_localdomain_is_loopback() {
        let d = Destination::parse("http://sandbox.localdomain:4243/telemetry").unwrap();
        assert_eq!(d.addr, "127.0.0.1:4243".parse().unwrap());
        assert_eq!(d.host, "sandbox.localdomain:4243");
        assert_eq!(d.path, "/telemetry");
    }

    #[test]
    fn refuses_remote_destinations() {
        assert!(Destination::parse("http://10.0.0.1:80/").is_err());
        assert!(Destination::parse("http://example.com/").is_err());
        assert!(Destination::parse("https://127.0.0.1/").is_err());
        assert!(Destination::parse("http://[::1]:9/").is_ok());
    }
}

#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "benchmark code: a panic is a failed run"
)]
//! Engine overhead on a ~1 KB API Gateway HTTP API event.
//!
//! `layer/bare` calls a trivial handler directly; `layer/guard-off` calls it through the guard
//! layer with every area off (the "overhead with nothing enabled"); the difference of the
//! two, measured in the same run, is the guard's fixed cost. `evaluate/*` time the decision alone.

use criterion::{criterion_group, criterion_main, Criterion};
use lambda_guard::{trigger::sample, Config, Guard, GuardLayer, Trigger};
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use serde_json::Value;
use std::{
    future::Future,
    hint::black_box,
    pin::pin,
    task::{Context as TaskContext, Poll, Waker},
};
use tower::{service_fn, Layer, Service};

/// Polls a future that completes without I/O (no JWKS fetch here) to completion, so the figures
/// hold no executor cost.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn guard(toml: &str) -> Guard {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime
        .block_on(Guard::new(Config::from_toml(toml).unwrap()))
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let event = sample(Trigger::ApiGatewayHttp);
    assert!(
        event.to_string().len() >= 1000,
        "the event should be about 1 KB"
    );
    let mut group = c.benchmark_group("evaluate");
    for (name, toml) in [("off", "mode = \"off\""), ("default", "")] {
        let guard = guard(toml);
        group.bench_function(name, |b| {
            b.iter(|| ready(guard.evaluate(black_box(&event))))
        });
    }
    group.finish();

    let handler = service_fn(|e: LambdaEvent<Value>| async move { Ok::<_, Diagnostic>(e.payload) });
    let mut group = c.benchmark_group("layer");
    group.bench_function("bare", |b| {
        let mut svc = handler;
        b.iter(|| {
            let e = LambdaEvent::new(event.clone(), Context::default());
            ready(svc.call(e)).unwrap()
        })
    });
    group.bench_function("guard-off", |b| {
        let mut svc = GuardLayer::new(guard("mode = \"off\"")).layer(handler);
        b.iter(|| {
            let e = LambdaEvent::new(event.clone(), Context::default());
            ready(svc.call(e)).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

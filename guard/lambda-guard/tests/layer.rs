//! The Tower layer end to end in-process: refusals in the trigger's shape, batch filtering with
//! merged `batchItemFailures`, monitor mode, typed handlers.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use lambda_guard::{trigger::sample, Config, Guard, GuardLayer, Trigger, Typed};
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tower::{service_fn, Layer, ServiceExt};

/// A guard whose only rule is a 64-byte string limit, so tests do not depend on detectors.
async fn guard(extra: &str) -> Guard {
    let config =
        Config::from_toml(&format!("{extra}\n[inspect]\nmax_string_bytes = 64\n")).unwrap();
    Guard::new(config).await.unwrap()
}

type Seen = Arc<Mutex<Vec<Value>>>;

/// A handler that records what it saw and answers with `answer`.
fn recording(
    seen: Seen,
    answer: Value,
) -> impl tower::Service<LambdaEvent<Value>, Response = Value, Error = Diagnostic, Future: Send>
       + Clone
       + Send
       + 'static {
    service_fn(move |e: LambdaEvent<Value>| {
        let seen = seen.clone();
        let answer = answer.clone();
        async move {
            seen.lock().unwrap().push(e.payload);
            Ok::<_, Diagnostic>(answer)
        }
    })
}

async fn call(
    guard: Guard,
    handler_answer: Value,
    event: Value,
) -> (Result<Value, Diagnostic>, Vec<Value>) {
    let seen = Seen::default();
    let svc = GuardLayer::new(guard).layer(recording(seen.clone(), handler_answer));
    let out = svc
        .oneshot(LambdaEvent::new(event, Context::default()))
        .await;
    let seen = seen.lock().unwrap().clone();
    (out, seen)
}

fn long() -> String {
    "x".repeat(100)
}

#[tokio::test]
async fn clean_events_reach_the_handler_unchanged() {
    let event = sample(Trigger::Sqs);
    let (out, seen) = call(guard("").await, json!({"ok": true}), event.clone()).await;
    assert_eq!(out.unwrap(), json!({"ok": true}));
    assert_eq!(seen, vec![event]);
}

#[tokio::test]
async fn denied_http_events_get_the_trigger_shape_and_never_reach_the_handler() {
    for trigger in [
        Trigger::ApiGatewayRest,
        Trigger::ApiGatewayHttp,
        Trigger::Alb,
        Trigger::FunctionUrl,
        Trigger::VpcLattice,
    ] {
        let mut event = sample(trigger);
        event["headers"]["x-note"] = json!(long());
        let (out, seen) = call(guard("").await, json!("handler"), event).await;
        let response = out.unwrap();
        assert_eq!(response["statusCode"], 413, "{trigger}");
        assert_eq!(response["body"], "{\"message\":\"Payload Too Large\"}");
        assert!(seen.is_empty(), "{trigger}: handler ran");
    }
}

#[tokio::test]
async fn a_hostile_authorizer_request_gets_a_deny_policy_and_never_reaches_the_handler() {
    let mut event = sample(Trigger::ApiGatewayAuthorizer);
    event["queryStringParameters"]["q"] = json!("1' OR '1'='1");
    let allow = json!({"principalId": "u", "policyDocument": {"Statement": [{"Effect": "Allow"}]}});
    let (out, seen) = call(guard("").await, allow.clone(), event).await;
    let policy = out.unwrap();
    assert_eq!(policy["policyDocument"]["Statement"][0]["Effect"], "Deny");
    assert_eq!(
        policy["policyDocument"]["Statement"][0]["Resource"],
        sample(Trigger::ApiGatewayAuthorizer)["methodArn"]
    );
    assert!(seen.is_empty(), "handler ran");
    // A clean one is the handler's to decide (default limits: its method ARN is longer than
    // this file's 64-byte strings).
    let clean = sample(Trigger::ApiGatewayAuthorizer);
    let defaults = Guard::new(Config::from_toml("").unwrap()).await.unwrap();
    let (out, seen) = call(defaults, allow.clone(), clean).await;
    assert_eq!(out.unwrap(), allow);
    assert_eq!(seen.len(), 1);
}

#[tokio::test]
async fn hostile_batch_records_are_removed_and_reported() {
    let mut event = sample(Trigger::Sqs);
    event["Records"][0]["body"] = json!(long());
    let handler_failures = json!({"batchItemFailures": [{"itemIdentifier": "handler-own"}]});
    let (out, seen) = call(guard("").await, handler_failures, event).await;
    assert_eq!(seen.len(), 1);
    let records = seen[0]["Records"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0]["messageId"],
        "2e1424d4-f796-459a-8184-9c92662be6da"
    );
    assert_eq!(
        out.unwrap()["batchItemFailures"],
        json!([{"itemIdentifier": "handler-own"}, {"itemIdentifier": "059f36b4-87a3-44ab-83d2-661975830a7d"}])
    );
}

#[tokio::test]
async fn an_all_hostile_batch_never_reaches_the_handler() {
    let mut event = sample(Trigger::Kinesis);
    event["Records"][0]["kinesis"]["partitionKey"] = json!(long());
    let (out, seen) = call(guard("").await, json!(null), event).await;
    assert!(seen.is_empty());
    let id = sample(Trigger::Kinesis)["Records"][0]["kinesis"]["sequenceNumber"].clone();
    assert_eq!(
        out.unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": id}]})
    );
}

#[tokio::test]
async fn hostile_firehose_records_come_back_processing_failed() {
    use base64::Engine as _;
    let mut event = sample(Trigger::Firehose);
    let clean = event["records"][0].clone();
    let mut hostile = clean.clone();
    hostile["recordId"] = json!("r-hostile");
    hostile["data"] = json!(base64::engine::general_purpose::STANDARD.encode(long()));
    event["records"] = json!([hostile.clone(), clean.clone()]);
    let ok = json!({"recordId": clean["recordId"], "result": "Ok", "data": clean["data"]});
    let failed =
        json!({"recordId": "r-hostile", "result": "ProcessingFailed", "data": hostile["data"]});
    let (out, seen) = call(
        guard("").await,
        json!({"records": [ok.clone()]}),
        event.clone(),
    )
    .await;
    assert_eq!(seen[0]["records"], json!([clean]));
    // Firehose needs every record back: the handler's, then the refused one.
    assert_eq!(out.unwrap(), json!({"records": [ok, failed.clone()]}));

    event["records"] = json!([hostile]);
    let (out, seen) = call(guard("").await, json!(null), event).await;
    assert!(seen.is_empty());
    assert_eq!(out.unwrap(), json!({"records": [failed]}));
}

#[tokio::test]
async fn other_triggers_get_a_generic_invocation_error() {
    let mut event = sample(Trigger::S3);
    event["Records"][0]["s3"]["object"]["key"] = json!(long());
    let (out, seen) = call(guard("").await, json!(null), event).await;
    let err = out.unwrap_err();
    assert_eq!(err.error_type, "LambdaGuard.Denied");
    assert!(
        !err.error_message.contains("xxxx"),
        "no input in the message"
    );
    assert!(seen.is_empty());
}

#[tokio::test]
async fn monitor_mode_reports_but_lets_the_handler_run() {
    let mut event = sample(Trigger::ApiGatewayHttp);
    event["headers"]["x-note"] = json!(long());
    let (out, seen) = call(
        guard("mode = \"monitor\"").await,
        json!({"statusCode": 200}),
        event,
    )
    .await;
    assert_eq!(out.unwrap(), json!({"statusCode": 200}));
    assert_eq!(seen.len(), 1);
}

#[tokio::test]
async fn inspect_off_skips_inspection() {
    let mut event = sample(Trigger::S3);
    event["Records"][0]["s3"]["object"]["key"] = json!(long());
    let config = Config::from_toml("[inspect]\nmode = \"off\"\nmax_string_bytes = 64\n").unwrap();
    let (out, seen) = call(Guard::new(config).await.unwrap(), json!(1), event).await;
    assert_eq!(out.unwrap(), json!(1));
    assert_eq!(seen.len(), 1);
}

#[derive(serde::Deserialize)]
struct Order {
    item: String,
}

#[tokio::test]
async fn typed_handlers_get_their_type_and_bad_shapes_a_generic_error() {
    let handler = service_fn(|e: LambdaEvent<Order>| async move {
        Ok::<_, Diagnostic>(
            json!({"item": e.payload.item, "claims": lambda_guard::claims().is_some()}),
        )
    });
    let svc = GuardLayer::new(guard("").await).layer(Typed::new(handler));
    let out = svc
        .clone()
        .oneshot(LambdaEvent::new(json!({"item": "mug"}), Context::default()))
        .await
        .unwrap();
    assert_eq!(out, json!({"item": "mug", "claims": false}));
    let err = svc
        .oneshot(LambdaEvent::new(json!({"sku": 1}), Context::default()))
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "Runtime.InvalidEvent");
}

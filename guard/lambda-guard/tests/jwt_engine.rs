//! The authenticator through the engine: API Gateway events in, decisions and claims out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "tests: a panic is a failure"
)]

mod common;

use common::*;
use lambda_guard::{config::Config, Decision, DenyReason, Guard};
use serde_json::{json, Value};

fn http_event(method: &str, path: &str, route: &str, auth: Option<&str>) -> Value {
    let mut headers = json!({"content-type": "application/json"});
    if let Some(a) = auth {
        headers["authorization"] = json!(a);
    }
    json!({
        "version": "2.0", "routeKey": format!("{method} {route}"), "rawPath": path,
        "rawQueryString": "", "headers": headers,
        "requestContext": {"http": {"method": method, "path": path, "sourceIp": "203.0.113.9"}},
        "isBase64Encoded": false
    })
}

async fn guard(jwks_url: Option<&str>, key: &TestKey) -> Guard {
    let file = temp_file("jwks.json", &jwks(&[key]).to_string());
    let file = file.to_str().unwrap().to_owned();
    let url = jwks_url.map(str::to_owned);
    let env = move |name: &str| {
        match name {
        "GUARD_MODE" => Some("enforce".to_string()),
        "GUARD_JWT_JWKS_FILE" if url.is_none() => Some(file.clone()),
        "GUARD_JWT_JWKS_URL" => url.clone(),
        "GUARD_JWT_JWKS_TIMEOUT_MS" => Some("200".into()),
        "GUARD_JWT_ISSUER" => Some(ISS.into()),
        "GUARD_JWT_AUDIENCE" => Some(AUD.into()),
        "GUARD_AUTH_ROUTES" => Some(
            r#"{"GET /orders/{id}": {"scopes": ["orders:read"]}, "POST /orders": {"scopes": ["orders:write"]}}"#
                .into(),
        ),
        _ => None,
    }
    };
    Guard::new(Config::load(env).unwrap()).await.unwrap()
}

#[tokio::test]
async fn decisions_and_claims_through_the_engine() {
    let key = TestKey::rsa("k1", "RS256");
    let guard = guard(None, &key).await;
    let bearer = format!("Bearer {}", key.token(&good_claims("orders:read")));

    let ok = guard
        .evaluate(&http_event(
            "GET",
            "/orders/7",
            "/orders/{id}",
            Some(&bearer),
        ))
        .await;
    assert_eq!(ok.decision, Decision::Allow);
    assert_eq!(ok.claims.as_ref().unwrap().subject(), Some("alice"));

    let forbidden = guard
        .evaluate(&http_event("POST", "/orders", "/orders", Some(&bearer)))
        .await;
    assert_eq!(forbidden.decision, Decision::Deny(DenyReason::Forbidden));
    assert!(forbidden.claims.is_none());

    let anonymous = guard
        .evaluate(&http_event("GET", "/orders/7", "/orders/{id}", None))
        .await;
    assert_eq!(
        anonymous.decision,
        Decision::Deny(DenyReason::Unauthenticated)
    );

    // Non-HTTP triggers are not asked for a token.
    let sqs = json!({"Records": [{"messageId": "1", "eventSource": "aws:sqs", "body": "{}",
        "receiptHandle": "r", "attributes": {}, "messageAttributes": {}, "md5OfBody": "",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:1:q", "awsRegion": "eu-west-1"}]});
    assert_eq!(guard.evaluate(&sqs).await.decision, Decision::Allow);
}

#[tokio::test]
async fn unreachable_keys_deny_with_503() {
    let key = TestKey::rsa("k1", "RS256");
    let guard = guard(Some("http://127.0.0.1:9/jwks.json"), &key).await;
    let bearer = format!("Bearer {}", key.token(&good_claims("orders:read")));
    let verdict = guard
        .evaluate(&http_event(
            "GET",
            "/orders/7",
            "/orders/{id}",
            Some(&bearer),
        ))
        .await;
    assert_eq!(
        verdict.decision,
        Decision::Deny(DenyReason::AuthUnavailable)
    );
    assert_eq!(DenyReason::AuthUnavailable.status(), 503);
}

/// A guard whose `auth.triggers` lets only HTTP API events in, in `mode`.
async fn http_only_guard(key: &TestKey, mode: &'static str) -> Guard {
    let file = temp_file("jwks.json", &jwks(&[key]).to_string());
    let file = file.to_str().unwrap().to_owned();
    let env = move |name: &str| match name {
        "GUARD_MODE" => Some(mode.to_string()),
        "GUARD_JWT_JWKS_FILE" => Some(file.clone()),
        "GUARD_JWT_ISSUER" => Some(ISS.into()),
        "GUARD_JWT_AUDIENCE" => Some(AUD.into()),
        "GUARD_AUTH_TRIGGERS" => Some("apigateway-http, function-url".into()),
        _ => None,
    };
    Guard::new(Config::load(env).unwrap()).await.unwrap()
}

#[tokio::test]
async fn only_the_configured_triggers_may_invoke() {
    let key = TestKey::rsa("k1", "RS256");
    let guard = http_only_guard(&key, "enforce").await;
    let bearer = format!("Bearer {}", key.token(&good_claims("")));
    let http = guard
        .evaluate(&http_event(
            "GET",
            "/orders/7",
            "/orders/{id}",
            Some(&bearer),
        ))
        .await;
    assert_eq!(http.decision, Decision::Allow);
    // A direct invoke with another shape: refused before any JWT question is asked.
    let sqs = json!({"Records": [{"eventSource": "aws:sqs", "messageId": "m1", "body": "hi"}]});
    for event in [sqs, json!({"orderId": 7}), json!("ping")] {
        let v = guard.evaluate(&event).await;
        assert_eq!(v.decision, Decision::Deny(DenyReason::Forbidden), "{event}");
        assert_eq!(v.findings[0].rule, "trigger_not_allowed");
    }
    // Monitor mode reports and lets it through.
    let monitor = http_only_guard(&key, "monitor").await;
    let v = monitor.evaluate(&json!({"orderId": 7})).await;
    assert_eq!(v.decision, Decision::Allow);
    assert_eq!(v.findings[0].rule, "trigger_not_allowed");
}

#[test]
fn an_unknown_trigger_name_is_a_configuration_error() {
    let env = |name: &str| match name {
        "GUARD_JWT_JWKS_URL" => Some("https://issuer.example/jwks.json".to_string()),
        "GUARD_JWT_ISSUER" => Some(ISS.into()),
        "GUARD_JWT_AUDIENCE" => Some(AUD.into()),
        "GUARD_AUTH_TRIGGERS" => Some("apigateway-http,sqs-fifo".into()),
        _ => None,
    };
    // Refused when the configuration is loaded, before any init work.
    let err = Config::load(env).unwrap_err().to_string();
    assert!(err.contains("auth.triggers (GUARD_AUTH_TRIGGERS)"), "{err}");
    assert!(err.contains("sqs-fifo"), "{err}");
}

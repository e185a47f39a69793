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

/// `GET /orders/7` (route `/orders/{id}`) with an `Authorization` header.
fn get_order(authorization: &str) -> Value {
    http_event("GET", "/orders/7", "/orders/{id}", Some(authorization))
}

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

/// A guard in `enforce` mode with `key` in a local JWKS file (unless `vars` name a JWKS URL),
/// the test issuer and audience, and `vars` on top.
async fn guard_with(key: &TestKey, vars: &[(&str, &str)]) -> Guard {
    let file = temp_file("jwks.json", &jwks(&[key]).to_string());
    let mut env: Vec<(String, String)> = vec![
        ("GUARD_MODE".into(), "enforce".into()),
        ("GUARD_JWT_ISSUER".into(), ISS.into()),
        ("GUARD_JWT_AUDIENCE".into(), AUD.into()),
    ];
    if !vars.iter().any(|(k, _)| *k == "GUARD_JWT_JWKS_URL") {
        env.push(("GUARD_JWT_JWKS_FILE".into(), file.to_str().unwrap().into()));
    }
    env.retain(|(k, _)| !vars.iter().any(|(v, _)| v == k));
    env.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    Guard::new(Config::load(lookup).unwrap()).await.unwrap()
}

const ROUTES: &str = r#"{"GET /orders/{id}": {"scopes": ["orders:read"]}, "POST /orders": {"scopes": ["orders:write"]}}"#;

async fn guard(jwks_url: Option<&str>, key: &TestKey) -> Guard {
    let mut vars = vec![
        ("GUARD_JWT_JWKS_TIMEOUT_MS", "200"),
        ("GUARD_AUTH_ROUTES", ROUTES),
    ];
    if let Some(url) = jwks_url {
        vars.push(("GUARD_JWT_JWKS_URL", url));
    }
    guard_with(key, &vars).await
}

#[tokio::test]
async fn decisions_and_claims_through_the_engine() {
    let key = TestKey::rsa("k1", "RS256");
    let guard = guard(None, &key).await;
    let bearer = format!("Bearer {}", key.token(&good_claims("orders:read")));

    let ok = guard.evaluate(&get_order(&bearer)).await;
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

/// A VPC Lattice request of event structure `version` 2 (header value lists) or 1.
fn lattice_event(version: u8, method: &str, path: &str, auth: Option<&str>) -> Value {
    let mut event = if version == 2 {
        json!({"version": "2.0", "path": path, "method": method,
            "headers": {"x-forwarded-for": ["10.0.2.100"]}, "queryStringParameters": {},
            "body": "", "isBase64Encoded": false,
            "requestContext": {"serviceArn": "arn:aws:vpc-lattice:us-east-1:1:service/svc-1",
                "targetGroupArn": "arn:aws:vpc-lattice:us-east-1:1:targetgroup/tg-1",
                "identity": {"type": "NONE"}, "region": "us-east-1", "timeEpoch": "1"}})
    } else {
        json!({"raw_path": path, "method": method, "headers": {}, "query_string_parameters": {},
            "body": "", "is_base64_encoded": false})
    };
    if let Some(a) = auth {
        event["headers"]["authorization"] = if version == 2 { json!([a]) } else { json!(a) };
    }
    event
}

#[tokio::test]
async fn vpc_lattice_requests_need_a_token_like_any_http_request() {
    let key = TestKey::rsa("k1", "RS256");
    let guard = guard(None, &key).await;
    let bearer = format!("Bearer {}", key.token(&good_claims("orders:read")));
    for version in [2, 1] {
        let ok = guard
            .evaluate(&lattice_event(version, "GET", "/orders/7", Some(&bearer)))
            .await;
        assert_eq!(ok.decision, Decision::Allow, "version {version}");
        assert_eq!(ok.claims.as_ref().unwrap().subject(), Some("alice"));
        let anonymous = guard
            .evaluate(&lattice_event(version, "GET", "/orders/7", None))
            .await;
        assert_eq!(
            anonymous.decision,
            Decision::Deny(DenyReason::Unauthenticated),
            "version {version}"
        );
        // Least privilege by path: writing needs a scope this token lacks.
        let write = guard
            .evaluate(&lattice_event(version, "POST", "/orders", Some(&bearer)))
            .await;
        assert_eq!(write.decision, Decision::Deny(DenyReason::Forbidden));
    }
}

#[tokio::test]
async fn a_token_authorizer_verifies_the_token_it_is_given() {
    let key = TestKey::rsa("k1", "RS256");
    let guard = guard(None, &key).await;
    let bearer = format!("Bearer {}", key.token(&good_claims("orders:read")));
    let token = |method: &str, path: &str, token: &str| {
        json!({"type": "TOKEN", "authorizationToken": token,
            "methodArn": format!("arn:aws:execute-api:us-east-1:1:api/prod/{method}{path}")})
    };
    let ok = guard.evaluate(&token("GET", "/orders/7", &bearer)).await;
    assert_eq!(ok.decision, Decision::Allow);
    assert_eq!(ok.claims.as_ref().unwrap().subject(), Some("alice"));
    let forged = guard
        .evaluate(&token("GET", "/orders/7", "Bearer x.y.z"))
        .await;
    assert_eq!(forged.decision, Decision::Deny(DenyReason::Unauthenticated));
    // Route rules read the method ARN: writing needs a scope this token lacks.
    let write = guard.evaluate(&token("POST", "/orders", &bearer)).await;
    assert_eq!(write.decision, Decision::Deny(DenyReason::Forbidden));
}

#[tokio::test]
async fn unreachable_keys_deny_with_503() {
    let key = TestKey::rsa("k1", "RS256");
    let guard = guard(Some("http://127.0.0.1:9/jwks.json"), &key).await;
    let bearer = format!("Bearer {}", key.token(&good_claims("orders:read")));
    let verdict = guard.evaluate(&get_order(&bearer)).await;
    assert_eq!(
        verdict.decision,
        Decision::Deny(DenyReason::AuthUnavailable)
    );
    assert_eq!(DenyReason::AuthUnavailable.status(), 503);
}

/// A guard whose `auth.triggers` lets only HTTP API events in, in `mode`.
async fn http_only_guard(key: &TestKey, mode: &str) -> Guard {
    let vars = [
        ("GUARD_MODE", mode),
        ("GUARD_AUTH_TRIGGERS", "apigateway-http, function-url"),
    ];
    guard_with(key, &vars).await
}

#[tokio::test]
async fn only_the_configured_triggers_may_invoke() {
    let key = TestKey::rsa("k1", "RS256");
    let guard = http_only_guard(&key, "enforce").await;
    let bearer = format!("Bearer {}", key.token(&good_claims("")));
    let http = guard.evaluate(&get_order(&bearer)).await;
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

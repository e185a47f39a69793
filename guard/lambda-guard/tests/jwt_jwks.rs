//! JWKS behaviour against a real HTTP server on loopback: prewarm, rotation, unknown `kid`,
//! expiry after `jwks_max_age_ms`, slow, failing and garbage endpoints, the refetch rate limit
//! and merged concurrent misses.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "tests: a panic is a failure"
)]

mod common;

use common::{jwks_server::JwksServer, *};
use lambda_guard::auth::{AuthConfig, Authenticator};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

fn config(url: &str, penalty_ms: u64, timeout_ms: u64) -> AuthConfig {
    toml::from_str(&format!(
        "[jwt]\njwks_url = \"{url}\"\nissuer = \"{ISS}\"\naudience = \"{AUD}\"\n\
         algorithms = [\"RS256\", \"ES256\"]\njwks_penalty_ms = {penalty_ms}\njwks_timeout_ms = {timeout_ms}\n"
    ))
    .unwrap()
}

async fn auth(server: &JwksServer, penalty_ms: u64) -> Authenticator {
    Authenticator::new(&config(&server.url(), penalty_ms, 500))
        .await
        .unwrap()
}

async fn check(auth: &Authenticator, key: &TestKey) -> &'static str {
    kind(
        &auth
            .authenticate(&bearer(&key.token(&good_claims(""))))
            .await,
    )
}

#[tokio::test]
async fn prewarm_fetches_once_and_cached_keys_need_no_request() {
    let server = JwksServer::start().await;
    let key = TestKey::rsa("k1", "RS256");
    server.set_ok(&jwks(&[&key]));
    let auth = auth(&server, 10_000).await;
    assert_eq!(server.hits(), 1);
    for _ in 0..5 {
        assert_eq!(check(&auth, &key).await, "allowed");
    }
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn rotation_picks_up_new_keys_and_drops_removed_ones() {
    let server = JwksServer::start().await;
    let old = TestKey::rsa("old", "RS256");
    let new = TestKey::es256("new");
    server.set_ok(&jwks(&[&old]));
    let auth = auth(&server, 200).await;
    assert_eq!(check(&auth, &old).await, "allowed");
    // The prewarm fetch opened a penalty window; rotation happens after it.
    tokio::time::sleep(Duration::from_millis(250)).await;
    server.set_ok(&jwks(&[&new]));
    // Unknown kid: one refetch, then the new key verifies.
    assert_eq!(check(&auth, &new).await, "allowed");
    assert_eq!(server.hits(), 2);
    // The removed key is gone from the cache after that refetch.
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(check(&auth, &old).await, "unknown_kid");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn an_expired_jwks_is_refetched_so_removed_keys_stop_verifying() {
    let server = JwksServer::start().await;
    let old = TestKey::rsa("old", "RS256");
    let new = TestKey::es256("new");
    server.set_ok(&jwks(&[&old]));
    let config: AuthConfig = toml::from_str(&format!(
        "[jwt]\njwks_url = \"{}\"\nissuer = \"{ISS}\"\naudience = \"{AUD}\"\n\
         algorithms = [\"RS256\", \"ES256\"]\njwks_penalty_ms = 250\njwks_max_age_ms = 400\n",
        server.url()
    ))
    .unwrap();
    let auth = Authenticator::new(&config).await.unwrap();
    // The issuer removes `old`: within the max age the cached JWKS is used, without a fetch.
    server.set_ok(&jwks(&[&new]));
    assert_eq!(check(&auth, &old).await, "allowed");
    assert_eq!(server.hits(), 1);
    // Past the max age, the next request refetches: `old` no longer verifies, `new` does.
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(check(&auth, &old).await, "unknown_kid");
    assert_eq!(server.hits(), 2);
    assert_eq!(check(&auth, &new).await, "allowed");
    assert_eq!(server.hits(), 2);
    // Expired again and the endpoint fails: the cached key stays usable (fail closed only when
    // no cached key fits), and the failing endpoint is asked once per penalty window.
    tokio::time::sleep(Duration::from_millis(450)).await;
    server.set_raw(500, "oops");
    for _ in 0..5 {
        assert_eq!(check(&auth, &new).await, "allowed");
    }
    assert_eq!(server.hits(), 3);
    assert_eq!(check(&auth, &old).await, "jwks_unavailable");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn unknown_kids_are_rate_limited_by_the_penalty_window() {
    let server = JwksServer::start().await;
    let key = TestKey::rsa("k1", "RS256");
    server.set_ok(&jwks(&[&key]));
    let auth = auth(&server, 400).await;
    assert_eq!(server.hits(), 1);
    // Prewarm started the window: no fetch for a while, whatever the kid.
    for i in 0..20 {
        let stranger = TestKey::es256(&format!("unknown-{i}"));
        let outcome = auth
            .authenticate(&bearer(&stranger.token(&good_claims(""))))
            .await;
        assert_eq!((kind(&outcome), status(&outcome)), ("unknown_kid", 401));
    }
    assert_eq!(server.hits(), 1);
    tokio::time::sleep(Duration::from_millis(450)).await;
    for i in 0..20 {
        let stranger = TestKey::es256(&format!("again-{i}"));
        assert_eq!(check(&auth, &stranger).await, "unknown_kid");
    }
    assert_eq!(server.hits(), 2);
    // Known keys are unaffected by the window.
    assert_eq!(check(&auth, &key).await, "allowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_share_one_fetch() {
    let server = JwksServer::start().await;
    let first = TestKey::rsa("first", "RS256");
    let second = TestKey::es256("second");
    server.set_ok(&jwks(&[&first]));
    let auth = Arc::new(auth(&server, 100).await);
    tokio::time::sleep(Duration::from_millis(150)).await;
    server.set_ok(&jwks(&[&first, &second]));
    server.set_delay(200);
    let token = second.token(&good_claims(""));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let auth = auth.clone();
            let token = token.clone();
            tokio::spawn(async move { kind(&auth.authenticate(&bearer(&token)).await) })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), "allowed");
    }
    assert_eq!(server.hits(), 2, "prewarm + one merged refetch");
}

#[tokio::test]
async fn failing_endpoint_fails_closed_with_503_then_recovers() {
    let server = JwksServer::start().await;
    let key = TestKey::rsa("k1", "RS256");
    server.set_raw(500, "oops");
    // Not an init failure.
    let auth = auth(&server, 200).await;
    let outcome = auth
        .authenticate(&bearer(&key.token(&good_claims(""))))
        .await;
    assert_eq!(
        (kind(&outcome), status(&outcome)),
        ("jwks_unavailable", 503)
    );
    server.set_ok(&jwks(&[&key]));
    // Still within the window: no retry yet, still 503.
    assert_eq!(check(&auth, &key).await, "jwks_unavailable");
    assert_eq!(server.hits(), 1);
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(check(&auth, &key).await, "allowed");
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn unreachable_endpoint_is_not_an_init_error() {
    // Bind then drop to get a closed port.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/jwks.json");
    let started = Instant::now();
    let auth = Authenticator::new(&config(&url, 10_000, 300))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    let key = TestKey::rsa("k1", "RS256");
    let outcome = auth
        .authenticate(&bearer(&key.token(&good_claims(""))))
        .await;
    assert_eq!(
        (kind(&outcome), status(&outcome)),
        ("jwks_unavailable", 503)
    );
}

#[tokio::test]
async fn slow_endpoint_times_out_quickly() {
    let server = JwksServer::start().await;
    let key = TestKey::rsa("k1", "RS256");
    server.set_ok(&jwks(&[&key]));
    server.set_delay(3_000);
    let started = Instant::now();
    let auth = Authenticator::new(&config(&server.url(), 200, 300))
        .await
        .unwrap();
    let init = started.elapsed();
    assert!(init < Duration::from_millis(1_500), "{init:?}");
    assert_eq!(check(&auth, &key).await, "jwks_unavailable");
    // Once the endpoint is fast again, the next allowed fetch succeeds.
    server.set_delay(0);
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(check(&auth, &key).await, "allowed");
}

#[tokio::test]
async fn garbage_documents_keep_cached_keys_usable() {
    let server = JwksServer::start().await;
    let key = TestKey::rsa("k1", "RS256");
    server.set_ok(&jwks(&[&key]));
    let auth = auth(&server, 100).await;
    let big = format!("{{\"keys\":[],\"pad\":\"{}\"}}", "x".repeat(100_000));
    let oct = r#"{"keys":[{"kty":"oct","kid":"x","k":"c2VjcmV0"}]}"#;
    for (status_code, body) in [
        (200, "not json"),
        (200, "<html>login</html>"),
        (200, r#"{"keys":"nope"}"#),
        (200, r#"{"keys":[]}"#),
        (
            200,
            r#"{"keys":[{"kty":"RSA","kid":"bad","n":"!!","e":"AQAB"}]}"#,
        ),
        (200, oct),
        (200, big.as_str()),
        (200, ""),
        (404, "{}"),
        (302, ""),
    ] {
        server.set_raw(status_code, body);
        tokio::time::sleep(Duration::from_millis(120)).await;
        let stranger = TestKey::es256("stranger");
        // The refetch fails: an unknown kid is now a 503 (keys unavailable), not a 401.
        let outcome = auth
            .authenticate(&bearer(&stranger.token(&good_claims(""))))
            .await;
        assert_eq!(
            kind(&outcome),
            "jwks_unavailable",
            "{status_code} {}",
            &body[..body.len().min(40)]
        );
        // The cached key still verifies.
        assert_eq!(check(&auth, &key).await, "allowed");
    }
}

#[tokio::test]
async fn jwks_url_rules_are_configuration_errors() {
    for (url, ok) in [
        (
            "https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/jwks.json",
            true,
        ),
        ("http://127.0.0.1:1/jwks", true),
        ("http://[::1]:1/jwks", true),
        ("http://localhost:1/jwks", true),
        ("http://issuer.example/jwks", false),
        ("http://10.0.0.1/jwks", false),
        ("ftp://issuer.example/jwks", false),
        ("file:///etc/jwks.json", false),
        ("not a url", false),
    ] {
        let result = Authenticator::new(&config(url, 10_000, 100)).await;
        match (result, ok) {
            (Ok(_), true) => {}
            (Err(e), false) => {
                assert!(
                    e.to_string()
                        .starts_with("auth.jwt.jwks_url (GUARD_JWT_JWKS_URL)"),
                    "{e}"
                )
            }
            (r, _) => panic!("{url}: {:?}", r.map(|_| ())),
        }
    }
}

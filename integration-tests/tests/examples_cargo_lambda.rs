//! The examples under the ecosystem's own emulator, `cargo lambda watch`: deny-by-default for
//! every HTTP shape, init failure on bad configuration, partial batch failure.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use integration_tests::{cargo_lambda::Emulator, event};
use serde_json::json;
use std::time::Duration;

const JWT_ENV: [(&str, &str); 3] = [
    (
        "GUARD_JWT_JWKS_URL",
        "http://127.0.0.1:9/.well-known/jwks.json",
    ),
    ("GUARD_JWT_ISSUER", "https://issuer.example.test"),
    ("GUARD_JWT_AUDIENCE", "orders"),
];

#[test]
fn orders_api_answers_401_in_every_http_shape_without_a_valid_token() {
    let emulator = Emulator::start("orders-401");
    let _function = emulator.function("orders-api", &JWT_ENV);
    let cases = [
        ("apigateway-rest", vec![]),
        ("apigateway-http", vec![]),
        ("function-url", vec![]),
        ("alb", vec![]),
        (
            "apigateway-http",
            vec!["headers.authorization=Bearer not.a.jwt"],
        ),
        (
            "apigateway-rest",
            vec!["headers.Authorization=Basic dXNlcjpwYXNz"],
        ),
    ];
    for (trigger, sets) in cases {
        let answer = emulator.invoke(&event(trigger, &sets));
        assert_eq!(answer["statusCode"], 401, "{trigger} {sets:?}: {answer}");
        assert_eq!(answer["headers"]["www-authenticate"], "Bearer");
        assert_eq!(answer["body"], "{\"message\":\"Unauthorized\"}");
        if trigger == "alb" {
            assert_eq!(answer["statusDescription"], "401 Unauthorized");
        }
    }
}

#[test]
fn orders_api_fails_init_without_jwt_settings_naming_the_key() {
    let emulator = Emulator::start("orders-init");
    let mut function = emulator.function("orders-api", &[]);
    let code = function.wait_exit(Duration::from_secs(15));
    assert!(matches!(code, Some(c) if c != 0), "exit: {code:?}");
    assert!(
        function.log().contains("GUARD_JWT_JWKS_URL"),
        "{}",
        function.log()
    );
}

#[test]
fn a_config_file_typo_fails_init_naming_the_key() {
    let dir = std::env::temp_dir().join(format!("lg-it-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("guard.toml");
    std::fs::write(&file, "[inspect]\nmax_sting_bytes = 10\n").unwrap();
    let emulator = Emulator::start("batch-typo");
    let mut function =
        emulator.function("batch-ingest", &[("GUARD_CONFIG", file.to_str().unwrap())]);
    let code = function.wait_exit(Duration::from_secs(15));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(code, Some(c) if c != 0), "exit: {code:?}");
    assert!(
        function.log().contains("max_sting_bytes"),
        "{}",
        function.log()
    );
}

/// A limit every test here can rely on, whatever detectors are enabled.
const LIMIT_ENV: [(&str, &str); 1] = [("GUARD_INSPECT_MAX_STRING_BYTES", "256")];

#[test]
fn batch_ingest_filters_hostile_records_and_merges_batch_item_failures() {
    let emulator = Emulator::start("batch-partial");
    let function = emulator.function("batch-ingest", &LIMIT_ENV);
    let mut batch = event("sqs", &[]);
    let good = batch["Records"][0].clone();
    let mut unparseable = good.clone();
    let mut hostile = good.clone();
    let mut good = good;
    good["messageId"] = json!("good-1");
    good["body"] = json!("{\"sensor\":\"t1\",\"value\":21.5}");
    unparseable["messageId"] = json!("handler-rejects-2");
    unparseable["body"] = json!("not a reading");
    hostile["messageId"] = json!("guard-rejects-3");
    hostile["body"] = json!(format!(
        "{{\"sensor\":\"{}\",\"value\":1}}",
        "A".repeat(5000)
    ));
    batch["Records"] = json!([good, unparseable, hostile]);

    let answer = emulator.invoke(&batch);
    assert_eq!(
        answer,
        json!({"batchItemFailures": [
            {"itemIdentifier": "handler-rejects-2"},
            {"itemIdentifier": "guard-rejects-3"}
        ]})
    );
    std::thread::sleep(Duration::from_millis(100));
    let log = function.log();
    assert!(log.contains("ingested t1 = 21.5"), "{log}");
    assert!(
        !log.contains("AAAA"),
        "the hostile record reached the handler: {log}"
    );
}

#[test]
fn a_refused_non_batch_event_is_a_generic_invocation_error() {
    let emulator = Emulator::start("batch-s3");
    let _function = emulator.function("batch-ingest", &LIMIT_ENV);
    let key = "k".repeat(1000);
    let answer = emulator.invoke(&event("s3", &[&format!("Records.0.s3.object.key={key}")]));
    assert_eq!(answer["errorType"], "LambdaGuard.Denied", "{answer}");
    assert!(
        !answer.to_string().contains("kkkk"),
        "input echoed: {answer}"
    );
}

//! Real AWS events the guard was not written from: every request fixture that
//! `aws_lambda_events` ships in its source (samples AWS documents for each service) goes through
//! trigger detection, shape validation and default inspection. A benign AWS event must never be
//! refused, whatever its trigger; payloads hidden in the base64, gzip or binary carriers of those
//! events must still be found.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use base64::Engine as _;
use lambda_guard::{
    decision::Finding,
    inspect::{InspectConfig, Inspector},
    trigger::{check_shape, Trigger},
    InputView,
};
use serde_json::{json, Value};
use std::{io::Write as _, sync::OnceLock};
use support::aws_fixtures::fixtures_dir;

mod support {
    pub mod aws_fixtures;
}

fn fixture(name: &str) -> Value {
    let path = fixtures_dir().join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn inspect(event: &Value) -> Vec<Finding> {
    static INSPECTOR: OnceLock<Inspector> = OnceLock::new();
    let inspector = INSPECTOR.get_or_init(|| Inspector::new(&InspectConfig::default()).unwrap());
    let mut findings = Vec::new();
    inspector.inspect(&InputView::new(event), &mut findings);
    findings
}

/// Asserts a finding of `category` (rule prefix) revealed by `transform`.
fn assert_found(event: &Value, category: &str, transform: &str) {
    let findings = inspect(event);
    assert!(
        findings
            .iter()
            .any(|f| f.rule.starts_with(category) && f.transforms.contains(&transform)),
        "no {category} finding through {transform}: {findings:?}"
    );
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The trigger each family of fixtures must be recognised as (by file-name prefix).
const EXPECTED: &[(&str, Trigger)] = &[
    (
        "example-apigw-v2-custom-authorizer-",
        Trigger::ApiGatewayAuthorizer,
    ),
    ("example-apigw-custom-auth-", Trigger::ApiGatewayAuthorizer),
    ("example-apigw-v2-request-", Trigger::ApiGatewayHttp),
    ("example-apigw-sam-http-request", Trigger::ApiGatewayHttp),
    ("example-apigw-request", Trigger::ApiGatewayRest),
    ("example-apigw-websocket-request", Trigger::WebSocket),
    ("example-alb-lambda-target-request", Trigger::Alb),
    ("example-vpc-lattice-", Trigger::VpcLattice),
    ("example-s3-event", Trigger::S3),
    ("example-sqs-event", Trigger::Sqs),
    ("example-sns-event", Trigger::Sns),
    ("example-dynamodb-event.json", Trigger::DynamoDb),
    ("example-dynamodb-event-null-items", Trigger::DynamoDb),
    ("example-kinesis-event", Trigger::Kinesis),
    ("example-ses-", Trigger::Ses),
    ("example-eventbridge-", Trigger::EventBridge),
    ("example-cognito-event-userpools-", Trigger::CognitoUserPool),
    ("example-iot-custom-auth-request", Trigger::Iot),
    ("example-firehose-event", Trigger::Firehose),
    ("example-kinesis-firehose-event", Trigger::Firehose),
    ("example-kafka-event", Trigger::Kafka),
    ("example-activemq-event", Trigger::AmazonMq),
    ("example-rabbitmq-event", Trigger::AmazonMq),
    ("example-cloudwatch_logs-event", Trigger::CloudWatchLogs),
];

#[test]
fn every_aws_request_fixture_is_recognised_and_allowed() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.contains("-response"))
        .collect();
    names.sort();
    assert!(names.len() > 150, "only {} fixtures found", names.len());
    let mut refused = Vec::new();
    for name in &names {
        let event = fixture(name);
        let trigger = Trigger::detect(&event);
        if let Some((_, want)) = EXPECTED.iter().find(|(p, _)| name.starts_with(p)) {
            assert_eq!(trigger, *want, "{name}");
        }
        if let Err(e) = check_shape(&event) {
            refused.push(format!("{name}: {e}"));
        }
        for f in inspect(&event) {
            refused.push(format!(
                "{name}: {} at {} ({:?})",
                f.rule, f.path, f.excerpt
            ));
        }
    }
    assert!(
        refused.is_empty(),
        "benign AWS events refused:\n{}",
        refused.join("\n")
    );
}

#[test]
fn payloads_in_firehose_and_kafka_records_and_headers_are_decoded() {
    let attack = b"name=x' UNION SELECT password FROM users--";
    let mut firehose = fixture("example-kinesis-firehose-event.json");
    firehose["records"][1]["data"] = json!(b64(attack));
    let mut kafka = fixture("example-kafka-event.json");
    kafka["records"]["AWSKafkaTopic-0"][0]["value"] = json!(b64(attack));
    let mut kafka_header = fixture("example-kafka-event.json");
    kafka_header["records"]["AWSKafkaTopic-0"][0]["headers"][0]["headerKey"] =
        json!(attack.to_vec());
    assert_found(&firehose, "sqli", "base64");
    assert_found(&kafka, "sqli", "base64");
    assert_found(&kafka_header, "sqli", "binary");
}

#[test]
fn cloudwatch_logs_batches_are_inflated() {
    let logs = json!({"messageType": "DATA_MESSAGE", "logGroup": "/aws/lambda/orders",
        "logEvents": [{"id": "1", "timestamp": 1, "message": "GET /?file=../../../../etc/passwd"}]});
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(logs.to_string().as_bytes()).unwrap();
    let event = json!({"awslogs": {"data": b64(&gz.finish().unwrap())}});
    let findings = inspect(&event);
    assert!(
        findings.iter().any(|f| f.rule.starts_with("path")
            && f.transforms.contains(&"gzip")
            && f.path.ends_with("logEvents[0].message")),
        "{findings:?}"
    );
    // The fixture AWS documents inflates to benign log lines.
    assert!(inspect(&fixture("example-cloudwatch_logs-event.json")).is_empty());
}

#[test]
fn binary_records_are_read_as_text_runs() {
    // A protobuf-like Kinesis record: NUL and high bytes are not findings, a SQL tail is.
    let mut kinesis = fixture("example-kinesis-event.json");
    let mut data = vec![0xf3, 0x89, 0x9a, 0xc2, 0x0a, 0x00, 0x12, 0x04];
    kinesis["Records"][0]["kinesis"]["data"] = json!(b64(&data));
    assert!(inspect(&kinesis).is_empty());
    data.extend_from_slice(b"1' OR '1'='1");
    kinesis["Records"][0]["kinesis"]["data"] = json!(b64(&data));
    assert_found(&kinesis, "sqli", "binary");
}

//! Realistic sample events for every trigger, shaped as AWS delivers them (field names, casing,
//! encodings). Used by tests, benchmarks, `lambda-guard event` and the demo.

use super::Trigger;
use base64::Engine as _;
use serde_json::{json, Value};

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A CloudWatch Logs subscription event carrying one log line, as Lambda delivers it: the
/// batch gzipped, then base64.
pub fn cloudwatch_logs(message: &str) -> Value {
    use std::io::Write as _;
    let batch = json!({"messageType": "DATA_MESSAGE", "owner": "123456789012",
        "logGroup": "/aws/lambda/checkout", "logStream": "2026/11/29/[$LATEST]0123456789abcdef",
        "subscriptionFilters": ["to-siem"],
        "logEvents": [{"id": "38000000000000000000000000000000000000000000000000000000",
            "timestamp": 1764400000123_u64, "message": message}]});
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let written = gz
        .write_all(batch.to_string().as_bytes())
        .and_then(|()| gz.finish());
    // Writing to memory cannot fail.
    let data = base64::engine::general_purpose::STANDARD.encode(written.unwrap_or_default());
    json!({"awslogs": {"data": data}})
}

#[cfg(test)]
pub(crate) fn b64_for_tests(text: &str) -> String {
    b64(text)
}

const ARN_PREFIX: &str = "arn:aws:lambda:us-east-1:123456789012:function";

/// A sample event of `trigger`, with benign caller data.
pub fn sample(trigger: Trigger) -> Value {
    match trigger {
        Trigger::ApiGatewayRest => json!({
            "resource": "/orders/{id}",
            "path": "/orders/42",
            "httpMethod": "GET",
            "headers": {
                "Accept": "application/json",
                "Host": "abc123.execute-api.us-east-1.amazonaws.com",
                "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)",
                "X-Forwarded-For": "203.0.113.7"
            },
            "multiValueHeaders": {
                "Accept": ["application/json"],
                "Host": ["abc123.execute-api.us-east-1.amazonaws.com"],
                "User-Agent": ["Mozilla/5.0 (X11; Linux x86_64)"],
                "X-Forwarded-For": ["203.0.113.7"]
            },
            "queryStringParameters": {"expand": "items"},
            "multiValueQueryStringParameters": {"expand": ["items"]},
            "pathParameters": {"id": "42"},
            "stageVariables": null,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abc123",
                "resourceId": "r1s2t3",
                "resourcePath": "/orders/{id}",
                "httpMethod": "GET",
                "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
                "stage": "prod",
                "protocol": "HTTP/1.1",
                "identity": {"sourceIp": "203.0.113.7", "userAgent": "Mozilla/5.0 (X11; Linux x86_64)"},
                "requestTimeEpoch": 1764400000000_u64
            },
            "body": null,
            "isBase64Encoded": false
        }),
        Trigger::ApiGatewayHttp | Trigger::FunctionUrl => {
            let url = trigger == Trigger::FunctionUrl;
            let domain = if url {
                "abcdefghijklmnop.lambda-url.us-east-1.on.aws"
            } else {
                "abc123.execute-api.us-east-1.amazonaws.com"
            };
            let body = json!({"item": "espresso beans, 1kg bag", "quantity": 2,
                "note": "Leave at the front desk if nobody answers. Thanks!"})
            .to_string();
            json!({
                "version": "2.0",
                "routeKey": if url { "$default" } else { "POST /orders" },
                "rawPath": "/orders",
                "rawQueryString": "source=web&campaign=winter",
                "cookies": ["session_pref=dark", "locale=en-GB"],
                "headers": {
                    "accept": "application/json",
                    "content-type": "application/json",
                    "content-length": body.len().to_string(),
                    "host": domain,
                    "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15",
                    "x-amzn-trace-id": "Root=1-6745a1b2-3c4d5e6f7a8b9c0d1e2f3a4b",
                    "x-forwarded-for": "198.51.100.23",
                    "x-forwarded-port": "443",
                    "x-forwarded-proto": "https"
                },
                "queryStringParameters": {"source": "web", "campaign": "winter"},
                "requestContext": {
                    "accountId": "123456789012",
                    "apiId": if url { "abcdefghijklmnop" } else { "abc123" },
                    "domainName": domain,
                    "domainPrefix": if url { "abcdefghijklmnop" } else { "abc123" },
                    "http": {
                        "method": "POST",
                        "path": "/orders",
                        "protocol": "HTTP/1.1",
                        "sourceIp": "198.51.100.23",
                        "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15"
                    },
                    "requestId": "JKJaXmPLvHcESHA=",
                    "routeKey": if url { "$default" } else { "POST /orders" },
                    "stage": "$default",
                    "time": "29/Nov/2026:10:00:00 +0000",
                    "timeEpoch": 1795860000000_u64
                },
                "body": body,
                "isBase64Encoded": false
            })
        }
        Trigger::WebSocket => json!({
            "headers": {"Host": "ws.example.com", "Sec-WebSocket-Version": "13"},
            "multiValueHeaders": {"Host": ["ws.example.com"], "Sec-WebSocket-Version": ["13"]},
            "requestContext": {
                "routeKey": "sendmessage",
                "eventType": "MESSAGE",
                "messageId": "Yu2YAcDyoAMCKvg=",
                "connectionId": "Yu2Wfc5ZoAMCKvg=",
                "domainName": "ws.example.com",
                "stage": "prod",
                "apiId": "wsapi1",
                "requestId": "Yu2YAEWjoAMFcrg=",
                "identity": {"sourceIp": "192.0.2.10"},
                "connectedAt": 1764399990000_u64,
                "messageDirection": "IN",
                "requestTime": "29/Nov/2026:10:00:00 +0000",
                "requestTimeEpoch": 1764400000000_u64
            },
            "body": "{\"action\":\"sendmessage\",\"message\":\"hello room\"}",
            "isBase64Encoded": false
        }),
        Trigger::Alb => json!({
            "requestContext": {"elb": {"targetGroupArn":
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders/6d0ecf831eec9f09"}},
            "httpMethod": "GET",
            "path": "/orders/42",
            "queryStringParameters": {"expand": "items", "q": "blue%20mug"},
            "headers": {
                "accept": "application/json",
                "host": "orders-alb-123.us-east-1.elb.amazonaws.com",
                "user-agent": "curl/8.5.0",
                "x-forwarded-for": "192.0.2.44",
                "x-forwarded-port": "443",
                "x-forwarded-proto": "https"
            },
            "body": "",
            "isBase64Encoded": false
        }),
        // A `REQUEST` authorizer of a REST API (payload format 1.0).
        Trigger::ApiGatewayAuthorizer => json!({
            "type": "REQUEST",
            "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/orders/42",
            "resource": "/orders/{id}",
            "path": "/orders/42",
            "httpMethod": "GET",
            "headers": {"accept": "application/json", "user-agent": "curl/8.5.0"},
            "multiValueHeaders": {"accept": ["application/json"], "user-agent": ["curl/8.5.0"]},
            "queryStringParameters": {"expand": "items"},
            "multiValueQueryStringParameters": {"expand": ["items"]},
            "pathParameters": {"id": "42"},
            "stageVariables": {},
            "requestContext": {
                "path": "/prod/orders/42",
                "accountId": "123456789012",
                "resourceId": "05c7jb",
                "stage": "prod",
                "requestId": "a1b2c3d4-5678-90ab-cdef-1234567890ab",
                "identity": {"sourceIp": "192.0.2.10", "userAgent": "curl/8.5.0"},
                "resourcePath": "/orders/{id}",
                "httpMethod": "GET",
                "apiId": "abcdef123"
            }
        }),
        // Event structure version 2 (what a target group sends unless set to version 1).
        Trigger::VpcLattice => json!({
            "version": "2.0",
            "path": "/orders/42",
            "method": "GET",
            "headers": {
                "accept": ["application/json"],
                "user-agent": ["curl/8.5.0"],
                "x-forwarded-for": ["10.0.2.100"]
            },
            "queryStringParameters": {"expand": ["items"]},
            "body": "",
            "isBase64Encoded": false,
            "requestContext": {
                "serviceNetworkArn": "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0bf3f2882e9cc805a",
                "serviceArn": "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0a40eebed65f8d69c",
                "targetGroupArn": "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-6d0ecf831eec9f09",
                "identity": {
                    "sourceVpcArn": "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0b8276c84697e7339",
                    "type": "AWS_IAM",
                    "principal": "arn:aws:iam::123456789012:role/orders-client"
                },
                "region": "us-east-1",
                "timeEpoch": "1764400000000000"
            }
        }),
        Trigger::S3 => json!({"Records": [{
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": "us-east-1",
            "eventTime": "2026-11-29T10:00:00.000Z",
            "eventName": "ObjectCreated:Put",
            "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
            "requestParameters": {"sourceIPAddress": "198.51.100.5"},
            "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": "uploads",
                "bucket": {"name": "customer-uploads", "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                    "arn": "arn:aws:s3:::customer-uploads"},
                "object": {"key": "invoices/2026/Q4+report%281%29.pdf", "size": 48213,
                    "eTag": "d41d8cd98f00b204e9800998ecf8427e", "sequencer": "0055AED6DCD90281E5"}
            }
        }]}),
        Trigger::Sqs => json!({"Records": [
            sqs_record("059f36b4-87a3-44ab-83d2-661975830a7d", &json!({"orderId": "A-1001", "note": "gift wrap"}).to_string()),
            sqs_record("2e1424d4-f796-459a-8184-9c92662be6da", &json!({"orderId": "A-1002", "note": "no rush"}).to_string()),
        ]}),
        Trigger::Sns => json!({"Records": [{
            "EventVersion": "1.0",
            "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:orders:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
            "EventSource": "aws:sns",
            "Sns": {
                "SignatureVersion": "1",
                "Timestamp": "2026-11-29T10:00:00.000Z",
                "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
                "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
                "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                "Message": json!({"event": "order.shipped", "orderId": "A-1001", "carrier": "DHL"}).to_string(),
                "MessageAttributes": {"priority": {"Type": "String", "Value": "normal"}},
                "Type": "Notification",
                "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                "TopicArn": "arn:aws:sns:us-east-1:123456789012:orders",
                "Subject": "Order shipped"
            }
        }]}),
        Trigger::DynamoDb => json!({"Records": [{
            "eventID": "c4ca4238a0b923820dcc509a6f75849b",
            "eventName": "INSERT",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": {
                "ApproximateCreationDateTime": 1764400000,
                "Keys": {"pk": {"S": "CUSTOMER#42"}, "sk": {"S": "PROFILE"}},
                "NewImage": {
                    "pk": {"S": "CUSTOMER#42"},
                    "sk": {"S": "PROFILE"},
                    "name": {"S": "Ada Lovelace"},
                    "tags": {"SS": ["vip", "newsletter"]},
                    "address": {"M": {"city": {"S": "London"}, "zip": {"S": "NW1 6XE"}}},
                    "visits": {"N": "12"},
                    "avatar": {"B": b64("png-bytes")}
                },
                "SequenceNumber": "111000000000000000000001",
                "SizeBytes": 142,
                "StreamViewType": "NEW_AND_OLD_IMAGES"
            },
            "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/customers/stream/2026-11-29T00:00:00.000"
        }]}),
        Trigger::Kinesis => json!({"Records": [{
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": "device-17",
                "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
                "data": b64(&json!({"device": "thermo-17", "celsius": 21.5, "label": "kitchen"}).to_string()),
                "approximateArrivalTimestamp": 1764400000.123
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-kinesis-role",
            "awsRegion": "us-east-1",
            "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/telemetry"
        }]}),
        Trigger::EventBridge => json!({
            "version": "0",
            "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "detail-type": "OrderPlaced",
            "source": "com.example.orders",
            "account": "123456789012",
            "time": "2026-11-29T10:00:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {"orderId": "A-1001", "customer": {"name": "Grace Hopper", "email": "grace@example.com"},
                "items": [{"sku": "MUG-BLUE", "qty": 1}]}
        }),
        Trigger::Ses => json!({"Records": [{
            "eventSource": "aws:ses",
            "eventVersion": "1.0",
            "ses": {
                "mail": {
                    "timestamp": "2026-11-29T10:00:00.000Z",
                    "source": "alice@example.com",
                    "messageId": "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1x0",
                    "destination": ["support@example.org"],
                    "headersTruncated": false,
                    "headers": [
                        {"name": "From", "value": "Alice <alice@example.com>"},
                        {"name": "To", "value": "support@example.org"},
                        {"name": "Subject", "value": "Question about my order"}
                    ],
                    "commonHeaders": {"returnPath": "alice@example.com", "from": ["Alice <alice@example.com>"],
                        "date": "Sun, 29 Nov 2026 10:00:00 +0000", "to": ["support@example.org"],
                        "messageId": "<0123456789example.com>", "subject": "Question about my order"}
                },
                "receipt": {
                    "timestamp": "2026-11-29T10:00:00.000Z",
                    "processingTimeMillis": 574,
                    "recipients": ["support@example.org"],
                    "spamVerdict": {"status": "PASS"},
                    "virusVerdict": {"status": "PASS"},
                    "spfVerdict": {"status": "PASS"},
                    "dkimVerdict": {"status": "PASS"},
                    "dmarcVerdict": {"status": "PASS"},
                    "action": {"type": "Lambda", "functionArn": format!("{ARN_PREFIX}:support-inbox"),
                        "invocationType": "Event"}
                }
            }
        }]}),
        Trigger::Iot => json!({
            "token": "aToken",
            "signatureVerified": false,
            "protocols": ["mqtt"],
            "protocolData": {"mqtt": {"username": "thermo-17", "password": b64("device-secret"),
                "clientId": "thermo-17"}},
            "connectionMetadata": {"id": "e56f08c3-c559-490f-aa9f-7e8427d0f57b"}
        }),
        Trigger::CognitoUserPool => json!({
            "version": "1",
            "region": "us-east-1",
            "userPoolId": "us-east-1_EXAMPLE",
            "userName": "ada",
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
            "triggerSource": "PreSignUp_SignUp",
            "request": {
                "userAttributes": {"email": "ada@example.com", "name": "Ada Lovelace"},
                "validationData": {},
                "clientMetadata": {"referrer": "newsletter"}
            },
            "response": {"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}
        }),
        Trigger::Firehose => json!({
            "invocationId": "c1a5f2e4-8d3b-4f6a-9e2c-1b7d0a9f3e51",
            "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/clickstream",
            "region": "us-east-1",
            "records": [{
                "recordId": "49546986683135544286507457936321625675700192471156785154",
                "approximateArrivalTimestamp": 1764400000123_u64,
                "data": b64(&json!({"page": "/pricing", "referrer": "newsletter", "ms": 412}).to_string())
            }]
        }),
        Trigger::Kafka => json!({
            "eventSource": "aws:kafka",
            "eventSourceArn": "arn:aws:kafka:us-east-1:123456789012:cluster/orders/6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f-2",
            "bootstrapServers": "b-1.orders.abc123.c2.kafka.us-east-1.amazonaws.com:9092",
            "records": {"orders-0": [{
                "topic": "orders",
                "partition": 0,
                "offset": 15,
                "timestamp": 1764400000123_u64,
                "timestampType": "CREATE_TIME",
                "key": b64("A-1001"),
                "value": b64(&json!({"orderId": "A-1001", "status": "paid", "total": 42.5}).to_string()),
                "headers": [{"source": [99, 104, 101, 99, 107, 111, 117, 116]}]
            }]}
        }),
        Trigger::AmazonMq => json!({
            "eventSource": "aws:mq",
            "eventSourceArn": "arn:aws:mq:us-east-1:123456789012:broker:invoices:b-0f5b7522-2b41-4f85-a615-735a4e6d96b5",
            "messages": [{
                "messageID": "ID:b-0f5b7522-2b41-4f85-a615-735a4e6d96b5-1.mq.us-east-1.amazonaws.com-37557-1764400000000-1:1:1:1:1",
                "messageType": "jms/text-message",
                "timestamp": 1764400000123_u64,
                "deliveryMode": 1,
                "correlationID": "inv-7781",
                "replyTo": "null",
                "destination": {"physicalName": "invoices"},
                "redelivered": false,
                "type": "",
                "expiration": 0,
                "priority": 4,
                "data": b64("Invoice 7781 for ACME Ltd, due 2026-12-31."),
                "brokerInTime": 1764400000125_u64,
                "brokerOutTime": 1764400000130_u64,
                "properties": {"tenant": "acme"}
            }]
        }),
        Trigger::CloudWatchLogs => cloudwatch_logs("INFO order A-1001 paid in 412 ms"),
        Trigger::Unknown => json!({"action": "resize", "image": "cat.png", "width": 640}),
    }
}

/// An SQS record as Lambda delivers it.
pub fn sqs_record(message_id: &str, body: &str) -> Value {
    json!({
        "messageId": message_id,
        "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a/EXAMPLE==",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1764400000000",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1764400000001"
        },
        "messageAttributes": {},
        "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:orders",
        "awsRegion": "us-east-1"
    })
}

/// Sets `value` at a dotted path (`body`, `Records.0.body`, `headers.authorization`), creating
/// objects on the way. Array segments must exist.
pub fn set_path(event: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let mut cursor = event;
    let segments: Vec<&str> = path.trim_start_matches("$.").split('.').collect();
    let Some((last, parents)) = segments.split_last() else {
        return Err("empty path".into());
    };
    for seg in parents {
        cursor = step(cursor, seg, path)?;
    }
    match cursor {
        Value::Array(items) => {
            let i: usize = last
                .parse()
                .map_err(|_| format!("{path}: `{last}` is not an index"))?;
            let slot = items
                .get_mut(i)
                .ok_or_else(|| format!("{path}: no element {i}"))?;
            *slot = value;
        }
        Value::Object(map) => {
            map.insert((*last).to_owned(), value);
        }
        other => {
            *other = json!({ *last: value });
        }
    }
    Ok(())
}

fn step<'v>(v: &'v mut Value, seg: &str, path: &str) -> Result<&'v mut Value, String> {
    match v {
        Value::Array(items) => {
            let i: usize = seg
                .parse()
                .map_err(|_| format!("{path}: `{seg}` is not an index"))?;
            items
                .get_mut(i)
                .ok_or_else(|| format!("{path}: no element {i}"))
        }
        Value::Object(map) => Ok(map.entry(seg.to_owned()).or_insert_with(|| json!({}))),
        other => {
            *other = json!({});
            step(other, seg, path)
        }
    }
}

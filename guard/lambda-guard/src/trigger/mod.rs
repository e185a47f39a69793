//! Trigger detection and the normalized input view.
//!
//! Lambda hands a function a JSON event whose shape depends on what invoked it. The guard first
//! recognises the trigger from the event's own markers (never from configuration: a direct invoke
//! can send any shape), then builds an [`InputView`]: every caller-controlled value, decoded, with
//! its JSON path.
//!
//! ```
//! use lambda_guard::trigger::{InputView, Trigger};
//! let event = serde_json::json!({
//!     "Records": [{"eventSource": "aws:sqs", "messageId": "m1", "body": "{\"note\":\"hi\"}"}]
//! });
//! assert_eq!(Trigger::detect(&event), Trigger::Sqs);
//! let view = InputView::new(&event);
//! let mut paths = Vec::new();
//! view.for_each(|field| paths.push(field.path.to_string()));
//! assert!(paths.contains(&"$.Records[0].body.note".to_string()));
//! ```

mod body;
pub(crate) mod decode;
mod json;
mod known;
pub mod sample;
mod view;

pub use sample::sample;

pub(crate) use view::RequestLine;
pub use view::{Field, FieldRole, HttpRequest, InputView, JsonPath, Record, Transforms};

use serde_json::{Map, Value};

/// What invoked the function, recognised from the event's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Trigger {
    /// API Gateway REST API (payload format 1.0).
    ApiGatewayRest,
    /// API Gateway HTTP API (payload format 2.0).
    ApiGatewayHttp,
    /// API Gateway WebSocket API.
    WebSocket,
    /// Application Load Balancer target group.
    Alb,
    /// Lambda Function URL (payload format 2.0 on a `lambda-url` domain).
    FunctionUrl,
    /// Amazon VPC Lattice target group (event structure versions 1 and 2).
    VpcLattice,
    /// API Gateway Lambda authorizer (`TOKEN` and `REQUEST`, payload formats 1.0 and 2.0):
    /// the caller's request, answered with a policy rather than an HTTP response.
    ApiGatewayAuthorizer,
    /// S3 event notification.
    S3,
    /// SQS queue (including SNS→SQS fan-out, decoded inside the view).
    Sqs,
    /// SNS topic subscription.
    Sns,
    /// DynamoDB Streams.
    DynamoDb,
    /// Kinesis Data Streams.
    Kinesis,
    /// EventBridge (CloudWatch Events).
    EventBridge,
    /// SES receipt rule.
    Ses,
    /// AWS IoT: custom authorizer requests and IoT button events.
    Iot,
    /// Cognito user-pool trigger.
    CognitoUserPool,
    /// Amazon Data Firehose data transformation.
    Firehose,
    /// Amazon MSK and self-managed Apache Kafka.
    Kafka,
    /// Amazon MQ, for ActiveMQ and RabbitMQ brokers.
    AmazonMq,
    /// CloudWatch Logs subscription filter.
    CloudWatchLogs,
    /// Anything else: treated as fully untrusted.
    Unknown,
}

impl Trigger {
    /// Every trigger, in detection-independent order (for fixtures and reports).
    pub const ALL: [Trigger; 21] = [
        Trigger::ApiGatewayRest,
        Trigger::ApiGatewayHttp,
        Trigger::WebSocket,
        Trigger::Alb,
        Trigger::FunctionUrl,
        Trigger::VpcLattice,
        Trigger::ApiGatewayAuthorizer,
        Trigger::S3,
        Trigger::Sqs,
        Trigger::Sns,
        Trigger::DynamoDb,
        Trigger::Kinesis,
        Trigger::EventBridge,
        Trigger::Ses,
        Trigger::Iot,
        Trigger::CognitoUserPool,
        Trigger::Firehose,
        Trigger::Kafka,
        Trigger::AmazonMq,
        Trigger::CloudWatchLogs,
        Trigger::Unknown,
    ];

    /// Recognises the trigger of a raw event. Cheap: a handful of key look-ups.
    pub fn detect(event: &Value) -> Trigger {
        let Some(obj) = event.as_object() else {
            return Trigger::Unknown;
        };
        if let Some(records) = member(obj, "Records").and_then(Value::as_array) {
            return records
                .first()
                .map(detect_record)
                .unwrap_or(Trigger::Unknown);
        }
        // API Gateway authorizer requests (`type` + `methodArn`/`routeArn`) carry the caller's
        // request but expect a policy, not an HTTP response.
        if member(obj, "type").is_some()
            && (member(obj, "routeArn").is_some() || member(obj, "methodArn").is_some())
        {
            return Trigger::ApiGatewayAuthorizer;
        }
        if let Some(ctx) = member(obj, "requestContext").and_then(Value::as_object) {
            if member(ctx, "elb").is_some() {
                return Trigger::Alb;
            }
            if member(ctx, "connectionId").is_some() && member(ctx, "eventType").is_some() {
                return Trigger::WebSocket;
            }
            // Payload format 2.0 has `requestContext.http`; VPC Lattice's 2.0 does not.
            if member(obj, "version").and_then(Value::as_str) == Some("2.0")
                && member(ctx, "http").is_some_and(Value::is_object)
            {
                let url = ctx
                    .get("domainName")
                    .and_then(Value::as_str)
                    .is_some_and(|d| d.contains(".lambda-url."));
                return if url {
                    Trigger::FunctionUrl
                } else {
                    Trigger::ApiGatewayHttp
                };
            }
            if member(obj, "httpMethod").is_some() {
                return Trigger::ApiGatewayRest;
            }
            // VPC Lattice's version 2: `method` and `path` at the top, the service network in
            // the context.
            if member(obj, "method").is_some()
                && (member(ctx, "serviceArn").is_some() || member(ctx, "targetGroupArn").is_some())
            {
                return Trigger::VpcLattice;
            }
        }
        // VPC Lattice's version 1 has no context: snake_case members of its own.
        if member(obj, "method").is_some() && member(obj, "raw_path").is_some() {
            return Trigger::VpcLattice;
        }
        if member(obj, "detail-type").is_some() && member(obj, "detail").is_some() {
            return Trigger::EventBridge;
        }
        if member(obj, "triggerSource").is_some() && member(obj, "userPoolId").is_some() {
            return Trigger::CognitoUserPool;
        }
        if member(obj, "protocolData").is_some() && member(obj, "connectionMetadata").is_some()
            || member(obj, "serialNumber").is_some() && member(obj, "clickType").is_some()
        {
            return Trigger::Iot;
        }
        // The stream and broker pollers: records whose payloads are base64 by contract.
        let source = member(obj, "eventSource").and_then(Value::as_str);
        let has = |key: &str, shape: fn(&Value) -> bool| member(obj, key).is_some_and(shape);
        if matches!(source, Some("aws:kafka" | "SelfManagedKafka"))
            && has("records", Value::is_object)
        {
            return Trigger::Kafka;
        }
        if source == Some("aws:mq") && has("messages", Value::is_array)
            || source == Some("aws:rmq") && has("rmqMessagesByQueue", Value::is_object)
        {
            return Trigger::AmazonMq;
        }
        if member(obj, "deliveryStreamArn").is_some() && has("records", Value::is_array) {
            return Trigger::Firehose;
        }
        if member(obj, "awslogs")
            .and_then(Value::as_object)
            .is_some_and(|logs| member(logs, "data").is_some_and(Value::is_string))
        {
            return Trigger::CloudWatchLogs;
        }
        Trigger::Unknown
    }

    /// Stable lower-case name, used in reports, scan output and telemetry.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::ApiGatewayRest => "apigateway-rest",
            Trigger::ApiGatewayHttp => "apigateway-http",
            Trigger::WebSocket => "apigateway-websocket",
            Trigger::Alb => "alb",
            Trigger::FunctionUrl => "function-url",
            Trigger::VpcLattice => "vpc-lattice",
            Trigger::ApiGatewayAuthorizer => "apigateway-authorizer",
            Trigger::S3 => "s3",
            Trigger::Sqs => "sqs",
            Trigger::Sns => "sns",
            Trigger::DynamoDb => "dynamodb",
            Trigger::Kinesis => "kinesis",
            Trigger::EventBridge => "eventbridge",
            Trigger::Ses => "ses",
            Trigger::Iot => "iot",
            Trigger::CognitoUserPool => "cognito-user-pool",
            Trigger::Firehose => "firehose",
            Trigger::Kafka => "kafka",
            Trigger::AmazonMq => "amazon-mq",
            Trigger::CloudWatchLogs => "cloudwatch-logs",
            Trigger::Unknown => "unknown",
        }
    }

    /// Parses a [`Trigger::name`].
    pub fn from_name(name: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Triggers that carry an HTTP request and expect an HTTP-shaped response.
    pub fn is_http(self) -> bool {
        matches!(
            self,
            Trigger::ApiGatewayRest
                | Trigger::ApiGatewayHttp
                | Trigger::WebSocket
                | Trigger::Alb
                | Trigger::FunctionUrl
                | Trigger::VpcLattice
        )
    }

    /// Triggers that carry a caller's HTTP request (headers, path, a bearer token): the HTTP
    /// triggers and API Gateway's Lambda authorizers.
    pub fn carries_request(self) -> bool {
        self.is_http() || self == Trigger::ApiGatewayAuthorizer
    }

    /// Triggers whose records can be refused one by one: through `batchItemFailures`, or
    /// Firehose's `ProcessingFailed` result.
    pub fn supports_partial_batch(self) -> bool {
        matches!(
            self,
            Trigger::Sqs | Trigger::Kinesis | Trigger::DynamoDb | Trigger::Firehose
        )
    }

    /// The member of the event that holds a batch's records.
    pub fn records_member(self) -> &'static str {
        match self {
            Trigger::Firehose => "records",
            _ => "Records",
        }
    }
}

impl std::fmt::Display for Trigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Checks that an event has the exact shape its trigger delivers (with `aws_lambda_events`'
/// types); the error names the trigger and what does not fit. Costs a full deserialization:
/// for offline checks (`lambda-guard scan`), not the hot path. Unknown events have no shape to
/// check and pass.
pub fn check_shape(event: &Value) -> Result<(), String> {
    use aws_lambda_events::event::*;
    fn fits<T: serde::de::DeserializeOwned>(event: &Value) -> Result<(), String> {
        T::deserialize(event).map(drop).map_err(|e| e.to_string())
    }
    let trigger = Trigger::detect(event);
    match trigger {
        Trigger::ApiGatewayRest => fits::<apigw::ApiGatewayProxyRequest>(event),
        Trigger::ApiGatewayHttp => fits::<apigw::ApiGatewayV2httpRequest>(event),
        Trigger::FunctionUrl => fits::<lambda_function_urls::LambdaFunctionUrlRequest>(event),
        Trigger::WebSocket => fits::<apigw::ApiGatewayWebsocketProxyRequest>(event),
        Trigger::Alb => fits::<alb::AlbTargetGroupRequest>(event),
        Trigger::VpcLattice if event.get("raw_path").is_some() => {
            fits::<vpc_lattice::VpcLatticeRequestV1>(event)
        }
        Trigger::VpcLattice => fits::<vpc_lattice::VpcLatticeRequestV2>(event),
        Trigger::ApiGatewayAuthorizer => match event.get("type").and_then(Value::as_str) {
            Some("TOKEN") => fits::<apigw::ApiGatewayCustomAuthorizerRequest>(event),
            _ if event.get("routeArn").is_some() => {
                fits::<apigw::ApiGatewayV2CustomAuthorizerV2Request>(event)
            }
            _ => fits::<apigw::ApiGatewayCustomAuthorizerRequestTypeRequest>(event),
        },
        Trigger::S3 => fits::<s3::S3Event>(event),
        Trigger::Sqs => fits::<sqs::SqsEvent>(event),
        Trigger::Sns => fits::<sns::SnsEvent>(event),
        Trigger::DynamoDb => fits::<dynamodb::Event>(event),
        Trigger::Kinesis => fits::<kinesis::KinesisEvent>(event),
        Trigger::EventBridge => fits::<eventbridge::EventBridgeEvent>(event),
        Trigger::Ses => fits::<ses::SimpleEmailEvent>(event),
        Trigger::CognitoUserPool => match event.get("request") {
            Some(Value::Object(_)) => Ok(()),
            _ => Err("`request` is not an object".into()),
        },
        Trigger::Firehose => fits::<firehose::KinesisFirehoseEvent>(event),
        Trigger::Kafka => fits::<kafka::KafkaEvent>(event),
        Trigger::AmazonMq if event.get("messages").is_some() => {
            fits::<activemq::ActiveMqEvent>(event)
        }
        Trigger::AmazonMq => fits::<rabbitmq::RabbitMqEvent>(event),
        // `aws_lambda_events` inflates the batch while deserializing, without a bound: a
        // gzip bomb. The view inflates it, bounded; here only the envelope is checked.
        Trigger::CloudWatchLogs => match event.pointer("/awslogs/data") {
            Some(Value::String(_)) => Ok(()),
            _ => Err("`awslogs.data` is not a string".into()),
        },
        Trigger::Iot | Trigger::Unknown => Ok(()),
    }
    .map_err(|e| format!("not a {trigger} event: {e}"))
}

fn detect_record(record: &Value) -> Trigger {
    let source = record
        .get("eventSource")
        .or_else(|| record.get("EventSource"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    match source {
        "aws:s3" => Trigger::S3,
        "aws:sqs" => Trigger::Sqs,
        "aws:sns" => Trigger::Sns,
        "aws:dynamodb" => Trigger::DynamoDb,
        "aws:kinesis" => Trigger::Kinesis,
        "aws:ses" => Trigger::Ses,
        _ => Trigger::Unknown,
    }
}

/// `obj[key]`. Event objects are small and looked up a dozen times per event: comparing keys
/// beats hashing with the map's SipHash (larger maps still use the index).
pub(crate) fn member<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if obj.len() <= 16 {
        obj.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        obj.get(key)
    }
}

#[cfg(test)]
mod tests;

//! The members AWS documents for each trigger's event and record objects. The view walks the
//! caller-controlled ones by name and skips the rest of these (ids, ARNs, timestamps AWS
//! sets); a member not listed here is walked as input.

use super::Trigger;

/// API Gateway REST, HTTP and WebSocket APIs, ALB and function URLs; Lambda authorizers'
/// requests too, whose own members (`type`, the token, the method ARN with the caller's path,
/// `identitySource`) are walked as input.
const HTTP: &[&str] = &[
    "version",
    "resource",
    "path",
    "httpMethod",
    "routeKey",
    "rawPath",
    "rawQueryString",
    "cookies",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "stageVariables",
    "requestContext",
    "body",
    "isBase64Encoded",
];

/// VPC Lattice, versions 2 (camelCase) and 1 (snake_case).
const VPC_LATTICE: &[&str] = &[
    "version",
    "path",
    "raw_path",
    "method",
    "headers",
    "queryStringParameters",
    "query_string_parameters",
    "requestContext",
    "body",
    "isBase64Encoded",
    "is_base64_encoded",
];

const EVENTBRIDGE: &[&str] = &[
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
    "replay-name",
];

const COGNITO: &[&str] = &[
    "version",
    "triggerSource",
    "region",
    "userPoolId",
    "userName",
    "callerContext",
    "request",
    "response",
];

const RECORDS: &[&str] = &["Records"];

const S3: &[&str] = &[
    "eventVersion",
    "eventSource",
    "awsRegion",
    "eventTime",
    "eventName",
    "userIdentity",
    "requestParameters",
    "responseElements",
    "s3",
    "glacierEventData",
];

const SQS: &[&str] = &[
    "messageId",
    "receiptHandle",
    "body",
    "attributes",
    "messageAttributes",
    "md5OfBody",
    "md5OfMessageAttributes",
    "eventSource",
    "eventSourceARN",
    "awsRegion",
];

const SNS: &[&str] = &["EventVersion", "EventSubscriptionArn", "EventSource", "Sns"];

const DYNAMODB: &[&str] = &[
    "eventID",
    "eventName",
    "eventVersion",
    "eventSource",
    "awsRegion",
    "dynamodb",
    "eventSourceARN",
    "userIdentity",
    "recordFormat",
    "tableName",
];

const KINESIS: &[&str] = &[
    "kinesis",
    "eventSource",
    "eventVersion",
    "eventID",
    "eventName",
    "invokeIdentityArn",
    "awsRegion",
    "eventSourceARN",
];

const SES: &[&str] = &["eventSource", "eventVersion", "ses"];

const FIREHOSE: &[&str] = &[
    "invocationId",
    "deliveryStreamArn",
    "sourceKinesisStreamArn",
    "region",
    "records",
];
const KAFKA: &[&str] = &[
    "eventSource",
    "eventSourceArn",
    "bootstrapServers",
    "records",
];
const AMAZON_MQ: &[&str] = &[
    "eventSource",
    "eventSourceArn",
    "messages",
    "rmqMessagesByQueue",
];
const CLOUDWATCH_LOGS: &[&str] = &["awslogs"];

/// Objects nested in a record, each walked by the members the view reads and these documented
/// ones skipped; whatever else they hold is input (a direct invoke can put anything there, and
/// `aws_lambda_events` deserializes what the handler then reads).
pub(crate) const S3_ENTITY: &[&str] = &["s3SchemaVersion", "configurationId", "bucket", "object"];
pub(crate) const S3_OBJECT: &[&str] = &["key", "size", "eTag", "versionId", "sequencer"];
pub(crate) const SNS_MESSAGE: &[&str] = &[
    "Type",
    "MessageId",
    "TopicArn",
    "Subject",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertUrl",
    "SigningCertURL",
    "UnsubscribeUrl",
    "UnsubscribeURL",
    "MessageAttributes",
];
pub(crate) const DYNAMODB_STREAM_RECORD: &[&str] = &[
    "ApproximateCreationDateTime",
    "ApproximateCreationDateTimePrecision",
    "Keys",
    "NewImage",
    "OldImage",
    "SequenceNumber",
    "SizeBytes",
    "StreamViewType",
];
pub(crate) const KINESIS_RECORD: &[&str] = &[
    "kinesisSchemaVersion",
    "partitionKey",
    "sequenceNumber",
    "data",
    "approximateArrivalTimestamp",
    "encryptionType",
];
pub(crate) const FIREHOSE_RECORD: &[&str] = &[
    "recordId",
    "approximateArrivalTimestamp",
    "data",
    "kinesisRecordMetadata",
];
pub(crate) const FIREHOSE_KINESIS_METADATA: &[&str] = &[
    "shardId",
    "partitionKey",
    "approximateArrivalTimestamp",
    "sequenceNumber",
    "subsequenceNumber",
];
/// What the broker sets, and the key, value and headers (the producer's) that the walk reads
/// itself.
pub(crate) const KAFKA_RECORD: &[&str] = &[
    "topic",
    "partition",
    "offset",
    "timestamp",
    "timestampType",
    "key",
    "value",
    "headers",
];
/// What the broker sets; the producer sets the rest (`data`, `properties`, `correlationID`,
/// `replyTo`, `type`).
pub(crate) const ACTIVEMQ_MESSAGE: &[&str] = &[
    "messageID",
    "messageType",
    "timestamp",
    "deliveryMode",
    "destination",
    "redelivered",
    "expiration",
    "priority",
    "data",
    "brokerInTime",
    "brokerOutTime",
];
pub(crate) const RABBITMQ_MESSAGE: &[&str] = &["redelivered", "data", "basicProperties"];
pub(crate) const CLOUDWATCH_LOGS_ENTITY: &[&str] = &["data"];
pub(crate) const SES_ENTITY: &[&str] = &["mail", "receipt"];
pub(crate) const SES_MAIL: &[&str] = &[
    "timestamp",
    "source",
    "messageId",
    "destination",
    "headersTruncated",
    "headers",
    "commonHeaders",
];

pub(crate) const SES_RECEIPT: &[&str] = &[
    "timestamp",
    "processingTimeMillis",
    "recipients",
    "spamVerdict",
    "virusVerdict",
    "spfVerdict",
    "dkimVerdict",
    "dmarcVerdict",
    "dmarcPolicy",
    "action",
];

/// The documented members of the event object itself.
pub(crate) fn top(trigger: Trigger) -> &'static [&'static str] {
    match trigger {
        Trigger::VpcLattice => VPC_LATTICE,
        t if t.carries_request() => HTTP,
        Trigger::EventBridge => EVENTBRIDGE,
        Trigger::CognitoUserPool => COGNITO,
        Trigger::Firehose => FIREHOSE,
        Trigger::Kafka => KAFKA,
        Trigger::AmazonMq => AMAZON_MQ,
        Trigger::CloudWatchLogs => CLOUDWATCH_LOGS,
        Trigger::S3
        | Trigger::Sqs
        | Trigger::Sns
        | Trigger::DynamoDb
        | Trigger::Kinesis
        | Trigger::Ses => RECORDS,
        // Walked whole: nothing is skipped, so nothing is documented.
        _ => &[],
    }
}

/// The documented members of one record of a batch trigger.
pub(crate) fn record(trigger: Trigger) -> &'static [&'static str] {
    match trigger {
        Trigger::S3 => S3,
        Trigger::Sqs => SQS,
        Trigger::Sns => SNS,
        Trigger::DynamoDb => DYNAMODB,
        Trigger::Kinesis => KINESIS,
        Trigger::Ses => SES,
        _ => &[],
    }
}

//! The normalized, read-only view of an event's caller-controlled input.

use super::{
    body::{self, Layout, XmlItem},
    decode::{self, Payload},
    json, known, member, Trigger,
};
use serde_json::{Map, Value};
use std::fmt;

/// The decodings that were applied to reach a field's text, so findings can say how deep an
/// attack was hidden.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Transforms(u16);

impl Transforms {
    /// Nothing was decoded.
    pub const NONE: Transforms = Transforms(0);
    /// Base64 (`isBase64Encoded` bodies, Kinesis data, binary attributes).
    pub const BASE64: Transforms = Transforms(1);
    /// URL/form decoding (S3 keys, ALB query strings, form bodies).
    pub const URL: Transforms = Transforms(1 << 1);
    /// JSON parsed out of a string (SQS body, SNS Message, HTTP body).
    pub const JSON: Transforms = Transforms(1 << 2);
    /// DynamoDB `AttributeValue` unwrapped.
    pub const DYNAMODB: Transforms = Transforms(1 << 3);
    /// Gzip inflated (CloudWatch Logs subscriptions, compressed payloads).
    pub const GZIP: Transforms = Transforms(1 << 4);
    /// Text read out of binary data: printable runs, or an array of byte values (Kafka headers).
    pub const BINARY: Transforms = Transforms(1 << 5);
    /// A part of a multipart body.
    pub const MULTIPART: Transforms = Transforms(1 << 6);
    /// An element, attribute or text of an XML body.
    pub const XML: Transforms = Transforms(1 << 7);
    /// UTF-16 read as the characters it encodes (a JSON body that Python's `json.loads` and
    /// Jackson accept, and that is NUL bytes to a UTF-8 reader).
    pub const UTF16: Transforms = Transforms(1 << 8);
    /// A multipart part's `Content-Transfer-Encoding: quoted-printable` undone.
    pub const QUOTED_PRINTABLE: Transforms = Transforms(1 << 9);
    /// UTF-32 read as the characters it encodes (Python's `json.loads` accepts it).
    pub const UTF32: Transforms = Transforms(1 << 10);
    /// A zlib stream inflated (`Content-Encoding: deflate`, as Node's body parsers read it).
    pub const ZLIB: Transforms = Transforms(1 << 11);
    /// Not a decoding: the payload inflated past the event's budget and was cut there (the
    /// inspector refuses it, `limit.decoded_bytes`).
    pub const TRUNCATED: Transforms = Transforms(1 << 12);
    /// The body of an e-mail, or a part of it (an SES notification's `content`, a
    /// `message/rfc822` body or part).
    pub const MESSAGE: Transforms = Transforms(1 << 13);
    /// A query or form parameter read as the client wrote it: rejoined at the payload's own
    /// `=` (a name no client writes, `<svg onload`) or `&` (`<img src=j&#X41…`), or a bare
    /// query read as a value.
    pub const PAIR: Transforms = Transforms(1 << 14);
    const NAMES: [(Transforms, &'static str); 15] = [
        (Transforms::BASE64, "base64"),
        (Transforms::URL, "url"),
        (Transforms::JSON, "json"),
        (Transforms::DYNAMODB, "dynamodb"),
        (Transforms::GZIP, "gzip"),
        (Transforms::BINARY, "binary"),
        (Transforms::MULTIPART, "multipart"),
        (Transforms::XML, "xml"),
        (Transforms::UTF16, "utf16"),
        (Transforms::QUOTED_PRINTABLE, "quoted_printable"),
        (Transforms::UTF32, "utf32"),
        (Transforms::ZLIB, "zlib"),
        (Transforms::TRUNCATED, "truncated"),
        (Transforms::MESSAGE, "message"),
        (Transforms::PAIR, "pair"),
    ];

    /// Both sets of decodings.
    pub const fn with(self, other: Transforms) -> Transforms {
        Transforms(self.0 | other.0)
    }

    /// The decodings of `self` not in `other`.
    pub const fn without(self, other: Transforms) -> Transforms {
        Transforms(self.0 & !other.0)
    }

    /// The set as bits, for keys built from it.
    pub(crate) const fn bits(self) -> u16 {
        self.0
    }

    /// Whether every decoding of `other` is in `self`.
    pub const fn contains(self, other: Transforms) -> bool {
        self.0 & other.0 == other.0
    }

    /// Names of the decodings, in a fixed order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .into_iter()
            .filter(move |(t, _)| self.contains(*t))
            .map(|(_, n)| n)
    }
}

/// The bytes of a key written after a dot (`$.a_b-c`); any other puts it in brackets. A table:
/// every key of every event is asked.
static PLAIN_KEY: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        b += 1;
    }
    t
};

/// A JSONPath-like location (`$.Records[2].body.note`), kept as a growing string so walking
/// an event allocates once rather than per field; beside it the same path with its array
/// indices left out (`$.Records[].body.note`), the place every record and item of an array
/// share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    shape: String,
}

/// Where a path stood before a step: what [`JsonPath::truncate`] goes back to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    text: usize,
    shape: usize,
}

impl JsonPath {
    pub(crate) fn root() -> JsonPath {
        let mut text = String::with_capacity(64);
        text.push('$');
        let mut shape = String::with_capacity(64);
        shape.push('$');
        JsonPath { text, shape }
    }

    fn mark(&self) -> Mark {
        Mark {
            text: self.text.len(),
            shape: self.shape.len(),
        }
    }

    fn push_key(&mut self, key: &str) -> Mark {
        let mark = self.mark();
        let plain = !key.is_empty() && key.bytes().all(|b| PLAIN_KEY[usize::from(b)]);
        if plain {
            self.text.push('.');
            self.text.push_str(key);
        } else {
            self.text.push_str("['");
            for c in key.chars() {
                match c {
                    '\'' => self.text.push_str("\\'"),
                    '\\' => self.text.push_str("\\\\"),
                    c if c.is_control() => self.text.push_str(&c.escape_unicode().to_string()),
                    c => self.text.push(c),
                }
            }
            self.text.push_str("']");
        }
        self.shape.push_str(&self.text[mark.text..]);
        mark
    }

    fn push_index(&mut self, index: usize) -> Mark {
        let mark = self.mark();
        // Digits by hand: `write!` costs more than a short value's whole inspection.
        let mut digits = [0u8; 20];
        let mut n = index;
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.text.push('[');
        self.text
            .extend(digits[at..].iter().map(|&d| char::from(d)));
        self.text.push(']');
        self.shape.push_str("[]");
        mark
    }

    fn truncate(&mut self, mark: Mark) {
        self.text.truncate(mark.text);
        self.shape.truncate(mark.shape);
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The path with its array indices left out (`$.Records[].body`).
    pub(crate) fn shape(&self) -> &str {
        &self.shape
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Whether a field is an object key or a value: attackers use both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldRole {
    /// An object key (e.g. `$where`, `__proto__`). Its path is the path of the member.
    Key,
    /// A string value.
    Value,
}

/// One caller-controlled string, decoded, with where it came from.
#[derive(Debug)]
pub struct Field<'v> {
    /// Where it is in the event (decoded layers continue the path: `$.Records[0].body.note`).
    pub path: &'v JsonPath,
    /// Key or value.
    pub role: FieldRole,
    /// The decoded text.
    pub text: &'v str,
    /// Decodings applied to reach it.
    pub transforms: Transforms,
    /// Index of the batch record it belongs to, for per-record refusal.
    pub record: Option<usize>,
}

/// A batch record's identity, as `batchItemFailures` needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Position in `Records`.
    pub index: usize,
    /// `messageId` (SQS), `kinesis.sequenceNumber`, `dynamodb.SequenceNumber`; `None` when the
    /// record carries none (such a record cannot be refused alone).
    pub id: Option<String>,
}

/// The HTTP request carried by an HTTP trigger, as auth needs it.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    /// Upper-case method (`GET`; WebSocket events use the route key's event type).
    pub method: String,
    /// The concrete request path.
    pub path: String,
    /// The route template the trigger matched, when it reports one (`/orders/{id}`).
    pub route: Option<String>,
    /// Header names lower-cased, every value kept (multi-value headers stay separate).
    pub headers: Vec<(String, String)>,
    /// The caller's address as the trigger reports it.
    pub source_ip: Option<String>,
}

impl HttpRequest {
    /// Every value of a header, by case-insensitive name.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The normalized view of one event: its trigger, its HTTP request or batch records, and a walk
/// over every caller-controlled string.
#[derive(Debug)]
pub struct InputView<'a> {
    event: &'a Value,
    trigger: Trigger,
    /// Built on first use: only auth needs it, and it allocates per header.
    http: std::sync::OnceLock<Option<HttpRequest>>,
    records: Vec<Record>,
}

impl<'a> InputView<'a> {
    /// Builds the view, detecting the trigger.
    pub fn new(event: &'a Value) -> InputView<'a> {
        Self::with_trigger(event, Trigger::detect(event))
    }

    /// Builds the view for an already detected trigger.
    pub fn with_trigger(event: &'a Value, trigger: Trigger) -> InputView<'a> {
        let records = if trigger.supports_partial_batch() {
            records(event, trigger)
        } else {
            Vec::new()
        };
        InputView {
            event,
            trigger,
            http: std::sync::OnceLock::new(),
            records,
        }
    }

    /// The trigger.
    pub fn trigger(&self) -> Trigger {
        self.trigger
    }

    /// The raw event, untouched.
    pub fn event(&self) -> &'a Value {
        self.event
    }

    /// The HTTP request, for HTTP triggers.
    pub fn http(&self) -> Option<&HttpRequest> {
        self.http
            .get_or_init(|| {
                self.trigger
                    .carries_request()
                    .then(|| http_request(self.event, self.trigger))
            })
            .as_ref()
    }

    /// Batch records, for SQS, Kinesis and DynamoDB Streams.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Calls `visit` for every caller-controlled string (keys and values), decoded.
    pub fn for_each(&self, mut visit: impl FnMut(&Field<'_>)) {
        let mut walker = Walker {
            path: JsonPath::root(),
            record: None,
            visit: &mut visit,
            tree: false,
            inflate_left: decode::INFLATE_BUDGET,
            nesting: 0,
            declared: false,
        };
        walker.event(self.event, self.trigger);
    }

    /// [`InputView::for_each`] with JSON carried in strings parsed into a `serde_json::Value`
    /// tree and walked, as the view did before it streamed them: the oracle of the differential
    /// tests (`tests/view_streaming.rs`). Not for production use.
    #[doc(hidden)]
    pub fn for_each_by_tree(&self, mut visit: impl FnMut(&Field<'_>)) {
        let mut walker = Walker {
            path: JsonPath::root(),
            record: None,
            visit: &mut visit,
            tree: true,
            inflate_left: decode::INFLATE_BUDGET,
            nesting: 0,
            declared: false,
        };
        walker.event(self.event, self.trigger);
    }
}

/// MIME entities nested deeper than this are read as one string each: the structure costs
/// a few bytes a level, so a body could nest thousands.
const MAX_NESTING: u8 = 8;

/// Path segments read one by one: a route has a few, an attack's path may have thousands.
const MAX_PATH_SEGMENTS: usize = 16;

struct Walker<'f, F: FnMut(&Field<'_>)> {
    path: JsonPath,
    record: Option<usize>,
    visit: &'f mut F,
    /// Parse JSON carried in strings into a tree (the reference walk) instead of streaming it.
    tree: bool,
    /// Bytes the event's compressed payloads may still inflate to.
    inflate_left: u64,
    /// MIME entities (multiparts, messages) open around the one walked.
    nesting: u8,
    /// Inside base64 the trigger or request declared (Kinesis data, an `isBase64Encoded`
    /// body), and no undeclared base64 since: one undeclared level is still read in it.
    declared: bool,
}

impl<F: FnMut(&Field<'_>)> Walker<'_, F> {
    fn emit(&mut self, role: FieldRole, text: &str, transforms: Transforms) {
        (self.visit)(&Field {
            path: &self.path,
            role,
            text,
            transforms,
            record: self.record,
        });
    }

    /// Decoded bytes classified, inflated within what is left of the event's budget; a payload
    /// cut at that bound is reported at its path (an empty field marked `TRUNCATED`, even when
    /// the payload is binary and yields no field) and walked as far as it was inflated.
    fn payload(&mut self, bytes: Vec<u8>) -> (Payload, Transforms) {
        let (payload, how, made) = decode::payload(bytes, self.inflate_left);
        self.inflate_left = self.inflate_left.saturating_sub(made);
        if how.contains(Transforms::TRUNCATED) {
            self.emit(FieldRole::Value, "", how);
        }
        (payload, how.without(Transforms::TRUNCATED))
    }

    /// Walks `obj[key]` with `f`, keeping the path in step.
    fn member(&mut self, obj: &Map<String, Value>, key: &str, f: impl FnOnce(&mut Self, &Value)) {
        if let Some(v) = member(obj, key) {
            let mark = self.path.push_key(key);
            f(self, v);
            self.path.truncate(mark);
        }
    }

    fn event(&mut self, event: &Value, trigger: Trigger) {
        let Some(obj) = event.as_object() else {
            return self.any(event, Transforms::NONE);
        };
        match trigger {
            t if t.is_http() => self.http(obj, t),
            // The request in its API's format; the authorizer's own members are undocumented
            // HTTP members, walked below (a `TOKEN` authorizer's token and method ARN are the
            // caller's header and path).
            Trigger::ApiGatewayAuthorizer => self.http(obj, trigger),
            Trigger::EventBridge => {
                // What a `PutEvents` caller chooses: `source` and `resources` are free text
                // for custom events (only `aws.` sources are reserved), not just the detail.
                for key in ["source", "resources", "detail-type", "detail"] {
                    self.member(obj, key, |w, v| w.any(v, Transforms::NONE));
                }
            }
            Trigger::CognitoUserPool => {
                self.member(obj, "userName", |w, v| w.any(v, Transforms::NONE));
                // `awsSdkVersion` is read from the client's user agent.
                self.member(obj, "callerContext", |w, v| w.any(v, Transforms::NONE));
                self.member(obj, "request", |w, v| w.any(v, Transforms::NONE));
            }
            Trigger::S3
            | Trigger::Sqs
            | Trigger::Sns
            | Trigger::DynamoDb
            | Trigger::Kinesis
            | Trigger::Ses => self.member(obj, "Records", |w, records| {
                w.messages(records, known::record(trigger), true, |w, r| {
                    w.record_fields(r, trigger);
                });
            }),
            // Payloads that are base64 by contract are decoded whatever their length (the
            // guess for undeclared base64 needs 16 characters: `;id` or `{"$gt":""}` would pass).
            Trigger::Firehose => self.member(obj, "records", |w, records| {
                // Records are refused one by one (`ProcessingFailed`): findings name theirs.
                w.messages(records, known::FIREHOSE_RECORD, true, |w, r| {
                    w.member(r, "data", |w, v| w.base64_string(v, Transforms::NONE));
                    let metadata = known::FIREHOSE_KINESIS_METADATA;
                    w.aws_object(r, "kinesisRecordMetadata", metadata, |w, m| {
                        w.member(m, "partitionKey", |w, v| w.any(v, Transforms::NONE));
                    });
                });
            }),
            Trigger::Kafka => self.member(obj, "records", |w, topics| {
                w.messages_by(topics, known::KAFKA_RECORD, |w, r| {
                    for key in ["key", "value"] {
                        w.member(r, key, |w, v| w.base64_string(v, Transforms::NONE));
                    }
                    // `[{"name": [bytes]}, …]`
                    w.member(r, "headers", |w, headers| {
                        let Some(headers) = headers.as_array() else {
                            return w.any(headers, Transforms::NONE);
                        };
                        for (i, header) in headers.iter().enumerate() {
                            let mark = w.path.push_index(i);
                            w.header_map(header);
                            w.path.truncate(mark);
                        }
                    });
                });
            }),
            Trigger::AmazonMq => {
                // ActiveMQ: the producer sets the data, properties and JMS headers.
                self.member(obj, "messages", |w, messages| {
                    w.messages(messages, known::ACTIVEMQ_MESSAGE, false, |w, m| {
                        w.member(m, "data", |w, v| w.base64_string(v, Transforms::NONE));
                    });
                });
                // RabbitMQ: the data and every basic property, headers as bytes.
                self.member(obj, "rmqMessagesByQueue", |w, queues| {
                    w.messages_by(queues, known::RABBITMQ_MESSAGE, |w, m| {
                        w.member(m, "data", |w, v| w.base64_string(v, Transforms::NONE));
                        w.aws_object(m, "basicProperties", &["headers"], |w, p| {
                            w.member(p, "headers", |w, h| w.header_map(h));
                        });
                    });
                });
            }
            Trigger::CloudWatchLogs => {
                self.aws_object(obj, "awslogs", known::CLOUDWATCH_LOGS_ENTITY, |w, logs| {
                    w.member(logs, "data", |w, v| w.base64_string(v, Transforms::NONE));
                });
            }
            // Unknown and IoT payloads have no fixed shape: everything is input.
            _ => return self.any(event, Transforms::NONE),
        }
        self.undocumented(obj, known::top(trigger));
    }

    /// Members of an AWS-shaped object that AWS does not document are input too: a direct
    /// invoke, a test tool or a field AWS adds later must not pass uninspected because the
    /// walk did not know its name.
    fn undocumented(&mut self, obj: &Map<String, Value>, documented: &[&str]) {
        for (key, value) in obj {
            if !documented.contains(&key.as_str()) {
                self.emit_key(key, Transforms::NONE);
                let mark = self.path.push_key(key);
                self.any(value, Transforms::NONE);
                self.path.truncate(mark);
            }
        }
    }

    fn http(&mut self, obj: &Map<String, Value>, trigger: Trigger) {
        // ALB passes query parameters undecoded.
        let raw_query = trigger == Trigger::Alb;
        // VPC Lattice's version 1 spells its members in snake_case.
        for key in ["path", "rawPath", "raw_path"] {
            self.member(obj, key, Self::request_path);
        }
        for key in ["headers", "multiValueHeaders", "pathParameters", "cookies"] {
            self.member(obj, key, |w, v| w.any(v, Transforms::NONE));
        }
        self.cookies(obj);
        self.request_context(obj);
        let queries = [
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "query_string_parameters",
        ];
        for key in queries {
            self.member(obj, key, |w, v| {
                if raw_query {
                    w.url_encoded_params(v)
                } else {
                    w.any(v, Transforms::NONE);
                    for (name, value) in v.as_object().into_iter().flatten() {
                        let values = value
                            .as_array()
                            .map_or(std::slice::from_ref(value), Vec::as_slice);
                        for v in values.iter().filter_map(Value::as_str) {
                            w.pair(name, v, Transforms::NONE);
                        }
                    }
                }
            });
        }
        let mapped = queries
            .iter()
            .any(|k| member(obj, k).is_some_and(|v| !v.is_null()));
        self.raw_query(obj, mapped);
        let base64 = member(obj, "isBase64Encoded")
            .or_else(|| member(obj, "is_base64_encoded"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let ct = content_type(obj);
        self.member(obj, "body", |w, body| {
            let Some(text) = body.as_str() else {
                return w.any(body, Transforms::NONE);
            };
            let decoded = base64.then(|| decode::base64(text)).flatten();
            let Some(bytes) = decoded else {
                return w.body_text(text, Transforms::NONE, ct);
            };
            w.declared(|w| match w.payload(bytes) {
                (decode::Payload::Text(text), inflated) => {
                    let t = Transforms::BASE64.with(inflated);
                    w.body_text(&text, t, ct)
                }
                (decode::Payload::Binary(bytes), inflated) => {
                    w.binary_body(&bytes, Transforms::BASE64.with(inflated), ct)
                }
            });
        });
    }

    /// What the request context carries from the caller:
    /// - the claims of a token API Gateway verified (`authorizer.jwt.claims` of HTTP APIs,
    ///   `authorizer.claims` of a REST Cognito authorizer): signed, but users edit some of them
    ///   (`name`, `custom:*` attributes), and a handler that puts `email` into SQL trusts them;
    /// - a Lambda authorizer's context (`authorizer.lambda` of HTTP APIs, the members of a REST
    ///   `authorizer`), which authorizers fill from the token or the request;
    /// - the `User-Agent` copied into `identity.userAgent` / `http.userAgent`, which handlers
    ///   log from there (not when it is the header's value, read as the header: every browser
    ///   request would read its longest value twice).
    fn request_context(&mut self, obj: &Map<String, Value>) {
        let Some(ctx) = member(obj, "requestContext").and_then(Value::as_object) else {
            return;
        };
        let agent = header(obj, "user-agent");
        let none = Transforms::NONE;
        let mark = self.path.push_key("requestContext");
        self.member(ctx, "authorizer", |w, auth| {
            let Some(auth) = auth.as_object() else {
                return;
            };
            w.member(auth, "jwt", |w, jwt| {
                if let Some(jwt) = jwt.as_object() {
                    w.member(jwt, "claims", |w, v| w.any(v, none));
                }
            });
            // `iam` is what AWS verified about the signer; the rest is the authorizer's output.
            for (key, v) in auth {
                if !matches!(key.as_str(), "jwt" | "iam" | "integrationLatency") {
                    let mark = w.path.push_key(key);
                    w.any(v, none);
                    w.path.truncate(mark);
                }
            }
        });
        // And a client certificate's subject: whatever its CA signed, which may be a name the
        // client asked for (a VPC Lattice caller's through IAM Roles Anywhere; an mTLS client's
        // `clientCert`, in REST's `identity` or HTTP's `authentication`). One pass over each
        // holder's members (REST's `identity` has a dozen).
        for holder in ["identity", "http", "authentication"] {
            self.member(ctx, holder, |w, h| {
                for (key, v) in h.as_object().into_iter().flatten() {
                    if key == "userAgent" && v.as_str().is_some_and(|v| Some(v) == agent) {
                        continue;
                    }
                    if key == "userAgent" || key.starts_with("x509") {
                        let mark = w.path.push_key(key);
                        w.any(v, none);
                        w.path.truncate(mark);
                    } else if let Some(cert) = v.as_object().filter(|_| key == "clientCert") {
                        let mark = w.path.push_key(key);
                        w.member(cert, "subjectDN", |w, v| w.any(v, none));
                        w.path.truncate(mark);
                    }
                }
            });
        }
        // A WebSocket `$disconnect`'s reason, which may quote the client's close frame.
        self.member(ctx, "disconnectReason", |w, v| w.any(v, none));
        self.path.truncate(mark);
    }

    /// HTTP APIs and function URLs leave `+` as it is in `queryStringParameters`, but what
    /// parses the URL's query (lambda_http's URI under axum's `Query`, Python's `parse_qs`)
    /// reads it as a space: `1'+UNION+SELECT…` would pass as the map has it and reach the
    /// application as SQL. A raw query with a `+` is also walked as those parsers read it.
    ///
    /// The raw query is also where a value that a raw `&` of its own cut short is rejoined
    /// ([`decode::continued_values`]): the map only has its pieces. Without a map (`mapped`
    /// false: a direct invoke, a hand-built event) the raw query is all there is, and the
    /// URL the handler parses is built from it: it is walked whole.
    fn raw_query(&mut self, obj: &Map<String, Value>, mapped: bool) {
        let Some(raw) = member(obj, "rawQueryString").and_then(Value::as_str) else {
            return;
        };
        let mark = self.path.push_key("queryStringParameters");
        if raw.contains('+') || !mapped {
            self.form(raw, Transforms::NONE);
        } else {
            self.continued(raw, Transforms::URL);
        }
        self.path.truncate(mark);
    }

    /// Each value of a query or form that a raw `&` cut short, rejoined, at its parameter.
    fn continued(&mut self, text: &str, t: Transforms) {
        for (name, value) in decode::continued_values(text) {
            let mark = self.path.push_key(&name);
            self.string(&value, t.with(Transforms::PAIR));
            self.path.truncate(mark);
        }
    }

    /// A text body, split into the fields its content type lays out.
    fn body_text(&mut self, text: &str, t: Transforms, content_type: Option<&str>) {
        match body::layout(content_type, text) {
            Layout::Form if !decode::looks_like_json(text) => {
                // Markup sent with a form's type is also read whole: split at `&`, an entity
                // declaration or a UTF-7 prolog falls apart, and XML parsers ignore the type.
                if text.trim_start().starts_with('<') {
                    self.string(text, t);
                }
                self.form(text, t)
            }
            Layout::Multipart(boundary) => match body::multipart(text.as_bytes(), boundary) {
                Some(parts) => {
                    let digest = is_digest(content_type);
                    self.multipart(&parts, digest, t.with(Transforms::MULTIPART));
                }
                None => self.string(text, t),
            },
            Layout::Xml => {
                // Whole, for what only the document as a whole shows (a DOCTYPE), then by node.
                self.string(text, t);
                self.xml(text, t.with(Transforms::XML));
            }
            Layout::Message => match body::message(text) {
                Some(m) => self.message(&m, t),
                None => self.string(text, t),
            },
            Layout::Text if body::untyped_form(content_type, text) => {
                self.string(text, t);
                self.form(text, t);
            }
            Layout::Form | Layout::Text => self.string(text, t),
        }
    }

    /// A body that is not text: a multipart one split into its parts (a file uploaded beside
    /// text fields), one of a type that is not text read as a file, any other as binary.
    fn binary_body(&mut self, bytes: &[u8], t: Transforms, content_type: Option<&str>) {
        match body::layout(content_type, "") {
            Layout::Multipart(boundary) => match body::multipart(bytes, boundary) {
                Some(parts) => {
                    let digest = is_digest(content_type);
                    self.multipart(&parts, digest, t.with(Transforms::MULTIPART));
                }
                None => self.binary(bytes, t),
            },
            Layout::Text if !body::text_type(content_type) => self.file(bytes, t),
            _ => self.binary(bytes, t),
        }
    }

    /// Each header field of an e-mail at `….<name>` (its name a key), then its body by its
    /// `Content-Type`, at the message's own path. A field is one line once unfolded, so a
    /// line break left in it (a bare CR before `Bcc:`) is still read as one; the body's
    /// lines are its content (`MESSAGE`).
    fn message(&mut self, m: &body::Message<'_>, t: Transforms) {
        for (name, value) in &m.headers {
            self.emit_key(name, t);
            let mark = self.path.push_key(&name.to_ascii_lowercase());
            self.header_field(value, t);
            self.path.truncate(mark);
        }
        let headers = m.headers.iter().map(|(n, v)| (*n, v.as_ref()));
        self.entity(m.body, headers, t.with(Transforms::MESSAGE));
    }

    /// A MIME header field's value (an e-mail's `Subject`, a part's file name) as any string,
    /// and once more with its encoded words decoded (`=?utf-8?B?…?=`), as mail parsers read it.
    fn header_field(&mut self, value: &str, t: Transforms) {
        self.string(value, t);
        if let Some((decoded, how)) = decode::encoded_words(value) {
            self.string(&decoded, t.with(how));
        }
    }

    /// A MIME entity's content (a multipart's part, a message's body), read as its header
    /// fields say: by its type, then once more as its transfer encoding decodes it.
    fn entity<'h>(
        &mut self,
        content: &str,
        headers: impl Iterator<Item = (&'h str, &'h str)>,
        t: Transforms,
    ) {
        let (mut media, mut encoding) = (None, None);
        for (name, value) in headers {
            if name.eq_ignore_ascii_case("content-type") {
                media = Some(value);
            } else if name.eq_ignore_ascii_case("content-transfer-encoding") {
                encoding = Some(value.trim());
            }
        }
        // Go's `mime/multipart` undoes quoted-printable on its own (`=3Cscript=3E`), and
        // mail-style parsers base64: the content is also walked as they read it. A mail
        // parser hands over only the decoded content (an e-mail's `=3D` in every attribute
        // of its HTML is no markup to read), a multipart parser either.
        let decoded = match encoding {
            Some(e) if e.eq_ignore_ascii_case("quoted-printable") => Some((
                decode::quoted_printable(content.as_bytes()),
                Transforms::QUOTED_PRINTABLE,
            )),
            Some(e) if e.eq_ignore_ascii_case("base64") => {
                let compact: String = content.split_ascii_whitespace().collect();
                decode::base64(&compact).map(|b| (b, Transforms::BASE64))
            }
            _ => None,
        };
        if decoded.is_none() || !t.contains(Transforms::MESSAGE) {
            self.entity_content(content, media, t);
        }
        if let Some((bytes, how)) = decoded {
            let t = t.with(how);
            match self.payload(bytes) {
                (Payload::Text(text), inflated) => {
                    self.entity_content(&text, media, t.with(inflated));
                }
                (Payload::Binary(bytes), inflated) => self.binary(&bytes, t.with(inflated)),
            }
        }
    }

    /// An entity's content as one string, or, when its type nests entities (a multipart
    /// inside a part, an e-mail attached to one), entity by entity, [`MAX_NESTING`] deep.
    fn entity_content(&mut self, content: &str, media: Option<&str>, t: Transforms) {
        let nests = matches!(
            body::layout(media, ""),
            Layout::Multipart(_) | Layout::Message
        );
        if nests && self.nesting < MAX_NESTING {
            self.nesting += 1;
            self.body_text(content, t, media);
            self.nesting -= 1;
        } else {
            self.string(content, t);
        }
    }

    /// Each part at `body.<name>` (an e-mail's, which have none, at `body[<index>]`): its
    /// content, and its filename and headers below it. A digest's parts are e-mails unless
    /// they say otherwise.
    fn multipart(&mut self, parts: &[body::Part<'_>], digest: bool, t: Transforms) {
        for (i, part) in parts.iter().enumerate() {
            let mark = if part.name.is_empty() {
                self.path.push_index(i)
            } else {
                self.emit_key(&part.name, t);
                self.path.push_key(&part.name)
            };
            let names = part.filename.iter().chain(&part.filename_ext);
            let fields = names.map(|f| ("filename", f.as_ref()));
            let headers = part.headers.iter().map(|(n, v)| (*n, v.as_ref()));
            for (name, value) in fields.chain(headers) {
                let m = self.path.push_key(&name.to_ascii_lowercase());
                self.header_field(value, t);
                self.path.truncate(m);
            }
            let typed = part
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
            let default = (digest && !typed).then_some(("content-type", "message/rfc822"));
            let headers = part.headers.iter().map(|(n, v)| (*n, v.as_ref()));
            let headers = headers.chain(default);
            match std::str::from_utf8(part.content) {
                Ok(content) => self.entity(content, headers, t),
                Err(_) => match self.payload(part.content.to_vec()) {
                    (Payload::Text(text), inflated) => {
                        self.entity(&text, headers, t.with(inflated));
                    }
                    (Payload::Binary(bytes), inflated) => {
                        let t = t.with(inflated);
                        if part.filename.is_some() || part.filename_ext.is_some() {
                            self.file(&bytes, t);
                        } else {
                            self.binary(&bytes, t);
                        }
                    }
                },
            }
            self.path.truncate(mark);
        }
    }

    /// Elements as keys along the path (`body.order.item`), attributes at `…['@name']`, text
    /// at its element's path.
    fn xml(&mut self, doc: &str, t: Transforms) {
        // Paths stop growing past this depth (the inspector's depth limit is for JSON).
        const MAX_PATH_DEPTH: usize = 32;
        let mut open: Vec<Option<Mark>> = Vec::new();
        body::xml(doc, |item| match item {
            XmlItem::Open(name) => {
                self.emit_key(name, t);
                open.push((open.len() < MAX_PATH_DEPTH).then(|| self.path.push_key(name)));
            }
            XmlItem::Close => {
                if let Some(Some(mark)) = open.pop() {
                    self.path.truncate(mark);
                }
            }
            XmlItem::Attribute(name, value) => {
                let name = format!("@{name}");
                self.emit_key(&name, t);
                let mark = self.path.push_key(&name);
                self.string(&value, t);
                self.path.truncate(mark);
            }
            XmlItem::Text(text) => self.string(&text, t),
        });
        if let Some(Some(mark)) = open.first() {
            self.path.truncate(*mark);
        }
    }

    /// Cookie headers split into `headers.Cookie.<name>` values, as frameworks read them.
    fn cookies(&mut self, obj: &Map<String, Value>) {
        let t = Transforms::NONE;
        let headers = member(obj, "headers").and_then(Value::as_object);
        let header = headers.into_iter().flatten().filter_map(|(name, v)| {
            let cookie = name.eq_ignore_ascii_case("cookie");
            cookie.then(|| v.as_str().map(|v| (Some(name.as_str()), v)))?
        });
        // HTTP API events carry them as `cookies: ["a=1", "b=2"]` instead.
        let list = member(obj, "cookies").and_then(Value::as_array);
        let items = list
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(|v| (None, v)));
        for (name, value) in header.chain(items) {
            let base = self
                .path
                .push_key(if name.is_some() { "headers" } else { "cookies" });
            if let Some(name) = name {
                self.path.push_key(name);
            }
            for (cookie, v) in body::cookies(value) {
                self.emit_key(cookie, t);
                let mark = self.path.push_key(cookie);
                self.string(v, t);
                self.cookie_value(v);
                self.path.truncate(mark);
            }
            self.path.truncate(base);
        }
    }

    /// What a cookie parser hands over besides the raw value: percent-decoded (Express's
    /// `cookie-parser`, `decodeURIComponent`), and a `j:` value parsed as JSON (its JSON
    /// cookies), so JSON or base64 that only the decoded value shows is read.
    fn cookie_value(&mut self, v: &str) {
        let decoded = decode::percent_component(v);
        let t = if decoded != v {
            Transforms::URL
        } else {
            Transforms::NONE
        };
        match decoded.strip_prefix("j:") {
            Some(json) => self.string(json, t),
            None if decoded != v => self.string(&decoded, t),
            None => {}
        }
    }

    /// Walks the AWS-shaped object at `obj[key]` with `f`, then its members not in
    /// `documented`; a value that is not an object is walked whole.
    fn aws_object(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        documented: &[&str],
        f: impl FnOnce(&mut Self, &Map<String, Value>),
    ) {
        self.member(obj, key, |w, v| match v.as_object() {
            Some(o) => {
                f(w, o);
                w.undocumented(o, documented);
            }
            None => w.any(v, Transforms::NONE),
        });
    }

    fn record_fields(&mut self, r: &Map<String, Value>, trigger: Trigger) {
        let none = Transforms::NONE;
        match trigger {
            Trigger::S3 => self.aws_object(r, "s3", known::S3_ENTITY, |w, s3| {
                w.aws_object(s3, "object", known::S3_OBJECT, |w, o| {
                    w.member(o, "key", |w, key| match key.as_str() {
                        // A path the uploader named: whole, then segment by segment, as
                        // a request path is read.
                        Some(k) => {
                            let decoded = decode::form_component(k);
                            let t = if decoded != k { Transforms::URL } else { none };
                            w.string(&decoded, t);
                            if decoded.contains('/') {
                                w.path_segments(&decoded, t);
                            }
                        }
                        None => w.any(key, none),
                    });
                });
            }),
            Trigger::Sqs => {
                self.member(r, "body", |w, v| w.any(v, none));
                // FIFO queues: the sender names the group and the deduplication id.
                // A handful of members: compared in order, not hashed for each name.
                let attrs = member(r, "attributes").and_then(Value::as_object);
                let fifo = |k: &str| matches!(k, "MessageGroupId" | "MessageDeduplicationId");
                for (key, v) in attrs.into_iter().flatten().filter(|(k, _)| fifo(k)) {
                    let mark = self.path.push_key("attributes");
                    self.path.push_key(key);
                    self.any(v, none);
                    self.path.truncate(mark);
                }
                self.member(r, "messageAttributes", |w, attrs| {
                    w.message_attributes(attrs)
                });
            }
            Trigger::Sns => self.aws_object(r, "Sns", known::SNS_MESSAGE, |w, sns| {
                w.member(sns, "Subject", |w, v| w.any(v, none));
                w.member(sns, "Message", |w, v| w.any(v, none));
                w.member(sns, "MessageAttributes", |w, attrs| {
                    w.message_attributes(attrs)
                });
            }),
            Trigger::DynamoDb => {
                self.aws_object(r, "dynamodb", known::DYNAMODB_STREAM_RECORD, |w, ddb| {
                    for image in ["Keys", "NewImage", "OldImage"] {
                        w.member(ddb, image, |w, v| w.attribute_map(v));
                    }
                })
            }
            Trigger::Kinesis => self.aws_object(r, "kinesis", known::KINESIS_RECORD, |w, k| {
                w.member(k, "partitionKey", |w, v| w.any(v, none));
                w.member(k, "data", |w, v| w.base64_string(v, none));
            }),
            Trigger::Ses => self.aws_object(r, "ses", known::SES_ENTITY, |w, ses| {
                w.aws_object(ses, "mail", known::SES_MAIL, |w, mail| {
                    for key in ["source", "destination", "headers", "commonHeaders"] {
                        w.member(mail, key, |w, v| w.any(v, none));
                    }
                });
                // The sender picks the local part of each address (`"<x>"@example.com`).
                w.aws_object(ses, "receipt", known::SES_RECEIPT, |w, receipt| {
                    w.member(receipt, "recipients", |w, v| w.any(v, none));
                });
            }),
            _ => {}
        }
    }

    /// Each message of a batch array: `f` with the message, then its members not in
    /// `documented`; a message that is not an object is walked whole. `records`: the
    /// messages are the event's records, refused one by one (fields name their index).
    fn messages(
        &mut self,
        list: &Value,
        documented: &[&str],
        records: bool,
        f: impl Fn(&mut Self, &Map<String, Value>),
    ) {
        let Some(items) = list.as_array() else {
            return self.any(list, Transforms::NONE);
        };
        for (i, item) in items.iter().enumerate() {
            let mark = self.path.push_index(i);
            self.record = records.then_some(i);
            match item.as_object() {
                Some(m) => {
                    f(self, m);
                    self.undocumented(m, documented);
                }
                None => self.any(item, Transforms::NONE),
            }
            self.record = None;
            self.path.truncate(mark);
        }
    }

    /// Batches grouped by a name the administrator chose (a Kafka topic and partition, a
    /// RabbitMQ queue): [`Walker::messages`] for each group.
    fn messages_by(
        &mut self,
        groups: &Value,
        documented: &[&str],
        f: impl Fn(&mut Self, &Map<String, Value>),
    ) {
        let Some(groups) = groups.as_object() else {
            return self.any(groups, Transforms::NONE);
        };
        for (name, list) in groups {
            let mark = self.path.push_key(name);
            self.messages(list, documented, false, &f);
            self.path.truncate(mark);
        }
    }

    /// Message headers whose values are bytes: Kafka's `{"name": [104, 105]}`, RabbitMQ's
    /// `{"name": {"bytes": [104, 105]}}`; a value of another shape is walked as it is.
    fn header_map(&mut self, headers: &Value) {
        let Some(headers) = headers.as_object() else {
            return self.any(headers, Transforms::NONE);
        };
        for (name, value) in headers {
            self.emit_key(name, Transforms::NONE);
            let mark = self.path.push_key(name);
            let bytes = match value {
                Value::Array(items) => bytes_of(items),
                Value::Object(o) if o.len() == 1 => member(o, "bytes")
                    .and_then(Value::as_array)
                    .and_then(|b| bytes_of(b)),
                _ => None,
            };
            match bytes.map(|b| self.payload(b)) {
                Some((Payload::Text(text), how)) => {
                    self.string(&text, Transforms::BINARY.with(how));
                }
                Some((Payload::Binary(bytes), how)) => self.binary(&bytes, how),
                None => self.any(value, Transforms::NONE),
            }
            self.path.truncate(mark);
        }
    }

    /// SQS `messageAttributes` (`stringValue`/`binaryValue` and their lists) and SNS
    /// `MessageAttributes` (`Value`, base64 when `Type` is `Binary`).
    fn message_attributes(&mut self, attrs: &Value) {
        let Some(attrs) = attrs.as_object() else {
            return self.any(attrs, Transforms::NONE);
        };
        for (name, attr) in attrs {
            self.emit_key(name, Transforms::NONE);
            let mark = self.path.push_key(name);
            if let Some(a) = attr.as_object() {
                let binary = a.get("Type").and_then(Value::as_str) == Some("Binary");
                for key in ["stringValue", "Value"] {
                    self.member(a, key, |w, v| {
                        if binary {
                            w.base64_string(v, Transforms::NONE)
                        } else {
                            w.any(v, Transforms::NONE)
                        }
                    });
                }
                self.member(a, "binaryValue", |w, v| {
                    w.base64_string(v, Transforms::NONE)
                });
                // SQS's list values: "reserved for future use", yet in the event's schema, and
                // the sender's if they ever arrive.
                self.member(a, "stringListValues", |w, v| w.any(v, Transforms::NONE));
                self.member(a, "binaryListValues", |w, v| match v.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            let mark = w.path.push_index(i);
                            w.base64_string(item, Transforms::NONE);
                            w.path.truncate(mark);
                        }
                    }
                    None => w.any(v, Transforms::NONE),
                });
            }
            self.path.truncate(mark);
        }
    }

    /// A DynamoDB image: `{"name": {"S": "x"}, ...}` walked as `{"name": "x"}`.
    fn attribute_map(&mut self, image: &Value) {
        let Some(image) = image.as_object() else {
            return self.any(image, Transforms::NONE);
        };
        for (name, attr) in image {
            self.emit_key(name, Transforms::DYNAMODB);
            let mark = self.path.push_key(name);
            self.attribute_value(attr);
            self.path.truncate(mark);
        }
    }

    fn attribute_value(&mut self, attr: &Value) {
        let t = Transforms::DYNAMODB;
        let Some((tag, v)) = attr.as_object().and_then(|o| o.iter().next()) else {
            return self.any(attr, t);
        };
        match tag.as_str() {
            "S" | "SS" => self.any(v, t),
            "B" => self.base64_string(v, t),
            "BS" => {
                for (i, b) in v.as_array().into_iter().flatten().enumerate() {
                    let mark = self.path.push_index(i);
                    self.base64_string(b, t);
                    self.path.truncate(mark);
                }
            }
            "M" => self.attribute_map(v),
            "L" => {
                for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                    let mark = self.path.push_index(i);
                    self.attribute_value(item);
                    self.path.truncate(mark);
                }
            }
            "N" | "NS" | "BOOL" | "NULL" => {}
            // Not an AttributeValue after all: walk it as plain JSON.
            _ => self.any(attr, t),
        }
    }

    fn url_encoded_params(&mut self, params: &Value) {
        let Some(params) = params.as_object() else {
            return self.any(params, Transforms::NONE);
        };
        for (name, value) in params {
            let decoded = decode::form_component(name);
            self.emit_key(&decoded, Transforms::URL);
            let mark = self.path.push_key(&decoded);
            let values = match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for (i, v) in values.iter().enumerate() {
                let mark = value.is_array().then(|| self.path.push_index(i));
                // Decoded, then read as any string is (JSON, undeclared base64).
                match v.as_str() {
                    Some(s) => self.string(&decode::form_component(s), Transforms::URL),
                    None => self.any(v, Transforms::NONE),
                }
                if let Some(m) = mark {
                    self.path.truncate(m);
                }
            }
            self.path.truncate(mark);
            for v in values.into_iter().filter_map(Value::as_str) {
                self.pair(&decoded, &decode::form_component(v), Transforms::URL);
            }
        }
    }

    /// The text a client wrote as one parameter, when the split into name and value hid it,
    /// read at the parameter's path (as a handler that echoes its parameters prints it):
    /// - a name holding what no client puts in one ([`decode::odd_name`]) was split at the
    ///   payload's own `=`: `?<svg onload=alert(1)>` reaches the handler as the name
    ///   `<svg onload` and the value `alert(1)>`, each harmless alone;
    /// - a long name with no value, or only `=` (base64's padding), is a bare query
    ///   (`?PHNjcmlwdD4=`), read as a value is (base64, JSON).
    ///
    /// A name with no value is read alone: `name=` would only add an `=`.
    fn pair(&mut self, name: &str, value: &str, t: Transforms) {
        let bare = name.len() >= 16 && value.bytes().all(|b| b == b'=');
        if !bare && !decode::odd_name(name) {
            return;
        }
        let mark = self.path.push_key(name);
        let joined = if value.is_empty() {
            name.to_owned()
        } else {
            format!("{name}={value}")
        };
        self.string(&joined, t.with(Transforms::PAIR));
        self.path.truncate(mark);
    }

    fn form(&mut self, body: &str, t: Transforms) {
        let t = t.with(Transforms::URL);
        for (name, value) in decode::form_pairs(body) {
            self.emit_key(&name, t);
            let mark = self.path.push_key(&name);
            self.string(&value, t);
            self.path.truncate(mark);
            self.pair(&name, &value, t);
        }
        self.continued(body, t);
    }

    /// A value its trigger declares as base64 (Kinesis data, binary attributes).
    fn base64_string(&mut self, v: &Value, t: Transforms) {
        let Some(bytes) = v.as_str().and_then(decode::base64) else {
            return self.any(v, t);
        };
        let t = t.with(Transforms::BASE64);
        self.declared(|w| match w.payload(bytes) {
            (decode::Payload::Text(text), inflated) => w.string(&text, t.with(inflated)),
            (decode::Payload::Binary(bytes), inflated) => w.binary(&bytes, t.with(inflated)),
        });
    }

    /// Walks with `f` inside base64 its carrier declared.
    fn declared(&mut self, f: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.declared, true);
        f(self);
        self.declared = outer;
    }

    /// Binary data: its printable runs are what an application could still read as text (a NUL
    /// or a random byte in an image or a protobuf is not an attack), and a protobuf message's
    /// text fields as any string ([`decode::protobuf_text`]: JSON in them is walked); in
    /// compressed or encrypted bytes only runs longer than chance leaves
    /// ([`decode::text_run_floor`]), and shorter ones that open code with a tag chance does not
    /// spell.
    /// Binary that is UTF-16 text is also walked as that text (both: a few CJK characters are
    /// printable ASCII bytes, and must not turn the text back into runs only).
    /// A MessagePack or CBOR map or array ([`decode::messagepack`], [`decode::cbor`]) is read
    /// as its strings, each walked as any string, and the runs of its byte payloads: not as
    /// runs of the whole, which glue its numbers and headers to the text beside them.
    fn binary(&mut self, bytes: &[u8], t: Transforms) {
        if let Some(pieces) = decode::messagepack(bytes).or_else(|| decode::cbor(bytes)) {
            for piece in pieces {
                match piece {
                    decode::Packed::Text(text) => self.string(text, t.with(Transforms::BINARY)),
                    decode::Packed::Bytes(data) => self.runs(data, &[], t),
                }
            }
            return;
        }
        // A protobuf message's strings whole: with their line breaks, and beside a blob field
        // that pads the message into noise.
        let texts = decode::protobuf_text(bytes).unwrap_or_default();
        for text in &texts {
            self.string(text, t.with(Transforms::BINARY));
        }
        self.runs(bytes, &texts, t);
        if let Some((text, wide)) = decode::wide_text(bytes) {
            self.string(&text, t.with(wide));
        }
        self.pickle(bytes, t);
    }

    /// The printable runs of `bytes` past the floor chance sets ([`decode::text_run_floor`]),
    /// or that open code; but a run that is one of `read` (slices of `bytes`, in order), which
    /// was walked whole.
    fn runs(&mut self, bytes: &[u8], read: &[&str], t: Transforms) {
        let offset = |s: &str| s.as_ptr() as usize - bytes.as_ptr() as usize;
        let mut read = read.iter().map(|s| (offset(s), s.len())).peekable();
        for run in decode::text_runs(bytes, decode::text_run_floor(bytes)) {
            let at = offset(run);
            while read.next_if(|&(o, _)| o < at).is_some() {}
            if read.peek() == Some(&(at, run.len())) {
                continue;
            }
            self.emit(FieldRole::Value, run, t.with(Transforms::BINARY));
        }
    }

    /// Bytes the request declares a file (an upload's part with a file name, a body of a type
    /// that is not text). A media file, font, document or archive is compressed data whose
    /// printable runs are noise (they tripped a detector in every second image): only runs
    /// that open code are read (a web shell in an image's comment), and an archive's entry
    /// names. Where the bytes are not declared a file, magic bytes change nothing: a form
    /// field that opens with `\x89PNG` is still text to the application.
    fn file(&mut self, bytes: &[u8], t: Transforms) {
        if !decode::media_file(bytes) {
            return self.binary(bytes, t);
        }
        let t = t.with(Transforms::BINARY);
        for run in decode::code_runs(bytes, false) {
            self.emit(FieldRole::Value, run, t);
        }
        for name in decode::zip_entry_names(bytes) {
            self.emit(FieldRole::Value, &name, t);
        }
    }

    /// What a binary pickle imports, as protocol 0 writes it (`cposix\nsystem\n`).
    fn pickle(&mut self, bytes: &[u8], t: Transforms) {
        if let Some(imports) = decode::pickle_imports(bytes) {
            self.emit(FieldRole::Value, &imports, t.with(Transforms::BINARY));
        }
    }

    fn emit_key(&mut self, key: &str, t: Transforms) {
        let mark = self.path.push_key(key);
        self.emit(FieldRole::Key, key, t);
        self.path.truncate(mark);
    }

    /// A string that may carry a JSON document (walked when it parses) or undeclared base64
    /// text (walked decoded as well as it is: Firehose, Kafka and MQ records, CloudWatch Logs,
    /// custom events — any carrier an application may decode).
    fn string(&mut self, text: &str, t: Transforms) {
        // The raw e-mail of an SES notification sent through SNS (`content`, UTF-8 or, once
        // its base64 is decoded below, `BASE64`), delivered by SNS or in its envelope in an
        // SQS body: read as its fields and parts, as the function's mail parser will, not as
        // one text of header lines.
        if self.path.as_str().ends_with(".Message.content") {
            if let Some(m) = body::message(text) {
                return self.message(&m, t);
            }
        }
        if decode::looks_like_json(text) {
            let inner = t.with(Transforms::JSON);
            if self.tree {
                if let Ok(tree) = serde_json::from_str::<Value>(text) {
                    return self.any(&tree, inner);
                }
            } else {
                let mut sink = JsonSink {
                    walker: self,
                    t: inner,
                };
                if json::walk(text, &mut sink) {
                    return;
                }
                // Not one document: the strings before the error were walked; the text is
                // walked whole below, as any string is.
            }
        }
        self.emit(FieldRole::Value, text, t);
        self.undeclared_base64(text, t);
    }

    /// What `text` holds if it is base64 that no trigger declared. One undeclared level is
    /// walked, in the event or inside base64 that its carrier declared (a JSON body that API
    /// Gateway base64-encoded for a binary media type); base64 inside undeclared base64 is
    /// left to the handler. Binary is only read for a pickle's imports: the printable runs
    /// of random ids and signatures would be noise.
    fn undeclared_base64(&mut self, text: &str, t: Transforms) {
        if t.contains(Transforms::BASE64) && !self.declared {
            return;
        }
        let t = t.with(Transforms::BASE64);
        let outer = std::mem::replace(&mut self.declared, false);
        match decode::undeclared_base64(text).map(|b| self.payload(b)) {
            Some((decode::Payload::Text(inner), inflated)) => {
                self.string(&inner, t.with(inflated));
            }
            Some((decode::Payload::Binary(bytes), inflated)) => {
                self.pickle(&bytes, t.with(inflated));
            }
            None => {}
        }
        self.declared = outer;
    }

    /// A request path, whole, then each segment as the value a route's `{param}` hands to the
    /// handler (`/items/123) AND 1=1`, `/files/PHNjcmlwdD4…`): behind a `{proxy+}` route or a
    /// web framework no `pathParameters` split it, and the whole path starts with a `/` that
    /// no injected value does (it would also misalign a base64 decode of the whole). A segment
    /// of plain characters is only read for base64.
    fn request_path(&mut self, v: &Value) {
        self.any(v, Transforms::NONE);
        let Some(path) = v.as_str() else {
            return;
        };
        if let Some(rest) = path.strip_prefix('/') {
            self.path_segments(rest, Transforms::NONE);
        }
    }

    /// Each `/` segment of a path (a request's, an S3 key) as a value of its own; one with a
    /// `%` also as a router hands it to the handler, percent-decoded (axum's `Path`,
    /// `pathParameters`), for JSON or base64 that only the decoded text shows.
    fn path_segments(&mut self, path: &str, t: Transforms) {
        for segment in path.split('/').take(MAX_PATH_SEGMENTS) {
            self.path_segment(segment, t);
            if segment.contains('%') {
                let decoded = decode::percent_component(segment);
                if decoded != segment {
                    self.path_segment(&decoded, t.with(Transforms::URL));
                }
            }
        }
    }

    /// A segment of plain characters is only read for base64.
    fn path_segment(&mut self, segment: &str, t: Transforms) {
        let plain = segment
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~'));
        if plain {
            self.undeclared_base64(segment, t);
        } else {
            self.string(segment, t);
        }
    }

    fn any(&mut self, v: &Value, t: Transforms) {
        match v {
            Value::String(s) => self.string(s, t),
            Value::Array(items) => {
                if let Some(Payload::Text(text)) = byte_array(items).map(|b| self.payload(b).0) {
                    return self.emit(FieldRole::Value, &text, t.with(Transforms::BINARY));
                }
                for (i, item) in items.iter().enumerate() {
                    let mark = self.path.push_index(i);
                    self.any(item, t);
                    self.path.truncate(mark);
                }
            }
            Value::Object(members) => {
                for (key, value) in members {
                    let mark = self.path.push_key(key);
                    self.emit(FieldRole::Key, key, t);
                    self.any(value, t);
                    self.path.truncate(mark);
                }
            }
            // Numbers, booleans and null cannot carry an injection.
            Value::Number(_) | Value::Bool(_) | Value::Null => {}
        }
    }
}

/// Feeds a streamed JSON document to the walker, every field with the same decodings.
struct JsonSink<'w, 'f, F: FnMut(&Field<'_>)> {
    walker: &'w mut Walker<'f, F>,
    t: Transforms,
}

impl<F: FnMut(&Field<'_>)> json::Sink for JsonSink<'_, '_, F> {
    type Mark = Mark;

    fn key(&mut self, key: &str) -> Mark {
        let mark = self.walker.path.push_key(key);
        self.walker.emit(FieldRole::Key, key, self.t);
        mark
    }

    fn index(&mut self, index: usize) -> Mark {
        self.walker.path.push_index(index)
    }

    fn leave(&mut self, mark: Mark) {
        self.walker.path.truncate(mark);
    }

    fn string(&mut self, text: &str) {
        self.walker.string(text, self.t);
    }

    fn byte_array(&mut self, bytes: Vec<u8>) {
        if let Payload::Text(text) = self.walker.payload(bytes).0 {
            self.walker
                .emit(FieldRole::Value, &text, self.t.with(Transforms::BINARY));
        }
    }
}

/// An array of at least four byte values (`[104, 105, …]`) where no trigger declares bytes:
/// shorter number arrays are more often numbers.
fn byte_array(items: &[Value]) -> Option<Vec<u8>> {
    if items.len() < 4 {
        return None;
    }
    bytes_of(items)
}

/// Byte values, unsigned or as Java's signed bytes (Kafka headers are `byte[]`).
fn bytes_of(items: &[Value]) -> Option<Vec<u8>> {
    items
        .iter()
        .map(|v| {
            let n = v.as_i64()?;
            u8::try_from(n)
                .ok()
                .or_else(|| i8::try_from(n).ok().map(|b| b.to_ne_bytes()[0]))
        })
        .collect()
}

/// Whether a multipart body is a digest, whose untyped parts are e-mails.
fn is_digest(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| {
        let media = c.split(';').next().unwrap_or_default().trim();
        media.eq_ignore_ascii_case("multipart/digest")
    })
}

/// The request's `Content-Type`.
fn content_type(obj: &Map<String, Value>) -> Option<&str> {
    header(obj, "content-type")
}

/// A request header's first value, by case-insensitive name: from `headers` (a string, or VPC
/// Lattice's list of values) or from `multiValueHeaders` (ALB and REST APIs with multi-value
/// headers enabled send only these).
fn header<'v>(obj: &'v Map<String, Value>, name: &str) -> Option<&'v str> {
    ["headers", "multiValueHeaders"].iter().find_map(|key| {
        let headers = member(obj, key)?.as_object()?;
        let (_, v) = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))?;
        v.as_str().or_else(|| v.as_array()?.first()?.as_str())
    })
}

fn str_at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter()
        .try_fold(v, |v, key| v.get(key))
        .and_then(Value::as_str)
}

/// Where each HTTP trigger puts the request line and the caller's address, read without copies.
pub(crate) struct RequestLine<'e> {
    pub(crate) method: Option<&'e str>,
    pub(crate) path: Option<&'e str>,
    /// The route template the trigger matched, when it reports one.
    pub(crate) route: Option<&'e str>,
    /// The caller's address as the trigger reports it: ALB and VPC Lattice only through
    /// `X-Forwarded-For` (its first hop); elsewhere that header is the caller's to write.
    pub(crate) source_ip: Option<&'e str>,
}

impl<'e> RequestLine<'e> {
    pub(crate) fn of(event: &'e Value, trigger: Trigger) -> RequestLine<'e> {
        let at = |path: &[&str]| str_at(event, path);
        if trigger == Trigger::ApiGatewayAuthorizer {
            // A `REQUEST` authorizer gets the request in its API's payload format; a `TOKEN`
            // one only the method ARN: `arn:aws:execute-api:…:api/stage/METHOD/path`.
            if at(&["version"]) == Some("2.0") {
                return RequestLine::of(event, Trigger::ApiGatewayHttp);
            }
            if at(&["httpMethod"]).is_some() {
                return RequestLine::of(event, Trigger::ApiGatewayRest);
            }
            let arn = at(&["methodArn"]).unwrap_or_default();
            let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
            // `api/stage/METHOD/path`: the third segment, then the path with its `/`.
            let mut segments = resource.splitn(4, '/').skip(2);
            return RequestLine {
                method: segments.next().filter(|m| !m.is_empty()),
                path: segments
                    .next()
                    .map(|rest| &resource[resource.len() - rest.len() - 1..]),
                route: None,
                source_ip: None,
            };
        }
        let v2 = matches!(trigger, Trigger::ApiGatewayHttp | Trigger::FunctionUrl);
        RequestLine {
            method: match trigger {
                _ if v2 => at(&["requestContext", "http", "method"]),
                Trigger::WebSocket => at(&["requestContext", "eventType"]),
                Trigger::VpcLattice => at(&["method"]),
                _ => at(&["httpMethod"]),
            },
            path: match trigger {
                _ if v2 => at(&["rawPath"]),
                Trigger::VpcLattice => at(&["path"]).or_else(|| at(&["raw_path"])),
                _ => at(&["path"]),
            },
            route: match trigger {
                Trigger::ApiGatewayRest => at(&["resource"]),
                Trigger::ApiGatewayHttp => at(&["routeKey"])
                    .filter(|k| *k != "$default")
                    .and_then(|k| k.split_once(' '))
                    .map(|(_, route)| route),
                Trigger::WebSocket => at(&["requestContext", "routeKey"]),
                _ => None,
            },
            source_ip: match trigger {
                Trigger::ApiGatewayRest | Trigger::WebSocket => {
                    at(&["requestContext", "identity", "sourceIp"])
                }
                _ if v2 => at(&["requestContext", "http", "sourceIp"]),
                Trigger::Alb | Trigger::VpcLattice => first_forwarded_hop(event),
                _ => None,
            },
        }
    }
}

/// The first hop of `X-Forwarded-For`, from either header form (a value or a list of them).
fn first_forwarded_hop(event: &Value) -> Option<&str> {
    ["headers", "multiValueHeaders"].iter().find_map(|h| {
        let headers = event.get(*h)?.as_object()?;
        let (_, value) = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("x-forwarded-for"))?;
        let all = match value {
            Value::Array(a) => a.first()?.as_str()?,
            v => v.as_str()?,
        };
        Some(all.split(',').next()?.trim())
    })
}

fn http_request(event: &Value, trigger: Trigger) -> HttpRequest {
    let mut headers = Vec::new();
    // A `TOKEN` authorizer's token is what the caller sent in the header its API names.
    if let Some(token) = event.get("authorizationToken").and_then(Value::as_str) {
        if trigger == Trigger::ApiGatewayAuthorizer && event.get("headers").is_none() {
            headers.push(("authorization".to_owned(), token.to_owned()));
        }
    }
    // Multi-value headers are authoritative where present: they keep duplicates apart.
    let multi = event.get("multiValueHeaders").and_then(Value::as_object);
    if let Some(multi) = multi.filter(|m| !m.is_empty()) {
        for (name, values) in multi {
            for v in values.as_array().into_iter().flatten() {
                if let Some(v) = v.as_str() {
                    headers.push((name.to_ascii_lowercase(), v.to_owned()));
                }
            }
        }
    } else if let Some(single) = event.get("headers").and_then(Value::as_object) {
        // VPC Lattice's version 2 lists every value of a header.
        for (name, v) in single {
            let values = v.as_array().map_or(std::slice::from_ref(v), Vec::as_slice);
            for v in values.iter().filter_map(Value::as_str) {
                headers.push((name.to_ascii_lowercase(), v.to_owned()));
            }
        }
    }
    let line = RequestLine::of(event, trigger);
    HttpRequest {
        method: line.method.unwrap_or_default().to_ascii_uppercase(),
        path: line.path.unwrap_or_default().to_owned(),
        route: line.route.map(str::to_owned),
        headers,
        source_ip: line.source_ip.map(str::to_owned),
    }
}

fn records(event: &Value, trigger: Trigger) -> Vec<Record> {
    let id_path: &[&str] = match trigger {
        Trigger::Sqs => &["messageId"],
        Trigger::Kinesis => &["kinesis", "sequenceNumber"],
        Trigger::DynamoDb => &["dynamodb", "SequenceNumber"],
        Trigger::Firehose => &["recordId"],
        _ => &[],
    };
    event
        .get(trigger.records_member())
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(index, r)| Record {
            index,
            id: str_at(r, id_path).map(str::to_owned),
        })
        .collect()
}

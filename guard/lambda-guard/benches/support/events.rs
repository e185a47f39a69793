//! The benign events of `benches/inspect.rs`, shared with `examples/inspect-cost.rs`.

use serde_json::{json, Value};

pub fn api_event_1k() -> Value {
    json!({
        "version": "2.0", "routeKey": "POST /orders/{id}", "rawPath": "/orders/42",
        "rawQueryString": "expand=items&currency=EUR",
        "headers": {
            "accept": "application/json", "content-type": "application/json",
            "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
            "host": "abc123.execute-api.eu-west-1.amazonaws.com", "x-request-id": "5b1c2a8e-9c1f-4e0b-8a53-1d2f3e4a5b6c",
            "accept-language": "en-GB,en;q=0.9", "x-forwarded-for": "198.51.100.7"
        },
        "queryStringParameters": {"expand": "items", "currency": "EUR"},
        "pathParameters": {"id": "42"},
        "requestContext": {"http": {"method": "POST", "path": "/orders/42", "sourceIp": "198.51.100.7"},
            "accountId": "123456789012", "apiId": "abc123", "stage": "$default", "requestId": "r-1"},
        "body": json!({"customer": {"name": "Siobhán O'Brien", "email": "siobhan@example.com"},
            "items": [{"sku": "SKU-1001", "qty": 2}, {"sku": "SKU-2002", "qty": 1}],
            "note": "Please deliver after 5 pm; leave it with the neighbour if I'm out.",
            "coupon": "SPRING-24"}).to_string(),
        "isBase64Encoded": false
    })
}

/// A page load from Chrome through an HTTP API (payload 2.0): every header a browser sends,
/// cookies included, and no body (about 1.9 KB).
pub fn browser_get() -> Value {
    json!({
        "version": "2.0", "routeKey": "GET /products/{id}", "rawPath": "/products/42",
        "rawQueryString": "ref=home&utm_source=newsletter",
        "cookies": ["session=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dGhpc2lzbm90YXNpZ25hdHVyZQ",
            "theme=dark", "_ga=GA1.1.123456789.1700000000", "consent=analytics%3Dtrue%26ads%3Dfalse"],
        "headers": {
            "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
            "accept-encoding": "gzip, deflate, br, zstd",
            "accept-language": "en-GB,en-US;q=0.9,en;q=0.8",
            "cache-control": "max-age=0",
            "host": "abc123.execute-api.eu-west-1.amazonaws.com",
            "priority": "u=0, i",
            "referer": "https://shop.example.com/?q=red+shoes",
            "sec-ch-ua": "\"Google Chrome\";v=\"131\", \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"",
            "sec-ch-ua-mobile": "?0", "sec-ch-ua-platform": "\"macOS\"",
            "sec-fetch-dest": "document", "sec-fetch-mode": "navigate", "sec-fetch-site": "same-origin",
            "sec-fetch-user": "?1", "upgrade-insecure-requests": "1",
            "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "x-amzn-trace-id": "Root=1-67891233-abcdef012345678912345678",
            "x-forwarded-for": "198.51.100.7", "x-forwarded-port": "443", "x-forwarded-proto": "https"
        },
        "queryStringParameters": {"ref": "home", "utm_source": "newsletter"},
        "pathParameters": {"id": "42"},
        "requestContext": {"http": {"method": "GET", "path": "/products/42", "protocol": "HTTP/1.1",
            "sourceIp": "198.51.100.7", "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
            "accountId": "123456789012", "apiId": "abc123", "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "stage": "$default", "requestId": "r-1", "time": "02/Dec/2026:12:00:00 +0000", "timeEpoch": 1796212800000u64},
        "isBase64Encoded": false
    })
}

pub fn sqs_batch_10() -> Value {
    let records: Vec<Value> = (0..10)
        .map(|i| {
            json!({"messageId": format!("059f36b4-87a3-44ab-83d2-66197591100{i}"), "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
                "body": json!({"orderId": 1000 + i, "status": "shipped", "carrier": "DHL",
                    "tracking": format!("JD01460000{i}"), "comment": "Left at the front door, as requested."}).to_string(),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183"},
                "messageAttributes": {}, "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:orders", "awsRegion": "eu-west-1"})
        })
        .collect();
    json!({ "Records": records })
}

/// A JSON array of realistic records, about `bytes` long.
pub fn json_body(bytes: usize) -> String {
    let notes = [
        "Customer asked whether the blue or the red one fits better; we suggested the red.",
        "Delivered to reception at 10:42, signed by J. O'Neil.",
        "Refund requested: item arrived damaged (box crushed), photos attached.",
        "Please select a new date from the calendar and update the order before Friday.",
    ];
    let mut items = Vec::new();
    let mut size = 2;
    let mut i = 0usize;
    while size < bytes {
        let item = json!({"id": i, "uuid": format!("550e8400-e29b-41d4-a716-{:012}", i),
            "name": format!("Item {i} – Deluxe"), "email": format!("user{i}@example.com"),
            "url": format!("https://shop.example.com/p/{i}?ref=feed&lang=en"),
            "created": "2024-05-17T13:45:00Z", "price": 19.99, "tags": ["new", "sale"],
            "note": notes[i % notes.len()]})
        .to_string();
        size += item.len() + 1;
        items.push(item);
        i += 1;
    }
    format!("[{}]", items.join(","))
}

pub fn http_with_body(body: String) -> Value {
    let mut e = api_event_1k();
    e["body"] = Value::String(body);
    e
}

/// The next number of a xorshift stream from `x`.
fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// `bytes` of a xorshift stream: compressed or encrypted data, as far as inspection can tell.
fn noise(bytes: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..bytes.div_ceil(8))
        .flat_map(|_| xorshift(&mut x).to_le_bytes())
        .take(bytes)
        .collect()
}

/// A file uploaded through an HTTP API as its binary media type: `bytes` of it, base64 in the
/// body as API Gateway passes it. An `image/png` opens with PNG's magic number (then
/// deflate-like noise); any other type is noise throughout.
pub fn upload(bytes: usize, content_type: &str) -> Value {
    use base64::Engine as _;
    let mut data = noise(bytes);
    if content_type == "image/png" {
        data[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
    }
    let mut e = http_with_body(base64::engine::general_purpose::STANDARD.encode(data));
    e["headers"]["content-type"] = content_type.into();
    e["isBase64Encoded"] = true.into();
    e
}

/// Sentences of everyday words and punctuation, about `bytes` long, as one JSON string
/// member (`{"document": …}`): a large text field, read whole.
pub fn prose_body(bytes: usize) -> String {
    const WORDS: &[&str] = &[
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be",
        "by", "on", "not", "this", "are", "or", "from", "at", "which", "but", "have", "an", "they",
        "you", "were", "one", "all", "we", "their", "has", "would", "when", "if", "so", "no",
        "will", "more", "out", "up", "into", "some", "can", "only", "other", "time", "new",
        "could", "about", "than", "people", "very", "first", "may", "like", "over", "such",
        "after", "also", "years", "most", "made", "between", "many", "before", "must", "through",
        "back", "where", "much", "way", "well", "down", "should", "because", "each", "just",
        "those", "how", "too", "little", "state", "good", "make", "world", "still", "own", "see",
        "work", "long", "get", "here", "both", "life", "being", "under", "never", "day", "same",
        "another", "know", "while", "last", "might", "great", "old", "year", "off", "come",
        "since", "against", "go", "came", "right", "used", "take", "three", "order", "select",
        "update", "delivery", "customer", "report", "table",
    ];
    const ENDS: &[&str] = &[". ", ", ", "; ", ": ", "? ", "! "];
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| (xorshift(&mut x) % n as u64) as usize;
    let mut text = String::new();
    while text.len() < bytes {
        for _ in 0..6 + next(14) {
            text.push_str(WORDS[next(WORDS.len())]);
            text.push(' ');
        }
        text.pop();
        text.push_str(ENDS[next(ENDS.len())]);
    }
    json!({ "document": text }).to_string()
}

/// A CSV export of orders, about `bytes` long, as a `text/csv` body: read whole.
pub fn csv_export(bytes: usize) -> Value {
    const CITIES: &[&str] = &[
        "London",
        "Paris",
        "Berlin",
        "New York",
        "Tokyo",
        "São Paulo",
    ];
    let mut rows = vec!["id,name,email,city,amount,date".to_owned()];
    let mut size = rows[0].len();
    let mut i = 0usize;
    while size < bytes {
        let row = format!(
            "{i},Customer {i},user{i}@example.com,{},{}.{:02},2024-05-{:02}",
            CITIES[i % CITIES.len()],
            i * 37 % 9999,
            i % 100,
            i % 28 + 1
        );
        size += row.len() + 1;
        rows.push(row);
        i += 1;
    }
    let mut e = http_with_body(rows.join("\n"));
    e["headers"]["content-type"] = "text/csv".into();
    e
}

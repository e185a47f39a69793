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

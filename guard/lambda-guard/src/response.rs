//! Refusals in each trigger's own shape.
//!
//! HTTP triggers get a status and a short generic JSON body (never internal detail); batch
//! triggers get `batchItemFailures` (Firehose: a `ProcessingFailed` result per refused record);
//! API Gateway authorizers a `Deny` policy (or `Unauthorized`); the rest get an invocation
//! error with a generic message.

use crate::{decision::DenyReason, trigger::Trigger};
use lambda_runtime::Diagnostic;
use serde_json::{json, Map, Value};

/// The error type of a refused non-HTTP, non-batch invocation.
pub const DENIED_ERROR_TYPE: &str = "LambdaGuard.Denied";

/// The HTTP response a denied HTTP event gets, shaped for its trigger.
pub fn http_denial(trigger: Trigger, reason: DenyReason, event: &Value) -> Value {
    let status = reason.status();
    let body = json!({ "message": reason.public_message() }).to_string();
    let mut headers = vec![
        ("content-type", "application/json".to_owned()),
        ("cache-control", "no-store".to_owned()),
    ];
    if reason == DenyReason::Unauthenticated {
        headers.push(("www-authenticate", "Bearer".to_owned()));
    }
    let mut response = Map::new();
    response.insert("statusCode".into(), status.into());
    // ALB answers in the header form of its request (multi-value when enabled on the group).
    if trigger == Trigger::Alb && event.get("multiValueHeaders").is_some() {
        let multi: Map<String, Value> = headers
            .into_iter()
            .map(|(k, v)| (k.to_owned(), json!([v])))
            .collect();
        response.insert("multiValueHeaders".into(), multi.into());
    } else {
        let single: Map<String, Value> = headers
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.into()))
            .collect();
        response.insert("headers".into(), single.into());
    }
    if matches!(trigger, Trigger::Alb | Trigger::VpcLattice) {
        response.insert(
            "statusDescription".into(),
            format!("{status} {}", reason.public_message()).into(),
        );
    }
    response.insert("body".into(), body.into());
    response.insert("isBase64Encoded".into(), false.into());
    Value::Object(response)
}

/// What a denied API Gateway authorizer request gets. A caller without valid credentials:
/// the error `Unauthorized`, which API Gateway answers with 401. Anything else: a `Deny`
/// policy for the method (403), with `isAuthorized: false` for HTTP APIs' payload 2.0, whose
/// authorizer may be set to simple responses (the function cannot tell; each format ignores
/// the other's members).
pub fn authorizer_denial(reason: DenyReason, event: &Value) -> Result<Value, Diagnostic> {
    if reason == DenyReason::Unauthenticated {
        return Err(Diagnostic {
            error_type: DENIED_ERROR_TYPE.to_owned(),
            error_message: "Unauthorized".to_owned(),
        });
    }
    let v2 = event.get("routeArn").and_then(Value::as_str);
    let arn = v2.or_else(|| event.get("methodArn").and_then(Value::as_str));
    let mut answer = json!({
        "principalId": "lambda-guard",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Action": "execute-api:Invoke",
                "Effect": "Deny",
                "Resource": arn.unwrap_or("*"),
            }],
        },
    });
    if v2.is_some() {
        answer["isAuthorized"] = false.into();
    }
    Ok(answer)
}

/// The invocation error a denied event of any other trigger gets.
pub fn denial_error(reason: DenyReason) -> Diagnostic {
    Diagnostic {
        error_type: DENIED_ERROR_TYPE.to_owned(),
        error_message: format!("event refused by lambda-guard ({})", reason.name()),
    }
}

/// A record the guard took out of a batch: its id, and the record (Firehose hands its data
/// back with the result).
#[derive(Debug)]
pub struct Refused {
    /// `messageId`, sequence number or `recordId`.
    pub id: String,
    /// The record as the event carried it.
    pub record: Value,
}

/// Removes the refused records (`rejected`, ascending indices) from a batch event of
/// `trigger`; those with an id are returned.
pub fn remove_records(
    event: &mut Value,
    trigger: Trigger,
    rejected: &[usize],
    ids: &[Option<String>],
) -> Vec<Refused> {
    let mut refused = Vec::with_capacity(rejected.len());
    let records = event
        .get_mut(trigger.records_member())
        .and_then(Value::as_array_mut);
    if let Some(records) = records {
        for &index in rejected.iter().rev() {
            if index < records.len() {
                let record = records.remove(index);
                if let Some(Some(id)) = ids.get(index) {
                    refused.push(Refused {
                        id: id.clone(),
                        record,
                    });
                }
            }
        }
    }
    refused.reverse();
    refused
}

/// Whether a batch event has any record left.
pub fn has_records(event: &Value, trigger: Trigger) -> bool {
    event
        .get(trigger.records_member())
        .and_then(Value::as_array)
        .is_some_and(|r| !r.is_empty())
}

/// Adds the guard's refused records to the handler's answer, in the trigger's shape: a
/// `ProcessingFailed` result for Firehose (which must get every record back, and files the
/// failed ones under its error prefix), `batchItemFailures` for the others.
pub fn merge_refused(trigger: Trigger, response: Value, refused: &[Refused]) -> Value {
    if trigger != Trigger::Firehose {
        let ids: Vec<String> = refused.iter().map(|r| r.id.clone()).collect();
        return merge_batch_failures(response, &ids);
    }
    with_list(response, "records", |items| {
        for r in refused {
            items.retain(|i| i.get("recordId").and_then(Value::as_str) != Some(&r.id));
            let data = r.record.get("data").cloned().unwrap_or_else(|| json!(""));
            items.push(json!({"recordId": r.id, "result": "ProcessingFailed", "data": data}));
        }
    })
}

/// `response` as an object (a handler that returned none gets one) with `add` applied to its
/// array member `key` (created, or replaced when it is not an array).
fn with_list(response: Value, key: &str, add: impl FnOnce(&mut Vec<Value>)) -> Value {
    let mut response = match response {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let list = response
        .entry(key)
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    if let Value::Array(items) = list {
        add(items);
    }
    Value::Object(response)
}

/// Merges the guard's refused records into the handler's `batchItemFailures`.
///
/// The handler's own failures are kept; a handler that returned no object gets one. Needs
/// `ReportBatchItemFailures` on the event source mapping, or Lambda ignores the list.
pub fn merge_batch_failures(response: Value, refused: &[String]) -> Value {
    with_list(response, "batchItemFailures", |items| {
        for id in refused {
            let present = items
                .iter()
                .any(|i| i.get("itemIdentifier").and_then(Value::as_str) == Some(id));
            if !present {
                items.push(json!({ "itemIdentifier": id }));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthenticated_gets_401_with_challenge_and_generic_body() {
        let r = http_denial(
            Trigger::ApiGatewayHttp,
            DenyReason::Unauthenticated,
            &json!({}),
        );
        assert_eq!(r["statusCode"], 401);
        assert_eq!(r["headers"]["www-authenticate"], "Bearer");
        assert_eq!(r["body"], "{\"message\":\"Unauthorized\"}");
    }

    #[test]
    fn authorizers_get_a_deny_policy_or_unauthorized() {
        let v1 = json!({"type": "TOKEN", "methodArn": "arn:aws:execute-api:r:1:api/prod/GET/"});
        let policy = authorizer_denial(DenyReason::Injection, &v1).unwrap();
        let statement = &policy["policyDocument"]["Statement"][0];
        assert_eq!(statement["Effect"], "Deny");
        assert_eq!(statement["Resource"], v1["methodArn"]);
        assert!(policy.get("isAuthorized").is_none());
        let v2 = json!({"version": "2.0", "type": "REQUEST", "routeArn": "arn:x"});
        let both = authorizer_denial(DenyReason::Forbidden, &v2).unwrap();
        assert_eq!(both["isAuthorized"], false);
        assert_eq!(both["policyDocument"]["Statement"][0]["Resource"], "arn:x");
        let e = authorizer_denial(DenyReason::Unauthenticated, &v1).unwrap_err();
        assert_eq!(e.error_message, "Unauthorized");
    }

    #[test]
    fn alb_gets_status_description_and_multi_value_headers_when_enabled() {
        let event = json!({"multiValueHeaders": {}});
        let r = http_denial(Trigger::Alb, DenyReason::TooLarge, &event);
        assert_eq!(r["statusDescription"], "413 Payload Too Large");
        assert_eq!(
            r["multiValueHeaders"]["content-type"],
            json!(["application/json"])
        );
        assert!(r.get("headers").is_none());
    }

    #[test]
    fn merge_keeps_handler_failures_and_dedups() {
        let handler = json!({"batchItemFailures": [{"itemIdentifier": "a"}]});
        let merged = merge_batch_failures(handler, &["a".into(), "b".into()]);
        assert_eq!(
            merged["batchItemFailures"],
            json!([{"itemIdentifier": "a"}, {"itemIdentifier": "b"}])
        );
        let merged = merge_batch_failures(Value::Null, &["c".into()]);
        assert_eq!(
            merged,
            json!({"batchItemFailures": [{"itemIdentifier": "c"}]})
        );
    }

    #[test]
    fn firehose_gets_every_refused_record_back_as_processing_failed() {
        let refused = [Refused {
            id: "r2".into(),
            record: json!({"recordId": "r2", "data": "Oz1pZA=="}),
        }];
        let handler = json!({"records": [{"recordId": "r1", "result": "Ok", "data": ""}]});
        let merged = merge_refused(Trigger::Firehose, handler, &refused);
        assert_eq!(
            merged["records"][1],
            json!({"recordId": "r2", "result": "ProcessingFailed", "data": "Oz1pZA=="})
        );
        assert_eq!(merged["records"].as_array().map(Vec::len), Some(2));
        let merged = merge_refused(Trigger::Sqs, Value::Null, &refused);
        assert_eq!(
            merged,
            json!({"batchItemFailures": [{"itemIdentifier": "r2"}]})
        );
    }

    #[test]
    fn remove_records_drops_by_index() {
        let mut e = json!({"Records": [{"n": 0}, {"n": 1}, {"n": 2}]});
        let ids = vec![Some("m0".into()), Some("m1".into()), Some("m2".into())];
        let failed = remove_records(&mut e, Trigger::Sqs, &[0, 2], &ids);
        let failed: Vec<_> = failed.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(failed, vec!["m0", "m2"]);
        assert_eq!(e, json!({"Records": [{"n": 1}]}));
    }
}

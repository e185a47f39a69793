//! Optional JSON Schema validation per scope, like Powertools' Validation utility, with the
//! `jsonschema` crate built without remote `$ref` resolution (no HTTP, no file access) and with
//! the linear-time `regex` engine for `pattern` (the default engine backtracks).
//!
//! What is validated: the JSON body of HTTP triggers, each SQS message body and SNS message,
//! EventBridge `detail`, else the whole event. Violations name the instance path and the
//! failing keyword, never the value.

use crate::{
    config::ConfigError,
    decision::{Category, Finding},
    trigger::{InputView, Trigger},
};
use base64::Engine as _;
use jsonschema::{PatternOptions, Validator};
use serde_json::Value;
use std::path::Path;

/// Violations reported per document.
const MAX_ERRORS: usize = 8;

/// A compiled schema.
pub(crate) struct Schema {
    validator: Validator,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Schema")
    }
}

impl Schema {
    /// Reads and compiles `path`; `key` names the setting in errors.
    pub(crate) fn load(path: &Path, key: &str) -> Result<Schema, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::invalid(key, format!("{}: {e}", path.display())))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| ConfigError::invalid(key, format!("{}: {e}", path.display())))?;
        Schema::compile(&value, key)
    }

    pub(crate) fn compile(schema: &Value, key: &str) -> Result<Schema, ConfigError> {
        let validator = jsonschema::options()
            .with_pattern_options(PatternOptions::regex().size_limit(1 << 20))
            .build(schema)
            .map_err(|e| ConfigError::invalid(key, format!("invalid schema: {e}")))?;
        Ok(Schema { validator })
    }

    /// Validates the view's payload(s), appending violations.
    pub(crate) fn validate(&self, view: &InputView<'_>, out: &mut Vec<Finding>) {
        let event = view.event();
        match view.trigger() {
            t if t.is_http() => {
                let body = event.get("body");
                let flag = event.get("isBase64Encoded");
                // VPC Lattice's version 1 spells it in snake_case.
                let flag = flag.or_else(|| event.get("is_base64_encoded"));
                let b64 = flag.and_then(Value::as_bool) == Some(true);
                self.document(body, b64, "$.body", None, out);
            }
            Trigger::Sqs | Trigger::Sns => {
                let records = event.get("Records").and_then(Value::as_array);
                for (i, r) in records.into_iter().flatten().enumerate() {
                    let (doc, name) = if view.trigger() == Trigger::Sqs {
                        (r.get("body"), "body")
                    } else {
                        (r.get("Sns").and_then(|s| s.get("Message")), "Sns.Message")
                    };
                    self.document(doc, false, &format!("$.Records[{i}].{name}"), Some(i), out);
                }
            }
            Trigger::EventBridge => self.check(
                event.get("detail").unwrap_or(&Value::Null),
                "$.detail",
                None,
                out,
            ),
            _ => self.check(event, "$", None, out),
        }
    }

    fn document(
        &self,
        doc: Option<&Value>,
        base64: bool,
        path: &str,
        record: Option<usize>,
        out: &mut Vec<Finding>,
    ) {
        let parsed;
        let value = match doc {
            Some(Value::String(s)) => {
                let text = if base64 {
                    match base64::engine::general_purpose::STANDARD.decode(s.trim()) {
                        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                        Err(_) => return out.push(violation(path, "not base64", record)),
                    }
                } else {
                    s.clone()
                };
                match serde_json::from_str::<Value>(&text) {
                    Ok(v) => {
                        parsed = v;
                        &parsed
                    }
                    Err(_) => return out.push(violation(path, "not JSON", record)),
                }
            }
            Some(v) => v,
            None => &Value::Null,
        };
        self.check(value, path, record, out);
    }

    fn check(&self, value: &Value, path: &str, record: Option<usize>, out: &mut Vec<Finding>) {
        for e in self.validator.iter_errors(value).take(MAX_ERRORS) {
            let at = pointer_to_path(&e.instance_path().to_string());
            out.push(violation(
                &format!("{path}{at}"),
                &format!("{} at {}", e.kind().keyword(), e.schema_path()),
                record,
            ));
        }
    }
}

fn violation(path: &str, what: &str, record: Option<usize>) -> Finding {
    let mut excerpt: String = what.chars().take(60).collect();
    if what.chars().count() > 60 {
        excerpt.push('…');
    }
    Finding {
        category: Category::Schema,
        rule: "schema.violation".into(),
        path: path.to_owned(),
        excerpt,
        record,
        transforms: Vec::new(),
    }
}

/// `/a/0/b~1c` → `.a[0]['b/c']`.
fn pointer_to_path(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else if !seg.is_empty()
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            out.push('.');
            out.push_str(&seg);
        } else {
            out.push_str(&format!("['{}']", seg.replace('\'', "\\'")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    #[allow(clippy::unwrap_used)] // reason: tests
    fn body_is_validated_without_leaking_values() {
        let schema = Schema::compile(
            &json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "code": {"type": "string", "pattern": "^[A-Z]{3}$"}}}),
            "test",
        )
        .unwrap();
        let event = json!({"version": "2.0", "routeKey": "POST /o", "rawPath": "/o",
            "requestContext": {"http": {"method": "POST"}}, "headers": {},
            "body": "{\"id\": \"secret-value\", \"code\": \"abcd\"}"});
        let mut out = Vec::new();
        schema.validate(&InputView::new(&event), &mut out);
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(out.iter().any(|f| f.path == "$.body.id"));
        assert!(out.iter().all(|f| !f.excerpt.contains("secret")));
    }

    #[test]
    fn remote_refs_are_refused() {
        let r = Schema::compile(&json!({"$ref": "https://example.com/s.json"}), "k");
        assert!(r.is_err());
    }
}

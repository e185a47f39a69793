//! The verified claims of a caller's token: typed accessors, a redacted `Debug`, wiped on drop.

use super::fields::Fields;
use serde_json::{Map, Value};
use std::{fmt, sync::OnceLock};
use zeroize::{Zeroize, Zeroizing};

/// The verified claims of a caller's token.
///
/// Built only by the guard after the signature and every claim check passed. Read it in a
/// handler with [`crate::claims()`] or, with `lambda_http`, from the request's extensions.
///
/// * Typed accessors for the registered and common claims; [`Claims::get`] for the rest.
/// * `Debug` prints only the claim names, never values.
/// * Not `Serialize`: claims do not leave the process by accident.
/// * On drop the payload and every string taken from it (names and values) are overwritten
///   with zeros. Numbers are not wiped in their decoded form, nor copies the allocator or the
///   compiler made (see the `zeroize` crate's caveats); the event the token came in is owned by
///   the runtime and not wiped by this type.
///
/// The guard checks the claims while reading the payload once, without building a JSON tree;
/// the tree behind [`Claims::get`] and the other accessors is built on their first use.
pub struct Claims {
    /// The verified JSON payload.
    payload: Zeroizing<Vec<u8>>,
    map: OnceLock<Map<String, Value>>,
    scopes: Vec<String>,
    groups: Vec<String>,
}

impl Claims {
    /// Claims that were **not** verified, built from a map: for testing handlers and telemetry
    /// without a token. The guard never builds claims this way.
    pub fn unverified_for_tests(map: Map<String, Value>) -> Claims {
        let payload = Zeroizing::new(serde_json::to_vec(&map).unwrap_or_default());
        let (scopes, groups) = Fields::read(&payload, "aud", "cognito:groups")
            .map(|f| (f.scopes(), f.groups()))
            .unwrap_or_default();
        Claims {
            payload,
            map: OnceLock::from(map),
            scopes,
            groups,
        }
    }

    /// Claims from a verified payload and the fields read from it.
    pub(crate) fn new(
        payload: Zeroizing<Vec<u8>>,
        scopes: Vec<String>,
        groups: Vec<String>,
    ) -> Claims {
        Claims {
            payload,
            map: OnceLock::new(),
            scopes,
            groups,
        }
    }

    fn map(&self) -> &Map<String, Value> {
        self.map.get_or_init(|| {
            // The payload was read as a JSON object with unique names, numbers in range and
            // strings valid, exactly what this parse accepts: it cannot fail.
            match serde_json::from_slice(&self.payload) {
                Ok(Value::Object(map)) => map,
                Ok(other) => {
                    wipe_value(other);
                    Map::new()
                }
                Err(_) => Map::new(),
            }
        })
    }

    /// `sub`, when it is a string.
    pub fn subject(&self) -> Option<&str> {
        self.str("sub")
    }

    /// `iss` (always present: it was matched against the configured issuers).
    pub fn issuer(&self) -> Option<&str> {
        self.str("iss")
    }

    /// `aud` as a list (a single string becomes one element).
    pub fn audience(&self) -> Vec<&str> {
        match self.map().get("aud") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// `exp`, seconds since the epoch.
    pub fn expires_at(&self) -> Option<u64> {
        self.num("exp")
    }

    /// `iat`, seconds since the epoch.
    pub fn issued_at(&self) -> Option<u64> {
        self.num("iat")
    }

    /// `nbf`, seconds since the epoch.
    pub fn not_before(&self) -> Option<u64> {
        self.num("nbf")
    }

    /// `client_id` (Cognito access tokens, RFC 9068).
    pub fn client_id(&self) -> Option<&str> {
        self.str("client_id")
    }

    /// `token_use` (Cognito: `access` or `id`).
    pub fn token_use(&self) -> Option<&str> {
        self.str("token_use")
    }

    /// The granted scopes: `scope` split on spaces, else the `scp` array (or space-separated
    /// string). Compare them as whole tokens, as [`Claims::has_scope`] does.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Whether `scope` is granted, compared as an exact token (no prefix or substring match).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The caller's groups, from the configured claim (`auth.jwt.groups_claim`, by default
    /// `cognito:groups`).
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// Whether the caller is in `group` (exact match).
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    /// Any claim, as JSON.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map().get(name)
    }

    /// A claim that is a string.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// The claim names present.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map().keys().map(String::as_str)
    }

    fn num(&self, name: &str) -> Option<u64> {
        let v = self.get(name)?;
        v.as_u64().or_else(|| v.as_f64().map(|f| f as u64))
    }
}

fn wipe_value(value: Value) {
    match value {
        Value::String(mut s) => s.zeroize(),
        Value::Array(items) => items.into_iter().for_each(wipe_value),
        Value::Object(map) => wipe_map(map),
        _ => {}
    }
}

fn wipe_map(map: Map<String, Value>) {
    for (mut k, v) in map {
        k.zeroize();
        wipe_value(v);
    }
}

impl Drop for Claims {
    fn drop(&mut self) {
        if let Some(map) = self.map.take() {
            wipe_map(map);
        }
        self.scopes.zeroize();
        self.groups.zeroize();
    }
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("names", &self.names().collect::<Vec<_>>())
            .field("values", &"[REDACTED]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Claims {
        let payload = Zeroizing::new(serde_json::to_vec(&v).unwrap());
        let fields = Fields::read(&payload, "aud", "cognito:groups").unwrap();
        let (scopes, groups) = (fields.scopes(), fields.groups());
        drop(fields);
        Claims::new(payload, scopes, groups)
    }

    #[test]
    fn scopes_are_exact_tokens() {
        let c = claims(json!({"scope": "orders:read  orders:readall", "sub": "alice"}));
        assert!(c.has_scope("orders:read"));
        assert!(!c.has_scope("orders"));
        assert!(!c.has_scope("orders:write"));
        assert_eq!(c.subject(), Some("alice"));
        let c = claims(json!({"scp": ["a", "b"], "cognito:groups": ["admin"]}));
        assert!(c.has_scope("b") && c.in_group("admin") && !c.in_group("adm"));
    }

    #[test]
    fn debug_is_redacted() {
        let c = claims(json!({"sub": "secret-subject"}));
        let d = format!("{c:?}");
        assert!(!d.contains("secret-subject"), "{d}");
    }
}

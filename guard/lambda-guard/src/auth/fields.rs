//! Reads the claims the guard checks out of a token's JSON payload in one pass, borrowing from
//! the payload instead of building a JSON tree (which costs more than the checks themselves).
//!
//! The whole payload is still parsed and validated exactly as `serde_json::Value` would be
//! (every number in range, every string valid UTF-8), it must be an object, and a member name
//! that appears twice at the top level refuses it: two `exp` or two `scope` are not resolved
//! last-wins, since another parser downstream may resolve them first-wins (RFC 8725 §3.1's
//! spirit; RFC 7519 §4 allows either).

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::{borrow::Cow, fmt};
use zeroize::Zeroize;

/// A JSON string, borrowed from the payload unless it had escapes; a copy is wiped on drop.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Text<'a>(Cow<'a, str>);

impl Text<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl Drop for Text<'_> {
    fn drop(&mut self) {
        if let Cow::Owned(s) = &mut self.0 {
            s.zeroize();
        }
    }
}

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A claim's value, as far as the checks care.
#[derive(Clone)]
pub(crate) enum Claim<'a> {
    Number(f64),
    String(Text<'a>),
    /// An array: its string elements, and whether it had any other.
    Array {
        strings: Vec<Text<'a>>,
        mixed: bool,
    },
    /// `null`, a boolean or an object.
    Other,
}

impl Claim<'_> {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Claim::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The strings of an array, or the one string.
    pub(crate) fn strings(&self) -> Vec<String> {
        match self {
            Claim::String(s) => vec![s.as_str().to_owned()],
            Claim::Array { strings, .. } => strings.iter().map(|s| s.as_str().to_owned()).collect(),
            _ => Vec::new(),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Claim<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Claim<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Claim<'de>, E> {
                Ok(Claim::Number(v as f64))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Claim<'de>, E> {
                Ok(Claim::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Claim<'de>, E> {
                Ok(Claim::Number(v))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Claim<'de>, E> {
                Ok(Claim::Other)
            }
            fn visit_unit<E>(self) -> Result<Claim<'de>, E> {
                Ok(Claim::Other)
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Claim<'de>, E> {
                Ok(Claim::String(Text(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Claim<'de>, E> {
                Ok(Claim::String(Text(Cow::Owned(v.to_owned()))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Claim<'de>, A::Error> {
                let (mut strings, mut mixed) = (Vec::new(), false);
                while let Some(item) = a.next_element::<Claim<'de>>()? {
                    match item {
                        Claim::String(s) => strings.push(s),
                        _ => mixed = true,
                    }
                }
                Ok(Claim::Array { strings, mixed })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Claim<'de>, A::Error> {
                while a.next_entry::<Skip, Skip>()?.is_some() {}
                Ok(Claim::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// Any JSON value, validated as `serde_json::Value` would be, and dropped.
struct Skip;

impl<'de> serde::Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Skip;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_unit<E>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Skip, A::Error> {
                while a.next_element::<Skip>()?.is_some() {}
                Ok(Skip)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Skip, A::Error> {
                while a.next_entry::<Skip, Skip>()?.is_some() {}
                Ok(Skip)
            }
        }
        d.deserialize_any(V)
    }
}

/// The claims the guard reads, by role.
#[derive(Clone, Copy)]
pub(crate) enum Role {
    Exp,
    Nbf,
    Iat,
    Iss,
    /// The configured audience claim (`aud`, or `client_id` for Cognito access tokens).
    Audience,
    TokenUse,
    ClientId,
    Scope,
    Scp,
    /// The configured groups claim.
    Groups,
}

const ROLES: usize = 10;

/// The claims the guard reads, borrowed from the payload.
pub(crate) struct Fields<'a> {
    found: [Option<Claim<'a>>; ROLES],
}

impl<'a> Fields<'a> {
    /// Reads `payload`, a JSON object; `audience_claim` and `groups_claim` name the configured
    /// claims. `None` when the payload is not a JSON object with unique member names.
    pub(crate) fn read(
        payload: &'a [u8],
        audience_claim: &str,
        groups_claim: &str,
    ) -> Option<Fields<'a>> {
        let mut de = serde_json::Deserializer::from_slice(payload);
        let fields = Reader {
            audience: audience_claim,
            groups: groups_claim,
        }
        .deserialize(&mut de)
        .ok()?;
        de.end().ok()?;
        Some(fields)
    }

    pub(crate) fn get(&self, role: Role) -> Option<&Claim<'a>> {
        self.found[role as usize].as_ref()
    }

    /// The granted scopes: `scope` split on spaces, else the `scp` array (or space-separated
    /// string).
    pub(crate) fn scopes(&self) -> Vec<String> {
        let words = |s: &str| {
            s.split(' ')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        };
        match (self.get(Role::Scope), self.get(Role::Scp)) {
            (Some(Claim::String(s)), _) | (None, Some(Claim::String(s))) => words(s.as_str()),
            (None, Some(scp @ Claim::Array { .. })) => scp.strings(),
            _ => Vec::new(),
        }
    }

    /// The groups, from the configured claim (an array of strings, or one string).
    pub(crate) fn groups(&self) -> Vec<String> {
        self.get(Role::Groups)
            .map(Claim::strings)
            .unwrap_or_default()
    }
}

/// Reads the top-level object, keeping the values of the named claims.
struct Reader<'n> {
    audience: &'n str,
    groups: &'n str,
}

/// The role of a registered claim name (the configured names aside).
fn fixed_role(name: &str) -> Option<Role> {
    Some(match name {
        "exp" => Role::Exp,
        "nbf" => Role::Nbf,
        "iat" => Role::Iat,
        "iss" => Role::Iss,
        "token_use" => Role::TokenUse,
        "client_id" => Role::ClientId,
        "scope" => Role::Scope,
        "scp" => Role::Scp,
        _ => return None,
    })
}

impl<'de> DeserializeSeed<'de> for Reader<'_> {
    type Value = Fields<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Fields<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Reader<'_> {
    type Value = Fields<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Fields<'de>, A::Error> {
        let mut found: [Option<Claim<'de>>; ROLES] = Default::default();
        let mut seen: Vec<Text<'de>> = Vec::with_capacity(16);
        while let Some(name) = a.next_key::<Text<'de>>()? {
            let roles = [
                fixed_role(name.as_str()),
                (name.as_str() == self.audience).then_some(Role::Audience),
                (name.as_str() == self.groups).then_some(Role::Groups),
            ];
            if roles.iter().all(Option::is_none) {
                a.next_value::<Skip>()?;
            } else {
                let value: Claim<'de> = a.next_value()?;
                for role in roles.into_iter().flatten() {
                    found[role as usize] = Some(value.clone());
                }
            }
            seen.push(name);
        }
        seen.sort_unstable();
        if seen.windows(2).any(|w| w[0] == w[1]) {
            return Err(de::Error::custom("duplicate member"));
        }
        Ok(Fields { found })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Option<Fields<'_>> {
        Fields::read(json.as_bytes(), "aud", "cognito:groups")
    }

    #[test]
    fn reads_what_serde_json_value_reads() {
        // Accepted and refused exactly as a `serde_json::Value` object with unique names.
        for json in [
            r#"{}"#,
            r#" {"a": [1, {"b": null}], "exp": 1e300, "s": "\u00e9\n"} "#,
            r#"{"x": {"y": 1, "y": 2}}"#,
            r#"{"big": 18446744073709551615, "neg": -9223372036854775808}"#,
        ] {
            assert!(read(json).is_some(), "{json}");
            assert!(serde_json::from_str::<serde_json::Value>(json).is_ok());
        }
        for json in [
            r#"[]"#,
            r#""exp""#,
            r#"{"exp": 1, "exp": 2}"#,
            r#"{"jti": "a", "jti": "b"}"#,
            r#"{"a": 1, "\u0061": 2}"#,
            r#"{"a": 1e400}"#,
            r#"{"a": [1e400]}"#,
            r#"{"a": 1} x"#,
            r#"{"a": 1,}"#,
            "{\"a\": \"\u{1}\"}",
        ] {
            assert!(read(json).is_none(), "{json}");
        }
    }

    #[test]
    fn claims_by_role() {
        let f = read(
            r#"{"exp": 5, "aud": ["a", 1, "b"], "iss": "i\"s", "scope": "x  y",
                "cognito:groups": "g", "scp": ["ignored"]}"#,
        )
        .unwrap();
        assert!(matches!(f.get(Role::Exp), Some(Claim::Number(n)) if *n == 5.0));
        assert!(
            matches!(f.get(Role::Audience), Some(Claim::Array { strings, mixed: true })
            if strings.len() == 2)
        );
        assert_eq!(f.get(Role::Iss).and_then(Claim::as_str), Some("i\"s"));
        assert_eq!(f.scopes(), ["x", "y"]);
        assert_eq!(f.groups(), ["g"]);
        assert!(f.get(Role::Nbf).is_none());
        let f = Fields::read(br#"{"client_id": "c", "scp": ["p", 2]}"#, "client_id", "g").unwrap();
        assert_eq!(f.get(Role::Audience).and_then(Claim::as_str), Some("c"));
        assert_eq!(f.get(Role::ClientId).and_then(Claim::as_str), Some("c"));
        assert_eq!(f.scopes(), ["p"]);
    }
}

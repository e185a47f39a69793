//! The protocol-level decodings a trigger applies to its payloads. Evasion-oriented normalization
//! (repeated URL decoding, entities, …) belongs to `inspect`, not here: the view shows what the
//! handler will see.

use base64::Engine as _;
use std::borrow::Cow;

/// Standard base64 as Lambda uses it (`isBase64Encoded` bodies, Kinesis data, SQS binary
/// attributes); lenient on padding.
pub(crate) fn base64(text: &str) -> Option<Vec<u8>> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine.decode(text.trim()).ok()
}

/// Bytes to text; invalid UTF-8 is replaced rather than dropped so hidden text still shows.
pub(crate) fn text(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// One pass of `application/x-www-form-urlencoded` decoding (`+` is a space), as S3 encodes
/// object keys and browsers encode forms and query strings.
pub(crate) fn form_component(text: &str) -> Cow<'_, str> {
    if !text.bytes().any(|b| b == b'%' || b == b'+') {
        return Cow::Borrowed(text);
    }
    let spaced = text.replace('+', " ");
    let decoded = percent_encoding::percent_decode_str(&spaced).decode_utf8_lossy();
    Cow::Owned(decoded.into_owned())
}

/// Splits a query string or form body into decoded `(name, value)` pairs.
pub(crate) fn form_pairs(text: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    text.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (form_component(k), form_component(v))
    })
}

/// Whether a string plausibly carries a JSON document (checked before paying for a parse).
pub(crate) fn looks_like_json(text: &str) -> bool {
    let t = text.trim_start();
    (t.starts_with('{') || t.starts_with('[')) && t.len() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_keys_use_plus_for_space() {
        assert_eq!(form_component("my+file%2Bv2.txt"), "my file+v2.txt");
        assert!(matches!(form_component("plain.txt"), Cow::Borrowed(_)));
    }

    #[test]
    fn base64_accepts_missing_padding_and_rejects_garbage() {
        assert_eq!(base64("aGk").as_deref(), Some(&b"hi"[..]));
        assert_eq!(base64("aGk=").as_deref(), Some(&b"hi"[..]));
        assert!(base64("not base64!").is_none());
    }

    #[test]
    fn invalid_utf8_is_kept_lossy() {
        assert_eq!(text(vec![b'a', 0xff, b'b']), "a\u{fffd}b");
    }

    #[test]
    fn form_pairs_decode_both_sides() {
        let pairs: Vec<_> = form_pairs("a=1&b%5B%24ne%5D=x+y&flag").collect();
        assert_eq!(pairs[1], (Cow::from("b[$ne]"), Cow::from("x y")));
        assert_eq!(pairs[2], (Cow::from("flag"), Cow::from("")));
    }
}

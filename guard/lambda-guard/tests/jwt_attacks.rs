//! RFC 8725 attacks and well-known JWT library CVEs against the authenticator, with keys
//! generated per run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "tests: a panic is a failure"
)]

mod common;

use aws_lc_rs::hmac;
use common::*;
use lambda_guard::auth::{AuthOutcome, Authenticator};
use serde_json::{json, Value};

const ROUTES: &str = r#"
"GET /orders/{id}" = { scopes = ["orders:read"] }
"POST /orders" = { scopes = ["orders:write"] }
"DELETE /orders/{id}" = { groups = ["admin", "support"] }
"GET /health" = { public = true }
"#;

struct Fixture {
    rsa: TestKey,
    ps: TestKey,
    ec: TestKey,
    ed: TestKey,
    auth: Authenticator,
}

async fn fixture() -> Fixture {
    fixture_with("").await
}

async fn fixture_with(jwt_extra: &str) -> Fixture {
    let rsa = TestKey::rsa("rsa-1", "RS256");
    let ps = TestKey::rsa("ps-1", "PS256");
    let ec = TestKey::es256("ec-1");
    let ed = TestKey::eddsa("ed-1");
    let auth = file_auth(&jwks(&[&rsa, &ps, &ec, &ed]), jwt_extra, ROUTES).await;
    Fixture {
        rsa,
        ps,
        ec,
        ed,
        auth,
    }
}

impl Fixture {
    async fn check(&self, token: &str) -> AuthOutcome {
        self.auth.authenticate(&bearer(token)).await
    }
    async fn kind(&self, token: &str) -> &'static str {
        kind(&self.check(token).await)
    }
}

fn forge(header: &Value, claims: &Value, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes()),
        b64(sig)
    )
}

#[tokio::test]
async fn valid_tokens_of_every_algorithm_pass_with_typed_claims() {
    let f = fixture().await;
    for key in [&f.rsa, &f.ps, &f.ec, &f.ed] {
        let outcome = f
            .check(&key.token(&good_claims("orders:read profile")))
            .await;
        let AuthOutcome::Allowed { claims: Some(c) } = outcome else {
            panic!("{}: {outcome:?}", key.alg)
        };
        assert_eq!(c.subject(), Some("alice"));
        assert_eq!(c.issuer(), Some(ISS));
        assert_eq!(c.audience(), vec![AUD]);
        assert!(c.has_scope("orders:read") && c.has_scope("profile"));
        assert_eq!(c.groups(), ["staff".to_string()]);
        assert!(c.expires_at().is_some());
        assert!(!format!("{c:?}").contains("alice"));
    }
}

#[tokio::test]
async fn alg_none_in_any_casing_is_refused() {
    let f = fixture().await;
    for alg in ["none", "None", "NONE", "nOnE", "NoNe"] {
        for kid in [Some("rsa-1"), None] {
            let mut header = json!({"alg": alg, "typ": "JWT"});
            if let Some(k) = kid {
                header["kid"] = json!(k);
            }
            let unsigned = forge(&header, &good_claims("orders:read"), b"");
            assert_eq!(f.kind(&unsigned).await, "alg_none", "{alg}");
            // A `none` token with a signature is no better.
            let signed = forge(&header, &good_claims("orders:read"), &[1, 2, 3]);
            assert_eq!(f.kind(&signed).await, "alg_none", "{alg}");
        }
    }
    // An empty signature on a real algorithm is treated the same way.
    let stripped = f.rsa.token(&good_claims("orders:read"));
    let stripped = &stripped[..stripped.rfind('.').unwrap() + 1];
    assert_eq!(f.kind(stripped).await, "alg_none");
}

#[tokio::test]
async fn rs_hs_key_confusion_is_refused() {
    let f = fixture().await;
    let pem = f.rsa.pem();
    let jwk = f.rsa.jwk().to_string();
    let n = f.rsa.jwk()["n"].as_str().unwrap().to_string();
    for secret in [pem.as_bytes(), jwk.as_bytes(), n.as_bytes()] {
        for alg in ["HS256", "HS384", "HS512"] {
            let header = json!({"alg": alg, "kid": "rsa-1", "typ": "JWT"});
            let claims = good_claims("orders:read");
            let input = format!(
                "{}.{}",
                b64(header.to_string().as_bytes()),
                b64(claims.to_string().as_bytes())
            );
            let algo = match alg {
                "HS256" => hmac::HMAC_SHA256,
                "HS384" => hmac::HMAC_SHA384,
                _ => hmac::HMAC_SHA512,
            };
            let tag = hmac::sign(&hmac::Key::new(algo, secret), input.as_bytes());
            let token = format!("{input}.{}", b64(tag.as_ref()));
            assert_eq!(f.kind(&token).await, "alg_not_allowed", "{alg}");
        }
    }
}

#[tokio::test]
async fn embedded_jwk_cve_2018_0114_is_refused() {
    let f = fixture().await;
    let attacker = TestKey::rsa("rsa-1", "RS256");
    for kid in [Some("rsa-1"), None] {
        let mut header = attacker.header();
        header["jwk"] = attacker.jwk();
        match kid {
            Some(k) => header["kid"] = json!(k),
            None => {
                header.as_object_mut().unwrap().remove("kid");
            }
        }
        let token = attacker.sign(&header, &good_claims("orders:read"));
        assert_eq!(f.kind(&token).await, "embedded_key_refused");
    }
    // An embedded certificate chain is not trusted either.
    let mut header = attacker.header();
    header["x5c"] = json!(["MIIB"]);
    let token = attacker.sign(&header, &good_claims("orders:read"));
    assert_eq!(f.kind(&token).await, "embedded_key_refused");
}

#[tokio::test]
async fn jku_and_x5u_are_never_followed() {
    // A real server the attacker controls: it must never be asked anything.
    let attacker_server = common::jwks_server::JwksServer::start().await;
    let attacker = TestKey::rsa("evil", "RS256");
    attacker_server.set_ok(&jwks(&[&attacker]));
    let f = fixture().await;
    for member in ["jku", "x5u"] {
        for kid in ["evil", "rsa-1"] {
            let mut header = attacker.header();
            header["kid"] = json!(kid);
            header[member] = json!(attacker_server.url());
            let token = attacker.sign(&header, &good_claims("orders:read"));
            assert_eq!(f.kind(&token).await, "embedded_key_refused", "{member}");
        }
    }
    assert_eq!(attacker_server.hits(), 0);
}

#[tokio::test]
async fn kid_injection_is_an_opaque_miss() {
    let f = fixture().await;
    for kid in [
        "../../../../dev/null",
        "/dev/null",
        "' OR '1'='1",
        "rsa-1' --",
        "rsa-1\u{0000}",
        "RSA-1",
        "rsa-1 ",
        "$(curl evil.example)",
        "{{7*7}}",
        "http://evil.example/key",
    ] {
        let mut header = f.rsa.header();
        header["kid"] = json!(kid);
        let token = f.rsa.sign(&header, &good_claims("orders:read"));
        let outcome = f.check(&token).await;
        assert_eq!(kind(&outcome), "unknown_kid", "{kid:?}");
        let AuthOutcome::Denied(failure) = outcome else {
            unreachable!()
        };
        // The logged kid is escaped and never contains control characters.
        assert!(failure.kid.unwrap().chars().all(|c| !c.is_control()));
    }
    // An empty or huge kid is malformed.
    for kid in [String::new(), "k".repeat(300)] {
        let mut header = f.rsa.header();
        header["kid"] = json!(kid);
        let token = f.rsa.sign(&header, &good_claims("orders:read"));
        assert_eq!(f.kind(&token).await, "malformed_token");
    }
    // A non-string kid is malformed.
    let mut header = f.rsa.header();
    header["kid"] = json!(1);
    let token = f.rsa.sign(&header, &good_claims("orders:read"));
    assert_eq!(f.kind(&token).await, "malformed_token");
}

#[tokio::test]
async fn ecdsa_zero_signature_cve_2022_21449_is_refused() {
    let f = fixture().await;
    let header = f.ec.header();
    let claims = good_claims("orders:read");
    // r = s = 0, fixed-size encoding.
    assert_eq!(
        f.kind(&forge(&header, &claims, &[0u8; 64])).await,
        "bad_signature"
    );
    // r = s = n (the group order), which reduces to zero.
    let n = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let rs_n = [n.clone(), n].concat();
    assert_eq!(
        f.kind(&forge(&header, &claims, &rs_n)).await,
        "bad_signature"
    );
    // A DER-encoded zero signature (the Java shape).
    let der = [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00];
    assert_eq!(
        f.kind(&forge(&header, &claims, &der)).await,
        "bad_signature"
    );
    // Empty-ish and truncated signatures.
    assert_eq!(
        f.kind(&forge(&header, &claims, &[0u8; 1])).await,
        "bad_signature"
    );
    let good = f.ec.token(&claims);
    let truncated = &good[..good.len() - 4];
    assert_eq!(f.kind(truncated).await, "bad_signature");
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[tokio::test]
async fn signature_from_another_key_with_the_same_kid_is_refused() {
    let f = fixture().await;
    let claims = good_claims("orders:read");
    for (real, impostor) in [
        (&f.rsa, TestKey::rsa("rsa-1", "RS256")),
        (&f.ps, TestKey::rsa("ps-1", "PS256")),
        (&f.ec, TestKey::es256("ec-1")),
        (&f.ed, TestKey::eddsa("ed-1")),
    ] {
        assert_eq!(impostor.kid, real.kid);
        assert_eq!(
            f.kind(&impostor.token(&claims)).await,
            "bad_signature",
            "{}",
            real.alg
        );
    }
}

#[tokio::test]
async fn tampered_payload_is_refused() {
    let f = fixture().await;
    let token = f.rsa.token(&good_claims("orders:read"));
    let parts: Vec<&str> = token.split('.').collect();
    let evil = b64(good_claims("orders:read orders:write admin")
        .to_string()
        .as_bytes());
    let tampered = format!("{}.{}.{}", parts[0], evil, parts[2]);
    assert_eq!(f.kind(&tampered).await, "bad_signature");
}

#[tokio::test]
async fn relabelled_algorithms_are_refused() {
    let f = fixture().await;
    let claims = good_claims("orders:read");
    // The RS256 key signs PSS and says so: the key's own alg wins.
    for (key, alg) in [
        (&f.rsa, "PS256"),
        (&f.rsa, "RS512"),
        (&f.ps, "RS256"),
        (&f.ec, "ES384"),
        (&f.ed, "ES256"),
        (&f.ec, "EdDSA"),
    ] {
        let mut header = key.header();
        header["alg"] = json!(alg);
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig = key.sign_raw(alg, input.as_bytes());
        let token = format!("{input}.{}", b64(&sig));
        assert_eq!(
            f.kind(&token).await,
            "alg_not_allowed",
            "{} as {alg}",
            key.alg
        );
    }
    // Case variants of a real name are not that name.
    for alg in ["rs256", "Rs256", "RS256 ", "es256", "eddsa", "ED25519"] {
        let mut header = f.rsa.header();
        header["alg"] = json!(alg);
        let token = f.rsa.sign(&header, &claims);
        assert_eq!(f.kind(&token).await, "alg_not_allowed", "{alg}");
    }
}

#[tokio::test]
async fn keys_without_alg_are_pinned_by_configuration() {
    // A JWK without `alg` may verify only the configured algorithms of its type.
    let key = TestKey::rsa("k", "RS256");
    let mut jwk = key.jwk();
    jwk.as_object_mut().unwrap().remove("alg");
    let path = temp_file("jwks.json", &json!({"keys": [jwk]}).to_string());
    let config: lambda_guard::auth::AuthConfig = toml::from_str(&format!(
        "[jwt]\njwks_file = {path:?}\nissuer = \"{ISS}\"\naudience = \"{AUD}\"\n"
    ))
    .unwrap();
    let auth = Authenticator::new(&config).await.unwrap();
    let claims = good_claims("");
    assert_eq!(
        kind(&auth.authenticate(&bearer(&key.token(&claims))).await),
        "allowed"
    );
    let mut header = key.header();
    header["alg"] = json!("PS256");
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let token = format!("{input}.{}", b64(&key.sign_raw("PS256", input.as_bytes())));
    assert_eq!(
        kind(&auth.authenticate(&bearer(&token)).await),
        "alg_not_allowed"
    );
}

#[tokio::test]
async fn jwk_use_and_key_ops_are_enforced() {
    let enc = TestKey::rsa("enc", "RS256");
    let ops = TestKey::rsa("ops", "RS256");
    let good = TestKey::rsa("good", "RS256");
    let mut enc_jwk = enc.jwk();
    enc_jwk["use"] = json!("enc");
    let mut ops_jwk = ops.jwk();
    ops_jwk["key_ops"] = json!(["encrypt"]);
    let doc = json!({"keys": [enc_jwk.clone(), ops_jwk.clone(), good.jwk()]});
    let verifier = lambda_guard::auth::SignatureVerifier::from_jwks(
        doc.to_string().as_bytes(),
        &lambda_guard::auth::Algorithm::ALL,
    )
    .unwrap();
    assert_eq!(verifier.key_count(), 1);
    let claims = good_claims("");
    assert!(verifier.verify(&good.token(&claims)).is_ok());
    for k in [&enc, &ops] {
        assert_eq!(
            verifier.verify(&k.token(&claims)).unwrap_err(),
            lambda_guard::auth::Kind::UnknownKid
        );
    }
    // A local JWKS file: unusable keys are skipped; none usable is an error naming the key.
    let path = temp_file("jwks.json", &doc.to_string());
    let config: lambda_guard::auth::AuthConfig = toml::from_str(&format!(
        "[jwt]\njwks_file = {path:?}\nissuer = \"{ISS}\"\naudience = \"{AUD}\"\n"
    ))
    .unwrap();
    let auth = Authenticator::new(&config).await.unwrap();
    assert_eq!(
        kind(&auth.authenticate(&bearer(&good.token(&claims))).await),
        "allowed"
    );
    assert_eq!(
        kind(&auth.authenticate(&bearer(&enc.token(&claims))).await),
        "unknown_kid"
    );
    let doc = json!({"keys": [enc_jwk, ops_jwk]});
    let path = temp_file("jwks.json", &doc.to_string());
    let config: lambda_guard::auth::AuthConfig = toml::from_str(&format!(
        "[jwt]\njwks_file = {path:?}\nissuer = \"{ISS}\"\naudience = \"{AUD}\"\n"
    ))
    .unwrap();
    let err = Authenticator::new(&config).await.unwrap_err().to_string();
    assert!(
        err.contains("auth.jwt.jwks_file (GUARD_JWT_JWKS_FILE)"),
        "{err}"
    );
}

#[tokio::test]
async fn time_claims_are_checked_with_leeway() {
    let f = fixture().await;
    let now = now();
    let cases: [(&str, Value, &str); 9] = [
        // Leeway is 30 s; cases on its far side keep a minute's margin (signing tokens in a
        // debug build on a loaded machine took over a second, and `now + 31` passed).
        ("expired", json!(now - 90), "expired"),
        ("expired within leeway", json!(now - 5), "allowed"),
        ("float exp", json!((now + 100) as f64 + 0.5), "allowed"),
        (
            "string exp CVE-2026-25537",
            json!((now + 1000).to_string()),
            "claim_type",
        ),
        ("null exp", Value::Null, "claim_type"),
        ("bool exp", json!(true), "claim_type"),
        ("array exp", json!([now + 1000]), "claim_type"),
        ("object exp", json!({"v": now + 1000}), "claim_type"),
        ("huge exp", json!(1e300), "allowed"),
    ];
    for (name, exp, want) in cases {
        let mut c = good_claims("orders:read");
        c["exp"] = exp;
        assert_eq!(f.kind(&f.rsa.token(&c)).await, want, "{name}");
    }
    let mut c = good_claims("orders:read");
    c.as_object_mut().unwrap().remove("exp");
    assert_eq!(f.kind(&f.rsa.token(&c)).await, "exp_missing");
    for (claim, value, want) in [
        ("nbf", json!(now + 90), "not_yet_valid"),
        ("nbf", json!(now + 10), "allowed"),
        ("nbf", json!((now + 1000).to_string()), "claim_type"),
        ("iat", json!(now + 90), "iat_in_future"),
        ("iat", json!(now + 10), "allowed"),
        ("iat", json!(now.to_string()), "claim_type"),
    ] {
        let mut c = good_claims("orders:read");
        c[claim] = value;
        assert_eq!(f.kind(&f.rsa.token(&c)).await, want, "{claim}");
    }
}

#[tokio::test]
async fn issuer_and_audience_are_required_and_matched() {
    let f = fixture().await;
    for (claim, value, want) in [
        ("iss", json!("https://evil.example"), "iss_mismatch"),
        ("iss", json!("https://issuer.example/"), "iss_mismatch"),
        ("iss", json!(["https://issuer.example"]), "claim_type"),
        ("aud", json!("orders-api-x"), "aud_mismatch"),
        ("aud", json!(["a", "b"]), "aud_mismatch"),
        ("aud", json!(["a", AUD]), "allowed"),
        ("aud", json!([]), "aud_mismatch"),
        ("aud", json!(7), "claim_type"),
    ] {
        let mut c = good_claims("orders:read");
        c[claim] = value;
        assert_eq!(f.kind(&f.rsa.token(&c)).await, want, "{claim}");
    }
    for claim in ["iss", "aud"] {
        let mut c = good_claims("orders:read");
        c.as_object_mut().unwrap().remove(claim);
        assert_eq!(f.kind(&f.rsa.token(&c)).await, format!("{claim}_missing"));
    }
}

#[tokio::test]
async fn unknown_crit_is_refused() {
    let f = fixture().await;
    for crit in [
        json!(["exp"]),
        json!(["b64"]),
        json!([]),
        json!("x"),
        json!(["http://x"]),
    ] {
        let mut header = f.rsa.header();
        header["crit"] = crit.clone();
        header["exp"] = json!(1);
        let token = f.rsa.sign(&header, &good_claims("orders:read"));
        assert_eq!(f.kind(&token).await, "crit_unsupported", "{crit}");
    }
}

#[tokio::test]
async fn jwe_shaped_and_garbage_tokens_are_refused() {
    let f = fixture().await;
    let good = f.rsa.token(&good_claims("orders:read"));
    let parts: Vec<&str> = good.split('.').collect();
    let jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGeipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb23nfa6c9d-StnImGyFDbSv04uVuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaVmqgfwX7XWRxv2322i-vDxRfqNzo_tETKzpVLzfiwQyeyPGLBIO56YJ7eObdv0je81860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTIy3brGPi6UklfCpIMfIjf7iGdXKHzg.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ";
    assert_eq!(f.kind(jwe).await, "jwe_unsupported");
    let five = format!("{good}.a.b");
    assert_eq!(f.kind(&five).await, "jwe_unsupported");
    let mut header = f.rsa.header();
    header["enc"] = json!("A256GCM");
    assert_eq!(
        f.kind(&f.rsa.sign(&header, &good_claims("orders:read")))
            .await,
        "jwe_unsupported"
    );
    let not_json = format!("{}.{}.{}", b64(b"not json"), parts[1], parts[2]);
    let array = format!("{}.{}.{}", b64(b"[\"RS256\"]"), parts[1], parts[2]);
    let dup = format!(
        "{}.{}.{}",
        b64(br#"{"alg":"RS256","kid":"rsa-1","alg":"none"}"#),
        parts[1],
        parts[2]
    );
    let padded = format!("{}=.{}.{}", parts[0], parts[1], parts[2]);
    let std_b64 = format!("{}+/.{}.{}", parts[0], parts[1], parts[2]);
    let no_alg = format!("{}.{}.{}", b64(br#"{"kid":"rsa-1"}"#), parts[1], parts[2]);
    let bad_utf8 = format!("{}.{}.{}", b64(b"{\"alg\":\"\xff\"}"), parts[1], parts[2]);
    for garbage in [
        "",
        "a",
        "a.b",
        "a.b.c.d",
        "..",
        "....",
        ".a.b",
        "a..b",
        "ey.ey.ey",
        "\u{00e9}.\u{00e9}.\u{00e9}",
        "eyJhbGciOiJSUzI1NiJ9.%%%.abc",
        not_json.as_str(),
        array.as_str(),
        dup.as_str(),
        padded.as_str(),
        std_b64.as_str(),
        no_alg.as_str(),
        bad_utf8.as_str(),
    ] {
        let request = bearer(garbage);
        let outcome = f.auth.authenticate(&request).await;
        assert_eq!(status(&outcome), 401, "{garbage:?}");
        assert!(
            ["malformed_token", "malformed_header"].contains(&kind(&outcome)),
            "{garbage:?}: {}",
            kind(&outcome)
        );
    }
    // A payload that is not a JSON object, or duplicates a claim, correctly signed.
    let dup_exp = format!(
        r#"{{"iss":"{ISS}","aud":"{AUD}","exp":1,"exp":{}}}"#,
        now() + 300
    );
    let dup_scope = format!(
        r#"{{"iss":"{ISS}","aud":"{AUD}","exp":{},"scope":"x","scope":"orders:read"}}"#,
        now() + 300
    );
    for payload in [
        &b"[]"[..],
        b"\"x\"",
        b"null",
        b"{",
        b"\xff",
        dup_exp.as_bytes(),
        dup_scope.as_bytes(),
    ] {
        let header = f.rsa.header();
        let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(payload));
        let token = format!(
            "{input}.{}",
            b64(&f.rsa.sign_raw("RS256", input.as_bytes()))
        );
        assert_eq!(f.kind(&token).await, "malformed_token");
    }
}

#[tokio::test]
async fn oversized_tokens_are_refused_before_any_work() {
    let f = fixture().await;
    let mut c = good_claims("orders:read");
    c["pad"] = json!("x".repeat(9000));
    assert_eq!(f.kind(&f.rsa.token(&c)).await, "token_too_large");
    let huge = "a".repeat(1 << 20);
    assert_eq!(f.kind(&huge).await, "token_too_large");
    // The limit is configurable.
    let small = fixture_with("max_token_bytes = 600").await;
    let mut c = good_claims("orders:read");
    c["pad"] = json!("x".repeat(400));
    assert_eq!(small.kind(&small.rsa.token(&c)).await, "token_too_large");
}

#[tokio::test]
async fn scopes_are_exact_tokens_and_routes_least_privilege() {
    let f = fixture().await;
    let post = |token: &str| {
        let value = format!("Bearer {token}");
        common::request("POST", "/orders", &[("authorization", &value)])
    };
    let cases = [
        ("orders:write", "allowed"),
        ("openid orders:write", "allowed"),
        ("orders:read", "insufficient_scope"),
        ("orders:writer", "insufficient_scope"),
        ("xorders:write", "insufficient_scope"),
        ("orders:write:all", "insufficient_scope"),
        ("orders", "insufficient_scope"),
        ("orders:read,orders:write", "insufficient_scope"),
        ("orders:read\torders:write", "insufficient_scope"),
        ("ORDERS:WRITE", "insufficient_scope"),
        ("", "insufficient_scope"),
    ];
    for (scope, want) in cases {
        let token = f.rsa.token(&good_claims(scope));
        let outcome = f.auth.authenticate(&post(&token)).await;
        assert_eq!(kind(&outcome), want, "{scope:?}");
        if want != "allowed" {
            assert_eq!(status(&outcome), 403);
        }
    }
    // `scp` arrays are exact too; a scope claim of the wrong type grants nothing.
    for (scp, want) in [
        (json!(["orders:write"]), "allowed"),
        (json!(["orders:write "]), "insufficient_scope"),
        (json!(["orders:read orders:write"]), "insufficient_scope"),
        (json!("orders:read orders:write"), "allowed"),
    ] {
        let mut c = good_claims("");
        c.as_object_mut().unwrap().remove("scope");
        c["scp"] = scp.clone();
        let outcome = f.auth.authenticate(&post(&f.rsa.token(&c))).await;
        assert_eq!(kind(&outcome), want, "{scp}");
    }
    let mut c = good_claims("");
    c["scope"] = json!(["orders:write"]);
    assert_eq!(
        kind(&f.auth.authenticate(&post(&f.rsa.token(&c))).await),
        "insufficient_scope"
    );
    // Groups: any one of the listed groups.
    let delete = |token: &str| {
        let value = format!("Bearer {token}");
        common::request("DELETE", "/orders/9", &[("authorization", &value)])
    };
    for (groups, want) in [
        (json!(["support"]), "allowed"),
        (json!(["staff"]), "not_in_group"),
        (json!(["administrators"]), "not_in_group"),
        (json!("admin"), "allowed"),
    ] {
        let mut c = good_claims("");
        c["cognito:groups"] = groups.clone();
        assert_eq!(
            kind(&f.auth.authenticate(&delete(&f.rsa.token(&c))).await),
            want,
            "{groups}"
        );
    }
    // Unlisted routes are refused after authentication; public routes need nothing.
    let token = f.rsa.token(&good_claims("orders:read orders:write"));
    let value = format!("Bearer {token}");
    let unlisted = common::request("GET", "/admin", &[("authorization", &value)]);
    let outcome = f.auth.authenticate(&unlisted).await;
    assert_eq!(
        (kind(&outcome), status(&outcome)),
        ("route_not_allowed", 403)
    );
    let anonymous_unlisted = common::request("GET", "/admin", &[]);
    assert_eq!(
        kind(&f.auth.authenticate(&anonymous_unlisted).await),
        "missing_token"
    );
    let health = common::request("GET", "/health", &[]);
    assert!(matches!(
        f.auth.authenticate(&health).await,
        AuthOutcome::Allowed { claims: None }
    ));
    let health_bad_token = common::request("GET", "/health", &[("authorization", "Bearer x")]);
    assert_eq!(
        kind(&f.auth.authenticate(&health_bad_token).await),
        "allowed"
    );
}

#[tokio::test]
async fn the_header_must_be_one_well_formed_bearer() {
    let f = fixture().await;
    let token = f.rsa.token(&good_claims("orders:read"));
    let get = |headers: &[(&str, &str)]| common::request("GET", "/orders/1", headers);
    let bearer_value = format!("Bearer {token}");
    let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        (vec![], "missing_token"),
        (vec![("authorization", bearer_value.clone())], "allowed"),
        (
            vec![("Authorization", format!("bearer {token}"))],
            "allowed",
        ),
        (
            vec![("authorization", format!("BEARER   {token}  "))],
            "allowed",
        ),
        (
            vec![
                ("authorization", bearer_value.clone()),
                ("authorization", bearer_value.clone()),
            ],
            "duplicate_header",
        ),
        (
            vec![
                ("authorization", bearer_value.clone()),
                ("Authorization", "Bearer x".into()),
            ],
            "duplicate_header",
        ),
        (
            vec![("authorization", format!("Basic {token}"))],
            "malformed_header",
        ),
        (vec![("authorization", token.clone())], "malformed_header"),
        (vec![("authorization", "Bearer".into())], "malformed_header"),
        (
            vec![("authorization", "Bearer ".into())],
            "malformed_header",
        ),
        (
            vec![("authorization", format!("Bearer {token} extra"))],
            "malformed_header",
        ),
        (
            vec![("authorization", format!("Bearer {token}, Bearer {token}"))],
            "malformed_header",
        ),
        (
            vec![("authorization", format!("Bearer{token}"))],
            "malformed_header",
        ),
        (vec![("x-token", bearer_value.clone())], "missing_token"),
    ];
    for (headers, want) in cases {
        let h: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let outcome = f.auth.authenticate(&get(&h)).await;
        assert_eq!(kind(&outcome), want, "{h:?}");
        if want != "allowed" {
            assert_eq!(status(&outcome), 401);
        }
    }
    // Header name and scheme are configurable.
    let custom = fixture_with("header = \"X-Api-Token\"\nscheme = \"\"").await;
    let token = custom.rsa.token(&good_claims("orders:read"));
    let req = common::request("GET", "/orders/1", &[("x-api-token", &token)]);
    assert_eq!(kind(&custom.auth.authenticate(&req).await), "allowed");
}

#[tokio::test]
async fn typ_and_cognito_checks() {
    let f = fixture_with("typ = \"at+jwt\"\ntoken_use = \"access\"\nclient_id = [\"app-1\"]").await;
    let mut c = good_claims("orders:read");
    c["token_use"] = json!("access");
    c["client_id"] = json!("app-1");
    for (typ, want) in [
        (json!("at+jwt"), "allowed"),
        (json!("application/at+jwt"), "allowed"),
        (json!("AT+JWT"), "allowed"),
        (json!("JWT"), "typ_mismatch"),
        (Value::Null, "typ_mismatch"),
    ] {
        let mut header = f.rsa.header();
        header["typ"] = typ.clone();
        assert_eq!(f.kind(&f.rsa.sign(&header, &c)).await, want, "{typ}");
    }
    let mut header = f.rsa.header();
    header["typ"] = json!("at+jwt");
    let mut id_token = c.clone();
    id_token["token_use"] = json!("id");
    assert_eq!(
        f.kind(&f.rsa.sign(&header, &id_token)).await,
        "token_use_mismatch"
    );
    let mut other_client = c.clone();
    other_client["client_id"] = json!("app-2");
    assert_eq!(
        f.kind(&f.rsa.sign(&header, &other_client)).await,
        "client_id_mismatch"
    );
}

#[tokio::test]
async fn failures_carry_kid_and_iss_never_the_token() {
    let f = fixture().await;
    let mut c = good_claims("orders:read");
    c["exp"] = json!(1);
    let token = f.rsa.token(&c);
    let AuthOutcome::Denied(failure) = f.check(&token).await else {
        panic!()
    };
    assert_eq!(failure.kind, "expired");
    assert_eq!(failure.kid.as_deref(), Some("rsa-1"));
    assert_eq!(failure.iss.as_deref(), Some(ISS));
    let shown = format!("{failure:?}");
    for part in token.split('.') {
        assert!(!shown.contains(part), "{shown}");
    }
}

#[tokio::test]
async fn static_pem_keys() {
    let rsa = TestKey::rsa("pem-rsa", "RS256");
    let ed = TestKey::eddsa("pem-ed");
    let toml = format!(
        "[jwt]\nissuer = \"{ISS}\"\naudience = \"{AUD}\"\n\
         [[jwt.keys]]\nkid = \"pem-rsa\"\nalg = \"RS256\"\npem = '''{}'''\n\
         [[jwt.keys]]\nkid = \"pem-ed\"\nalg = \"EdDSA\"\npem_file = {:?}\n",
        rsa.pem(),
        temp_file("ed.pem", &ed.pem())
    );
    let config: lambda_guard::auth::AuthConfig = toml::from_str(&toml).unwrap();
    let auth = Authenticator::new(&config).await.unwrap();
    for key in [&rsa, &ed] {
        let outcome = auth
            .authenticate(&bearer(&key.token(&good_claims(""))))
            .await;
        assert_eq!(kind(&outcome), "allowed", "{}", key.alg);
    }
    // A PEM pinned to RS256 does not verify PS256.
    let mut header = rsa.header();
    header["alg"] = json!("PS256");
    let claims = good_claims("");
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let token = format!("{input}.{}", b64(&rsa.sign_raw("PS256", input.as_bytes())));
    assert_eq!(
        kind(&auth.authenticate(&bearer(&token)).await),
        "alg_not_allowed"
    );
    // A malformed PEM is an init error naming the key.
    let bad: lambda_guard::auth::AuthConfig = toml::from_str(&format!(
        "[jwt]\nissuer = \"{ISS}\"\naudience = \"{AUD}\"\n[[jwt.keys]]\nalg = \"RS256\"\npem = \"nope\"\n"
    ))
    .unwrap();
    let err = Authenticator::new(&bad).await.unwrap_err().to_string();
    assert!(err.starts_with("auth.jwt.keys[0]"), "{err}");
}

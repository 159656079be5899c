use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

#[actix_rt::test]
async fn wallet_fixtures_derive_the_known_anvil_addresses() {
    assert_eq!(Wallet::from_hex(STEWARD_KEY).address().to_string(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    assert_eq!(Wallet::from_hex(MEMBER_KEY).address().to_string(), "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
}

#[actix_rt::test]
async fn nonces_are_fresh_alphanumeric_and_distinct() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let a = app.nonce(&client).await;
    let b = app.nonce(&client).await;
    assert_ne!(a, b);
    assert!(a.len() >= 16 && a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
}

#[actix_rt::test]
async fn member_signs_in_sees_me_and_logs_out() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let wallet = Wallet::from_hex(MEMBER_KEY);

    let unauth = client.get(app.url("/api/v1/me")).send().await.expect("me");
    assert_eq!(error_code(unauth).await, (StatusCode::UNAUTHORIZED, "unauthenticated".into()));

    let response = app.sign_in(&client, &wallet).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers().get("set-cookie").expect("session cookie").to_str().expect("ascii").to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body, json!({ "address": wallet.address().to_string(), "roles": ["member"] }));

    let me: Value = client.get(app.url("/api/v1/me")).send().await.expect("me").json().await.expect("json");
    assert_eq!(me["address"], wallet.address().to_string());

    // Replaying the cookie after logout must fail: the session is gone server-side.
    let raw_cookie = cookie.split(';').next().expect("cookie pair").to_owned();
    let logout = client.post(app.url("/api/v1/auth/logout")).send().await.expect("logout");
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let after = client.get(app.url("/api/v1/me")).send().await.expect("me");
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    let replay =
        reqwest::Client::new().get(app.url("/api/v1/me")).header("cookie", raw_cookie).send().await.expect("me");
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

#[actix_rt::test]
async fn configured_stewards_get_the_steward_role() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let response = app.sign_in(&client, &Wallet::from_hex(STEWARD_KEY)).await;
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["roles"], json!(["member", "steward"]));
}

#[actix_rt::test]
async fn a_nonce_works_only_once() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let wallet = Wallet::from_hex(MEMBER_KEY);
    let nonce = app.nonce(&client).await;
    let message = SiweMessage::new(wallet.address(), &nonce).render();
    let signature = wallet.personal_sign(&message);
    assert_eq!(app.login_with(&client, &message, &signature).await.status(), StatusCode::OK);
    let replay = app.login_with(&app.client(), &message, &signature).await;
    assert_eq!(error_code(replay).await, (StatusCode::UNAUTHORIZED, "invalid_nonce".into()));
}

#[actix_rt::test]
async fn unknown_nonce_is_rejected() {
    let app = TestApp::spawn().await;
    let wallet = Wallet::from_hex(MEMBER_KEY);
    let message = SiweMessage::new(wallet.address(), "madeUpNonce12345").render();
    let response = app.login_with(&app.client(), &message, &wallet.personal_sign(&message)).await;
    assert_eq!(error_code(response).await, (StatusCode::UNAUTHORIZED, "invalid_nonce".into()));
}

async fn login_variant(app: &TestApp, change: impl FnOnce(&mut SiweMessage)) -> (StatusCode, String) {
    let client = app.client();
    let wallet = Wallet::from_hex(MEMBER_KEY);
    let nonce = app.nonce(&client).await;
    let mut message = SiweMessage::new(wallet.address(), &nonce);
    change(&mut message);
    let text = message.render();
    error_code(app.login_with(&client, &text, &wallet.personal_sign(&text)).await).await
}

#[actix_rt::test]
async fn messages_for_another_site_chain_or_time_are_rejected() {
    let app = TestApp::spawn().await;
    assert_eq!(
        login_variant(&app, |m| m.domain = "evil.example".into()).await,
        (StatusCode::UNAUTHORIZED, "siwe_domain_mismatch".into())
    );
    assert_eq!(
        login_variant(&app, |m| m.uri = "https://evil.example".into()).await,
        (StatusCode::UNAUTHORIZED, "siwe_uri_mismatch".into())
    );
    assert_eq!(login_variant(&app, |m| m.chain_id = 1).await, (StatusCode::UNAUTHORIZED, "siwe_chain_mismatch".into()));
    assert_eq!(
        login_variant(&app, |m| {
            m.issued_at = Utc::now() - Duration::hours(2);
            m.expiration_time = Some(Utc::now() - Duration::hours(1));
        })
        .await,
        (StatusCode::UNAUTHORIZED, "siwe_expired".into())
    );
}

#[actix_rt::test]
async fn bad_signatures_are_rejected_and_do_not_burn_the_nonce() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let member = Wallet::from_hex(MEMBER_KEY);
    let other = Wallet::from_hex(OTHER_KEY);
    let nonce = app.nonce(&client).await;
    let message = SiweMessage::new(member.address(), &nonce).render();

    let forged = app.login_with(&client, &message, &other.personal_sign(&message)).await;
    assert_eq!(error_code(forged).await, (StatusCode::UNAUTHORIZED, "invalid_signature".into()));

    let garbage = app.login_with(&client, &message, "0x1234").await;
    assert_eq!(error_code(garbage).await, (StatusCode::BAD_REQUEST, "invalid_signature_encoding".into()));

    // The genuine signer can still use the nonce an attacker failed with.
    let genuine = app.login_with(&client, &message, &member.personal_sign(&message)).await;
    assert_eq!(genuine.status(), StatusCode::OK);
}

#[actix_rt::test]
async fn malformed_login_bodies_get_client_errors() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let response = app.login_with(&client, "hello", "0x00").await;
    assert_eq!(error_code(response).await, (StatusCode::BAD_REQUEST, "invalid_siwe_message".into()));

    let response = client
        .post(app.url("/api/v1/auth/login"))
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .expect("send");
    assert_eq!(error_code(response).await, (StatusCode::BAD_REQUEST, "invalid_json".into()));

    let response = client.post(app.url("/api/v1/auth/login")).body("message=x").send().await.expect("send");
    assert_eq!(error_code(response).await, (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type".into()));
}

#[actix_rt::test]
async fn sign_in_requests_are_rate_limited_per_client() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let mut limited = None;
    for attempt in 0..40 {
        let response = client.get(app.url("/api/v1/auth/nonce")).send().await.expect("nonce");
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((attempt, response));
            break;
        }
    }
    let (attempt, response) = limited.expect("the limiter answers 429 eventually");
    assert!(attempt >= 20, "a burst of 20 is allowed, limited after {attempt}");
    let retry_after: u64 = response.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(error_code(response).await, (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into()));
}

// Included by the benchmarks too (examples/relay_bench.rs), which use a part of it.
#![allow(dead_code)]

//! A member's side of the service over HTTP, for process-level tests and benchmarks:
//! signing in over SIWE and relaying a bid, with every signature made by Foundry's `cast`
//! (an implementation independent of the service's).

use serde_json::{Value, json};

use commissary_chain::testkit::address_of;

pub fn cast(args: &[&str]) -> String {
    let cast = concat!(env!("CARGO_MANIFEST_DIR"), "/../../node_modules/@foundry-rs/cast-linux-amd64/bin/cast");
    let output = std::process::Command::new(cast).args(args).output().expect("cast runs");
    assert!(output.status.success(), "cast {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf8").trim().to_owned()
}

/// A member's browser: signed in over SIWE with the message signed by Foundry's `cast`.
pub async fn signed_in(port: u16, key: &str) -> reqwest::Client {
    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let base = format!("http://127.0.0.1:{port}");
    let nonce: Value =
        client.get(format!("{base}/api/v1/auth/nonce")).send().await.expect("nonce").json().await.expect("json");
    let address = address_of(key).to_checksum(None);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let message = format!(
        "localhost:{port} wants you to sign in with your Ethereum account:\n{address}\n\nSign in to the Ampled Commissary.\n\nURI: http://localhost:{port}\nVersion: 1\nChain ID: 31337\nNonce: {nonce}\nIssued At: {now}",
        nonce = nonce["nonce"].as_str().expect("nonce"),
    );
    let signature = cast(&["wallet", "sign", "--private-key", key, &message]);
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "message": message, "signature": signature }))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), 200, "sign-in: {}", response.text().await.unwrap_or_default());
    client
}

/// Quotes and signs as `key` (bid and permit, as `eth_signTypedData_v4`) a relayed bid of
/// `amount`: the body of `POST …/bids/relay`.
pub async fn signed_relay_body(port: u16, member: &reqwest::Client, key: &str, listing: &str, amount: u128) -> Value {
    let bidder = address_of(key);
    let quote: Value = member
        .get(format!("http://127.0.0.1:{port}/api/v1/listings/{listing}/bid-quote?bidder={bidder}&amount={amount}"))
        .send()
        .await
        .expect("quote")
        .json()
        .await
        .expect("json");
    let sign = |document: &Value| cast(&["wallet", "sign", "--private-key", key, "--data", &document.to_string()]);
    let permit = match &quote["permit_typed_data"] {
        Value::Null => Value::Null,
        document => json!({
            "value": document["message"]["value"],
            "deadline": quote["deadline"],
            "signature": sign(document),
        }),
    };
    json!({
        "amount": amount.to_string(),
        "nonce": quote["nonce"],
        "deadline": quote["deadline"],
        "signature": sign(&quote["typed_data"]),
        "permit": permit,
    })
}

/// Posts a signed relay body; returns the relay id from the 202.
pub async fn post_relay(port: u16, member: &reqwest::Client, listing: &str, body: &Value) -> String {
    let url = format!("http://127.0.0.1:{port}/api/v1/listings/{listing}/bids/relay");
    let response = member.post(url).json(body).send().await.expect("relay");
    let status = response.status();
    let answer: Value = response.json().await.expect("json");
    assert_eq!(status, 202, "{answer}");
    answer["relay_id"].as_str().expect("relay id").to_owned()
}

/// Quotes, signs as `key` and posts a relayed bid of `amount`; returns the relay id.
pub async fn relay_bid(port: u16, member: &reqwest::Client, key: &str, listing: &str, amount: u128) -> String {
    let body = signed_relay_body(port, member, key, listing, amount).await;
    post_relay(port, member, listing, &body).await
}

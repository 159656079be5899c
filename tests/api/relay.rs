//! Gasless bids against a real anvil: a member with $AMPLED and exactly 0 ETH signs a bid
//! and a permit (with `cast wallet sign --data`, i.e. `eth_signTypedData_v4` of the quote's
//! documents), the relayer sends it, the member wins; every refusal sends nothing; a
//! front-run permit does not stop the bid; a relayed bid outbid before it is mined ends
//! `failed` with `bid_too_low`.

use std::time::{Duration, Instant};

use alloy::primitives::{Address as ChainAddress, U256};
use alloy::providers::Provider;
use chrono::Duration as ChronoDuration;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use commissary_chain::bindings::AmpledToken;
use commissary_chain::deploy::{self, Deployment};
use commissary_chain::testkit::{ANVIL_KEYS, Anvil, address_of};
use commissary_domain::Address;

use crate::helpers::*;
use crate::lifecycle::poll_listing;
use crate::live::SseStream;

pub(crate) const AMPLED: u128 = 1_000_000_000_000_000_000;
/// Members without any ETH (not anvil accounts): public test fixtures.
pub(crate) const GASLESS: &str = "7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee0001";
pub(crate) const GASLESS_2: &str = "7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee0002";
pub(crate) const RELAYER: usize = 6;

pub(crate) fn chain_address(key: &str) -> ChainAddress {
    address_of(&format!("0x{}", key.trim_start_matches("0x")))
}

pub(crate) async fn spawn(anvil: &Anvil, adjust: impl FnOnce(&mut commissary::Config)) -> (Deployment, TestApp) {
    let (deployment, chain) = anvil.deploy().await;
    let app = TestApp::spawn_with(|config| {
        config.chain = Some(chain);
        config.relay.relayer_key = Some(commissary::config::Secret::new(ANVIL_KEYS[RELAYER]));
        adjust(config);
    })
    .await;
    (deployment, app)
}

async fn app_on(anvil: &Anvil, deployment: &Deployment, adjust: impl FnOnce(&mut commissary::Config)) -> TestApp {
    let chain = anvil.config(deployment);
    TestApp::spawn_with(|config| {
        config.chain = Some(chain);
        config.relay.relayer_key = Some(commissary::config::Secret::new(ANVIL_KEYS[RELAYER]));
        adjust(config);
    })
    .await
}

/// Publishes a listing that is live now for an hour, reserve 10 AMPLED, +10 % steps, no
/// extension.
pub(crate) async fn live_listing(app: &TestApp, steward: &Client, title: &str) -> (String, u64) {
    crate::live::live_listing(app, steward, title, ChronoDuration::hours(1)).await
}

/// `eth_signTypedData_v4` of `document` by `key`, computed by Foundry's `cast` (an
/// implementation independent of the service's).
pub(crate) fn sign_typed(key: &str, document: &Value) -> String {
    let cast = concat!(env!("CARGO_MANIFEST_DIR"), "/node_modules/@foundry-rs/cast-linux-amd64/bin/cast");
    let output = std::process::Command::new(cast)
        .args(["wallet", "sign", "--private-key", &format!("0x{}", key.trim_start_matches("0x")), "--data"])
        .arg(document.to_string())
        .output()
        .expect("cast runs");
    assert!(output.status.success(), "cast wallet sign: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf8").trim().to_owned()
}

async fn quote(app: &TestApp, listing: &str, bidder: Address, amount: u128) -> Value {
    let url = format!("/api/v1/listings/{listing}/bid-quote?bidder={bidder}&amount={amount}");
    let response = app.client().get(app.url(&url)).send().await.expect("quote");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// The body's `permit` for a quote: its permit signed by `key`, or `null` without one.
pub(crate) fn permit_body(key: &str, quote: &Value) -> Value {
    match &quote["permit_typed_data"] {
        Value::Null => Value::Null,
        document => json!({
            "value": document["message"]["value"],
            "deadline": quote["deadline"],
            "signature": sign_typed(key, document),
        }),
    }
}

/// The relay body for a quote signed by `key` (with the permit when the quote has one).
fn signed_body(key: &str, quote: &Value) -> Value {
    let permit = permit_body(key, quote);
    json!({
        "amount": quote["typed_data"]["message"]["amount"],
        "nonce": quote["nonce"],
        "deadline": quote["deadline"],
        "signature": sign_typed(key, &quote["typed_data"]),
        "permit": permit,
    })
}

async fn relay(app: &TestApp, member: &Client, listing: &str, body: &Value) -> reqwest::Response {
    member.post(app.url(&format!("/api/v1/listings/{listing}/bids/relay"))).json(body).send().await.expect("relay")
}

pub(crate) async fn wait_relay(app: &TestApp, member: &Client, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = get_json(app, member, &format!("/api/v1/relay/{id}")).await;
        if done(&status) {
            return status;
        }
        assert!(Instant::now() < deadline, "relay {id} stuck: {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub(crate) async fn token_balance(anvil: &Anvil, deployment: &Deployment, who: ChainAddress) -> U256 {
    let provider = commissary_chain::rpc::provider(&anvil.url(), Duration::from_secs(5)).expect("provider");
    AmpledToken::new(deployment.token, &provider).balanceOf(who).call().await.expect("balanceOf")
}

pub(crate) async fn eth_balance(anvil: &Anvil, who: ChainAddress) -> U256 {
    let provider = commissary_chain::rpc::provider(&anvil.url(), Duration::from_secs(5)).expect("provider");
    provider.get_balance(who).await.expect("balance")
}

pub(crate) async fn relayer_nonce(anvil: &Anvil) -> u64 {
    let provider = commissary_chain::rpc::provider(&anvil.url(), Duration::from_secs(5)).expect("provider");
    provider.get_transaction_count(address_of(ANVIL_KEYS[RELAYER])).pending().await.expect("nonce")
}

pub(crate) async fn mint(anvil: &Anvil, deployment: &Deployment, key: &str, amount: u128) {
    deploy::mint(&anvil.url(), ANVIL_KEYS[0], deployment.token, chain_address(key), U256::from(amount))
        .await
        .expect("mint");
}

#[actix_rt::test]
async fn a_member_without_eth_bids_through_the_relayer_and_wins() {
    let anvil = Anvil::spawn().await;
    let (deployment, app) = spawn(&anvil, |_| {}).await;
    let steward = app.steward().await;
    let (listing, auction) = live_listing(&app, &steward, "Rickenbacker 4003").await;
    mint(&anvil, &deployment, GASLESS, 100 * AMPLED).await;
    let wallet = Wallet::from_hex(GASLESS);
    let me = wallet.address();
    assert_eq!(eth_balance(&anvil, chain_address(GASLESS)).await, U256::ZERO, "the member holds no ETH");
    let treasury = address_of(ANVIL_KEYS[9]);
    let treasury_before = token_balance(&anvil, &deployment, treasury).await;

    let member = app.signed_in(GASLESS).await;
    let mut events = SseStream::open(&member, &app.url("/api/v1/me/events"), None).await;
    let quote = quote(&app, &listing, me, 20 * AMPLED).await;
    assert_eq!(quote["auction_id"], auction.to_string());
    assert_eq!(quote["min_next_bid"], (10 * AMPLED).to_string());
    assert_eq!(
        (quote["balance"].as_str(), quote["allowance"].as_str(), quote["nonce"].as_str()),
        (Some("100000000000000000000"), Some("0"), Some("0"))
    );
    assert_eq!(quote["relay"]["available"], true, "{quote}");
    assert_eq!(quote["typed_data"]["primaryType"], "Bid");
    assert_eq!(quote["typed_data"]["domain"]["verifyingContract"], deployment.auction.to_checksum(None));
    assert_eq!(quote["permit_typed_data"]["message"]["spender"], deployment.auction.to_checksum(None));
    let chain_now = anvil.timestamp().await;
    let deadline = quote["deadline"].as_u64().expect("deadline");
    assert!((chain_now + 590..=chain_now + 610).contains(&deadline), "deadline {deadline} vs chain time {chain_now}");

    let response = relay(&app, &member, &listing, &signed_body(GASLESS, &quote)).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let accepted: Value = response.json().await.expect("json");
    assert_eq!(accepted["status"], "queued");
    let id = accepted["relay_id"].as_str().expect("relay id").to_owned();
    let mined = wait_relay(&app, &member, &id, |s| s["status"] == "mined" || s["status"] == "failed").await;
    assert_eq!(mined["status"], "mined", "{mined}");
    assert!(mined["block_number"].as_i64().is_some() && mined["tx_hash"].as_str().is_some(), "{mined}");
    let seen = events.next_of("relay").await;
    assert_eq!(seen.data["relay_id"], id.as_str());
    // Others cannot read it.
    let other = app.signed_in(OTHER_KEY).await;
    let hidden = other.get(app.url(&format!("/api/v1/relay/{id}"))).send().await.expect("status");
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);

    // The relayed bid is an ordinary bid once indexed, and wins.
    poll_listing(&app, &listing, "the bid to be indexed", |l| l["current_price"] == (20 * AMPLED).to_string()).await;
    anvil.increase_time(3700).await;
    anvil.mine(1).await;
    poll_listing(&app, &listing, "settlement", |l| l["status"] == "settled").await;
    assert_eq!(token_balance(&anvil, &deployment, chain_address(GASLESS)).await, U256::from(80 * AMPLED));
    assert_eq!(token_balance(&anvil, &deployment, treasury).await - treasury_before, U256::from(20 * AMPLED));
    assert_eq!(eth_balance(&anvil, chain_address(GASLESS)).await, U256::ZERO, "the member never paid gas");
    let readiness = get_json(&app, &app.client(), "/readyz").await;
    assert_eq!(readiness["relay"], "ok", "{readiness}");
}

#[actix_rt::test]
async fn every_refusal_sends_nothing_and_requests_are_rate_limited() {
    let anvil = Anvil::spawn().await;
    let (deployment, app) = spawn(&anvil, |config| config.relay.rate_burst = 11).await;
    let steward = app.steward().await;
    let (listing, _) = live_listing(&app, &steward, "Hofner 500/1").await;
    let draft = app.create_listing(&steward, listing_body("Not on chain")).await;
    let draft = draft["id"].as_str().expect("id").to_owned();
    mint(&anvil, &deployment, GASLESS, 30 * AMPLED).await;
    let me = Wallet::from_hex(GASLESS).address();
    let member = app.signed_in(GASLESS).await;
    let nonce_before = relayer_nonce(&anvil).await;

    let good = quote(&app, &listing, me, 20 * AMPLED).await;
    let body = signed_body(GASLESS, &good);
    let with = |change: &dyn Fn(&mut Value)| {
        let mut changed = body.clone();
        change(&mut changed);
        changed
    };
    let resigned = |amount: u128, nonce: &str, deadline: u64| {
        let mut document = good["typed_data"].clone();
        document["message"]["amount"] = json!(amount.to_string());
        document["message"]["nonce"] = json!(nonce);
        document["message"]["deadline"] = json!(deadline.to_string());
        with(&|b: &mut Value| {
            b["amount"] = json!(amount.to_string());
            b["nonce"] = json!(nonce);
            b["deadline"] = json!(deadline);
            b["signature"] = json!(sign_typed(GASLESS, &document));
        })
    };
    let deadline = good["deadline"].as_u64().expect("deadline");
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (listing.as_str(), with(&|b| b["amount"] = json!("0")), StatusCode::BAD_REQUEST, "invalid_amount"),
        (listing.as_str(), with(&|b| b["amount"] = json!("12.5")), StatusCode::BAD_REQUEST, "invalid_amount"),
        (draft.as_str(), body.clone(), StatusCode::CONFLICT, "auction_not_live"),
        (listing.as_str(), resigned(20 * AMPLED, "0", deadline - 700), StatusCode::BAD_REQUEST, "signature_expired"),
        (listing.as_str(), resigned(20 * AMPLED, "0", deadline + 3600), StatusCode::BAD_REQUEST, "signature_expired"),
        (listing.as_str(), resigned(20 * AMPLED, "1", deadline), StatusCode::CONFLICT, "nonce_mismatch"),
        (
            listing.as_str(),
            with(&|b| b["signature"] = json!(sign_typed(OTHER_KEY, &good["typed_data"]))),
            StatusCode::BAD_REQUEST,
            "invalid_signature",
        ),
        (listing.as_str(), resigned(9 * AMPLED, "0", deadline), StatusCode::CONFLICT, "bid_too_low"),
        (listing.as_str(), resigned(40 * AMPLED, "0", deadline), StatusCode::CONFLICT, "insufficient_balance"),
        (listing.as_str(), with(&|b| b["permit"] = Value::Null), StatusCode::CONFLICT, "insufficient_allowance"),
    ];
    for (target, request, status, code) in cases {
        let response = relay(&app, &member, target, &request).await;
        assert_eq!(response.status(), status, "{code}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], code, "{request} → {body}");
        if code == "bid_too_low" {
            assert_eq!(body["error"]["details"]["min_next_bid"], (10 * AMPLED).to_string());
        }
    }
    assert_eq!(relayer_nonce(&anvil).await, nonce_before, "no refusal sent a transaction");
    // The 11th request is the burst's last; then the limit holds, before any chain read.
    let last = relay(&app, &member, &listing, &with(&|b| b["amount"] = json!("0"))).await;
    assert_eq!(error_code(last).await, (StatusCode::BAD_REQUEST, "invalid_amount".to_owned()));
    let limited = relay(&app, &member, &listing, &body).await;
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(error_code(limited).await, (StatusCode::TOO_MANY_REQUESTS, "rate_limited".to_owned()));

    // A relayer below its balance floor: unavailable (503 + Retry-After), /readyz degraded.
    let poor = app_on(&anvil, &deployment, |config| {
        config.relay.min_relayer_balance = "1000000000000000000000000000".into();
    })
    .await;
    let member = poor.signed_in(GASLESS).await;
    let (listing, _) = live_listing(&poor, &poor.steward().await, "Danelectro Longhorn").await;
    let quote = quote(&poor, &listing, me, 20 * AMPLED).await;
    assert_eq!(
        (quote["relay"]["available"].as_bool(), quote["relay"]["reason"].as_str()),
        (Some(false), Some("relayer_balance"))
    );
    let response = relay(&poor, &member, &listing, &signed_body(GASLESS, &quote)).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(error_code(response).await, (StatusCode::SERVICE_UNAVAILABLE, "relay_unavailable".to_owned()));
    let readiness = get_json(&poor, &poor.client(), "/readyz").await;
    assert_eq!((readiness["status"].as_str(), readiness["relay"].as_str()), (Some("ready"), Some("degraded")));
    assert_eq!(relayer_nonce(&anvil).await, nonce_before, "nothing was sent");
}

#[actix_rt::test]
async fn a_front_run_permit_does_not_stop_the_bid_and_an_outbid_relay_fails_with_bid_too_low() {
    let anvil = Anvil::spawn().await;
    let (deployment, app) = spawn(&anvil, |_| {}).await;
    let steward = app.steward().await;
    let (listing, auction) = live_listing(&app, &steward, "Fender Bass VI").await;
    mint(&anvil, &deployment, GASLESS, 100 * AMPLED).await;
    let me = Wallet::from_hex(GASLESS).address();
    let member = app.signed_in(GASLESS).await;

    // Someone submits the member's permit first: the allowance is there, the permit in the
    // relayed call fails (its nonce is used) and is ignored; the bid goes through.
    let first = quote(&app, &listing, me, 20 * AMPLED).await;
    let body = signed_body(GASLESS, &first);
    let signature = alloy::primitives::hex::decode(body["permit"]["signature"].as_str().expect("sig")).expect("hex");
    let front_runner = deploy::wallet_provider(&anvil.url(), ANVIL_KEYS[3]).expect("provider");
    let receipt = AmpledToken::new(deployment.token, &front_runner)
        .permit(
            chain_address(GASLESS),
            deployment.auction,
            U256::from(20 * AMPLED),
            U256::from(first["deadline"].as_u64().expect("deadline")),
            signature[64],
            alloy::primitives::B256::from_slice(&signature[..32]),
            alloy::primitives::B256::from_slice(&signature[32..64]),
        )
        .send()
        .await
        .expect("permit sent")
        .get_receipt()
        .await
        .expect("receipt");
    assert!(receipt.status(), "the front-run permit was mined");
    let response = relay(&app, &member, &listing, &body).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let id = response.json::<Value>().await.expect("json")["relay_id"].as_str().expect("id").to_owned();
    let done = wait_relay(&app, &member, &id, |s| s["status"] == "mined" || s["status"] == "failed").await;
    assert_eq!(done["status"], "mined", "{done}");

    // Outbid before it is mined: mining paused, the relay is sent, a higher bid with a
    // higher tip goes first in the same block, and the relay reverts with BidTooLow.
    mint(&anvil, &deployment, GASLESS_2, 100 * AMPLED).await;
    let second = app.signed_in(GASLESS_2).await;
    let them = Wallet::from_hex(GASLESS_2).address();
    poll_listing(&app, &listing, "the first bid indexed", |l| l["current_price"] == (20 * AMPLED).to_string()).await;
    let quote2 = quote(&app, &listing, them, 22 * AMPLED).await;
    let body2 = signed_body(GASLESS_2, &quote2);
    anvil.fund(&deployment, ANVIL_KEYS[4], U256::from(100 * AMPLED)).await;
    anvil.set_automine(false).await;
    let response = relay(&app, &second, &listing, &body2).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let id2 = response.json::<Value>().await.expect("json")["relay_id"].as_str().expect("id").to_owned();
    wait_relay(&app, &second, &id2, |s| s["status"] == "sent").await;
    let bidder = deploy::wallet_provider(&anvil.url(), ANVIL_KEYS[4]).expect("provider");
    let outbid = commissary_chain::bindings::CommissaryAuction::new(deployment.auction, &bidder)
        .bid(U256::from(auction), alloy::primitives::Uint::<96, 2>::from(30 * AMPLED))
        .gas(300_000)
        .max_priority_fee_per_gas(50_000_000_000)
        .max_fee_per_gas(100_000_000_000)
        .send()
        .await
        .expect("outbid sent");
    anvil.mine(1).await;
    anvil.set_automine(true).await;
    let receipt = outbid.get_receipt().await.expect("receipt");
    assert!(receipt.status(), "the outbid was mined first");
    let failed = wait_relay(&app, &second, &id2, |s| s["status"] == "failed" || s["status"] == "mined").await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["failure"]["code"], "bid_too_low", "{failed}");
    assert_eq!(eth_balance(&anvil, chain_address(GASLESS_2)).await, U256::ZERO);
}

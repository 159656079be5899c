//! The whole life of an auction through the API against a real anvil: publish, bids
//! from three members (outbid, own raise), an extension, automatic settlement.

use std::time::{Duration, Instant};

use alloy::primitives::{Address as ChainAddress, U256};
use chrono::{Duration as ChronoDuration, SecondsFormat};
use reqwest::StatusCode;
use serde_json::{Value, json};

use commissary_chain::bindings::AmpledToken;
use commissary_chain::testkit::{ANVIL_KEYS, Anvil, AnvilOptions, address_of};

use crate::helpers::*;

use commissary_domain::ONE_AMPLED as AMPLED;

pub async fn poll_listing(app: &TestApp, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let client = app.client();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let listing: Value = get_json(app, &client, &format!("/api/v1/listings/{id}")).await;
        if done(&listing) {
            return listing;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}: {listing}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn balance(anvil: &Anvil, token: ChainAddress, who: ChainAddress) -> U256 {
    let provider = commissary_chain::rpc::provider(&anvil.url(), Duration::from_secs(5)).expect("provider");
    AmpledToken::new(token, &provider).balanceOf(who).call().await.expect("balanceOf")
}

#[actix_rt::test]
async fn publish_bid_extend_and_settle_automatically() {
    let anvil = Anvil::spawn_with(AnvilOptions { block_time: Some(1), ..Default::default() }).await;
    let (deployment, chain) = anvil.deploy().await;
    let app = TestApp::spawn_with(|config| config.chain = Some(chain)).await;
    let steward = app.steward().await;

    // Opens now and runs six minutes; a bid in the last 20 s extends the end to 20 s after
    // that bid. Chain time is moved to the end, never waited for.
    let mut body = opening_now("Hammond M3 organ", ChronoDuration::minutes(6));
    body["reserve_price"] = json!((10 * AMPLED).to_string());
    body["min_increment_bps"] = json!(1000);
    body["extension_secs"] = json!(20);
    let listing = app.create_listing(&steward, body).await;
    let id = listing["id"].as_str().expect("id").to_owned();
    let published = app.publish(&steward, &id).await;
    assert_eq!(published.status(), StatusCode::ACCEPTED);
    let live = poll_listing(&app, &id, "the auction to go live", |l| l["status"] == "live").await;
    let auction_id: u64 = live["auction_id"].as_str().expect("auction id").parse().expect("number");
    assert!(live["tx_hash"].as_str().is_some_and(|h| h.len() == 66), "{live}");
    assert_eq!(live["min_next_bid"], (10 * AMPLED).to_string());
    let original_end = live["ends_at"].as_str().expect("end").to_owned();

    let [alice, bob, carol] = [ANVIL_KEYS[1], ANVIL_KEYS[2], ANVIL_KEYS[3]];
    for key in [alice, bob, carol] {
        anvil.fund(&deployment, key, U256::from(100 * AMPLED)).await;
    }
    anvil.bid(&deployment, alice, auction_id, 10 * AMPLED).await.expect("alice opens at the reserve");
    anvil.bid(&deployment, bob, auction_id, 11 * AMPLED).await.expect("bob outbids by the minimum 10%");
    assert!(anvil.bid(&deployment, carol, auction_id, 12 * AMPLED).await.is_err(), "12 < 11 + 10%");
    anvil.bid(&deployment, bob, auction_id, 15 * AMPLED).await.expect("bob raises his own bid");

    let seen = poll_listing(&app, &id, "three bids indexed", |l| l["bid_count"] == 3).await;
    assert_eq!(seen["highest_bid"], (15 * AMPLED).to_string());
    assert_eq!(seen["highest_bidder"], address_of(bob).to_checksum(None));
    assert_eq!(seen["min_next_bid"], (165 * AMPLED / 10).to_string());
    assert_eq!(seen["current_price"], (15 * AMPLED).to_string());
    assert_eq!(
        balance(&anvil, deployment.token, address_of(bob)).await,
        U256::from(85 * AMPLED),
        "a raise pays only the difference"
    );
    assert_eq!(
        balance(&anvil, deployment.token, address_of(alice)).await,
        U256::from(100 * AMPLED),
        "outbid alice was refunded"
    );

    // Into the extension window (the last 20 s), then bid.
    let end = chrono::DateTime::parse_from_rfc3339(&original_end).expect("rfc3339").timestamp();
    let chain_now = i64::try_from(anvil.timestamp().await).expect("fits");
    anvil.increase_time(u64::try_from(end - 12 - chain_now).expect("the end is ahead")).await;
    anvil.bid(&deployment, carol, auction_id, 17 * AMPLED).await.expect("carol bids late");
    let extended = poll_listing(&app, &id, "the late bid", |l| l["bid_count"] == 4).await;
    let new_end = extended["ends_at"].as_str().expect("end").to_owned();
    assert!(new_end > original_end, "a bid in the extension window moves the end: {original_end} -> {new_end}");
    let chain_view = anvil.auction(&deployment, auction_id).await;
    let chain_end = chrono::DateTime::from_timestamp(i64::try_from(chain_view.endTime.to::<u64>()).expect("fits"), 0)
        .expect("time");
    assert_eq!(new_end, chain_end.to_rfc3339_opts(SecondsFormat::Secs, true), "the API shows the chain's end");

    anvil.increase_time(25).await;
    let settled = poll_listing(&app, &id, "automatic settlement", |l| l["status"] == "settled").await;
    let settlement = &settled["settlement"];
    assert_eq!(settlement["winner"], address_of(carol).to_checksum(None));
    assert_eq!(settlement["amount"], (17 * AMPLED).to_string());
    assert!(settlement["tx_hash"].as_str().is_some_and(|h| h.len() == 66));

    let treasury = address_of(ANVIL_KEYS[9]);
    assert_eq!(balance(&anvil, deployment.token, treasury).await, U256::from(17 * AMPLED));
    assert_eq!(balance(&anvil, deployment.token, address_of(carol)).await, U256::from(83 * AMPLED));
    assert_eq!(balance(&anvil, deployment.token, address_of(bob)).await, U256::from(100 * AMPLED));
    assert_eq!(balance(&anvil, deployment.token, address_of(alice)).await, U256::from(100 * AMPLED));
    assert_eq!(balance(&anvil, deployment.token, deployment.auction).await, U256::ZERO, "escrow is empty");

    let bids: Value = get_json(&app, &app.client(), &format!("/api/v1/listings/{id}/bids")).await;
    let amounts: Vec<&str> =
        bids["items"].as_array().expect("items").iter().map(|b| b["amount"].as_str().expect("amount")).collect();
    let expected: Vec<String> = [17, 15, 11, 10].iter().map(|a| (a * AMPLED).to_string()).collect();
    assert_eq!(amounts, expected, "newest first");
    let page: Value = get_json(&app, &app.client(), &format!("/api/v1/listings/{id}/bids?limit=3")).await;
    let rest: Value = app
        .client()
        .get(app.url(&format!(
            "/api/v1/listings/{id}/bids?limit=3&cursor={}",
            page["next_cursor"].as_str().expect("cursor")
        )))
        .send()
        .await
        .expect("bids")
        .json()
        .await
        .expect("json");
    assert_eq!(rest["items"].as_array().expect("items").len(), 1);
    assert_eq!(rest["next_cursor"], Value::Null);
}

//! Maximum bids against a real anvil: members without ETH sign one `MaxBid` (and a permit)
//! with `cast wallet sign --data`; the relayer bids for them when they are outbid, the
//! contract keeps it to eBay's rule; a revoked authorization is refused by the contract; a
//! maximum is never shown to anyone but its member.
//!
//! The re-bid bound these tests assert: per auction the relayer sends one first bid per
//! maximum set, and the worker at most one transaction per lead change it did not cause
//! (hand bids + maxima set); two maxima meet in one `resolveMaxBids`.

use std::time::{Duration, Instant};

use alloy::primitives::{Address as ChainAddress, B256, U256};
use chrono::Duration as ChronoDuration;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use commissary_chain::bindings::CommissaryAuction::{self, CommissaryAuctionErrors};
use commissary_chain::bindings::ICommissaryAuction;
use commissary_chain::deploy::Deployment;
use commissary_chain::testkit::{ANVIL_KEYS, Anvil, address_of};
use commissary_domain::Address;
use commissary_domain::max_bid::second_price;

use crate::helpers::*;
use crate::lifecycle::poll_listing;
use crate::live::{SseStream, live_listing_with};
use crate::relay::{
    AMPLED, GASLESS, GASLESS_2, chain_address, eth_balance, mint, permit_body, relayer_nonce, sign_typed, spawn,
    token_balance,
};

const HAND: usize = 4;
const INCREMENT_BPS: u16 = 1000;

fn ampled(n: u128) -> String {
    (n * AMPLED).to_string()
}

fn wallet_of(key: &str) -> Address {
    Wallet::from_hex(key.trim_start_matches("0x")).address()
}

async fn max_quote(app: &TestApp, listing: &str, bidder: Address, max: u128) -> Value {
    let url = format!("/api/v1/listings/{listing}/max-bid-quote?bidder={bidder}&max_amount={}", max * AMPLED);
    let response = app.client().get(app.url(&url)).send().await.expect("quote");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// The PUT body for a quote signed by `key` (with the permit when the quote has one).
fn signed_max_body(key: &str, quote: &Value) -> Value {
    let permit = permit_body(key, quote);
    json!({
        "max_amount": quote["typed_data"]["message"]["maxAmount"],
        "salt": quote["salt"],
        "deadline": quote["deadline"],
        "signature": sign_typed(key, &quote["typed_data"]),
        "permit": permit,
    })
}

async fn put_max(app: &TestApp, member: &Client, listing: &str, body: &Value) -> reqwest::Response {
    member.put(app.url(&format!("/api/v1/listings/{listing}/max-bid"))).json(body).send().await.expect("put")
}

/// Sets `key`'s maximum of `max` AMPLED; returns the view.
async fn set_max(app: &TestApp, member: &Client, key: &str, listing: &str, max: u128) -> Value {
    let quote = max_quote(app, listing, wallet_of(key), max).await;
    let response = put_max(app, member, listing, &signed_max_body(key, &quote)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let view: Value = response.json().await.expect("json");
    assert_eq!((view["state"].as_str(), view["max_amount"].as_str()), (Some("active"), Some(ampled(max).as_str())));
    view
}

/// Waits until `leader` leads the listing with `price` (base units).
async fn wait_lead(app: &TestApp, listing: &str, leader: Address, price: U256, what: &str) -> Value {
    let leader = leader.to_string().to_ascii_lowercase();
    poll_listing(app, listing, what, |l| {
        l["highest_bid"] == price.to_string()
            && l["highest_bidder"].as_str().is_some_and(|b| b.eq_ignore_ascii_case(&leader))
    })
    .await
}

async fn max_state(app: &TestApp, member: &Client, listing: &str) -> String {
    get_json(app, member, &format!("/api/v1/listings/{listing}/max-bid")).await["state"]
        .as_str()
        .expect("state")
        .to_owned()
}

async fn wait_max_state(app: &TestApp, member: &Client, listing: &str, state: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = max_state(app, member, listing).await;
        if now == state {
            return;
        }
        assert!(Instant::now() < deadline, "the maximum stayed {now}, expected {state}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn u(n: u128) -> U256 {
    U256::from(n * AMPLED)
}

/// The minimum next bid after `highest` (10 % steps, rounded up).
fn next_after(highest: U256) -> U256 {
    highest + (highest * U256::from(INCREMENT_BPS)).div_ceil(U256::from(10_000))
}

/// Waits until the relayer sent nothing for two seconds; returns its transaction count.
async fn relayer_settled(anvil: &Anvil) -> u64 {
    let mut last = relayer_nonce(anvil).await;
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = relayer_nonce(anvil).await;
        if now == last {
            return now;
        }
        last = now;
    }
}

async fn settle(app: &TestApp, anvil: &Anvil, listing: &str) -> Value {
    let ends: chrono::DateTime<chrono::Utc> = get_json(app, &app.client(), &format!("/api/v1/listings/{listing}"))
        .await["ends_at"]
        .as_str()
        .expect("ends_at")
        .parse()
        .expect("time");
    let now = anvil.timestamp().await;
    anvil.increase_time(u64::try_from(ends.timestamp()).expect("positive").saturating_sub(now) + 5).await;
    anvil.mine(1).await;
    poll_listing(app, listing, "settlement", |l| l["status"] == "settled").await
}

#[actix_rt::test]
async fn two_maxima_and_a_hand_bidder_follow_ebays_rule_with_few_re_bids() {
    let anvil = Anvil::spawn().await;
    let (deployment, app) = spawn(&anvil, |_| {}).await;
    let steward = app.steward().await;
    let (alice_key, bob_key, hand_key) = (GASLESS, GASLESS_2, ANVIL_KEYS[HAND]);
    let (alice, bob, hand) = (wallet_of(alice_key), wallet_of(bob_key), wallet_of(hand_key));
    mint(&anvil, &deployment, alice_key, 100 * AMPLED).await;
    mint(&anvil, &deployment, bob_key, 100 * AMPLED).await;
    anvil.fund(&deployment, hand_key, U256::from(200 * AMPLED)).await;
    let treasury = address_of(ANVIL_KEYS[9]);
    let balance = |who: ChainAddress| token_balance(&anvil, &deployment, who);
    let (treasury_before, hand_before) = (balance(treasury).await, balance(address_of(hand_key)).await);
    let (alice_client, bob_client) = (app.signed_in(alice_key).await, app.signed_in(bob_key).await);

    // Round 1, extension window 10 minutes: Alice (max 50), then Bob (max 80), then two hand
    // bids inside the window.
    let (first, auction) = live_listing_with(&app, &steward, "Fender Twin Reverb", ChronoDuration::hours(1), 600).await;
    // Round 2's auction is created now: round 1 moves the chain's clock past wall time.
    let (second, second_auction) = live_listing_with(&app, &steward, "Ampeg SVT", ChronoDuration::hours(3), 0).await;
    let nonce_start = relayer_nonce(&anvil).await;
    let view = set_max(&app, &alice_client, alice_key, &first, 50).await;
    assert!(view["relay_id"].as_str().is_some(), "Alice did not lead: her first bid is placed at once: {view}");
    wait_lead(&app, &first, alice, u(10), "Alice's first bid at the reserve").await;
    set_max(&app, &bob_client, bob_key, &first, 80).await;
    // Bob's first bid (11) outbids Alice; the worker resolves the two maxima in one
    // transaction: Bob leads at Alice's maximum plus one increment.
    let resolved = second_price(u(80), u(50), next_after(u(11)), INCREMENT_BPS);
    assert_eq!(resolved, u(55));
    wait_lead(&app, &first, bob, resolved, "the resolution of the two maxima").await;
    wait_max_state(&app, &alice_client, &first, "exhausted").await;
    assert_eq!(relayer_settled(&anvil).await - nonce_start, 3, "two first bids and one resolution");

    // Inside the soft-close window: the hand bid extends the end; Bob's maximum answers it.
    let listing = get_json(&app, &app.client(), &format!("/api/v1/listings/{first}")).await;
    let ends: chrono::DateTime<chrono::Utc> = listing["ends_at"].as_str().expect("ends_at").parse().expect("time");
    let now = anvil.timestamp().await;
    anvil.increase_time(u64::try_from(ends.timestamp()).expect("positive") - now - 120).await;
    anvil.mine(1).await;
    anvil.bid(&deployment, hand_key, auction, 70 * AMPLED).await.expect("hand bid");
    let defended = wait_lead(&app, &first, bob, next_after(u(70)), "Bob's re-bid over the hand bid").await;
    let extended: chrono::DateTime<chrono::Utc> = defended["ends_at"].as_str().expect("ends_at").parse().expect("time");
    assert!(extended > ends, "the late bids extended the auction: {ends} → {extended}");
    // Above Bob's maximum: he is exhausted, the hand bidder leads and wins at its own bid.
    anvil.bid(&deployment, hand_key, auction, 85 * AMPLED).await.expect("hand bid");
    wait_lead(&app, &first, hand, u(85), "the second hand bid").await;
    wait_max_state(&app, &bob_client, &first, "exhausted").await;
    let round1 = relayer_settled(&anvil).await - nonce_start;
    // 2 first bids + 2 worker transactions (resolution, one re-bid) ≤ 2 + (2 hand bids + 2 maxima).
    assert_eq!(round1, 4, "relayer transactions in round 1");
    assert!(round1 - 2 <= 2 + 2, "the re-bid bound");
    let settled = settle(&app, &anvil, &first).await;
    assert_eq!(settled["settlement"]["amount"], ampled(85), "{settled}");

    // Round 2, another order: a hand bid first, then the weaker maximum, then the stronger
    // one, then a hand bid the stronger maximum still beats.
    let auction = second_auction;
    let nonce_start = relayer_nonce(&anvil).await;
    anvil.bid(&deployment, hand_key, auction, 20 * AMPLED).await.expect("hand bid");
    wait_lead(&app, &second, hand, u(20), "the opening hand bid").await;
    set_max(&app, &alice_client, alice_key, &second, 40).await;
    wait_lead(&app, &second, alice, u(22), "Alice's first bid").await;
    set_max(&app, &bob_client, bob_key, &second, 100).await;
    let resolved = second_price(u(100), u(40), next_after(next_after(u(22))), INCREMENT_BPS);
    assert_eq!(resolved, u(44));
    wait_lead(&app, &second, bob, resolved, "the resolution at Alice's maximum plus one step").await;
    wait_max_state(&app, &alice_client, &second, "exhausted").await;
    anvil.bid(&deployment, hand_key, auction, 60 * AMPLED).await.expect("hand bid");
    wait_lead(&app, &second, bob, next_after(u(60)), "Bob's re-bid over the hand bid").await;
    assert_eq!(max_state(&app, &bob_client, &second).await, "active");
    let round2 = relayer_settled(&anvil).await - nonce_start;
    assert_eq!(round2, 4, "2 first bids, one resolution, one re-bid");
    let mine = get_json(&app, &bob_client, "/api/v1/me/bids").await;
    let states: Vec<(&str, &str)> = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["max_bid"].as_str().unwrap_or("-"), i["max_bid_state"].as_str().unwrap_or("-")))
        .collect();
    assert_eq!(states, [(ampled(100).as_str(), "active"), (ampled(80).as_str(), "exhausted")]);
    let settled = settle(&app, &anvil, &second).await;
    assert_eq!(settled["settlement"]["amount"], next_after(u(60)).to_string(), "{settled}");
    assert!(
        settled["settlement"]["winner"].as_str().is_some_and(|w| w.eq_ignore_ascii_case(&bob.to_string())),
        "{settled}"
    );

    // Exact balances: losers refunded in full, the winners paid their prices, the treasury
    // gained both; the maxima's members never paid gas.
    assert_eq!(balance(chain_address(alice_key)).await, u(100));
    assert_eq!(balance(chain_address(bob_key)).await, u(100) - next_after(u(60)));
    assert_eq!(balance(address_of(hand_key)).await, hand_before - u(85));
    assert_eq!(balance(treasury).await - treasury_before, u(85) + next_after(u(60)));
    assert_eq!(eth_balance(&anvil, chain_address(alice_key)).await, U256::ZERO);
    assert_eq!(eth_balance(&anvil, chain_address(bob_key)).await, U256::ZERO);
    // Once the auction is over, a maximum still active expires.
    wait_max_state(&app, &bob_client, &second, "expired").await;
}

fn authorization(quote: &Value) -> ICommissaryAuction::MaxBid {
    let m = &quote["typed_data"]["message"];
    let number = |field: &str| U256::from_str_radix(m[field].as_str().expect(field), 10).expect("decimal");
    ICommissaryAuction::MaxBid {
        bidder: m["bidder"].as_str().expect("bidder").parse().expect("address"),
        auctionId: number("auctionId"),
        maxAmount: alloy::primitives::Uint::<96, 2>::from(number("maxAmount").to::<u128>()),
        salt: number("salt"),
        deadline: number("deadline"),
    }
}

/// What the contract says of submitting `max_bid` now (from an account of the test's own).
async fn try_bid_by_max_bid(
    anvil: &Anvil,
    deployment: &Deployment,
    max_bid: &ICommissaryAuction::MaxBid,
    signature: &str,
) -> Result<(), Option<CommissaryAuctionErrors>> {
    let provider = commissary_chain::deploy::wallet_provider(&anvil.url(), ANVIL_KEYS[3]).expect("provider");
    let signature = alloy::primitives::hex::decode(signature).expect("hex");
    let contract = CommissaryAuction::new(deployment.auction, &provider);
    match contract.bidByMaxBid(max_bid.clone(), signature.into()).call().await {
        Ok(_) => Ok(()),
        Err(error) => Err(error.as_decoded_interface_error::<CommissaryAuctionErrors>()),
    }
}

#[actix_rt::test]
async fn a_revoked_maximum_is_refused_by_the_contract_and_an_exhausted_one_is_announced() {
    let anvil = Anvil::spawn().await;
    let (deployment, app) = spawn(&anvil, |config| {
        config.notifications.poll_interval = Duration::from_millis(100);
    })
    .await;
    let steward = app.steward().await;
    let (listing, auction) = live_listing_with(&app, &steward, "Gibson ES-335", ChronoDuration::hours(1), 0).await;
    mint(&anvil, &deployment, GASLESS, 100 * AMPLED).await;
    let hand_key = ANVIL_KEYS[HAND];
    anvil.fund(&deployment, hand_key, U256::from(200 * AMPLED)).await;
    let (alice, hand) = (wallet_of(GASLESS), wallet_of(hand_key));
    let member = app.signed_in(GASLESS).await;

    let quote = max_quote(&app, &listing, alice, 50).await;
    assert_eq!(quote["typed_data"]["primaryType"], "MaxBid");
    assert_eq!(quote["permit_typed_data"]["message"]["value"], U256::MAX.to_string(), "{quote}");
    let body = signed_max_body(GASLESS, &quote);
    let response = put_max(&app, &member, &listing, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let view: Value = response.json().await.expect("json");
    wait_lead(&app, &listing, alice, u(10), "the first bid").await;
    // The same signed authorization again changes nothing.
    let again: Value = put_max(&app, &member, &listing, &body).await.json().await.expect("json");
    assert_eq!(
        (again["hash"].as_str(), again["relay_id"].as_str()),
        (view["hash"].as_str(), view["relay_id"].as_str())
    );

    // The member revokes it with one signature, which the relayer submits; from then on the
    // contract refuses it (here with someone else leading, so nothing else could stop it),
    // and the service no longer bids with it.
    let max_bid = authorization(&quote);
    let signature = body["signature"].as_str().expect("signature");
    let revocation = sign_typed(GASLESS, &view["revocation_typed_data"]);
    let url = app.url(&format!("/api/v1/listings/{listing}/max-bid"));
    let nonce_before_revoke = relayer_nonce(&anvil).await;
    let revoked: Value = member
        .delete(&url)
        .json(&json!({ "signature": revocation }))
        .send()
        .await
        .expect("delete")
        .json()
        .await
        .expect("json");
    assert_eq!(revoked["state"], "revoked", "{revoked}");
    let hash: B256 = view["hash"].as_str().expect("hash").parse().expect("hash");
    let provider = commissary_chain::rpc::provider(&anvil.url(), Duration::from_secs(5)).expect("provider");
    let contract = CommissaryAuction::new(deployment.auction, &provider);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !contract.maxBidRevoked(chain_address(GASLESS), hash).call().await.expect("maxBidRevoked") {
        assert!(Instant::now() < deadline, "the revocation was not mined");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anvil.bid(&deployment, hand_key, auction, 30 * AMPLED).await.expect("hand bid");
    assert!(matches!(
        try_bid_by_max_bid(&anvil, &deployment, &max_bid, signature).await,
        Err(Some(CommissaryAuctionErrors::AuthorizationRevoked(_)))
    ));
    // Idempotent; nobody else has one to revoke; me/bids shows it revoked.
    let twice = member.delete(&url).json(&json!({ "signature": revocation })).send().await.expect("delete");
    assert_eq!(twice.status(), StatusCode::OK);
    let other = sign_typed(OTHER_KEY, &view["revocation_typed_data"]);
    let stranger = app.signed_in(OTHER_KEY).await;
    let not_theirs = stranger.delete(&url).json(&json!({ "signature": other })).send().await.expect("delete");
    assert_eq!(not_theirs.status(), StatusCode::NOT_FOUND, "no maximum of theirs");
    let mine = get_json(&app, &member, "/api/v1/me/bids").await;
    assert_eq!(mine["items"][0]["max_bid_state"], "revoked", "{mine}");
    assert_eq!(mine["items"][0]["max_bid"], ampled(50));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(relayer_nonce(&anvil).await, nonce_before_revoke + 1, "only the revocation was sent");
    wait_lead(&app, &listing, hand, u(30), "the hand bid still leading").await;

    // A new maximum (replacing the revoked one) is defended until the hand bids past it:
    // then it is exhausted and the member is told so.
    set_max(&app, &member, GASLESS, &listing, 40).await;
    wait_lead(&app, &listing, alice, u(33), "the new maximum's first bid").await;
    anvil.bid(&deployment, hand_key, auction, 45 * AMPLED).await.expect("hand bid");
    wait_max_state(&app, &member, &listing, "exhausted").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let inbox = get_json(&app, &member, "/api/v1/me/notifications").await;
        let told =
            inbox["items"].as_array().expect("items").iter().any(|n| {
                n["kind"] == "outbid" && n["data"]["max_bid"] == "exhausted" && n["data"]["amount"] == ampled(45)
            });
        if told {
            assert!(!inbox.to_string().contains(&ampled(40)), "the notification names no maximum: {inbox}");
            break;
        }
        assert!(Instant::now() < deadline, "no exhausted notification: {inbox}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[actix_rt::test]
async fn nobody_else_ever_sees_a_maximum() {
    let anvil = Anvil::spawn().await;
    let (deployment, app) = spawn(&anvil, |_| {}).await;
    let steward = app.steward().await;
    let (listing, auction) = live_listing_with(&app, &steward, "Moog Minimoog", ChronoDuration::hours(1), 0).await;
    mint(&anvil, &deployment, GASLESS, 100 * AMPLED).await;
    let hand_key = ANVIL_KEYS[HAND];
    anvil.fund(&deployment, hand_key, U256::from(200 * AMPLED)).await;
    let member = app.signed_in(GASLESS).await;
    let other = app.signed_in(OTHER_KEY).await;
    let mut public = SseStream::open(&app.client(), &app.url("/api/v1/events"), None).await;
    let mut theirs = SseStream::open(&other, &app.url("/api/v1/me/events"), None).await;

    // 77 AMPLED: a number no bid in this test reaches.
    set_max(&app, &member, GASLESS, &listing, 77).await;
    wait_lead(&app, &listing, wallet_of(GASLESS), u(10), "the first bid").await;
    anvil.bid(&deployment, hand_key, auction, 20 * AMPLED).await.expect("hand bid");
    wait_lead(&app, &listing, wallet_of(GASLESS), u(22), "the re-bid").await;

    let secret = ampled(77);
    let hidden = other.get(app.url(&format!("/api/v1/listings/{listing}/max-bid"))).send().await.expect("get");
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.client().get(app.url(&format!("/api/v1/listings/{listing}/max-bid"))).send().await.expect("get").status(),
        StatusCode::UNAUTHORIZED
    );
    for path in [
        format!("/api/v1/listings/{listing}"),
        format!("/api/v1/listings/{listing}/bids"),
        "/api/v1/listings".to_owned(),
    ] {
        for client in [&app.client(), &other, &steward] {
            let text = get_json(&app, client, &path).await.to_string();
            assert!(!text.contains(&secret), "{path} shows the maximum: {text}");
        }
    }
    let mut seen = 0;
    for stream in [&mut public, &mut theirs] {
        while let Some(event) = stream.next_within(Duration::from_secs(2)).await {
            seen += 1;
            assert!(!event.data.to_string().contains(&secret), "an event shows the maximum: {event:?}");
        }
    }
    assert!(seen >= 3, "the public stream carried the bids ({seen} events)");
    // Its member sees it.
    assert_eq!(get_json(&app, &member, &format!("/api/v1/listings/{listing}/max-bid")).await["max_amount"], secret);
}

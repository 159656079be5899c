//! Live updates (SSE) and the members' views against a real anvil: bids streamed in chain
//! order, a reconnect with `Last-Event-ID` replaying exactly what was missed, a reorg
//! announced as `bid_removed`, personal events, `me/bids` states, credits and the
//! watchlist.

use std::time::{Duration, Instant};

use alloy::primitives::U256;
use chrono::Duration as ChronoDuration;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use commissary_chain::deploy::Deployment;
use commissary_chain::testkit::{ANVIL_KEYS, Anvil, address_of};

use crate::helpers::*;
use crate::lifecycle::poll_listing;

const AMPLED: u128 = 1_000_000_000_000_000_000;

/// One Server-Sent Event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: i64,
    pub kind: String,
    pub data: Value,
}

/// A minimal `text/event-stream` reader (comments and `retry:` are skipped).
pub struct SseStream {
    response: reqwest::Response,
    buffer: String,
}

impl SseStream {
    pub async fn open(client: &Client, url: &str, last_event_id: Option<i64>) -> Self {
        let mut request = client.get(url);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.expect("stream request");
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let content_type = response.headers()["content-type"].to_str().expect("ascii").to_owned();
        assert!(content_type.starts_with("text/event-stream"), "{content_type}");
        Self { response, buffer: String::new() }
    }

    /// The next event, or `None` if none arrives within `within`.
    pub async fn next_within(&mut self, within: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut kind, mut data) = (None, None, None);
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id: ") {
                        id = Some(v.parse().expect("numeric id"));
                    } else if let Some(v) = line.strip_prefix("event: ") {
                        kind = Some(v.to_owned());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data = Some(serde_json::from_str(v).expect("JSON data"));
                    }
                }
                if let (Some(id), Some(kind), Some(data)) = (id, kind, data) {
                    return Some(SseEvent { id, kind, data });
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await.ok()?;
            match chunk.expect("stream read") {
                Some(bytes) => self.buffer.push_str(std::str::from_utf8(&bytes).expect("utf8")),
                None => return None,
            }
        }
    }

    /// The next event of `kind` (others are skipped), failing after 30 s.
    pub async fn next_of(&mut self, kind: &str) -> SseEvent {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = self.next_within(left).await.unwrap_or_else(|| panic!("no {kind} event within 30 s"));
            if event.kind == kind {
                return event;
            }
        }
    }
}

/// Publishes a listing that is live now and ends in `ends_in`; returns (listing id, auction id).
pub(crate) async fn live_listing(
    app: &TestApp,
    steward: &Client,
    title: &str,
    ends_in: ChronoDuration,
) -> (String, u64) {
    live_listing_with(app, steward, title, ends_in, 0).await
}

/// [`live_listing`] with a soft-close extension window of `extension_secs`.
pub(crate) async fn live_listing_with(
    app: &TestApp,
    steward: &Client,
    title: &str,
    ends_in: ChronoDuration,
    extension_secs: u32,
) -> (String, u64) {
    let mut body = opening_now(title, ends_in);
    body["reserve_price"] = json!((10 * AMPLED).to_string());
    body["min_increment_bps"] = json!(1000);
    body["extension_secs"] = json!(extension_secs);
    let listing = app.create_listing(steward, body).await;
    let id = listing["id"].as_str().expect("id").to_owned();
    let published = app.publish(steward, &id).await;
    assert_eq!(published.status(), StatusCode::ACCEPTED);
    let live = poll_listing(app, &id, "the auction to go live", |l| l["status"] == "live").await;
    (id, live["auction_id"].as_str().expect("auction id").parse().expect("number"))
}

async fn bid(anvil: &Anvil, deployment: &Deployment, key: &str, auction: u64, amount: u128) -> String {
    anvil.bid(deployment, key, auction, amount).await.expect("bid accepted")
}

fn amount_of(event: &SseEvent) -> u128 {
    event.data["amount"].as_str().expect("amount").parse().expect("decimal")
}

#[actix_rt::test]
async fn bids_stream_in_chain_order_resume_exactly_and_reorgs_are_announced() {
    let anvil = Anvil::spawn().await;
    let (deployment, chain) = anvil.deploy().await;
    let app = TestApp::spawn_with(|config| config.chain = Some(chain)).await;
    let steward = app.steward().await;
    let (id, auction) = live_listing(&app, &steward, "Gretsch White Falcon", ChronoDuration::hours(1)).await;
    let [alice, bob] = [ANVIL_KEYS[1], ANVIL_KEYS[2]];
    for key in [alice, bob] {
        anvil.fund(&deployment, key, U256::from(1000 * AMPLED)).await;
    }
    let url = app.url(&format!("/api/v1/listings/{id}/events"));
    let mut stream = SseStream::open(&app.client(), &url, None).await;

    let mut sent = Vec::new();
    for (key, amount) in [(alice, 10), (bob, 11), (alice, 13)] {
        sent.push(bid(&anvil, &deployment, key, auction, amount * AMPLED).await);
    }
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(stream.next_of("bid").await);
    }
    assert_eq!(seen.iter().map(amount_of).collect::<Vec<_>>(), [10 * AMPLED, 11 * AMPLED, 13 * AMPLED]);
    assert_eq!(seen.iter().map(|e| e.data["tx_hash"].as_str().expect("tx").to_owned()).collect::<Vec<_>>(), sent);
    assert!(seen.windows(2).all(|w| w[0].id < w[1].id), "ids grow in chain order");
    let last = &seen[2];
    assert_eq!(last.data["listing_id"], id.as_str());
    assert_eq!(last.data["auction_id"], auction.to_string());
    assert_eq!(last.data["bidder"], address_of(alice).to_checksum(None));
    assert_eq!(last.data["min_next_bid"], (143 * AMPLED / 10).to_string());
    assert!(last.data["ends_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{}", last.data);
    assert!(last.data["block_number"].as_i64().is_some_and(|b| b > 0));

    // The client goes away; two more bids happen; it comes back with Last-Event-ID.
    drop(stream);
    bid(&anvil, &deployment, bob, auction, 15 * AMPLED).await;
    bid(&anvil, &deployment, alice, auction, 17 * AMPLED).await;
    poll_listing(&app, &id, "five bids indexed", |l| l["bid_count"] == 5).await;
    let mut resumed = SseStream::open(&app.client(), &url, Some(last.id)).await;
    let missed = [resumed.next_of("bid").await, resumed.next_of("bid").await];
    assert_eq!(missed.iter().map(amount_of).collect::<Vec<_>>(), [15 * AMPLED, 17 * AMPLED]);
    assert!(missed[0].id > last.id);
    // Nothing else was missed, and nothing is sent twice: the next event is the next bid.
    let reorged_tx = bid(&anvil, &deployment, bob, auction, 19 * AMPLED).await;
    let next = resumed.next_within(Duration::from_secs(30)).await.expect("the next bid");
    assert_eq!((next.kind.as_str(), amount_of(&next)), ("bid", 19 * AMPLED));
    assert!(next.id > missed[1].id);

    // `?last_event_id=` on the all-listings stream replays the same events.
    let all = app.url(&format!("/api/v1/events?listing={id}&last_event_id={}", seen[0].id));
    let mut replay = SseStream::open(&app.client(), &all, None).await;
    let replayed = replay.next_of("bid").await;
    assert_eq!((replayed.id, amount_of(&replayed)), (seen[1].id, 11 * AMPLED));

    // A reorg replaces the block of the last bid: the stream takes it back.
    anvil.reorg(1).await;
    let removed = resumed.next_of("bid_removed").await;
    assert_eq!(removed.data["tx_hash"], reorged_tx.as_str());
    assert_eq!(removed.data["amount"], (19 * AMPLED).to_string());
    assert_eq!(removed.data["highest_bid"], (17 * AMPLED).to_string(), "the auction as it is after the reorg");
    assert_eq!(removed.data["bid_count"], 5);
    poll_listing(&app, &id, "the projection to follow", |l| l["bid_count"] == 5).await;

    // Bad resume ids are refused.
    let bad = app.client().get(&url).header("Last-Event-ID", "soon").send().await.expect("request");
    assert_eq!(error_code(bad).await, (StatusCode::BAD_REQUEST, "invalid_last_event_id".into()));
    let bad = app.client().get(app.url("/api/v1/events?listing=nope")).send().await.expect("request");
    assert_eq!(error_code(bad).await, (StatusCode::BAD_REQUEST, "invalid_listing".into()));
}

async fn my_bids(app: &TestApp, client: &Client) -> Vec<(String, String, String)> {
    let page = get_json(app, client, "/api/v1/me/bids").await;
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items in {page}"))
        .iter()
        .map(|i| {
            (
                i["listing"]["id"].as_str().expect("id").to_owned(),
                i["state"].as_str().expect("state").to_owned(),
                i["my_highest_bid"].as_str().expect("amount").to_owned(),
            )
        })
        .collect()
}

#[actix_rt::test]
async fn members_see_their_auctions_outbid_raise_win_and_loss_and_only_their_own_events() {
    let anvil = Anvil::spawn().await;
    let (deployment, chain) = anvil.deploy().await;
    let app = TestApp::spawn_with(|config| config.chain = Some(chain)).await;
    let steward = app.steward().await;
    let (a, auction_a) = live_listing(&app, &steward, "Fender Rhodes", ChronoDuration::minutes(6)).await;
    let (b, auction_b) = live_listing(&app, &steward, "Moog Minitaur", ChronoDuration::minutes(6)).await;
    let (_, auction_c) = live_listing(&app, &steward, "Korg MS-20", ChronoDuration::hours(1)).await;
    // MEMBER_KEY and OTHER_KEY are anvil accounts 1 and 2.
    let (alice_key, bob_key, carol_key) = (ANVIL_KEYS[1], ANVIL_KEYS[2], ANVIL_KEYS[3]);
    for key in [alice_key, bob_key, carol_key] {
        anvil.fund(&deployment, key, U256::from(1000 * AMPLED)).await;
    }
    let alice = app.signed_in(MEMBER_KEY).await;
    let bob = app.signed_in(OTHER_KEY).await;
    let unauthenticated = app.client().get(app.url("/api/v1/me/bids")).send().await.expect("request");
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    let mut alice_events = SseStream::open(&alice, &app.url("/api/v1/me/events"), None).await;

    bid(&anvil, &deployment, alice_key, auction_a, 10 * AMPLED).await;
    bid(&anvil, &deployment, bob_key, auction_a, 11 * AMPLED).await;
    poll_listing(&app, &a, "two bids", |l| l["bid_count"] == 2).await;
    let outbid = alice_events.next_of("outbid").await;
    assert_eq!(outbid.data["listing_id"], a.as_str());
    assert_eq!(outbid.data["amount"], (11 * AMPLED).to_string());
    assert_eq!(outbid.data["your_bid"], (10 * AMPLED).to_string());
    assert_eq!(outbid.data["min_next_bid"], (121 * AMPLED / 10).to_string());
    assert_eq!(my_bids(&app, &alice).await, [(a.clone(), "outbid".into(), (10 * AMPLED).to_string())]);

    // Alice raises; on B, bob outbids her.
    bid(&anvil, &deployment, alice_key, auction_a, 13 * AMPLED).await;
    bid(&anvil, &deployment, alice_key, auction_b, 10 * AMPLED).await;
    bid(&anvil, &deployment, bob_key, auction_b, 12 * AMPLED).await;
    poll_listing(&app, &b, "B's bids", |l| l["bid_count"] == 2).await;
    assert_eq!(
        my_bids(&app, &alice).await,
        [
            (b.clone(), "outbid".into(), (10 * AMPLED).to_string()),
            (a.clone(), "winning".into(), (13 * AMPLED).to_string())
        ],
        "newest auction first"
    );
    assert_eq!(
        my_bids(&app, &bob).await,
        [
            (b.clone(), "winning".into(), (12 * AMPLED).to_string()),
            (a.clone(), "outbid".into(), (11 * AMPLED).to_string())
        ]
    );

    // Both end (chain time moves) and are settled by the keeper, which the indexer wakes
    // when it applies the next auction event (a bid on another listing, mined after the end).
    anvil.increase_time(7 * 60).await;
    bid(&anvil, &deployment, carol_key, auction_c, 10 * AMPLED).await;
    poll_listing(&app, &a, "A settled", |l| l["status"] == "settled").await;
    poll_listing(&app, &b, "B settled", |l| l["status"] == "settled").await;
    assert_eq!(
        my_bids(&app, &alice).await,
        [(b.clone(), "lost".into(), (10 * AMPLED).to_string()), (a.clone(), "won".into(), (13 * AMPLED).to_string())]
    );
    assert_eq!(
        my_bids(&app, &bob).await,
        [(b.clone(), "won".into(), (12 * AMPLED).to_string()), (a.clone(), "lost".into(), (11 * AMPLED).to_string())]
    );

    // Alice's own stream: outbid on B, then won A and lost B; nothing addressed to bob.
    let mut mine = vec![alice_events.next_of("outbid").await];
    // In-app notifications (`notification`) come on the same stream; they are tested with
    // the inbox, here only the chain's outcomes count.
    while mine.len() < 3 {
        let event = alice_events.next_within(Duration::from_secs(30)).await.expect("a settlement event");
        if event.kind != "notification" {
            mine.push(event);
        }
    }
    let described: Vec<(String, String)> =
        mine.iter().map(|e| (e.kind.clone(), e.data["listing_id"].as_str().expect("listing").to_owned())).collect();
    assert_eq!(described[0], ("outbid".into(), b.clone()));
    let mut outcomes = described[1..].to_vec();
    outcomes.sort();
    assert_eq!(outcomes, [("lost".into(), b.clone()), ("won".into(), a.clone())]);
    let won = mine.iter().find(|e| e.kind == "won").expect("won");
    assert_eq!(won.data["amount"], (13 * AMPLED).to_string());

    // Replayed from the start, bob's stream has only bob's events; the public one none.
    let mut bob_all = SseStream::open(&bob, &app.url("/api/v1/me/events"), Some(0)).await;
    let mut bob_kinds = Vec::new();
    while let Some(event) = bob_all.next_within(Duration::from_secs(2)).await {
        if event.kind != "notification" {
            bob_kinds.push((event.kind, event.data["listing_id"].as_str().expect("listing").to_owned()));
        }
    }
    bob_kinds[1..].sort();
    assert_eq!(bob_kinds[0], ("outbid".into(), a.clone()), "alice's raise outbid bob");
    assert_eq!(bob_kinds.len(), 3, "{bob_kinds:?}");
    let mut public = SseStream::open(&app.client(), &app.url("/api/v1/events"), Some(0)).await;
    let mut public_kinds = std::collections::BTreeSet::new();
    while let Some(event) = public.next_within(Duration::from_secs(2)).await {
        public_kinds.insert(event.kind);
    }
    assert_eq!(
        public_kinds.into_iter().collect::<Vec<_>>(),
        ["bid", "settled", "status"],
        "no personal events on the public stream"
    );
    let unauthenticated = app.client().get(app.url("/api/v1/me/events")).send().await.expect("request");
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);

    // Nothing was credited (every refund could be pushed), and the call to make is given.
    let credits = get_json(&app, &alice, "/api/v1/me/credits").await;
    assert_eq!(credits["credits"], "0");
    assert_eq!(credits["on_chain"], "0", "read from the contract: {credits}");
    assert_eq!(credits["withdraw"]["function"], "withdraw()");
    assert_eq!(credits["withdraw"]["data"], "0x3ccfd60b");
    assert_eq!(credits["withdraw"]["to"], format!("{}", deployment.auction.to_checksum(None)));
    assert_eq!(credits["history"], json!([]));
}

#[actix_rt::test]
async fn the_watchlist_is_idempotent_and_counted() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let listing = app.create_listing(&steward, listing_body("Ludwig Supraphonic")).await;
    let id = listing["id"].as_str().expect("id").to_owned();
    let member = app.member().await;
    let other = app.signed_in(OTHER_KEY).await;
    let path = format!("/api/v1/me/watchlist/{id}");

    let draft = member.put(app.url(&path)).send().await.expect("put");
    assert_eq!(error_code(draft).await, (StatusCode::NOT_FOUND, "not_found".into()), "drafts cannot be watched");
    let published = app.publish(&steward, &id).await;
    assert_eq!(published.status(), StatusCode::ACCEPTED);

    for client in [&member, &member, &other] {
        let response = client.put(app.url(&path)).send().await.expect("put");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
    let shown = get_json(&app, &app.client(), &format!("/api/v1/listings/{id}")).await;
    assert_eq!(shown["watch_count"], 2, "watching twice counts once");
    let listed = get_json(&app, &app.client(), "/api/v1/listings").await;
    assert_eq!(listed["items"][0]["watch_count"], 2);
    let watched = get_json(&app, &member, "/api/v1/me/watchlist").await;
    assert_eq!(watched["items"].as_array().expect("items").len(), 1);
    assert_eq!(watched["items"][0]["id"], id.as_str());

    for _ in 0..2 {
        let response = member.delete(app.url(&path)).send().await.expect("delete");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
    assert_eq!(get_json(&app, &app.client(), &format!("/api/v1/listings/{id}")).await["watch_count"], 1);
    assert_eq!(get_json(&app, &member, "/api/v1/me/watchlist").await["items"], json!([]));

    let unknown = member.put(app.url(&format!("/api/v1/me/watchlist/{}", uuid::Uuid::new_v4()))).send().await;
    assert_eq!(unknown.expect("put").status(), StatusCode::NOT_FOUND);
    let anonymous = app.client().put(app.url(&path)).send().await.expect("put");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[actix_rt::test]
async fn openapi_describes_the_streams_and_the_members_endpoints() {
    let app = TestApp::spawn().await;
    let doc = get_json(&app, &app.client(), "/api/openapi.json").await;
    for path in ["/api/v1/events", "/api/v1/listings/{id}/events", "/api/v1/me/events"] {
        let content = &doc["paths"][path]["get"]["responses"]["200"]["content"];
        assert!(content.get("text/event-stream").is_some(), "{path}: {content}");
    }
    for (path, method) in [
        ("/api/v1/me/bids", "get"),
        ("/api/v1/me/credits", "get"),
        ("/api/v1/me/watchlist", "get"),
        ("/api/v1/me/watchlist/{listing_id}", "put"),
        ("/api/v1/me/watchlist/{listing_id}", "delete"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} is described");
    }
    assert!(doc["components"]["schemas"]["ListingResponse"]["properties"]["watch_count"].is_object());
}

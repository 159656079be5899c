//! `sort=ending_soon` orders by each auction's current end, extensions included. The
//! auctions' events are recorded through the indexer's own store function (no anvil:
//! the chain side is tested against anvil elsewhere), exactly as the indexer would.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use commissary_db::chain::indexer::{self, BlockRef};
use commissary_db::listings;
use commissary_domain::{Address, AuctionEvent, AuctionId, ListingId, LoggedEvent, TokenAmount};

use crate::helpers::*;

pub(crate) fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn logged(block: i64, auction: u64, time: DateTime<Utc>, event: AuctionEvent) -> LoggedEvent {
    LoggedEvent {
        tx_hash: format!("0x{:064x}", block * 100 + i64::try_from(auction).expect("small")),
        log_index: 0,
        block_number: block,
        block_hash: format!("0x{block:064x}"),
        block_time: time,
        auction_id: AuctionId::new(auction),
        event,
    }
}

pub(crate) fn block(number: i64, time: DateTime<Utc>) -> BlockRef {
    BlockRef {
        block_number: number,
        block_hash: format!("0x{number:064x}"),
        parent_hash: format!("0x{:064x}", number - 1),
        block_time: time.timestamp(),
    }
}

/// The `AuctionCreated` of a listing published by [`published`] (reserve 25 AMPLED, 5 %
/// steps, 5-minute extensions), logged at `block`.
pub(crate) fn created(block: i64, auction: u64, now: DateTime<Utc>, hash: String, end: DateTime<Utc>) -> LoggedEvent {
    logged(
        block,
        auction,
        now,
        AuctionEvent::AuctionCreated {
            listing_hash: hash,
            reserve_price: TokenAmount::parse("25000000000000000000").expect("amount"),
            start_time: now - Duration::minutes(10),
            end_time: end,
            min_increment_bps: 500,
            extension_secs: 300,
        },
    )
}

async fn titles(app: &TestApp, query: &str) -> Vec<String> {
    let page: Value = get_json(app, &app.client(), &format!("/api/v1/listings?sort=ending_soon{query}")).await;
    page["items"].as_array().expect("items").iter().map(|l| l["title"].as_str().expect("title").to_owned()).collect()
}

/// Publishes a listing through the API and records its auction's creation as the indexer
/// would; returns its id and frozen end.
pub(crate) async fn published(app: &TestApp, title: &str, ends_at: DateTime<Utc>) -> (ListingId, String) {
    let steward = app.steward().await;
    let mut body = listing_body(title);
    body["starts_at"] = json!(at(Utc::now()));
    body["ends_at"] = json!(at(ends_at));
    let listing = app.create_listing(&steward, body).await;
    let id: ListingId = listing["id"].as_str().expect("id").parse().expect("uuid");
    let response = app.publish(&steward, &id.to_string()).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let record = app.db.run(move |conn| listings::get(conn, id)).await.expect("record");
    (id, record.listing_hash.expect("hash"))
}

#[actix_rt::test]
async fn an_extended_auction_sorts_by_its_new_end() {
    let app = TestApp::spawn().await;
    let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).expect("now");
    let (a_end, b_end) = (now + Duration::hours(1), now + Duration::hours(2));
    let (a, a_hash) = published(&app, "Early", a_end).await;
    let (b, b_hash) = published(&app, "Late", b_end).await;
    let events = [created(10, 1, now, a_hash, a_end), created(11, 2, now, b_hash, b_end)];
    app.db
        .run(move |conn| indexer::apply_range(conn, "test", None, &[], &events, &block(11, now), Utc::now()))
        .await
        .expect("creations applied");
    assert_eq!(titles(&app, "").await, ["Early", "Late"], "by end before any extension");

    // A bid on "Early" moves its end past "Late"'s.
    let extended = b_end + Duration::minutes(30);
    let bidder = Address::parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8").expect("address");
    let bid = [logged(
        12,
        1,
        now,
        AuctionEvent::BidPlaced {
            bidder,
            amount: TokenAmount::parse("30000000000000000000").expect("amount"),
            end_time: extended,
        },
    )];
    let cursor = indexer::Cursor { block_number: 11, block_hash: block(11, now).block_hash };
    app.db
        .run(move |conn| indexer::apply_range(conn, "test", Some(&cursor), &[], &bid, &block(12, now), Utc::now()))
        .await
        .expect("bid applied");
    assert_eq!(titles(&app, "").await, ["Late", "Early"], "the extension counts");

    // Paging follows the same order.
    let first: Value = get_json(&app, &app.client(), "/api/v1/listings?sort=ending_soon&limit=1").await;
    assert_eq!(first["items"][0]["id"], b.to_string());
    assert_eq!(first["items"][0]["ends_at"], at(b_end));
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let second: Value =
        get_json(&app, &app.client(), &format!("/api/v1/listings?sort=ending_soon&limit=1&cursor={cursor}")).await;
    assert_eq!(second["items"][0]["id"], a.to_string());
    assert_eq!(second["items"][0]["ends_at"], at(extended));
    assert_eq!(second["next_cursor"], Value::Null);

    // A reorg orphans the bid (and "Late"'s auction): the page key follows the re-folded
    // auction back to its first end, and the unlinked listing to its scheduled one.
    let head = indexer::Cursor { block_number: 12, block_hash: block(12, now).block_hash };
    app.db
        .run(move |conn| indexer::rollback_to(conn, "test", &head, &block(10, now), Utc::now()))
        .await
        .expect("rolled back");
    assert_eq!(titles(&app, "").await, ["Early", "Late"], "the orphaned extension no longer counts");
    let page: Value = get_json(&app, &app.client(), "/api/v1/listings?sort=ending_soon").await;
    assert_eq!(page["items"][0]["ends_at"], at(a_end));
    assert_eq!(page["items"][1]["ends_at"], at(b_end));
}

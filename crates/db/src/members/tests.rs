//! The event log as the indexer writes it: synthetic chain events through `apply_range`
//! and `rollback_to` on a fresh SQLite file.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};

use commissary_domain::{
    Address, AuctionEvent, AuctionId, Category, Condition, Fulfilment, ListingDetails, ListingStatus, LoggedEvent,
    Pickup, Schedule, Shipping, TokenAmount,
};
use ruint::aliases::U256;

use super::credits::{CreditEvent, CreditKind};
use super::events::{self, Audience, LiveEvent};
use super::{bids, credits};
use crate::chain::indexer::{self, BlockRef, Cursor};
use crate::listings::{self, ListingRecord};
use crate::{Db, DbConnection, DbOptions};

const ALICE: &str = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const BOB: &str = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
const HASH: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";

fn block(n: i64) -> BlockRef {
    BlockRef {
        block_number: n,
        block_hash: format!("0x{n:064x}"),
        parent_hash: format!("0x{:064x}", n - 1),
        block_time: 1_800_000_000 + n,
    }
}

fn time(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap()
}

fn event(n: i64, event: AuctionEvent) -> LoggedEvent {
    LoggedEvent {
        tx_hash: format!("0x{n:064x}"),
        log_index: 0,
        block_number: n,
        block_hash: block(n).block_hash,
        block_time: time(block(n).block_time),
        auction_id: AuctionId::new(1),
        event,
    }
}

fn amount(value: u128) -> TokenAmount {
    TokenAmount::from_u128(value).unwrap()
}

fn bid(n: i64, bidder: &str, value: u128) -> LoggedEvent {
    let bidder = Address::parse(bidder).unwrap();
    event(n, AuctionEvent::BidPlaced { bidder, amount: amount(value), end_time: time(1_900_000_000) })
}

fn apply(conn: &mut DbConnection, n: i64, events: &[LoggedEvent]) {
    let expected = indexer::cursor(conn, "test").unwrap();
    indexer::apply_range(conn, "test", expected.as_ref(), &[], events, &block(n), Utc::now()).unwrap();
}

async fn setup() -> (Db, tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&DbOptions::new(format!("sqlite://{}", dir.path().join("t.db").display()))).unwrap();
    db.migrate().await.unwrap();
    let listing = db
        .run(|conn| {
            let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
            let details = ListingDetails {
                title: "Wurlitzer 200A".into(),
                description: String::new(),
                category: Category::Instruments,
                condition: Condition::Good,
                donor_credit: None,
                reserve_price: TokenAmount::from_u128(100).unwrap(),
                schedule: Schedule { starts_at: start, ends_at: start + chrono::Duration::days(1) },
                min_increment_bps: 1000,
                extension_secs: 0,
                fulfilment: Fulfilment { pickup: Pickup::default(), shipping: Shipping::default() },
            };
            let mut record = ListingRecord::new_draft(details, Address::parse(ALICE).unwrap(), Utc::now());
            record.status = ListingStatus::Publishing;
            record.listing_hash = Some(HASH.into());
            listings::insert(conn, &record)?;
            Ok(record.id.to_string())
        })
        .await
        .unwrap();
    (db, dir, listing)
}

fn all(conn: &mut DbConnection, audience: &Audience) -> Vec<LiveEvent> {
    events::replay(conn, audience, 0, 1000).unwrap()
}

fn kinds(events: &[LiveEvent]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

#[tokio::test]
async fn the_indexer_writes_public_and_personal_events_and_takes_bids_back_on_reorg() {
    let (db, _dir, listing) = setup().await;
    db.run(move |conn| {
        let created = AuctionEvent::AuctionCreated {
            listing_hash: HASH.into(),
            reserve_price: amount(100),
            start_time: time(1_800_000_000),
            end_time: time(1_900_000_000),
            min_increment_bps: 1000,
            extension_secs: 0,
        };
        apply(conn, 10, &[event(10, created)]);
        apply(conn, 11, &[bid(11, ALICE, 100)]);
        apply(conn, 12, &[bid(12, BOB, 110)]);
        let public = all(conn, &Audience::Public { listings: vec![] });
        assert_eq!(kinds(&public), ["status", "bid", "bid"]);
        assert!(public.windows(2).all(|w| w[0].id < w[1].id));
        let last: serde_json::Value = serde_json::from_str(&public[2].data).unwrap();
        assert_eq!(last["amount"], "110");
        assert_eq!(last["min_next_bid"], "121");
        assert_eq!(last["listing_id"], listing.as_str());
        let alice = Audience::Member(Address::parse(ALICE).unwrap());
        let mine = all(conn, &alice);
        assert_eq!(kinds(&mine), ["outbid"]);
        assert!(all(conn, &Audience::Member(Address::parse(BOB).unwrap())).is_empty());
        let (page, _) = bids::page(conn, Address::parse(ALICE).unwrap(), None, 10).unwrap();
        assert_eq!(page[0].state.as_str(), "outbid");

        // A reorg takes bob's bid back: announced, and alice leads again.
        let cursor = Cursor { block_number: 12, block_hash: block(12).block_hash };
        indexer::rollback_to(conn, "test", &cursor, &block(11), Utc::now()).unwrap();
        let public = all(conn, &Audience::Public { listings: vec![listing.clone()] });
        assert_eq!(kinds(&public), ["status", "bid", "bid", "bid_removed"]);
        let removed: serde_json::Value = serde_json::from_str(&public[3].data).unwrap();
        assert_eq!((removed["amount"].as_str(), removed["highest_bid"].as_str()), (Some("110"), Some("100")));
        let (page, _) = bids::page(conn, Address::parse(ALICE).unwrap(), None, 10).unwrap();
        assert_eq!(page[0].state.as_str(), "winning");

        // Bob bids again and the auction is settled to him.
        apply(conn, 12, &[bid(12, BOB, 120)]);
        let settled = AuctionEvent::AuctionSettled { winner: Some(Address::parse(BOB).unwrap()), amount: amount(120) };
        apply(conn, 13, &[event(13, settled)]);
        let public = all(conn, &Audience::Public { listings: vec![] });
        assert_eq!(&kinds(&public)[4..], ["bid", "settled", "status"]);
        assert_eq!(kinds(&all(conn, &alice)), ["outbid", "outbid", "lost"]);
        assert_eq!(kinds(&all(conn, &Audience::Member(Address::parse(BOB).unwrap()))), ["won"]);
        Ok(())
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn credits_are_recorded_once_with_their_history_and_forgotten_on_reorg() {
    let (db, _dir, _) = setup().await;
    db.run(|conn| {
        let alice = Address::parse(ALICE).unwrap();
        let entry = |n: i64, kind, value: u64| CreditEvent {
            tx_hash: format!("0x{n:064x}"),
            log_index: 1,
            block_number: n,
            block_time: time(block(n).block_time),
            bidder: alice,
            kind,
            amount: U256::from(value),
        };
        let credits_in = [entry(10, CreditKind::Credited, 5), entry(11, CreditKind::Withdrawn, 5)];
        credits::record(conn, &credits_in)?;
        credits::record(conn, &credits_in)?;
        apply(conn, 11, &[]);
        credits::record(conn, &[entry(12, CreditKind::Credited, 7)])?;
        apply(conn, 12, &[]);
        let history = credits::history(conn, alice).unwrap();
        assert_eq!(history.len(), 3, "recording again changes nothing");
        assert_eq!(credits::balance(&history).to_string(), "7");
        let cursor = Cursor { block_number: 12, block_hash: block(12).block_hash };
        indexer::rollback_to(conn, "test", &cursor, &block(11), Utc::now()).unwrap();
        assert_eq!(credits::balance(&credits::history(conn, alice).unwrap()).to_string(), "0");
        Ok(())
    })
    .await
    .unwrap();
}

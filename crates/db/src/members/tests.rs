//! The event log as the indexer writes it: synthetic chain events through `apply_range`
//! and `rollback_to` on a fresh SQLite file.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use commissary_domain::{
    Address, Category, Condition, Fulfilment, ListingDetails, ListingStatus, Pickup, Schedule, Shipping, TokenAmount,
};

use super::events::{self, Audience, LiveEvent};
use super::{bids, credits};
use crate::chain::events::{ChainEvent, EventData};
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

fn event(n: i64, log_index: i64, auction_id: &str, data: EventData) -> ChainEvent {
    ChainEvent {
        tx_hash: format!("0x{:062x}{log_index:02x}", n),
        log_index,
        block_number: n,
        block_hash: block(n).block_hash,
        block_time: block(n).block_time,
        auction_id: auction_id.into(),
        data,
    }
}

fn bid(n: i64, bidder: &str, amount: u128) -> ChainEvent {
    event(
        n,
        0,
        "1",
        EventData::BidPlaced { bidder: bidder.into(), amount: amount.to_string(), end_time: 1_900_000_000 },
    )
}

fn apply(conn: &mut DbConnection, n: i64, events: &[ChainEvent]) {
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
        let created = EventData::AuctionCreated {
            listing_hash: HASH.into(),
            reserve_price: "100".into(),
            start_time: 1_800_000_000,
            end_time: 1_900_000_000,
            min_increment_bps: 1000,
            extension_secs: 0,
        };
        apply(conn, 10, &[event(10, 0, "1", created)]);
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
        let settled = EventData::AuctionSettled { winner: Some(BOB.into()), amount: "120".into() };
        apply(conn, 13, &[event(13, 0, "1", settled)]);
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
async fn credits_are_indexed_with_their_history_and_forgotten_on_reorg() {
    let (db, _dir, _) = setup().await;
    db.run(|conn| {
        let alice = Address::parse(ALICE).unwrap();
        let credit = |n, amount: &str| {
            event(n, 1, "", EventData::RefundCredited { bidder: ALICE.into(), amount: amount.into() })
        };
        apply(conn, 10, &[credit(10, "5")]);
        apply(conn, 11, &[event(11, 0, "", EventData::Withdrawn { bidder: ALICE.into(), amount: "5".into() })]);
        apply(conn, 12, &[credit(12, "7")]);
        let history = credits::history(conn, alice).unwrap();
        assert_eq!(history.len(), 3);
        assert_eq!(credits::balance(&history).to_string(), "7");
        let cursor = Cursor { block_number: 12, block_hash: block(12).block_hash };
        indexer::rollback_to(conn, "test", &cursor, &block(11), Utc::now()).unwrap();
        assert_eq!(credits::balance(&credits::history(conn, alice).unwrap()).to_string(), "0");
        let stored: i64 = crate::chain::schema::chain_events::table.count().get_result(conn)?;
        assert_eq!(stored, 2, "credits are in the event log too (for re-indexing)");
        Ok(())
    })
    .await
    .unwrap();
}

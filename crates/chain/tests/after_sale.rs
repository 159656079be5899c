//! After the hammer, at the database: the indexer's transaction creates a sale's
//! fulfillment record and its notifications exactly once, a reorg takes back what nobody
//! acted on, and personal data is erased after retention. The first test feeds the
//! indexer synthetic logs (deterministic); the second runs a real anvil reorg.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use alloy::primitives::U256;
use chrono::Utc;
use commissary_chain::testkit::{ANVIL_KEYS, address_of};
use commissary_db::DbConnection;
use commissary_db::after_sale::{fulfillment, notifications};
use commissary_db::chain::indexer::{self, BlockRef, Cursor};
use commissary_db::testkit::TestDb;
use commissary_domain::fulfillment::{Claim, ContactDetails, FulfillmentState, Method, REDACTED};
use commissary_domain::notification::NotificationKind;
use commissary_domain::{Address, AuctionEvent, AuctionId, ListingId, LoggedEvent, TokenAmount};

use common::*;

const ALICE: &str = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const BOB: &str = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";

fn block(n: i64) -> BlockRef {
    BlockRef {
        block_number: n,
        block_hash: format!("0x{n:064x}"),
        parent_hash: format!("0x{:064x}", n - 1),
        block_time: 1_900_000_000 + n * 10,
    }
}

fn time(unix: i64) -> chrono::DateTime<Utc> {
    chrono::DateTime::from_timestamp(unix, 0).unwrap()
}

fn event(n: i64, log_index: i64, data: AuctionEvent) -> LoggedEvent {
    let b = block(n);
    LoggedEvent {
        tx_hash: format!("0x{:062x}{log_index:02x}", n),
        log_index,
        block_number: n,
        block_hash: b.block_hash,
        block_time: time(b.block_time),
        auction_id: AuctionId::new(1),
        event: data,
    }
}

fn tokens(amount: u128) -> TokenAmount {
    TokenAmount::from_u128(amount * TOKEN).unwrap()
}

fn created(listing_hash: String) -> LoggedEvent {
    event(
        1,
        0,
        AuctionEvent::AuctionCreated {
            listing_hash,
            reserve_price: tokens(1),
            start_time: time(1_899_999_000),
            end_time: time(1_900_001_000),
            min_increment_bps: 500,
            extension_secs: 0,
        },
    )
}

fn bid(n: i64, bidder: &str, amount: u128) -> LoggedEvent {
    event(
        n,
        0,
        AuctionEvent::BidPlaced {
            bidder: Address::parse(bidder).unwrap(),
            amount: tokens(amount),
            end_time: time(1_900_001_000),
        },
    )
}

fn settled(n: i64, winner: &str, amount: u128) -> LoggedEvent {
    event(n, 0, AuctionEvent::AuctionSettled { winner: Some(Address::parse(winner).unwrap()), amount: tokens(amount) })
}

fn cursor_of(b: &BlockRef) -> Cursor {
    Cursor { block_number: b.block_number, block_hash: b.block_hash.clone() }
}

/// Applies blocks `from..=to` with `events`, from the cursor at `from - 1`.
fn apply(conn: &mut DbConnection, from: i64, to: i64, events: &[LoggedEvent]) {
    let expected = (from > 1).then(|| cursor_of(&block(from - 1)));
    let blocks: Vec<BlockRef> = (from..to).map(block).collect();
    indexer::apply_range(conn, "test", expected.as_ref(), &blocks, events, &block(to), Utc::now()).unwrap();
}

fn kinds_for(conn: &mut DbConnection) -> Vec<(NotificationKind, String)> {
    let mut all: Vec<_> = notifications::all(conn).unwrap().into_iter().map(|n| (n.kind, n.recipient)).collect();
    all.sort_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
    all
}

fn claim() -> Claim {
    Claim {
        method: Method::Pickup,
        contact: ContactDetails {
            name: "Ada Lovelace".into(),
            email: "ada@example.org".into(),
            phone: Some("+44 113 496 0000".into()),
            address: None,
            note: Some("evenings".into()),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settlement_creates_the_sale_once_and_a_reorg_takes_back_what_nobody_acted_on() {
    init_tracing();
    let tdb = TestDb::new().await;
    let now = Utc::now();
    let listing = publish_on(&tdb.db, "Rhodes Mk I", now - secs(60), now + secs(3600), TOKEN).await;
    let hash = tdb.db.run(move |c| commissary_db::listings::get(c, listing)).await.unwrap().listing_hash.unwrap();
    tdb.db
        .run(move |conn| {
            let created = created(hash.clone());
            apply(conn, 1, 3, &[created, bid(2, ALICE, 2), bid(3, BOB, 3)]);
            assert_eq!(kinds_for(conn), vec![(NotificationKind::Outbid, ALICE.to_owned())]);
            let outbid_id = notifications::all(conn).unwrap()[0].id.clone();

            // Settlement in block 5: the sale's record and won / lost, once.
            apply(conn, 4, 5, &[settled(5, BOB, 3)]);
            let sale = fulfillment::get(conn, listing).unwrap().expect("record created at settlement");
            assert_eq!(sale.state, FulfillmentState::AwaitingClaim);
            assert_eq!(sale.winner, Address::parse(BOB).unwrap());
            assert_eq!(sale.settle_block, 5);
            assert_eq!(sale.settled_at.timestamp(), block(5).block_time);
            assert_eq!(
                kinds_for(conn),
                vec![
                    (NotificationKind::Lost, ALICE.to_owned()),
                    (NotificationKind::Outbid, ALICE.to_owned()),
                    (NotificationKind::Won, BOB.to_owned()),
                ]
            );
            // The same logs again (a re-indexed range) change nothing.
            apply(conn, 6, 6, &[bid(3, BOB, 3), settled(5, BOB, 3)]);
            assert_eq!(notifications::all(conn).unwrap().len(), 3);
            assert_eq!(fulfillment::history(conn, listing).unwrap().len(), 1);

            // A reorg back to block 4 takes the settlement: the unclaimed record and the
            // undelivered won / lost go, the earlier outbid stays.
            indexer::rollback_to(conn, "test", &cursor_of(&block(6)), &block(4), Utc::now()).unwrap();
            assert_eq!(fulfillment::get(conn, listing).unwrap(), None);
            assert!(fulfillment::history(conn, listing).unwrap().is_empty());
            let left = notifications::all(conn).unwrap();
            assert_eq!(left.len(), 1);
            assert_eq!(left[0].id, outbid_id);

            // Settled again on the new chain, then claimed: a second reorg keeps it.
            apply(conn, 5, 7, &[settled(7, BOB, 3)]);
            let sale = fulfillment::get(conn, listing).unwrap().expect("re-created");
            assert_eq!(sale.settle_block, 7);
            let bob = Address::parse(BOB).unwrap();
            fulfillment::store_claim(conn, listing, FulfillmentState::AwaitingClaim, &claim(), bob, Utc::now())
                .unwrap();
            indexer::rollback_to(conn, "test", &cursor_of(&block(7)), &block(6), Utc::now()).unwrap();
            let kept = fulfillment::get(conn, listing).unwrap().expect("a claimed record stays for stewards");
            assert_eq!(kept.state, FulfillmentState::Claimed);
            Ok(())
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_data_is_erased_after_retention_and_history_is_kept() {
    init_tracing();
    let tdb = TestDb::new().await;
    let now = Utc::now();
    let listing = publish_on(&tdb.db, "Fender Rhodes", now - secs(60), now + secs(3600), TOKEN).await;
    let hash = tdb.db.run(move |c| commissary_db::listings::get(c, listing)).await.unwrap().listing_hash.unwrap();
    tdb.db
        .run(move |conn| {
            let created = created(hash.clone());
            apply(conn, 1, 3, &[created, bid(2, ALICE, 2), settled(3, ALICE, 2)]);
            let alice = Address::parse(ALICE).unwrap();
            let steward = Address::parse("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266").unwrap();
            let t0 = Utc::now();
            fulfillment::store_claim(conn, listing, FulfillmentState::AwaitingClaim, &claim(), alice, t0)?;
            use FulfillmentState::*;
            let note = Some("Ada collects on Tuesday, phone +44 113 496 0000");
            let step = |from, to, note| fulfillment::Move { from, to, actor: steward, note, tracking: None };
            fulfillment::record_transition(conn, listing, step(Claimed, ReadyForPickup, note), t0)?;
            fulfillment::record_transition(conn, listing, step(ReadyForPickup, HandedOver, None), t0)?;
            let closed = fulfillment::get(conn, listing)?.unwrap();
            assert_eq!(closed.contact.as_ref().unwrap().name, "Ada Lovelace");

            // Not yet: closed less than retention ago.
            let retention = chrono::Duration::days(30);
            assert_eq!(fulfillment::erase_closed_before(conn, t0 - chrono::Duration::seconds(1), t0)?, 0);
            let later = t0 + retention + chrono::Duration::days(1);
            assert_eq!(fulfillment::erase_closed_before(conn, later - retention, later)?, 1);
            let erased = fulfillment::get(conn, listing)?.unwrap();
            assert_eq!(erased.contact, Some(ContactDetails::redacted()));
            assert!(erased.erased_at.is_some());
            assert_eq!(erased.state, HandedOver);
            let history = fulfillment::history(conn, listing)?;
            let steps: Vec<_> = history.iter().map(|h| h.to_state.as_str()).collect();
            assert_eq!(steps, ["awaiting_claim", "claimed", "ready_for_pickup", "handed_over"]);
            assert_eq!(history[2].note.as_deref(), Some(REDACTED));
            assert_eq!(history[2].actor, steward.to_lower_hex());
            // Erasing is done once.
            assert_eq!(fulfillment::erase_closed_before(conn, later - retention, later)?, 0);
            Ok(())
        })
        .await
        .unwrap();
}

/// A real reorg on anvil: the settlement block is reverted before any delivery, so its
/// record and notifications vanish; the keeper settles the auction again on the new
/// chain and the sale exists exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anvil_reorg_of_a_settlement_recreates_the_sale_exactly_once() {
    let env = Env::new().await;
    let now = Utc::now();
    // Ends in 25 s of wall-clock time: the keeper settles it when it is due.
    let listing = env.publish("Wurlitzer 200A", now - secs(60), now + secs(25), TOKEN).await;
    let mut worker = env.worker("w1");
    let auction = wait_for("publication", Duration::from_secs(20), || async { env.auction(listing).await }).await;
    let id = auction.auction_id.get();
    for key in [ANVIL_KEYS[1], ANVIL_KEYS[2]] {
        env.anvil.fund(&env.deployment, key, U256::from(100 * TOKEN)).await;
    }
    env.anvil.bid(&env.deployment, ANVIL_KEYS[1], id, 2 * TOKEN).await.unwrap();
    env.anvil.bid(&env.deployment, ANVIL_KEYS[2], id, 3 * TOKEN).await.unwrap();
    wait_for("bids indexed", Duration::from_secs(10), || async {
        env.auction(listing).await.filter(|a| a.bid_count == 2)
    })
    .await;
    let snapshot = env.anvil.snapshot().await;
    let sale = wait_for("settlement", Duration::from_secs(60), || async { sale_of(&env, listing).await }).await;
    let won_before = won_ids(&env).await;
    assert_eq!(won_before.len(), 1);
    let winner = address_of(ANVIL_KEYS[2]);
    assert_eq!(sale.winner.0, winner.into_array());

    assert!(env.anvil.revert(&snapshot).await);
    env.anvil.mine(3).await;
    // Either the reorg is seen with the auction open again, or already settled anew:
    // in both cases the orphaned settlement's record and won notification are gone.
    let again = wait_for("the orphaned settlement undone", Duration::from_secs(30), || async {
        let current = sale_of(&env, listing).await;
        match current {
            Some(s) if s.settle_tx_hash == sale.settle_tx_hash && s.settle_block == sale.settle_block => None,
            other => Some(other),
        }
    })
    .await;
    if again.is_none() {
        // Open again on the new chain (its end has passed): the keeper settles it anew.
        env.anvil.mine(1).await;
    }
    let resettled = wait_for("settlement on the new chain", Duration::from_secs(60), || async {
        sale_of(&env, listing)
            .await
            .filter(|s| s.settle_block != sale.settle_block || s.settle_tx_hash != sale.settle_tx_hash)
    })
    .await;
    assert_eq!(resettled.state, FulfillmentState::AwaitingClaim);
    let won_after = won_ids(&env).await;
    assert_eq!(won_after.len(), 1, "one won notification for the sale");
    assert_ne!(won_after, won_before, "the orphaned one was retracted, a new one recorded");
    worker.stop().await;
}

async fn sale_of(env: &Env, listing: ListingId) -> Option<fulfillment::Fulfillment> {
    env.db().run(move |c| fulfillment::get(c, listing)).await.unwrap()
}

async fn won_ids(env: &Env) -> Vec<String> {
    env.db()
        .run(notifications::all)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.kind == NotificationKind::Won)
        .map(|n| n.id)
        .collect()
}

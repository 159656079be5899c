//! Publish → bid → settle / cancel, end to end against anvil, on the configured backend.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use alloy::primitives::U256;
use chrono::Utc;
use commissary_chain::testkit::{ANVIL_KEYS, address_of};
use commissary_db::chain::{bids, jobs};
use commissary_domain::AuctionStatus;
use commissary_domain::{ListingStatus, TokenAmount};

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_becomes_auction_bids_show_and_it_settles() {
    let env = Env::new().await;
    let now = Utc::now();
    let sold = env.publish("Deluxe Reverb", now - secs(60), now + secs(12), 10 * TOKEN).await;
    let unsold = env.publish("Tube screamer", now - secs(60), now + secs(12), 10 * TOKEN).await;
    let scheduled = env.publish("Later", now + secs(3600), now + secs(7200), TOKEN).await;
    let mut worker = env.worker("w1");

    let auction = wait_for("publication", Duration::from_secs(20), || async {
        let listing = env.listing(sold).await;
        (listing.status == ListingStatus::Live).then_some(())?;
        env.auction(sold).await
    })
    .await;
    let listing = env.listing(sold).await;
    assert_eq!(listing.auction_id.as_deref(), Some(auction.auction_id.as_str()));
    assert_eq!(Some(auction.listing_hash.clone()), listing.listing_hash);
    assert!(auction.create_tx_hash.as_deref().is_some_and(|h| h.len() == 66));
    assert_eq!(auction.status, AuctionStatus::Open);
    assert_eq!(auction.bid_count, 0);
    assert_eq!(auction.min_next_bid(), U256::from(10 * TOKEN));
    wait_for("scheduled listing", Duration::from_secs(20), || async {
        (env.listing(scheduled).await.status == ListingStatus::Scheduled).then_some(())
    })
    .await;
    wait_for("second listing", Duration::from_secs(20), || async { env.auction(unsold).await }).await;

    // Two members bid on the first auction.
    let id = auction.auction_id.get();
    env.anvil.fund(&env.deployment, ANVIL_KEYS[1], U256::from(100 * TOKEN)).await;
    env.anvil.fund(&env.deployment, ANVIL_KEYS[2], U256::from(100 * TOKEN)).await;
    env.anvil.bid(&env.deployment, ANVIL_KEYS[1], id, 10 * TOKEN).await.unwrap();
    env.anvil.bid(&env.deployment, ANVIL_KEYS[2], id, 11 * TOKEN).await.unwrap();
    let view =
        wait_for("bids", Duration::from_secs(10), || async { env.auction(sold).await.filter(|a| a.bid_count == 2) })
            .await;
    let second = commissary_chain::to_domain_address(address_of(ANVIL_KEYS[2]));
    assert_eq!(view.highest_bidder, Some(second));
    assert_eq!(view.highest_bid, Some(TokenAmount::from_u128(11 * TOKEN).unwrap()));
    let chain_min = env.anvil.auction(&env.deployment, id).await;
    assert_eq!(chain_min.highestBid.to::<u128>(), 11 * TOKEN);
    assert_eq!(view.min_next_bid(), U256::from(11 * TOKEN + 11 * TOKEN / 20));
    assert_eq!(env.listing(sold).await.current_price, TokenAmount::from_u128(11 * TOKEN).unwrap());
    let auction_id = view.auction_id;
    let page = env.db().run(move |c| bids::for_auction(c, &auction_id, 10, None)).await.unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].bidder, second, "newest first");
    assert!(page[0].block_number > page[1].block_number);
    let auction_id = view.auction_id;
    let before = Some((page[0].block_number, page[0].log_index));
    let rest = env.db().run(move |c| bids::for_auction(c, &auction_id, 10, before)).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].tx_hash, page[1].tx_hash);

    // Cancel the scheduled one (no bids).
    enqueue_cancel(env.db(), scheduled).await;
    wait_for("cancellation", Duration::from_secs(20), || async {
        (env.listing(scheduled).await.status == ListingStatus::Cancelled).then_some(())
    })
    .await;
    assert_eq!(env.auction(scheduled).await.unwrap().status, AuctionStatus::Cancelled);

    // Both end and are settled by the keeper.
    let settled = wait_for("settlement", Duration::from_secs(30), || async {
        let a = env.auction(sold).await?;
        let b = env.auction(unsold).await?;
        (a.status == AuctionStatus::Settled && b.status == AuctionStatus::Settled).then_some((a, b))
    })
    .await;
    let settlement = settled.0.settlement.clone().unwrap();
    assert_eq!(settlement.winner, Some(second));
    assert_eq!(settlement.amount, TokenAmount::from_u128(11 * TOKEN).unwrap());
    assert_eq!(env.listing(sold).await.status, ListingStatus::Settled);
    assert_eq!(settled.1.settlement.clone().unwrap().winner, None);
    assert_eq!(env.listing(unsold).await.status, ListingStatus::Unsold);

    // Every job finished, nothing failed.
    for listing in [sold, unsold, scheduled] {
        let js = env.db().run(move |c| jobs::for_subject(c, &listing.to_string())).await.unwrap();
        assert!(js.iter().all(|j| j.status == jobs::JobStatus::Done), "{js:#?}");
    }
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindexing_from_scratch_changes_nothing() {
    let env = Env::new().await;
    let now = Utc::now();
    let listing = env.publish("Bass", now - secs(60), now + secs(3600), TOKEN).await;
    let mut worker = env.worker("w1");
    let auction = wait_for("publication", Duration::from_secs(20), || async { env.auction(listing).await }).await;
    let id = auction.auction_id.get();
    env.anvil.fund(&env.deployment, ANVIL_KEYS[1], U256::from(100 * TOKEN)).await;
    for i in 0..3u128 {
        env.anvil.bid(&env.deployment, ANVIL_KEYS[1], id, (2 + i) * TOKEN).await.unwrap();
    }
    let before =
        wait_for("bids", Duration::from_secs(10), || async { env.auction(listing).await.filter(|a| a.bid_count == 3) })
            .await;
    worker.stop().await;
    // Forget the cursor: the indexer applies every event again.
    env.db()
        .run(|c| {
            use commissary_db::chain::schema::{chain_blocks, chain_cursors};
            use diesel::prelude::*;
            diesel::delete(chain_cursors::table).execute(c)?;
            diesel::delete(chain_blocks::table).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let mut worker = env.worker("w2");
    let head = env.anvil.block_number().await as i64;
    let scope = env.config.scope();
    wait_for("reindex", Duration::from_secs(20), || async {
        let scope = scope.clone();
        let cursor = env.db().run(move |c| commissary_db::chain::indexer::cursor(c, &scope)).await.unwrap()?;
        (cursor.block_number >= head).then_some(())
    })
    .await;
    let after = env.auction(listing).await.unwrap();
    assert_eq!(after, before);
    let auction_id = after.auction_id;
    assert_eq!(env.db().run(move |c| bids::for_auction(c, &auction_id, 100, None)).await.unwrap().len(), 3);
    worker.stop().await;
}

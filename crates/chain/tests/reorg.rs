//! Reorgs: a bid removed by a reorganisation disappears from the projection.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use alloy::primitives::U256;
use chrono::Utc;
use commissary_chain::testkit::ANVIL_KEYS;
use commissary_db::chain::bids;
use commissary_domain::TokenAmount;

use common::*;

async fn bid_count(env: &Env, listing: commissary_domain::ListingId) -> Option<u64> {
    Some(env.auction(listing).await?.bid_count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverted_bid_disappears_after_snapshot_revert() {
    let env = Env::new().await;
    let now = Utc::now();
    let listing = env.publish("Rhodes", now - secs(60), now + secs(3600), TOKEN).await;
    let mut worker = env.worker("w1");
    let auction = wait_for("publication", Duration::from_secs(20), || async { env.auction(listing).await }).await;
    let id = auction.auction_id.get();
    env.anvil.fund(&env.deployment, ANVIL_KEYS[1], U256::from(100 * TOKEN)).await;
    let snapshot = env.anvil.snapshot().await;
    env.anvil.bid(&env.deployment, ANVIL_KEYS[1], id, 2 * TOKEN).await.unwrap();
    wait_for("bid indexed", Duration::from_secs(10), || async { (bid_count(&env, listing).await? == 1).then_some(()) })
        .await;
    assert_eq!(env.listing(listing).await.current_price, TokenAmount::from_u128(2 * TOKEN).unwrap());

    assert!(env.anvil.revert(&snapshot).await);
    env.anvil.mine(3).await;
    let view = wait_for("bid rolled back", Duration::from_secs(10), || async {
        env.auction(listing).await.filter(|a| a.bid_count == 0)
    })
    .await;
    assert_eq!(view.highest_bid, None);
    assert_eq!(view.highest_bidder, None);
    assert_eq!(env.listing(listing).await.current_price, TokenAmount::from_u128(TOKEN).unwrap());
    let auction_id = view.auction_id;
    assert!(env.db().run(move |c| bids::for_auction(c, &auction_id, 10, None)).await.unwrap().is_empty());

    // The new chain goes on being followed.
    env.anvil.fund(&env.deployment, ANVIL_KEYS[2], U256::from(100 * TOKEN)).await;
    env.anvil.bid(&env.deployment, ANVIL_KEYS[2], id, 3 * TOKEN).await.unwrap();
    let view = wait_for("new bid", Duration::from_secs(10), || async {
        env.auction(listing).await.filter(|a| a.bid_count == 1)
    })
    .await;
    assert_eq!(view.highest_bid, Some(TokenAmount::from_u128(3 * TOKEN).unwrap()));
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bid_orphaned_by_anvil_reorg_disappears() {
    let env = Env::new().await;
    let now = Utc::now();
    let listing = env.publish("Jazzmaster", now - secs(60), now + secs(3600), TOKEN).await;
    let mut worker = env.worker("w1");
    let auction = wait_for("publication", Duration::from_secs(20), || async { env.auction(listing).await }).await;
    let id = auction.auction_id.get();
    env.anvil.fund(&env.deployment, ANVIL_KEYS[1], U256::from(100 * TOKEN)).await;
    env.anvil.bid(&env.deployment, ANVIL_KEYS[1], id, 2 * TOKEN).await.unwrap();
    wait_for("bid indexed", Duration::from_secs(10), || async { (bid_count(&env, listing).await? == 1).then_some(()) })
        .await;
    // Replace the bid's block (the last one) by an empty block at the same height.
    env.anvil.reorg(1).await;
    wait_for("bid rolled back", Duration::from_secs(10), || async {
        (bid_count(&env, listing).await? == 0).then_some(())
    })
    .await;
    assert_eq!(env.anvil.auction(&env.deployment, id).await.highestBid.to::<u128>(), 0, "the chain agrees");
    worker.stop().await;
}

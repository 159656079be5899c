//! The keeper: settlement latency on an interval-mined chain (also after the chain's clock
//! jumps), many auctions ending together settled in batches, and auctions the chain can no
//! longer settle.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use alloy::primitives::{B256, U256};
use alloy::providers::Provider;
use chrono::Utc;
use commissary_chain::bindings::CommissaryAuction;
use commissary_chain::deploy::wallet_provider;
use commissary_chain::testkit::{ANVIL_KEYS, AnvilOptions, address_of};
use commissary_db::chain::auctions;
use commissary_db::chain::intents;
use commissary_db::chain::schema::{chain_auctions, chain_events, chain_tx_intents};
use commissary_domain::{AuctionStatus, ListingStatus, TokenAmount};
use diesel::prelude::*;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settles_within_two_blocks_of_the_end() {
    let env = Env::with(AnvilOptions { block_time: Some(1), ..Default::default() }).await;
    let now = Utc::now();
    let listing = env.publish("Wah", now - secs(60), now + secs(8), TOKEN).await;
    let mut worker = env.worker("w1");
    let settled = wait_for("settlement", Duration::from_secs(30), || async {
        env.auction(listing).await.filter(|a| a.status == AuctionStatus::Settled)
    })
    .await;
    let end = u64::try_from(settled.ends_at.timestamp()).unwrap();
    let provider = commissary_chain::rpc::provider(&env.anvil.url(), Duration::from_secs(5)).unwrap();
    let tx: B256 = settled.settlement.unwrap().tx_hash.parse().unwrap();
    let settled_in = provider.get_transaction_receipt(tx).await.unwrap().unwrap().block_number.unwrap();
    // The first block at which the auction was over (block.timestamp >= endTime).
    let mut first_over = u64::try_from(settled.created_block).unwrap();
    loop {
        let block = provider.get_block_by_number(first_over.into()).await.unwrap().unwrap();
        if block.header.timestamp >= end {
            break;
        }
        first_over += 1;
    }
    assert!(settled_in <= first_over + 2, "settled in block {settled_in}, over since block {first_over}");
    worker.stop().await;
}

/// The keeper plans its sleep by the chain's clock; a block that jumps that clock past an
/// end (an idle chain, or a test moving time) must wake it, not wait out its plan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settles_soon_after_the_chain_clock_jumps_past_the_end() {
    let env = Env::with(AnvilOptions { block_time: Some(1), ..Default::default() }).await;
    let now = Utc::now();
    let listing = env.publish("Fuzz", now - secs(60), now + secs(3600), TOKEN).await;
    let mut worker = env.worker("w1");
    wait_for("the auction", Duration::from_secs(30), || async { env.auction(listing).await }).await;
    // Let the keeper settle into its sleep until the (distant) end.
    tokio::time::sleep(Duration::from_secs(2)).await;
    env.anvil.increase_time(7200).await;
    env.anvil.mine(1).await;
    // Without the wake-up the keeper would sleep on for up to a minute.
    wait_for("settlement soon after the jump", Duration::from_secs(30), || async {
        env.auction(listing).await.filter(|a| a.status == AuctionStatus::Settled)
    })
    .await;
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_auctions_ending_together_settle_in_batches() {
    let env = Env::new().await;
    create_auctions_ending_together(&env, 200).await;
    assert_eq!(env.anvil.auction_count(&env.deployment).await, 200);
    let mut config = env.config.clone();
    config.settle_batch_size = 50;
    let mut worker = Worker::start(config, env.db().clone(), "w1");
    wait_for("all settled", Duration::from_secs(120), || async {
        let open = env.db().run(|c| auctions::open_by_end(c, 1000)).await.unwrap();
        let total: i64 = env
            .db()
            .run(|c| Ok(commissary_db::chain::schema::chain_auctions::table.count().get_result(c)?))
            .await
            .unwrap();
        (total == 200 && open.is_empty()).then_some(())
    })
    .await;
    let (batches, settled_events): (Vec<Option<String>>, i64) = env
        .db()
        .run(|c| {
            let batches = chain_tx_intents::table
                .filter(chain_tx_intents::kind.eq(intents::IntentKind::SettleMany.as_str()))
                .select(chain_tx_intents::subject)
                .load(c)?;
            let settled =
                chain_events::table.filter(chain_events::event.eq("auction_settled")).count().get_result(c)?;
            Ok((batches, settled))
        })
        .await
        .unwrap();
    assert_eq!(settled_events, 200, "each auction settled exactly once");
    assert!(batches.len() >= 4, "{} batches", batches.len());
    for batch in &batches {
        let ids: Vec<String> = serde_json::from_str(batch.as_deref().unwrap()).unwrap();
        assert!(!ids.is_empty() && ids.len() <= 50);
    }
    worker.stop().await;
}

/// The chain cannot settle an auction the projection still shows as open and due (it was
/// settled or cancelled on chain without the indexer applying it, as the contract's old
/// id-aliasing hole allowed): the keeper reads `getAuction`, reconciles the projection and
/// stops, instead of simulating `settleMany` for it forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciles_auctions_the_chain_already_settled_or_cancelled() {
    let env = Env::new().await;
    let now = Utc::now();
    let sold = env.publish("Settled elsewhere", now - secs(60), now + secs(3600), TOKEN).await;
    let gone = env.publish("Cancelled elsewhere", now - secs(60), now + secs(3600), TOKEN).await;
    let mut worker = env.worker("w1");
    let mut ids = Vec::new();
    for listing in [sold, gone] {
        let auction = wait_for("publication", Duration::from_secs(30), || async { env.auction(listing).await }).await;
        ids.push(auction.auction_id.get());
    }
    worker.stop().await;

    // On chain: a bid on the first, its end passes, someone settles it; the second is
    // cancelled by the lister.
    env.anvil.fund(&env.deployment, ANVIL_KEYS[3], U256::from(10 * TOKEN)).await;
    env.anvil.bid(&env.deployment, ANVIL_KEYS[3], ids[0], 2 * TOKEN).await.unwrap();
    let contract_as = |key: &str| {
        let provider = wallet_provider(&env.anvil.url(), key).unwrap();
        CommissaryAuction::new(env.deployment.auction, provider)
    };
    contract_as(ANVIL_KEYS[0]).cancel(U256::from(ids[1])).send().await.unwrap().get_receipt().await.unwrap();
    env.anvil.increase_time(7200).await;
    env.anvil.mine(1).await;
    contract_as(ANVIL_KEYS[4]).settle(U256::from(ids[0])).send().await.unwrap().get_receipt().await.unwrap();

    // The indexer applies both; then the projection loses them again (as if the events had
    // named another id), so it shows two open auctions that are over.
    let mut worker = env.worker("w2");
    wait_for("indexed", Duration::from_secs(30), || async {
        let open = env.db().run(|c| auctions::open_by_end(c, 10)).await.unwrap();
        open.is_empty().then_some(())
    })
    .await;
    worker.stop().await;
    let settle_intents = || async {
        env.db()
            .run(|c| {
                Ok(chain_tx_intents::table
                    .filter(chain_tx_intents::kind.eq(intents::IntentKind::SettleMany.as_str()))
                    .count()
                    .get_result::<i64>(c)?)
            })
            .await
            .unwrap()
    };
    let intents_before = settle_intents().await;
    env.db()
        .run(|c| {
            diesel::update(chain_auctions::table)
                .set((
                    chain_auctions::status.eq(AuctionStatus::Open.as_str()),
                    chain_auctions::settle_tx_hash.eq(None::<String>),
                    chain_auctions::settle_winner.eq(None::<String>),
                    chain_auctions::settle_amount.eq(None::<String>),
                ))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(env.db().run(|c| auctions::open_by_end(c, 10)).await.unwrap().len(), 2);

    let mut worker = env.worker("w3");
    let settled = wait_for("reconciled", Duration::from_secs(30), || async {
        let a = env.auction(sold).await.unwrap();
        let b = env.auction(gone).await.unwrap();
        (a.status == AuctionStatus::Settled && b.status == AuctionStatus::Cancelled).then_some(a)
    })
    .await;
    // A few more keeper passes: nothing is retried and nothing is sent.
    tokio::time::sleep(Duration::from_secs(2)).await;
    worker.stop().await;
    let bidder = commissary_chain::to_domain_address(address_of(ANVIL_KEYS[3]));
    assert_eq!(settled.winner(), Some(bidder), "the winner comes from getAuction");
    assert_eq!(settled.highest_bid, Some(TokenAmount::from_u128(2 * TOKEN).unwrap()));
    assert_eq!(settled.settlement, None, "the settling transaction is not known");
    assert_eq!(env.listing(sold).await.status, ListingStatus::Settled);
    assert_eq!(env.listing(gone).await.status, ListingStatus::Cancelled);
    assert!(env.db().run(|c| auctions::open_by_end(c, 10)).await.unwrap().is_empty());
    assert_eq!(settle_intents().await, intents_before, "no settlement sent for auctions the chain cannot settle");
}

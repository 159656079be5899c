//! The keeper: settlement latency on an interval-mined chain, and many auctions ending
//! together settled in batches.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use alloy::primitives::B256;
use alloy::providers::Provider;
use chrono::Utc;
use commissary_chain::testkit::AnvilOptions;
use commissary_db::chain::auctions;
use commissary_db::chain::intents;
use commissary_db::chain::schema::{chain_events, chain_tx_intents};
use commissary_domain::AuctionStatus;
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

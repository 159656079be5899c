//! Settlement benchmarks (run with `make bench`): how many blocks after an auction's end
//! the keeper settles it on an interval-mined chain, and how long 200 auctions ending in
//! the same minute take to settle in `settleMany` batches. Real anvil, real worker,
//! SQLite (or PostgreSQL with COMMISSARY_TEST_DATABASE=postgres).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use alloy::primitives::B256;
use alloy::providers::Provider;
use chrono::Utc;
use commissary_chain::testkit::AnvilOptions;
use commissary_db::chain::auctions;
use commissary_domain::AuctionStatus;

use common::*;

const ROUNDS: usize = 5;

async fn latency() {
    let env = Env::with(AnvilOptions { block_time: Some(1), ..Default::default() }).await;
    let mut worker = env.worker("bench");
    let provider = commissary_chain::rpc::provider(&env.anvil.url(), Duration::from_secs(5)).unwrap();
    let mut blocks_after_end = Vec::new();
    let mut seconds_after_end = Vec::new();
    for round in 0..ROUNDS {
        let now = Utc::now();
        let listing = env.publish(&format!("Latency {round}"), now - secs(60), now + secs(6), TOKEN).await;
        let settled = wait_for("settlement", Duration::from_secs(60), || async {
            env.auction(listing).await.filter(|a| a.status == AuctionStatus::Settled)
        })
        .await;
        let end = u64::try_from(settled.ends_at.timestamp()).unwrap();
        let tx: B256 = settled.settlement.unwrap().tx_hash.parse().unwrap();
        let receipt = provider.get_transaction_receipt(tx).await.unwrap().unwrap();
        let settled_in = receipt.block_number.unwrap();
        let mut first_over = u64::try_from(settled.created_block).unwrap();
        loop {
            let block = provider.get_block_by_number(first_over.into()).await.unwrap().unwrap();
            if block.header.timestamp >= end {
                break;
            }
            first_over += 1;
        }
        let settled_block = provider.get_block_by_number(settled_in.into()).await.unwrap().unwrap();
        blocks_after_end.push(settled_in - first_over);
        seconds_after_end.push(settled_block.header.timestamp - end);
    }
    worker.stop().await;
    blocks_after_end.sort_unstable();
    seconds_after_end.sort_unstable();
    println!(
        "settlement latency (anvil --block-time 1, {ROUNDS} auctions): blocks after the first block past the end: \
         min {} / median {} / max {}; chain seconds after the end: min {} / median {} / max {}",
        blocks_after_end[0],
        blocks_after_end[ROUNDS / 2],
        blocks_after_end[ROUNDS - 1],
        seconds_after_end[0],
        seconds_after_end[ROUNDS / 2],
        seconds_after_end[ROUNDS - 1]
    );
}

async fn two_hundred() {
    let env = Env::new().await;
    let last_end = create_auctions_ending_together(&env, 200).await;
    let mut config = env.config.clone();
    config.settle_batch_size = 50;
    let mut worker = Worker::start(config, env.db().clone(), "bench");
    // Automine only mines on transactions: move chain time along with the wall clock.
    let _: serde_json::Value = env.anvil.rpc("evm_setIntervalMining", serde_json::json!([1])).await;
    let wait = last_end.saturating_sub(Utc::now().timestamp() as u64);
    tokio::time::sleep(Duration::from_secs(wait)).await;
    let started = Instant::now();
    wait_for("all settled", Duration::from_secs(300), || async {
        let open = env.db().run(|c| auctions::open_by_end(c, 1000)).await.unwrap();
        open.is_empty().then_some(())
    })
    .await;
    let elapsed = started.elapsed();
    worker.stop().await;
    println!(
        "200 auctions ending within 30 s (batches of 50): all settled and indexed {:.1} s after the last end",
        elapsed.as_secs_f64()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    latency().await;
    two_hundred().await;
}

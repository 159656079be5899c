//! Failures: a worker killed mid-publish or mid-settlement, an auction created by a run
//! that died before recording it, the RPC node down for 30 s, leader failover.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use alloy::primitives::{B256, U256, aliases::U40};
use chrono::Utc;
use commissary_chain::bindings::CommissaryAuction;
use commissary_chain::deploy::{grant_lister, wallet_provider};
use commissary_chain::testkit::{ANVIL_KEYS, AnvilOptions, address_of};
use commissary_db::chain::auctions;
use commissary_db::chain::lease;
use commissary_db::chain::schema::{chain_auctions, chain_events, chain_tx_intents};
use commissary_domain::AuctionStatus;
use commissary_domain::{AuctionTerms, ListingStatus};
use diesel::prelude::*;

use common::*;

async fn count_events(env: &Env, event: &'static str) -> i64 {
    env.db()
        .run(move |c| Ok(chain_events::table.filter(chain_events::event.eq(event)).count().get_result(c)?))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_publish_every_auction_exists_once() {
    let env = Env::new().await;
    let now = Utc::now();
    let mut listings = Vec::new();
    for i in 0..6 {
        listings.push(env.publish(&format!("Pedal {i}"), now - secs(60), now + secs(3600), TOKEN).await);
    }
    // Crash repeatedly at different points of the publication.
    for (round, delay) in [250u64, 500, 900, 1400].into_iter().enumerate() {
        let mut worker = env.worker(&format!("crashing-{round}"));
        tokio::time::sleep(Duration::from_millis(delay)).await;
        worker.kill().await;
    }
    let mut worker = env.worker("survivor");
    for listing in &listings {
        let listing = *listing;
        wait_for("publication", Duration::from_secs(30), || async {
            (env.listing(listing).await.status == ListingStatus::Live).then_some(())
        })
        .await;
    }
    assert_eq!(env.anvil.auction_count(&env.deployment).await, 6, "one auction per listing");
    assert_eq!(count_events(&env, "auction_created").await, 6);
    let ids: std::collections::BTreeSet<String> = {
        let mut ids = std::collections::BTreeSet::new();
        for listing in &listings {
            ids.insert(env.auction(*listing).await.unwrap().auction_id.to_string());
        }
        ids
    };
    assert_eq!(ids.len(), 6);
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adopts_an_auction_created_by_a_run_that_died_before_recording_it() {
    let mut env = Env::new().await;
    env.config.confirmations = 3; // the indexer lags, so the job must search the chain itself
    let now = Utc::now();
    let listing = env.publish("Orphan", now - secs(60), now + secs(3600), TOKEN).await;
    let record = env.listing(listing).await;
    let hash: B256 = record.listing_hash.clone().unwrap().parse().unwrap();
    let terms = AuctionTerms::new(&record.details, hash.0);
    let provider = wallet_provider(&env.anvil.url(), ANVIL_KEYS[0]).unwrap();
    let receipt = CommissaryAuction::new(env.deployment.auction, &provider)
        .createAuction(
            hash,
            alloy::primitives::Uint::<96, 2>::from(terms.reserve_price.as_u128()),
            U40::from(terms.start_time),
            U40::from(terms.end_time),
            terms.min_increment_bps,
            terms.extension_window,
        )
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    let mut worker = env.worker("w1");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(env.anvil.auction_count(&env.deployment).await, 1, "no second auction while the indexer lags");
    env.anvil.mine(4).await;
    let auction = wait_for("adoption", Duration::from_secs(20), || async { env.auction(listing).await }).await;
    assert_eq!(auction.auction_id, "1");
    assert_eq!(env.anvil.auction_count(&env.deployment).await, 1);
    let intents: i64 = env.db().run(|c| Ok(chain_tx_intents::table.count().get_result(c)?)).await.unwrap();
    assert_eq!(intents, 0, "nothing was sent");
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_settlement_batch_every_auction_settles_once() {
    let mut env = Env::new().await;
    env.config.settle_batch_size = 10;
    let lister = ANVIL_KEYS[8];
    grant_lister(&env.anvil.url(), ANVIL_KEYS[0], env.deployment.auction, address_of(lister)).await.unwrap();
    let provider = wallet_provider(&env.anvil.url(), lister).unwrap();
    let contract = CommissaryAuction::new(env.deployment.auction, &provider);
    let now = Utc::now().timestamp() as u64;
    for i in 0..60u64 {
        let receipt = contract
            .createAuction(
                B256::from(U256::from(i + 1)),
                alloy::primitives::Uint::<96, 2>::from(TOKEN),
                U40::from(now - 60),
                U40::from(now + 10 + i % 4),
                500,
                0,
            )
            .send()
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        assert!(receipt.status());
    }
    let settle_intents = || async {
        env.db()
            .run(|c| {
                Ok(chain_tx_intents::table
                    .filter(chain_tx_intents::kind.eq("settle_many"))
                    .count()
                    .get_result::<i64>(c)?)
            })
            .await
            .unwrap()
    };
    let mut worker = env.worker("w1");
    wait_for("first batch", Duration::from_secs(30), || async { (settle_intents().await > 0).then_some(()) }).await;
    worker.kill().await;
    let mut worker = env.worker("w2");
    tokio::time::sleep(Duration::from_millis(2600)).await;
    worker.kill().await;
    let mut worker = env.worker("w3");
    wait_for("all settled", Duration::from_secs(40), || async {
        let open = env.db().run(|c| auctions::open_by_end(c, 1000)).await.unwrap();
        let total: i64 = env.db().run(|c| Ok(chain_auctions::table.count().get_result(c)?)).await.unwrap();
        (total == 60 && open.is_empty()).then_some(())
    })
    .await;
    assert_eq!(count_events(&env, "auction_settled").await, 60, "each auction settled exactly once");
    for id in [1u64, 30, 60] {
        assert_eq!(env.anvil.auction(&env.deployment, id).await.status, 2, "settled on chain");
    }
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catches_up_after_the_rpc_node_was_down_for_30_seconds() {
    let mut env = Env::with(AnvilOptions { block_time: Some(1), ..Default::default() }).await;
    let now = Utc::now();
    let before = env.publish("Before", now - secs(60), now + secs(15), TOKEN).await;
    let mut worker = env.worker("w1");
    let auction = wait_for("publication", Duration::from_secs(20), || async { env.auction(before).await }).await;
    let id = auction.auction_id.get();
    env.anvil.fund(&env.deployment, ANVIL_KEYS[1], U256::from(100 * TOKEN)).await;
    env.anvil.bid(&env.deployment, ANVIL_KEYS[1], id, 2 * TOKEN).await.unwrap();
    wait_for("bid", Duration::from_secs(10), || async { env.auction(before).await.filter(|a| a.bid_count == 1) }).await;

    env.anvil.stop().await;
    let during = env.publish("During", Utc::now() - secs(60), Utc::now() + secs(3600), TOKEN).await;
    tokio::time::sleep(Duration::from_secs(30)).await; // "before" ends meanwhile
    assert_eq!(env.listing(during).await.status, ListingStatus::Publishing);
    env.anvil.restart().await;
    let restarted = Instant::now();

    let settled = wait_for("settlement after the outage", Duration::from_secs(30), || async {
        env.auction(before).await.filter(|a| a.status == AuctionStatus::Settled)
    })
    .await;
    assert_eq!(
        settled.settlement.unwrap().winner,
        Some(commissary_chain::to_domain_address(address_of(ANVIL_KEYS[1])))
    );
    wait_for("publication after the outage", Duration::from_secs(30), || async {
        (env.listing(during).await.status == ListingStatus::Live).then_some(())
    })
    .await;
    assert!(restarted.elapsed() < Duration::from_secs(30));
    assert_eq!(env.anvil.auction_count(&env.deployment).await, 2);
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_leader_at_a_time_and_failover_after_a_kill() {
    let env = Env::new().await;
    let scope = env.config.scope();
    let holder = || async {
        let scope = scope.clone();
        env.db().run(move |c| lease::current(c, &scope)).await.unwrap()
    };
    let mut a = Worker::start(env.config.clone(), env.db().clone(), "replica-a");
    wait_for("a leads", Duration::from_secs(10), || async { holder().await.filter(|l| l.holder == "replica-a") }).await;
    let mut b = Worker::start(env.config.clone(), env.tdb.connect_again(), "replica-b");
    let now = Utc::now();
    let listing = env.publish("Shared", now - secs(60), now + secs(8), TOKEN).await;
    wait_for("publication", Duration::from_secs(20), || async { env.auction(listing).await }).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let held = holder().await.unwrap();
    assert_eq!(held.holder, "replica-a", "b stays on standby while a renews");

    a.kill().await;
    let killed = Instant::now();
    let took_over = wait_for("b takes over", Duration::from_secs(10), || async {
        holder().await.filter(|l| l.holder == "replica-b")
    })
    .await;
    assert!(killed.elapsed() < Duration::from_secs(5), "failover took {:?}", killed.elapsed());
    assert_eq!(took_over.epoch, held.epoch + 1);
    // The new leader's keeper settles the auction.
    wait_for("settlement by b", Duration::from_secs(30), || async {
        env.auction(listing).await.filter(|a| a.status == AuctionStatus::Settled)
    })
    .await;
    assert_eq!(count_events(&env, "auction_settled").await, 1);
    b.stop().await;
    let released = holder().await.unwrap();
    assert!(released.expires_at <= Utc::now(), "a graceful stop releases the lease");
}

//! The sender: stuck transactions get their fee bumped, a nonce taken by another
//! transaction is resynchronised from the chain, and no intent is mined twice.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use alloy::primitives::U256;
use chrono::Utc;
use commissary_chain::bindings::AmpledToken;
use commissary_chain::deploy::wallet_provider;
use commissary_chain::testkit::ANVIL_KEYS;
use commissary_db::chain::intents::{self, IntentStatus};
use commissary_db::chain::schema::chain_tx_intents;
use commissary_domain::ListingStatus;
use diesel::prelude::*;

use common::*;

async fn create_intents(env: &Env) -> Vec<intents::Intent> {
    env.db()
        .run(|c| {
            let ids: Vec<String> = chain_tx_intents::table
                .filter(chain_tx_intents::kind.eq(intents::IntentKind::CreateAuction.as_str()))
                .select(chain_tx_intents::id)
                .load(c)?;
            ids.iter().map(|id| intents::get(c, id)).collect()
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stuck_transaction_is_replaced_with_a_higher_fee() {
    let mut env = Env::new().await;
    env.config.stuck_after = Duration::from_secs(1);
    env.anvil.set_automine(false).await;
    let now = Utc::now();
    let listing = env.publish("Stuck", now - secs(60), now + secs(3600), TOKEN).await;
    let mut worker = env.worker("w1");
    let intent = wait_for("a fee bump", Duration::from_secs(20), || async {
        create_intents(&env).await.into_iter().find(|i| i.attempts >= 2)
    })
    .await;
    let id = intent.id.clone();
    let attempts = env.db().run(move |c| intents::attempts(c, &id)).await.unwrap();
    assert!(attempts.iter().all(|a| a.nonce == attempts[0].nonce), "replacements keep the nonce");
    let fee = |a: &intents::Attempt| a.max_fee_per_gas.parse::<u128>().unwrap();
    assert!(fee(&attempts[1]) > fee(&attempts[0]));
    env.anvil.set_automine(true).await;
    env.anvil.mine(1).await;
    wait_for("publication", Duration::from_secs(20), || async {
        (env.listing(listing).await.status == ListingStatus::Live).then_some(())
    })
    .await;
    // The indexer may see the block before the sender looks at the receipts.
    let intent = wait_for("mined", Duration::from_secs(10), || async {
        create_intents(&env).await.into_iter().find(|i| i.status == IntentStatus::Mined)
    })
    .await;
    let id = intent.id.clone();
    let attempts = env.db().run(move |c| intents::attempts(c, &id)).await.unwrap();
    assert!(
        attempts.iter().any(|a| Some(&a.tx_hash) == intent.tx_hash.as_ref()),
        "the mined one is one of the attempts"
    );
    assert_eq!(env.anvil.auction_count(&env.deployment).await, 1);
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonce_taken_by_another_transaction_is_resynchronised() {
    let mut env = Env::new().await;
    env.config.stuck_after = Duration::from_secs(60);
    env.anvil.set_automine(false).await;
    let now = Utc::now();
    let listing = env.publish("Nonce", now - secs(60), now + secs(3600), TOKEN).await;
    let mut worker = env.worker("w1");
    let intent = wait_for("sent", Duration::from_secs(20), || async {
        create_intents(&env).await.into_iter().find(|i| i.status == IntentStatus::Sent)
    })
    .await;
    let nonce = intent.nonce.unwrap() as u64;
    // Someone else uses the operator key: same nonce, far higher fee, replaces ours.
    let provider = wallet_provider(&env.anvil.url(), ANVIL_KEYS[0]).unwrap();
    let _foreign = AmpledToken::new(env.deployment.token, &provider)
        .approve(env.deployment.auction, U256::from(1))
        .nonce(nonce)
        .gas(100_000)
        .max_fee_per_gas(500_000_000_000)
        .max_priority_fee_per_gas(200_000_000_000)
        .send()
        .await
        .unwrap();
    env.anvil.mine(1).await;
    env.anvil.set_automine(true).await;
    wait_for("publication", Duration::from_secs(30), || async {
        (env.listing(listing).await.status == ListingStatus::Live).then_some(())
    })
    .await;
    let intent = wait_for("mined", Duration::from_secs(10), || async {
        create_intents(&env).await.into_iter().find(|i| i.status == IntentStatus::Mined)
    })
    .await;
    assert!(intent.nonce.unwrap() as u64 > nonce, "re-sent with a fresh nonce");
    assert_eq!(env.anvil.auction_count(&env.deployment).await, 1);
    worker.stop().await;
}

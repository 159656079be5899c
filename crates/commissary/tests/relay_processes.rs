//! Crash safety of relayed bids in the real `commissary serve` process. The service reaches
//! anvil through a JSON-RPC proxy that can hold the relayer's `eth_sendRawTransaction`, so
//! the SIGKILL lands exactly where it must: once after a relay is recorded but before its
//! transaction reaches the node, and once after the node took it but before the service
//! heard back. After each restart the bid is on chain exactly once. Backend from
//! COMMISSARY_TEST_DATABASE.

use std::sync::atomic::Ordering;
use std::time::Duration;

use alloy::primitives::U256;
use alloy::providers::Provider;
use alloy::rpc::types::Filter;
use alloy::sol_types::SolEvent;
use chrono::Duration as ChronoDuration;

use commissary_chain::bindings::CommissaryAuction;
use commissary_chain::deploy::{self, Deployment};
use commissary_chain::testkit::{ANVIL_KEYS, Anvil, address_of};
use commissary_db::testkit::TestDb;
use commissary_db::{Db, relay as relay_store};
use commissary_domain::relay::RelayStatus;

mod common;
use common::Service;
use common::chain::{is_published, queue_listings, relay_sections, statuses, wait_until};
use common::member::{relay_bid, signed_in};
use common::rpc_proxy::{FORWARD, HOLD, RpcProxy, SWALLOW_REPLY};

const RELAYER: usize = 6;
const AMPLED: u128 = 1_000_000_000_000_000_000;
/// A member without any ETH (not an anvil account): a public test fixture.
const GASLESS: &str = "0x7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee0003";

async fn relay_status(db: &Db, id: &str) -> RelayStatus {
    let id = id.to_owned();
    db.run(move |c| relay_store::get(c, &id)).await.expect("relay").status
}

/// The relayer's transactions in mined blocks, and the bids on chain.
async fn chain_counts(anvil: &Anvil, deployment: &Deployment) -> (u64, Vec<(String, U256)>) {
    let provider = commissary_chain::rpc::provider(&anvil.url(), Duration::from_secs(5)).expect("provider");
    let sent = provider.get_transaction_count(address_of(ANVIL_KEYS[RELAYER])).await.expect("nonce");
    let filter = Filter::new()
        .address(deployment.auction)
        .event_signature(CommissaryAuction::BidPlaced::SIGNATURE_HASH)
        .from_block(0);
    let bids = provider
        .get_logs(&filter)
        .await
        .expect("logs")
        .iter()
        .map(|log| {
            let bid = CommissaryAuction::BidPlaced::decode_log(&log.inner).expect("BidPlaced");
            (bid.bidder.to_checksum(None), U256::from(bid.amount))
        })
        .collect();
    (sent, bids)
}

#[tokio::test]
async fn a_relay_killed_before_or_after_its_send_is_on_chain_exactly_once() {
    let anvil = Anvil::spawn().await;
    let (deployment, mut chain) = anvil.deploy().await;
    let proxy = RpcProxy::start(anvil.url()).await;
    chain.rpc_url = proxy.url();
    let test_db = TestDb::new().await;
    let db = test_db.db.clone();
    let dir = tempfile::tempdir().expect("dir");
    let sections = relay_sections(&chain, ANVIL_KEYS[RELAYER]);
    let start = |name: &str| Service::start(dir.path(), name, &test_db.url, &sections);

    let ids = queue_listings(&db, 1, ChronoDuration::minutes(30)).await;
    let mut first = start("first");
    first.wait_ready().await;
    wait_until("the listing to be published", Duration::from_secs(60), async || {
        statuses(&db, &ids).await.iter().all(is_published)
    })
    .await;
    let listing = ids[0].to_string();
    deploy::mint(&anvil.url(), ANVIL_KEYS[0], deployment.token, address_of(GASLESS), U256::from(100 * AMPLED))
        .await
        .expect("mint");
    let (relayer_sent_before, _) = chain_counts(&anvil, &deployment).await;

    // 1. Killed after recording, before the transaction reached the node.
    let member = signed_in(first.port, GASLESS).await;
    proxy.set(HOLD);
    let held = relay_bid(first.port, &member, GASLESS, &listing, 20 * AMPLED).await;
    wait_until("the relayer to try sending", Duration::from_secs(30), async || {
        proxy.intercepted.load(Ordering::SeqCst) >= 1
    })
    .await;
    first.kill();
    assert_eq!(chain_counts(&anvil, &deployment).await, (relayer_sent_before, vec![]), "nothing reached the node");
    assert_ne!(relay_status(&db, &held).await, RelayStatus::Mined);
    proxy.set(FORWARD);
    let second = start("second");
    wait_until("the held relay to be mined after the restart", Duration::from_secs(60), async || {
        relay_status(&db, &held).await == RelayStatus::Mined
    })
    .await;
    let me = address_of(GASLESS).to_checksum(None);
    assert_eq!(
        chain_counts(&anvil, &deployment).await,
        (relayer_sent_before + 1, vec![(me.clone(), U256::from(20 * AMPLED))]),
        "sent exactly once"
    );

    // 2. Killed after the node took the transaction, before the service heard back.
    let mut second = second;
    let member = signed_in(second.port, GASLESS).await;
    proxy.set(SWALLOW_REPLY);
    let swallowed = relay_bid(second.port, &member, GASLESS, &listing, 30 * AMPLED).await;
    wait_until("the node to take the raise", Duration::from_secs(30), async || {
        proxy.intercepted.load(Ordering::SeqCst) >= 1
    })
    .await;
    second.kill();
    proxy.set(FORWARD);
    let _third = start("third");
    wait_until("the swallowed relay to read mined after the restart", Duration::from_secs(60), async || {
        relay_status(&db, &swallowed).await == RelayStatus::Mined
    })
    .await;
    // Give a wrongly repeated send the time to land before counting.
    anvil.mine(3).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        chain_counts(&anvil, &deployment).await,
        (relayer_sent_before + 2, vec![(me.clone(), U256::from(20 * AMPLED)), (me, U256::from(30 * AMPLED))]),
        "each relay on chain exactly once"
    );
}

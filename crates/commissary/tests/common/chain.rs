//! A real `commissary serve` on a real anvil: its `[chain]` configuration, listings queued
//! for publication as the publish endpoint would, and polling helpers.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{Duration as ChronoDuration, Utc};

use commissary_chain::ChainConfig;
use commissary_chain::testkit::ANVIL_KEYS;
use commissary_db::Db;
use commissary_db::listings;
use commissary_db::testkit::queue_listing;
use commissary_domain::{Address, ListingId, ListingStatus};

use super::Service;

/// `[log]` and `[chain]` for a service on `chain` with short timeouts.
pub fn chain_sections(chain: &ChainConfig) -> String {
    format!(
        r#"[log]
filter = "info,commissary_chain=debug"
[chain]
rpc_url = "{rpc}"
chain_id = 31337
auction_address = "{auction}"
token_address = "{token}"
deployment_block = {block}
confirmations = 0
operator_key = "{key}"
poll_interval = "200ms"
settle_batch_size = {batch}
lease_ttl = "2s"
stuck_after = "5s"
rpc_timeout = "2s"
job_visibility = "5s"
max_backoff = "1s"
"#,
        rpc = chain.rpc_url,
        auction = chain.auction_address,
        token = chain.token_address,
        block = chain.deployment_block,
        key = ANVIL_KEYS[0],
        batch = chain.settle_batch_size,
    )
}

/// [`chain_sections`] plus `[relay]` with the relayer's key `relayer_key`.
pub fn relay_sections(chain: &ChainConfig, relayer_key: &str) -> String {
    format!("{}[relay]\nrelayer_key = \"{relayer_key}\"\n", chain_sections(chain))
}

pub fn start(dir: &Path, name: &str, database_url: &str, chain: &ChainConfig) -> Service {
    Service::start(dir, name, database_url, &chain_sections(chain))
}

pub fn steward() -> Address {
    Address(commissary_chain::testkit::address_of(ANVIL_KEYS[0]).into_array())
}

/// Creates and queues `count` listings ending `ends_in` from now, as the publish endpoint
/// would (`commissary_db::testkit::queue_listing`).
pub async fn queue_listings(db: &Db, count: usize, ends_in: ChronoDuration) -> Vec<ListingId> {
    let now = Utc::now();
    db.run(move |conn| {
        (0..count).map(|i| queue_listing(conn, &format!("Crash-test cymbal #{i}"), steward(), ends_in, now)).collect()
    })
    .await
    .expect("queue")
}

pub async fn statuses(db: &Db, ids: &[ListingId]) -> Vec<ListingStatus> {
    let ids = ids.to_vec();
    db.run(move |conn| ids.iter().map(|id| listings::get(conn, *id).map(|l| l.status)).collect())
        .await
        .expect("statuses")
}

pub async fn wait_until(what: &str, timeout: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn is_published(s: &ListingStatus) -> bool {
    matches!(s, ListingStatus::Scheduled | ListingStatus::Live | ListingStatus::Ended)
}

/// The on-chain auction of a published listing.
pub async fn auction_of(db: &Db, id: ListingId) -> u64 {
    db.run(move |conn| listings::get(conn, id))
        .await
        .expect("listing")
        .auction_id
        .expect("on chain")
        .parse()
        .expect("numeric auction id")
}

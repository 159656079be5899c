//! Shared helpers of the chain tests: listings in `publishing`, workers, waiting.
#![allow(dead_code)]

use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use commissary_chain::testkit::{Anvil, AnvilOptions};
use commissary_chain::{ChainConfig, ChainWorker, deploy::Deployment};
use commissary_db::Db;
use commissary_db::chain::auctions;
use commissary_db::chain::jobs::{self, Job};
use commissary_db::listings::{self, ListingRecord};
use commissary_db::testkit::TestDb;
use commissary_domain::listing::{Fulfilment, Pickup, Shipping};
use commissary_domain::{
    Address, AuctionState, Category, Condition, ListingDetails, ListingDocument, ListingId, ListingTransition,
    Schedule, TokenAmount,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use commissary_domain::ONE_AMPLED as TOKEN;

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .with_test_writer()
        .try_init();
}

pub struct Env {
    pub anvil: Anvil,
    pub deployment: Deployment,
    pub config: ChainConfig,
    pub tdb: TestDb,
}

impl Env {
    pub async fn new() -> Self {
        Self::with(AnvilOptions::default()).await
    }

    pub async fn with(options: AnvilOptions) -> Self {
        init_tracing();
        let anvil = Anvil::spawn_with(options).await;
        let (deployment, config) = anvil.deploy().await;
        let tdb = TestDb::new().await;
        Self { anvil, deployment, config, tdb }
    }

    pub fn db(&self) -> &Db {
        &self.tdb.db
    }

    pub fn worker(&self, id: &str) -> Worker {
        Worker::start(self.config.clone(), self.db().clone(), id)
    }

    /// A listing in `publishing` (as the API leaves it) with its publish job enqueued.
    pub async fn publish(
        &self,
        title: &str,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        reserve: u128,
    ) -> ListingId {
        publish_on(self.db(), title, starts_at, ends_at, reserve).await
    }

    pub async fn auction(&self, listing: ListingId) -> Option<AuctionState> {
        self.db().run(move |c| auctions::for_listing(c, listing)).await.unwrap()
    }

    pub async fn listing(&self, listing: ListingId) -> ListingRecord {
        self.db().run(move |c| listings::get(c, listing)).await.unwrap()
    }
}

pub fn details(title: &str, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, reserve: u128) -> ListingDetails {
    ListingDetails {
        title: title.into(),
        description: "Donated by a member.".into(),
        category: Category::Amplifiers,
        condition: Condition::Good,
        donor_credit: None,
        reserve_price: TokenAmount::from_u128(reserve).unwrap(),
        schedule: Schedule { starts_at: trunc(starts_at), ends_at: trunc(ends_at) },
        min_increment_bps: 500,
        extension_secs: 0,
        fulfilment: Fulfilment {
            pickup: Pickup { available: true, location: Some("Leeds".into()) },
            shipping: Shipping::default(),
        },
    }
}

fn trunc(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap()
}

pub async fn publish_on(
    db: &Db,
    title: &str,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reserve: u128,
) -> ListingId {
    publish_details(db, details(title, starts_at, ends_at, reserve)).await
}

pub async fn publish_details(db: &Db, details: ListingDetails) -> ListingId {
    let steward = Address::parse("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266").unwrap();
    db.transaction(move |c| {
        let now = Utc::now();
        let mut record = ListingRecord::new_draft(details, steward, now);
        listings::insert(c, &record)?;
        let document = ListingDocument::new(&record.details, &[]);
        record.listing_document = Some(document.as_str().to_owned());
        record.listing_hash = Some(document.hash_hex());
        // As the API does it: freeze the document, then draft -> publishing + job.
        use commissary_db::schema::listings as l;
        use diesel::prelude::*;
        diesel::update(l::table.find(record.id.to_string()))
            .set((l::listing_document.eq(&record.listing_document), l::listing_hash.eq(&record.listing_hash)))
            .execute(c)?;
        listings::transition(c, record.id, ListingTransition::Publish, now)?;
        jobs::enqueue(c, &Job::PublishListing { listing_id: record.id }, now)?;
        Ok(record.id)
    })
    .await
    .unwrap()
}

pub async fn enqueue_cancel(db: &Db, listing: ListingId) {
    db.run(move |c| jobs::enqueue(c, &Job::CancelListing { listing_id: listing }, Utc::now())).await.unwrap();
}

/// A running worker; `kill` drops it mid-flight like a crashed process.
pub struct Worker {
    pub handle: Option<JoinHandle<()>>,
    pub shutdown: CancellationToken,
}

impl Worker {
    pub fn start(config: ChainConfig, db: Db, id: &str) -> Self {
        let shutdown = CancellationToken::new();
        let worker = ChainWorker::new(config, db, id.to_owned()).unwrap();
        let token = shutdown.clone();
        let handle = tokio::spawn(async move {
            if let Err(error) = worker.run(token).await {
                panic!("worker failed: {error}");
            }
        });
        Self { handle: Some(handle), shutdown }
    }

    /// Aborts the worker task (no cleanup, the lease is left to expire).
    pub async fn kill(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.abort();
            let _ = handle.await;
        }
    }

    pub async fn stop(&mut self) {
        self.shutdown.cancel();
        if let Some(handle) = self.handle.take() {
            tokio::time::timeout(Duration::from_secs(10), handle).await.expect("worker stops").unwrap();
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.abort();
        }
    }
}

/// Polls `check` every 100 ms until it returns `Some`, or panics after `timeout`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(start.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn secs(s: i64) -> chrono::Duration {
    chrono::Duration::seconds(s)
}

/// Creates `count` auctions directly on chain (from anvil account 8, granted LISTER_ROLE,
/// so the operator's nonce stays the sender's alone), ending 20 to 49 s from now, the
/// ends spread over 30 s. Returns the latest end (unix seconds).
pub async fn create_auctions_ending_together(env: &Env, count: u64) -> u64 {
    use alloy::primitives::{B256, U256, aliases::U40};
    use commissary_chain::bindings::CommissaryAuction;
    use commissary_chain::deploy::{grant_lister, wallet_provider};
    use commissary_chain::testkit::{ANVIL_KEYS, address_of};

    let lister = ANVIL_KEYS[8];
    grant_lister(&env.anvil.url(), ANVIL_KEYS[0], env.deployment.auction, address_of(lister)).await.unwrap();
    let provider = wallet_provider(&env.anvil.url(), lister).unwrap();
    let contract = CommissaryAuction::new(env.deployment.auction, &provider);
    let now = Utc::now().timestamp() as u64;
    let mut pending = Vec::new();
    for i in 0..count {
        let call = contract
            .createAuction(
                B256::from(U256::from(i + 1)),
                alloy::primitives::Uint::<96, 2>::from(TOKEN),
                U40::from(now - 60),
                U40::from(now + 20 + i % 30),
                500,
                0,
            )
            .gas(200_000)
            .nonce(i)
            .send()
            .await
            .unwrap_or_else(|e| panic!("create {i}: {e}"));
        pending.push(call);
    }
    for call in pending {
        assert!(call.get_receipt().await.unwrap().status());
    }
    now + 20 + count.min(30).saturating_sub(1)
}

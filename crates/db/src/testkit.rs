//! Test support (cargo feature `testkit`): a fresh, migrated database per test, a SQLite
//! file or a PostgreSQL database chosen by `COMMISSARY_TEST_DATABASE=sqlite|postgres`.
#![allow(clippy::unwrap_used)]

use diesel::{Connection, RunQueryDsl};

use crate::{Db, DbOptions};

/// Which backend tests use: `COMMISSARY_TEST_DATABASE=sqlite|postgres` (default sqlite).
pub fn use_postgres() -> bool {
    match std::env::var("COMMISSARY_TEST_DATABASE").as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("COMMISSARY_TEST_DATABASE must be sqlite or postgres, not {other:?}"),
    }
}

fn postgres_admin_url() -> String {
    std::env::var("COMMISSARY_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn run_admin(sql: String) {
    let mut conn = diesel::pg::PgConnection::establish(&postgres_admin_url()).expect("connect to PostgreSQL as admin");
    diesel::sql_query(sql).execute(&mut conn).expect("admin statement");
}

/// A fresh, migrated database (SQLite file or PostgreSQL database), removed on drop.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    postgres_db: Option<String>,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb").field("url", &self.url).finish()
    }
}

impl TestDb {
    /// On the backend `COMMISSARY_TEST_DATABASE` selects.
    pub async fn new() -> Self {
        Self::on(use_postgres()).await
    }

    /// On PostgreSQL (`true`) or SQLite, whatever the environment says: for tests that
    /// compare the two backends.
    pub async fn on(postgres: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (url, postgres_db) = if postgres {
            let name = format!("commissary_test_{}", uuid::Uuid::new_v4().simple());
            let statement = format!("CREATE DATABASE {name}");
            tokio::task::spawn_blocking(move || run_admin(statement)).await.unwrap();
            let admin = postgres_admin_url();
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base).to_owned();
            (format!("{base}/{name}"), Some(name))
        } else {
            (format!("sqlite://{}", dir.path().join("commissary.db").display()), None)
        };
        let mut options = DbOptions::new(url.clone());
        options.pool_size = 6;
        let db = Db::connect(&options).unwrap();
        db.migrate().await.unwrap();
        Self { db, url, postgres_db, _dir: dir }
    }

    /// Another pool on the same database (a second replica).
    pub fn connect_again(&self) -> Db {
        let mut options = DbOptions::new(self.url.clone());
        options.pool_size = 6;
        Db::connect(&options).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.postgres_db.take() {
            let _ =
                std::thread::spawn(move || run_admin(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).join();
        }
    }
}

/// Creates a listing and queues its publication, as the publish endpoint would, for
/// process tests and benchmarks that drive the real chain worker: started five minutes ago
/// (so even a short auction lasts the minimum), ending `ends_in` from `now`, reserve 1,000
/// base units, no extension.
pub fn queue_listing(
    conn: &mut crate::DbConnection,
    title: &str,
    steward: commissary_domain::Address,
    ends_in: chrono::Duration,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::DbResult<commissary_domain::ListingId> {
    let input = commissary_domain::ListingInput {
        title: Some(title.into()),
        category: Some("instruments".into()),
        condition: Some("good".into()),
        reserve_price: Some("1000".into()),
        starts_at: Some((now - chrono::Duration::minutes(5)).to_rfc3339()),
        ends_at: Some((now + ends_in).to_rfc3339()),
        extension_secs: Some(0),
        ..Default::default()
    };
    let details = commissary_domain::ListingDetails::create(input, now).expect("a valid test listing");
    let record = crate::listings::ListingRecord::new_draft(details, steward, now);
    crate::listings::insert(conn, &record)?;
    crate::publication::queue_publication(conn, record.id, now)?;
    Ok(record.id)
}

/// A deterministic catalogue of gear for search tests and the read benchmark: listing `i`
/// is "{Brand} {kind} item {i}", its description names another brand, so a query finds
/// some listings by title and some by description only.
pub mod corpus {
    use chrono::{DateTime, Duration, Utc};
    use commissary_domain::{
        Address, AuctionEvent, AuctionId, ListingDetails, ListingId, ListingInput, LoggedEvent, TokenAmount,
    };

    use crate::chain::indexer::{self, BlockRef, Cursor};
    use crate::listings::{self, ListingRecord};
    use crate::photos::{self, NewPhoto, RenditionRef};
    use crate::{DbConnection, DbResult};

    const BRANDS: [&str; 10] =
        ["Fender", "Gibson", "Vox", "Marshall", "Höfner", "Roland", "Shure", "Boss", "Korg", "Yamaha"];
    const KINDS: [&str; 7] = ["amplifier", "guitar", "pedal", "microphone", "synth", "bass", "drum machine"];
    const CATEGORIES: [&str; 4] = ["amplifiers", "instruments", "effects", "audio"];
    /// What the parity test and the benchmark search for.
    pub const QUERIES: [&str; 10] = [
        "item 99",
        "fend",
        "fender amp",
        "FENDER",
        "höfner bass",
        "marshall",
        "roland syn",
        "gear",
        "item 1234",
        "zzz",
    ];
    const STEWARD: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    const BIDDER: &str = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

    pub fn title(i: usize) -> String {
        format!("{} {} item {i}", BRANDS[i % BRANDS.len()], KINDS[i % KINDS.len()])
    }

    /// Listing `i`: a distinct end, price and creation time, so every sort has one order
    /// (no ties left to the random ids) on both backends.
    pub fn record(i: usize, now: DateTime<Utc>) -> ListingRecord {
        let other = BRANDS[(i * 3 + 1) % BRANDS.len()];
        let input = ListingInput {
            title: Some(title(i)),
            description: Some(format!("Donated gear, plays well with {other}; serviced by member {}.", i % 97)),
            category: Some(CATEGORIES[i % CATEGORIES.len()].into()),
            condition: Some("good".into()),
            reserve_price: Some(format!("{}", 1_000_000_000_000_000_000u128 + (i as u128 * 7919) % 1_000_003)),
            starts_at: Some((now - Duration::minutes(10)).to_rfc3339()),
            ends_at: Some((now + Duration::hours(2) + Duration::seconds(i as i64 * 7)).to_rfc3339()),
            ..Default::default()
        };
        let details = ListingDetails::create(input, now).expect("a valid corpus listing");
        let steward = Address::parse(STEWARD).expect("address");
        ListingRecord::new_draft(details, steward, now + Duration::microseconds(i as i64))
    }

    fn block(number: i64, time: DateTime<Utc>) -> BlockRef {
        BlockRef {
            block_number: number,
            block_hash: format!("0x{number:064x}"),
            parent_hash: format!("0x{:064x}", number - 1),
            block_time: time.timestamp(),
        }
    }

    /// `n` listings, each with one photo row, published and live as the indexer records
    /// them (block 10), every `bid_every`-th with a bid (block 11). Returns their ids.
    pub fn seed(conn: &mut DbConnection, n: usize, bid_every: usize, now: DateTime<Utc>) -> DbResult<Vec<ListingId>> {
        let mut ids = Vec::with_capacity(n);
        let mut created = Vec::with_capacity(n);
        let mut bids = Vec::new();
        crate::connection::transaction(conn, |conn| {
            for i in 0..n {
                let record = record(i, now);
                let id = record.id;
                listings::insert(conn, &record)?;
                let key = format!("{:064x}", i);
                let rendition = |name: &str, width| RenditionRef {
                    name: name.into(),
                    width,
                    height: width * 3 / 4,
                    key: format!("{key}-{name}.jpg"),
                    content_type: "image/jpeg".into(),
                };
                let photo = NewPhoto {
                    sha256: key.clone(),
                    width: 4000,
                    height: 3000,
                    renditions: vec![rendition("full", 4000), rendition("w320", 320), rendition("w1024", 1024)],
                };
                photos::add(conn, id, photo, now)?;
                let document = crate::publication::queue_publication(conn, id, now)?;
                let auction = i as u64 + 1;
                let logged = |number: i64, event| LoggedEvent {
                    tx_hash: format!("0x{:056x}{number:08x}", auction),
                    log_index: 0,
                    block_number: number,
                    block_hash: format!("0x{number:064x}"),
                    block_time: now,
                    auction_id: AuctionId::new(auction),
                    event,
                };
                let end = record.details.schedule.ends_at;
                created.push(logged(
                    10,
                    AuctionEvent::AuctionCreated {
                        listing_hash: document.hash_hex(),
                        reserve_price: record.details.reserve_price,
                        start_time: record.details.schedule.starts_at,
                        end_time: end,
                        min_increment_bps: record.details.min_increment_bps,
                        extension_secs: record.details.extension_secs,
                    },
                ));
                if bid_every > 0 && i % bid_every == 0 {
                    let amount = record.details.reserve_price.to_string();
                    bids.push(logged(
                        11,
                        AuctionEvent::BidPlaced {
                            bidder: Address::parse(BIDDER).expect("address"),
                            amount: TokenAmount::parse(&amount).expect("amount"),
                            end_time: end,
                        },
                    ));
                }
                ids.push(id);
            }
            Ok(())
        })?;
        indexer::apply_range(conn, "corpus", None, &[], &created, &block(10, now), now)?;
        let cursor = Cursor { block_number: 10, block_hash: block(10, now).block_hash };
        indexer::apply_range(conn, "corpus", Some(&cursor), &[], &bids, &block(11, now), now)?;
        Ok(ids)
    }
}

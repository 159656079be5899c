//! What the benchmarks share: `commissary serve` as a child process (the benchmark
//! re-executed with `serve CONFIG`, so the server's memory is measured apart from its
//! clients), the in-process server that child runs, and a live listing on chain.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;

use commissary::Config;
use commissary_chain::ChainConfig;
use commissary_chain::testkit::{ANVIL_KEYS, address_of};
use commissary_db::Db;
use commissary_db::listings;
use commissary_db::testkit::{TestDb, queue_listing};
use commissary_domain::{Address, ListingStatus};

/// A benchmark's server process; killed (and reaped) when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the service with the configuration file at `path` until it stops.
pub async fn serve(path: &str) {
    let settings = Config::load(Some(std::path::Path::new(path))).and_then(Config::validate).expect("config");
    commissary::start(settings).await.expect("start").wait().await.expect("serve");
}

/// `[chain]` for the operator on `chain`, polling every 100 ms.
pub fn chain_section(chain: &ChainConfig) -> String {
    format!(
        "[chain]\nrpc_url = \"{rpc}\"\nchain_id = 31337\nauction_address = \"{auction}\"\n\
         token_address = \"{token}\"\ndeployment_block = {block}\nconfirmations = 0\noperator_key = \"{key}\"\n\
         poll_interval = \"100ms\"\nlease_ttl = \"5s\"\n",
        rpc = chain.rpc_url,
        auction = chain.auction_address,
        token = chain.token_address,
        block = chain.deployment_block,
        key = ANVIL_KEYS[0],
    )
}

/// Starts the server on `test_db` with `sections` added to its configuration and waits
/// until it is ready; returns it and its base URL.
pub async fn start_server(test_db: &TestDb, dir: &Path, sections: &str) -> (Server, String) {
    start_server_with(test_db, dir, sections, &[]).await
}

/// [`start_server`] with `env` set for the child (e.g. `COMMISSARY_SERVER__READ_CACHE`).
pub async fn start_server_with(test_db: &TestDb, dir: &Path, sections: &str, env: &[(&str, &str)]) -> (Server, String) {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = dir.join(format!("bench-{port}.toml"));
    std::fs::write(
        &config,
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\n[database]\nurl = \"{db}\"\n[photos]\nstore = \"{photos}\"\n\
             [log]\nfilter = \"warn\"\n{sections}",
            db = test_db.url,
            photos = dir.join("photos").display(),
        ),
    )
    .unwrap();
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["serve", config.to_str().unwrap()])
        .env_remove("DATABASE_URL")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let probe = reqwest::Client::new();
    for _ in 0..600 {
        if probe.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            return (server, base);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the service did not become ready within 60 s");
}

/// One listing, live for two hours, published through the worker as the API would;
/// returns its id and its auction id once it is live.
pub async fn publish_listing(db: &Db, title: &str) -> (commissary_domain::ListingId, u64) {
    let steward = Address(address_of(ANVIL_KEYS[0]).into_array());
    let title = title.to_owned();
    let id =
        db.run(move |conn| queue_listing(conn, &title, steward, chrono::Duration::hours(2), Utc::now())).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let record = db.run(move |conn| listings::get(conn, id)).await.unwrap();
        if record.status == ListingStatus::Live {
            return (id, record.auction_id.unwrap().parse().unwrap());
        }
        assert!(std::time::Instant::now() < deadline, "the benchmark listing was not published within 120 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The `p` quantile of sorted samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

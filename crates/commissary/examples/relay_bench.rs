//! Relay benchmark (run with `make bench`): the latency of `POST …/bids/relay` until its
//! `202` (rate limit, the ordered checks with their chain reads, the `eth_call` simulation
//! and the durable record), and from the `202` to the relay reading `mined`.
//!
//! Two members holding $AMPLED and no ETH outbid each other `RELAY_BENCH_BIDS` times
//! (default 100) on one live auction; each bid is quoted and signed (by Foundry's `cast`)
//! before its request is timed. Real anvil (automine), the service as a child process,
//! SQLite (or PostgreSQL with COMMISSARY_TEST_DATABASE=postgres).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use alloy::primitives::U256;
use serde_json::Value;

use commissary_chain::deploy;
use commissary_chain::testkit::{ANVIL_KEYS, Anvil, address_of};
use commissary_db::testkit::TestDb;

#[path = "support/mod.rs"]
mod support;
use support::{chain_section, percentile, publish_listing, serve, start_server};

#[path = "../tests/common/member.rs"]
mod member;
use member::{post_relay, signed_in, signed_relay_body};

const MEMBERS: [&str; 2] = [
    "0x7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee0101",
    "0x7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee7e57c0ffee0102",
];
const AMPLED: u128 = 1_000_000_000_000_000_000;

fn summary(what: &str, samples: &mut [f64]) {
    samples.sort_by(f64::total_cmp);
    println!(
        "  {what:<28} p50 {:>6.1} ms, p99 {:>6.1} ms, max {:>6.1} ms",
        percentile(samples, 0.5),
        percentile(samples, 0.99),
        samples.last().copied().unwrap_or_default()
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("serve") {
        return serve(&args[2]).await;
    }
    let bids: usize = std::env::var("RELAY_BENCH_BIDS").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let anvil = Anvil::spawn().await;
    let (deployment, chain) = anvil.deploy().await;
    let test_db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    // Budgets high enough that the benchmark measures the path, not the limits.
    let relay = format!(
        "[relay]\nrelayer_key = \"{}\"\nbids_per_member_per_hour = 100000\ngas_per_member_per_day = 10000000000\n\
         gas_per_day = 10000000000\nrate_burst = 100000\nrate_per_second = 100000\n",
        ANVIL_KEYS[6]
    );
    let (_server, base) = start_server(&test_db, dir.path(), &format!("{}{relay}", chain_section(&chain))).await;
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let (listing, _) = publish_listing(&test_db.db, "Benchmark Jazzmaster").await;
    let listing = listing.to_string();
    let mut members = Vec::new();
    for key in MEMBERS {
        deploy::mint(&anvil.url(), ANVIL_KEYS[0], deployment.token, address_of(key), U256::from(1_000_000 * AMPLED))
            .await
            .unwrap();
        members.push((key, signed_in(port, key).await));
    }

    let (mut accepted, mut mined) = (Vec::new(), Vec::new());
    let mut amount = AMPLED;
    for i in 0..bids {
        let (key, client) = &members[i % 2];
        let body = signed_relay_body(port, client, key, &listing, amount).await;
        let started = Instant::now();
        let id = post_relay(port, client, &listing, &body).await;
        accepted.push(started.elapsed().as_secs_f64() * 1000.0);
        let after_202 = Instant::now();
        loop {
            let status: Value =
                client.get(format!("{base}/api/v1/relay/{id}")).send().await.unwrap().json().await.unwrap();
            match status["status"].as_str() {
                Some("mined") => break,
                Some("failed") => panic!("relay {id} failed: {status}"),
                _ => tokio::time::sleep(Duration::from_millis(5)).await,
            }
            assert!(after_202.elapsed() < Duration::from_secs(60), "relay {id} not mined within 60 s");
        }
        mined.push(after_202.elapsed().as_secs_f64() * 1000.0);
        // Each raise clears the default 5 % minimum increment.
        amount += amount / 10;
    }
    println!("relay: {bids} relayed bids by 2 members without ETH ({})", test_db.db.backend().as_str());
    summary("POST bids/relay -> 202", &mut accepted);
    summary("202 -> status mined", &mut mined);
}

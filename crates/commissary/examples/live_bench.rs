//! Live-update benchmark (run with `make bench`): the time from a bid's block being
//! indexed (the indexer's transaction writing the event) to the event reaching each of
//! 1,000 concurrent SSE subscribers, and the server's memory per subscriber.
//!
//! The service runs as a child process (this example re-executed with `serve CONFIG`),
//! so its resident memory is measured apart from the 1,000 clients. Real anvil, SQLite
//! (or PostgreSQL with COMMISSARY_TEST_DATABASE=postgres).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alloy::primitives::U256;
use chrono::{DateTime, Utc};

use commissary_chain::testkit::{ANVIL_KEYS, Anvil};
use commissary_db::testkit::TestDb;

const SUBSCRIBERS: usize = 1000;
const BIDS: u128 = 20;

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

#[path = "support/mod.rs"]
mod support;
use support::{chain_section, percentile, publish_listing, serve, start_server};

/// When each subscriber received each `bid` event: (event id, time).
type Deliveries = Arc<Mutex<Vec<(i64, DateTime<Utc>)>>>;

/// Reads one subscriber's stream, recording when each `bid` event arrived.
async fn subscriber(url: String, ready: Arc<tokio::sync::Barrier>, seen: Deliveries) {
    let client = reqwest::Client::new();
    let mut response = client.get(url).send().await.expect("stream");
    assert_eq!(response.status(), 200);
    let mut buffer = String::new();
    let mut greeted = false;
    // The stream ends when the benchmark stops the server.
    while let Ok(Some(chunk)) = response.chunk().await {
        let at = Utc::now();
        buffer.push_str(std::str::from_utf8(&chunk).expect("utf8"));
        if !greeted {
            greeted = true;
            ready.wait().await;
        }
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block.lines().any(|l| l == "event: bid")
                && let Some(id) = block.lines().find_map(|l| l.strip_prefix("id: "))
            {
                seen.lock().unwrap().push((id.parse().unwrap(), at));
            }
        }
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("serve") {
        return serve(&args[2]).await;
    }
    let anvil = Anvil::spawn().await;
    let (deployment, chain) = anvil.deploy().await;
    let test_db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let (server, base) = start_server(&test_db, dir.path(), &chain_section(&chain)).await;
    let db = test_db.db.clone();
    let (_, auction) = publish_listing(&db, "Benchmark Telecaster").await;
    anvil.fund(&deployment, ANVIL_KEYS[1], U256::from(10u64.pow(12))).await;

    let pid = server.0.id();
    let before = rss_kib(pid);
    let ready = Arc::new(tokio::sync::Barrier::new(SUBSCRIBERS + 1));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for _ in 0..SUBSCRIBERS {
        tasks.push(tokio::spawn(subscriber(format!("{base}/api/v1/events"), ready.clone(), seen.clone())));
    }
    ready.wait().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let connected = rss_kib(pid);

    let mut amount = 1000;
    for _ in 0..BIDS {
        // Each raise clears the default 5% minimum increment.
        anvil.bid(&deployment, ANVIL_KEYS[1], auction, amount).await.unwrap();
        amount += amount / 5;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let expected = SUBSCRIBERS * BIDS as usize;
    for _ in 0..300 {
        if seen.lock().unwrap().len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = rss_kib(pid);
    let deliveries = seen.lock().unwrap().clone();
    let written: HashMap<i64, DateTime<Utc>> = db
        .run(|conn| commissary_db::members::events::after(conn, 0, 100_000))
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.written_at()))
        .collect();
    let mut latencies: Vec<f64> =
        deliveries.iter().map(|(id, at)| (*at - written[id]).num_microseconds().unwrap() as f64 / 1000.0).collect();
    latencies.sort_by(f64::total_cmp);
    println!("live events: {} bids to {SUBSCRIBERS} SSE subscribers ({})", BIDS, db.backend().as_str());
    println!("  delivered {} of {expected}", latencies.len());
    println!(
        "  indexed -> received: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default()
    );
    println!(
        "  server RSS: {} MiB idle, {} MiB with {SUBSCRIBERS} subscribers ({:.1} KiB each), {} MiB after the bids",
        before / 1024,
        connected / 1024,
        (connected.saturating_sub(before)) as f64 / SUBSCRIBERS as f64,
        after / 1024
    );
    for task in tasks {
        task.abort();
    }
    drop(server);
}

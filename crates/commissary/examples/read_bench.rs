//! Read-path benchmark (run with `make bench`): listing reads and full-text search under
//! `wrk` (Debian's `wrk`, 2 threads, on this machine), each against `/healthz` of the same
//! run (the framework's ceiling), on SQLite and PostgreSQL, plus where a read's time goes.
//!
//! The service runs as a child process (this example re-executed with `serve CONFIG`)
//! on a database seeded through the indexer's own store functions (`testkit::corpus`):
//! 1,000 published listings with a photo each, every third with a bid, for the reads;
//! 10,000 for the searches. Each is measured with the service's read cache off (every read
//! queries the database) and on, in the same run. `READ_BENCH_SECS` sets each wrk run's
//! length (default 5). Run it as `make bench` does, a release build:
//! `cargo run --release -p commissary --example read_bench`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::Instant;

use chrono::Utc;

use commissary_api::listings::ListingResponse;
use commissary_db::testkit::{TestDb, corpus};
use commissary_db::views::{self, ListingQuery};

#[path = "support/mod.rs"]
mod support;
use support::{serve, start_server_with};

struct Run {
    rate: f64,
    p99_ms: f64,
    errors: bool,
}

fn millis(text: &str) -> f64 {
    let (number, unit) = text.split_at(text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len()));
    let value: f64 = number.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => value / 1000.0,
        "ms" => value,
        "s" => value * 1000.0,
        _ => f64::NAN,
    }
}

fn wrk(url: &str, connections: u32, secs: u64) -> Run {
    wrk_with(url, connections, secs, &[])
}

fn wrk_with(url: &str, connections: u32, secs: u64, extra: &[&str]) -> Run {
    let output = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{secs}s"), "--latency"])
        .args(extra)
        .arg(url)
        .output()
        .expect("wrk runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let rate = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    let p99_ms = text.lines().find_map(|l| l.trim().strip_prefix("99%")).map_or(f64::NAN, |v| millis(v.trim()));
    let errors = text.contains("Non-2xx") || text.contains("Socket errors");
    Run { rate, p99_ms, errors }
}

fn row(what: &str, connections: u32, run: &Run, healthz: f64) {
    println!(
        "  {what:<48} {connections:>3} conns  {:>8.0} req/s ({:.2}x /healthz)  p99 {:>6.1} ms{}",
        run.rate,
        run.rate / healthz,
        run.p99_ms,
        if run.errors { "  (errors!)" } else { "" }
    );
}

/// A wrk script asking a different search each request ("item N", N stepping through
/// 0..20,000 from a per-thread offset), so that no answer comes from the read cache: what
/// a search costs the database. Half of them match a few listings, half none.
const DISTINCT_SEARCHES: &str = r#"
local threads = 0
function setup(thread)
  thread:set("offset", threads * 10007)
  threads = threads + 1
end
local n = 0
function request()
  n = n + 1
  return wrk.format(nil, "/api/v1/listings?limit=20&q=item%20" .. ((offset + n * 7919) % 20000))
end
"#;

/// Mean time of `f` over `n` calls, in microseconds.
fn time_us(n: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
}

/// Where one read's time goes, in this process on one thread: the queries, the mapping
/// to the API's response type and the JSON serialization; then the pool under load and
/// the read cache's version check.
async fn breakdown(test_db: &TestDb, id: commissary_db::views::ListingView) {
    let db = test_db.db.clone();
    let listing = id.record.id;
    db.run(move |conn| {
        let get = time_us(500, || {
            views::get(conn, listing).unwrap();
        });
        let query = ListingQuery { limit: 20, ..Default::default() };
        let page = time_us(200, || {
            views::page(conn, &query).unwrap();
        });
        let view = views::get(conn, listing).unwrap();
        let (views, _) = views::page(conn, &query).unwrap();
        let one = time_us(2000, || {
            serde_json::to_vec(&ListingResponse::from(view.clone())).unwrap();
        });
        let twenty = time_us(200, || {
            let items: Vec<ListingResponse> = views.iter().cloned().map(ListingResponse::from).collect();
            serde_json::to_vec(&items).unwrap();
        });
        println!(
            "  one thread, in process: views::get {get:.0} µs (4 queries: listing+auction, photos, watch count, bidder names), \
             views::page(limit 20) {page:.0} µs (the same 4 for the page), serialize one {one:.0} µs, twenty {twenty:.0} µs"
        );
        Ok(())
    })
    .await
    .unwrap();

    // The pool (8 connections, as configured by default) under 64 concurrent readers: how
    // long a read waits for a blocking thread and a connection before its queries start.
    let mut options = commissary_db::DbOptions::new(test_db.url.clone());
    options.pool_size = 8;
    let pool = commissary_db::Db::connect(&options).unwrap();
    let empty = {
        let pool = pool.clone();
        let start = Instant::now();
        for _ in 0..2000 {
            pool.run(|_| Ok(())).await.unwrap();
        }
        start.elapsed().as_secs_f64() * 1e6 / 2000.0
    };
    let started = Instant::now();
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut waits = Vec::new();
                for _ in 0..40 {
                    let called = Instant::now();
                    let waited = pool
                        .run(move |conn| {
                            let waited = called.elapsed().as_secs_f64() * 1e3;
                            views::get(conn, listing)?;
                            Ok(waited)
                        })
                        .await
                        .unwrap();
                    waits.push(waited);
                }
                waits
            })
        })
        .collect();
    let mut waits = Vec::new();
    for task in tasks {
        waits.extend(task.await.unwrap());
    }
    let rate = waits.len() as f64 / started.elapsed().as_secs_f64();
    waits.sort_by(f64::total_cmp);
    let mean = waits.iter().sum::<f64>() / waits.len() as f64;
    println!(
        "  pool of 8, in process: an empty db.run {empty:.0} µs; 64 concurrent views::get {rate:.0}/s, wait for a \
         connection before the queries start mean {mean:.2} ms, p99 {:.2} ms",
        support::percentile(&waits, 0.99)
    );

    let mut reader = pool.version_reader().unwrap();
    let version = time_us(5000, || {
        reader.read().unwrap();
    });
    println!("  read cache: one read-version check (own connection) {version:.1} µs");
}

/// The load average now, as `uptime` shows it (the machine is shared).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("serve") {
        return serve(&args[2]).await;
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("read bench skipped: wrk is missing (apt-get install wrk)");
        return;
    }
    let secs: u64 = std::env::var("READ_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let backends: Vec<bool> = match std::env::var("COMMISSARY_TEST_DATABASE").as_deref() {
        Ok("sqlite") => vec![false],
        Ok("postgres") => vec![true],
        _ => vec![false, true],
    };
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("distinct-searches.lua");
    std::fs::write(&script, DISTINCT_SEARCHES).unwrap();
    // The same run measures the service with its read cache and without it (every read
    // queries the database), each against its own /healthz.
    let modes = [("read cache off", "false"), ("read cache on", "true")];
    for postgres in backends {
        let name = if postgres { "PostgreSQL" } else { "SQLite" };

        // Listing reads: 1,000 listings.
        let test_db = TestDb::on(postgres).await;
        let now = Utc::now();
        let ids = test_db.db.run(move |conn| corpus::seed(conn, 1000, 3, now)).await.unwrap();
        let view = {
            let id = ids[300];
            test_db.db.run(move |conn| views::get(conn, id)).await.unwrap()
        };
        assert!(view.auction.as_ref().is_some_and(|a| a.bid_count == 1) && !view.photos.is_empty());
        println!("listing reads, {name}, 1,000 listings, wrk -t2, {secs} s a run:");
        for (mode, flag) in modes {
            let (server, base) =
                start_server_with(&test_db, dir.path(), "", &[("COMMISSARY_SERVER__READ_CACHE", flag)]).await;
            println!("  {mode} (load average {}):", load_average());
            for connections in [32, 64] {
                let healthz = wrk(&format!("{base}/healthz"), connections, secs);
                row("/healthz", connections, &healthz, healthz.rate);
                let detail = wrk(&format!("{base}/api/v1/listings/{}", view.record.id), connections, secs);
                row("GET /api/v1/listings/{id}", connections, &detail, healthz.rate);
                for sort in ["ending_soon", "newest", "price_low", "price_high"] {
                    let path = format!("/api/v1/listings?limit=20&sort={sort}");
                    let run = wrk(&format!("{base}{path}"), connections, secs);
                    row(&format!("GET {path}"), connections, &run, healthz.rate);
                }
                let search = wrk(&format!("{base}/api/v1/listings?q=item%2099&limit=20"), connections, secs);
                row("GET /api/v1/listings?q=item%2099&limit=20", connections, &search, healthz.rate);
            }
            drop(server);
        }
        println!("  (load average {} after the runs)", load_average());
        breakdown(&test_db, view).await;
        drop(test_db);

        // Search: 10,000 listings, 32 connections.
        let test_db = TestDb::on(postgres).await;
        let now = Utc::now();
        test_db.db.run(move |conn| corpus::seed(conn, 10_000, 7, now)).await.unwrap();
        println!("search, {name}, 10,000 listings, wrk -t2, {secs} s a run:");
        for (mode, flag) in modes {
            let (server, base) =
                start_server_with(&test_db, dir.path(), "", &[("COMMISSARY_SERVER__READ_CACHE", flag)]).await;
            println!("  {mode} (load average {}):", load_average());
            let healthz = wrk(&format!("{base}/healthz"), 32, secs);
            row("/healthz", 32, &healthz, healthz.rate);
            for q in ["item%2099", "fend", "fender%20amp", "roland%20syn"] {
                let path = format!("/api/v1/listings?q={q}&limit=20");
                let run = wrk(&format!("{base}{path}"), 32, secs);
                row(&format!("GET {path}"), 32, &run, healthz.rate);
            }
            let run = wrk_with(&format!("{base}/"), 32, secs, &["-s", script.to_str().unwrap()]);
            row("GET /api/v1/listings?q=item%20{N}, N distinct", 32, &run, healthz.rate);
            drop(server);
        }
    }
}

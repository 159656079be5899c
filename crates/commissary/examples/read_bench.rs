//! Read-path benchmark (run with `make bench`): listing reads and full-text search under
//! `wrk` (Debian's `wrk`, 2 threads, on this machine), each against `/healthz` of the same
//! run (the framework's ceiling), on SQLite and PostgreSQL, plus where a read's time goes.
//!
//! The service runs as a child process (this example re-executed with `serve CONFIG`)
//! on a database seeded through the indexer's own store functions (`testkit::corpus`):
//! 1,000 published listings with a photo each, every third with a bid, for the reads;
//! 10,000 for the searches. `READ_BENCH_SECS` sets each wrk run's length (default 5).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::Instant;

use chrono::Utc;

use commissary_api::listings::ListingResponse;
use commissary_db::testkit::{TestDb, corpus};
use commissary_db::views::{self, ListingQuery};

#[path = "support/mod.rs"]
mod support;
use support::{serve, start_server};

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
    let output = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{secs}s"), "--latency", url])
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

/// Mean time of `f` over `n` calls, in microseconds.
fn time_us(n: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
}

/// Where one read's time goes, in this process on one thread: the queries, the mapping
/// to the API's response type and the JSON serialization.
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
            "  one thread, in process: views::get {get:.0} µs (queries: listing+auction, photos, watch count, bidder names), \
             views::page(limit 20) {page:.0} µs (the same four for the page), serialize one {one:.0} µs, twenty {twenty:.0} µs"
        );
        Ok(())
    })
    .await
    .unwrap();
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
    for postgres in backends {
        let name = if postgres { "PostgreSQL" } else { "SQLite" };

        // Listing reads: 1,000 listings.
        let test_db = TestDb::on(postgres).await;
        let now = Utc::now();
        let ids = test_db.db.run(move |conn| corpus::seed(conn, 1000, 3, now)).await.unwrap();
        let (server, base) = start_server(&test_db, dir.path(), "").await;
        println!("listing reads, {name}, 1,000 listings, wrk -t2, {secs} s a run:");
        let view = {
            let id = ids[300];
            test_db.db.run(move |conn| views::get(conn, id)).await.unwrap()
        };
        assert!(view.auction.as_ref().is_some_and(|a| a.bid_count == 1) && !view.photos.is_empty());
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
        breakdown(&test_db, view).await;
        drop(test_db);

        // Search: 10,000 listings, 32 connections.
        let test_db = TestDb::on(postgres).await;
        let now = Utc::now();
        test_db.db.run(move |conn| corpus::seed(conn, 10_000, 7, now)).await.unwrap();
        let (server, base) = start_server(&test_db, dir.path(), "").await;
        println!("search, {name}, 10,000 listings, wrk -t2, {secs} s a run:");
        let healthz = wrk(&format!("{base}/healthz"), 32, secs);
        row("/healthz", 32, &healthz, healthz.rate);
        for q in ["item%2099", "fend", "fender%20amp", "roland%20syn"] {
            let path = format!("/api/v1/listings?q={q}&limit=20");
            let run = wrk(&format!("{base}{path}"), 32, secs);
            row(&format!("GET {path}"), 32, &run, healthz.rate);
        }
        drop(server);
    }
}

//! Crash safety of the real `commissary serve` process: SIGKILL in the middle of
//! publishing, of a settlement batch and between an outbid and the maximum bid's re-bid,
//! and two replicas sharing one database with
//! failover of the chain worker. Backend from COMMISSARY_TEST_DATABASE.

use std::time::{Duration, Instant};

use alloy::primitives::U256;
use alloy::providers::Provider;
use alloy::rpc::types::Filter;
use alloy::sol_types::SolEvent;
use chrono::{Duration as ChronoDuration, Utc};
use serde_json::json;

use commissary_chain::bindings::CommissaryAuction;
use commissary_chain::deploy::Deployment;
use commissary_chain::testkit::{ANVIL_KEYS, Anvil, AnvilOptions};
use commissary_db::listings;
use commissary_db::testkit::TestDb;
use commissary_domain::ListingStatus;

mod common;
use common::chain::{auction_of, is_published, queue_listings, relay_sections, start, statuses, wait_until};

async fn settled_events(anvil: &Anvil, deployment: &Deployment) -> Vec<U256> {
    let provider = commissary_chain::rpc::provider(&anvil.url(), Duration::from_secs(5)).expect("provider");
    let filter = Filter::new()
        .address(deployment.auction)
        .event_signature(CommissaryAuction::AuctionSettled::SIGNATURE_HASH)
        .from_block(0);
    provider
        .get_logs(&filter)
        .await
        .expect("logs")
        .iter()
        .map(|log| U256::from_be_slice(log.topics()[1].as_slice()))
        .collect()
}

#[tokio::test]
async fn sigkill_mid_publishing_creates_every_auction_exactly_once() {
    let anvil = Anvil::spawn_with(AnvilOptions { block_time: Some(1), ..Default::default() }).await;
    let (deployment, chain) = anvil.deploy().await;
    let test_db = TestDb::new().await;
    let dir = tempfile::tempdir().expect("dir");
    let ids = queue_listings(&test_db.db, 12, ChronoDuration::minutes(30)).await;

    let mut first = start(dir.path(), "first", &test_db.url, &chain);
    let db = test_db.db.clone();
    let watched = ids.clone();
    wait_until("the first auctions to be created", Duration::from_secs(60), async || {
        anvil.auction_count(&deployment).await >= 1
    })
    .await;
    first.kill();
    let done_before = statuses(&db, &watched).await.iter().filter(|s| is_published(s)).count();
    assert!(done_before < ids.len(), "the kill happened mid-way ({done_before} of {} published)", ids.len());

    let second = start(dir.path(), "second", &test_db.url, &chain);
    second.wait_ready().await;
    wait_until("every listing to be published", Duration::from_secs(120), async || {
        statuses(&db, &watched).await.iter().all(is_published)
    })
    .await;
    assert_eq!(anvil.auction_count(&deployment).await, ids.len() as u64, "no listing was auctioned twice");
    let auction_ids = db
        .run(move |conn| {
            watched.iter().map(|id| listings::get(conn, *id).map(|l| l.auction_id)).collect::<Result<Vec<_>, _>>()
        })
        .await
        .expect("auction ids");
    let mut distinct: Vec<_> = auction_ids.iter().flatten().collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), ids.len(), "each listing has its own auction: {auction_ids:?}");
}

async fn pending_transactions(anvil: &Anvil) -> u64 {
    let status: serde_json::Value = anvil.rpc("txpool_status", json!([])).await;
    let pending = status["pending"].as_str().unwrap_or("0x0").trim_start_matches("0x");
    u64::from_str_radix(pending, 16).unwrap_or(0)
}

#[tokio::test]
async fn sigkill_mid_settlement_batch_settles_every_auction_once() {
    let anvil = Anvil::spawn().await;
    let (deployment, mut chain) = anvil.deploy().await;
    chain.settle_batch_size = 4;
    let test_db = TestDb::new().await;
    let dir = tempfile::tempdir().expect("dir");
    let ends_in = ChronoDuration::seconds(30);
    let ids = queue_listings(&test_db.db, 24, ends_in).await;
    let db = test_db.db.clone();

    let mut first = start(dir.path(), "first", &test_db.url, &chain);
    let watched = ids.clone();
    wait_until("all auctions to be created", Duration::from_secs(25), async || {
        statuses(&db, &watched).await.iter().all(is_published)
    })
    .await;
    // Stop mining: at the end the keeper sends its settleMany batches (the pending
    // block is past the end), and they stay in the mempool until we mine again.
    anvil.set_automine(false).await;
    wait_until("a settlement batch to be sent", Duration::from_secs(60), async || {
        pending_transactions(&anvil).await >= 1
    })
    .await;
    first.kill();
    assert!(pending_transactions(&anvil).await >= 1, "killed with a batch in flight");
    anvil.mine(1).await;
    let settled_before = settled_events(&anvil, &deployment).await.len();
    eprintln!("killed with {settled_before} of {} auctions settled", ids.len());
    let _: serde_json::Value = anvil.rpc("evm_setIntervalMining", json!([1])).await;

    let _second = start(dir.path(), "second", &test_db.url, &chain);
    let watched = ids.clone();
    wait_until("every listing to read unsold", Duration::from_secs(120), async || {
        statuses(&db, &watched).await.iter().all(|s| *s == ListingStatus::Unsold)
    })
    .await;
    let mut events = settled_events(&anvil, &deployment).await;
    assert_eq!(events.len(), ids.len(), "one AuctionSettled per auction");
    events.sort();
    events.dedup();
    assert_eq!(events.len(), ids.len(), "no auction settled twice");
}

#[tokio::test]
async fn two_replicas_one_worker_and_failover_after_a_kill() {
    let anvil = Anvil::spawn_with(AnvilOptions { block_time: Some(1), ..Default::default() }).await;
    let (_deployment, chain) = anvil.deploy().await;
    let test_db = TestDb::new().await;
    let dir = tempfile::tempdir().expect("dir");
    let db = test_db.db.clone();
    let mut a = start(dir.path(), "a", &test_db.url, &chain);
    let mut b = start(dir.path(), "b", &test_db.url, &chain);
    a.wait_ready().await;
    b.wait_ready().await;

    let scope = chain.scope();
    let holder = || {
        let scope = scope.clone();
        let db = db.clone();
        async move {
            db.run(move |conn| commissary_db::chain::lease::current(conn, &scope))
                .await
                .expect("lease")
                .filter(|l| l.expires_at > Utc::now())
                .map(|l| l.holder)
        }
    };
    wait_until("a worker to take the lease", Duration::from_secs(30), async || holder().await.is_some()).await;
    let leader = holder().await.expect("holder");
    let (a_pid, b_pid) = (a.pid().to_string(), b.pid().to_string());
    let leader_is_a = leader.starts_with(&format!("{a_pid}-"));
    assert!(leader_is_a || leader.starts_with(&format!("{b_pid}-")), "the holder is one of the two: {leader}");
    // It stays with one holder while both run.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(holder().await.as_deref(), Some(leader.as_str()), "one keeper at a time");

    let (survivor_pid, victim) = if leader_is_a { (b_pid, &mut a) } else { (a_pid, &mut b) };
    victim.kill();
    let killed_at = Instant::now();
    wait_until("the survivor to take over", Duration::from_secs(20), async || {
        holder().await.is_some_and(|h| h.starts_with(&format!("{survivor_pid}-")))
    })
    .await;
    let takeover = killed_at.elapsed();
    assert!(takeover < Duration::from_secs(10), "failover took {takeover:?}");

    // The survivor does the work: a new listing is published and settled.
    let ids = queue_listings(&db, 1, ChronoDuration::seconds(20)).await;
    let watched = ids.clone();
    wait_until("the survivor to publish and settle", Duration::from_secs(90), async || {
        statuses(&db, &watched).await == [ListingStatus::Unsold]
    })
    .await;
}

/// Reads `text/event-stream` frames from a response and returns the next `bid` event's
/// `(id, tx_hash)`.
async fn next_bid(response: &mut reqwest::Response, buffer: &mut String) -> (i64, String) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if !block.lines().any(|l| l == "event: bid") {
                continue;
            }
            let id = block.lines().find_map(|l| l.strip_prefix("id: ")).expect("id").parse().expect("numeric id");
            let data: serde_json::Value =
                serde_json::from_str(block.lines().find_map(|l| l.strip_prefix("data: ")).expect("data"))
                    .expect("JSON");
            return (id, data["tx_hash"].as_str().expect("tx hash").to_owned());
        }
        let chunk = tokio::time::timeout_at(deadline, response.chunk()).await.expect("a bid event within 30 s");
        buffer.push_str(std::str::from_utf8(&chunk.expect("read").expect("stream open")).expect("utf8"));
    }
}

#[tokio::test]
async fn two_replicas_stream_the_events_either_one_indexed() {
    let anvil = Anvil::spawn().await;
    let (deployment, chain) = anvil.deploy().await;
    let test_db = TestDb::new().await;
    let dir = tempfile::tempdir().expect("dir");
    let db = test_db.db.clone();
    let a = start(dir.path(), "a", &test_db.url, &chain);
    let b = start(dir.path(), "b", &test_db.url, &chain);
    a.wait_ready().await;
    b.wait_ready().await;
    let client = reqwest::Client::new();
    let mut streams = Vec::new();
    for service in [&a, &b] {
        let url = format!("http://127.0.0.1:{}/api/v1/events", service.port);
        let response = client.get(url).send().await.expect("stream");
        assert_eq!(response.status(), 200);
        streams.push((response, String::new()));
    }

    let ids = queue_listings(&db, 1, ChronoDuration::minutes(30)).await;
    let watched = ids.clone();
    wait_until("the listing to be published", Duration::from_secs(60), async || {
        statuses(&db, &watched).await.iter().all(is_published)
    })
    .await;
    let auction_id = auction_of(&db, watched[0]).await;
    anvil.fund(&deployment, ANVIL_KEYS[3], U256::from(10_000u64)).await;
    // Only the lease holder indexes, yet clients of both replicas see every bid.
    for amount in [1000u128, 1200] {
        let tx = anvil.bid(&deployment, ANVIL_KEYS[3], auction_id, amount).await.expect("bid");
        let mut seen = Vec::new();
        for (response, buffer) in &mut streams {
            seen.push(next_bid(response, buffer).await);
        }
        assert_eq!(seen[0], seen[1], "the same event, with the same id, on both replicas");
        assert_eq!(seen[0].1, tx);
    }
}

#[tokio::test]
async fn sigkill_between_an_outbid_and_the_re_bid_sends_exactly_one_re_bid() {
    use alloy::signers::SignerSync;
    use commissary_chain::bindings::ICommissaryAuction;

    let anvil = Anvil::spawn().await;
    let (deployment, chain) = anvil.deploy().await;
    let test_db = TestDb::new().await;
    let dir = tempfile::tempdir().expect("dir");
    let ids = queue_listings(&test_db.db, 1, ChronoDuration::minutes(30)).await;
    let sections = relay_sections(&chain, ANVIL_KEYS[6]);
    let mut first = common::Service::start(dir.path(), "first", &test_db.url, &sections);
    let db = test_db.db.clone();
    let id = ids[0];
    wait_until("the auction to go live", Duration::from_secs(60), async || {
        statuses(&db, &[id]).await == [ListingStatus::Live]
    })
    .await;
    let auction = auction_of(&db, id).await;
    let (member_key, hand_key) = (ANVIL_KEYS[1], ANVIL_KEYS[2]);
    for key in [member_key, hand_key] {
        anvil.fund(&deployment, key, U256::from(1_000_000u64)).await;
    }
    anvil.bid(&deployment, member_key, auction, 1000).await.expect("the member leads");

    // The member's maximum, signed with its key over the contract's own digest.
    let signer: alloy::signers::local::PrivateKeySigner = member_key.parse().expect("key");
    let max_bid = ICommissaryAuction::MaxBid {
        bidder: signer.address(),
        auctionId: U256::from(auction),
        maxAmount: alloy::primitives::Uint::<96, 2>::from(5000u64),
        salt: U256::from(7),
        deadline: U256::from(anvil.timestamp().await + 86_400),
    };
    let provider = commissary_chain::rpc::provider(&anvil.url(), Duration::from_secs(5)).expect("provider");
    let contract = CommissaryAuction::new(deployment.auction, &provider);
    let hash = contract.hashMaxBid(max_bid.clone()).call().await.expect("hashMaxBid");
    let signature = signer.sign_hash_sync(&hash).expect("sign").as_bytes();
    let new = commissary_db::max_bids::NewMaxBid {
        listing_id: id.to_string(),
        auction_id: auction.to_string(),
        bidder: commissary_domain::Address(signer.address().into_array()),
        max_amount: commissary_domain::TokenAmount::from_u128(5000).expect("amount"),
        salt: "7".into(),
        deadline: i64::try_from(max_bid.deadline.to::<u64>()).expect("deadline"),
        signature: format!("0x{}", alloy::primitives::hex::encode(signature)),
        hash: format!("{hash:#x}"),
        permit: None,
    };
    db.run(move |c| commissary_db::max_bids::put(c, &new, None, Utc::now())).await.expect("stored");

    // Outbid by hand with mining paused: the worker records its re-bid (and may broadcast
    // it); the process dies before it is mined, and the node forgets whatever was sent.
    anvil.set_automine(false).await;
    anvil.bid_nowait(&deployment, hand_key, auction, 2000).await.expect("hand bid sent");
    anvil.mine(1).await;
    wait_until("the re-bid to be recorded", Duration::from_secs(60), async || {
        !db.run(|c| commissary_db::relay::open(c, 10)).await.expect("relays").is_empty()
    })
    .await;
    first.kill();
    let _: serde_json::Value = anvil.rpc("anvil_dropAllTransactions", json!([])).await;
    anvil.set_automine(true).await;

    let second = common::Service::start(dir.path(), "second", &test_db.url, &sections);
    second.wait_ready().await;
    wait_until("the member to lead again", Duration::from_secs(60), async || {
        anvil.auction(&deployment, auction).await.highestBidder == signer.address()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let used = provider
        .get_logs(
            &Filter::new()
                .address(deployment.auction)
                .event_signature(CommissaryAuction::MaxBidUsed::SIGNATURE_HASH)
                .from_block(0),
        )
        .await
        .expect("logs");
    assert_eq!(used.len(), 1, "exactly one re-bid was mined");
    let relayer = commissary_chain::testkit::address_of(ANVIL_KEYS[6]);
    assert_eq!(provider.get_transaction_count(relayer).await.expect("nonce"), 1, "the relayer sent one transaction");
    let state = anvil.auction(&deployment, auction).await;
    assert_eq!(state.highestBid.to::<u64>(), 2000 + 2000u64.div_ceil(20), "the re-bid is the minimum next bid");
}

/// The highest bid (decimal string) a replica's detail response shows, or `None` before
/// the first bid.
async fn highest_bid_shown(client: &reqwest::Client, port: u16, id: commissary_domain::ListingId) -> Option<String> {
    let url = format!("http://127.0.0.1:{port}/api/v1/listings/{id}");
    let response = client.get(url).send().await.expect("detail");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    body["highest_bid"].as_str().map(str::to_owned)
}

/// The highest bid a replica's first listing page shows for `id`.
async fn highest_bid_listed(client: &reqwest::Client, port: u16, id: commissary_domain::ListingId) -> Option<String> {
    let url = format!("http://127.0.0.1:{port}/api/v1/listings?limit=20&sort=ending_soon");
    let page: serde_json::Value = client.get(url).send().await.expect("list").json().await.expect("JSON");
    let items = page["items"].as_array().expect("items");
    let item = items.iter().find(|i| i["id"] == id.to_string()).expect("the listing is on the first page");
    item["highest_bid"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn replica_b_never_serves_a_bid_stale_view_after_replica_a_indexed_a_bid() {
    let anvil = Anvil::spawn().await;
    let (deployment, chain) = anvil.deploy().await;
    let test_db = TestDb::new().await;
    let dir = tempfile::tempdir().expect("dir");
    let db = test_db.db.clone();
    let first = start(dir.path(), "first", &test_db.url, &chain);
    let second = start(dir.path(), "second", &test_db.url, &chain);
    first.wait_ready().await;
    second.wait_ready().await;

    let ids = queue_listings(&db, 1, ChronoDuration::minutes(30)).await;
    let id = ids[0];
    let watched = ids.clone();
    wait_until("the listing to be published", Duration::from_secs(60), async || {
        statuses(&db, &watched).await.iter().all(is_published)
    })
    .await;
    let auction_id = auction_of(&db, id).await;
    // A is the replica whose chain worker holds the lease (it indexes every bid); B only
    // reads the database.
    let scope = chain.scope();
    let holder = db
        .run(move |conn| commissary_db::chain::lease::current(conn, &scope))
        .await
        .expect("lease")
        .expect("a worker holds the lease")
        .holder;
    let (a, b) = if holder.starts_with(&format!("{}-", first.pid())) { (&first, &second) } else { (&second, &first) };
    assert!(holder.starts_with(&format!("{}-", a.pid())), "the lease holder is one of the two: {holder}");
    let client = reqwest::Client::new();
    assert_eq!(highest_bid_shown(&client, b.port, id).await, None);

    // Meanwhile a reader keeps B's cache warm and checks it never goes back to an older price.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (stop, client, port) = (stop.clone(), client.clone(), b.port);
        tokio::spawn(async move {
            let (mut newest, mut reads) = (0u128, 0u32);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let shown = highest_bid_shown(&client, port, id).await.map_or(0, |s| s.parse().expect("decimal"));
                assert!(shown >= newest, "B went back from {newest} to {shown}");
                (newest, reads) = (shown, reads + 1);
            }
            reads
        })
    };
    for key in [ANVIL_KEYS[3], ANVIL_KEYS[4]] {
        anvil.fund(&deployment, key, U256::from(100_000u64)).await;
    }
    for (round, amount) in [1000u128, 1200, 1400, 1600, 1800, 2000].into_iter().enumerate() {
        let expected = Some(amount.to_string());
        anvil.bid(&deployment, ANVIL_KEYS[3 + round % 2], auction_id, amount).await.expect("bid");
        // The moment the bid is visible anywhere — the database or replica A — …
        let deadline = Instant::now() + Duration::from_secs(30);
        let seen_on = loop {
            let in_db = db
                .run(move |conn| commissary_db::views::get(conn, id))
                .await
                .expect("view")
                .auction
                .and_then(|a| a.highest_bid)
                .map(|b| b.to_string());
            if in_db == expected {
                break "the database";
            }
            if highest_bid_shown(&client, a.port, id).await == expected {
                break "replica A";
            }
            assert!(Instant::now() < deadline, "bid {amount} was not indexed within 30 s");
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        // … B's next answers show it, the detail and the page it is listed on.
        assert_eq!(
            highest_bid_shown(&client, b.port, id).await,
            expected,
            "B's detail after {seen_on} showed {amount}"
        );
        assert_eq!(highest_bid_listed(&client, b.port, id).await, expected, "B's page after {seen_on} showed {amount}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads = reader.await.expect("the reader never saw an older price");
    assert!(reads > 10, "B was read throughout ({reads} reads)");
}

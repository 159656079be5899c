//! Crash safety of notification delivery in the real `commissary serve` process: it is
//! SIGKILLed while a webhook request is in flight (the receiver holds it unanswered).
//! After a restart every notification is delivered on every channel, none twice to the
//! in-app inbox, and the webhook that was cut off is retried with the same webhook-id and
//! body. And a webhook that keeps failing is given up after `max_attempts`. Real SMTP and
//! HTTP peers on loopback; backend from COMMISSARY_TEST_DATABASE.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::json;

use commissary_db::Db;
use commissary_db::after_sale::notifications::{self, DeliveryStatus, NewNotification};
use commissary_db::after_sale::profiles;
use commissary_db::testkit::TestDb;
use commissary_domain::notification::{Channel, NotificationKind};
use commissary_notify::testkit::{SmtpSink, WebhookReceiver};

mod common;
use common::Service;

const ALICE: &str = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const BOB: &str = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
const SECRET: &str = "whsec_dGVzdC1zZWNyZXQtZm9yLXRoZS13ZWJob29r";

fn start(dir: &Path, name: &str, database_url: &str, smtp: &SmtpSink, hooks: &WebhookReceiver) -> Service {
    let sections = format!(
        r#"[log]
filter = "info,commissary_notify=debug"
[email]
smtp_url = "{smtp}"
from = "Ampled Commissary <commissary@coop.test>"
[[webhooks]]
url = "{hook}"
secret = "{SECRET}"
[notifications]
poll_interval = "100ms"
lock_timeout = "2s"
base_backoff = "200ms"
max_backoff = "1s"
request_timeout = "30s"
scan_interval = "1m"
"#,
        smtp = smtp.url(),
        hook = hooks.url("/hooks"),
    );
    Service::start(dir, name, database_url, &sections)
}

async fn until<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(start.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Alice with a confirmed address (as the confirmation endpoint leaves it); Bob without.
async fn members(db: &Db) {
    db.run(|conn| {
        let now = Utc::now();
        profiles::get_or_create(conn, ALICE, "alice-token", now)?;
        profiles::set_pending_email(conn, ALICE, "alice@member.test", "hash", now + chrono::Duration::minutes(5), now)?;
        assert_eq!(profiles::confirm_email(conn, ALICE, "hash", now)?, profiles::Confirmation::Confirmed);
        profiles::get_or_create(conn, BOB, "bob-token", now)?;
        Ok(())
    })
    .await
    .expect("profiles");
}

async fn record(db: &Db, key: &str, kind: NotificationKind, recipient: &'static str) {
    let notification = NewNotification {
        dedupe_key: key.to_owned(),
        kind,
        recipient: recipient.to_owned(),
        listing_id: Some("0193a0a0-0000-7000-8000-000000000001".into()),
        auction_id: Some("1".into()),
        payload: json!({"title": "Gibson ES-335", "amount": "11000000000000000000"}),
        source_block: Some(10),
    };
    assert!(db.run(move |c| notifications::record(c, &notification, Utc::now())).await.expect("record"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_delivery_delivers_everything_once_after_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let tdb = TestDb::new().await;
    let smtp = SmtpSink::start().await;
    let hooks = WebhookReceiver::start().await;
    // The first webhook request is never answered: the process is killed while it waits.
    hooks.hold_next();

    let mut service = start(dir.path(), "a", &tdb.url, &smtp, &hooks);
    service.wait_ready().await;
    members(&tdb.db).await;
    record(&tdb.db, "outbid:t1:0", NotificationKind::Outbid, BOB).await;
    record(&tdb.db, "won:1:alice", NotificationKind::Won, ALICE).await;
    record(&tdb.db, "lost:1:bob", NotificationKind::Lost, BOB).await;
    record(&tdb.db, "ending_soon:1:alice", NotificationKind::EndingSoon, ALICE).await;

    until("a webhook request in flight", Duration::from_secs(30), || (!hooks.requests().is_empty()).then_some(()))
        .await;
    service.kill();
    let cut_off = hooks.requests()[0].clone();
    let cut_off_id = cut_off.header("webhook-id").expect("id").to_owned();

    let mut restarted = start(dir.path(), "b", &tdb.url, &smtp, &hooks);
    restarted.wait_ready().await;

    let all = tdb.db.run(notifications::all).await.expect("notifications");
    assert_eq!(all.len(), 4);
    let statuses = |db: Db| async move {
        db.run(|conn| {
            let mut out = Vec::new();
            for n in notifications::all(conn)? {
                for d in notifications::deliveries_of(conn, &n.id)? {
                    out.push((n.id.clone(), d));
                }
            }
            Ok(out)
        })
        .await
        .expect("deliveries")
    };
    let start = Instant::now();
    let deliveries = loop {
        let current = statuses(tdb.db.clone()).await;
        if current.len() == 4 * 2 + 2 && current.iter().all(|(_, d)| d.status == DeliveryStatus::Delivered) {
            break current;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "not everything delivered: {current:#?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    restarted.kill();

    // In-app: each notification once in its member's inbox.
    for (member, expected) in [(ALICE, 2), (BOB, 2)] {
        let (items, unread) = tdb.db.run(move |c| notifications::inbox(c, member, 50, None)).await.expect("inbox");
        let ids: BTreeSet<_> = items.iter().map(|n| n.id.clone()).collect();
        assert_eq!((items.len(), ids.len(), unread), (expected, expected, expected as i64), "{member}");
    }
    // Email only to Alice (Bob has no address), one per notification of hers.
    let channels: BTreeMap<Channel, usize> = deliveries.iter().fold(BTreeMap::new(), |mut m, (_, d)| {
        *m.entry(d.channel).or_default() += 1;
        m
    });
    assert_eq!(channels, BTreeMap::from([(Channel::InApp, 4), (Channel::Email, 2), (Channel::Webhook, 4)]));
    let message_ids: BTreeSet<_> = smtp.mails().iter().filter_map(|m| m.header("Message-ID")).collect();
    assert_eq!(message_ids.len(), 2, "one message per notification emailed");

    // Webhooks: every notification arrived; the one cut off was sent again under the same
    // id with the same body, and was the only one retried.
    let requests = hooks.requests();
    let mut by_id: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    for r in &requests {
        by_id.entry(r.header("webhook-id").expect("id").to_owned()).or_default().push(r.body.clone());
    }
    let expected_ids: BTreeSet<String> = all.iter().map(|n| format!("msg_{}", n.id)).collect();
    assert_eq!(by_id.keys().cloned().collect::<BTreeSet<_>>(), expected_ids);
    let retried = &by_id[&cut_off_id];
    assert_eq!(retried.len(), 2, "the cut-off webhook was retried once");
    assert_eq!(retried[0], retried[1], "with the same body");
    assert!(by_id.iter().filter(|(id, _)| **id != cut_off_id).all(|(_, bodies)| bodies.len() == 1));
    let webhook = deliveries.iter().find(|(n, d)| format!("msg_{n}") == cut_off_id && d.channel == Channel::Webhook);
    assert_eq!(webhook.map(|(_, d)| d.attempts), Some(2), "the attempt before the kill was recorded");
}

/// A receiver that keeps failing: the webhook is tried `max_attempts` times with backoff,
/// then recorded as failed with the last error, while the in-app copy is delivered once.
/// The worker runs in this process: the behaviour under test is the retry policy, not
/// the process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_webhook_is_given_up_after_max_attempts() {
    use commissary_notify::{DeliverySettings, Notifier, NotifierConfig, WebhookKey, WebhookTarget};

    let tdb = TestDb::new().await;
    let hooks = WebhookReceiver::start().await;
    hooks.respond_with(500);
    let config = NotifierConfig {
        public_url: "https://commissary.test".parse().expect("url"),
        mailer: None,
        webhooks: vec![WebhookTarget {
            url: hooks.url("/hooks").parse().expect("url"),
            key: WebhookKey::parse(SECRET).expect("secret"),
            kinds: Vec::new(),
        }],
        policy: Default::default(),
        delivery: DeliverySettings {
            poll_interval: Duration::from_millis(50),
            max_attempts: 3,
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            ..Default::default()
        },
    };
    let notifier = Notifier::new(config, tdb.db.clone(), "test-worker".into()).expect("notifier");
    let shutdown = tokio_util::sync::CancellationToken::new();
    let worker = tokio::spawn(notifier.run(shutdown.clone()));
    record(&tdb.db, "won:1:alice", NotificationKind::Won, ALICE).await;

    let db = tdb.db.clone();
    let start = Instant::now();
    let webhook = loop {
        let deliveries = db
            .run(|conn| {
                let all = notifications::all(conn)?;
                notifications::deliveries_of(conn, &all[0].id)
            })
            .await
            .expect("deliveries");
        if let Some(d) =
            deliveries.iter().find(|d| d.channel == Channel::Webhook && d.status != DeliveryStatus::Pending)
        {
            assert!(deliveries.iter().any(|d| d.channel == Channel::InApp && d.status == DeliveryStatus::Delivered));
            break d.clone();
        }
        assert!(start.elapsed() < Duration::from_secs(30), "never given up: {deliveries:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(webhook.status, DeliveryStatus::Failed);
    assert_eq!(webhook.attempts, 3);
    assert_eq!(webhook.last_error.as_deref(), Some("HTTP 500"));
    // Nothing more is tried once it is given up.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(hooks.requests().len(), 3, "exactly max_attempts requests");
    let ids: BTreeSet<_> = hooks.requests().iter().map(|r| r.header("webhook-id").expect("id").to_owned()).collect();
    assert_eq!(ids.len(), 1, "every attempt under the same webhook-id");
    shutdown.cancel();
    worker.await.expect("worker stops");
}

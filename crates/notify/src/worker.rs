use std::time::{Duration, Instant};

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use commissary_db::after_sale::notifications::{self as outbox, Delivery, Notification};
use commissary_db::after_sale::{self, fulfillment, profiles};
use commissary_db::{Db, DbResult};
use commissary_domain::fulfillment::FulfillmentPolicy;
use commissary_domain::notification::{Channel, NotificationKind, retry_delay};

use crate::mailer::Mailer;
use crate::message;
use crate::webhook::WebhookKey;

/// One `[[webhooks]]` entry.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    pub url: url::Url,
    pub key: WebhookKey,
    /// The kinds sent to it (all when empty).
    pub kinds: Vec<NotificationKind>,
}

impl WebhookTarget {
    fn wants(&self, kind: NotificationKind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }
}

/// Timing of the delivery loop.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    pub poll_interval: Duration,
    /// Attempts per delivery before it is given up and recorded as failed.
    pub max_attempts: u32,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// How long a claimed delivery stays locked to its worker (a worker that died
    /// mid-delivery is replaced after this).
    pub lock_timeout: Duration,
    pub request_timeout: Duration,
    /// `ending_soon` goes out this long before an auction's current end.
    pub ending_soon_lead: Duration,
    /// How often the scans (ending soon, claim reminders, erasure) run.
    pub scan_interval: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(1),
            max_attempts: 8,
            base_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(3600),
            lock_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(10),
            ending_soon_lead: Duration::from_secs(3600),
            scan_interval: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NotifierConfig {
    /// The origin members use: links in emails point there.
    pub public_url: url::Url,
    pub mailer: Option<Mailer>,
    pub webhooks: Vec<WebhookTarget>,
    pub policy: FulfillmentPolicy,
    pub delivery: DeliverySettings,
}

/// The delivery loop of one replica.
pub struct Notifier {
    config: NotifierConfig,
    db: Db,
    worker_id: String,
    http: reqwest::Client,
}

/// What one attempt came to.
enum Outcome {
    Delivered,
    Skipped(&'static str),
    Failed(String),
}

fn chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

const BATCH: i64 = 10;

impl Notifier {
    pub fn new(config: NotifierConfig, db: Db, worker_id: String) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(config.delivery.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { config, db, worker_id, http })
    }

    /// Runs until `shutdown`; database and peer failures are logged and retried.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut last_scan: Option<Instant> = None;
        loop {
            if last_scan.is_none_or(|t| t.elapsed() >= self.config.delivery.scan_interval) {
                if let Err(e) = self.scan().await {
                    tracing::warn!(error = %e, "after-sale scan failed");
                }
                last_scan = Some(Instant::now());
            }
            let busy = match self.step().await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "notification delivery pass failed");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(self.config.delivery.poll_interval) => {}
                }
            } else if shutdown.is_cancelled() {
                return;
            }
        }
    }

    /// Plans new notifications and delivers what is due; returns how much it did.
    pub async fn step(&self) -> DbResult<usize> {
        let planned = self.plan().await?;
        let now = Utc::now();
        let (worker, lock) = (self.worker_id.clone(), chrono(self.config.delivery.lock_timeout));
        let due = self.db.run(move |conn| outbox::claim_due(conn, &worker, BATCH, lock, now)).await?;
        let count = due.len();
        for delivery in due {
            self.deliver(delivery).await?;
        }
        Ok(planned + count)
    }

    async fn plan(&self) -> DbResult<usize> {
        let email_on = self.config.mailer.is_some();
        let webhooks: Vec<(String, WebhookTarget)> =
            self.config.webhooks.iter().map(|w| (w.url.to_string(), w.clone())).collect();
        self.db
            .run(move |conn| {
                let pending = outbox::unplanned(conn, BATCH)?;
                let mut planned = 0;
                for notification in pending {
                    let mut channels = vec![(Channel::InApp, String::new())];
                    if email_on
                        && let Some(profile) = profiles::get(conn, &notification.recipient)?
                        && profile.email.is_some()
                        && !profile.email_opt_out.contains(&notification.kind)
                    {
                        channels.push((Channel::Email, String::new()));
                    }
                    for (url, target) in &webhooks {
                        if target.wants(notification.kind) {
                            channels.push((Channel::Webhook, url.clone()));
                        }
                    }
                    planned += usize::from(outbox::plan(conn, &notification.id, &channels, Utc::now())?);
                }
                Ok(planned)
            })
            .await
    }

    async fn deliver(&self, delivery: Delivery) -> DbResult<()> {
        let id = delivery.notification_id.clone();
        let Some(notification) = self.db.run(move |conn| outbox::get(conn, &id)).await? else {
            return Ok(());
        };
        let outcome = match delivery.channel {
            Channel::InApp => return self.deliver_in_app(delivery, notification).await,
            Channel::Email => self.email(&notification).await?,
            Channel::Webhook => self.webhook(&notification, &delivery.target).await,
        };
        let now = Utc::now();
        let worker = self.worker_id.clone();
        let settings = &self.config.delivery;
        let attempts = u32::try_from(delivery.attempts).unwrap_or(u32::MAX);
        let retry_at = (attempts < settings.max_attempts)
            .then(|| now + retry_delay(attempts, chrono(settings.base_backoff), chrono(settings.max_backoff)));
        let channel = delivery.channel;
        let kept = self
            .db
            .run(move |conn| match outcome {
                Outcome::Delivered => outbox::mark_delivered(conn, &delivery, &worker, now),
                Outcome::Skipped(reason) => outbox::mark_skipped(conn, &delivery, &worker, reason, now),
                Outcome::Failed(error) => {
                    match retry_at {
                        Some(_) => tracing::info!(%channel, attempts, error = %error, "delivery failed; will retry"),
                        None => tracing::warn!(%channel, attempts, error = %error, "delivery failed; giving up"),
                    }
                    outbox::mark_failed(conn, &delivery, &worker, &error, retry_at, now)
                }
            })
            .await?;
        if !kept {
            tracing::info!(%channel, "delivery was taken over by another worker meanwhile");
        }
        Ok(())
    }

    /// The inbox row and the live event are one local write: no retry, no outside peer.
    async fn deliver_in_app(&self, delivery: Delivery, notification: Notification) -> DbResult<()> {
        let worker = self.worker_id.clone();
        let kept = self
            .db
            .run(move |conn| outbox::deliver_in_app(conn, &delivery, &notification, &worker, Utc::now()))
            .await?;
        if kept {
            commissary_db::members::events::wake();
        } else {
            tracing::info!(channel = %Channel::InApp, "delivery was taken over by another worker meanwhile");
        }
        Ok(())
    }

    async fn email(&self, notification: &Notification) -> DbResult<Outcome> {
        let Some(mailer) = &self.config.mailer else { return Ok(Outcome::Skipped("email is not configured")) };
        let recipient = notification.recipient.clone();
        let Some(profile) = self.db.run(move |conn| profiles::get(conn, &recipient)).await? else {
            return Ok(Outcome::Skipped("no confirmed email address"));
        };
        let Some(address) = profile.email.as_deref() else {
            return Ok(Outcome::Skipped("no confirmed email address"));
        };
        if profile.email_opt_out.contains(&notification.kind) {
            return Ok(Outcome::Skipped("opted out of this kind"));
        }
        let email = message::email(notification, &self.config.public_url, &profile.unsubscribe_token);
        Ok(match mailer.send_notification(address, &email, &notification.id).await {
            Ok(()) => Outcome::Delivered,
            Err(e) => Outcome::Failed(e.to_string()),
        })
    }

    async fn webhook(&self, notification: &Notification, target: &str) -> Outcome {
        let Some(webhook) = self.config.webhooks.iter().find(|w| w.url.as_str() == target) else {
            return Outcome::Skipped("webhook no longer configured");
        };
        let body = message::webhook_body(notification).to_string();
        // The same id on every attempt: receivers deduplicate on it.
        let id = format!("msg_{}", notification.id);
        let timestamp = Utc::now().timestamp();
        let signature = webhook.key.sign(&id, timestamp, body.as_bytes());
        let sent = self
            .http
            .post(webhook.url.clone())
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => Outcome::Delivered,
            Ok(response) => Outcome::Failed(format!("HTTP {}", response.status().as_u16())),
            // Without the URL: it may carry a token of the receiver's.
            Err(e) => Outcome::Failed(format!("request failed: {}", e.without_url())),
        }
    }

    /// Ending-soon and claim-reminder scans, and erasure of personal data past retention.
    pub async fn scan(&self) -> DbResult<()> {
        let policy = self.config.policy;
        let lead = i64::try_from(self.config.delivery.ending_soon_lead.as_secs()).unwrap_or(i64::MAX / 2);
        let (ending, reminders, erased) = self
            .db
            .run(move |conn| {
                let now = Utc::now();
                let block_time = commissary_db::chain::indexer::latest_block_time(conn)?.unwrap_or(0);
                let chain_now = block_time.max(now.timestamp());
                let ending = after_sale::scan_ending_soon(conn, chain_now, lead, now)?;
                let reminders =
                    after_sale::scan_claim_reminders(conn, policy.claim_period, policy.claim_reminder_before, now)?;
                let erased = fulfillment::erase_closed_before(conn, policy.erase_closed_before(now), now)?;
                Ok((ending, reminders, erased))
            })
            .await?;
        if ending + reminders + erased > 0 {
            tracing::info!(ending_soon = ending, claim_reminders = reminders, erased, "after-sale scan");
        }
        Ok(())
    }
}

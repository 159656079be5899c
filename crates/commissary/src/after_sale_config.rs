//! `[fulfillment]`, `[email]`, `[[webhooks]]` and `[notifications]`: what happens after
//! the hammer, and how members and the co-op's tools hear about it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use commissary_domain::fulfillment::FulfillmentPolicy;
use commissary_domain::notification::NotificationKind;
use commissary_notify::{DeliverySettings, Mailer, WebhookKey, WebhookTarget};

pub use commissary_domain::Secret;

use commissary_chain::config::duration_text;

/// A setting that does not validate: which key, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSetting {
    pub key: String,
    pub message: String,
}

type ConfigError = InvalidSetting;

fn invalid(key: impl Into<String>, message: impl Into<String>) -> InvalidSetting {
    InvalidSetting { key: key.into(), message: message.into() }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct FulfillmentConfig {
    /// Days after settlement the winner has to claim the item.
    pub claim_days: u32,
    /// Days after `handed_over` / `unclaimed` until personal data is erased.
    pub retention_days: u32,
    /// Days a claim may wait for a steward before it is flagged overdue.
    pub stale_claim_days: u32,
    /// Days before `claim_by` the winner is reminded.
    pub claim_reminder_days: u32,
}

impl Default for FulfillmentConfig {
    fn default() -> Self {
        Self { claim_days: 14, retention_days: 30, stale_claim_days: 7, claim_reminder_days: 3 }
    }
}

impl FulfillmentConfig {
    pub fn policy(&self) -> Result<FulfillmentPolicy, ConfigError> {
        if self.claim_days == 0 {
            return Err(invalid("fulfillment.claim_days", "must be at least 1"));
        }
        if self.claim_reminder_days >= self.claim_days {
            return Err(invalid("fulfillment.claim_reminder_days", "must be less than claim_days"));
        }
        let days = |d: u32| chrono::Duration::days(i64::from(d));
        Ok(FulfillmentPolicy {
            claim_period: days(self.claim_days),
            retention: days(self.retention_days),
            stale_claim_after: days(self.stale_claim_days),
            claim_reminder_before: days(self.claim_reminder_days),
        })
    }
}

/// Outgoing email; without it nothing is mailed and members cannot add an address.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required`, `smtps://user:pass@host`.
    pub smtp_url: Secret,
    /// e.g. `"Ampled Commissary <commissary@ampled.coop>"`.
    pub from: String,
}

impl EmailConfig {
    pub fn mailer(&self, timeout: Duration) -> Result<Mailer, ConfigError> {
        Mailer::new(self.smtp_url.expose(), &self.from, timeout).map_err(|e| {
            let key =
                if matches!(e, commissary_notify::MailError::InvalidFrom) { "email.from" } else { "email.smtp_url" };
            invalid(key, e.to_string())
        })
    }
}

/// One of the co-op's tools that gets notifications as signed JSON POSTs.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// `whsec_<base64 of 24–64 random bytes>`.
    pub secret: Secret,
    /// Notification kinds sent (all when empty).
    #[serde(default)]
    pub kinds: Vec<String>,
}

impl WebhookConfig {
    pub fn target(&self, index: usize) -> Result<WebhookTarget, ConfigError> {
        let key = |field: &str| format!("webhooks[{index}].{field}");
        let url = url::Url::parse(&self.url).map_err(|e| invalid(key("url"), e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(key("url"), "must be an http(s) URL"));
        }
        let signing = WebhookKey::parse(self.secret.expose()).map_err(|e| invalid(key("secret"), e.to_string()))?;
        let kinds = self
            .kinds
            .iter()
            .map(|k| {
                k.parse::<NotificationKind>()
                    .map_err(|_| invalid(key("kinds"), format!("{k:?} is not a notification kind")))
            })
            .collect::<Result<_, _>>()?;
        Ok(WebhookTarget { url, key: signing, kinds })
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct NotificationsConfig {
    #[serde(with = "duration_text")]
    pub poll_interval: Duration,
    /// Attempts per delivery (email, webhook) before it is given up and recorded as failed.
    pub max_attempts: u32,
    #[serde(with = "duration_text")]
    pub base_backoff: Duration,
    #[serde(with = "duration_text")]
    pub max_backoff: Duration,
    /// A delivery whose worker died is retried after this.
    #[serde(with = "duration_text")]
    pub lock_timeout: Duration,
    #[serde(with = "duration_text")]
    pub request_timeout: Duration,
    /// `ending_soon` is sent this long before an auction's current end.
    #[serde(with = "duration_text")]
    pub ending_soon_lead: Duration,
    #[serde(with = "duration_text")]
    pub scan_interval: Duration,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        let d = DeliverySettings::default();
        Self {
            poll_interval: d.poll_interval,
            max_attempts: d.max_attempts,
            base_backoff: d.base_backoff,
            max_backoff: d.max_backoff,
            lock_timeout: d.lock_timeout,
            request_timeout: d.request_timeout,
            ending_soon_lead: d.ending_soon_lead,
            scan_interval: d.scan_interval,
        }
    }
}

impl NotificationsConfig {
    pub fn delivery(&self) -> Result<DeliverySettings, ConfigError> {
        if self.max_attempts == 0 {
            return Err(invalid("notifications.max_attempts", "must be at least 1"));
        }
        for (key, value) in [
            ("poll_interval", self.poll_interval),
            ("base_backoff", self.base_backoff),
            ("lock_timeout", self.lock_timeout),
            ("request_timeout", self.request_timeout),
            ("scan_interval", self.scan_interval),
        ] {
            if value.is_zero() {
                return Err(invalid(format!("notifications.{key}"), "must be positive"));
            }
        }
        if self.max_backoff < self.base_backoff {
            return Err(invalid("notifications.max_backoff", "must be at least base_backoff"));
        }
        Ok(DeliverySettings {
            poll_interval: self.poll_interval,
            max_attempts: self.max_attempts,
            base_backoff: self.base_backoff,
            max_backoff: self.max_backoff,
            lock_timeout: self.lock_timeout,
            request_timeout: self.request_timeout,
            ending_soon_lead: self.ending_soon_lead,
            scan_interval: self.scan_interval,
        })
    }
}

/// The validated after-sale settings.
#[derive(Debug, Clone)]
pub struct AfterSaleSettings {
    pub policy: FulfillmentPolicy,
    pub mailer: Option<Mailer>,
    pub webhooks: Vec<WebhookTarget>,
    pub delivery: DeliverySettings,
}

pub fn validate(
    fulfillment: &FulfillmentConfig,
    email: Option<&EmailConfig>,
    webhooks: &[WebhookConfig],
    notifications: &NotificationsConfig,
) -> Result<AfterSaleSettings, ConfigError> {
    let delivery = notifications.delivery()?;
    Ok(AfterSaleSettings {
        policy: fulfillment.policy()?,
        mailer: email.map(|e| e.mailer(delivery.request_timeout)).transpose()?,
        webhooks: webhooks.iter().enumerate().map(|(i, w)| w.target(i)).collect::<Result<_, _>>()?,
        delivery,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook(url: &str, secret: &str, kinds: &[&str]) -> WebhookConfig {
        WebhookConfig {
            url: url.into(),
            secret: Secret::new(secret),
            kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
        }
    }

    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

    #[test]
    fn errors_name_the_key_and_never_quote_secrets() {
        let notifications = NotificationsConfig::default();
        let check = |hooks: &[WebhookConfig]| {
            validate(&FulfillmentConfig::default(), None, hooks, &notifications).expect_err("invalid")
        };
        assert_eq!(check(&[webhook("ftp://x", SECRET, &[])]).key, "webhooks[0].url");
        let bad_secret = check(&[webhook("https://x.test/h", "whsec_not*base64", &[])]);
        assert_eq!(bad_secret.key, "webhooks[0].secret");
        assert!(!bad_secret.message.contains("not*base64"), "{}", bad_secret.message);
        assert_eq!(check(&[webhook("https://x.test/h", SECRET, &["spam"])]).key, "webhooks[0].kinds");
        let email = EmailConfig { smtp_url: Secret::new("smtp://127.0.0.1:2525"), from: "not a mailbox".into() };
        let err = validate(&FulfillmentConfig::default(), Some(&email), &[], &notifications).expect_err("from");
        assert_eq!(err.key, "email.from");
        let fulfillment = FulfillmentConfig { claim_days: 3, claim_reminder_days: 3, ..FulfillmentConfig::default() };
        assert_eq!(
            validate(&fulfillment, None, &[], &notifications).expect_err("reminder").key,
            "fulfillment.claim_reminder_days"
        );
    }

    #[test]
    fn valid_settings_become_the_runtime_ones() {
        let email = EmailConfig { smtp_url: Secret::new("smtp://127.0.0.1:2525"), from: "Co-op <c@coop.test>".into() };
        let settings = validate(
            &FulfillmentConfig::default(),
            Some(&email),
            &[webhook("https://x.test/h", SECRET, &["won"])],
            &NotificationsConfig::default(),
        )
        .expect("valid");
        assert!(settings.mailer.is_some());
        assert_eq!(settings.webhooks[0].kinds, vec![NotificationKind::Won]);
        assert_eq!(settings.policy.claim_period, chrono::Duration::days(14));
        assert_eq!(settings.delivery.max_attempts, 8);
    }
}

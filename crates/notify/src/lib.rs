//! Delivers the notification outbox and runs the after-sale background work.
//!
//! One loop ([`Notifier::run`]) per replica; replicas share the work through the
//! database (deliveries are claimed with a visibility timeout), so no lease is needed:
//! 1. plans the deliveries of new notifications: in-app always; email when the member
//!    has a confirmed address and has not opted out of the kind; each `[[webhooks]]`
//!    entry whose `kinds` include it;
//! 2. delivers due deliveries: the attempt is recorded (and the delivery locked) before
//!    the outside effect and the outcome after it, so a crash in between repeats the
//!    delivery with the same identity (webhook-id, Message-ID); failures retry with
//!    exponential backoff until `max_attempts`, then the delivery is recorded as failed;
//! 3. now and then scans for `ending_soon` and `claim_reminder` notifications and erases
//!    personal data of fulfillments closed more than `retention` ago.

pub mod mailer;
pub mod message;
pub mod webhook;
mod worker;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use mailer::{MailError, Mailer};
pub use webhook::{SecretError, WebhookKey};
pub use worker::{DeliverySettings, Notifier, NotifierConfig, WebhookTarget};

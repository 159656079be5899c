//! Wires the after-sale parts: the API's view of the settings (policy, confirmation
//! mailer) and the notification worker.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use anyhow::Context;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use commissary_api::after_sale::{AfterSaleSettings as ApiAfterSale, ConfirmationMailer};
use commissary_db::Db;
use commissary_notify::{Mailer, Notifier, NotifierConfig};

use crate::config::Settings;

struct CodeMailer(Mailer);

impl ConfirmationMailer for CodeMailer {
    fn send_code<'a>(
        &'a self,
        to: &'a str,
        code: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move { self.0.send_code(to, code).await.map_err(|e| e.to_string()) })
    }
}

pub fn api_settings(settings: &Settings) -> ApiAfterSale {
    ApiAfterSale {
        policy: settings.after_sale.policy,
        mailer: settings.after_sale.mailer.clone().map(|m| Arc::new(CodeMailer(m)) as Arc<dyn ConfirmationMailer>),
    }
}

/// Starts the notification worker (every replica runs one; they share the outbox).
pub fn spawn_notifier(settings: &Settings, db: Db) -> anyhow::Result<(CancellationToken, JoinHandle<()>)> {
    let config = NotifierConfig {
        public_url: settings.public_url.clone(),
        mailer: settings.after_sale.mailer.clone(),
        webhooks: settings.after_sale.webhooks.clone(),
        policy: settings.after_sale.policy,
        delivery: settings.after_sale.delivery.clone(),
    };
    if config.mailer.is_none() {
        tracing::info!("no [email] configured: notifications are not mailed");
    }
    let worker_id = format!("notify-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let notifier = Notifier::new(config, db, worker_id).context("configuring the notification worker")?;
    let token = CancellationToken::new();
    let shutdown = token.clone();
    Ok((token, tokio::spawn(notifier.run(shutdown))))
}

//! After the hammer: the winner's claim and the stewards' fulfillment queue, members'
//! notifications, profiles and settings, and the stewards' reports.

pub mod fulfillment;
pub mod inbox;
pub mod profile;
pub mod reports;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::web;

use commissary_domain::fulfillment::FulfillmentPolicy;

/// Sends the one-time code that confirms a member's email address. Implemented by the
/// service's mailer; the API only knows it can ask.
pub trait ConfirmationMailer: Send + Sync {
    fn send_code<'a>(
        &'a self,
        to: &'a str,
        code: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;
}

/// What the after-sale endpoints need from the configuration.
#[derive(Clone, Default)]
pub struct AfterSaleSettings {
    pub policy: FulfillmentPolicy,
    /// `None` when `[email]` is not configured: members cannot add an address then.
    pub mailer: Option<Arc<dyn ConfirmationMailer>>,
}

impl std::fmt::Debug for AfterSaleSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AfterSaleSettings")
            .field("policy", &self.policy)
            .field("email", &self.mailer.is_some())
            .finish()
    }
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(fulfillment::claim)
        .service(fulfillment::get_one)
        .service(fulfillment::transition)
        .service(fulfillment::confirm_receipt)
        .service(fulfillment::queue)
        .service(inbox::list)
        .service(inbox::read)
        .service(inbox::get_settings)
        .service(inbox::put_settings)
        .service(inbox::unsubscribe_page)
        .service(inbox::unsubscribe_one_click)
        .service(profile::get_profile)
        .service(profile::put_profile)
        .service(profile::confirm_email)
        .service(reports::auctions_csv)
        .service(reports::summary);
}

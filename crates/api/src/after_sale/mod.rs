//! After the hammer: the winner's claim and the stewards' fulfillment queue, members'
//! notifications, profiles and settings, and the stewards' reports.

pub mod fulfillment;
pub mod inbox;
pub mod profile;
pub mod reports;

use actix_web::web;

pub use crate::state::{AfterSaleSettings, ConfirmationMailer};

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

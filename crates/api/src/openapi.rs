//! The OpenAPI 3.1 description and a self-contained docs page (no CDN).

use actix_web::{HttpResponse, get};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Commissary API", description = "The auction engine of the Ampled music co-op: donated gear, bid for with $AMPLED.", version = "1"),
    paths(
        crate::auth::nonce, crate::auth::login, crate::auth::logout, crate::auth::me,
        crate::listings::create, crate::listings::list, crate::listings::get_one, crate::listings::update, crate::listings::remove,
        crate::auctions::publish, crate::auctions::cancel, crate::auctions::bids,
        crate::photos::upload, crate::photos::remove, crate::photos::reorder, crate::photos::serve,
        crate::health::healthz, crate::health::readyz, crate::health::metrics, crate::health::public_config,
        crate::live::public_events, crate::live::listing_events, crate::live::my_events,
        crate::members::my_bids, crate::members::my_credits, crate::members::watchlist, crate::members::watch,
        crate::members::unwatch,
        crate::relay::bid_quote, crate::relay::relay_bid, crate::relay::relay_status,
        crate::after_sale::fulfillment::claim, crate::after_sale::fulfillment::get_one,
        crate::after_sale::fulfillment::transition, crate::after_sale::fulfillment::confirm_receipt,
        crate::after_sale::fulfillment::queue,
        crate::after_sale::inbox::list, crate::after_sale::inbox::read, crate::after_sale::inbox::get_settings,
        crate::after_sale::inbox::put_settings, crate::after_sale::inbox::unsubscribe_page,
        crate::after_sale::inbox::unsubscribe_one_click,
        crate::after_sale::profile::get_profile, crate::after_sale::profile::put_profile,
        crate::after_sale::profile::confirm_email,
        crate::after_sale::reports::auctions_csv, crate::after_sale::reports::summary,
    ),
    tags(
        (name = "auth", description = "Sign-In with Ethereum"),
        (name = "listings", description = "Donated gear up for auction"),
        (name = "photos", description = "Listing photos"),
        (name = "auctions", description = "On-chain auctions: publishing, cancelling, bids"),
        (name = "operations", description = "Probes and metrics"),
        (name = "live", description = "Server-Sent Events: auction events as they are indexed, resumable with Last-Event-ID"),
        (name = "relay", description = "Gasless bids: EIP-712 signed bids sent by the co-op's relayer"),
        (name = "members", description = "The signed-in member's auctions, credits and watchlist"),
        (name = "fulfillment", description = "Won gear on its way to the winner"),
        (name = "notifications", description = "In-app notifications and email settings"),
        (name = "profile", description = "Display name and email address"),
        (name = "reports", description = "The stewards' books"),
    )
)]
pub struct ApiDoc;

/// The OpenAPI document.
#[get("/api/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// Human-readable API reference rendered in the browser from `/api/openapi.json`.
#[get("/api/docs")]
pub async fn docs() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(include_str!("docs.html"))
}

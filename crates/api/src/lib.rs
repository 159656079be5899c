//! The Commissary HTTP API: JSON under `/api/v1`, photos under `/photos`, probes,
//! metrics and the OpenAPI description. Handlers are thin: they parse input into
//! domain types, call the domain and the stores, and map errors to [`ApiError`].
//!
//! Modules, each importing only those below it:
//!
//! ```text
//! openapi                                  the OpenAPI description of every handler; 405 / 404 fallback
//!   max_bid                                maximum bids: quote, put, get, revoke (the member's own)
//!   live, members, relay                   SSE streams and their fan-out; me/bids, credits, watchlist;
//!                                          gasless bids (quote, relay, status)
//!   auctions                               publish, cancel, bids
//!     listings                             listing CRUD and search (read model views)
//!       photos, auth, health, page         photo endpoints; sign-in; probes; web page
//!         workflow                         use cases: create draft, attach photo, publish
//!         listing_path, session            extractors: the listing of /listings/{id}/...;
//!                                          Member / Steward / Viewer
//!           state                          AppState, configuration
//!             read_cache                   public listing reads, invalidated by the read version
//!             conditional                  ETag / If-None-Match → 304 for JSON reads
//!             body                         JsonBody: a JSON object body
//!             roles, error                 Role; ApiError (one mapping of every error)
//! ```

pub mod after_sale;
pub mod auctions;
pub mod auth;
pub mod body;
pub mod conditional;
pub mod error;
pub mod health;
pub mod listing_path;
pub mod listings;
pub mod live;
pub mod max_bid;
pub mod members;
pub mod openapi;
pub mod page;
pub mod photos;
pub mod read_cache;
pub mod relay;
pub mod roles;
pub mod session;
pub mod state;
pub mod workflow;

use actix_session::SessionMiddleware;
use actix_session::config::PersistentSession;
use actix_web::cookie::{Key, SameSite};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{HttpRequest, web};

pub use auth::DbSessionStore;
pub use error::{ApiError, ApiResult};
pub use live::{LiveHub, LiveOptions};
pub use state::{ApiConfig, AppState, PublicChainConfig, RelayChain, RelaySettings, SiweConfig};

pub const SESSION_COOKIE: &str = "commissary_session";
/// JSON bodies are small; photos travel as multipart and have their own limit.
pub const JSON_LIMIT_BYTES: usize = 256 * 1024;

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::ContentType => ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send JSON with Content-Type: application/json",
        ),
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("JSON bodies are limited to {JSON_LIMIT_BYTES} bytes"),
        ),
        JsonPayloadError::Deserialize(e) => ApiError::bad_request("invalid_json", format!("invalid JSON body: {e}")),
        _ => ApiError::bad_request("invalid_json", "the request body could not be read as JSON"),
    };
    api.into()
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request("invalid_query", format!("invalid query string: {err}")).into()
}

fn path_error(_err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::not_found("resource").into()
}

/// Registers every route and extractor setting on an actix `App`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().limit(JSON_LIMIT_BYTES).error_handler(json_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(openapi::openapi_json)
        .service(openapi::docs)
        .service(photos::serve)
        .service(page::serve_page)
        .service(page::serve_asset)
        .service(
            web::scope("/api/v1")
                .service(health::public_config)
                .service(auth::nonce)
                .service(auth::login)
                .service(auth::logout)
                .service(auth::me)
                .service(listings::create)
                .service(listings::list)
                // Early: actix tries patterns in order with a regex per `{…}` route, and
                // at auction close this is the hottest one (a third of a cached read's
                // CPU went to matching it after the `/listings/{id}/…` routes).
                .service(listings::get_one)
                // The fixed `/photos/order` route must win over `/photos/{photo_id}`.
                .service(photos::reorder)
                .service(photos::upload)
                .service(photos::remove)
                .service(auctions::publish)
                .service(auctions::cancel)
                .service(auctions::bids)
                .configure(relay::routes)
                .configure(max_bid::routes)
                .configure(after_sale::configure)
                .service(listings::update)
                .service(listings::remove)
                .configure(live::routes)
                .configure(members::routes),
        )
        .default_service(web::to(openapi::fallback));
}

/// Session cookies: opaque key, HttpOnly, SameSite=Strict, signed with the configured
/// key; the state lives in the database.
pub fn session_middleware(
    store: DbSessionStore,
    key: Key,
    secure: bool,
    ttl_secs: i64,
) -> SessionMiddleware<DbSessionStore> {
    SessionMiddleware::builder(store, key)
        .cookie_name(SESSION_COOKIE.to_owned())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Strict)
        .cookie_secure(secure)
        .cookie_path("/".to_owned())
        .session_lifecycle(
            PersistentSession::default().session_ttl(actix_web::cookie::time::Duration::seconds(ttl_secs)),
        )
        .build()
}

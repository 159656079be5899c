//! Publishing listings as on-chain auctions, cancelling them, and reading their bids.
//! The chain work itself is done by the chain worker from durable jobs recorded here.

use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use commissary_db::chain::{auctions as auction_store, bids as bid_store};
use commissary_db::listings as store;
use commissary_db::publication;
use commissary_domain::{AuctionId, CancelRefused, Cancellation, ListingStatus, ListingTransition};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::listing_path::ListingPath;
use crate::listings::{ListingResponse, load_view};
use crate::session::{Steward, Viewer};
use crate::state::AppState;
use crate::workflow;

/// Freezes a draft and queues its `createAuction` transaction. The listing is
/// `publishing` until the chain confirms the auction, then `scheduled` or `live`.
#[utoipa::path(post, path = "/api/v1/listings/{id}/publish", tag = "auctions", params(("id" = commissary_domain::ListingId, Path)),
    responses((status = 202, body = ListingResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/listings/{id}/publish")]
#[tracing::instrument(skip_all, fields(listing = %listing.id(), steward = %steward.address))]
pub async fn publish(state: web::Data<AppState>, steward: Steward, listing: ListingPath) -> ApiResult<HttpResponse> {
    workflow::publish(&state.db, listing.id(), Utc::now()).await?;
    let response = load_view(&state, listing.id()).await?;
    Ok(HttpResponse::Accepted().json(response))
}

/// Cancels a listing's auction on chain (only before the first bid). A draft that was
/// never published is simply marked cancelled.
#[utoipa::path(post, path = "/api/v1/listings/{id}/cancel", tag = "auctions", params(("id" = commissary_domain::ListingId, Path)),
    responses((status = 202, body = ListingResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
#[post("/listings/{id}/cancel")]
#[tracing::instrument(skip_all, fields(listing = %listing.id(), steward = %steward.address))]
pub async fn cancel(state: web::Data<AppState>, steward: Steward, listing: ListingPath) -> ApiResult<HttpResponse> {
    let id = listing.id();
    let auction = state.db.run(move |conn| auction_store::for_listing(conn, id)).await?;
    let bid_count = auction.as_ref().map_or(0, |a| a.bid_count);
    match listing.0.status.can_cancel(bid_count) {
        Ok(Cancellation::Withdraw) => {
            state.db.run(move |conn| store::transition(conn, id, ListingTransition::Withdraw, Utc::now())).await?;
        }
        Ok(Cancellation::OnChain) => {
            state.db.run(move |conn| publication::queue_cancellation(conn, id, Utc::now())).await?;
            tracing::info!("cancellation queued");
        }
        Ok(Cancellation::AlreadyCancelled) => {}
        Err(CancelRefused::AuctionHasBids) => {
            return Err(ApiError::conflict("auction_has_bids", "an auction with bids cannot be cancelled"));
        }
        Err(CancelRefused::AuctionOver) => return Err(ApiError::conflict("not_cancellable", "the auction is over")),
    }
    Ok(HttpResponse::Accepted().json(load_view(&state, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BidResponse {
    pub bidder: commissary_domain::Address,
    /// The bidder's public display name, when they set one.
    pub bidder_name: Option<String>,
    /// Decimal string of token base units.
    pub amount: commissary_domain::TokenAmount,
    /// The auction's end after this bid (extensions included).
    pub ends_at: chrono::DateTime<Utc>,
    pub placed_at: chrono::DateTime<Utc>,
    pub tx_hash: String,
    pub block_number: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BidPage {
    pub items: Vec<BidResponse>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BidFilter {
    /// A `next_cursor` (`{block}-{log index}`).
    #[param(pattern = r"^[0-9]{1,18}-[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Bids on a listing's auction, newest first.
#[utoipa::path(get, path = "/api/v1/listings/{id}/bids", tag = "auctions", params(("id" = commissary_domain::ListingId, Path), BidFilter),
    responses((status = 200, body = BidPage), (status = 404, body = ErrorBody)))]
#[get("/listings/{id}/bids")]
#[tracing::instrument(skip_all, fields(listing = %listing.id()))]
pub async fn bids(
    state: web::Data<AppState>,
    viewer: Viewer,
    listing: ListingPath,
    filter: web::Query<BidFilter>,
) -> ApiResult<web::Json<BidPage>> {
    let ListingPath(record) = listing;
    if record.status == ListingStatus::Draft && !viewer.is_steward {
        return Err(ApiError::not_found("listing"));
    }
    let limit = filter.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_request("invalid_limit", "limit must be between 1 and 200"));
    }
    let before = filter.cursor.as_deref().map(decode_bid_cursor).transpose()?;
    let Some(auction_id) =
        record.auction_id.as_deref().map(str::parse::<AuctionId>).transpose().map_err(ApiError::internal)?
    else {
        return Ok(web::Json(BidPage { items: Vec::new(), next_cursor: None }));
    };
    let mut rows = state.db.run(move |conn| bid_store::for_auction(conn, &auction_id, limit + 1, before)).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = if has_more { rows.last().map(|b| format!("{}-{}", b.block_number, b.log_index)) } else { None };
    let bidders: Vec<String> = rows.iter().map(|b| b.bidder.to_lower_hex()).collect();
    let names: std::collections::HashMap<String, String> = state
        .db
        .run(move |conn| commissary_db::after_sale::profiles::display_names(conn, &bidders))
        .await?
        .into_iter()
        .collect();
    let items = rows
        .into_iter()
        .map(|b| BidResponse {
            bidder_name: names.get(&b.bidder.to_lower_hex()).cloned(),
            bidder: b.bidder,
            amount: b.amount,
            ends_at: b.ends_at,
            placed_at: b.placed_at,
            tx_hash: b.tx_hash,
            block_number: b.block_number,
        })
        .collect();
    Ok(web::Json(BidPage { items, next_cursor }))
}

fn decode_bid_cursor(raw: &str) -> ApiResult<(i64, i64)> {
    raw.split_once('-')
        .and_then(|(b, l)| Some((b.parse().ok()?, l.parse().ok()?)))
        .ok_or_else(|| ApiError::bad_request("invalid_cursor", "the cursor is not valid"))
}

//! "My commissary": the signed-in member's auctions, credited refunds and watchlist.

use actix_web::{HttpResponse, delete, get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use commissary_db::members::{bids as bid_store, credits as credit_store, watchlist as watch_store};
use commissary_db::photos as photo_store;
use commissary_domain::{Address, BidderState, ListingId, ListingStatus, TokenAmount};

use crate::error::{ApiError, ApiResult, ErrorBody, or_not_found};
use crate::listing_path::parse_listing_id;
use crate::listings::{ListingResponse, load_views};
use crate::photos::PhotoResponse;
use crate::session::Member;
use crate::state::AppState;

/// What a list of a member's auctions shows of each listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingSummary {
    pub id: ListingId,
    pub title: String,
    #[schema(example = "live")]
    pub status: ListingStatus,
    pub category: commissary_domain::Category,
    /// The first photo, if any.
    pub photo: Option<PhotoResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyBidResponse {
    pub listing: ListingSummary,
    /// Decimal on-chain auction id.
    pub auction_id: String,
    /// Decimal string of token base units.
    pub my_highest_bid: TokenAmount,
    pub my_bid_count: i64,
    pub highest_bid: Option<TokenAmount>,
    pub highest_bidder: Option<Address>,
    /// The smallest acceptable next bid (decimal string).
    pub min_next_bid: String,
    /// The current end (extensions included).
    pub ends_at: DateTime<Utc>,
    #[schema(example = "winning")]
    pub state: BidderState,
    /// The member's own latest maximum bid here (decimal string), or `null`.
    pub max_bid: Option<String>,
    /// Its state, or `null` without one.
    pub max_bid_state: Option<commissary_domain::max_bid::MaxBidState>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyBidPage {
    pub items: Vec<MyBidResponse>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageFilter {
    /// A `next_cursor`.
    #[param(pattern = r"^-?[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Page size (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

fn page_limit(limit: Option<i64>) -> ApiResult<i64> {
    let limit = limit.unwrap_or(20);
    if (1..=100).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::bad_request("invalid_limit", "limit must be between 1 and 100"))
    }
}

/// The auctions the signed-in member bid on, newest first, with where they stand:
/// `winning`, `outbid`, `won`, `lost` or `cancelled`.
#[utoipa::path(get, path = "/api/v1/me/bids", tag = "members", params(PageFilter),
    responses((status = 200, body = MyBidPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[get("/me/bids")]
#[tracing::instrument(skip_all)]
pub async fn my_bids(
    state: web::Data<AppState>,
    member: Member,
    filter: web::Query<PageFilter>,
) -> ApiResult<web::Json<MyBidPage>> {
    let limit = page_limit(filter.limit)?;
    let before = filter
        .cursor
        .as_deref()
        .map(|c| c.parse::<i64>().map_err(|_| ApiError::bad_request("invalid_cursor", "the cursor is not valid")))
        .transpose()?;
    let address = member.address;
    let (rows, photos, maxima, has_more) = state
        .db
        .run(move |conn| {
            let (rows, has_more) = bid_store::page(conn, address, before, limit)?;
            let ids: Vec<ListingId> = rows.iter().map(|r| r.listing.id).collect();
            let auctions: Vec<String> = rows.iter().map(|r| r.auction.auction_id.to_string()).collect();
            let maxima = commissary_db::max_bids::latest_of(conn, address, &auctions)?;
            Ok((rows, photo_store::list_for_many(conn, &ids)?, maxima, has_more))
        })
        .await?;
    let next_cursor = if has_more { rows.last().map(|r| r.auction.auction_id.to_string()) } else { None };
    let items = rows
        .into_iter()
        .map(|row| {
            let photo = photos.iter().filter(|p| p.listing_id == row.listing.id).min_by_key(|p| p.position).cloned();
            MyBidResponse {
                listing: ListingSummary {
                    id: row.listing.id,
                    title: row.listing.details.title,
                    status: row.listing.status,
                    category: row.listing.details.category,
                    photo: photo.map(PhotoResponse::from),
                },
                min_next_bid: row.auction.min_next_bid().to_string(),
                auction_id: row.auction.auction_id.to_string(),
                my_highest_bid: row.my_highest_bid,
                my_bid_count: row.my_bid_count,
                highest_bid: row.auction.highest_bid,
                highest_bidder: row.auction.highest_bidder,
                ends_at: row.auction.ends_at,
                state: row.state,
                max_bid: maxima.get(&row.auction.auction_id.to_string()).map(|m| m.max_amount.to_string()),
                max_bid_state: maxima.get(&row.auction.auction_id.to_string()).map(|m| m.state),
            }
        })
        .collect();
    Ok(web::Json(MyBidPage { items, next_cursor }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditEntryResponse {
    /// `credited` (a refund the contract could not push) or `withdrawn`.
    #[schema(example = "credited")]
    pub kind: &'static str,
    /// Decimal string of token base units.
    pub amount: String,
    pub tx_hash: String,
    pub block_number: i64,
    pub at: DateTime<Utc>,
}

/// The transaction that pays credited refunds out.
#[derive(Debug, Serialize, ToSchema)]
pub struct WithdrawCall {
    /// The auction contract; `null` when no chain is configured.
    pub to: Option<Address>,
    #[schema(example = "withdraw()")]
    pub function: &'static str,
    /// Calldata to send (the function selector).
    #[schema(example = "0x3ccfd60b")]
    pub data: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditsResponse {
    pub address: Address,
    /// Refunds credited and not withdrawn yet, as of the indexed chain (decimal string;
    /// equals the contract's `credits(address)` there).
    pub credits: String,
    /// The contract's `credits(address)` read from the chain now (decimal string): ahead of
    /// `credits` while the indexer catches up; `null` when no chain is configured or the
    /// node did not answer (the indexed figure still stands).
    pub on_chain: Option<String>,
    /// Send this from the member's wallet to receive `credits`.
    pub withdraw: WithdrawCall,
    /// Credits and withdrawals, newest first.
    pub history: Vec<CreditEntryResponse>,
}

/// `bytes4(keccak256("withdraw()"))`.
const WITHDRAW_SELECTOR: &str = "0x3ccfd60b";

/// Refunds the contract credited to the signed-in member (when pushing a refund failed)
/// and not yet withdrawn, the call that pays them out, and their history.
#[utoipa::path(get, path = "/api/v1/me/credits", tag = "members",
    responses((status = 200, body = CreditsResponse), (status = 401, body = ErrorBody)))]
#[get("/me/credits")]
#[tracing::instrument(skip_all)]
pub async fn my_credits(state: web::Data<AppState>, member: Member) -> ApiResult<web::Json<CreditsResponse>> {
    let address = member.address;
    let history = state.db.run(move |conn| credit_store::history(conn, address)).await?;
    let on_chain = match state.config.relay.chain.as_deref() {
        Some(chain) => chain
            .credits(address)
            .await
            .inspect_err(|error| tracing::warn!(%error, "reading credits from the chain failed"))
            .ok()
            .map(|c| c.to_string()),
        None => None,
    };
    Ok(web::Json(CreditsResponse {
        address,
        credits: credit_store::balance(&history).to_string(),
        on_chain,
        withdraw: WithdrawCall {
            to: state.config.chain.auction_address,
            function: "withdraw()",
            data: WITHDRAW_SELECTOR,
        },
        history: history
            .into_iter()
            .map(|e| CreditEntryResponse {
                kind: e.kind.as_str(),
                amount: e.amount.to_string(),
                tx_hash: e.tx_hash,
                block_number: e.block_number,
                at: e.at,
            })
            .collect(),
    }))
}

/// Watches a listing (idempotent).
#[utoipa::path(put, path = "/api/v1/me/watchlist/{listing_id}", tag = "members",
    params(("listing_id" = commissary_domain::ListingId, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/me/watchlist/{listing_id}")]
#[tracing::instrument(skip_all, fields(listing = %listing_id))]
pub async fn watch(
    state: web::Data<AppState>,
    member: Member,
    listing_id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_listing_id(&listing_id)?;
    let record =
        state.db.run(move |conn| commissary_db::listings::get(conn, id)).await.map_err(or_not_found("listing"))?;
    if record.status == ListingStatus::Draft {
        return Err(ApiError::not_found("listing"));
    }
    let address = member.address;
    state.db.run(move |conn| watch_store::add(conn, address, id, Utc::now())).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Stops watching a listing (idempotent).
#[utoipa::path(delete, path = "/api/v1/me/watchlist/{listing_id}", tag = "members",
    params(("listing_id" = commissary_domain::ListingId, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/me/watchlist/{listing_id}")]
#[tracing::instrument(skip_all, fields(listing = %listing_id))]
pub async fn unwatch(
    state: web::Data<AppState>,
    member: Member,
    listing_id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_listing_id(&listing_id)?;
    let address = member.address;
    state.db.run(move |conn| watch_store::remove(conn, address, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WatchlistResponse {
    /// Most recently watched first.
    pub items: Vec<ListingResponse>,
}

/// The listings the signed-in member watches (up to 500).
#[utoipa::path(get, path = "/api/v1/me/watchlist", tag = "members",
    responses((status = 200, body = WatchlistResponse), (status = 401, body = ErrorBody)))]
#[get("/me/watchlist")]
#[tracing::instrument(skip_all)]
pub async fn watchlist(state: web::Data<AppState>, member: Member) -> ApiResult<web::Json<WatchlistResponse>> {
    let address = member.address;
    let ids = state.db.run(move |conn| watch_store::listing_ids(conn, address, 500)).await?;
    Ok(web::Json(WatchlistResponse { items: load_views(&state, ids).await? }))
}

/// Registers the members' routes (inside `/api/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(my_bids).service(my_credits).service(watchlist).service(watch).service(unwatch);
}

//! Listing endpoints: stewards create and edit drafts; anyone browses.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use commissary_db::listings as store;
use commissary_db::photos as photo_store;
use commissary_db::views::{self, ListingCursor, ListingQuery, ListingSort, ListingView};
use commissary_domain::listing::{Pickup, Shipping};
use commissary_domain::{ListingId, ListingStatus};

use crate::conditional::{self, Rendered};
use crate::error::{ApiError, ApiResult, ErrorBody, or_not_found};
use crate::listing_path::{ListingPath, parse_listing_id};
use crate::photos::{PhotoResponse, delete_unreferenced_blobs};
use crate::read_cache::Cached;
use crate::session::{Steward, Viewer};
use crate::state::AppState;
use crate::workflow;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickupDto {
    pub available: bool,
    /// Where and when the winner can collect the item; at most 500 characters once trimmed.
    #[serde(default)]
    #[schema(
        pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,498}[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub location: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShippingDto {
    pub available: bool,
    /// Regions, who pays postage, packing; at most 500 characters once trimmed.
    #[serde(default)]
    #[schema(
        pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,498}[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub note: Option<String>,
}

/// Fields of a listing. On create (schema `NewListing`), `title`, `category`, `condition`,
/// `reserve_price`, `starts_at` and `ends_at` are required; on patch every field is optional
/// and `donor_credit: null` removes the credit. Beyond each field's schema, the listing as a
/// whole must end 5 minutes to 30 days after it starts and in the future, and offer pickup,
/// shipping or both (pickup is offered unless said otherwise): 422 `validation_failed`
/// names every field that breaks a rule.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingRequest {
    /// One line, 1 to 120 characters once trimmed, no control characters.
    #[schema(
        example = "Fender Deluxe Reverb '68",
        pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\x00-\x1f\x7f-\x9f]([^\x00-\x1f\x7f-\x9f]{0,118}[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\x00-\x1f\x7f-\x9f])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub title: Option<String>,
    /// At most 10,000 characters (CRLF counts as one).
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    #[schema(value_type = Option<commissary_domain::Category>, example = "amplifiers")]
    pub category: Option<String>,
    #[schema(value_type = Option<commissary_domain::Condition>, example = "good")]
    pub condition: Option<String>,
    /// Who gave the item; at most 200 characters once trimmed; blank or `null` removes it.
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,198}[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub donor_credit: Option<Option<String>>,
    /// Greater than zero.
    #[schema(value_type = Option<commissary_domain::openapi::PositiveTokenAmount>)]
    pub reserve_price: Option<String>,
    /// RFC 3339 with an offset; stored as whole UTC seconds. A start in the past opens the
    /// auction at publication.
    #[schema(value_type = Option<DateTime<Utc>>, example = "2026-12-01T18:00:00Z")]
    pub starts_at: Option<String>,
    /// RFC 3339 with an offset; in the future, 5 minutes to 30 days after `starts_at`.
    #[schema(value_type = Option<DateTime<Utc>>, example = "2026-12-08T18:00:00Z")]
    pub ends_at: Option<String>,
    /// Minimum raise over the highest bid, in basis points (default 500).
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 1, maximum = 10000)]
    pub min_increment_bps: Option<i64>,
    /// A bid this close to the end extends it by this much, in seconds (default 300).
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 86400)]
    pub extension_secs: Option<i64>,
    pub pickup: Option<PickupDto>,
    pub shipping: Option<ShippingDto>,
}

/// An integer as JSON Schema means it: `300` and `300.0` alike (a fraction is refused).
fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error;
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else { return Ok(None) };
    if let Some(n) = number.as_i64() {
        return Ok(Some(n));
    }
    match number.as_f64() {
        // Beyond i64 is out of every range here; the domain reports it as such.
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Ok(Some(f as i64)),
        Some(f) if f.fract() == 0.0 => Ok(Some(if f > 0.0 { i64::MAX } else { i64::MIN })),
        _ => Err(D::Error::custom(format!("expected an integer, got {number}"))),
    }
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn present_or_null<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

impl From<ListingRequest> for commissary_domain::ListingInput {
    fn from(r: ListingRequest) -> Self {
        Self {
            title: r.title,
            description: r.description,
            category: r.category,
            condition: r.condition,
            donor_credit: r.donor_credit,
            reserve_price: r.reserve_price,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            min_increment_bps: r.min_increment_bps,
            extension_secs: r.extension_secs,
            pickup: r.pickup.map(|p| Pickup { available: p.available, location: p.location }),
            shipping: r.shipping.map(|s| Shipping { available: s.available, note: s.note }),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListingResponse {
    pub id: ListingId,
    #[schema(example = "draft")]
    pub status: ListingStatus,
    pub title: String,
    pub description: String,
    pub category: commissary_domain::Category,
    pub condition: commissary_domain::Condition,
    pub donor_credit: Option<String>,
    /// Decimal string of token base units.
    pub reserve_price: commissary_domain::TokenAmount,
    /// The highest bid, or the reserve before any bid; decimal string.
    pub current_price: commissary_domain::TokenAmount,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub min_increment_bps: u16,
    pub extension_secs: u32,
    pub pickup: PickupDto,
    pub shipping: ShippingDto,
    pub photos: Vec<PhotoResponse>,
    /// keccak256 of the canonical listing document, once published.
    pub listing_hash: Option<String>,
    /// The on-chain auction id (decimal string), once published.
    pub auction_id: Option<String>,
    /// The `createAuction` transaction, once mined.
    pub tx_hash: Option<String>,
    /// Decimal string; `null` before the first bid.
    pub highest_bid: Option<commissary_domain::TokenAmount>,
    pub highest_bidder: Option<commissary_domain::Address>,
    /// The leader's public display name, if they set one.
    pub highest_bidder_name: Option<String>,
    /// The smallest acceptable next bid (decimal string), for published auctions.
    pub min_next_bid: Option<String>,
    pub bid_count: u64,
    /// How the auction closed, once settled on chain.
    pub settlement: Option<SettlementResponse>,
    /// How many members watch this listing.
    pub watch_count: i64,
    pub created_by: commissary_domain::Address,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ListingView> for ListingResponse {
    fn from(view: ListingView) -> Self {
        // The chain is the source of truth for the end (bids may extend it).
        let ends_at = view.ends_at();
        let leader = view.auction.as_ref().and_then(|a| a.highest_bidder);
        let (highest_bidder_name, winner_name) =
            (view.name_of(leader), view.name_of(view.auction.as_ref().and_then(|a| a.settlement.as_ref()?.winner)));
        let ListingView { record, photos, auction, watch_count, names: _ } = view;
        let d = record.details;
        Self {
            id: record.id,
            status: record.status,
            title: d.title,
            description: d.description,
            category: d.category,
            condition: d.condition,
            donor_credit: d.donor_credit,
            reserve_price: d.reserve_price,
            current_price: record.current_price,
            starts_at: d.schedule.starts_at,
            ends_at,
            min_increment_bps: d.min_increment_bps,
            extension_secs: d.extension_secs,
            pickup: PickupDto { available: d.fulfilment.pickup.available, location: d.fulfilment.pickup.location },
            shipping: ShippingDto { available: d.fulfilment.shipping.available, note: d.fulfilment.shipping.note },
            photos: photos.into_iter().map(PhotoResponse::from).collect(),
            listing_hash: record.listing_hash,
            auction_id: record.auction_id.or_else(|| auction.as_ref().map(|a| a.auction_id.to_string())),
            tx_hash: auction.as_ref().and_then(|a| a.create_tx_hash.clone()),
            highest_bid: auction.as_ref().and_then(|a| a.highest_bid),
            highest_bidder: leader,
            highest_bidder_name,
            min_next_bid: auction.as_ref().map(|a| a.min_next_bid().to_string()),
            bid_count: auction.as_ref().map_or(0, |a| a.bid_count),
            settlement: auction.and_then(|a| a.settlement).map(|s| SettlementResponse {
                tx_hash: s.tx_hash,
                winner: s.winner,
                winner_name,
                amount: s.amount,
            }),
            watch_count,
            created_by: record.created_by,
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementResponse {
    pub tx_hash: String,
    /// `null` when the auction closed without bids.
    pub winner: Option<commissary_domain::Address>,
    /// The winner's public display name, if they set one.
    pub winner_name: Option<String>,
    pub amount: commissary_domain::TokenAmount,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListingPage {
    pub items: Vec<ListingResponse>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListingFilter {
    /// Comma-separated statuses (no spaces); drafts only for stewards (403 otherwise).
    /// Empty or absent: everything but drafts.
    #[param(
        pattern = r"^((draft|publishing|scheduled|live|ended|settled|unsold|cancelled)(,(draft|publishing|scheduled|live|ended|settled|unsold|cancelled))*)?$"
    )]
    pub status: Option<String>,
    #[param(value_type = Option<commissary_domain::Category>)]
    pub category: Option<String>,
    /// Full-text search in title and description: listings having every word, each as a
    /// prefix ("fend" finds Fender), case-insensitive.
    pub q: Option<String>,
    /// ending_soon (the default without `q`; by the current end, extensions included),
    /// newest, price_low, price_high, relevance (the default with `q`: listings whose title
    /// has every word first, then ending soon).
    #[param(value_type = Option<ListingSort>)]
    pub sort: Option<String>,
    /// A `next_cursor` of the same query; anything else is 400 `invalid_cursor`.
    pub cursor: Option<String>,
    /// Page size (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// The pattern of `status` above (checked against `ListingStatus::ALL` in the tests).
pub const STATUS_LIST_PATTERN: &str = r"^((draft|publishing|scheduled|live|ended|settled|unsold|cancelled)(,(draft|publishing|scheduled|live|ended|settled|unsold|cancelled))*)?$";

fn encode_cursor(sort: ListingSort, cursor: &ListingCursor) -> String {
    hex::encode(format!("v1|{}|{}|{}", sort.as_str(), cursor.key, cursor.id))
}

fn decode_cursor(sort: ListingSort, raw: &str) -> ApiResult<ListingCursor> {
    let invalid = || ApiError::bad_request("invalid_cursor", "the cursor is not valid for this query");
    let bytes = hex::decode(raw).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = text.splitn(4, '|');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("v1"), Some(s), Some(key), Some(id)) if s == sort.as_str() => {
            Ok(ListingCursor { key: key.to_owned(), id: id.to_owned() })
        }
        _ => Err(invalid()),
    }
}

/// Creates a draft listing.
#[utoipa::path(post, path = "/api/v1/listings", tag = "listings", request_body = ListingRequest,
    responses((status = 201, body = ListingResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
#[post("/listings")]
#[tracing::instrument(skip_all, fields(steward = %steward.address))]
pub async fn create(
    state: web::Data<AppState>,
    steward: Steward,
    body: crate::body::JsonBody<ListingRequest>,
) -> ApiResult<HttpResponse> {
    let record = workflow::create_draft(&state.db, body.into_inner().into(), steward.address, Utc::now()).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/listings/{}", record.id))).json(
        ListingResponse::from(ListingView {
            record,
            photos: Vec::new(),
            auction: None,
            watch_count: 0,
            names: Default::default(),
        }),
    ))
}

/// Lists listings with filters, sorting and cursor pagination. Answers `If-None-Match`
/// with `304` while the page is unchanged (`ETag`, `Cache-Control: no-cache`).
#[utoipa::path(get, path = "/api/v1/listings", tag = "listings", params(ListingFilter),
    responses((status = 200, body = ListingPage), (status = 304, description = "Unchanged since the `ETag` given"),
              (status = 400, body = ErrorBody, description = "`invalid_cursor` (or a parameter breaking its schema)"),
              (status = 403, body = ErrorBody, description = "`status=draft` by someone who is not a steward")))]
#[get("/listings")]
// No span of its own (nor on `get_one`): the request's span already names the path and
// query, and at auction close these two are most of the traffic.
pub async fn list(
    state: web::Data<AppState>,
    viewer: Viewer,
    filter: web::Query<ListingFilter>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let filter = filter.into_inner();
    let searching = filter.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let sort = match filter.sort.as_deref() {
        None if searching => ListingSort::Relevance,
        None => ListingSort::default(),
        Some(s) => s.parse::<ListingSort>().map_err(|_| {
            ApiError::bad_request(
                "invalid_sort",
                "sort must be ending_soon, newest, price_low, price_high or relevance",
            )
        })?,
    };
    let statuses = match filter.status.as_deref() {
        None | Some("") => None,
        Some(raw) => {
            let parsed =
                raw.split(',').map(|s| s.parse::<ListingStatus>()).collect::<Result<Vec<_>, _>>().map_err(|_| {
                    ApiError::bad_request("invalid_status", "status must be a comma-separated list of listing statuses")
                })?;
            if parsed.contains(&ListingStatus::Draft) && !viewer.is_steward {
                return Err(ApiError::forbidden("only stewards can see drafts"));
            }
            Some(parsed)
        }
    };
    if let Some(category) = &filter.category {
        category
            .parse::<commissary_domain::Category>()
            .map_err(|_| ApiError::bad_request("invalid_category", "unknown category"))?;
    }
    let limit = filter.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request("invalid_limit", "limit must be between 1 and 100"));
    }
    let cursor = filter.cursor.as_deref().map(|c| decode_cursor(sort, c)).transpose()?;
    let query = ListingQuery { statuses, category: filter.category, text: filter.q, sort, cursor, limit };
    let cache = match &state.read_cache {
        Some(cache) if !viewer.is_steward => cache,
        _ => return conditional::json(&req, &load_page(&state, query).await?, viewer.is_steward),
    };
    // Everyone but stewards sees the same page for the same query (no drafts, nothing personal).
    let key = format!("list:{query:?}");
    let cached = cache
        .get_or_compute(key, || async { Ok(Cached::Found(Rendered::of(&load_page(&state, query).await?)?)) })
        .await?;
    match &*cached {
        Cached::Found(rendered) => Ok(conditional::respond(&req, rendered, false)),
        Cached::Missing => Err(ApiError::internal("a listing page cannot be missing")),
    }
}

/// One page of listings as the API shows it, from the read model.
async fn load_page(state: &AppState, query: ListingQuery) -> ApiResult<ListingPage> {
    let sort = query.sort;
    let (views, next) = state.db.run(move |conn| views::page(conn, &query)).await?;
    let next_cursor = next.map(|c| encode_cursor(sort, &c));
    Ok(ListingPage { items: views.into_iter().map(ListingResponse::from).collect(), next_cursor })
}

/// One listing. Drafts are visible to stewards only. Answers `If-None-Match` with `304`
/// while the listing is unchanged (`ETag`, `Cache-Control: no-cache`).
#[utoipa::path(get, path = "/api/v1/listings/{id}", tag = "listings", params(("id" = commissary_domain::ListingId, Path)),
    responses((status = 200, body = ListingResponse), (status = 304, description = "Unchanged since the `ETag` given"),
              (status = 404, body = ErrorBody)))]
#[get("/listings/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let id = parse_listing_id(&id)?;
    let cache = match &state.read_cache {
        Some(cache) if !viewer.is_steward => cache,
        _ => {
            let view = load_view(&state, id).await?;
            if view.status == ListingStatus::Draft && !viewer.is_steward {
                return Err(ApiError::not_found("listing"));
            }
            return conditional::json(&req, &view, viewer.is_steward);
        }
    };
    // Everyone but stewards sees the same view; a draft is as absent for them as a missing id.
    let cached = cache
        .get_or_compute(format!("detail:{id}"), || async {
            match state.db.run(move |conn| views::get(conn, id)).await {
                Ok(view) if view.record.status == ListingStatus::Draft => Ok(Cached::Missing),
                Ok(view) => Ok(Cached::Found(Rendered::of(&ListingResponse::from(view))?)),
                Err(commissary_db::DbError::NotFound) => Ok(Cached::Missing),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    match &*cached {
        Cached::Found(rendered) => Ok(conditional::respond(&req, rendered, false)),
        Cached::Missing => Err(ApiError::not_found("listing")),
    }
}

/// A listing as the API shows it, from the read model.
pub(crate) async fn load_view(state: &AppState, id: ListingId) -> ApiResult<ListingResponse> {
    let view = state.db.run(move |conn| views::get(conn, id)).await.map_err(or_not_found("listing"))?;
    Ok(view.into())
}

/// Listings as the API shows them, in the order of `ids` (missing ones left out).
pub(crate) async fn load_views(state: &AppState, ids: Vec<ListingId>) -> ApiResult<Vec<ListingResponse>> {
    let views = state
        .db
        .run(move |conn| {
            let mut found = Vec::with_capacity(ids.len());
            for id in ids {
                match views::get(conn, id) {
                    Ok(view) => found.push(view),
                    Err(commissary_db::DbError::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(found)
        })
        .await?;
    Ok(views.into_iter().map(ListingResponse::from).collect())
}

/// Edits a draft. Fields left out keep their value; the result is validated as a whole.
#[utoipa::path(patch, path = "/api/v1/listings/{id}", tag = "listings", request_body = ListingRequest,
    params(("id" = commissary_domain::ListingId, Path)),
    responses((status = 200, body = ListingResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`listing_not_draft`"), (status = 422, body = ErrorBody)))]
#[patch("/listings/{id}")]
#[tracing::instrument(skip_all, fields(listing = %listing.id(), steward = %steward.address))]
pub async fn update(
    state: web::Data<AppState>,
    steward: Steward,
    listing: ListingPath,
    body: crate::body::JsonBody<ListingRequest>,
) -> ApiResult<web::Json<ListingResponse>> {
    let ListingPath(current) = listing;
    if !current.status.can_edit() {
        return Err(ApiError::conflict("listing_not_draft", "only draft listings can be changed"));
    }
    let id = current.id;
    let details = current.details.patch(body.into_inner().into(), Utc::now())?;
    let view = state
        .db
        .transaction(move |conn| {
            store::update_draft(conn, id, &details, Utc::now())?;
            views::get(conn, id)
        })
        .await
        .map_err(or_not_found("listing"))?;
    Ok(web::Json(view.into()))
}

/// Deletes a draft and its photos.
#[utoipa::path(delete, path = "/api/v1/listings/{id}", tag = "listings", params(("id" = commissary_domain::ListingId, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`listing_not_draft`")))]
#[delete("/listings/{id}")]
#[tracing::instrument(skip_all, fields(listing = %listing.id(), steward = %steward.address))]
pub async fn remove(state: web::Data<AppState>, steward: Steward, listing: ListingPath) -> ApiResult<HttpResponse> {
    let id = listing.id();
    let photos = state
        .db
        .transaction(move |conn| {
            let photos = photo_store::list_for(conn, id)?;
            store::delete_draft(conn, id)?;
            Ok(photos)
        })
        .await
        .map_err(or_not_found("listing"))?;
    for photo in photos {
        delete_unreferenced_blobs(&state, photo).await;
    }
    tracing::info!("draft deleted");
    Ok(HttpResponse::NoContent().finish())
}

//! The winner's claim and the way of a won item to its winner. Personal data (the
//! claim's contact details) is shown to the winner and stewards only; to anyone else a
//! fulfillment does not exist (404).

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use commissary_db::DbError;
use commissary_db::after_sale::{self as store, fulfillment::Fulfillment};
use commissary_domain::fulfillment::{
    Actor, ClaimInput, ContactDetails, FulfillmentPolicy, FulfillmentState, Method, Offered, TransitionInput,
    allowed_transitions, check_transition, claim_allowed,
};
use commissary_domain::{Address, ListingId, TokenAmount};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::listing_path::ListingPath;
use crate::session::{Member, Steward, Viewer};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// The member's address, or `system`.
    pub actor: String,
    pub at: DateTime<Utc>,
    #[schema(value_type = Option<String>)]
    pub from: Option<String>,
    pub to: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FulfillmentResponse {
    pub listing_id: ListingId,
    pub auction_id: String,
    pub winner: Address,
    /// The winning bid, decimal base units.
    pub amount: TokenAmount,
    pub settlement_tx: String,
    pub settled_at: DateTime<Utc>,
    pub claim_by: DateTime<Utc>,
    #[schema(example = "awaiting_claim")]
    pub state: FulfillmentState,
    pub method: Option<Method>,
    /// The winner's contact details (`[redacted]` once erased after retention).
    #[schema(value_type = Option<Object>)]
    pub contact: Option<ContactDetails>,
    pub tracking: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub state_changed_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Personal data was erased (retention passed).
    pub erased: bool,
    /// Past `claim_by` while unclaimed, or claimed and not moved for too long.
    pub overdue: bool,
    /// The states the viewer may move it to now.
    pub allowed_transitions: Vec<FulfillmentState>,
    /// Present on a single record, left out in the queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistoryEntry>>,
}

impl FulfillmentResponse {
    fn new(record: Fulfillment, policy: &FulfillmentPolicy, actor: Actor, now: DateTime<Utc>) -> Self {
        let claim_by = policy.claim_by(record.settled_at);
        let situation = record.situation(claim_by, now);
        Self {
            overdue: policy.is_overdue(record.state, record.settled_at, record.state_changed_at, now),
            allowed_transitions: allowed_transitions(situation, actor),
            listing_id: record.listing_id,
            auction_id: record.auction_id,
            winner: record.winner,
            amount: record.amount,
            settlement_tx: record.settle_tx_hash,
            settled_at: record.settled_at,
            claim_by,
            state: record.state,
            method: record.method,
            contact: record.contact,
            tracking: record.tracking,
            claimed_at: record.claimed_at,
            state_changed_at: record.state_changed_at,
            closed_at: record.closed_at,
            erased: record.erased_at.is_some(),
            history: None,
        }
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("fulfillment")
}

/// The record, if `viewer` may see it (the winner or a steward); 404 otherwise, whether
/// or not it exists.
async fn load_for(
    state: &AppState,
    id: ListingId,
    address: Option<Address>,
    is_steward: bool,
) -> ApiResult<(Fulfillment, Actor)> {
    let record = state.db.run(move |conn| store::fulfillment::get(conn, id)).await?.ok_or_else(not_found)?;
    if is_steward {
        Ok((record, Actor::Steward))
    } else if address == Some(record.winner) {
        Ok((record, Actor::Winner))
    } else {
        Err(not_found())
    }
}

async fn respond(state: &AppState, id: ListingId, actor: Actor) -> ApiResult<FulfillmentResponse> {
    let (record, history) = state
        .db
        .run(move |conn| {
            let record = store::fulfillment::get(conn, id)?.ok_or(DbError::NotFound)?;
            Ok((record, store::fulfillment::history(conn, id)?))
        })
        .await
        .map_err(crate::error::or_not_found("fulfillment"))?;
    let mut response = FulfillmentResponse::new(record, &state.config.after_sale.policy, actor, Utc::now());
    response.history = Some(
        history
            .into_iter()
            .map(|h| HistoryEntry {
                actor: h.actor,
                at: h.at.and_utc(),
                from: h.from_state,
                to: h.to_state,
                note: h.note,
            })
            .collect(),
    );
    Ok(response)
}

/// The winner claims the item (or amends the claim until it is ready or shipped):
/// `{method: "pickup" | "shipping", name, email, phone?, address?, note?}`; `address`
/// (`{lines, city, postal_code, country}`) is required for shipping.
#[utoipa::path(post, path = "/api/v1/listings/{id}/claim", tag = "fulfillment", params(("id" = commissary_domain::ListingId, Path)),
    request_body = ClaimInput,
    responses((status = 200, body = FulfillmentResponse), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "no fulfillment of the listing has this member as winner"),
              (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
#[post("/listings/{id}/claim")]
#[tracing::instrument(skip_all, fields(listing = %listing.id(), member = %member.address))]
pub async fn claim(
    state: web::Data<AppState>,
    member: Member,
    listing: ListingPath,
    body: crate::body::JsonBody<ClaimInput>,
) -> ApiResult<web::Json<FulfillmentResponse>> {
    let id = listing.id();
    // Only the winner: a steward claims nothing on a member's behalf.
    let (record, _) = load_for(&state, id, Some(member.address), false).await?;
    let offered = Offered {
        pickup: listing.0.details.fulfilment.pickup.available,
        shipping: listing.0.details.fulfilment.shipping.available,
    };
    let claim = body.into_inner().validate(offered)?;
    let now = Utc::now();
    let situation = record.situation(state.config.after_sale.policy.claim_by(record.settled_at), now);
    claim_allowed(situation).map_err(|refused| ApiError::conflict(refused.code(), refused.to_string()))?;
    let winner = member.address;
    let expected = record.state;
    state
        .db
        .transaction(move |conn| {
            let step = store::fulfillment::store_claim(conn, id, expected, &claim, winner, now)?;
            if step.from != step.to {
                store::announce_step(conn, &record, &step, None, now)?;
            }
            Ok(())
        })
        .await?;
    tracing::info!("claim recorded");
    Ok(web::Json(respond(&state, id, Actor::Winner).await?))
}

/// A won item's fulfillment, for its winner and stewards (404 to anyone else).
#[utoipa::path(get, path = "/api/v1/listings/{id}/fulfillment", tag = "fulfillment", params(("id" = commissary_domain::ListingId, Path)),
    responses((status = 200, body = FulfillmentResponse), (status = 404, body = ErrorBody)))]
#[get("/listings/{id}/fulfillment")]
#[tracing::instrument(skip_all, fields(listing = %listing.id()))]
pub async fn get_one(
    state: web::Data<AppState>,
    viewer: Viewer,
    listing: ListingPath,
) -> ApiResult<web::Json<FulfillmentResponse>> {
    let id = listing.id();
    let (_, actor) = load_for(&state, id, viewer.address, viewer.is_steward).await?;
    Ok(web::Json(respond(&state, id, actor).await?))
}

/// Who asks to move a record where.
struct Request {
    actor: Actor,
    by: Address,
    to: FulfillmentState,
    note: Option<String>,
    tracking: Option<String>,
}

async fn move_to(
    state: &AppState,
    id: ListingId,
    record: Fulfillment,
    request: Request,
) -> ApiResult<FulfillmentResponse> {
    let Request { actor, by, to, note, tracking } = request;
    let now = Utc::now();
    let situation = record.situation(state.config.after_sale.policy.claim_by(record.settled_at), now);
    check_transition(situation, actor, to).map_err(|refused| {
        ApiError::conflict("invalid_transition", refused.to_string())
            .with_details(json!({ "from": refused.from, "to": refused.to, "allowed": refused.allowed }))
    })?;
    let from = record.state;
    state
        .db
        .transaction(move |conn| {
            let step =
                store::fulfillment::Move { from, to, actor: by, note: note.as_deref(), tracking: tracking.as_deref() };
            let step = store::fulfillment::record_transition(conn, id, step, now)?;
            store::announce_step(conn, &record, &step, tracking.as_deref(), now)?;
            Ok(())
        })
        .await?;
    tracing::info!(from = %from, to = %to, "fulfillment moved");
    respond(state, id, actor).await
}

/// Stewards move a fulfillment along: `{to, note?, tracking?}`. Anything but the allowed
/// next steps is `409 invalid_transition` with `details.allowed`.
#[utoipa::path(post, path = "/api/v1/listings/{id}/fulfillment/transitions", tag = "fulfillment",
    params(("id" = commissary_domain::ListingId, Path)), request_body = TransitionInput,
    responses((status = 200, body = FulfillmentResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`invalid_transition`, `details: {from, to, allowed}`"),
              (status = 422, body = ErrorBody)))]
#[post("/listings/{id}/fulfillment/transitions")]
#[tracing::instrument(skip_all, fields(listing = %listing.id(), steward = %steward.address))]
pub async fn transition(
    state: web::Data<AppState>,
    steward: Steward,
    listing: ListingPath,
    body: crate::body::JsonBody<TransitionInput>,
) -> ApiResult<web::Json<FulfillmentResponse>> {
    let id = listing.id();
    // Nothing to move is a 404 whatever the body says.
    let (record, _) = load_for(&state, id, Some(steward.address), true).await?;
    let request = body.into_inner().validate()?;
    let request = Request {
        actor: Actor::Steward,
        by: steward.address,
        to: request.to,
        note: request.note,
        tracking: request.tracking,
    };
    let response = move_to(&state, id, record, request).await?;
    Ok(web::Json(response))
}

/// The winner confirms receipt of a shipped (or ready) item: `handed_over`.
#[utoipa::path(post, path = "/api/v1/listings/{id}/fulfillment/confirm-receipt", tag = "fulfillment",
    params(("id" = commissary_domain::ListingId, Path)),
    responses((status = 200, body = FulfillmentResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
#[post("/listings/{id}/fulfillment/confirm-receipt")]
#[tracing::instrument(skip_all, fields(listing = %listing.id(), member = %member.address))]
pub async fn confirm_receipt(
    state: web::Data<AppState>,
    member: Member,
    listing: ListingPath,
) -> ApiResult<web::Json<FulfillmentResponse>> {
    let id = listing.id();
    let (record, _) = load_for(&state, id, Some(member.address), false).await?;
    let request = Request {
        actor: Actor::Winner,
        by: member.address,
        to: FulfillmentState::HandedOver,
        note: Some("receipt confirmed by the winner".to_owned()),
        tracking: None,
    };
    let response = move_to(&state, id, record, request).await?;
    Ok(web::Json(response))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueFilter {
    /// One state or several, comma-separated, no spaces (empty or absent: all).
    #[param(
        pattern = r"^((awaiting_claim|claimed|ready_for_pickup|shipped|handed_over|unclaimed)(,(awaiting_claim|claimed|ready_for_pickup|shipped|handed_over|unclaimed))*)?$"
    )]
    pub state: Option<String>,
    /// `true`: only overdue records; `false`: only those not overdue.
    pub overdue: Option<bool>,
    /// Default 200.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The pattern of `state` above (checked against `FulfillmentState::ALL` in the tests).
pub const STATE_LIST_PATTERN: &str = r"^((awaiting_claim|claimed|ready_for_pickup|shipped|handed_over|unclaimed)(,(awaiting_claim|claimed|ready_for_pickup|shipped|handed_over|unclaimed))*)?$";

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueResponse {
    pub items: Vec<FulfillmentResponse>,
}

/// The stewards' queue: fulfillments oldest sale first, overdue ones flagged.
#[utoipa::path(get, path = "/api/v1/fulfillment", tag = "fulfillment", params(QueueFilter),
    responses((status = 200, body = QueueResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/fulfillment")]
#[tracing::instrument(skip_all, fields(steward = %steward.address))]
pub async fn queue(
    state: web::Data<AppState>,
    steward: Steward,
    filter: web::Query<QueueFilter>,
) -> ApiResult<web::Json<QueueResponse>> {
    let states = match filter.state.as_deref().filter(|s| !s.is_empty()) {
        None => Vec::new(),
        Some(raw) => raw
            .split(',')
            .map(|s| {
                s.parse::<FulfillmentState>()
                    .map_err(|_| ApiError::bad_request("invalid_state", format!("{s:?} is not a fulfillment state")))
            })
            .collect::<ApiResult<Vec<_>>>()?,
    };
    let limit = filter.limit.unwrap_or(200);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_request("invalid_limit", "limit must be between 1 and 500"));
    }
    let records = state.db.run(move |conn| store::fulfillment::queue(conn, &states, limit)).await?;
    let now = Utc::now();
    let policy = state.config.after_sale.policy;
    let items = records
        .into_iter()
        .map(|r| FulfillmentResponse::new(r, &policy, Actor::Steward, now))
        .filter(|r| filter.overdue.is_none_or(|wanted| r.overdue == wanted))
        .collect();
    Ok(web::Json(QueueResponse { items }))
}

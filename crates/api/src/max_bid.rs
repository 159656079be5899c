//! Maximum bids ("bid up to"): a quote with the `MaxBid` document to sign, storing a signed
//! authorization (checked like a relayed bid, its first bid simulated and relayed when the
//! member is not leading), the member's own view of it, and its revocation. A maximum is
//! shown to its member only: every route here is the session's own, and a member without
//! one (or asking about someone else's) gets 404.

use actix_web::{delete, get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use commissary_db::chain::intents::{IntentKind, NewIntent};
use commissary_db::max_bids::{self as store, MaxBid, NewMaxBid, StoredPermit};
use commissary_db::members::events;
use commissary_db::relay::NewRelay;
use commissary_domain::max_bid::{self as rules, SignedMaxBid};
use commissary_domain::relay::Refusal;
use commissary_domain::{Address, AuctionId, TokenAmount, U256};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::listing_path::ListingPath;
use crate::relay::{
    PermitBody, QuoteBasics, QuoteRequest, RelayAvailability, auction_of, availability, chain_of, check_rate,
    parse_amount, parse_signature, parse_u256, permit_input, quote_request, refused, require_relayer, simulate, usage,
};
use crate::session::Member;
use crate::state::{AppState, RelayChain};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(max_bid_quote).service(put_max_bid).service(get_max_bid).service(delete_max_bid);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MaxBidQuoteQuery {
    /// The address that will sign and pay (0x-hex).
    #[param(value_type = commissary_domain::Address)]
    pub bidder: String,
    /// The maximum (decimal string of base units); default: the current minimum next bid.
    #[param(value_type = Option<commissary_domain::openapi::PositiveTokenAmount>)]
    pub max_amount: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MaxBidQuote {
    /// A maximum must be at least `min_next_bid`; the balance must cover it.
    #[serde(flatten)]
    pub basics: QuoteBasics,
    /// A fresh random salt to sign (decimal string, a uint256).
    pub salt: String,
    /// Unix seconds to sign as the deadline: the auction's current end + 1 day.
    pub deadline: u64,
    /// The EIP-712 `MaxBid` exactly as `eth_signTypedData_v4` takes it.
    #[schema(value_type = Object)]
    pub typed_data: serde_json::Value,
    /// The token's EIP-2612 `Permit` (unlimited: each re-bid after a refund pulls its amount
    /// again), or `null` when the allowance covers the maximum.
    #[schema(value_type = Option<Object>)]
    pub permit_typed_data: Option<serde_json::Value>,
    pub relay: RelayAvailability,
}

/// Everything needed to sign a maximum bid.
#[utoipa::path(get, path = "/api/v1/listings/{id}/max-bid-quote", tag = "relay",
    params(("id" = String, Path, format = Uuid), MaxBidQuoteQuery),
    responses((status = 200, body = MaxBidQuote), (status = 400, body = ErrorBody, description = "invalid_amount, invalid_query"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "auction_not_live: not on chain yet"),
              (status = 422, body = ErrorBody, description = "validation_failed: bidder"),
              (status = 503, body = ErrorBody, description = "relay_unavailable (no chain configured) or the node is unreachable")))]
#[get("/listings/{id}/max-bid-quote")]
#[tracing::instrument(skip_all, fields(listing = %listing.id()))]
pub async fn max_bid_quote(
    state: web::Data<AppState>,
    listing: ListingPath,
    query: web::Query<MaxBidQuoteQuery>,
) -> ApiResult<web::Json<MaxBidQuote>> {
    let QuoteRequest { bidder, amount, auction, chain } =
        quote_request(&state, &listing, &query.bidder, query.max_amount.as_deref())?;
    let quote = chain.max_bid_quote(auction, bidder, amount).await.map_err(ApiError::unavailable)?;
    Ok(web::Json(MaxBidQuote {
        basics: QuoteBasics::new(auction, quote.auction, quote.balance, quote.allowance),
        salt: quote.salt.to_string(),
        deadline: quote.deadline,
        typed_data: quote.typed_data,
        permit_typed_data: quote.permit_typed_data,
        relay: availability(&state, chain, bidder).await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaxBidBody {
    /// The maximum, decimal string of base units.
    #[schema(value_type = commissary_domain::openapi::PositiveTokenAmount)]
    pub max_amount: String,
    /// The signed salt (decimal string, a uint256).
    #[schema(pattern = r"^(0|[1-9][0-9]{0,76})$")]
    pub salt: String,
    /// Unix seconds; at most 7 days after the auction's current end.
    pub deadline: u64,
    /// The EIP-712 `MaxBid` signature (0x-hex, 65 bytes).
    #[schema(pattern = r"^0[xX][0-9a-fA-F]{130}$")]
    pub signature: String,
    /// An EIP-2612 permit for the auction contract (for the maximum), or `null`.
    pub permit: Option<PermitBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeBody {
    /// The member's EIP-712 signature of the view's `revocation_typed_data` (0x-hex, 65 bytes).
    #[schema(pattern = r"^0[xX][0-9a-fA-F]{130}$")]
    pub signature: String,
}

/// The member's own maximum bid.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaxBidView {
    #[schema(format = Uuid)]
    pub listing_id: String,
    pub auction_id: String,
    /// Decimal string of base units.
    pub max_amount: String,
    /// `active` | `exhausted` | `revoked` | `expired`.
    #[schema(value_type = commissary_domain::max_bid::MaxBidState)]
    pub state: &'static str,
    /// Unix seconds.
    pub deadline: i64,
    /// The authorization's EIP-712 digest (0x-hex): its identity on chain.
    pub hash: String,
    /// The EIP-712 `MaxBidRevocation` to sign for `DELETE`, as `eth_signTypedData_v4` takes it.
    #[schema(value_type = Object)]
    pub revocation_typed_data: serde_json::Value,
    /// The relay of the first bid placed under it (`GET /api/v1/relay/{relay_id}`), or
    /// `null` when the member was leading.
    pub relay_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

async fn view(chain: &dyn RelayChain, max_bid: MaxBid) -> ApiResult<MaxBidView> {
    let revocation_typed_data =
        chain.revocation_typed_data(max_bid.bidder, &max_bid.hash).await.map_err(ApiError::unavailable)?;
    Ok(MaxBidView {
        listing_id: max_bid.listing_id,
        auction_id: max_bid.auction_id,
        max_amount: max_bid.max_amount.to_string(),
        state: max_bid.state.as_str(),
        deadline: max_bid.deadline,
        hash: max_bid.hash,
        revocation_typed_data,
        relay_id: max_bid.first_relay_id,
        created_at: max_bid.created_at,
    })
}

/// Stores the signed-in member's signed `MaxBid` (and permit): rate limited, checked in
/// the relay's order (`max_bid_too_low` where a bid would be `bid_too_low`), the first
/// bid simulated, then stored (replacing the member's previous maximum for the auction)
/// with the first bid's relay when the member is not leading. The relayer then bids for
/// the member whenever they are outbid, up to the maximum.
#[utoipa::path(put, path = "/api/v1/listings/{id}/max-bid", tag = "relay",
    params(("id" = String, Path, format = Uuid)), request_body = MaxBidBody,
    responses((status = 200, body = MaxBidView),
              (status = 400, body = ErrorBody, description = "invalid_amount, signature_expired, invalid_signature, invalid_json"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "auction_not_live, max_bid_too_low (details.min_next_bid), insufficient_balance, insufficient_allowance, simulation_failed"),
              (status = 422, body = ErrorBody, description = "validation_failed: salt, permit.value"),
              (status = 429, body = ErrorBody, description = "rate_limited, with Retry-After"),
              (status = 503, body = ErrorBody, description = "relay_unavailable, with Retry-After")))]
#[put("/listings/{id}/max-bid")]
#[tracing::instrument(skip_all, fields(listing = %listing.id(), member = %member.address))]
pub async fn put_max_bid(
    state: web::Data<AppState>,
    member: Member,
    listing: ListingPath,
    body: web::Json<MaxBidBody>,
) -> ApiResult<web::Json<MaxBidView>> {
    check_rate(&state, member.address)?;
    let body = body.into_inner();
    let max_amount = parse_amount(&body.max_amount).map_err(|_| refused(Refusal::InvalidAmount))?;
    let salt = parse_u256("salt", &body.salt)?;
    let permit = permit_input(body.permit.as_ref())?;
    let signature = parse_signature(&body.signature)?;
    let auction = auction_of(&listing)?.ok_or_else(|| refused(Refusal::AuctionNotLive))?;
    let chain = chain_of(&state)?;
    require_relayer(chain)?;
    let signed = SignedMaxBid { max_amount, salt, deadline: body.deadline };
    let prepared = chain
        .prepare_max_bid(auction, member.address, signed, signature, permit)
        .await
        .map_err(ApiError::unavailable)?;
    let usage = usage(&state, chain, member.address).await?;
    rules::check(&signed, &prepared.facts, &state.config.relay.budget, &usage).map_err(refused)?;
    let on_chain = prepared.facts.auction;
    let min_next_bid = on_chain.map_or(U256::ZERO, |a| a.min_next_bid);
    let leading = on_chain.and_then(|a| a.highest_bidder) == Some(member.address);
    let first_bid = if leading {
        None
    } else {
        let gas = simulate(chain, &prepared.first_bid_calldata, || Refusal::MaxBidTooLow { min_next_bid }).await?;
        Some(NewRelay {
            kind: IntentKind::MaxBid,
            bidder: member.address,
            nonce: format!("{}:first", prepared.hash),
            listing_id: listing.id().to_string(),
            auction_id: auction.to_string(),
            amount: TokenAmount::from_u256(min_next_bid).map_err(ApiError::internal)?,
            gas_estimate: gas,
            from_address: prepared.from_address.clone(),
            to_address: prepared.to_address.clone(),
            calldata: prepared.first_bid_calldata.clone(),
        })
    };
    let new = NewMaxBid {
        listing_id: listing.id().to_string(),
        auction_id: auction.to_string(),
        bidder: member.address,
        max_amount,
        salt: salt.to_string(),
        deadline: i64::try_from(body.deadline).map_err(|_| refused(Refusal::SignatureExpired))?,
        signature: body.signature.to_ascii_lowercase(),
        hash: prepared.hash.clone(),
        permit: body.permit.as_ref().map(|p| StoredPermit {
            value: p.value.clone(),
            deadline: i64::try_from(p.deadline).unwrap_or(i64::MAX),
            signature: p.signature.to_ascii_lowercase(),
        }),
    };
    let (max_bid, relay) = state.db.run(move |c| store::put(c, &new, first_bid.as_ref(), Utc::now())).await?;
    events::wake();
    if relay.is_some() {
        chain.wake();
    }
    metrics::counter!("commissary_relay_requests_total", "outcome" => "max_bid").increment(1);
    tracing::info!(max_bid = %max_bid.id, first_bid = ?relay.as_ref().map(|r| &r.id), "maximum bid stored");
    Ok(web::Json(view(chain, max_bid).await?))
}

async fn mine(state: &AppState, member: Address, listing: &ListingPath) -> ApiResult<MaxBid> {
    let auction: AuctionId = auction_of(listing)?.ok_or_else(|| ApiError::not_found("maximum bid"))?;
    let id = auction.to_string();
    state.db.run(move |c| store::mine(c, member, &id)).await?.ok_or_else(|| ApiError::not_found("maximum bid"))
}

/// The signed-in member's own maximum bid for this listing's auction (404: none).
#[utoipa::path(get, path = "/api/v1/listings/{id}/max-bid", tag = "relay", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = MaxBidView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 503, body = ErrorBody, description = "relay_unavailable (no chain configured) or the node is unreachable")))]
#[get("/listings/{id}/max-bid")]
#[tracing::instrument(skip_all, fields(listing = %listing.id()))]
pub async fn get_max_bid(
    state: web::Data<AppState>,
    member: Member,
    listing: ListingPath,
) -> ApiResult<web::Json<MaxBidView>> {
    let max_bid = mine(&state, member.address, &listing).await?;
    Ok(web::Json(view(chain_of(&state)?, max_bid).await?))
}

/// Revokes the signed-in member's maximum bid with their signed `MaxBidRevocation`: the
/// service stops using it at once and the relayer submits `revokeMaxBidBySig` (recorded
/// before it is sent). Idempotent.
#[utoipa::path(delete, path = "/api/v1/listings/{id}/max-bid", tag = "relay",
    params(("id" = String, Path, format = Uuid)), request_body = RevokeBody,
    responses((status = 200, body = MaxBidView),
              (status = 400, body = ErrorBody, description = "invalid_signature, invalid_json"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 429, body = ErrorBody, description = "rate_limited, with Retry-After"),
              (status = 503, body = ErrorBody, description = "relay_unavailable, with Retry-After")))]
#[delete("/listings/{id}/max-bid")]
#[tracing::instrument(skip_all, fields(listing = %listing.id(), member = %member.address))]
pub async fn delete_max_bid(
    state: web::Data<AppState>,
    member: Member,
    listing: ListingPath,
    body: web::Json<RevokeBody>,
) -> ApiResult<web::Json<MaxBidView>> {
    check_rate(&state, member.address)?;
    let signature = parse_signature(&body.signature)?;
    let max_bid = mine(&state, member.address, &listing).await?;
    let chain = chain_of(&state)?;
    if max_bid.revoke_intent_id.is_some() {
        return Ok(web::Json(view(chain, max_bid).await?));
    }
    require_relayer(chain)?;
    let prepared =
        chain.prepare_revocation(member.address, &max_bid.hash, signature).await.map_err(ApiError::unavailable)?;
    if !prepared.signed_by_bidder {
        return Err(refused(Refusal::InvalidSignature));
    }
    let (id, hash, listing_id) = (max_bid.id.clone(), max_bid.hash.clone(), max_bid.listing_id.clone());
    let text = body.into_inner().signature;
    let revoked = state
        .db
        .run(move |c| {
            let goal = format!("revoke_max_bid:{hash}");
            let intent = NewIntent {
                goal: &goal,
                attempt_number: 1,
                kind: IntentKind::RevokeMaxBid,
                from_address: &prepared.from_address,
                to_address: &prepared.to_address,
                calldata: &prepared.calldata,
                subject: Some(&listing_id),
            };
            store::revoke(c, &id, &text, &intent, Utc::now())
        })
        .await?;
    chain.wake();
    tracing::info!(max_bid = %revoked.id, "maximum bid revoked");
    Ok(web::Json(view(chain, revoked).await?))
}

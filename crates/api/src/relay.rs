//! Gasless bids through the co-op's relayer: a quote with the documents to sign, the
//! relay request (rate limited per member, then the domain's ordered checks, then a
//! simulation, then a durable record), and the relay's status.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use commissary_db::members::events;
use commissary_db::relay::{self as relay_store, NewRelay, Recorded, Relay};
use commissary_domain::relay::{self as rules, ChainAuction, Refusal, SignedBid, Unavailable, Usage};
use commissary_domain::{Address, AuctionId, TokenAmount, U256, ValidationErrors};

use crate::error::{ApiError, ApiResult, ErrorBody, or_not_found};
use crate::listing_path::ListingPath;
use crate::session::Member;
use crate::state::{AppState, PermitInput, RelayChain};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(bid_quote).service(relay_bid).service(relay_status);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuoteQuery {
    /// The address that will sign and pay (0x-hex).
    #[param(value_type = commissary_domain::Address)]
    pub bidder: String,
    /// The bid (decimal string of base units); default: the current minimum next bid.
    #[param(value_type = Option<commissary_domain::openapi::PositiveTokenAmount>)]
    pub amount: Option<String>,
}

/// Whether the relay would take a bid from this member now.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelayAvailability {
    pub available: bool,
    /// Why not: `not_configured`, `member_hourly_bids`, `member_daily_gas`, `daily_gas`,
    /// `relayer_balance`; `null` when available.
    pub reason: Option<&'static str>,
    /// Gas the relayer may still spend for this member in the last-24-hours window.
    pub remaining_today: u64,
}

/// What every quote shows of the auction and the bidder.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteBasics {
    /// Decimal on-chain auction id.
    pub auction_id: String,
    /// Decimal string of base units.
    pub min_next_bid: String,
    /// The current end (extensions included), from the chain.
    pub ends_at: Option<DateTime<Utc>>,
    /// The bidder's token balance (decimal string).
    pub balance: String,
    /// The bidder's allowance to the auction contract (decimal string).
    pub allowance: String,
}

impl QuoteBasics {
    pub(crate) fn new(auction: AuctionId, on_chain: Option<ChainAuction>, balance: U256, allowance: U256) -> Self {
        Self {
            auction_id: auction.to_string(),
            min_next_bid: on_chain.map_or_else(|| "0".to_owned(), |a| a.min_next_bid.to_string()),
            ends_at: on_chain.and_then(|a| DateTime::from_timestamp(i64::try_from(a.end_time).ok()?, 0)),
            balance: balance.to_string(),
            allowance: allowance.to_string(),
        }
    }
}

/// A quote request: the bidder, the amount (if given), the auction and the chain to ask.
pub(crate) struct QuoteRequest<'a> {
    pub bidder: Address,
    pub amount: Option<TokenAmount>,
    pub auction: AuctionId,
    pub chain: &'a dyn RelayChain,
}

pub(crate) fn quote_request<'a>(
    state: &'a AppState,
    listing: &ListingPath,
    bidder: &str,
    amount: Option<&str>,
) -> ApiResult<QuoteRequest<'a>> {
    let bidder = Address::parse(bidder).map_err(|_| {
        ApiError::from(ValidationErrors::single("bidder", "invalid_address", "must be a 0x-hex address"))
    })?;
    let amount = amount.map(parse_amount).transpose()?;
    // Not on chain (yet) is the listing's state, said before whether this replica has a chain.
    let auction = auction_of(listing)?.ok_or(Refusal::AuctionNotLive)?;
    Ok(QuoteRequest { bidder, amount, auction, chain: chain_of(state)? })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BidQuote {
    #[serde(flatten)]
    pub basics: QuoteBasics,
    /// The contract's `nonces(bidder)` (decimal string): the nonce to sign.
    pub nonce: String,
    /// Unix seconds to sign as the deadline: chain time + 10 minutes.
    pub deadline: u64,
    /// The EIP-712 `Bid` exactly as `eth_signTypedData_v4` takes it.
    #[schema(value_type = Object)]
    pub typed_data: serde_json::Value,
    /// The token's EIP-2612 `Permit` (same form), or `null` when the allowance covers the amount.
    #[schema(value_type = Option<Object>)]
    pub permit_typed_data: Option<serde_json::Value>,
    pub relay: RelayAvailability,
}

pub(crate) fn chain_of(state: &AppState) -> ApiResult<&dyn RelayChain> {
    state.config.relay.chain.as_deref().ok_or_else(|| {
        ApiError::from(Refusal::RelayUnavailable { reason: Unavailable::NotConfigured, retry_after_secs: 3600 })
    })
}

/// The listing's on-chain auction, `None` while it is not on chain; a stored id that does
/// not parse is the service's fault, not the member's, so it is an internal error.
pub(crate) fn auction_of(listing: &ListingPath) -> ApiResult<Option<AuctionId>> {
    listing.0.auction_id.as_deref().map(|id| id.parse().map_err(ApiError::internal)).transpose()
}

pub(crate) fn parse_amount(text: &str) -> ApiResult<TokenAmount> {
    TokenAmount::parse(text).ok().filter(|a| !a.is_zero()).ok_or_else(|| Refusal::InvalidAmount.into())
}

pub(crate) fn parse_u256(field: &'static str, text: &str) -> ApiResult<U256> {
    let valid = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    valid
        .then(|| U256::from_str_radix(text, 10).ok())
        .flatten()
        .ok_or_else(|| ValidationErrors::single(field, "not_decimal", "must be a decimal string").into())
}

pub(crate) fn parse_signature(text: &str) -> ApiResult<Vec<u8>> {
    text.strip_prefix("0x")
        .and_then(|h| hex::decode(h).ok())
        .filter(|b| b.len() == 65)
        .ok_or_else(|| Refusal::InvalidSignature.into())
}

/// What the member (and everyone) has spent, and the relayer's balance.
pub(crate) async fn usage(state: &AppState, chain: &dyn RelayChain, bidder: Address) -> ApiResult<Usage> {
    let (bids, member_gas, all_gas) = state.db.run(move |c| relay_store::usage(c, bidder, Utc::now())).await?;
    let relayer_balance = chain.relayer_balance().await.map_err(ApiError::unavailable)?;
    Ok(Usage { member_bids_last_hour: bids, member_gas_last_day: member_gas, gas_last_day: all_gas, relayer_balance })
}

/// Whether the relay would take a request from `bidder` now (a quote's `relay`).
pub(crate) async fn availability(
    state: &AppState,
    chain: &dyn RelayChain,
    bidder: Address,
) -> ApiResult<RelayAvailability> {
    if !chain.has_relayer() {
        return Ok(RelayAvailability {
            available: false,
            reason: Some(Unavailable::NotConfigured.as_str()),
            remaining_today: 0,
        });
    }
    let usage = usage(state, chain, bidder).await?;
    let budget = &state.config.relay.budget;
    let reason = match rules::availability(budget, &usage) {
        Ok(()) => None,
        Err(Refusal::RelayUnavailable { reason, .. }) => Some(reason.as_str()),
        Err(_) => None,
    };
    Ok(RelayAvailability {
        available: reason.is_none(),
        reason,
        remaining_today: rules::remaining_gas_today(budget, &usage),
    })
}

/// The permit of a request body, parsed.
pub(crate) fn permit_input(permit: Option<&PermitBody>) -> ApiResult<Option<PermitInput>> {
    permit
        .map(|p| {
            Ok::<_, ApiError>(PermitInput {
                value: parse_u256("permit.value", &p.value)?,
                deadline: p.deadline,
                signature: parse_signature(&p.signature)?,
            })
        })
        .transpose()
}

/// Refuses (503 `relay_unavailable`) when no relayer key is configured.
pub(crate) fn require_relayer(chain: &dyn RelayChain) -> ApiResult<()> {
    if chain.has_relayer() {
        Ok(())
    } else {
        Err(refused(Refusal::RelayUnavailable { reason: Unavailable::NotConfigured, retry_after_secs: 3600 }))
    }
}

/// Simulates `calldata` from the relayer: the gas, or the refusal its revert means
/// (`too_low` is the refusal for a bid below `min_next_bid`).
pub(crate) async fn simulate(
    chain: &dyn RelayChain,
    calldata: &str,
    too_low: impl FnOnce() -> Refusal,
) -> ApiResult<u64> {
    match chain.simulate(calldata).await.map_err(ApiError::unavailable)? {
        Ok(gas) => Ok(gas),
        Err(reason) => Err(refused(match rules::failure_code(&reason) {
            "bid_too_low" | "max_bid_too_low" => too_low(),
            "auction_not_live" => Refusal::AuctionNotLive,
            _ => Refusal::SimulationFailed { reason },
        })),
    }
}

/// Everything needed to sign a relayed bid: the auction's minimum, the bidder's balance,
/// allowance and nonce, a deadline, the EIP-712 documents and whether the relay would take it.
#[utoipa::path(get, path = "/api/v1/listings/{id}/bid-quote", tag = "relay",
    params(("id" = String, Path, format = Uuid), QuoteQuery),
    responses((status = 200, body = BidQuote), (status = 400, body = ErrorBody, description = "invalid_amount, invalid_query"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "auction_not_live: not on chain yet"),
              (status = 422, body = ErrorBody, description = "validation_failed: bidder"),
              (status = 503, body = ErrorBody, description = "relay_unavailable (no chain configured) or the node is unreachable")))]
#[get("/listings/{id}/bid-quote")]
#[tracing::instrument(skip_all, fields(listing = %listing.id()))]
pub async fn bid_quote(
    state: web::Data<AppState>,
    listing: ListingPath,
    query: web::Query<QuoteQuery>,
) -> ApiResult<web::Json<BidQuote>> {
    let QuoteRequest { bidder, amount, auction, chain } =
        quote_request(&state, &listing, &query.bidder, query.amount.as_deref())?;
    let quote = chain.quote(auction, bidder, amount).await.map_err(ApiError::unavailable)?;
    let relay = availability(&state, chain, bidder).await?;
    Ok(web::Json(BidQuote {
        basics: QuoteBasics::new(auction, quote.auction, quote.balance, quote.allowance),
        nonce: quote.nonce.to_string(),
        deadline: quote.deadline,
        typed_data: quote.typed_data,
        permit_typed_data: quote.permit_typed_data,
        relay,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermitBody {
    /// Decimal string (a uint256).
    #[schema(pattern = r"^(0|[1-9][0-9]{0,76})$")]
    pub value: String,
    /// Unix seconds.
    pub deadline: u64,
    /// 0x-hex, 65 bytes.
    #[schema(pattern = r"^0[xX][0-9a-fA-F]{130}$")]
    pub signature: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelayBody {
    /// Decimal string of base units.
    #[schema(value_type = commissary_domain::openapi::PositiveTokenAmount)]
    pub amount: String,
    /// Decimal string: the contract's `nonces(bidder)`.
    #[schema(pattern = r"^(0|[1-9][0-9]{0,76})$")]
    pub nonce: String,
    /// Unix seconds; at most 1 hour ahead.
    pub deadline: u64,
    /// The EIP-712 `Bid` signature (0x-hex, 65 bytes).
    #[schema(pattern = r"^0[xX][0-9a-fA-F]{130}$")]
    pub signature: String,
    /// An EIP-2612 permit for the auction contract, or `null`.
    pub permit: Option<PermitBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RelayFailure {
    /// e.g. `bid_too_low`, `auction_not_live`, `reverted`.
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RelayResponse {
    pub relay_id: String,
    #[schema(format = Uuid)]
    pub listing_id: String,
    pub auction_id: String,
    /// Decimal string of base units.
    pub amount: String,
    /// `queued` | `sent` | `mined` | `failed`.
    #[schema(example = "queued")]
    pub status: &'static str,
    pub tx_hash: Option<String>,
    pub block_number: Option<i64>,
    pub failure: Option<RelayFailure>,
}

impl From<Relay> for RelayResponse {
    fn from(r: Relay) -> Self {
        Self {
            relay_id: r.id,
            listing_id: r.listing_id,
            auction_id: r.auction_id,
            amount: r.amount.to_string(),
            status: r.status.as_str(),
            tx_hash: r.tx_hash,
            block_number: r.block_number,
            failure: r.failure.map(|(code, message)| RelayFailure { code, message }),
        }
    }
}

pub(crate) fn check_rate(state: &AppState, member: Address) -> ApiResult<()> {
    state.relay_limiter.check_key(&member).map_err(|not_until| {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
        ApiError::too_many_requests(wait.as_secs().max(1))
    })
}

pub(crate) fn refused(refusal: Refusal) -> ApiError {
    metrics::counter!("commissary_relay_requests_total", "outcome" => refusal.code().as_str()).increment(1);
    refusal.into()
}

/// Relays the signed-in member's EIP-712-signed bid (and permit): rate limited, checked in
/// order, simulated, then recorded; the relayer's sender sends it exactly once.
#[utoipa::path(post, path = "/api/v1/listings/{id}/bids/relay", tag = "relay",
    params(("id" = String, Path, format = Uuid)), request_body = RelayBody,
    responses((status = 202, body = RelayResponse),
              (status = 400, body = ErrorBody, description = "invalid_amount, signature_expired, invalid_signature, invalid_json"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "auction_not_live, nonce_mismatch, bid_too_low (details.min_next_bid), insufficient_balance, insufficient_allowance, simulation_failed"),
              (status = 422, body = ErrorBody, description = "validation_failed: nonce, permit.value"),
              (status = 429, body = ErrorBody, description = "rate_limited, with Retry-After"),
              (status = 503, body = ErrorBody, description = "relay_unavailable, with Retry-After")))]
#[post("/listings/{id}/bids/relay")]
#[tracing::instrument(skip_all, fields(listing = %listing.id(), member = %member.address))]
pub async fn relay_bid(
    state: web::Data<AppState>,
    member: Member,
    listing: ListingPath,
    body: web::Json<RelayBody>,
) -> ApiResult<HttpResponse> {
    check_rate(&state, member.address)?;
    let body = body.into_inner();
    let amount = parse_amount(&body.amount).map_err(|_| refused(Refusal::InvalidAmount))?;
    let nonce = parse_u256("nonce", &body.nonce)?;
    let permit = permit_input(body.permit.as_ref())?;
    let signature = parse_signature(&body.signature)?;
    let auction = auction_of(&listing)?.ok_or_else(|| refused(Refusal::AuctionNotLive))?;
    let chain = chain_of(&state)?;
    require_relayer(chain)?;
    let bid = SignedBid { amount, nonce, deadline: body.deadline };
    let prepared =
        chain.prepare(auction, member.address, bid, signature, permit).await.map_err(ApiError::unavailable)?;
    let usage = usage(&state, chain, member.address).await?;
    rules::check(&bid, &prepared.facts, &state.config.relay.budget, &usage).map_err(refused)?;
    let min_next_bid = prepared.facts.auction.map_or(U256::ZERO, |a| a.min_next_bid);
    let gas = simulate(chain, &prepared.calldata, || Refusal::BidTooLow { min_next_bid }).await?;
    let new = NewRelay {
        kind: commissary_db::chain::intents::IntentKind::RelayBid,
        bidder: member.address,
        nonce: nonce.to_string(),
        listing_id: listing.id().to_string(),
        auction_id: auction.to_string(),
        amount,
        gas_estimate: gas,
        from_address: prepared.from_address,
        to_address: prepared.to_address,
        calldata: prepared.calldata,
    };
    let relay = match state.db.run(move |c| relay_store::record(c, &new, Utc::now())).await? {
        Recorded::New(relay) => relay,
        // Already queued, in flight or mined: the same (bidder, nonce) is never sent twice.
        Recorded::NonceTaken(_) => return Err(refused(Refusal::NonceMismatch { expected: nonce })),
    };
    events::wake();
    chain.wake();
    metrics::counter!("commissary_relay_requests_total", "outcome" => "accepted").increment(1);
    tracing::info!(relay = %relay.id, "relay recorded");
    Ok(HttpResponse::Accepted().json(RelayResponse::from(relay)))
}

/// A relayed bid's status: `queued`, `sent`, `mined` or `failed` (with the contract's
/// reason, e.g. `bid_too_low` when it was outbid before it was mined). For its member or a
/// steward.
#[utoipa::path(get, path = "/api/v1/relay/{relay_id}", tag = "relay", params(("relay_id" = String, Path)),
    responses((status = 200, body = RelayResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/relay/{relay_id}")]
#[tracing::instrument(skip_all)]
pub async fn relay_status(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<String>,
) -> ApiResult<web::Json<RelayResponse>> {
    let id = path.into_inner();
    let relay = state.db.run(move |c| relay_store::get(c, &id)).await.map_err(or_not_found("relay"))?;
    // Someone else's relay is not found rather than forbidden: ids are not to be probed.
    if relay.bidder != member.address && !state.is_steward(member.address) {
        return Err(ApiError::not_found("relay"));
    }
    Ok(web::Json(relay.into()))
}

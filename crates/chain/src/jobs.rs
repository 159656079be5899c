//! The durable jobs the API enqueues: `publish_listing` (createAuction) and
//! `cancel_listing` (cancel). Each run looks at what is recorded and on chain and takes
//! the next step, so running a job again after a crash never repeats a chain effect:
//!
//! * publish: done once the indexer linked the listing to its auction. Before recording a
//!   `createAuction` intent it searches the not-yet-indexed blocks for an `AuctionCreated`
//!   with the listing's hash; an intent is keyed `create:<hash>:<n>`, and a new `n` is only
//!   used after the previous intent failed or reverted (so it was never mined).
//! * cancel: done once the indexer saw `AuctionCancelled`; intent `cancel:<auction>:<n>`.

use std::time::Duration;

use alloy::primitives::{B256, U256, aliases::U40};
use alloy::sol_types::SolCall;
use chrono::Utc;

use commissary_db::DbError;
use commissary_db::chain::auctions::{self, AuctionStatus};
use commissary_db::chain::indexer as store;
use commissary_db::chain::intents::{self, Intent, IntentStatus, NewIntent};
use commissary_db::chain::jobs::{self, Job, KIND_CANCEL_LISTING, KIND_PUBLISH_LISTING};
use commissary_db::listings::{self, ListingRecord};
use commissary_domain::{AuctionTerms, ListingId, ListingStatus};

use crate::bindings::CommissaryAuction;
use crate::error::{ChainError, ChainResult};
use crate::worker::Ctx;

/// The next step of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Done,
    /// Waiting for a transaction or the indexer: look again after this long.
    Wait(Duration),
    /// Failed for good (the listing cannot be published / cancelled as asked).
    Fail(String),
}

/// Contract errors that no retry can fix.
const PERMANENT_CREATE_ERRORS: &[&str] =
    &["InvalidSchedule", "ZeroReservePrice", "InvalidMinIncrement", "ExtensionWindowTooLong"];

/// Claims and runs due jobs; returns how many ran.
#[tracing::instrument(skip_all, name = "jobs")]
pub(crate) async fn tick(ctx: &Ctx) -> ChainResult<usize> {
    let worker = ctx.worker_id.clone();
    let visibility = chrono::Duration::from_std(ctx.config.job_visibility).unwrap_or(chrono::Duration::seconds(60));
    let claimed = ctx.db.run(move |c| jobs::claim_due(c, &worker, Utc::now(), visibility, 16)).await?;
    let count = claimed.len();
    for job in claimed {
        let step = match job.kind.as_str() {
            KIND_PUBLISH_LISTING => publish(ctx, &job).await,
            KIND_CANCEL_LISTING => cancel(ctx, &job).await,
            other => Ok(Step::Fail(format!("unknown job kind {other:?}"))),
        };
        let (id, worker) = (job.id.clone(), ctx.worker_id.clone());
        let now = Utc::now();
        match step {
            Ok(Step::Done) => {
                tracing::info!(job = %job.id, kind = %job.kind, "job done");
                ctx.db.run(move |c| jobs::complete(c, &id, &worker, now)).await?;
            }
            Ok(Step::Wait(after)) => {
                let at = now + chrono::Duration::from_std(after).unwrap_or_default();
                ctx.db.run(move |c| jobs::reschedule(c, &id, &worker, at, now)).await?;
            }
            Ok(Step::Fail(reason)) => {
                tracing::warn!(job = %job.id, kind = %job.kind, %reason, "job failed");
                ctx.db.run(move |c| jobs::fail(c, &id, &worker, &reason, None, now)).await?;
            }
            Err(error) => {
                let delay = ctx.backoff(u32::try_from(job.attempts).unwrap_or(0) + 1);
                tracing::warn!(job = %job.id, kind = %job.kind, %error, "job will be retried");
                let at = now + chrono::Duration::from_std(delay).unwrap_or_default();
                let text = error.to_string();
                ctx.db.run(move |c| jobs::fail(c, &id, &worker, &text, Some(at), now)).await?;
                if matches!(error, ChainError::LeaseLost) {
                    return Err(error);
                }
            }
        }
    }
    Ok(count)
}

fn listing_id(job: &Job) -> Option<ListingId> {
    job.payload.get("listing_id")?.as_str()?.parse().ok()
}

/// The listing a publish or cancel job is about, or the step that ends a job whose
/// listing is missing (a payload without one, or a listing deleted meanwhile).
async fn job_listing(ctx: &Ctx, job: &Job) -> ChainResult<Result<ListingRecord, Step>> {
    let Some(id) = listing_id(job) else { return Ok(Err(Step::Fail("payload has no listing_id".into()))) };
    match ctx.db.run(move |c| listings::get(c, id)).await {
        Ok(listing) => Ok(Ok(listing)),
        Err(DbError::NotFound) => Ok(Err(Step::Fail("listing_not_found".into()))),
        Err(e) => Err(e.into()),
    }
}

fn latest(intents: &[Intent]) -> Option<(usize, &Intent)> {
    intents
        .iter()
        .filter_map(|i| Some((i.intent_key.rsplit(':').next()?.parse::<usize>().ok()?, i)))
        .max_by_key(|(n, _)| *n)
}

async fn cursor_block(ctx: &Ctx) -> ChainResult<Option<i64>> {
    let scope = ctx.scope.clone();
    Ok(ctx.db.run(move |c| store::cursor(c, &scope)).await?.map(|c| c.block_number))
}

async fn publish(ctx: &Ctx, job: &Job) -> ChainResult<Step> {
    let poll = ctx.config.poll_interval;
    let listing = match job_listing(ctx, job).await? {
        Ok(listing) => listing,
        Err(step) => return Ok(step),
    };
    let id = listing.id;
    if listing.status != ListingStatus::Publishing {
        // Published (the indexer linked it), or withdrawn: nothing left to do.
        return Ok(Step::Done);
    }
    let Some(hash_hex) = listing.listing_hash.clone() else { return Ok(Step::Fail("listing_hash_missing".into())) };
    let hash: B256 =
        hash_hex.parse().map_err(|_| ChainError::Db(DbError::Corrupt(format!("listing_hash {hash_hex:?}"))))?;
    let hash_hex = format!("{hash:#x}");
    let prefix = format!("create:{hash_hex}:");
    let lookup = hash_hex.clone();
    let (known, recorded) =
        ctx.db.run(move |c| Ok((auctions::ids_for_hash(c, &lookup)?, intents::with_key_prefix(c, &prefix)?))).await?;
    if !known.is_empty() {
        return Ok(Step::Wait(poll)); // indexed; the listing is being linked
    }
    let next = match latest(&recorded) {
        None => 1,
        Some((_, intent)) if !intent.status.is_terminal() => return Ok(Step::Wait(poll)),
        Some((n, intent)) if intent.status == IntentStatus::Mined && intent.success == Some(true) => {
            // Mined; the indexer will see AuctionCreated. Unless its block was orphaned
            // and the indexer is already past it: then the sender must look again.
            let indexed = cursor_block(ctx).await?.unwrap_or(-1);
            if intent.mined_block.is_some_and(|b| b <= indexed) {
                let tx: B256 = intent.tx_hash.as_deref().unwrap_or_default().parse().unwrap_or_default();
                if ctx.rpc.get_receipt(tx).await?.is_none() {
                    let id = intent.id.clone();
                    ctx.db.run(move |c| intents::reopen(c, &id, Utc::now())).await?;
                    tracing::warn!(intent = %intent.intent_key, n, "createAuction vanished from the chain; resending");
                }
            }
            return Ok(Step::Wait(poll));
        }
        Some((n, intent)) => {
            let reason = intent.last_error.clone().unwrap_or_else(|| "createAuction reverted".into());
            if PERMANENT_CREATE_ERRORS.iter().any(|e| reason.starts_with(e)) {
                let now = Utc::now();
                ctx.db
                    .run(move |c| listings::transition(c, id, ListingStatus::Publishing, ListingStatus::Draft, now))
                    .await?;
                return Ok(Step::Fail(reason));
            }
            let wait = ctx.backoff(u32::try_from(n).unwrap_or(u32::MAX));
            let since = (Utc::now() - intent.updated_at).to_std().unwrap_or_default();
            if since < wait {
                return Ok(Step::Wait(wait - since));
            }
            n + 1
        }
    };
    // Adopt an auction another run created but never recorded (it died after sending).
    let from = cursor_block(ctx).await?.map_or(ctx.config.deployment_block, |b| u64::try_from(b + 1).unwrap_or(0));
    if let Some(auction_id) = crate::indexer::find_created(ctx, hash, from).await? {
        tracing::info!(listing = %id, auction_id, "auction already on chain; waiting for the indexer");
        return Ok(Step::Wait(poll));
    }
    let terms = AuctionTerms::new(&listing.details, hash.0);
    let call = CommissaryAuction::createAuctionCall {
        listingHash: hash,
        reservePrice: alloy::primitives::Uint::<96, 2>::from(terms.reserve_price.as_u128()),
        startTime: U40::from(terms.start_time),
        endTime: U40::from(terms.end_time),
        minIncrementBps: terms.min_increment_bps,
        extensionWindow: terms.extension_window,
    };
    record_intent(
        ctx,
        format!("create:{hash_hex}:{next}"),
        intents::KIND_CREATE_AUCTION,
        call.abi_encode(),
        Some(id.to_string()),
    )
    .await?;
    Ok(Step::Wait(poll))
}

async fn record_intent(
    ctx: &Ctx,
    key: String,
    kind: &'static str,
    calldata: Vec<u8>,
    subject: Option<String>,
) -> ChainResult<()> {
    let from = ctx.operator_hex.clone();
    let to = format!("{:#x}", ctx.config.auction_address);
    let data = format!("0x{}", alloy::primitives::hex::encode(calldata));
    let intent = ctx
        .db
        .run(move |c| {
            let new = NewIntent {
                intent_key: &key,
                kind,
                from_address: &from,
                to_address: &to,
                calldata: &data,
                subject: subject.as_deref(),
            };
            intents::record(c, &new, Utc::now())
        })
        .await?;
    tracing::info!(intent = %intent.intent_key, "transaction intent recorded");
    ctx.wake.sender.notify_one();
    Ok(())
}

async fn cancel(ctx: &Ctx, job: &Job) -> ChainResult<Step> {
    let poll = ctx.config.poll_interval;
    let listing = match job_listing(ctx, job).await? {
        Ok(listing) => listing,
        Err(step) => return Ok(step),
    };
    let id = listing.id;
    match listing.status {
        ListingStatus::Cancelled | ListingStatus::Draft => return Ok(Step::Done),
        ListingStatus::Settled | ListingStatus::Unsold => return Ok(Step::Fail("auction_closed".into())),
        // The auction is not on chain yet: cancel once it is.
        ListingStatus::Publishing => return Ok(Step::Wait(poll * 5)),
        ListingStatus::Scheduled | ListingStatus::Live | ListingStatus::Ended => {}
    }
    let Some(auction) = ctx.db.run(move |c| auctions::for_listing(c, id)).await? else { return Ok(Step::Wait(poll)) };
    match auction.status {
        AuctionStatus::Cancelled => return Ok(Step::Done),
        AuctionStatus::Settled => return Ok(Step::Fail("auction_closed".into())),
        AuctionStatus::Open if auction.bid_count > 0 => return Ok(Step::Fail("auction_has_bids".into())),
        AuctionStatus::Open => {}
    }
    let prefix = format!("cancel:{}:", auction.auction_id);
    let recorded = ctx.db.run(move |c| intents::with_key_prefix(c, &prefix)).await?;
    let next = match latest(&recorded) {
        None => 1,
        Some((_, intent)) if !intent.status.is_terminal() => return Ok(Step::Wait(poll)),
        Some((_, intent)) if intent.status == IntentStatus::Mined && intent.success == Some(true) => {
            return Ok(Step::Wait(poll));
        }
        Some((n, intent)) => {
            let reason = intent.last_error.clone().unwrap_or_else(|| "cancel reverted".into());
            if reason.starts_with("AuctionHasBids") {
                return Ok(Step::Fail("auction_has_bids".into()));
            }
            if reason.starts_with("AuctionClosed") || n >= 5 {
                return Ok(Step::Fail(reason));
            }
            n + 1
        }
    };
    let auction_id: U256 =
        auction.auction_id.parse().map_err(|_| ChainError::Db(DbError::Corrupt(auction.auction_id.clone())))?;
    let call = CommissaryAuction::cancelCall { auctionId: auction_id };
    record_intent(
        ctx,
        format!("cancel:{}:{next}", auction.auction_id),
        intents::KIND_CANCEL_AUCTION,
        call.abi_encode(),
        Some(id.to_string()),
    )
    .await?;
    Ok(Step::Wait(poll))
}

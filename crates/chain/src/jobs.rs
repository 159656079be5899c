//! The runner of the durable jobs the API enqueues ([`Job`]): `PublishListing`
//! (createAuction) and `CancelListing` (cancel). Each run looks at what is recorded and on
//! chain and takes the next step, so running a job again after a crash never repeats a
//! chain effect:
//!
//! * publish: done once the indexer linked the listing to its auction. Before recording a
//!   `createAuction` intent it searches the not-yet-indexed blocks for an `AuctionCreated`
//!   with the listing's hash; intents have the goal `create:<hash>` and an attempt number,
//!   and a new attempt is only recorded after the previous one failed or reverted (so it
//!   was never mined).
//! * cancel: the domain's `cancel_step` decides; done once the indexer saw
//!   `AuctionCancelled`; goal `cancel:<auction>`.

use std::time::Duration;

use alloy::primitives::{B256, U256, aliases::U40};
use chrono::Utc;
use tokio::sync::Notify;

use commissary_db::DbError;
use commissary_db::chain::auctions;
use commissary_db::chain::intents::{self, Intent, IntentKind, IntentStatus};
use commissary_db::chain::jobs::{self as job_store, Job, QueuedJob};
use commissary_db::listings::{self, ListingRecord};
use commissary_domain::{AuctionTerms, CancelRefused, CancelStep, ListingId, ListingTransition};

use crate::bindings::CommissaryAuction;
use crate::component::Component;
use crate::context::Ctx;
use crate::contract::{CancelFailure, cancel_failure, create_is_permanent, recorded_error};
use crate::error::{ChainError, ChainResult};
use crate::outbox::{IntentRequest, record_intent};

/// The next step of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Done,
    /// Waiting for a transaction or the indexer: look again after this long.
    Wait(Duration),
    /// Failed for good (the listing cannot be published / cancelled as asked).
    Fail(String),
}

/// Cancel attempts before the job gives up on errors that are not the contract's refusal.
const MAX_CANCEL_ATTEMPTS: u32 = 5;

/// The job runner as a worker component: runs again at once while jobs were due, else
/// sleeps until the next one is (woken by the indexer and the sender).
#[derive(Debug, Default)]
pub(crate) struct JobRunner;

impl Component for JobRunner {
    const NAME: &'static str = "jobs";

    async fn tick(&mut self, ctx: &Ctx) -> ChainResult<Duration> {
        if tick(ctx).await? > 0 {
            return Ok(Duration::ZERO);
        }
        let idle = ctx.config.poll_interval * 10;
        let next = ctx.db.run(job_store::next_due).await.ok().flatten();
        Ok(next.map_or(idle, |at| (at - Utc::now()).to_std().unwrap_or_default()).min(idle))
    }

    fn wake_up<'a>(&self, ctx: &'a Ctx) -> Option<&'a Notify> {
        Some(&ctx.wake.jobs)
    }
}

/// Claims and runs due jobs; returns how many ran.
#[tracing::instrument(skip_all, name = "jobs")]
async fn tick(ctx: &Ctx) -> ChainResult<usize> {
    let worker = ctx.worker_id.clone();
    let visibility = chrono::Duration::from_std(ctx.config.job_visibility).unwrap_or(chrono::Duration::seconds(60));
    let claimed = ctx.db.run(move |c| job_store::claim_due(c, &worker, Utc::now(), visibility, 16)).await?;
    let count = claimed.len();
    for (queued, job) in claimed {
        let step = match &job {
            Job::PublishListing { listing_id } => publish(ctx, *listing_id).await,
            Job::CancelListing { listing_id } => cancel(ctx, *listing_id).await,
        };
        finish(ctx, &queued, step).await?;
    }
    Ok(count)
}

/// Records the outcome of one run.
async fn finish(ctx: &Ctx, queued: &QueuedJob, step: ChainResult<Step>) -> ChainResult<()> {
    let (id, worker) = (queued.id.clone(), ctx.worker_id.clone());
    let now = Utc::now();
    match step {
        Ok(Step::Done) => {
            tracing::info!(job = %queued.id, kind = %queued.kind, "job done");
            ctx.db.run(move |c| job_store::complete(c, &id, &worker, now)).await?;
        }
        Ok(Step::Wait(after)) => {
            let at = now + chrono::Duration::from_std(after).unwrap_or_default();
            ctx.db.run(move |c| job_store::reschedule(c, &id, &worker, at, now)).await?;
        }
        Ok(Step::Fail(reason)) => {
            tracing::warn!(job = %queued.id, kind = %queued.kind, %reason, "job failed");
            ctx.db.run(move |c| job_store::fail(c, &id, &worker, &reason, None, now)).await?;
        }
        Err(error) => {
            let delay = ctx.backoff(u32::try_from(queued.attempts).unwrap_or(0) + 1);
            tracing::warn!(job = %queued.id, kind = %queued.kind, %error, "job will be retried");
            let at = now + chrono::Duration::from_std(delay).unwrap_or_default();
            let text = error.to_string();
            ctx.db.run(move |c| job_store::fail(c, &id, &worker, &text, Some(at), now)).await?;
            if matches!(error, ChainError::LeaseLost) {
                return Err(error);
            }
        }
    }
    Ok(())
}

/// The listing a job is about, or the step that ends a job whose listing was deleted.
async fn job_listing(ctx: &Ctx, id: ListingId) -> ChainResult<Result<ListingRecord, Step>> {
    match ctx.db.run(move |c| listings::get(c, id)).await {
        Ok(listing) => Ok(Ok(listing)),
        Err(DbError::NotFound) => Ok(Err(Step::Fail("listing_not_found".into()))),
        Err(e) => Err(e.into()),
    }
}

/// The intents recorded towards `goal`, the latest attempt last.
async fn attempts(ctx: &Ctx, goal: &str) -> ChainResult<Vec<Intent>> {
    let goal = goal.to_owned();
    Ok(ctx.db.run(move |c| intents::for_goal(c, &goal)).await?)
}

fn mined_ok(intent: &Intent) -> bool {
    intent.status == IntentStatus::Mined && intent.success == Some(true)
}

async fn publish(ctx: &Ctx, id: ListingId) -> ChainResult<Step> {
    let poll = ctx.config.poll_interval;
    let listing = match job_listing(ctx, id).await? {
        Ok(listing) => listing,
        Err(step) => return Ok(step),
    };
    if !listing.status.awaits_auction() {
        // Published (the indexer linked it), or withdrawn: nothing left to do.
        return Ok(Step::Done);
    }
    let Some(hash_hex) = listing.listing_hash.clone() else { return Ok(Step::Fail("listing_hash_missing".into())) };
    let hash: B256 =
        hash_hex.parse().map_err(|_| ChainError::Db(DbError::Corrupt(format!("listing_hash {hash_hex:?}"))))?;
    let hash_hex = format!("{hash:#x}");
    let goal = format!("create:{hash_hex}");
    let lookup = hash_hex.clone();
    if !ctx.db.run(move |c| auctions::ids_for_hash(c, &lookup)).await?.is_empty() {
        return Ok(Step::Wait(poll)); // indexed; the listing is being linked
    }
    let next = match attempts(ctx, &goal).await?.last() {
        None => 1,
        Some(intent) if !intent.status.is_terminal() => return Ok(Step::Wait(poll)),
        Some(intent) if mined_ok(intent) => {
            // Mined; the indexer will see AuctionCreated. Unless its block was orphaned
            // and the indexer is already past it: then the sender must look again.
            let indexed = ctx.indexed_block().await?.unwrap_or(-1);
            if intent.mined_block.is_some_and(|b| b <= indexed) {
                let tx: B256 = intent.tx_hash.as_deref().unwrap_or_default().parse().unwrap_or_default();
                if ctx.rpc.receipt(tx).await?.is_none() {
                    let intent_id = intent.id.clone();
                    ctx.db.run(move |c| intents::reopen(c, &intent_id, Utc::now())).await?;
                    tracing::warn!(intent = %intent.intent_key, "createAuction vanished from the chain; resending");
                }
            }
            return Ok(Step::Wait(poll));
        }
        Some(intent) => {
            let reason = intent.last_error.clone().unwrap_or_else(|| "createAuction reverted".into());
            if recorded_error(intent.revert_data.as_deref()).is_some_and(|e| create_is_permanent(&e)) {
                let now = Utc::now();
                ctx.db.run(move |c| listings::transition(c, id, ListingTransition::PublicationRejected, now)).await?;
                return Ok(Step::Fail(reason));
            }
            let wait = ctx.backoff(intent.attempt_number);
            let since = (Utc::now() - intent.updated_at).to_std().unwrap_or_default();
            if since < wait {
                return Ok(Step::Wait(wait - since));
            }
            intent.attempt_number + 1
        }
    };
    // Adopt an auction another run created but never recorded (it died after sending).
    let from = ctx.indexed_block().await?.map_or(ctx.config.deployment_block, |b| u64::try_from(b + 1).unwrap_or(0));
    if let Some(auction_id) =
        ctx.rpc.find_created(ctx.config.auction_address, hash, from, ctx.config.backfill_range).await?
    {
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
    let request = IntentRequest {
        goal,
        attempt_number: next,
        kind: IntentKind::CreateAuction,
        call,
        subject: Some(id.to_string()),
    };
    record_intent(ctx, &ctx.operator, request).await?;
    Ok(Step::Wait(poll))
}

fn refused(reason: CancelRefused) -> Step {
    Step::Fail(
        match reason {
            CancelRefused::AuctionHasBids => "auction_has_bids",
            CancelRefused::AuctionOver => "auction_closed",
        }
        .into(),
    )
}

async fn cancel(ctx: &Ctx, id: ListingId) -> ChainResult<Step> {
    let poll = ctx.config.poll_interval;
    let listing = match job_listing(ctx, id).await? {
        Ok(listing) => listing,
        Err(step) => return Ok(step),
    };
    let auction = ctx.db.run(move |c| auctions::for_listing(c, id)).await?;
    let auction = match listing.status.cancel_step(auction.as_ref()) {
        CancelStep::Done => return Ok(Step::Done),
        CancelStep::Refused(reason) => return Ok(refused(reason)),
        // The auction is not on chain yet: cancel once it is.
        CancelStep::AwaitPublication => return Ok(Step::Wait(poll * 5)),
        CancelStep::AwaitIndexer => return Ok(Step::Wait(poll)),
        CancelStep::Send => match auction {
            Some(auction) => auction,
            None => return Ok(Step::Wait(poll)),
        },
    };
    let goal = format!("cancel:{}", auction.auction_id);
    let next = match attempts(ctx, &goal).await?.last() {
        None => 1,
        Some(intent) if !intent.status.is_terminal() || mined_ok(intent) => return Ok(Step::Wait(poll)),
        Some(intent) => {
            let reason = intent.last_error.clone().unwrap_or_else(|| "cancel reverted".into());
            match recorded_error(intent.revert_data.as_deref()).as_ref().and_then(cancel_failure) {
                Some(CancelFailure::HasBids) => return Ok(refused(CancelRefused::AuctionHasBids)),
                Some(CancelFailure::Closed) => return Ok(Step::Fail(reason)),
                None if intent.attempt_number >= MAX_CANCEL_ATTEMPTS => return Ok(Step::Fail(reason)),
                None => intent.attempt_number + 1,
            }
        }
    };
    let call = CommissaryAuction::cancelCall { auctionId: U256::from(auction.auction_id.get()) };
    let request = IntentRequest {
        goal,
        attempt_number: next,
        kind: IntentKind::CancelAuction,
        call,
        subject: Some(id.to_string()),
    };
    record_intent(ctx, &ctx.operator, request).await?;
    Ok(Step::Wait(poll))
}

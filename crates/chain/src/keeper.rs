//! Settles every auction once it is over on chain (`block.timestamp >= endTime`), in
//! `settleMany` batches. The keeper sleeps until the next end (the indexer wakes it when a
//! new auction or an extension changes that) and keeps nothing in memory: an auction is
//! "in flight" while a recorded settle intent naming it is queued, sent, or mined in a
//! block the indexer has not applied yet. `settleMany` skips auctions that are already
//! settled, so even a duplicate batch could not settle anything twice.

use std::collections::HashSet;
use std::time::Duration;

use alloy::eips::BlockId;
use alloy::primitives::U256;
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;
use chrono::Utc;
use tokio::sync::Notify;

use commissary_db::chain::auctions;
use commissary_db::chain::indexer as store;
use commissary_db::chain::intents::{self, IntentKind};
use commissary_domain::AuctionId;

use crate::bindings::CommissaryAuction;
use crate::component::Component;
use crate::context::Ctx;
use crate::error::{ChainError, ChainResult};
use crate::outbox::{IntentRequest, record_intent};

/// The keeper as a worker component: sleeps until the next end or start (woken by the
/// indexer and the sender).
#[derive(Debug, Default)]
pub(crate) struct Keeper;

impl Component for Keeper {
    const NAME: &'static str = "keeper";

    async fn tick(&mut self, ctx: &Ctx) -> ChainResult<Duration> {
        Ok(pause(&tick(ctx).await?, ctx.config.poll_interval))
    }

    fn wake_up<'a>(&self, ctx: &'a Ctx) -> Option<&'a Notify> {
        Some(&ctx.wake.keeper)
    }
}

/// When the keeper should look again.
#[derive(Debug, Default)]
struct KeeperPass {
    /// Batches recorded in this pass.
    pub batches: usize,
    /// Chain time of the next end or start, if any auction is waiting.
    pub next_change: Option<i64>,
    /// Some auctions look due by the clock but the chain does not agree yet.
    pub retry_soon: bool,
    /// The chain's time as the keeper saw it.
    pub chain_now: i64,
}

#[tracing::instrument(skip_all, name = "keeper")]
async fn tick(ctx: &Ctx) -> ChainResult<KeeperPass> {
    let latest = ctx.rpc.latest_block().await?;
    // The next block's time is at least the latest's and, on a live chain, about now.
    let chain_now = i64::try_from(latest.timestamp).unwrap_or(i64::MAX).max(Utc::now().timestamp());
    let scope = ctx.scope.clone();
    let cooldown = chrono::Duration::from_std(ctx.config.max_backoff).unwrap_or(chrono::Duration::seconds(30));
    let (open, in_flight) = ctx
        .db
        .run(move |c| {
            auctions::advance_phases(c, chain_now, Utc::now())?;
            let indexed = store::cursor(c, &scope)?.map_or(-1, |cur| cur.block_number);
            let open = auctions::open_by_end(c, 100_000)?;
            let mut in_flight = HashSet::new();
            for intent in intents::in_flight(c, IntentKind::SettleMany, indexed, Utc::now() - cooldown)? {
                let ids: Vec<AuctionId> =
                    intent.subject.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
                in_flight.extend(ids);
            }
            Ok((open, in_flight))
        })
        .await?;
    let mut pass = KeeperPass { chain_now, ..KeeperPass::default() };
    let mut due = Vec::new();
    for auction in &open {
        if in_flight.contains(&auction.auction_id) {
            continue;
        }
        if auction.end_time <= chain_now {
            due.push(auction.auction_id);
        } else {
            pass.next_change = Some(pass.next_change.map_or(auction.end_time, |n| n.min(auction.end_time)));
        }
        if auction.start_time > chain_now {
            pass.next_change = Some(pass.next_change.map_or(auction.start_time, |n| n.min(auction.start_time)));
        }
    }
    for batch in due.chunks(ctx.config.settle_batch_size) {
        let call =
            CommissaryAuction::settleManyCall { auctionIds: batch.iter().map(|id| U256::from(id.get())).collect() };
        let calldata = call.abi_encode();
        // Ask the chain (pending block) how many of these it would settle now.
        let request = TransactionRequest::default()
            .from(ctx.operator.address)
            .to(ctx.config.auction_address)
            .input(alloy::primitives::Bytes::from(calldata.clone()).into());
        match ctx.rpc.get().call(request).block(BlockId::pending()).await {
            Ok(output) => {
                let settles =
                    CommissaryAuction::settleManyCall::abi_decode_returns(&output).map(|n| n.to::<u64>()).unwrap_or(1);
                if settles == 0 {
                    // Not over by the chain's clock yet, or already settled and the
                    // indexer has not caught up: look again shortly.
                    pass.retry_soon = true;
                    continue;
                }
            }
            Err(error) => tracing::debug!(%error, "settleMany simulation failed; sending anyway"),
        }
        // Each batch is its own goal: settling is idempotent on chain, so there is no
        // earlier attempt to wait for.
        let request = IntentRequest {
            goal: format!("settle:{}:{}", batch[0], uuid::Uuid::now_v7()),
            attempt_number: 1,
            kind: IntentKind::SettleMany,
            call,
            subject: Some(serde_json::to_string(batch).map_err(|e| ChainError::Other(e.to_string()))?),
        };
        record_intent(ctx, &ctx.operator, request).await?;
        tracing::info!(auctions = batch.len(), first = %batch[0], "settlement batch recorded");
        pass.batches += 1;
    }
    Ok(pass)
}

/// How long to sleep after a pass (woken earlier by the indexer or the sender).
fn pause(pass: &KeeperPass, poll: Duration) -> Duration {
    const IDLE: Duration = Duration::from_secs(60);
    if pass.retry_soon {
        return poll.min(Duration::from_millis(500));
    }
    match pass.next_change {
        Some(at) => {
            let seconds = u64::try_from(at - pass.chain_now).unwrap_or(0);
            // Wake right at the second boundary when the chain keeps wall-clock time.
            let now = Utc::now();
            let into_second =
                if pass.chain_now == now.timestamp() { u64::from(now.timestamp_subsec_millis()) } else { 0 };
            Duration::from_millis((seconds * 1000).saturating_sub(into_second)).min(IDLE)
        }
        None => IDLE,
    }
}

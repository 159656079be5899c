//! Settles every auction once it is over on chain (`block.timestamp >= endTime`), in
//! `settleMany` batches. The keeper sleeps until the next end (the indexer wakes it when a
//! new auction or an extension changes that) and keeps nothing in memory: an auction is
//! "in flight" while a recorded settle intent naming it is queued, sent, or mined in a
//! block the indexer has not applied yet. `settleMany` skips auctions that are already
//! settled, so even a duplicate batch could not settle anything twice.
//!
//! When the chain would settle none of a due batch, the keeper asks the contract
//! (`getAuction` at the block the indexer has applied) about each auction: one the chain
//! shows settled or cancelled there, or with another end, is a projection that missed
//! something, so the keeper writes the chain's state into it (`auctions::reconcile`) and
//! logs it once; from then on the auction is no longer due. Only an auction that is still
//! open and over at that block (a settlement the indexer will apply shortly, or a chain
//! clock behind ours) is retried soon.

use std::collections::HashSet;
use std::time::Duration;

use alloy::eips::BlockId;
use alloy::primitives::U256;
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;
use chrono::Utc;
use tokio::sync::Notify;

use commissary_db::chain::auctions::{self, OpenAuction};
use commissary_db::chain::indexer as store;
use commissary_db::chain::intents::{self, IntentKind};
use commissary_domain::{AuctionId, AuctionStatus, OnChainAuction, TokenAmount};

use crate::bindings::CommissaryAuction;
use crate::component::Component;
use crate::context::Ctx;
use crate::contract::chain_time;
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
    let (open, in_flight, indexed) = ctx
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
            Ok((open, in_flight, indexed))
        })
        .await?;
    let mut pass = KeeperPass { chain_now, ..KeeperPass::default() };
    let mut due = Vec::new();
    for auction in &open {
        if in_flight.contains(&auction.auction_id) {
            continue;
        }
        if auction.end_time <= chain_now {
            due.push(auction);
        } else {
            pass.next_change = Some(pass.next_change.map_or(auction.end_time, |n| n.min(auction.end_time)));
        }
        if auction.start_time > chain_now {
            pass.next_change = Some(pass.next_change.map_or(auction.start_time, |n| n.min(auction.start_time)));
        }
    }
    for batch in due.chunks(ctx.config.settle_batch_size) {
        let call = CommissaryAuction::settleManyCall {
            auctionIds: batch.iter().map(|a| U256::from(a.auction_id.get())).collect(),
        };
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
                    // Not over by the chain's clock yet, already settled and the indexer has
                    // not caught up (look again shortly), or the projection missed what the
                    // chain did (reconcile it, so the auction is no longer due).
                    if reconcile(ctx, batch, indexed, chain_now).await? < batch.len() {
                        pass.retry_soon = true;
                    }
                    continue;
                }
            }
            Err(error) => tracing::debug!(%error, "settleMany simulation failed; sending anyway"),
        }
        let batch: Vec<AuctionId> = batch.iter().map(|a| a.auction_id).collect();
        // Each batch is its own goal: settling is idempotent on chain, so there is no
        // earlier attempt to wait for.
        let request = IntentRequest {
            goal: format!("settle:{}:{}", batch[0], uuid::Uuid::now_v7()),
            attempt_number: 1,
            kind: IntentKind::SettleMany,
            call,
            subject: Some(serde_json::to_string(&batch).map_err(|e| ChainError::Other(e.to_string()))?),
        };
        record_intent(ctx, &ctx.operator, request).await?;
        tracing::info!(auctions = batch.len(), first = %batch[0], "settlement batch recorded");
        pass.batches += 1;
    }
    Ok(pass)
}

/// Compares each auction of a batch the chain would not settle with the contract's state at
/// the indexed block `indexed` and reconciles the projection where they disagree. Returns
/// how many auctions it reconciled (and so are no longer due).
async fn reconcile(ctx: &Ctx, batch: &[&OpenAuction], indexed: i64, chain_now: i64) -> ChainResult<usize> {
    let Ok(block) = u64::try_from(indexed) else { return Ok(0) };
    let contract = CommissaryAuction::new(ctx.config.auction_address, ctx.rpc.get());
    let mut reconciled = 0;
    for auction in batch {
        let id = auction.auction_id;
        let on_chain = match contract.getAuction(U256::from(id.get())).block(BlockId::number(block)).call().await {
            Ok(on_chain) => on_chain,
            Err(error) => {
                tracing::debug!(%error, auction_id = %id, "getAuction at the indexed block failed");
                continue;
            }
        };
        let status = match on_chain.status {
            1 => AuctionStatus::Open,
            2 => AuctionStatus::Settled,
            3 => AuctionStatus::Cancelled,
            _ => {
                // Unknown at a block the indexer applied its creation from: only a reorg
                // does that, and the indexer rolls the projection back.
                tracing::debug!(auction_id = %id, block, "auction unknown on chain at the indexed block");
                continue;
            }
        };
        let end_time = on_chain.endTime.to::<u64>();
        if status == AuctionStatus::Open && i64::try_from(end_time).ok() == Some(auction.end_time) {
            // Over and unsettled at the indexed block: settled since (the indexer will apply
            // it) or not over by the chain's clock yet.
            continue;
        }
        let highest_bidder =
            (!on_chain.highestBidder.is_zero()).then(|| crate::to_domain_address(on_chain.highestBidder));
        let highest_bid = match highest_bidder {
            Some(_) => Some(
                TokenAmount::from_u128(on_chain.highestBid.to::<u128>())
                    .map_err(|_| ChainError::Inconsistent(format!("bid {} exceeds uint96", on_chain.highestBid)))?,
            ),
            None => None,
        };
        let state = OnChainAuction {
            status,
            ends_at: chain_time(end_time)?,
            highest_bidder,
            highest_bid,
            block_number: indexed,
        };
        if ctx.db.run(move |c| auctions::reconcile(c, id, &state, chain_now, Utc::now())).await? {
            tracing::warn!(
                auction_id = %id,
                block,
                status = status.as_str(),
                end_time,
                "the chain cannot settle this auction: projection reconciled with getAuction"
            );
            reconciled += 1;
        }
    }
    Ok(reconciled)
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

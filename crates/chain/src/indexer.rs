//! Follows the auction contract's events: backfills from the deployment block in ranges,
//! then follows the head, `confirmations` blocks behind. The cursor (number + hash) and
//! the events are written in one transaction per range; a parent-hash mismatch (or a
//! cursor block that is no longer canonical) rolls back to the common ancestor.

use std::collections::HashMap;
use std::time::Duration;

use alloy::primitives::B256;
use alloy::providers::Provider;
use chrono::Utc;
use tokio::sync::Notify;

use commissary_db::chain::indexer::{self as store, Applied, BlockRef, Cursor, KEPT_BLOCKS};
use commissary_db::chain::intents;

use crate::component::Component;
use crate::context::Ctx;
use crate::contract::{as_i64, chain_time, decode_credit, decode_log, decode_max_bid};
use crate::error::{ChainError, ChainResult};
use crate::rpc::{Block, hex32};

/// What one indexer pass did.
#[derive(Debug, Default)]
pub(crate) struct IndexerPass {
    /// The cursor reached the confirmed head.
    pub caught_up: bool,
    /// New blocks were applied (the cursor moved forward).
    pub advanced: bool,
    pub applied: Applied,
    pub reorged: bool,
}

/// The indexer as a worker component: after a pass that changed auctions it wakes the
/// keeper and the jobs (and, after a reorg, the sender), after any new block the keeper;
/// it runs again at once while catching up.
#[derive(Debug, Default)]
pub(crate) struct Indexer;

impl Component for Indexer {
    const NAME: &'static str = "indexer";

    async fn tick(&mut self, ctx: &Ctx) -> ChainResult<Duration> {
        let pass = tick(ctx).await?;
        if !pass.applied.auctions_changed.is_empty() || pass.reorged {
            ctx.wake.keeper.notify_one();
            ctx.wake.jobs.notify_one();
            ctx.wake.max_bidder.notify_one();
        } else if pass.advanced {
            // A new block may carry a clock jump (a chain that was idle, or a test moving
            // time) past an end the keeper planned to sleep until by the older clock.
            ctx.wake.keeper.notify_one();
        }
        if pass.reorged {
            ctx.wake.sender.notify_one();
        }
        Ok(if pass.caught_up { ctx.config.poll_interval } else { Duration::ZERO })
    }

    fn wake_up<'a>(&self, _ctx: &'a Ctx) -> Option<&'a Notify> {
        None
    }
}

/// A chain block as the indexer stores it.
fn block_ref(block: &Block) -> ChainResult<BlockRef> {
    Ok(BlockRef {
        block_number: as_i64(block.number)?,
        block_hash: hex32(&block.hash),
        parent_hash: hex32(&block.parent_hash),
        block_time: as_i64(block.timestamp)?,
    })
}

/// One pass: checks the cursor is still canonical (rolling back a reorg), then applies
/// the next range of confirmed blocks.
#[tracing::instrument(skip_all, name = "indexer")]
async fn tick(ctx: &Ctx) -> ChainResult<IndexerPass> {
    let head = ctx.rpc.get().get_block_number().await?;
    let safe = head.saturating_sub(ctx.config.confirmations);
    let scope = ctx.scope.clone();
    let cursor = ctx.db.run(move |c| store::cursor(c, &scope)).await?;
    let from = match &cursor {
        Some(c) => u64::try_from(c.block_number + 1).unwrap_or(0),
        None => ctx.config.deployment_block,
    };
    if from > safe {
        // Nothing new, but the cursor's block may have been replaced (same height reorg)
        // or removed (the chain got shorter).
        if let Some(c) = &cursor {
            let canonical = ctx.rpc.block_by_number(u64::try_from(c.block_number).unwrap_or(0)).await?;
            if canonical.is_none_or(|b| hex32(&b.hash) != c.block_hash) {
                return reorg(ctx, c).await;
            }
        }
        return Ok(IndexerPass { caught_up: true, ..IndexerPass::default() });
    }
    let to = safe.min(from + ctx.config.backfill_range - 1);
    let to_before = block_ref(
        &ctx.rpc.block_by_number(to).await?.ok_or_else(|| ChainError::Inconsistent(format!("block {to} vanished")))?,
    )?;
    let from_block = if from == to {
        to_before.clone()
    } else {
        block_ref(
            &ctx.rpc
                .block_by_number(from)
                .await?
                .ok_or_else(|| ChainError::Inconsistent(format!("block {from} vanished")))?,
        )?
    };
    if let Some(c) = &cursor
        && from_block.parent_hash != c.block_hash
    {
        return reorg(ctx, c).await;
    }
    let logs = ctx.rpc.auction_logs(ctx.config.auction_address, from, to).await?;
    let to_after = ctx.rpc.block_by_number(to).await?;
    if to_after.map(|b| hex32(&b.hash)).as_ref() != Some(&to_before.block_hash) {
        return Err(ChainError::Inconsistent(format!("block {to} changed while reading; retrying")));
    }

    let mut blocks: HashMap<String, BlockRef> = HashMap::new();
    blocks.insert(to_before.block_hash.clone(), to_before.clone());
    blocks.insert(from_block.block_hash.clone(), from_block.clone());
    let mut events = Vec::with_capacity(logs.len());
    let mut credits = Vec::new();
    let mut max_bids = Vec::new();
    for log in &logs {
        if log.removed {
            continue;
        }
        let hash = log.block_hash.ok_or_else(|| ChainError::Inconsistent("log without block hash".into()))?;
        let key = hex32(&hash);
        if !blocks.contains_key(&key) {
            let block = block_by_hash(ctx, hash).await?;
            blocks.insert(key.clone(), block);
        }
        let block = &blocks[&key];
        if Some(block.block_number) != log.block_number.and_then(|n| i64::try_from(n).ok()) {
            return Err(ChainError::Inconsistent("log block number does not match its block".into()));
        }
        let block_time = chain_time(u64::try_from(block.block_time).unwrap_or(0))?;
        if let Some(event) = decode_log(log, block_time)? {
            events.push(event);
        } else if let Some(credit) = decode_credit(log, block_time)? {
            credits.push(credit);
        } else if let Some(max_bid) = decode_max_bid(log)? {
            max_bids.push(max_bid);
        }
    }
    events.sort_by_key(|e| (e.block_number, e.log_index));
    let mut headers: Vec<BlockRef> = blocks.into_values().collect();
    headers.sort_by_key(|b| b.block_number);
    let scope = ctx.scope.clone();
    let expected = cursor.clone();
    let to_block = to_before.clone();
    // Credits belong to bidders, not auctions: recorded (idempotently) before the range is
    // applied, so a crash in between records them again; a rollback forgets them.
    if !credits.is_empty() {
        ctx.db.run(move |c| commissary_db::members::credits::record(c, &credits)).await?;
    }
    // Likewise what the contract says of maximum bids (a revocation is permanent on chain;
    // one rolled back by a reorg stays revoked here, the safe side).
    if !max_bids.is_empty() {
        ctx.db.run(move |c| commissary_db::max_bids::on_chain(c, &max_bids, Utc::now())).await?;
    }
    let applied = ctx
        .db
        .run(move |c| store::apply_range(c, &scope, expected.as_ref(), &headers, &events, &to_block, Utc::now()))
        .await?;
    if applied.new_events > 0 {
        tracing::debug!(from, to, events = applied.new_events, "indexed");
    }
    Ok(IndexerPass { caught_up: to == safe, advanced: true, applied, reorged: false })
}

async fn block_by_hash(ctx: &Ctx, hash: B256) -> ChainResult<BlockRef> {
    let block = ctx
        .rpc
        .block_by_hash(hash)
        .await?
        .ok_or_else(|| ChainError::Inconsistent(format!("block {hash:#x} of a log is unknown (reorg?)")))?;
    block_ref(&block)
}

/// Finds the newest stored block that is still canonical and rolls back to it (or, if
/// none is, re-indexes from the deployment block).
async fn reorg(ctx: &Ctx, cursor: &Cursor) -> ChainResult<IndexerPass> {
    let at = cursor.block_number;
    let stored = ctx.db.run(move |c| store::recent_blocks(c, at, KEPT_BLOCKS)).await?;
    let mut ancestor = None;
    for block in stored {
        let canonical = ctx.rpc.block_by_number(u64::try_from(block.block_number).unwrap_or(0)).await?;
        if canonical.is_some_and(|c| hex32(&c.hash) == block.block_hash) {
            ancestor = Some(block);
            break;
        }
    }
    let ancestor = match ancestor {
        Some(a) => a,
        None => {
            let start = ctx.config.deployment_block.saturating_sub(1);
            block_ref(
                &ctx.rpc
                    .block_by_number(start)
                    .await?
                    .ok_or_else(|| ChainError::Inconsistent("no block before deployment".into()))?,
            )?
        }
    };
    tracing::warn!(from = cursor.block_number, to = ancestor.block_number, "chain reorganisation: rolling back");
    let scope = ctx.scope.clone();
    let (expected, target) = (cursor.clone(), ancestor.clone());
    let applied = ctx
        .db
        .run(move |c| {
            let applied = store::rollback_to(c, &scope, &expected, &target, Utc::now())?;
            // Our transactions mined in orphaned blocks are in flight again: the sender
            // finds them re-mined, rebroadcasts them, or re-queues them.
            for intent in intents::mined_above(c, target.block_number)? {
                intents::reopen(c, &intent.id, Utc::now())?;
            }
            Ok(applied)
        })
        .await?;
    Ok(IndexerPass { caught_up: false, advanced: false, applied, reorged: true })
}

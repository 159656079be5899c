//! Follows the auction contract's events: backfills from the deployment block in ranges,
//! then follows the head, `confirmations` blocks behind. The cursor (number + hash) and
//! the events are written in one transaction per range; a parent-hash mismatch (or a
//! cursor block that is no longer canonical) rolls back to the common ancestor.

use std::collections::HashMap;

use alloy::primitives::B256;
use alloy::providers::Provider;
use alloy::rpc::types::{Filter, Log};
use alloy::sol_types::SolEvent;
use chrono::Utc;

use commissary_db::chain::events::{ChainEvent, EventData};
use commissary_db::chain::indexer::{self as store, Applied, BlockRef, Cursor, KEPT_BLOCKS};
use commissary_db::chain::intents;

use crate::bindings::CommissaryAuction::{
    AuctionCancelled, AuctionCreated, AuctionSettled, BidPlaced, RefundCredited, Withdrawn,
};
use crate::error::{ChainError, ChainResult};
use crate::rpc::{hex_address, hex32};
use crate::worker::Ctx;

/// What one indexer pass did.
#[derive(Debug, Default)]
pub(crate) struct IndexerPass {
    /// The cursor reached the confirmed head.
    pub caught_up: bool,
    pub applied: Applied,
    pub reorged: bool,
}

fn as_i64(v: u64) -> ChainResult<i64> {
    i64::try_from(v).map_err(|_| ChainError::Inconsistent(format!("{v} out of range")))
}

fn decode(log: &Log, block_time: i64) -> ChainResult<Option<ChainEvent>> {
    let topic = log.topic0().copied().unwrap_or_default();
    let data = if topic == AuctionCreated::SIGNATURE_HASH {
        let e = log.log_decode::<AuctionCreated>().map_err(|e| ChainError::Inconsistent(e.to_string()))?.inner.data;
        (
            e.auctionId,
            EventData::AuctionCreated {
                listing_hash: hex32(&e.listingHash),
                reserve_price: e.reservePrice.to_string(),
                start_time: as_i64(e.startTime.to::<u64>())?,
                end_time: as_i64(e.endTime.to::<u64>())?,
                min_increment_bps: i32::from(e.minIncrementBps),
                extension_secs: i64::from(e.extensionWindow),
            },
        )
    } else if topic == BidPlaced::SIGNATURE_HASH {
        let e = log.log_decode::<BidPlaced>().map_err(|e| ChainError::Inconsistent(e.to_string()))?.inner.data;
        (
            e.auctionId,
            EventData::BidPlaced {
                bidder: hex_address(&e.bidder),
                amount: e.amount.to_string(),
                end_time: as_i64(e.endTime.to::<u64>())?,
            },
        )
    } else if topic == AuctionSettled::SIGNATURE_HASH {
        let e = log.log_decode::<AuctionSettled>().map_err(|e| ChainError::Inconsistent(e.to_string()))?.inner.data;
        let winner = (!e.winner.is_zero()).then(|| hex_address(&e.winner));
        (e.auctionId, EventData::AuctionSettled { winner, amount: e.amount.to_string() })
    } else if topic == AuctionCancelled::SIGNATURE_HASH {
        let e = log.log_decode::<AuctionCancelled>().map_err(|e| ChainError::Inconsistent(e.to_string()))?.inner.data;
        (e.auctionId, EventData::AuctionCancelled)
    } else if topic == RefundCredited::SIGNATURE_HASH {
        let e = log.log_decode::<RefundCredited>().map_err(|e| ChainError::Inconsistent(e.to_string()))?.inner.data;
        let credit = EventData::RefundCredited { bidder: hex_address(&e.bidder), amount: e.amount.to_string() };
        return Ok(Some(event_of(log, block_time, String::new(), credit)?));
    } else if topic == Withdrawn::SIGNATURE_HASH {
        let e = log.log_decode::<Withdrawn>().map_err(|e| ChainError::Inconsistent(e.to_string()))?.inner.data;
        let credit = EventData::Withdrawn { bidder: hex_address(&e.bidder), amount: e.amount.to_string() };
        return Ok(Some(event_of(log, block_time, String::new(), credit)?));
    } else {
        return Ok(None);
    };
    Ok(Some(event_of(log, block_time, data.0.to_string(), data.1)?))
}

fn event_of(log: &Log, block_time: i64, auction_id: String, data: EventData) -> ChainResult<ChainEvent> {
    let missing = |what: &str| ChainError::Inconsistent(format!("log without {what}"));
    Ok(ChainEvent {
        tx_hash: hex32(&log.transaction_hash.ok_or_else(|| missing("transaction hash"))?),
        log_index: as_i64(log.log_index.ok_or_else(|| missing("log index"))?)?,
        block_number: as_i64(log.block_number.ok_or_else(|| missing("block number"))?)?,
        block_hash: hex32(&log.block_hash.ok_or_else(|| missing("block hash"))?),
        block_time,
        auction_id,
        data,
    })
}

pub(crate) fn event_filter(ctx: &Ctx) -> Filter {
    Filter::new().address(ctx.config.auction_address).event_signature(vec![
        AuctionCreated::SIGNATURE_HASH,
        BidPlaced::SIGNATURE_HASH,
        AuctionSettled::SIGNATURE_HASH,
        AuctionCancelled::SIGNATURE_HASH,
        RefundCredited::SIGNATURE_HASH,
        Withdrawn::SIGNATURE_HASH,
    ])
}

/// One pass: checks the cursor is still canonical (rolling back a reorg), then applies
/// the next range of confirmed blocks.
#[tracing::instrument(skip_all, name = "indexer")]
pub(crate) async fn tick(ctx: &Ctx) -> ChainResult<IndexerPass> {
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
            if canonical.is_none_or(|b| b.block_hash != c.block_hash) {
                return reorg(ctx, c).await;
            }
        }
        return Ok(IndexerPass { caught_up: true, ..IndexerPass::default() });
    }
    let to = safe.min(from + ctx.config.backfill_range - 1);
    let to_before =
        ctx.rpc.block_by_number(to).await?.ok_or_else(|| ChainError::Inconsistent(format!("block {to} vanished")))?;
    let from_block = if from == to {
        to_before.clone()
    } else {
        ctx.rpc
            .block_by_number(from)
            .await?
            .ok_or_else(|| ChainError::Inconsistent(format!("block {from} vanished")))?
    };
    if let Some(c) = &cursor
        && from_block.parent_hash != c.block_hash
    {
        return reorg(ctx, c).await;
    }
    let logs = ctx.rpc.get().get_logs(&event_filter(ctx).from_block(from).to_block(to)).await?;
    let to_after = ctx.rpc.block_by_number(to).await?;
    if to_after.as_ref().map(|b| &b.block_hash) != Some(&to_before.block_hash) {
        return Err(ChainError::Inconsistent(format!("block {to} changed while reading; retrying")));
    }

    let mut blocks: HashMap<String, BlockRef> = HashMap::new();
    blocks.insert(to_before.block_hash.clone(), to_before.clone());
    blocks.insert(from_block.block_hash.clone(), from_block.clone());
    let mut events = Vec::with_capacity(logs.len());
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
        if let Some(event) = decode(log, block.block_time)? {
            events.push(event);
        }
    }
    events.sort_by_key(|e| (e.block_number, e.log_index));
    let mut headers: Vec<BlockRef> = blocks.into_values().collect();
    headers.sort_by_key(|b| b.block_number);
    let scope = ctx.scope.clone();
    let expected = cursor.clone();
    let to_block = to_before.clone();
    let applied = ctx
        .db
        .run(move |c| store::apply_range(c, &scope, expected.as_ref(), &headers, &events, &to_block, Utc::now()))
        .await?;
    if applied.new_events > 0 {
        tracing::debug!(from, to, events = applied.new_events, "indexed");
    }
    Ok(IndexerPass { caught_up: to == safe, applied, reorged: false })
}

async fn block_by_hash(ctx: &Ctx, hash: B256) -> ChainResult<BlockRef> {
    ctx.rpc
        .block_by_hash(hash)
        .await?
        .ok_or_else(|| ChainError::Inconsistent(format!("block {hash:#x} of a log is unknown (reorg?)")))
}

/// Finds the newest stored block that is still canonical and rolls back to it (or, if
/// none is, re-indexes from the deployment block).
async fn reorg(ctx: &Ctx, cursor: &Cursor) -> ChainResult<IndexerPass> {
    let at = cursor.block_number;
    let stored = ctx.db.run(move |c| store::recent_blocks(c, at, KEPT_BLOCKS)).await?;
    let mut ancestor = None;
    for block in stored {
        let canonical = ctx.rpc.block_by_number(u64::try_from(block.block_number).unwrap_or(0)).await?;
        if let Some(canonical) = canonical.filter(|c| c.block_hash == block.block_hash) {
            ancestor = Some(canonical);
            break;
        }
    }
    let ancestor = match ancestor {
        Some(a) => a,
        None => {
            let start = ctx.config.deployment_block.saturating_sub(1);
            ctx.rpc
                .block_by_number(start)
                .await?
                .ok_or_else(|| ChainError::Inconsistent("no block before deployment".into()))?
        }
    };
    tracing::warn!(from = cursor.block_number, to = ancestor.block_number, "chain reorganisation: rolling back");
    let scope = ctx.scope.clone();
    let (expected, target) = (cursor.clone(), ancestor.clone());
    let operator = ctx.operator_hex.clone();
    let applied = ctx
        .db
        .run(move |c| {
            let applied = store::rollback_to(c, &scope, &expected, &target, Utc::now())?;
            // Our transactions mined in orphaned blocks are in flight again: the sender
            // finds them re-mined, rebroadcasts them, or re-queues them.
            for intent in intents::mined_above(c, &operator, target.block_number)? {
                intents::reopen(c, &intent.id, Utc::now())?;
            }
            Ok(applied)
        })
        .await?;
    Ok(IndexerPass { caught_up: false, applied, reorged: true })
}

/// Searches the not-yet-indexed blocks for an `AuctionCreated` of `listing_hash` (an
/// auction created by a run that died before its record showed it).
pub(crate) async fn find_created(ctx: &Ctx, listing_hash: B256, from: u64) -> ChainResult<Option<u64>> {
    let head = ctx.rpc.get().get_block_number().await?;
    let mut start = from;
    while start <= head {
        let end = head.min(start + ctx.config.backfill_range - 1);
        let filter = Filter::new()
            .address(ctx.config.auction_address)
            .event_signature(AuctionCreated::SIGNATURE_HASH)
            .topic2(listing_hash)
            .from_block(start)
            .to_block(end);
        if let Some(log) = ctx.rpc.get().get_logs(&filter).await?.into_iter().find(|l| !l.removed) {
            let event = log.log_decode::<AuctionCreated>().map_err(|e| ChainError::Inconsistent(e.to_string()))?;
            return Ok(Some(event.inner.data.auctionId.to::<u64>()));
        }
        start = end + 1;
    }
    Ok(None)
}

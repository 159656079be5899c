//! The indexer's persistent state: cursor, recent blocks (for reorg detection) and the
//! event log, with the projection updates applied in the same transaction.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use commissary_domain::{AuctionId, ListingId, LoggedEvent};

use super::auctions::{self, Rebuilt};
use super::schema::{chain_blocks, chain_cursors};
use super::{bids, chain_time, events, jobs, naive};
use crate::{Conflict, DbConnection, DbError, DbResult};

/// How many indexed blocks are kept for finding a reorg's common ancestor.
pub const KEPT_BLOCKS: i64 = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub block_number: i64,
    pub block_hash: String,
}

/// A block header as the indexer keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = chain_blocks)]
pub struct BlockRef {
    pub block_number: i64,
    pub block_hash: String,
    pub parent_hash: String,
    pub block_time: i64,
}

/// What a batch changed, so the worker can wake the keeper and the jobs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Events recorded now (not seen before).
    pub new_events: usize,
    /// Auctions created, extended, settled or cancelled by those events.
    pub auctions_changed: BTreeSet<AuctionId>,
    pub listings_changed: BTreeSet<ListingId>,
}

pub fn cursor(conn: &mut DbConnection, name: &str) -> DbResult<Option<Cursor>> {
    let found: Option<(i64, String)> = chain_cursors::table
        .find(name)
        .select((chain_cursors::block_number, chain_cursors::block_hash))
        .first(conn)
        .optional()?;
    Ok(found.map(|(block_number, block_hash)| Cursor { block_number, block_hash }))
}

/// Stored blocks at or below `at_or_below`, newest first.
pub fn recent_blocks(conn: &mut DbConnection, at_or_below: i64, limit: i64) -> DbResult<Vec<BlockRef>> {
    Ok(chain_blocks::table
        .filter(chain_blocks::block_number.le(at_or_below))
        .order(chain_blocks::block_number.desc())
        .limit(limit)
        .select(BlockRef::as_select())
        .load(conn)?)
}

/// The time of the newest indexed block, if any.
pub fn latest_block_time(conn: &mut DbConnection) -> DbResult<Option<i64>> {
    Ok(chain_blocks::table
        .order(chain_blocks::block_number.desc())
        .select(chain_blocks::block_time)
        .first(conn)
        .optional()?)
}

/// Moves the cursor from `expected` to `to`, compare-and-set: fails with
/// [`Conflict::CursorMoved`] when someone else moved it.
fn move_cursor(
    conn: &mut DbConnection,
    name: &str,
    expected: Option<&Cursor>,
    to: &Cursor,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let now = naive(now);
    let updated = match expected {
        Some(cur) => diesel::update(
            chain_cursors::table
                .filter(chain_cursors::name.eq(name))
                .filter(chain_cursors::block_number.eq(cur.block_number))
                .filter(chain_cursors::block_hash.eq(&cur.block_hash)),
        )
        .set((
            chain_cursors::block_number.eq(to.block_number),
            chain_cursors::block_hash.eq(&to.block_hash),
            chain_cursors::updated_at.eq(now),
        ))
        .execute(conn)?,
        None => {
            if cursor(conn, name)?.is_some() {
                0
            } else {
                diesel::insert_into(chain_cursors::table)
                    .values((
                        chain_cursors::name.eq(name),
                        chain_cursors::block_number.eq(to.block_number),
                        chain_cursors::block_hash.eq(&to.block_hash),
                        chain_cursors::updated_at.eq(now),
                    ))
                    .execute(conn)?
            }
        }
    };
    if updated == 1 { Ok(()) } else { Err(DbError::Conflict(Conflict::CursorMoved)) }
}

fn upsert_block(conn: &mut DbConnection, block: &BlockRef) -> DbResult<()> {
    let updated = diesel::update(chain_blocks::table.find(block.block_number)).set(block).execute(conn)?;
    if updated == 0 {
        diesel::insert_into(chain_blocks::table).values(block).execute(conn)?;
    }
    Ok(())
}

/// Records one range of the chain in one transaction: the headers seen (`blocks`, which
/// must include the range's last block `to`), its events in chain order, the projection
/// updates, and the cursor move from `expected` to `to`. Events already recorded (same
/// `(tx_hash, log_index)`) change nothing.
pub fn apply_range(
    conn: &mut DbConnection,
    name: &str,
    expected: Option<&Cursor>,
    blocks: &[BlockRef],
    events: &[LoggedEvent],
    to: &BlockRef,
    now: DateTime<Utc>,
) -> DbResult<Applied> {
    crate::connection::transaction(conn, |conn| {
        let now_n = naive(now);
        move_cursor(
            conn,
            name,
            expected,
            &Cursor { block_number: to.block_number, block_hash: to.block_hash.clone() },
            now,
        )?;
        for block in blocks.iter().chain(std::iter::once(to)) {
            upsert_block(conn, block)?;
        }
        let mut applied = Applied::default();
        for event in events {
            if !events::record(conn, event)? {
                continue;
            }
            bids::record(conn, event)?;
            if let Some(listing) = auctions::apply_event(conn, event, now_n)? {
                applied.listings_changed.insert(listing);
            }
            crate::members::announce::chain_event(conn, event, now)?;
            crate::after_sale::on_chain_event(conn, event, now)?;
            applied.new_events += 1;
            applied.auctions_changed.insert(event.auction_id);
        }
        diesel::delete(chain_blocks::table.filter(chain_blocks::block_number.lt(to.block_number - KEPT_BLOCKS)))
            .execute(conn)?;
        Ok(applied)
    })
    .inspect(|applied| {
        if applied.new_events > 0 {
            crate::members::events::wake();
        }
    })
}

/// Undoes everything recorded above block `ancestor` (a reorg orphaned those blocks):
/// deletes their events, bids and headers, re-folds the auctions they touched, returns
/// listings whose auction disappeared to `publishing` (reviving their publish job), and
/// sets the cursor to `ancestor`. `expected` is the cursor the caller saw.
pub fn rollback_to(
    conn: &mut DbConnection,
    name: &str,
    expected: &Cursor,
    ancestor: &BlockRef,
    now: DateTime<Utc>,
) -> DbResult<Applied> {
    crate::connection::transaction(conn, |conn| {
        let now_n = naive(now);
        move_cursor(
            conn,
            name,
            Some(expected),
            &Cursor { block_number: ancestor.block_number, block_hash: ancestor.block_hash.clone() },
            now,
        )?;
        let touched = events::auctions_above(conn, ancestor.block_number)?;
        events::delete_above(conn, ancestor.block_number)?;
        bids::delete_above(conn, ancestor.block_number)?;
        diesel::delete(chain_blocks::table.filter(chain_blocks::block_number.gt(ancestor.block_number)))
            .execute(conn)?;
        upsert_block(conn, ancestor)?;
        crate::after_sale::on_rollback(conn, ancestor.block_number, now)?;
        let mut applied = Applied::default();
        let chain_now = chain_time(ancestor.block_time)?;
        for auction_id in touched {
            match auctions::rebuild(conn, auction_id, chain_now, now_n)? {
                Rebuilt::Vanished { listing: Some(listing) } => {
                    // What the job achieved is gone: it publishes again.
                    jobs::revive_done(conn, &jobs::Job::PublishListing { listing_id: listing }, now)?;
                    applied.listings_changed.insert(listing);
                }
                Rebuilt::Refolded { listing: Some(listing) } => {
                    applied.listings_changed.insert(listing);
                }
                Rebuilt::Vanished { listing: None } | Rebuilt::Refolded { listing: None } => {}
            }
            applied.auctions_changed.insert(auction_id);
        }
        crate::members::announce::rollback(conn, ancestor.block_number, &applied.listings_changed, now)?;
        Ok(applied)
    })
    .inspect(|_| crate::members::events::wake())
}

//! The event log (`chain_events`): every contract event the indexer applied, typed as the
//! domain's [`LoggedEvent`], and the source auctions are re-folded from after a reorg.

use diesel::prelude::*;

use commissary_domain::{AuctionEvent, AuctionId, LoggedEvent};

use super::schema::chain_events;
use super::{chain_time, corrupt, unix};
use crate::{DbConnection, DbError, DbResult};

/// Records an event once per `(tx_hash, log_index)`; returns false when it was recorded before.
pub(crate) fn record(conn: &mut DbConnection, event: &LoggedEvent) -> DbResult<bool> {
    let exists: i64 = chain_events::table
        .filter(chain_events::tx_hash.eq(&event.tx_hash))
        .filter(chain_events::log_index.eq(event.log_index))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(chain_events::table)
        .values((
            chain_events::tx_hash.eq(&event.tx_hash),
            chain_events::log_index.eq(event.log_index),
            chain_events::block_number.eq(event.block_number),
            chain_events::block_hash.eq(&event.block_hash),
            chain_events::block_time.eq(unix(event.block_time)),
            chain_events::auction_id.eq(Some(event.auction_id.to_string())),
            chain_events::event.eq(event.event.name()),
            chain_events::data.eq(serde_json::to_string(&event.event).map_err(|e| DbError::Corrupt(e.to_string()))?),
        ))
        .execute(conn)?;
    Ok(true)
}

/// The recorded events of one auction, in chain order.
pub(crate) fn for_auction(conn: &mut DbConnection, auction_id: AuctionId) -> DbResult<Vec<LoggedEvent>> {
    let rows: Vec<(String, i64, i64, String, i64, String)> = chain_events::table
        .filter(chain_events::auction_id.eq(auction_id.to_string()))
        .order((chain_events::block_number.asc(), chain_events::log_index.asc()))
        .select((
            chain_events::tx_hash,
            chain_events::log_index,
            chain_events::block_number,
            chain_events::block_hash,
            chain_events::block_time,
            chain_events::data,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(tx_hash, log_index, block_number, block_hash, block_time, data)| {
            let event: AuctionEvent =
                serde_json::from_str(&data).map_err(|_| corrupt("chain_events", "data", &data))?;
            Ok(LoggedEvent {
                tx_hash,
                log_index,
                block_number,
                block_hash,
                block_time: chain_time(block_time)?,
                auction_id,
                event,
            })
        })
        .collect()
}

/// The auctions with events above `block` (what a rollback to `block` touches).
pub(crate) fn auctions_above(conn: &mut DbConnection, block: i64) -> DbResult<Vec<AuctionId>> {
    let ids: Vec<Option<String>> = chain_events::table
        .filter(chain_events::block_number.gt(block))
        .select(chain_events::auction_id)
        .distinct()
        .load(conn)?;
    ids.into_iter().flatten().map(|id| id.parse().map_err(|_| corrupt("chain_events", "auction_id", &id))).collect()
}

/// Forgets the events above `block` (orphaned by a reorg).
pub(crate) fn delete_above(conn: &mut DbConnection, block: i64) -> DbResult<()> {
    diesel::delete(chain_events::table.filter(chain_events::block_number.gt(block))).execute(conn)?;
    Ok(())
}

//! The bid projection (`chain_bids`): bids as the API shows them, newest first.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use commissary_domain::{Address, AuctionEvent, AuctionId, LoggedEvent, TokenAmount};

use super::schema::chain_bids;
use super::{chain_time, corrupt, unix};
use crate::{DbConnection, DbResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = chain_bids)]
struct BidRow {
    tx_hash: String,
    log_index: i64,
    auction_id: String,
    bidder: String,
    amount: String,
    end_time: i64,
    block_number: i64,
    block_hash: String,
    block_time: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidView {
    pub bidder: Address,
    pub amount: TokenAmount,
    /// The auction's end after this bid (extensions included).
    pub ends_at: DateTime<Utc>,
    pub tx_hash: String,
    pub log_index: i64,
    pub block_number: i64,
    /// The block's time.
    pub placed_at: DateTime<Utc>,
}

impl TryFrom<BidRow> for BidView {
    type Error = crate::DbError;
    fn try_from(row: BidRow) -> DbResult<Self> {
        Ok(Self {
            bidder: Address::parse(&row.bidder).map_err(|_| corrupt("chain_bids", "bidder", &row.bidder))?,
            amount: TokenAmount::parse(&row.amount).map_err(|_| corrupt("chain_bids", "amount", &row.amount))?,
            ends_at: chain_time(row.end_time)?,
            tx_hash: row.tx_hash,
            log_index: row.log_index,
            block_number: row.block_number,
            placed_at: chain_time(row.block_time)?,
        })
    }
}

/// Projects a newly recorded event: a `BidPlaced` becomes a bid row, others add nothing.
pub(crate) fn record(conn: &mut DbConnection, logged: &LoggedEvent) -> DbResult<()> {
    let AuctionEvent::BidPlaced { bidder, amount, end_time } = &logged.event else { return Ok(()) };
    diesel::insert_into(chain_bids::table)
        .values(BidRow {
            tx_hash: logged.tx_hash.clone(),
            log_index: logged.log_index,
            auction_id: logged.auction_id.to_string(),
            bidder: bidder.to_lower_hex(),
            amount: amount.to_string(),
            end_time: unix(*end_time),
            block_number: logged.block_number,
            block_hash: logged.block_hash.clone(),
            block_time: unix(logged.block_time),
        })
        .execute(conn)?;
    Ok(())
}

/// Forgets the bids above `block` (orphaned by a reorg).
pub(crate) fn delete_above(conn: &mut DbConnection, block: i64) -> DbResult<()> {
    diesel::delete(chain_bids::table.filter(chain_bids::block_number.gt(block))).execute(conn)?;
    Ok(())
}

/// Bids on `auction_id`, newest first; `before = Some((block, log_index))` continues after
/// the last bid of the previous page.
pub fn for_auction(
    conn: &mut DbConnection,
    auction_id: &AuctionId,
    limit: i64,
    before: Option<(i64, i64)>,
) -> DbResult<Vec<BidView>> {
    let mut query = chain_bids::table
        .filter(chain_bids::auction_id.eq(auction_id.to_string()))
        .select(BidRow::as_select())
        .into_boxed::<crate::MultiBackend>();
    if let Some((block, log_index)) = before {
        query = query.filter(
            chain_bids::block_number
                .lt(block)
                .or(chain_bids::block_number.eq(block).and(chain_bids::log_index.lt(log_index))),
        );
    }
    query
        .order((chain_bids::block_number.desc(), chain_bids::log_index.desc()))
        .limit(limit.clamp(1, 1000))
        .load(conn)?
        .into_iter()
        .map(BidView::try_from)
        .collect()
}

//! Bids as the API shows them, newest first.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use commissary_domain::{Address, TokenAmount};

use super::schema::chain_bids;
use super::{chain_time, corrupt};
use crate::{DbConnection, DbResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = chain_bids)]
pub(crate) struct BidRow {
    pub tx_hash: String,
    pub log_index: i64,
    pub auction_id: String,
    pub bidder: String,
    pub amount: String,
    pub end_time: i64,
    pub block_number: i64,
    pub block_hash: String,
    pub block_time: i64,
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

/// Bids on `auction_id`, newest first; `before = Some((block, log_index))` continues after
/// the last bid of the previous page.
pub fn for_auction(
    conn: &mut DbConnection,
    auction_id: &str,
    limit: i64,
    before: Option<(i64, i64)>,
) -> DbResult<Vec<BidView>> {
    let mut query = chain_bids::table
        .filter(chain_bids::auction_id.eq(auction_id))
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

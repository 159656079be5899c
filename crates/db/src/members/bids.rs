//! The auctions a member bid on, with where the member stands in each.

use diesel::prelude::*;

use commissary_domain::{Address, AuctionId, AuctionState, BidderState, TokenAmount, bidder_state};

use crate::chain::auctions;
use crate::chain::corrupt;
use crate::chain::schema::{chain_auctions, chain_bids};
use crate::listings::{self, ListingRecord};
use crate::{DbConnection, DbResult};

#[derive(Debug, Clone)]
pub struct MemberAuction {
    pub listing: ListingRecord,
    pub auction: AuctionState,
    pub my_highest_bid: TokenAmount,
    pub my_bid_count: i64,
    pub state: BidderState,
}

/// One page of the auctions `member` bid on, newest auction first; `before` is the last
/// auction id of the previous page. Returns whether more follow.
pub fn page(
    conn: &mut DbConnection,
    member: Address,
    before: Option<i64>,
    limit: i64,
) -> DbResult<(Vec<MemberAuction>, bool)> {
    let bidder = member.to_lower_hex();
    let mut query = chain_bids::table
        .inner_join(chain_auctions::table)
        .filter(chain_bids::bidder.eq(&bidder))
        .filter(chain_auctions::listing_id.is_not_null())
        .select((chain_auctions::auction_seq, chain_auctions::auction_id))
        .distinct()
        .into_boxed::<crate::MultiBackend>();
    if let Some(before) = before {
        query = query.filter(chain_auctions::auction_seq.lt(before));
    }
    let mut ids: Vec<(i64, String)> = query.order(chain_auctions::auction_seq.desc()).limit(limit + 1).load(conn)?;
    let has_more = ids.len() as i64 > limit;
    ids.truncate(usize::try_from(limit).unwrap_or(0));
    let mut out = Vec::with_capacity(ids.len());
    for (_, auction_id) in ids {
        let id: AuctionId = auction_id.parse().map_err(|_| corrupt("chain_auctions", "auction_id", &auction_id))?;
        let Some((Some(listing_id), auction)) = auctions::by_id(conn, id)? else { continue };
        let amounts: Vec<String> = chain_bids::table
            .filter(chain_bids::auction_id.eq(&auction_id))
            .filter(chain_bids::bidder.eq(&bidder))
            .select(chain_bids::amount)
            .load(conn)?;
        let amounts = amounts
            .iter()
            .map(|a| TokenAmount::parse(a).map_err(|_| corrupt("chain_bids", "amount", a)))
            .collect::<DbResult<Vec<_>>>()?;
        let Some(my_highest_bid) = amounts.iter().max().copied() else { continue };
        let listing = listings::get(conn, listing_id)?;
        let leader = match &auction.settlement {
            Some(settlement) => settlement.winner,
            None => auction.highest_bidder,
        };
        let state = bidder_state(listing.status, leader, member);
        out.push(MemberAuction { listing, auction, my_highest_bid, my_bid_count: amounts.len() as i64, state });
    }
    Ok((out, has_more))
}

//! The stewards' books: every closed (settled) auction with its sale and fulfillment.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use commissary_domain::TokenAmount;
use commissary_domain::fulfillment::FulfillmentState;

use super::schema::fulfillments;
use crate::chain::schema::{chain_auctions, chain_events};
use crate::chain::{chain_time, corrupt};
use crate::schema::listings;
use crate::{DbConnection, DbResult};

/// One closed auction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedAuction {
    pub listing_id: String,
    pub title: String,
    pub category: String,
    pub donor_credit: Option<String>,
    pub reserve_price: TokenAmount,
    pub auction_id: String,
    pub ended_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
    /// `None` when nobody bid (unsold).
    pub winner: Option<String>,
    pub winning_bid: Option<TokenAmount>,
    pub settlement_tx: Option<String>,
    pub fulfillment_state: Option<FulfillmentState>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Settled auctions of our listings, in order of their end.
pub fn closed_auctions(conn: &mut DbConnection) -> DbResult<Vec<ClosedAuction>> {
    type Joined =
        (String, String, String, Option<String>, String, String, i64, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Joined> = chain_auctions::table
        .inner_join(listings::table.on(listings::id.nullable().eq(chain_auctions::listing_id)))
        .filter(chain_auctions::status.eq("settled"))
        .order((chain_auctions::end_time.asc(), chain_auctions::auction_seq.asc()))
        .select((
            listings::id,
            listings::title,
            listings::category,
            listings::donor_credit,
            chain_auctions::reserve_price,
            chain_auctions::auction_id,
            chain_auctions::end_time,
            chain_auctions::settle_winner,
            chain_auctions::settle_amount,
            chain_auctions::settle_tx_hash,
        ))
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let sales: Vec<(String, String, Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>)> =
        fulfillments::table
            .filter(fulfillments::listing_id.eq_any(&ids))
            .select((fulfillments::listing_id, fulfillments::state, fulfillments::claimed_at, fulfillments::closed_at))
            .load(conn)?;
    let sales: std::collections::HashMap<_, _> = sales.into_iter().map(|s| (s.0.clone(), s)).collect();
    let auction_ids: Vec<String> = rows.iter().map(|r| r.5.clone()).collect();
    let settled_times: Vec<(Option<String>, i64)> = chain_events::table
        .filter(chain_events::event.eq("auction_settled"))
        .filter(chain_events::auction_id.eq_any(auction_ids.iter().map(|a| Some(a.clone())).collect::<Vec<_>>()))
        .select((chain_events::auction_id, chain_events::block_time))
        .load(conn)?;
    let settled_times: std::collections::HashMap<_, _> =
        settled_times.into_iter().filter_map(|(a, t)| a.map(|a| (a, t))).collect();
    let amount = |field: &str, v: &str| TokenAmount::parse(v).map_err(|_| corrupt("chain_auctions", field, v));
    rows.into_iter()
        .map(|(listing_id, title, category, donor_credit, reserve, auction_id, end_time, winner, settle_amount, tx)| {
            let sale = sales.get(&listing_id);
            Ok(ClosedAuction {
                reserve_price: amount("reserve_price", &reserve)?,
                ended_at: chain_time(end_time)?,
                settled_at: settled_times.get(&auction_id).map(|t| chain_time(*t)).transpose()?,
                winning_bid: match (&winner, settle_amount) {
                    (Some(_), Some(a)) => Some(amount("settle_amount", &a)?),
                    _ => None,
                },
                winner,
                settlement_tx: tx,
                fulfillment_state: sale
                    .map(|s| s.1.parse().map_err(|_| corrupt("fulfillments", "state", &s.1)))
                    .transpose()?,
                claimed_at: sale.and_then(|s| s.2).map(|t| t.and_utc()),
                closed_at: sale.and_then(|s| s.3).map(|t| t.and_utc()),
                listing_id,
                title,
                category,
                donor_credit,
                auction_id,
            })
        })
        .collect()
}

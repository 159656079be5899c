//! What the indexer's changes mean for the live streams: the public event of each newly
//! applied chain event, the personal ones it implies (`outbid`, `won`, `lost`), and
//! `bid_removed` for bids a reorg took back. Called inside the indexer's transactions.

use std::collections::BTreeSet;

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};

use commissary_domain::{Address, AuctionEvent, AuctionId, AuctionState, ListingId, LoggedEvent};

use super::events::{EventKind, NewEvent, record};
use super::schema::{chain_credits, live_announced_bids};
use super::status::sync_statuses;
use crate::chain::auctions;
use crate::chain::schema::chain_bids;
use crate::{DbConnection, DbError, DbResult};

fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn address(lower: &str) -> DbResult<Address> {
    Address::parse(lower).map_err(|_| DbError::Corrupt(format!("address {lower:?}")))
}

/// The auction state an event shows next to what happened.
fn auction_state(state: &AuctionState) -> Value {
    json!({
        "highest_bid": state.highest_bid.map(|a| a.to_string()),
        "highest_bidder": state.highest_bidder.map(|a| a.to_checksum()),
        "min_next_bid": state.min_next_bid().to_string(),
        "ends_at": time_text(state.ends_at),
        "bid_count": state.bid_count,
    })
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

fn event_for(kind: EventKind, listing: ListingId, auction: AuctionId, to: Option<Address>, data: Value) -> NewEvent {
    NewEvent { kind, listing_id: Some(listing.to_string()), auction_id: Some(auction.to_string()), recipient: to, data }
}

/// Announces one newly applied chain event, right after the projection was updated for it.
pub fn chain_event(conn: &mut DbConnection, logged: &LoggedEvent, now: DateTime<Utc>) -> DbResult<()> {
    // Auctions that are not one of our listings are not shown anywhere.
    let Some((Some(listing), state)) = auctions::by_id(conn, logged.auction_id)? else { return Ok(()) };
    let auction = logged.auction_id;
    let base = json!({
        "listing_id": listing.to_string(),
        "auction_id": auction.to_string(),
        "tx_hash": logged.tx_hash,
        "block_number": logged.block_number,
        "log_index": logged.log_index,
    });
    match &logged.event {
        AuctionEvent::BidPlaced { bidder, amount, .. } => {
            let data = merge(
                base.clone(),
                merge(json!({ "bidder": bidder.to_checksum(), "amount": amount.to_string() }), auction_state(&state)),
            );
            record(conn, &event_for(EventKind::Bid, listing, auction, None, data), now)?;
            diesel::insert_into(live_announced_bids::table)
                .values((
                    live_announced_bids::tx_hash.eq(&logged.tx_hash),
                    live_announced_bids::log_index.eq(logged.log_index),
                    live_announced_bids::block_number.eq(logged.block_number),
                    live_announced_bids::auction_id.eq(auction.to_string()),
                    live_announced_bids::listing_id.eq(listing.to_string()),
                    live_announced_bids::bidder.eq(bidder.to_lower_hex()),
                    live_announced_bids::amount.eq(amount.to_string()),
                ))
                .execute(conn)?;
            let previous: Option<(String, String)> = chain_bids::table
                .filter(chain_bids::auction_id.eq(auction.to_string()))
                .filter(chain_bids::block_number.lt(logged.block_number).or(
                    chain_bids::block_number.eq(logged.block_number).and(chain_bids::log_index.lt(logged.log_index)),
                ))
                .order((chain_bids::block_number.desc(), chain_bids::log_index.desc()))
                .select((chain_bids::bidder, chain_bids::amount))
                .first(conn)
                .optional()?;
            if let Some((previous_bidder, previous_amount)) = previous
                && address(&previous_bidder)? != *bidder
            {
                let data = merge(
                    base,
                    merge(json!({ "amount": amount.to_string(), "your_bid": previous_amount }), auction_state(&state)),
                );
                let to = Some(address(&previous_bidder)?);
                record(conn, &event_for(EventKind::Outbid, listing, auction, to, data), now)?;
            }
        }
        AuctionEvent::AuctionSettled { winner, amount } => {
            let winner_text = winner.map(|w| w.to_checksum());
            let data = merge(base.clone(), json!({ "winner": winner_text, "amount": amount.to_string() }));
            record(conn, &event_for(EventKind::Settled, listing, auction, None, data), now)?;
            let bids: Vec<(String, String)> = chain_bids::table
                .filter(chain_bids::auction_id.eq(auction.to_string()))
                .order((chain_bids::block_number.asc(), chain_bids::log_index.asc()))
                .select((chain_bids::bidder, chain_bids::amount))
                .load(conn)?;
            let mut bidders: Vec<&str> = Vec::new();
            for (bidder, _) in &bids {
                if !bidders.contains(&bidder.as_str()) {
                    bidders.push(bidder);
                }
            }
            for bidder in bidders {
                let member = address(bidder)?;
                let (kind, extra) = if *winner == Some(member) {
                    (EventKind::Won, json!({ "amount": amount.to_string() }))
                } else {
                    // The member's own highest bid (each bid raises the bidder's last one).
                    let yours = bids.iter().rev().find(|(b, _)| b == bidder).map(|(_, a)| a.clone());
                    (EventKind::Lost, json!({ "winner": winner_text, "amount": amount.to_string(), "your_bid": yours }))
                };
                let data = merge(base.clone(), extra);
                record(conn, &event_for(kind, listing, auction, Some(member), data), now)?;
            }
        }
        AuctionEvent::AuctionCancelled => {
            record(conn, &event_for(EventKind::Cancelled, listing, auction, None, base), now)?;
        }
        AuctionEvent::AuctionCreated { .. } => {}
    }
    sync_statuses(conn, [listing.to_string().as_str()], now)
}

/// Announces what a rollback to block `ancestor` took back: `bid_removed` for every
/// announced bid above it (with the auction as it is now), the status of the listings it
/// changed; and forgets credits above it. Called after the projection was re-folded.
pub fn rollback(
    conn: &mut DbConnection,
    ancestor: i64,
    listings_changed: &BTreeSet<ListingId>,
    now: DateTime<Utc>,
) -> DbResult<()> {
    diesel::delete(chain_credits::table.filter(chain_credits::block_number.gt(ancestor))).execute(conn)?;
    type Announced = (String, i64, i64, String, String, String, String);
    let removed: Vec<Announced> = live_announced_bids::table
        .filter(live_announced_bids::block_number.gt(ancestor))
        .order((live_announced_bids::block_number.desc(), live_announced_bids::log_index.desc()))
        .select((
            live_announced_bids::tx_hash,
            live_announced_bids::log_index,
            live_announced_bids::block_number,
            live_announced_bids::auction_id,
            live_announced_bids::listing_id,
            live_announced_bids::bidder,
            live_announced_bids::amount,
        ))
        .load(conn)?;
    for (tx_hash, log_index, block_number, auction_id, listing_id, bidder, amount) in removed {
        let mut data = json!({
            "listing_id": listing_id,
            "auction_id": auction_id,
            "tx_hash": tx_hash,
            "block_number": block_number,
            "log_index": log_index,
            "bidder": address(&bidder)?.to_checksum(),
            "amount": amount,
        });
        let id: AuctionId =
            auction_id.parse().map_err(|_| crate::chain::corrupt("live_announced_bids", "auction_id", &auction_id))?;
        // The auction itself is gone when its creation was rolled back too.
        if let Some((_, state)) = auctions::by_id(conn, id)? {
            data = merge(data, auction_state(&state));
        }
        let event = NewEvent {
            kind: EventKind::BidRemoved,
            listing_id: Some(listing_id),
            auction_id: Some(auction_id),
            recipient: None,
            data,
        };
        record(conn, &event, now)?;
        diesel::delete(
            live_announced_bids::table
                .filter(live_announced_bids::tx_hash.eq(&tx_hash))
                .filter(live_announced_bids::log_index.eq(log_index)),
        )
        .execute(conn)?;
    }
    let changed: Vec<String> = listings_changed.iter().map(ToString::to_string).collect();
    sync_statuses(conn, changed.iter().map(String::as_str), now)
}

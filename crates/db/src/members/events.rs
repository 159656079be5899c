//! The live event log: what `GET /api/v1/events`, `/listings/{id}/events` and
//! `/me/events` stream. Every row has an id from one database sequence (the SSE `id:`).
//!
//! Rows are written by the indexer inside the transaction that applies (or rolls back)
//! the chain log, so an event exists exactly when the projection it describes does. On
//! PostgreSQL the writing transaction also takes a transaction-level advisory lock (so
//! ids become visible in id order: a reader that saw id `n` never later finds a smaller
//! one) and calls `pg_notify`, which wakes every replica's listener on commit. Inside one
//! process, [`wake`] (called after commit) wakes the process's fan-out directly.
//!
//! Other writers (e.g. the relayer's status changes, a personal kind addressed to the
//! member) add an [`EventKind`] and call [`record`] in the transaction that makes the
//! change, then [`wake`] after its commit; the streams need nothing else.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};

use commissary_domain::{Address, ListingStatus};

use super::schema::{chain_credits, live_announced_bids, live_events, live_listing_status};
use crate::chain::auctions::{self, AuctionView};
use crate::chain::events::{ChainEvent, EventData};
use crate::chain::naive;
use crate::chain::schema::chain_bids;
use crate::schema::listings;
use crate::{DbConnection, DbError, DbResult};

/// The PostgreSQL `NOTIFY` channel the writers signal and every replica listens on.
pub const CHANNEL: &str = "commissary_live";
/// Serialises event writers on PostgreSQL (see the module documentation).
const WRITER_LOCK: i64 = 0x636f_6d6d_6c69_7665; // "commlive"

/// What an event says. Personal kinds are addressed to one member and never appear on
/// public streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A bid was indexed.
    Bid,
    /// A reorg took an announced bid back.
    BidRemoved,
    Settled,
    Cancelled,
    /// A listing's status changed.
    Status,
    /// Personal: someone outbid the recipient.
    Outbid,
    /// Personal: the recipient's bid won a settled auction.
    Won,
    /// Personal: an auction the recipient bid on was settled to someone else.
    Lost,
}

impl EventKind {
    pub const ALL: [Self; 8] = [
        Self::Bid,
        Self::BidRemoved,
        Self::Settled,
        Self::Cancelled,
        Self::Status,
        Self::Outbid,
        Self::Won,
        Self::Lost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bid => "bid",
            Self::BidRemoved => "bid_removed",
            Self::Settled => "settled",
            Self::Cancelled => "cancelled",
            Self::Status => "status",
            Self::Outbid => "outbid",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn is_personal(self) -> bool {
        matches!(self, Self::Outbid | Self::Won | Self::Lost)
    }
}

/// One stored event. `data` is the JSON the stream sends; `recipient` (lowercase hex) is
/// set for personal events only.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = live_events)]
pub struct LiveEvent {
    pub id: i64,
    pub kind: String,
    pub listing_id: Option<String>,
    pub auction_id: Option<String>,
    pub recipient: Option<String>,
    pub data: String,
    pub created_at: NaiveDateTime,
}

impl LiveEvent {
    /// When the indexer wrote it (the transaction that applied its block).
    pub fn written_at(&self) -> DateTime<Utc> {
        self.created_at.and_utc()
    }
}

/// An event to record; public when `recipient` is `None`.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: EventKind,
    pub listing_id: Option<String>,
    pub auction_id: Option<String>,
    pub recipient: Option<Address>,
    pub data: Value,
}

/// Who a stream is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Public events, of these listings only when the list is not empty.
    Public { listings: Vec<String> },
    /// Personal events addressed to this member.
    Member(Address),
}

impl Audience {
    /// Whether `event` belongs on this stream.
    pub fn admits(&self, event: &LiveEvent) -> bool {
        match self {
            Self::Public { listings } => {
                event.recipient.is_none()
                    && (listings.is_empty() || event.listing_id.as_ref().is_some_and(|l| listings.contains(l)))
            }
            Self::Member(member) => event.recipient.as_deref() == Some(member.to_lower_hex().as_str()),
        }
    }
}

static WAKE: LazyLock<tokio::sync::watch::Sender<u64>> = LazyLock::new(|| tokio::sync::watch::Sender::new(0));

/// Tells this process's fan-out that events were committed. Call after the commit: a
/// reader woken before it would not see the rows yet.
pub fn wake() {
    WAKE.send_modify(|n| *n = n.wrapping_add(1));
}

/// A receiver of [`wake`] calls.
pub fn wake_ups() -> tokio::sync::watch::Receiver<u64> {
    WAKE.subscribe()
}

/// Records one event (in the caller's transaction).
pub fn record(conn: &mut DbConnection, event: &NewEvent, now: DateTime<Utc>) -> DbResult<i64> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(WRITER_LOCK)
            .execute(pg)?;
    }
    let data = serde_json::to_string(&event.data).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let id = diesel::insert_into(live_events::table)
        .values((
            live_events::kind.eq(event.kind.as_str()),
            live_events::listing_id.eq(&event.listing_id),
            live_events::auction_id.eq(&event.auction_id),
            live_events::recipient.eq(event.recipient.map(|r| r.to_lower_hex())),
            live_events::data.eq(data),
            live_events::created_at.eq(naive(now)),
        ))
        .returning(live_events::id)
        .get_result(conn)?;
    if let DbConnection::Postgres(pg) = conn {
        // Delivered when (and only if) the transaction commits; duplicates within one
        // transaction are folded into one notification by PostgreSQL.
        diesel::sql_query(format!("SELECT pg_notify('{CHANNEL}', '')")).execute(pg)?;
    }
    Ok(id)
}

/// The newest event id (0 when there is none).
pub fn latest_id(conn: &mut DbConnection) -> DbResult<i64> {
    Ok(live_events::table.select(diesel::dsl::max(live_events::id)).first::<Option<i64>>(conn)?.unwrap_or(0))
}

/// Every event after `after`, oldest first (what the fan-out broadcasts).
pub fn after(conn: &mut DbConnection, after: i64, limit: i64) -> DbResult<Vec<LiveEvent>> {
    Ok(live_events::table
        .filter(live_events::id.gt(after))
        .order(live_events::id.asc())
        .limit(limit)
        .select(LiveEvent::as_select())
        .load(conn)?)
}

/// The events of one stream after `after`, oldest first (a reconnecting client's replay).
pub fn replay(conn: &mut DbConnection, audience: &Audience, after: i64, limit: i64) -> DbResult<Vec<LiveEvent>> {
    let mut query = live_events::table
        .filter(live_events::id.gt(after))
        .select(LiveEvent::as_select())
        .into_boxed::<crate::MultiBackend>();
    query = match audience {
        Audience::Public { listings } if listings.is_empty() => query.filter(live_events::recipient.is_null()),
        Audience::Public { listings } => {
            query.filter(live_events::recipient.is_null()).filter(live_events::listing_id.eq_any(listings.clone()))
        }
        Audience::Member(member) => query.filter(live_events::recipient.eq(member.to_lower_hex())),
    };
    Ok(query.order(live_events::id.asc()).limit(limit).load(conn)?)
}

fn time_text(seconds: DateTime<Utc>) -> String {
    seconds.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn checksum(lower: &str) -> DbResult<String> {
    Address::parse(lower).map(|a| a.to_checksum()).map_err(|_| DbError::Corrupt(format!("address {lower:?}")))
}

/// The auction state an event shows next to what happened.
fn auction_state(view: &AuctionView) -> Value {
    json!({
        "highest_bid": view.highest_bid.map(|a| a.to_string()),
        "highest_bidder": view.highest_bidder.map(|a| a.to_checksum()),
        "min_next_bid": view.min_next_bid().to_string(),
        "ends_at": time_text(view.ends_at),
        "bid_count": view.bid_count,
    })
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

/// Announces one newly applied chain event: the public event, the personal ones it
/// implies and the listing's status change. Called by the indexer in its transaction,
/// right after the projection was updated for `event`.
pub fn announce_chain_event(conn: &mut DbConnection, event: &ChainEvent, now: DateTime<Utc>) -> DbResult<()> {
    let credit = match &event.data {
        EventData::RefundCredited { bidder, amount } => Some((bidder, amount, "credited")),
        EventData::Withdrawn { bidder, amount } => Some((bidder, amount, "withdrawn")),
        _ => None,
    };
    if let Some((bidder, amount, kind)) = credit {
        diesel::insert_into(chain_credits::table)
            .values((
                chain_credits::tx_hash.eq(&event.tx_hash),
                chain_credits::log_index.eq(event.log_index),
                chain_credits::block_number.eq(event.block_number),
                chain_credits::block_time.eq(event.block_time),
                chain_credits::bidder.eq(bidder.to_ascii_lowercase()),
                chain_credits::kind.eq(kind),
                chain_credits::amount.eq(amount),
            ))
            .execute(conn)?;
        return Ok(());
    }
    // Auctions that are not one of our listings are not shown anywhere.
    let Some((Some(listing_id), view)) = auctions::by_id(conn, &event.auction_id)? else { return Ok(()) };
    let listing = listing_id.to_string();
    let base = json!({
        "listing_id": listing,
        "auction_id": event.auction_id,
        "tx_hash": event.tx_hash,
        "block_number": event.block_number,
        "log_index": event.log_index,
    });
    let public = |kind: EventKind, data: Value| NewEvent {
        kind,
        listing_id: Some(listing.clone()),
        auction_id: Some(event.auction_id.clone()),
        recipient: None,
        data,
    };
    let personal = |kind: EventKind, to: &str, data: Value| -> DbResult<NewEvent> {
        Ok(NewEvent {
            kind,
            listing_id: Some(listing.clone()),
            auction_id: Some(event.auction_id.clone()),
            recipient: Some(Address::parse(to).map_err(|_| DbError::Corrupt(format!("address {to:?}")))?),
            data,
        })
    };
    match &event.data {
        EventData::BidPlaced { bidder, amount, .. } => {
            let data = merge(
                base.clone(),
                merge(json!({ "bidder": checksum(bidder)?, "amount": amount }), auction_state(&view)),
            );
            record(conn, &public(EventKind::Bid, data), now)?;
            diesel::insert_into(live_announced_bids::table)
                .values((
                    live_announced_bids::tx_hash.eq(&event.tx_hash),
                    live_announced_bids::log_index.eq(event.log_index),
                    live_announced_bids::block_number.eq(event.block_number),
                    live_announced_bids::auction_id.eq(&event.auction_id),
                    live_announced_bids::listing_id.eq(&listing),
                    live_announced_bids::bidder.eq(bidder.to_ascii_lowercase()),
                    live_announced_bids::amount.eq(amount),
                ))
                .execute(conn)?;
            let previous: Option<(String, String)> =
                chain_bids::table
                    .filter(chain_bids::auction_id.eq(&event.auction_id))
                    .filter(chain_bids::block_number.lt(event.block_number).or(
                        chain_bids::block_number.eq(event.block_number).and(chain_bids::log_index.lt(event.log_index)),
                    ))
                    .order((chain_bids::block_number.desc(), chain_bids::log_index.desc()))
                    .select((chain_bids::bidder, chain_bids::amount))
                    .first(conn)
                    .optional()?;
            if let Some((previous_bidder, previous_amount)) = previous
                && !previous_bidder.eq_ignore_ascii_case(bidder)
            {
                let data =
                    merge(base, merge(json!({ "amount": amount, "your_bid": previous_amount }), auction_state(&view)));
                record(conn, &personal(EventKind::Outbid, &previous_bidder, data)?, now)?;
            }
        }
        EventData::AuctionSettled { winner, amount } => {
            let winner_text = winner.as_deref().map(checksum).transpose()?;
            let data = merge(base.clone(), json!({ "winner": winner_text, "amount": amount }));
            record(conn, &public(EventKind::Settled, data), now)?;
            let bids: Vec<(String, String)> = chain_bids::table
                .filter(chain_bids::auction_id.eq(&event.auction_id))
                .order((chain_bids::block_number.asc(), chain_bids::log_index.asc()))
                .select((chain_bids::bidder, chain_bids::amount))
                .load(conn)?;
            let mut bidders: Vec<String> = Vec::new();
            for (bidder, _) in &bids {
                if !bidders.contains(bidder) {
                    bidders.push(bidder.clone());
                }
            }
            for bidder in bidders {
                let won = winner.as_deref().is_some_and(|w| w.eq_ignore_ascii_case(&bidder));
                let (kind, extra) = if won {
                    (EventKind::Won, json!({ "amount": amount }))
                } else {
                    // The member's own highest bid (each bid raises the bidder's last one).
                    let yours = bids.iter().rev().find(|(b, _)| *b == bidder).map(|(_, a)| a.clone());
                    (EventKind::Lost, json!({ "winner": winner_text, "amount": amount, "your_bid": yours }))
                };
                record(conn, &personal(kind, &bidder, merge(base.clone(), extra))?, now)?;
            }
        }
        EventData::AuctionCancelled => {
            record(conn, &public(EventKind::Cancelled, base), now)?;
        }
        EventData::AuctionCreated { .. } | EventData::RefundCredited { .. } | EventData::Withdrawn { .. } => {}
    }
    sync_statuses(conn, [listing.as_str()], now)
}

/// Announces the listings' status where it differs from the last one announced (drafts
/// are never announced). Safe to call for listings that did not change.
pub fn sync_statuses<'a>(
    conn: &mut DbConnection,
    listing_ids: impl IntoIterator<Item = &'a str>,
    now: DateTime<Utc>,
) -> DbResult<()> {
    for listing_id in listing_ids {
        let Some(status) =
            listings::table.find(listing_id).select(listings::status).first::<String>(conn).optional()?
        else {
            continue;
        };
        if status == ListingStatus::Draft.as_str() {
            continue;
        }
        let announced: Option<String> =
            live_listing_status::table.find(listing_id).select(live_listing_status::status).first(conn).optional()?;
        if announced.as_deref() == Some(status.as_str()) {
            continue;
        }
        let updated = diesel::update(live_listing_status::table.find(listing_id))
            .set(live_listing_status::status.eq(&status))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(live_listing_status::table)
                .values((live_listing_status::listing_id.eq(listing_id), live_listing_status::status.eq(&status)))
                .execute(conn)?;
        }
        let data = json!({ "listing_id": listing_id, "status": status, "previous": announced });
        let event = NewEvent {
            kind: EventKind::Status,
            listing_id: Some(listing_id.to_owned()),
            auction_id: None,
            recipient: None,
            data,
        };
        record(conn, &event, now)?;
    }
    Ok(())
}

/// Announces what a rollback to block `ancestor` took back: `bid_removed` for every
/// announced bid above it (with the auction as it is now), the status of the listings it
/// changed; and forgets credits above it. Called by the indexer in the rollback's
/// transaction, after the projection was re-folded.
pub fn announce_rollback(
    conn: &mut DbConnection,
    ancestor: i64,
    listings_changed: &BTreeSet<String>,
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
            "bidder": checksum(&bidder)?,
            "amount": amount,
        });
        // The auction itself is gone when its creation was rolled back too.
        if let Some((_, view)) = auctions::by_id(conn, &auction_id)? {
            data = merge(data, auction_state(&view));
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
    sync_statuses(conn, listings_changed.iter().map(String::as_str), now)
}

/// A PostgreSQL connection of its own that `LISTEN`s on [`CHANNEL`].
pub struct Listener {
    conn: diesel::pg::PgConnection,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").finish_non_exhaustive()
    }
}

impl Listener {
    /// How many notifications arrived since the last call. Never blocks: it reads what
    /// the server has sent on the socket.
    pub fn poll(&mut self) -> DbResult<usize> {
        let mut count = 0;
        for notification in self.conn.notifications_iter() {
            notification?;
            count += 1;
        }
        Ok(count)
    }
}

impl crate::Db {
    /// A new listening connection on PostgreSQL; `None` on SQLite (one process owns the
    /// file's writers, so [`wake_ups`] is enough there).
    pub fn listener(&self) -> DbResult<Option<Listener>> {
        if self.backend() != crate::Backend::Postgres {
            return Ok(None);
        }
        use diesel::connection::{Connection, SimpleConnection};
        let mut conn = diesel::pg::PgConnection::establish(&self.target)?;
        conn.batch_execute(&format!("LISTEN {CHANNEL}"))?;
        Ok(Some(Listener { conn }))
    }
}

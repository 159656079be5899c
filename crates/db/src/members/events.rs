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

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;

use commissary_domain::Address;

use super::schema::live_events;
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
    /// Personal: an in-app notification reached the recipient's inbox.
    Notification,
}

impl EventKind {
    pub const ALL: [Self; 9] = [
        Self::Bid,
        Self::BidRemoved,
        Self::Settled,
        Self::Cancelled,
        Self::Status,
        Self::Outbid,
        Self::Won,
        Self::Lost,
        Self::Notification,
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
            Self::Notification => "notification",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn is_personal(self) -> bool {
        matches!(self, Self::Outbid | Self::Won | Self::Lost | Self::Notification)
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
            live_events::created_at.eq(crate::storable(now).naive_utc()),
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

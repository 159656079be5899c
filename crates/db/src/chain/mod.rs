//! Persistence of the chain side: durable jobs, the sender's transaction outbox, the
//! indexer's cursor and event log, the auction/bid projections the API reads, and the
//! leader lease. Everything here is synchronous diesel on [`DbConnection`], identical on
//! SQLite and PostgreSQL; `commissary-chain` drives it.
//!
//! [`DbConnection`]: crate::DbConnection

pub mod auctions;
pub mod bids;
pub mod events;
pub mod indexer;
pub mod intents;
pub mod jobs;
pub mod lease;
pub mod schema;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::{DbError, DbResult};

/// `NaiveDateTime` (UTC) at the precision both backends store.
pub(crate) fn naive(time: DateTime<Utc>) -> NaiveDateTime {
    crate::storable(time).naive_utc()
}

/// A UTC instant as chain time (unix seconds).
pub(crate) fn unix(time: DateTime<Utc>) -> i64 {
    time.timestamp()
}

/// Chain time (unix seconds) as a UTC instant.
pub fn chain_time(seconds: i64) -> DbResult<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| DbError::Corrupt(format!("chain time {seconds} out of range")))
}

pub(crate) fn corrupt(table: &str, field: &str, value: impl std::fmt::Debug) -> DbError {
    DbError::Corrupt(format!("{table}.{field} = {value:?}"))
}

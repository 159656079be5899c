//! The members' side: the log of live events the SSE streams carry (written by the
//! indexer in the transaction that applies the chain), each member's auctions, credited
//! refunds and watchlist. Synchronous diesel on [`DbConnection`], identical on SQLite and
//! PostgreSQL.
//!
//! [`DbConnection`]: crate::DbConnection

pub mod announce;
pub mod bids;
pub mod credits;
pub mod events;
mod schema;
pub mod status;
pub mod watchlist;

#[cfg(test)]
mod tests;

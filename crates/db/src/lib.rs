//! Persistence for the Commissary on SQLite (embedded default) and PostgreSQL
//! (scale-out), from one diesel code base.
//!
//! The backend is chosen by the URL: `postgres://` / `postgresql://` select PostgreSQL;
//! `sqlite://PATH`, `sqlite::memory:` or a bare file path select SQLite.
//! All queries are synchronous diesel calls; [`Db::run`] moves them to tokio's
//! blocking pool so they never stall the async executor.
//!
//! A model file holds its row type and its queries; the rules (what status a listing has,
//! what an auction's events add up to) are `commissary_domain`'s, called from here.
//! Modules, each importing only those below it:
//!
//! ```text
//! max_bids                           members' maximum bids (private), their first bid's
//!                                    relay, revocations, the chain's MaxBidUsed/Revoked
//! relay                              relayed bids: recorded with their intent and a
//!                                    `relay` event in one transaction; budgets' usage
//! publication, views                 use cases across tables: queue a publication; the
//!                                    listing read model (listing + photos + auction)
//!   search                           full-text search (FTS5 / tsvector) of listings
//!   members::bids                    a member's auctions and where they stand
//!   chain::{indexer, intents}        apply/roll back ranges of events; the sender's outbox
//!     members::announce              live events of what the indexer applied / rolled back
//!     chain::{auctions, bids, events, jobs, lease}   projection, bids, event log, jobs, leases
//!       members::{status, credits, watchlist}   status events; credited refunds; watchlist
//!         members::events            the live event log: record, replay, wake-ups, LISTEN
//!       photos, auth                 photo rows; nonces and sessions
//!       read_version                 the counter that moves with every write a view shows
//!         listings                   listing rows, guarded draft writes, transitions
//!           schema, chain::schema, connection, error   tables, pools, DbError/Conflict
//! ```
//!
//! Feature `testkit`: [`testkit::TestDb`], a fresh migrated database per test.

pub mod after_sale;
pub mod auth;
pub mod chain;
mod connection;
mod error;
pub mod listings;
pub mod max_bids;
pub mod members;
pub mod photos;
pub mod publication;
pub mod read_version;
pub mod relay;
pub mod schema;
pub mod search;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod views;

pub use connection::{Backend, Db, DbConnection, DbOptions, MultiBackend};
pub use error::{Conflict, DbError, DbResult};

/// Timestamps at the precision both backends store (PostgreSQL keeps microseconds),
/// so a record read back equals the record written.
pub fn storable(time: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    time.trunc_subsecs(6)
}

//! Persistence for the Commissary on SQLite (embedded default) and PostgreSQL
//! (scale-out), from one diesel code base.
//!
//! The backend is chosen by the URL: `postgres://` / `postgresql://` select PostgreSQL;
//! `sqlite://PATH`, `sqlite::memory:` or a bare file path select SQLite.
//! All queries are synchronous diesel calls; [`Db::run`] moves them to tokio's
//! blocking pool so they never stall the async executor.

pub mod after_sale;
pub mod auth;
pub mod chain;
mod connection;
pub mod listings;
pub mod photos;
pub mod publication;
pub mod schema;

pub use connection::{Backend, Db, DbConnection, DbOptions, MultiBackend};

use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub type DbResult<T> = Result<T, DbError>;

/// Timestamps at the precision both backends store (PostgreSQL keeps microseconds),
/// so a record read back equals the record written.
pub fn storable(time: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    time.trunc_subsecs(6)
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("record not found")]
    NotFound,
    /// A uniqueness or state precondition failed; the string names which, for the API.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    #[error("database connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database connection: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("database query: {0}")]
    Query(DieselError),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database task panicked or was cancelled")]
    Task,
}

impl From<DieselError> for DbError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::Conflict("unique_violation"),
            other => Self::Query(other),
        }
    }
}

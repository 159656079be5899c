//! The read version: one counter the database moves, in the writing transaction, whenever
//! a table a public listing view reads changes (`views`: listings, chain_auctions, photos,
//! watchlist, member_profiles' display names; triggers of migration `000010_read_version`).
//!
//! A process may keep a view it computed for as long as the counter it reads afterwards is
//! the one it read before computing: the counter cannot stay put across a commit that
//! changed what a view shows, whichever process (API, indexer, keeper, another replica)
//! made it. On PostgreSQL the counter is a row (a sequence would move before its
//! transaction commits), bumped once per transaction by deferred triggers at commit.
//!
//! Reading it is one primary-key row; [`VersionReader`] does it on a connection of its
//! own, outside the pool, so a busy pool never delays the check.

use diesel::prelude::*;

use crate::{Backend, Db, DbConnection, DbResult};

diesel::table! {
    read_version (id) {
        id -> Integer,
        version -> BigInt,
    }
}

/// The counter's current value.
pub fn current(conn: &mut DbConnection) -> DbResult<i64> {
    Ok(read_version::table.find(1).select(read_version::version).first(conn)?)
}

/// A connection of its own that reads the counter.
pub struct VersionReader {
    conn: DbConnection,
}

impl std::fmt::Debug for VersionReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VersionReader").finish_non_exhaustive()
    }
}

impl VersionReader {
    /// The counter as the database has it now (a statement of its own: on PostgreSQL it
    /// sees every transaction committed before it started; on SQLite every commit before
    /// its read transaction began).
    pub fn read(&mut self) -> DbResult<i64> {
        current(&mut self.conn)
    }
}

impl Db {
    /// A new connection, outside the pool, for reading the read version.
    pub fn version_reader(&self) -> DbResult<VersionReader> {
        use diesel::connection::SimpleConnection;
        let mut conn = DbConnection::establish(&self.target)?;
        if self.backend() == Backend::Sqlite {
            // As the pool's connections: wait out a writer's checkpoint instead of failing.
            conn.batch_execute("PRAGMA busy_timeout = 5000;")?;
        }
        Ok(VersionReader { conn })
    }
}

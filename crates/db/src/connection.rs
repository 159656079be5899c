use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{DbError, DbResult};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// One connection type for both backends; queries written against it run on either.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

commissary_domain::string_enum!(
    /// The database engine behind a pool.
    pub Backend {
        Sqlite => "sqlite",
        Postgres => "postgres",
    }
);

#[derive(Debug, Clone)]
pub struct DbOptions {
    pub url: String,
    pub pool_size: u32,
    pub connect_timeout: Duration,
}

impl DbOptions {
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), pool_size: 8, connect_timeout: Duration::from_secs(5) }
    }
}

/// Where a URL points, normalised into what diesel's `establish` expects.
fn resolve(url: &str) -> DbResult<(Backend, String)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_owned()));
    }
    let path = if let Some(rest) = url.strip_prefix("sqlite://") {
        rest
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        rest
    } else if url.contains("://") {
        return Err(DbError::InvalidUrl(format!(
            "unsupported scheme in {:?}; use sqlite://PATH or postgres://",
            url.split("://").next().unwrap_or_default()
        )));
    } else {
        url
    };
    if path.is_empty() {
        return Err(DbError::InvalidUrl("sqlite URL has no path".into()));
    }
    Ok((Backend::Sqlite, path.to_owned()))
}

#[derive(Debug, Clone, Copy)]
struct ConnectionSetup;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(sqlite) = conn {
            // busy_timeout first: it turns writer contention (including the pool
            // opening several connections at once) into a short wait, not SQLITE_BUSY.
            sqlite
                .batch_execute("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Runs `work` in a transaction (a savepoint when one is already open).
///
/// On SQLite the outermost transaction takes the write lock up front (`BEGIN IMMEDIATE`).
/// A deferred transaction that reads and then writes fails at once with "database is
/// locked" when another connection committed in between, because SQLite cannot wait out
/// a stale snapshot; an immediate one waits for the lock under `busy_timeout` instead.
pub(crate) fn transaction<T, F>(conn: &mut DbConnection, work: F) -> DbResult<T>
where
    F: FnOnce(&mut DbConnection) -> DbResult<T>,
{
    use diesel::Connection;
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConnection::Sqlite(sqlite) = conn else {
        return conn.transaction(work);
    };
    if AnsiTransactionManager::transaction_manager_status_mut(sqlite).transaction_depth()?.is_some() {
        return conn.transaction(work);
    }
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    let outcome = work(conn);
    let DbConnection::Sqlite(sqlite) = conn else {
        return outcome;
    };
    match outcome {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(sqlite)?;
            Ok(value)
        }
        Err(error) => {
            // The work's error is the one worth reporting; a failed rollback only means
            // the connection is broken, which the pool finds on its next check.
            let _ = AnsiTransactionManager::rollback_transaction(sqlite);
            Err(error)
        }
    }
}

/// A pool of connections to one database.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager<DbConnection>>,
    backend: Backend,
    /// What `establish` connects to (may hold a password: never shown).
    pub(crate) target: std::sync::Arc<str>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password, so only the backend is shown.
        f.debug_struct("Db").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Db {
    /// Opens a pool. SQLite files (and their directory) are created on first use.
    pub fn connect(options: &DbOptions) -> DbResult<Self> {
        let (backend, target) = resolve(&options.url)?;
        if backend == Backend::Sqlite
            && target != ":memory:"
            && !target.starts_with("file:")
            && let Some(parent) = Path::new(&target).parent().filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| DbError::InvalidUrl(format!("cannot create {}: {e}", parent.display())))?;
        }
        if backend == Backend::Sqlite && target != ":memory:" {
            // WAL (readers never block the writer) is a property of the file, so it is
            // set once, before the pool opens connections concurrently.
            use diesel::Connection;
            let mut conn = SqliteConnection::establish(&target)?;
            conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")
                .map_err(|e| DbError::InvalidUrl(format!("cannot enable WAL: {e}")))?;
        }
        // An in-memory SQLite database exists per connection, so it must be a pool of one.
        let pool_size = if target == ":memory:" { 1 } else { options.pool_size.max(1) };
        let pool = Pool::builder()
            .max_size(pool_size)
            .connection_timeout(options.connect_timeout)
            .connection_customizer(Box::new(ConnectionSetup))
            .build(ConnectionManager::<DbConnection>::new(target.clone()))?;
        Ok(Self { pool, backend, target: target.into() })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations for this backend; returns the versions applied.
    pub async fn migrate(&self) -> DbResult<Vec<String>> {
        self.run(|conn| {
            let applied = match conn {
                DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
                DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
            }
            .map_err(|e| DbError::Migration(e.to_string()))?;
            Ok(applied.into_iter().map(|v| v.to_string()).collect())
        })
        .await
    }

    /// Runs blocking diesel work on tokio's blocking pool with a pooled connection.
    pub async fn run<T, F>(&self, work: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> DbResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await
        .map_err(|_| DbError::Task)?
    }

    /// Runs `work` in a transaction: all of it commits or none of it does.
    pub async fn transaction<T, F>(&self, work: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> DbResult<T> + Send + 'static,
    {
        self.run(move |conn| transaction(conn, work)).await
    }

    /// Cheap reachability check for readiness probes.
    pub async fn ping(&self) -> DbResult<()> {
        self.run(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_backends_from_urls() {
        let r = |u: &str| resolve(u).map_err(|e| e.to_string());
        assert_eq!(r("postgres://u@h/db"), Ok((Backend::Postgres, "postgres://u@h/db".into())));
        assert_eq!(r("postgresql://h/db"), Ok((Backend::Postgres, "postgresql://h/db".into())));
        assert_eq!(r("sqlite://./data/c.db"), Ok((Backend::Sqlite, "./data/c.db".into())));
        assert_eq!(r("sqlite:///abs/c.db"), Ok((Backend::Sqlite, "/abs/c.db".into())));
        assert_eq!(r("sqlite::memory:"), Ok((Backend::Sqlite, ":memory:".into())));
        assert_eq!(r("data/c.db"), Ok((Backend::Sqlite, "data/c.db".into())));
        assert!(r("mysql://h/db").is_err());
        assert!(r("sqlite://").is_err());
    }
}

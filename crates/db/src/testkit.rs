//! Test support (cargo feature `testkit`): a fresh, migrated database per test, a SQLite
//! file or a PostgreSQL database chosen by `COMMISSARY_TEST_DATABASE=sqlite|postgres`.
#![allow(clippy::unwrap_used)]

use diesel::{Connection, RunQueryDsl};

use crate::{Db, DbOptions};

/// Which backend tests use: `COMMISSARY_TEST_DATABASE=sqlite|postgres` (default sqlite).
pub fn use_postgres() -> bool {
    match std::env::var("COMMISSARY_TEST_DATABASE").as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("COMMISSARY_TEST_DATABASE must be sqlite or postgres, not {other:?}"),
    }
}

fn postgres_admin_url() -> String {
    std::env::var("COMMISSARY_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn run_admin(sql: String) {
    let mut conn = diesel::pg::PgConnection::establish(&postgres_admin_url()).expect("connect to PostgreSQL as admin");
    diesel::sql_query(sql).execute(&mut conn).expect("admin statement");
}

/// A fresh, migrated database (SQLite file or PostgreSQL database), removed on drop.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    postgres_db: Option<String>,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb").field("url", &self.url).finish()
    }
}

impl TestDb {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (url, postgres_db) = if use_postgres() {
            let name = format!("commissary_test_{}", uuid::Uuid::new_v4().simple());
            let statement = format!("CREATE DATABASE {name}");
            tokio::task::spawn_blocking(move || run_admin(statement)).await.unwrap();
            let admin = postgres_admin_url();
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base).to_owned();
            (format!("{base}/{name}"), Some(name))
        } else {
            (format!("sqlite://{}", dir.path().join("commissary.db").display()), None)
        };
        let mut options = DbOptions::new(url.clone());
        options.pool_size = 6;
        let db = Db::connect(&options).unwrap();
        db.migrate().await.unwrap();
        Self { db, url, postgres_db, _dir: dir }
    }

    /// Another pool on the same database (a second replica).
    pub fn connect_again(&self) -> Db {
        let mut options = DbOptions::new(self.url.clone());
        options.pool_size = 6;
        Db::connect(&options).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.postgres_db.take() {
            let _ =
                std::thread::spawn(move || run_admin(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).join();
        }
    }
}

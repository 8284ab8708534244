//! Fresh databases for tests, on either backend.
//!
//! SQLite tests get a file in a temporary directory. PostgreSQL tests get a schema of their
//! own in the server named by `CONCLAVE_TEST_PG` (default: the local server with trust
//! auth), so tests run in parallel without seeing each other; schemas left behind by crashed
//! runs are dropped after an hour.

use crate::SqlStore;
use sqlx::{Connection, Executor};

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database for one test; keep it alive for the test's duration.
pub struct TestDb {
    pub store: SqlStore,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

fn pg_base() -> String {
    std::env::var("CONCLAVE_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned())
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl TestDb {
    pub async fn new(kind: Kind) -> TestDb {
        match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                let store = SqlStore::connect(&url, 2).await.expect("open sqlite");
                TestDb { store, url, _dir: Some(dir), pg_schema: None }
            }
            Kind::Postgres => {
                sqlx::any::install_default_drivers();
                let base = pg_base();
                let schema = format!("ct_{}_{}", now_secs(), &domain::ids::new_id()[..10]);
                let mut admin =
                    sqlx::AnyConnection::connect(&base).await.unwrap_or_else(|e| panic!("PostgreSQL at {base} is required for storage tests: {e}"));
                drop_stale_schemas(&mut admin).await;
                admin.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).await.expect("create schema");
                let _ = admin.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                let store = SqlStore::connect(&url, 2).await.expect("open postgres");
                TestDb { store, url, _dir: None, pg_schema: Some(schema) }
            }
        }
    }

    /// Drops the PostgreSQL schema (SQLite files go with the temporary directory).
    pub async fn cleanup(self) {
        self.store.db.close().await;
        if let Some(schema) = self.pg_schema
            && let Ok(mut admin) = sqlx::AnyConnection::connect(&pg_base()).await
        {
            let _ = admin.execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))).await;
            let _ = admin.close().await;
        }
    }
}

async fn drop_stale_schemas(admin: &mut sqlx::AnyConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'ct\\_%'").fetch_all(&mut *admin).await.unwrap_or_default();
    let cutoff = now_secs().saturating_sub(3600);
    for name in names {
        let stamp: Option<u64> = name.split('_').nth(1).and_then(|s| s.parse().ok());
        if stamp.is_some_and(|s| s < cutoff) {
            let _ = admin.execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {name} CASCADE"))).await;
        }
    }
}

/// Runs an async test body once per storage backend.
#[macro_export]
macro_rules! backend_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($db: &$crate::testing::TestDb) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::new($crate::testing::Kind::Sqlite).await;
                run(&db).await;
                db.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let db = $crate::testing::TestDb::new($crate::testing::Kind::Postgres).await;
                run(&db).await;
                db.cleanup().await;
            }
        }
    };
}

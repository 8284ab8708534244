//! Connections, migrations and the write path.
//!
//! Both backends are driven through sqlx's `Any` driver with the same SQL text wherever the
//! dialects agree (`$n` placeholders, `ON CONFLICT`, `RETURNING`); [`Backend`] picks a
//! statement where they differ (full-text search).
//!
//! Writes go through [`Db::write`]. On SQLite a single writer task owns the only write
//! connection and commits *groups* of writes in one transaction, each inside its own
//! savepoint: with `synchronous=FULL` every commit costs an fsync, and sharing it is what lets
//! one disk keep up with thousands of posts a second. A write's caller hears back only after
//! the commit that contains it, so nothing is acknowledged before it is durable. On
//! PostgreSQL each write is its own transaction on the pool.

use domain::{Error, Result};
use futures_util::future::BoxFuture;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Which SQL dialect a statement is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Most writes a single SQLite transaction may carry; bounds the latency one commit adds.
const MAX_GROUP: usize = 256;

type Completion = Box<dyn FnOnce(Result<()>) + Send>;
type JobFn = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, (bool, Completion)> + Send>;

/// A database handle: a read pool, and the write path.
#[derive(Clone)]
pub struct Db {
    pub backend: Backend,
    pub pool: AnyPool,
    /// The SQLite writer's queue; `None` on PostgreSQL.
    writer: Option<mpsc::Sender<JobFn>>,
}

pub(crate) fn db_err(e: sqlx::Error) -> Error {
    if let Some(db) = e.as_database_error() {
        if db.is_unique_violation() {
            return Error::new(domain::ErrorCode::Conflict).with_detail(db.message());
        }
        // SQLITE_BUSY / PostgreSQL serialization failures: the client may retry.
        if matches!(db.code().as_deref(), Some("5") | Some("517") | Some("40001") | Some("40P01")) {
            return Error::unavailable(db.message());
        }
    }
    if matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)) {
        return Error::unavailable(e);
    }
    Error::internal(e)
}

const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;";

impl Db {
    /// Opens a database from a URL (`sqlite://path?mode=rwc` or `postgres://...`) and
    /// applies the migrations of its dialect.
    pub async fn connect(url: &str, read_connections: u32) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(Error::internal(format!("unsupported database url scheme in {}", redact(url))));
        };
        let options = AnyConnectOptions::from_str(url).map_err(Error::internal)?;
        let pool_options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let db = match backend {
            Backend::Sqlite => {
                let pool = pool_options
                    .max_connections(read_connections.max(1))
                    .after_connect(|conn, _| Box::pin(async move { conn.execute(SQLITE_PRAGMAS).await.map(|_| ()) }))
                    .connect_with(options.clone())
                    .await
                    .map_err(db_err)?;
                let mut writer = AnyConnection::connect_with(&options).await.map_err(db_err)?;
                writer.execute(SQLITE_PRAGMAS).await.map_err(db_err)?;
                SQLITE_MIGRATIONS.run(&mut writer).await.map_err(Error::internal)?;
                let (tx, rx) = mpsc::channel(4096);
                tokio::spawn(run_writer(writer, rx));
                Db { backend, pool, writer: Some(tx) }
            }
            Backend::Postgres => {
                let pool = pool_options
                    .max_connections(read_connections.max(2) * 2)
                    // Acknowledged means durable: never let a session run with async commit.
                    .after_connect(|conn, _| Box::pin(async move { conn.execute("SET synchronous_commit = on").await.map(|_| ()) }))
                    .connect_with(options)
                    .await
                    .map_err(db_err)?;
                POSTGRES_MIGRATIONS.run(&pool).await.map_err(Error::internal)?;
                Db { backend, pool, writer: None }
            }
        };
        Ok(db)
    }

    /// Runs `f` in a write transaction and returns its result once the transaction has
    /// committed. An error from `f` rolls back `f`'s changes only.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        match &self.writer {
            Some(queue) => {
                let (tx, rx) = oneshot::channel::<Result<T>>();
                let job: JobFn = Box::new(move |conn| {
                    Box::pin(async move {
                        let result = f(conn).await;
                        let ok = result.is_ok();
                        let completion: Completion = Box::new(move |commit: Result<()>| {
                            let _ = tx.send(match commit {
                                Ok(()) => result,
                                Err(e) if ok => Err(e),
                                Err(_) => result,
                            });
                        });
                        (ok, completion)
                    })
                });
                queue.send(job).await.map_err(|_| Error::unavailable("the database writer has stopped"))?;
                rx.await.map_err(|_| Error::unavailable("the database writer has stopped"))?
            }
            None => {
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                let out = f(&mut tx).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(out)
            }
        }
    }

    /// Waits for the writer to drain and closes the pool (graceful shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The SQLite writer: takes whatever writes are queued (at most [`MAX_GROUP`]), runs each in
/// a savepoint of one transaction, commits once, then tells every caller.
async fn run_writer(mut conn: AnyConnection, mut rx: mpsc::Receiver<JobFn>) {
    let mut batch: Vec<JobFn> = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut batch, MAX_GROUP).await > 0 {
        let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
        let begun = conn.execute("BEGIN IMMEDIATE").await;
        if let Err(e) = begun {
            // Dropping the jobs drops their reply channels, so each caller hears "unavailable".
            tracing::error!(error = %e, "could not begin a write transaction");
            batch.clear();
            continue;
        }
        for job in batch.drain(..) {
            if let Err(e) = conn.execute("SAVEPOINT w").await {
                tracing::error!(error = %e, "could not open a savepoint");
                continue;
            }
            let (ok, completion) = job(&mut conn).await;
            let end = if ok { "RELEASE w" } else { "ROLLBACK TO w; RELEASE w" };
            if let Err(e) = conn.execute(end).await {
                tracing::error!(error = %e, "savepoint handling failed");
            }
            completions.push(completion);
        }
        let outcome = match conn.execute("COMMIT").await {
            Ok(_) => Ok(()),
            Err(e) => {
                let err = db_err(e);
                tracing::error!(error = %err, "commit failed; the whole group is reported failed");
                let _ = conn.execute("ROLLBACK").await;
                Err(err)
            }
        };
        for completion in completions {
            completion(outcome.clone());
        }
    }
    let _ = conn.close().await;
}

/// A database URL with its password hidden, for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

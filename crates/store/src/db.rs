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
//! the commit that contains it, so nothing is acknowledged before it is durable. Statements
//! are round trips to sqlx's worker thread, which is what a write costs on SQLite, so the
//! writer spends as few as it can: savepoint bookkeeping shares a round trip with the next
//! step, and what capture found in a group's new posts is written in one batch just before
//! the group commits (see `capture`). On PostgreSQL each write is its own transaction on the
//! pool.

use crate::capture::CaptureQueue;
use domain::{Error, Result};
use futures_util::future::BoxFuture;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Connection, Executor};
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Which SQL dialect a statement is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The dialect a connection speaks.
    pub fn of(c: &AnyConnection) -> Backend {
        if c.backend_name() == "PostgreSQL" { Backend::Postgres } else { Backend::Sqlite }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Most writes a single SQLite transaction may carry; bounds the latency one commit adds.
const MAX_GROUP: usize = 256;

type Completion = Box<dyn FnOnce(Result<()>) + Send>;
type JobFn = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, (bool, Completion)> + Send>;

/// A queued write.
struct Job {
    run: JobFn,
    /// The write may run while earlier writes' captures are still queued: it neither reads
    /// nor changes indicators or sightings. Any other write sees them written first.
    defers_capture: bool,
}

/// A database handle: a read pool, and the write path.
#[derive(Clone)]
pub struct Db {
    pub backend: Backend,
    pub pool: AnyPool,
    /// The SQLite writer's queue; `None` on PostgreSQL.
    writer: Option<mpsc::Sender<Job>>,
    /// New posts' captures waiting for the end of the writer's group; `None` on PostgreSQL.
    captures: Option<CaptureQueue>,
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
                    // A SQLite connection is a local file handle that cannot drop the way a
                    // socket does, and sqlx's liveness ping before every checkout is one more
                    // round trip to the connection's worker thread for every read.
                    .test_before_acquire(false)
                    .after_connect(|conn, _| Box::pin(async move { conn.execute(SQLITE_PRAGMAS).await.map(|_| ()) }))
                    .connect_with(options.clone())
                    .await
                    .map_err(db_err)?;
                let mut writer = AnyConnection::connect_with(&options).await.map_err(db_err)?;
                writer.execute(SQLITE_PRAGMAS).await.map_err(db_err)?;
                SQLITE_MIGRATIONS.run(&mut writer).await.map_err(Error::internal)?;
                let (tx, rx) = mpsc::channel(4096);
                let captures = CaptureQueue::default();
                tokio::spawn(run_writer(writer, rx, captures.clone()));
                Db { backend, pool, writer: Some(tx), captures: Some(captures) }
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
                Db { backend, pool, writer: None, captures: None }
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
        self.submit(false, f).await
    }

    /// [`Db::write`] for a write that may queue captures on the writer's [`CaptureQueue`]
    /// (given to `f` on SQLite) and that neither reads nor changes indicators or sightings.
    pub(crate) async fn write_capturing<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection, Option<CaptureQueue>) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let queue = self.captures.clone();
        self.submit(true, move |c| f(c, queue)).await
    }

    async fn submit<T, F>(&self, defers_capture: bool, f: F) -> Result<T>
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
                queue.send(Job { run: job, defers_capture }).await.map_err(|_| Error::unavailable("the database writer has stopped"))?;
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
/// a savepoint of one transaction, writes the group's captures, commits once, then tells every
/// caller.
async fn run_writer(mut conn: AnyConnection, mut rx: mpsc::Receiver<Job>, captures: CaptureQueue) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut batch, MAX_GROUP).await > 0 {
        let mut group =
            Group { conn: &mut conn, captures: &captures, completions: Vec::with_capacity(batch.len()), open: false, in_savepoint: false };
        for job in batch.drain(..) {
            group.run(job).await;
        }
        group.commit().await;
    }
    let _ = conn.close().await;
}

/// One transaction of the SQLite writer.
struct Group<'a> {
    conn: &'a mut AnyConnection,
    captures: &'a CaptureQueue,
    /// Callers of the writes in the open transaction.
    completions: Vec<Completion>,
    open: bool,
    /// The last write's savepoint `w` is still to be released (with the next statement).
    in_savepoint: bool,
}

impl Group<'_> {
    async fn run(&mut self, job: Job) {
        if !job.defers_capture {
            // On failure everything before this write was rolled back; it starts afresh.
            self.flush().await;
        }
        let mut step = String::new();
        if !self.open {
            step.push_str("BEGIN IMMEDIATE; ");
        } else if self.in_savepoint {
            step.push_str("RELEASE w; ");
        }
        step.push_str("SAVEPOINT w");
        if let Err(e) = self.conn.execute(AssertSqlSafe(step)).await {
            // Dropping the job drops its reply channel, so its caller hears "unavailable".
            tracing::error!(error = %e, "could not begin a write");
            if self.open {
                self.fail(db_err(e)).await;
            } else {
                let _ = self.conn.execute("ROLLBACK").await;
            }
            return;
        }
        self.open = true;
        let queued = self.captures.len();
        let (ok, completion) = (job.run)(self.conn).await;
        self.in_savepoint = ok;
        if !ok {
            self.captures.truncate(queued);
            if let Err(e) = self.conn.execute("ROLLBACK TO w; RELEASE w").await {
                tracing::error!(error = %e, "savepoint handling failed");
            }
        }
        self.completions.push(completion);
    }

    /// Writes the queued captures inside the open transaction. On failure the transaction is
    /// rolled back and its writes are reported failed: a post is never committed without what
    /// was captured from it.
    async fn flush(&mut self) -> bool {
        // Nothing is queued outside an open transaction: `fail` empties the queue.
        if !self.open {
            return true;
        }
        let rows = self.captures.take();
        if rows.is_empty() {
            return true;
        }
        match crate::capture::write_sightings(self.conn, &rows).await {
            Ok(_) => true,
            Err(e) => {
                tracing::error!(error = %e, "writing captured indicators failed; the group is rolled back");
                self.fail(e).await;
                false
            }
        }
    }

    /// Rolls the open transaction back and reports its writes failed.
    async fn fail(&mut self, err: Error) {
        let _ = self.conn.execute("ROLLBACK").await;
        self.captures.take();
        self.open = false;
        self.in_savepoint = false;
        for completion in self.completions.drain(..) {
            completion(Err(err.clone()));
        }
    }

    async fn commit(mut self) {
        if !self.flush().await || !self.open {
            return;
        }
        let end = if self.in_savepoint { "RELEASE w; COMMIT" } else { "COMMIT" };
        let outcome = match self.conn.execute(end).await {
            Ok(_) => Ok(()),
            Err(e) => {
                let err = db_err(e);
                tracing::error!(error = %err, "commit failed; the whole group is reported failed");
                let _ = self.conn.execute("ROLLBACK").await;
                Err(err)
            }
        };
        for completion in self.completions.drain(..) {
            completion(outcome.clone());
        }
    }
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

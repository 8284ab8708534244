//! Conclave's storage: the domain's storage port on SQLite (default, embedded) and
//! PostgreSQL (for scale), plus the local-directory blob store.
//!
//! **Architecture Invariant:** every method that returns channel content takes a
//! [`domain::policy::ChannelGrant`] and constrains its SQL to the grant's channel, or (for
//! search) filters by the caller's membership inside the query.
//!
//! **Architecture Invariant:** a write method returns only after its transaction committed
//! (see [`db::Db::write`]).

pub mod accounts;
pub mod blobs;
mod capture;
pub mod channels;
pub mod db;
pub mod intel;
pub mod posts;
mod rows;
pub mod search;
pub mod teams;
pub mod testing;

pub use blobs::LocalBlobs;
pub use db::{Backend, Db};

/// The storage port implemented over a [`Db`].
#[derive(Clone)]
pub struct SqlStore {
    pub db: Db,
}

impl SqlStore {
    pub async fn connect(url: &str, read_connections: u32) -> domain::Result<SqlStore> {
        Ok(SqlStore { db: Db::connect(url, read_connections).await? })
    }
}

//! Conclave's domain: typed ids, entities, the permission policy, the services that change
//! and read them, and the ports those services need (storage, blobs, events, clock).
//!
//! **Architecture Invariant:** this crate knows nothing of HTTP, SQL or serialization
//! formats. It decides; the `store` crate persists and the `api` crate speaks the wire.
//!
//! **Architecture Invariant:** channel content is read only through a
//! [`policy::ChannelGrant`], which only [`policy::authorize`] creates.

pub mod app;
pub mod error;
pub mod events;
pub mod ids;
pub mod imaging;
pub mod model;
pub mod password;
pub mod policy;
pub mod ports;
pub mod services;
pub mod settings;
pub mod text;

pub use app::App;
pub use error::{Error, ErrorCode, Result};

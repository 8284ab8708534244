//! The services, each an `impl App` block named for the area it serves.

pub mod accounts;
pub mod capture;
pub mod channels;
pub mod directory;
pub mod feeds;
pub mod files;
pub mod intel;
pub mod posts;
pub mod presence;
pub mod publisher;
pub mod reactions;
pub mod search;
pub mod teams;
pub mod unread;

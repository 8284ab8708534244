//! The services, each an `impl App` block named for the area it serves.

pub mod accounts;
pub mod channels;
pub mod directory;
pub mod files;
pub mod posts;
pub mod presence;
pub mod reactions;
pub mod search;
pub mod teams;
pub mod unread;

//! Entities as the domain knows them.
//!
//! These types are deliberately not `Serialize`: a [`User`] carries its password hash and a
//! [`Session`] its token digest. The API crate converts each entity into a wire DTO by hand,
//! so that every field that reaches a client is chosen on purpose.

mod channel;
mod intel;
mod post;
mod team;
mod user;

pub use channel::{Channel, ChannelMember, ChannelType, IntelMode, Tlp};
pub use intel::{AuditEntry, Capture, Collection, FeedKey, Indicator, IndicatorStatus, Sighting, StixRecord};
pub use post::{FileInfo, Post, Reaction};
pub use team::{Team, TeamMember, TeamType};
pub use user::{Organization, Preference, Session, Status, User};

/// Milliseconds since the Unix epoch, the unit of every timestamp in the Mattermost API.
pub type Millis = i64;

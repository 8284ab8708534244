//! Intel: indicators captured from posts, where they were seen, and who may receive them.

use super::{Millis, Tlp};
use crate::ids::{ChannelId, IndicatorId, OrgId, PostId, TeamId, UserId};

impl Tlp {
    /// 0 for CLEAR up to 4 for RED, as stored in the database.
    pub fn rank(self) -> i64 {
        self as i64
    }

    pub fn from_rank(rank: i64) -> Option<Tlp> {
        Tlp::ALL.get(usize::try_from(rank).ok()?).copied()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndicatorStatus {
    /// Extracted, waiting for an analyst.
    Candidate,
    /// Approved for sharing (by an analyst, or by a channel's auto-publish mode).
    Confirmed,
    /// A false positive.
    Rejected,
    /// Was shared, then withdrawn.
    Revoked,
}

impl IndicatorStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorStatus::Candidate => "candidate",
            IndicatorStatus::Confirmed => "confirmed",
            IndicatorStatus::Rejected => "rejected",
            IndicatorStatus::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "candidate" => Some(IndicatorStatus::Candidate),
            "confirmed" => Some(IndicatorStatus::Confirmed),
            "rejected" => Some(IndicatorStatus::Rejected),
            "revoked" => Some(IndicatorStatus::Revoked),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Indicator {
    pub id: IndicatorId,
    /// The extractor's type name (`ipv4`, `domain`, `sha256`, ...).
    pub kind: String,
    /// Canonical (refanged, normalised) value.
    pub value: String,
    pub status: IndicatorStatus,
    pub confidence: i64,
    pub tags: Vec<String>,
    pub kill_chain_phase: String,
    /// A label an analyst set that is stricter than the sightings' (CLEAR imposes nothing).
    pub tlp_floor: Tlp,
    /// When it stops being exported (0: never).
    pub valid_until: Millis,
    pub first_seen: Millis,
    pub last_seen: Millis,
    pub create_at: Millis,
    pub update_at: Millis,
    pub reviewed_by: Option<UserId>,
    pub reviewed_at: Millis,
    pub published_at: Millis,
}

/// One post carrying one indicator.
#[derive(Clone, Debug)]
pub struct Sighting {
    pub id: String,
    pub indicator_id: IndicatorId,
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub team_id: Option<TeamId>,
    pub user_id: UserId,
    pub org_id: Option<OrgId>,
    pub tlp: Tlp,
    /// The text as it was written (possibly defanged).
    pub raw: String,
    pub seen_at: Millis,
    /// Non-zero once the post was edited to drop it, or deleted.
    pub retracted_at: Millis,
}

/// A finding to record as a sighting when its post is stored.
#[derive(Clone, Debug)]
pub struct Capture {
    pub kind: String,
    pub value: String,
    pub raw: String,
    pub confidence: i64,
    /// Expiry to set if this capture confirms the indicator (auto-publish): its type's
    /// default lifetime from now.
    pub valid_until: Millis,
}

/// A machine credential for TAXII and the blocklist feeds.
#[derive(Clone, Debug)]
pub struct FeedKey {
    pub id: String,
    pub name: String,
    pub key_hash: String,
    /// The most restrictive label this key may receive. Never RED in effect: nothing from a
    /// RED channel leaves it.
    pub tlp_ceiling: Tlp,
    /// Collection aliases this key may read; empty means every collection under its ceiling.
    pub collections: Vec<String>,
    pub can_write: bool,
    pub org_id: Option<OrgId>,
    pub create_at: Millis,
    pub revoked_at: Millis,
    pub last_used_at: Millis,
}

/// A TAXII collection: an audience defined by a TLP ceiling, optionally narrowed to tags.
#[derive(Clone, Debug)]
pub struct Collection {
    /// A UUID, as TAXII requires.
    pub id: String,
    pub alias: String,
    pub title: String,
    pub description: String,
    pub tlp_ceiling: Tlp,
    pub tags: Vec<String>,
    pub can_write: bool,
}

/// One version of one STIX object in the append-only log.
#[derive(Clone, Debug)]
pub struct StixRecord {
    pub seq: i64,
    pub stix_id: String,
    pub stix_type: String,
    /// The object's `modified` (or `created`) timestamp, as written in it.
    pub version: String,
    pub spec_version: String,
    pub tlp: Tlp,
    pub tags: Vec<String>,
    /// Microseconds since the epoch; strictly increasing with `seq`.
    pub date_added: i64,
    pub body: String,
}

/// One line of the audit log.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Millis,
    /// A user id, `feed:<key name>`, or `system`.
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: serde_json::Value,
    pub ip: String,
}

//! Channels, their TLP label and their members.

use super::Millis;
use crate::ids::{ChannelId, TeamId, UserId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelType {
    /// `O`: any team member may read and join.
    Open,
    /// `P`: members only.
    Private,
    /// `D`: a direct conversation between two users (or a user and themself).
    Direct,
    /// `G`: a group conversation of three to eight users.
    Group,
}

impl ChannelType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelType::Open => "O",
            ChannelType::Private => "P",
            ChannelType::Direct => "D",
            ChannelType::Group => "G",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "O" => Some(ChannelType::Open),
            "P" => Some(ChannelType::Private),
            "D" => Some(ChannelType::Direct),
            "G" => Some(ChannelType::Group),
            _ => None,
        }
    }

    /// Direct and group messages live outside teams.
    pub fn is_dm(self) -> bool {
        matches!(self, ChannelType::Direct | ChannelType::Group)
    }
}

/// Traffic Light Protocol 2.0 label of a channel: who may receive what is said in it.
/// Ordered from least to most restrictive, so `a <= ceiling` reads "a may go to a
/// recipient cleared for `ceiling`".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tlp {
    Clear,
    Green,
    Amber,
    AmberStrict,
    Red,
}

impl Tlp {
    pub const ALL: [Tlp; 5] = [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict, Tlp::Red];

    /// The label as written in TLP 2.0, without the `TLP:` prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            Tlp::Clear => "CLEAR",
            Tlp::Green => "GREEN",
            Tlp::Amber => "AMBER",
            Tlp::AmberStrict => "AMBER+STRICT",
            Tlp::Red => "RED",
        }
    }

    /// Accepts `AMBER+STRICT`, `tlp:amber+strict`, ` Green ` and so on; nothing else.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        // `get` rather than slicing: the fourth byte may fall inside a character.
        let s = if s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("tlp:")) { &s[4..] } else { s };
        Tlp::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

/// Whether indicators posted in a channel are captured, and whether they need review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntelMode {
    Off,
    Review,
    AutoPublish,
}

impl IntelMode {
    pub fn as_str(self) -> &'static str {
        match self {
            IntelMode::Off => "off",
            IntelMode::Review => "review",
            IntelMode::AutoPublish => "auto-publish",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" => Some(IntelMode::Off),
            "review" => Some(IntelMode::Review),
            "auto-publish" | "auto_publish" | "autopublish" => Some(IntelMode::AutoPublish),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Channel {
    pub id: ChannelId,
    /// `None` for direct and group messages.
    pub team_id: Option<TeamId>,
    pub channel_type: ChannelType,
    pub name: String,
    pub display_name: String,
    pub header: String,
    pub purpose: String,
    pub creator_id: Option<UserId>,
    pub create_at: Millis,
    pub update_at: Millis,
    /// Non-zero once archived.
    pub delete_at: Millis,
    pub last_post_at: Millis,
    pub last_root_post_at: Millis,
    pub total_msg_count: i64,
    pub total_msg_count_root: i64,
    pub tlp: Tlp,
    pub intel_mode: IntelMode,
    /// Whether exported sightings may name the poster's organization.
    pub intel_attribution: bool,
}

impl Channel {
    pub fn is_archived(&self) -> bool {
        self.delete_at != 0
    }
}

#[derive(Clone, Debug)]
pub struct ChannelMember {
    pub channel_id: ChannelId,
    pub user_id: UserId,
    pub scheme_admin: bool,
    pub last_viewed_at: Millis,
    /// Channel message count the member had seen when they last viewed it.
    pub msg_count: i64,
    pub msg_count_root: i64,
    pub mention_count: i64,
    pub mention_count_root: i64,
    pub urgent_mention_count: i64,
    pub notify_props: serde_json::Value,
    pub last_update_at: Millis,
}

impl ChannelMember {
    pub fn roles(&self) -> String {
        if self.scheme_admin { "channel_user channel_admin".into() } else { "channel_user".into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlp_parses_only_the_five_labels() {
        assert_eq!(Tlp::parse("amber+strict"), Some(Tlp::AmberStrict));
        assert_eq!(Tlp::parse(" TLP:Red "), Some(Tlp::Red));
        assert_eq!(Tlp::parse("WHITE"), None);
        assert_eq!(Tlp::parse("AMBER STRICT"), None);
        // Found by schemathesis: a label whose fourth byte is inside a character panicked.
        assert_eq!(Tlp::parse("0\u{80}"), None);
        assert_eq!(Tlp::parse("abcñ"), None);
        assert!(Tlp::Clear < Tlp::Green && Tlp::AmberStrict < Tlp::Red);
    }
}

//! Teams and team membership.

use super::Millis;
use crate::ids::{TeamId, UserId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeamType {
    /// `O`: anyone on the server may join when `allow_open_invite` is set.
    Open,
    /// `I`: members join only when added or invited.
    Invite,
}

impl TeamType {
    pub fn as_str(self) -> &'static str {
        match self {
            TeamType::Open => "O",
            TeamType::Invite => "I",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "O" => Some(TeamType::Open),
            "I" => Some(TeamType::Invite),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Team {
    pub id: TeamId,
    pub create_at: Millis,
    pub update_at: Millis,
    pub delete_at: Millis,
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub email: String,
    pub team_type: TeamType,
    pub company_name: String,
    pub allowed_domains: String,
    pub invite_id: String,
    pub allow_open_invite: bool,
    /// TLP label new channels in this team start with.
    pub default_tlp: super::Tlp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamMember {
    pub team_id: TeamId,
    pub user_id: UserId,
    pub scheme_admin: bool,
    /// Analysts work the indicator review queue for this team.
    pub analyst: bool,
    /// Non-zero once the user left or was removed.
    pub delete_at: Millis,
}

impl TeamMember {
    pub fn is_active(&self) -> bool {
        self.delete_at == 0
    }

    /// Mattermost's space-separated role string.
    pub fn roles(&self) -> String {
        let mut roles = String::from("team_user");
        if self.scheme_admin {
            roles.push_str(" team_admin");
        }
        if self.analyst {
            roles.push_str(" team_analyst");
        }
        roles
    }
}

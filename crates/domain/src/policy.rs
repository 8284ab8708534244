//! The permission policy: the one place that decides who may do what to a channel.
//!
//! Every path that returns channel content (REST, WebSocket delivery, search, files, threads,
//! reactions, pins, exports, intel) needs a [`ChannelGrant`], and the only way to obtain one is
//! [`authorize`]. The storage port's content-reading methods take a grant as an argument, so a
//! handler that forgets to ask cannot compile. Paths that read across many channels (search,
//! intel listings) filter by membership inside the SQL query using the same rules
//! ([`readable_without_membership`]).
//!
//! The rules themselves are a table ([`RULES`]): for each kind of channel and each action, the
//! list of relationships, any one of which is enough. System administrators get no content
//! bypass: an ISAC's members share incident details on the promise that nobody outside a room
//! reads it, staff included. Administrators can still manage membership and settings.

use crate::error::{Error, Result};
use crate::ids::{SessionId, UserId};
use crate::model::{Channel, ChannelMember, ChannelType, TeamMember};

/// An authenticated, active user making a request. Only the accounts service creates one,
/// after checking the session and the account.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Principal {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub system_admin: bool,
}

impl Principal {
    pub(crate) fn new(user_id: UserId, session_id: SessionId, system_admin: bool) -> Self {
        Principal { user_id, session_id, system_admin }
    }
}

/// What a principal wants to do to a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read posts, threads, reactions, files, pins and the member list.
    Read,
    /// Create posts, edit and delete one's own posts, react, pin.
    Post,
    /// Join oneself.
    Join,
    /// Add other users.
    AddMembers,
    /// Remove other users.
    RemoveMembers,
    /// Change display name, header and purpose.
    EditProperties,
    /// Change privacy, TLP label and intel mode; grant channel admin.
    ManageSettings,
    /// Archive or restore.
    Archive,
    /// Delete other people's posts.
    ModerateOthers,
}

/// A relationship between the principal and the channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// An active member of the channel.
    ChannelMember,
    /// An active member of the channel's team.
    TeamMember,
    /// A member with channel-admin rights.
    ChannelAdmin,
    /// An admin of the channel's team.
    TeamAdmin,
    /// A system administrator.
    SystemAdmin,
}

use Action as A;
use ChannelType as C;
use Need as N;

/// The declarative policy: (channel type, action) → any of these relationships.
/// A pair missing from the table is denied.
pub const RULES: &[(ChannelType, Action, &[Need])] = &[
    (C::Open, A::Read, &[N::ChannelMember, N::TeamMember]),
    (C::Open, A::Post, &[N::ChannelMember]),
    (C::Open, A::Join, &[N::TeamMember]),
    (C::Open, A::AddMembers, &[N::ChannelMember, N::TeamAdmin, N::SystemAdmin]),
    (C::Open, A::RemoveMembers, &[N::ChannelAdmin, N::TeamAdmin, N::SystemAdmin]),
    (C::Open, A::EditProperties, &[N::ChannelMember, N::TeamAdmin, N::SystemAdmin]),
    (C::Open, A::ManageSettings, &[N::ChannelAdmin, N::TeamAdmin, N::SystemAdmin]),
    (C::Open, A::Archive, &[N::ChannelAdmin, N::TeamAdmin, N::SystemAdmin]),
    (C::Open, A::ModerateOthers, &[N::ChannelAdmin, N::TeamAdmin]),
    (C::Private, A::Read, &[N::ChannelMember]),
    (C::Private, A::Post, &[N::ChannelMember]),
    (C::Private, A::AddMembers, &[N::ChannelMember, N::TeamAdmin, N::SystemAdmin]),
    (C::Private, A::RemoveMembers, &[N::ChannelAdmin, N::TeamAdmin, N::SystemAdmin]),
    (C::Private, A::EditProperties, &[N::ChannelMember, N::TeamAdmin, N::SystemAdmin]),
    (C::Private, A::ManageSettings, &[N::ChannelAdmin, N::TeamAdmin, N::SystemAdmin]),
    (C::Private, A::Archive, &[N::ChannelAdmin, N::TeamAdmin, N::SystemAdmin]),
    (C::Private, A::ModerateOthers, &[N::ChannelAdmin, N::TeamAdmin]),
    (C::Direct, A::Read, &[N::ChannelMember]),
    (C::Direct, A::Post, &[N::ChannelMember]),
    (C::Direct, A::EditProperties, &[N::ChannelMember]),
    (C::Group, A::Read, &[N::ChannelMember]),
    (C::Group, A::Post, &[N::ChannelMember]),
    (C::Group, A::EditProperties, &[N::ChannelMember]),
];

/// Actions that change content or membership are refused in archived channels, whoever asks.
fn allowed_when_archived(action: Action) -> bool {
    matches!(action, A::Read | A::Archive | A::ManageSettings | A::RemoveMembers)
}

/// The facts the policy looks at, reduced to what the rules need. Callers derive them from
/// rows loaded fresh from the store (for WebSocket delivery: at delivery time); the policy
/// itself does no I/O.
#[derive(Clone, Copy, Debug)]
pub struct Facts {
    pub channel_type: ChannelType,
    pub archived: bool,
    pub channel_member: bool,
    pub channel_admin: bool,
    /// An *active* member of the channel's team.
    pub team_member: bool,
    pub team_admin: bool,
    pub system_admin: bool,
}

impl Facts {
    pub fn new(system_admin: bool, channel: &Channel, member: Option<&ChannelMember>, team_member: Option<&TeamMember>) -> Self {
        let team_member = team_member.filter(|m| m.is_active());
        Facts {
            channel_type: channel.channel_type,
            archived: channel.is_archived(),
            channel_member: member.is_some(),
            channel_admin: member.is_some_and(|m| m.scheme_admin),
            team_member: team_member.is_some(),
            team_admin: team_member.is_some_and(|m| m.scheme_admin),
            system_admin,
        }
    }
}

/// Decides whether the action is allowed given the facts. Pure.
pub fn decide(facts: &Facts, action: Action) -> bool {
    if facts.archived && !allowed_when_archived(action) {
        return false;
    }
    let Some((_, _, needs)) = RULES.iter().find(|(kind, act, _)| *kind == facts.channel_type && *act == action) else {
        return false;
    };
    needs.iter().any(|need| match need {
        N::ChannelMember => facts.channel_member,
        N::TeamMember => facts.team_member,
        N::ChannelAdmin => facts.channel_admin,
        N::TeamAdmin => facts.team_admin,
        N::SystemAdmin => facts.system_admin,
    })
}

/// Proof that a principal may perform an action on a channel. Holding one is the only way to
/// call the store's content-reading methods.
#[derive(Clone, Debug)]
pub struct ChannelGrant {
    channel: Channel,
    member: Option<ChannelMember>,
    user_id: UserId,
    action: Action,
}

impl ChannelGrant {
    pub fn channel(&self) -> &Channel {
        &self.channel
    }
    pub fn channel_id(&self) -> &crate::ids::ChannelId {
        &self.channel.id
    }
    pub fn member(&self) -> Option<&ChannelMember> {
        self.member.as_ref()
    }
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }
    pub fn action(&self) -> Action {
        self.action
    }
}

/// Checks the policy and, if it allows the action, returns the grant. A denied read of a
/// channel the principal cannot see answers "not found" rather than "forbidden", so that ids
/// of private channels cannot be probed.
pub fn authorize(
    principal: &Principal,
    channel: Channel,
    member: Option<ChannelMember>,
    team_member: Option<&TeamMember>,
    action: Action,
) -> Result<ChannelGrant> {
    let facts = Facts::new(principal.system_admin, &channel, member.as_ref(), team_member);
    if decide(&facts, action) {
        return Ok(ChannelGrant { channel, member, user_id: principal.user_id.clone(), action });
    }
    // Someone who may manage a private channel without reading it (an admin) learns that it
    // exists; anyone else gets the same answer as for a channel that does not exist.
    let knows_it_exists = decide(&facts, A::Read) || (channel.channel_type == C::Private && (facts.system_admin || facts.team_admin));
    if knows_it_exists { Err(Error::forbidden()) } else { Err(Error::not_found("channel")) }
}

/// The set of channels a principal may read, for queries that span channels (intel
/// listings). Only [`read_scope`] makes one; the store turns it into a membership filter
/// inside the SQL, so results, counts and pages never include anything else.
#[derive(Clone, Debug)]
pub struct ReadScope {
    user_id: UserId,
    public_team_channels: bool,
}

impl ReadScope {
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }
    /// Public channels of the user's teams are readable without joining them.
    pub fn includes_public_team_channels(&self) -> bool {
        self.public_team_channels
    }
}

/// The read scope of a principal, derived from the rules table.
pub fn read_scope(principal: &Principal) -> ReadScope {
    ReadScope { user_id: principal.user_id.clone(), public_team_channels: readable_without_membership(ChannelType::Open) }
}

/// Whether a team member may read a channel of this type without being a channel member.
/// Cross-channel queries (search, intel) use this to build their membership filter.
pub fn readable_without_membership(kind: ChannelType) -> bool {
    RULES.iter().any(|(k, a, needs)| *k == kind && *a == A::Read && needs.contains(&N::TeamMember))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ChannelId, TeamId};
    use crate::model::{IntelMode, Tlp};

    fn channel(kind: ChannelType, archived: bool) -> Channel {
        Channel {
            id: ChannelId::generate(),
            team_id: Some(TeamId::generate()),
            channel_type: kind,
            name: "c".into(),
            display_name: "C".into(),
            header: String::new(),
            purpose: String::new(),
            creator_id: None,
            create_at: 1,
            update_at: 1,
            delete_at: if archived { 5 } else { 0 },
            last_post_at: 0,
            last_root_post_at: 0,
            total_msg_count: 0,
            total_msg_count_root: 0,
            tlp: Tlp::Green,
            intel_mode: IntelMode::Off,
            intel_attribution: false,
        }
    }

    fn member(admin: bool) -> ChannelMember {
        ChannelMember {
            channel_id: ChannelId::generate(),
            user_id: UserId::generate(),
            scheme_admin: admin,
            last_viewed_at: 0,
            msg_count: 0,
            msg_count_root: 0,
            mention_count: 0,
            mention_count_root: 0,
            urgent_mention_count: 0,
            notify_props: serde_json::Value::Null,
            last_update_at: 0,
        }
    }

    fn team_member(admin: bool) -> TeamMember {
        TeamMember { team_id: TeamId::generate(), user_id: UserId::generate(), scheme_admin: admin, analyst: false, delete_at: 0 }
    }

    #[test]
    fn system_admin_cannot_read_private_or_direct_content() {
        for kind in [C::Private, C::Direct, C::Group] {
            let c = channel(kind, false);
            let tm = team_member(true);
            let facts = Facts::new(true, &c, None, Some(&tm));
            assert!(!decide(&facts, A::Read), "{kind:?}");
        }
    }

    #[test]
    fn public_channels_are_readable_by_team_members_only() {
        let c = channel(C::Open, false);
        let tm = team_member(false);
        assert!(decide(&Facts::new(false, &c, None, Some(&tm)), A::Read));
        assert!(!decide(&Facts::new(false, &c, None, None), A::Read));
        let left = TeamMember { delete_at: 9, ..team_member(false) };
        assert!(!decide(&Facts::new(false, &c, None, Some(&left)), A::Read));
    }

    #[test]
    fn archived_channels_are_read_only() {
        let c = channel(C::Private, true);
        let m = member(true);
        let facts = Facts::new(false, &c, Some(&m), None);
        assert!(decide(&facts, A::Read));
        assert!(!decide(&facts, A::Post));
        assert!(!decide(&facts, A::AddMembers));
    }

    #[test]
    fn only_admins_remove_others() {
        let c = channel(C::Private, false);
        let plain = member(false);
        let admin = member(true);
        assert!(!decide(&Facts::new(false, &c, Some(&plain), None), A::RemoveMembers));
        assert!(decide(&Facts::new(false, &c, Some(&admin), None), A::RemoveMembers));
    }

    #[test]
    fn direct_messages_never_gain_members() {
        let c = channel(C::Direct, false);
        let m = member(true);
        assert!(!decide(&Facts::new(true, &c, Some(&m), None), A::AddMembers));
    }
}

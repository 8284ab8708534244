//! Channels: creation, direct and group messages, membership, settings and read state.

use crate::app::App;
use crate::error::{Error, ErrorCode, Result};
use crate::events::{Audience, Event, EventKind};
use crate::ids::{ChannelId, TeamId, UserId};
use crate::model::{Channel, ChannelMember, ChannelType, IntelMode, Tlp, User};
use crate::policy::{Action, Principal};
use crate::ports::ChannelUnread;
use sha1::{Digest, Sha1};

#[derive(Clone, Debug)]
pub struct ChannelInput {
    pub team_id: TeamId,
    pub name: String,
    pub display_name: String,
    pub channel_type: String,
    pub purpose: String,
    pub header: String,
    pub tlp: Option<Tlp>,
}

#[derive(Clone, Debug, Default)]
pub struct ChannelPatch {
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub purpose: Option<String>,
    pub header: Option<String>,
    pub tlp: Option<Tlp>,
    pub intel_mode: Option<IntelMode>,
    pub intel_attribution: Option<bool>,
}

/// Unread figures summed over a team's channels for one user.
#[derive(Clone, Debug, Default)]
pub struct TeamUnread {
    pub team_id: String,
    pub msg_count: i64,
    pub mention_count: i64,
    pub msg_count_root: i64,
    pub mention_count_root: i64,
}

pub fn validate_channel_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_'))
        && !name.contains("__")
        && !(name.len() == 26 && crate::ids::is_valid_id(name));
    if ok { Ok(()) } else { Err(Error::new(ErrorCode::InvalidChannelName).with_param("name")) }
}

fn check_text(value: &str, field: &'static str, max: usize) -> Result<()> {
    if value.chars().count() > max { Err(Error::invalid_param(field)) } else { Ok(()) }
}

pub fn direct_channel_name(a: &UserId, b: &UserId) -> String {
    let (x, y) = if a.as_str() <= b.as_str() { (a, b) } else { (b, a) };
    format!("{x}__{y}")
}

pub fn group_channel_name(ids: &[UserId]) -> String {
    let mut sorted: Vec<&str> = ids.iter().map(UserId::as_str).collect();
    sorted.sort_unstable();
    let digest = Sha1::digest(sorted.concat().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl App {
    fn new_member(&self, channel: &ChannelId, user: &UserId, admin: bool, channel_totals: Option<&Channel>) -> ChannelMember {
        let now = self.now();
        ChannelMember {
            channel_id: channel.clone(),
            user_id: user.clone(),
            scheme_admin: admin,
            last_viewed_at: now,
            // A new member starts with the channel read, as in Mattermost.
            msg_count: channel_totals.map_or(0, |c| c.total_msg_count),
            msg_count_root: channel_totals.map_or(0, |c| c.total_msg_count_root),
            mention_count: 0,
            mention_count_root: 0,
            urgent_mention_count: 0,
            notify_props: serde_json::json!({"desktop": "default", "email": "default", "mark_unread": "all", "push": "default", "ignore_channel_mentions": "default"}),
            last_update_at: now,
        }
    }

    pub async fn create_channel(&self, principal: &Principal, input: ChannelInput) -> Result<Channel> {
        let team = self.store.get_team(&input.team_id).await?.filter(|t| t.delete_at == 0).ok_or_else(|| Error::not_found("team"))?;
        let member = self.store.get_team_member(&team.id, &principal.user_id).await?.filter(|m| m.is_active());
        if member.is_none() {
            return Err(if principal.system_admin { Error::forbidden() } else { Error::not_found("team") });
        }
        let channel_type = match input.channel_type.as_str() {
            "O" => ChannelType::Open,
            "P" => ChannelType::Private,
            _ => return Err(Error::invalid_param("type")),
        };
        let name = input.name.trim().to_owned();
        validate_channel_name(&name)?;
        crate::services::teams::validate_display_name(&input.display_name, "display_name")?;
        check_text(&input.purpose, "purpose", 250)?;
        check_text(&input.header, "header", 1024)?;
        if self.store.get_channel_by_name(Some(&team.id), &name).await?.is_some() {
            return Err(Error::new(ErrorCode::ChannelNameTaken).with_param("name"));
        }
        let now = self.now();
        let channel = Channel {
            id: ChannelId::generate(),
            team_id: Some(team.id.clone()),
            channel_type,
            name,
            display_name: input.display_name.trim().to_owned(),
            header: input.header,
            purpose: input.purpose,
            creator_id: Some(principal.user_id.clone()),
            create_at: now,
            update_at: now,
            delete_at: 0,
            last_post_at: now,
            last_root_post_at: now,
            total_msg_count: 0,
            total_msg_count_root: 0,
            tlp: input.tlp.unwrap_or(team.default_tlp),
            intel_mode: IntelMode::Review,
            intel_attribution: false,
        };
        let creator = self.new_member(&channel.id, &principal.user_id, true, None);
        self.store.create_channel(&channel, &[creator]).await?;
        self.publish(Event::new(
            EventKind::ChannelCreated { channel_id: channel.id.clone(), team_id: channel.team_id.clone() },
            Audience::User(principal.user_id.clone()),
        ));
        Ok(channel)
    }

    /// A channel's metadata; for private channels and messages only members may see it.
    pub async fn channel(&self, principal: &Principal, id: &ChannelId) -> Result<Channel> {
        Ok(self.grant(principal, id, Action::Read).await?.channel().clone())
    }

    pub async fn channel_by_name(&self, principal: &Principal, team: &TeamId, name: &str) -> Result<Channel> {
        let channel = self.store.get_channel_by_name(Some(team), name).await?.ok_or_else(|| Error::not_found("channel"))?;
        Ok(self.grant_for(principal, channel, Action::Read).await?.channel().clone())
    }

    pub async fn channels_of(&self, principal: &Principal, user: &UserId, team: Option<&TeamId>, include_archived: bool) -> Result<Vec<Channel>> {
        if &principal.user_id != user {
            return Err(Error::forbidden());
        }
        self.store.channels_for_user(user, team, include_archived).await
    }

    pub async fn channel_members_of(&self, principal: &Principal, user: &UserId, team: Option<&TeamId>) -> Result<Vec<ChannelMember>> {
        if &principal.user_id != user {
            return Err(Error::forbidden());
        }
        self.store.channel_members_for_user(user, team).await
    }

    /// Public channels of a team for browsing; team members only.
    pub async fn public_channels(&self, principal: &Principal, team: &TeamId, archived: bool, offset: i64, limit: i64) -> Result<Vec<Channel>> {
        let member = self.store.get_team_member(team, &principal.user_id).await?.filter(|m| m.is_active());
        if member.is_none() {
            return Err(Error::not_found("team"));
        }
        self.store.public_channels(team, archived, offset, limit).await
    }

    pub async fn channel_members(&self, principal: &Principal, channel: &ChannelId, offset: i64, limit: i64) -> Result<Vec<ChannelMember>> {
        let grant = self.grant(principal, channel, Action::Read).await?;
        self.store.channel_members(&grant, offset, limit).await
    }

    pub async fn channel_member(&self, principal: &Principal, channel: &ChannelId, user: &UserId) -> Result<ChannelMember> {
        let _grant = self.grant(principal, channel, Action::Read).await?;
        self.store.get_channel_member(channel, user).await?.ok_or_else(|| Error::not_found("channel_member"))
    }

    /// Adds a user to a channel: joining oneself needs [`Action::Join`] (or being able to add
    /// members), adding others [`Action::AddMembers`]. The user must belong to the team.
    pub async fn add_channel_member(&self, principal: &Principal, channel_id: &ChannelId, user_id: &UserId) -> Result<ChannelMember> {
        let channel = self.store.get_channel(channel_id).await?.ok_or_else(|| Error::not_found("channel"))?;
        let action = if &principal.user_id == user_id && channel.channel_type == ChannelType::Open { Action::Join } else { Action::AddMembers };
        let grant = self.grant_for(principal, channel, action).await?;
        let channel = grant.channel();
        if let Some(existing) = self.store.get_channel_member(&channel.id, user_id).await? {
            return Ok(existing);
        }
        let user = self.store.get_user(user_id).await?.filter(User::is_active).ok_or_else(|| Error::not_found("user"))?;
        if let Some(team) = &channel.team_id
            && self.store.get_team_member(team, &user.id).await?.filter(|m| m.is_active()).is_none()
        {
            return Err(Error::new(ErrorCode::NotTeamMember).with_param("user_id"));
        }
        let member = self.new_member(&channel.id, &user.id, false, Some(channel));
        self.store.save_channel_member(&member).await?;
        self.audit(Some(principal), "channel.member_add", &format!("channel:{}", channel.id), serde_json::json!({"user": user.id.as_str()})).await?;
        self.publish(Event::new(
            EventKind::UserAdded { user_id: user.id.clone(), team_id: channel.team_id.clone(), channel_id: channel.id.clone() },
            Audience::Channel(channel.id.clone()),
        ));
        Ok(member)
    }

    /// Leaves a channel, or removes someone else from it.
    pub async fn remove_channel_member(&self, principal: &Principal, channel_id: &ChannelId, user_id: &UserId) -> Result<()> {
        let channel = self.store.get_channel(channel_id).await?.ok_or_else(|| Error::not_found("channel"))?;
        let leaving = &principal.user_id == user_id;
        let grant = if leaving {
            self.grant_for(principal, channel, Action::Read).await?
        } else {
            self.grant_for(principal, channel, Action::RemoveMembers).await?
        };
        let channel = grant.channel();
        if leaving && grant.member().is_none() {
            return Err(Error::not_found("channel_member"));
        }
        if channel.channel_type == ChannelType::Direct || (channel.channel_type == ChannelType::Open && channel.name == "town-square") {
            return Err(Error::invalid_param("channel_id"));
        }
        if !self.store.remove_channel_member(&channel.id, user_id).await? {
            return Err(Error::not_found("channel_member"));
        }
        self.audit(Some(principal), "channel.member_remove", &format!("channel:{}", channel.id), serde_json::json!({"user": user_id.as_str()}))
            .await?;
        self.publish(Event::new(
            EventKind::UserRemovedSelf { channel_id: channel.id.clone(), remover_id: principal.user_id.clone() },
            Audience::User(user_id.clone()),
        ));
        self.publish(Event::new(
            EventKind::UserRemoved { user_id: user_id.clone(), remover_id: principal.user_id.clone(), channel_id: channel.id.clone() },
            Audience::Channel(channel.id.clone()),
        ));
        Ok(())
    }

    /// Changes name, display name, header or purpose (and, for channel admins, TLP label and
    /// intel mode).
    pub async fn patch_channel(&self, principal: &Principal, channel_id: &ChannelId, patch: ChannelPatch) -> Result<Channel> {
        // Attribution decides whether exports may name posters' organizations: a setting for
        // channel admins, like the label and the capture mode.
        let settings = patch.tlp.is_some() || patch.intel_mode.is_some() || patch.intel_attribution.is_some() || patch.name.is_some();
        let action = if settings { Action::ManageSettings } else { Action::EditProperties };
        let grant = self.grant(principal, channel_id, action).await?;
        let mut channel = grant.channel().clone();
        if channel.is_archived() {
            return Err(Error::new(ErrorCode::ChannelArchived));
        }
        if let Some(name) = patch.name.filter(|n| *n != channel.name) {
            if channel.channel_type.is_dm() {
                return Err(Error::invalid_param("name"));
            }
            validate_channel_name(&name)?;
            if self.store.get_channel_by_name(channel.team_id.as_ref(), &name).await?.is_some() {
                return Err(Error::new(ErrorCode::ChannelNameTaken).with_param("name"));
            }
            channel.name = name;
        }
        if let Some(d) = patch.display_name {
            if channel.channel_type.is_dm() {
                return Err(Error::invalid_param("display_name"));
            }
            crate::services::teams::validate_display_name(&d, "display_name")?;
            channel.display_name = d.trim().to_owned();
        }
        if let Some(p) = patch.purpose {
            check_text(&p, "purpose", 250)?;
            channel.purpose = p;
        }
        if let Some(h) = patch.header {
            check_text(&h, "header", 1024)?;
            channel.header = h;
        }
        if let Some(tlp) = patch.tlp {
            channel.tlp = tlp;
        }
        if let Some(mode) = patch.intel_mode {
            channel.intel_mode = mode;
        }
        if let Some(a) = patch.intel_attribution {
            channel.intel_attribution = a;
        }
        channel.update_at = self.now();
        self.store.update_channel(&channel).await?;
        if channel.tlp != grant.channel().tlp
            || channel.intel_mode != grant.channel().intel_mode
            || channel.intel_attribution != grant.channel().intel_attribution
        {
            let old = grant.channel();
            let detail = serde_json::json!({"tlp": [old.tlp.as_str(), channel.tlp.as_str()], "intel_mode": [old.intel_mode.as_str(), channel.intel_mode.as_str()], "intel_attribution": [old.intel_attribution, channel.intel_attribution]});
            self.audit(Some(principal), "channel.intel", &format!("channel:{}", channel.id), detail).await?;
            self.intel_changed();
        }
        self.publish(Event::new(EventKind::ChannelUpdated { channel: channel.clone() }, Audience::Channel(channel.id.clone())));
        Ok(channel)
    }

    /// Changes a channel's TLP label or intel mode with the server's own authority (the admin
    /// CLI). Audited like the same change through the API.
    pub async fn admin_set_channel_intel(&self, team: &str, channel: &str, tlp: Option<Tlp>, mode: Option<IntelMode>) -> Result<Channel> {
        let team = self.store.get_team_by_name(team).await?.ok_or_else(|| Error::not_found("team"))?;
        let mut channel = self.store.get_channel_by_name(Some(&team.id), channel).await?.ok_or_else(|| Error::not_found("channel"))?;
        let before = (channel.tlp, channel.intel_mode);
        if let Some(t) = tlp {
            channel.tlp = t;
        }
        if let Some(m) = mode {
            channel.intel_mode = m;
        }
        channel.update_at = self.now();
        self.store.update_channel(&channel).await?;
        self.audit(
            None,
            "channel.intel",
            &format!("channel:{}", channel.id),
            serde_json::json!({"tlp": [before.0.as_str(), channel.tlp.as_str()], "intel_mode": [before.1.as_str(), channel.intel_mode.as_str()]}),
        )
        .await?;
        self.intel_changed();
        self.publish(Event::new(EventKind::ChannelUpdated { channel: channel.clone() }, Audience::Channel(channel.id.clone())));
        Ok(channel)
    }

    pub async fn set_channel_privacy(&self, principal: &Principal, channel_id: &ChannelId, privacy: &str) -> Result<Channel> {
        let grant = self.grant(principal, channel_id, Action::ManageSettings).await?;
        let mut channel = grant.channel().clone();
        let target = match privacy {
            "O" => ChannelType::Open,
            "P" => ChannelType::Private,
            _ => return Err(Error::invalid_param("privacy")),
        };
        if channel.channel_type.is_dm() || (channel.name == "town-square" && target == ChannelType::Private) {
            return Err(Error::invalid_param("privacy"));
        }
        let before = std::mem::replace(&mut channel.channel_type, target);
        channel.update_at = self.now();
        self.store.update_channel(&channel).await?;
        self.audit(
            Some(principal),
            "channel.privacy",
            &format!("channel:{channel_id}"),
            serde_json::json!({"from": before.as_str(), "to": target.as_str()}),
        )
        .await?;
        self.publish(Event::new(EventKind::ChannelConverted { channel_id: channel.id.clone() }, Audience::Channel(channel.id.clone())));
        self.publish(Event::new(EventKind::ChannelUpdated { channel: channel.clone() }, Audience::Channel(channel.id.clone())));
        Ok(channel)
    }

    pub async fn archive_channel(&self, principal: &Principal, channel_id: &ChannelId, archive: bool) -> Result<Channel> {
        let grant = self.grant(principal, channel_id, Action::Archive).await?;
        let mut channel = grant.channel().clone();
        if channel.channel_type.is_dm() || (archive && channel.name == "town-square") {
            return Err(Error::invalid_param("channel_id"));
        }
        let now = self.now();
        channel.delete_at = if archive { now } else { 0 };
        channel.update_at = now;
        self.store.update_channel(&channel).await?;
        self.audit(
            Some(principal),
            if archive { "channel.archive" } else { "channel.restore" },
            &format!("channel:{channel_id}"),
            serde_json::json!({}),
        )
        .await?;
        let kind = if archive {
            EventKind::ChannelDeleted { channel_id: channel.id.clone(), delete_at: now }
        } else {
            EventKind::ChannelRestored { channel_id: channel.id.clone() }
        };
        self.publish(Event::new(kind, Audience::Channel(channel.id.clone())));
        Ok(channel)
    }

    /// Marks a channel (and optionally the previous one) read.
    pub async fn view_channel(
        &self,
        principal: &Principal,
        channel_id: Option<&ChannelId>,
        prev: Option<&ChannelId>,
    ) -> Result<Vec<(ChannelId, i64)>> {
        let ids: Vec<ChannelId> = channel_id.into_iter().chain(prev).cloned().collect();
        self.mark_channels_read(principal, &ids).await
    }

    /// Marks channels read at once ("mark as read" on several channels); channels the user is
    /// not a member of are skipped. Returns the new read time of each channel marked.
    pub async fn mark_channels_read(&self, principal: &Principal, ids: &[ChannelId]) -> Result<Vec<(ChannelId, i64)>> {
        if ids.len() > 1000 {
            return Err(Error::invalid_param("channel_ids"));
        }
        let now = self.now();
        let viewed = self.store.view_channels(&principal.user_id, ids, now).await?;
        let times: Vec<(ChannelId, i64)> = viewed.into_iter().map(|c| (c, now)).collect();
        if !times.is_empty() {
            self.publish(Event::new(EventKind::MultipleChannelsViewed { times: times.clone() }, Audience::User(principal.user_id.clone())));
        }
        Ok(times)
    }

    pub async fn channel_unread(&self, principal: &Principal, user: &UserId, channel: &ChannelId) -> Result<ChannelUnread> {
        if &principal.user_id != user {
            return Err(Error::forbidden());
        }
        self.store.channel_unread(user, channel).await?.ok_or_else(|| Error::not_found("channel"))
    }

    /// Unread totals per team (direct and group messages count in every team, as in
    /// Mattermost's sidebar).
    pub async fn team_unreads(&self, principal: &Principal, user: &UserId) -> Result<Vec<TeamUnread>> {
        if &principal.user_id != user {
            return Err(Error::forbidden());
        }
        let teams = self.store.team_members_for_user(user).await?;
        let channels = self.store.channels_for_user(user, None, false).await?;
        let members = self.store.channel_members_for_user(user, None).await?;
        let member_of: std::collections::HashMap<_, _> = members.iter().map(|m| (m.channel_id.clone(), m)).collect();
        let mut out = Vec::new();
        for tm in teams.iter().filter(|m| m.is_active()) {
            let mut unread = TeamUnread { team_id: tm.team_id.to_string(), ..Default::default() };
            for c in channels.iter().filter(|c| c.team_id.as_ref() == Some(&tm.team_id)) {
                if let Some(m) = member_of.get(&c.id) {
                    unread.msg_count += (c.total_msg_count - m.msg_count).max(0);
                    unread.msg_count_root += (c.total_msg_count_root - m.msg_count_root).max(0);
                    unread.mention_count += m.mention_count;
                    unread.mention_count_root += m.mention_count_root;
                }
            }
            out.push(unread);
        }
        Ok(out)
    }

    /// `(member_count, pinned_post_count)`.
    pub async fn channel_stats(&self, principal: &Principal, channel_id: &ChannelId) -> Result<(i64, i64)> {
        let grant = self.grant(principal, channel_id, Action::Read).await?;
        let members = self.store.count_channel_members(channel_id).await?;
        let pinned = self.store.pinned_posts(&grant).await?.len() as i64;
        Ok((members, pinned))
    }

    /// Finds or creates the direct channel between the principal and another user (or
    /// themself).
    pub async fn direct_channel(&self, principal: &Principal, users: &[UserId]) -> Result<Channel> {
        let [a, b] = users else { return Err(Error::invalid_param("user_ids")) };
        if a != &principal.user_id && b != &principal.user_id {
            return Err(Error::forbidden());
        }
        let other = if a == &principal.user_id { b } else { a };
        self.store.get_user(other).await?.filter(User::is_active).ok_or_else(|| Error::not_found("user"))?;
        let name = direct_channel_name(a, b);
        if let Some(existing) = self.store.get_channel_by_name(None, &name).await? {
            return Ok(existing);
        }
        let mut members = vec![principal.user_id.clone()];
        if other != &principal.user_id {
            members.push(other.clone());
        }
        let channel = self.dm_channel(ChannelType::Direct, name, String::new(), principal, &members).await?;
        self.publish(Event::new(
            EventKind::DirectAdded { creator_id: principal.user_id.clone(), teammate_id: other.clone() },
            Audience::Channel(channel.id.clone()),
        ));
        Ok(channel)
    }

    /// Finds or creates a group conversation of three to eight users including the principal.
    pub async fn group_channel(&self, principal: &Principal, users: &[UserId]) -> Result<Channel> {
        let mut ids: Vec<UserId> = users.to_vec();
        if !ids.contains(&principal.user_id) {
            ids.push(principal.user_id.clone());
        }
        ids.sort();
        ids.dedup();
        if !(3..=8).contains(&ids.len()) {
            return Err(Error::invalid_param("user_ids"));
        }
        let found = self.store.get_users(&ids).await?;
        if found.len() != ids.len() || found.iter().any(|u| !u.is_active()) {
            return Err(Error::not_found("user"));
        }
        let name = group_channel_name(&ids);
        if let Some(existing) = self.store.get_channel_by_name(None, &name).await? {
            return Ok(existing);
        }
        let mut usernames: Vec<&str> = found.iter().map(|u| u.username.as_str()).collect();
        usernames.sort_unstable();
        let channel = self.dm_channel(ChannelType::Group, name, usernames.join(", "), principal, &ids).await?;
        self.publish(Event::new(EventKind::GroupAdded { teammate_ids: ids.clone() }, Audience::Channel(channel.id.clone())));
        Ok(channel)
    }

    async fn dm_channel(&self, kind: ChannelType, name: String, display_name: String, principal: &Principal, members: &[UserId]) -> Result<Channel> {
        let now = self.now();
        let channel = Channel {
            id: ChannelId::generate(),
            team_id: None,
            channel_type: kind,
            name,
            display_name,
            header: String::new(),
            purpose: String::new(),
            creator_id: Some(principal.user_id.clone()),
            create_at: now,
            update_at: now,
            delete_at: 0,
            last_post_at: now,
            last_root_post_at: now,
            total_msg_count: 0,
            total_msg_count_root: 0,
            // Conversations between named people are TLP:RED by nature, and capture is off.
            tlp: Tlp::Red,
            intel_mode: IntelMode::Off,
            intel_attribution: false,
        };
        let rows: Vec<ChannelMember> = members.iter().map(|u| self.new_member(&channel.id, u, false, None)).collect();
        self.store.create_channel(&channel, &rows).await?;
        for user in members {
            self.publish(Event::new(EventKind::ChannelCreated { channel_id: channel.id.clone(), team_id: None }, Audience::User(user.clone())));
        }
        Ok(channel)
    }

    /// Sets a member's channel roles (`channel_user`, optionally `channel_admin`).
    pub async fn set_channel_roles(&self, principal: &Principal, channel_id: &ChannelId, user_id: &UserId, roles: &str) -> Result<()> {
        let grant = self.grant(principal, channel_id, Action::ManageSettings).await?;
        if roles.split_whitespace().any(|r| !matches!(r, "channel_user" | "channel_admin")) {
            return Err(Error::invalid_param("roles"));
        }
        let mut member = self.store.get_channel_member(grant.channel_id(), user_id).await?.ok_or_else(|| Error::not_found("channel_member"))?;
        member.scheme_admin = roles.split_whitespace().any(|r| r == "channel_admin");
        member.last_update_at = self.now();
        self.store.save_channel_member(&member).await?;
        self.audit(
            Some(principal),
            "channel.member_roles",
            &format!("channel:{channel_id}"),
            serde_json::json!({"user": user_id.as_str(), "roles": member.roles()}),
        )
        .await?;
        self.publish(Event::new(EventKind::ChannelMemberUpdated { member }, Audience::User(user_id.clone())));
        Ok(())
    }

    /// Replaces a member's notification settings (their own only).
    pub async fn set_channel_notify_props(
        &self,
        principal: &Principal,
        channel_id: &ChannelId,
        user_id: &UserId,
        props: serde_json::Value,
    ) -> Result<()> {
        if &principal.user_id != user_id || !props.is_object() {
            return Err(if props.is_object() { Error::forbidden() } else { Error::invalid_param("notify_props") });
        }
        let grant = self.grant(principal, channel_id, Action::Read).await?;
        let mut member = grant.member().cloned().ok_or_else(|| Error::not_found("channel_member"))?;
        if let (Some(current), Some(new)) = (member.notify_props.as_object_mut(), props.as_object()) {
            for (k, v) in new {
                if v.is_string() && k.len() <= 64 {
                    current.insert(k.clone(), v.clone());
                }
            }
        }
        member.last_update_at = self.now();
        self.store.save_channel_member(&member).await?;
        self.publish(Event::new(EventKind::ChannelMemberUpdated { member }, Audience::User(user_id.clone())));
        Ok(())
    }
}

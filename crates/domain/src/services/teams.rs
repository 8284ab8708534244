//! Teams: creation, membership and roles.

use crate::app::App;
use crate::error::{Error, ErrorCode, Result};
use crate::events::{Audience, Event, EventKind};
use crate::ids::{ChannelId, TeamId, UserId, new_id};
use crate::model::{Channel, ChannelType, IntelMode, Team, TeamMember, TeamType, Tlp};
use crate::policy::Principal;
use crate::ports::NewTeam;

/// Channels every team starts with, as in Mattermost.
pub const DEFAULT_CHANNELS: &[(&str, &str)] = &[("town-square", "Town Square"), ("off-topic", "Off-Topic")];

#[derive(Clone, Debug)]
pub struct TeamInput {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub team_type: String,
    pub allow_open_invite: bool,
    pub email: String,
    pub default_tlp: Option<Tlp>,
}

#[derive(Clone, Debug, Default)]
pub struct TeamPatch {
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub allow_open_invite: Option<bool>,
    pub default_tlp: Option<Tlp>,
}

const RESERVED_TEAM_NAMES: &[&str] =
    &["admin", "api", "channels", "files", "hooks", "login", "logout", "oauth", "plugins", "signup", "static", "taxii2", "feeds", "intel", "error"];

pub fn validate_team_name(name: &str) -> Result<()> {
    let ok = (2..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !RESERVED_TEAM_NAMES.contains(&name);
    if ok { Ok(()) } else { Err(Error::invalid_param("name")) }
}

pub(crate) fn validate_display_name(value: &str, field: &'static str) -> Result<()> {
    let n = value.trim().chars().count();
    if (1..=64).contains(&n) { Ok(()) } else { Err(Error::invalid_param(field)) }
}

impl App {
    /// Creates a team with its default channels. The creator becomes its admin.
    pub async fn create_team(&self, actor: Option<&Principal>, input: TeamInput) -> Result<Team> {
        if let Some(p) = actor
            && !p.system_admin
            && !self.settings.team_creation
        {
            return Err(Error::forbidden());
        }
        let name = input.name.trim().to_ascii_lowercase();
        validate_team_name(&name)?;
        validate_display_name(&input.display_name, "display_name")?;
        if input.description.chars().count() > 255 {
            return Err(Error::invalid_param("description"));
        }
        let team_type = TeamType::parse(&input.team_type).ok_or_else(|| Error::invalid_param("type"))?;
        if self.store.get_team_by_name(&name).await?.is_some() {
            return Err(Error::new(ErrorCode::TeamNameTaken).with_param("name"));
        }
        let now = self.now();
        let tlp = input.default_tlp.unwrap_or(self.settings.default_tlp);
        let team = Team {
            id: TeamId::generate(),
            create_at: now,
            update_at: now,
            delete_at: 0,
            name,
            display_name: input.display_name.trim().to_owned(),
            description: input.description,
            email: input.email,
            team_type,
            company_name: String::new(),
            allowed_domains: String::new(),
            invite_id: new_id(),
            // Mattermost keeps the two in step: an open team is one anybody may join.
            allow_open_invite: input.allow_open_invite || team_type == TeamType::Open,
            default_tlp: tlp,
        };
        let creator = actor.map(|p| p.user_id.clone());
        let default_channels = DEFAULT_CHANNELS
            .iter()
            .map(|(name, display)| Channel {
                id: ChannelId::generate(),
                team_id: Some(team.id.clone()),
                channel_type: ChannelType::Open,
                name: (*name).into(),
                display_name: (*display).into(),
                header: String::new(),
                purpose: String::new(),
                creator_id: creator.clone(),
                create_at: now,
                update_at: now,
                delete_at: 0,
                last_post_at: now,
                last_root_post_at: now,
                total_msg_count: 0,
                total_msg_count_root: 0,
                tlp,
                intel_mode: IntelMode::Review,
                intel_attribution: false,
            })
            .collect();
        let team = self.store.create_team(NewTeam { team, creator: creator.clone(), default_channels }).await?;
        if let Some(user) = creator {
            self.publish(Event::new(EventKind::AddedToTeam { team_id: team.id.clone(), user_id: user.clone() }, Audience::User(user)));
        }
        Ok(team)
    }

    async fn active_team_member(&self, team: &TeamId, user: &UserId) -> Result<Option<TeamMember>> {
        Ok(self.store.get_team_member(team, user).await?.filter(|m| m.is_active()))
    }

    /// A team the principal may see: they are a member, it is open for joining, or they
    /// administer the system.
    pub async fn team(&self, principal: &Principal, id: &TeamId) -> Result<Team> {
        let team = self.store.get_team(id).await?.filter(|t| t.delete_at == 0).ok_or_else(|| Error::not_found("team"))?;
        self.check_team_visible(principal, &team).await?;
        Ok(team)
    }

    pub async fn team_by_name(&self, principal: &Principal, name: &str) -> Result<Team> {
        let team =
            self.store.get_team_by_name(&name.to_ascii_lowercase()).await?.filter(|t| t.delete_at == 0).ok_or_else(|| Error::not_found("team"))?;
        self.check_team_visible(principal, &team).await?;
        Ok(team)
    }

    async fn check_team_visible(&self, principal: &Principal, team: &Team) -> Result<()> {
        if principal.system_admin || is_joinable(team) || self.active_team_member(&team.id, &principal.user_id).await?.is_some() {
            Ok(())
        } else {
            Err(Error::not_found("team"))
        }
    }

    /// Teams the principal can see in a listing: joinable ones, their own, or all for admins.
    pub async fn list_teams(&self, principal: &Principal, offset: i64, limit: i64) -> Result<Vec<Team>> {
        if principal.system_admin {
            return self.store.list_teams(true, offset, limit).await;
        }
        self.store.list_teams(false, offset, limit).await
    }

    pub async fn teams_of(&self, principal: &Principal, user: &UserId) -> Result<Vec<Team>> {
        if &principal.user_id != user && !principal.system_admin {
            return Err(Error::forbidden());
        }
        self.store.teams_for_user(user).await
    }

    pub async fn team_members_of_user(&self, principal: &Principal, user: &UserId) -> Result<Vec<TeamMember>> {
        if &principal.user_id != user && !principal.system_admin {
            return Err(Error::forbidden());
        }
        Ok(self.store.team_members_for_user(user).await?.into_iter().filter(|m| m.is_active()).collect())
    }

    async fn require_team_member(&self, principal: &Principal, team: &TeamId) -> Result<Option<TeamMember>> {
        let member = self.active_team_member(team, &principal.user_id).await?;
        if member.is_none() && !principal.system_admin {
            return Err(Error::not_found("team"));
        }
        Ok(member)
    }

    pub async fn team_members(&self, principal: &Principal, team: &TeamId, offset: i64, limit: i64) -> Result<Vec<TeamMember>> {
        self.require_team_member(principal, team).await?;
        self.store.team_members(team, offset, limit).await
    }

    pub async fn team_member(&self, principal: &Principal, team: &TeamId, user: &UserId) -> Result<TeamMember> {
        self.require_team_member(principal, team).await?;
        self.active_team_member(team, user).await?.ok_or_else(|| Error::not_found("team_member"))
    }

    /// Adds a user to a team. Team and system admins add anyone; a user may add themself to an
    /// open team. `actor == None` is the admin CLI.
    pub async fn add_team_member(&self, actor: Option<&Principal>, team_id: &TeamId, user_id: &UserId) -> Result<TeamMember> {
        let team = self.store.get_team(team_id).await?.filter(|t| t.delete_at == 0).ok_or_else(|| Error::not_found("team"))?;
        if let Some(p) = actor {
            let actor_member = self.active_team_member(team_id, &p.user_id).await?;
            let allowed = p.system_admin || actor_member.as_ref().is_some_and(|m| m.scheme_admin) || (&p.user_id == user_id && is_joinable(&team));
            if !allowed {
                return Err(if actor_member.is_some() || is_joinable(&team) { Error::forbidden() } else { Error::not_found("team") });
            }
        }
        self.join_team(&team, user_id).await
    }

    /// Joins the team whose invite id the principal holds.
    pub async fn join_team_by_invite(&self, principal: &Principal, invite_id: &str) -> Result<TeamMember> {
        let team = self.store.get_team_by_invite(invite_id).await?.filter(|t| t.delete_at == 0).ok_or_else(|| Error::not_found("team"))?;
        self.join_team(&team, &principal.user_id).await
    }

    async fn join_team(&self, team: &Team, user_id: &UserId) -> Result<TeamMember> {
        let user = self.store.get_user(user_id).await?.filter(|u| u.is_active()).ok_or_else(|| Error::not_found("user"))?;
        if let Some(existing) = self.active_team_member(&team.id, user_id).await? {
            return Ok(existing);
        }
        let member = TeamMember { team_id: team.id.clone(), user_id: user.id.clone(), scheme_admin: false, analyst: false, delete_at: 0 };
        let defaults: Vec<String> = DEFAULT_CHANNELS.iter().map(|(n, _)| (*n).to_owned()).collect();
        let member = self.store.save_team_member(&member, &defaults, self.now()).await?;
        self.audit(None, "team.member_add", &format!("team:{}", team.id), serde_json::json!({"user": user.id.as_str()})).await?;
        self.publish(Event::new(EventKind::AddedToTeam { team_id: team.id.clone(), user_id: user.id.clone() }, Audience::User(user.id.clone())));
        for name in &defaults {
            if let Some(channel) = self.store.get_channel_by_name(Some(&team.id), name).await? {
                self.publish(Event::new(
                    EventKind::UserAdded { user_id: user.id.clone(), team_id: Some(team.id.clone()), channel_id: channel.id.clone() },
                    Audience::Channel(channel.id),
                ));
            }
        }
        Ok(member)
    }

    /// Removes a user from a team (leaving, or removed by an admin) and from its channels.
    pub async fn remove_team_member(&self, principal: &Principal, team_id: &TeamId, user_id: &UserId) -> Result<()> {
        let actor_member = self.require_team_member(principal, team_id).await?;
        let allowed = &principal.user_id == user_id || principal.system_admin || actor_member.is_some_and(|m| m.scheme_admin);
        if !allowed {
            return Err(Error::forbidden());
        }
        if self.active_team_member(team_id, user_id).await?.is_none() {
            return Err(Error::not_found("team_member"));
        }
        let channels = self.store.remove_team_member(team_id, user_id, self.now()).await?;
        self.audit(Some(principal), "team.member_remove", &format!("team:{team_id}"), serde_json::json!({"user": user_id.as_str()})).await?;
        for channel_id in channels {
            self.publish(Event::new(
                EventKind::UserRemovedSelf { channel_id: channel_id.clone(), remover_id: principal.user_id.clone() },
                Audience::User(user_id.clone()),
            ));
            self.publish(Event::new(
                EventKind::UserRemoved { user_id: user_id.clone(), remover_id: principal.user_id.clone(), channel_id: channel_id.clone() },
                Audience::Channel(channel_id),
            ));
        }
        self.publish(Event::new(EventKind::LeaveTeam { team_id: team_id.clone(), user_id: user_id.clone() }, Audience::Team(team_id.clone())));
        self.publish(Event::new(EventKind::LeaveTeam { team_id: team_id.clone(), user_id: user_id.clone() }, Audience::User(user_id.clone())));
        Ok(())
    }

    /// Sets team roles: `team_user`, optionally `team_admin` and `team_analyst`.
    pub async fn set_team_roles(&self, actor: Option<&Principal>, team_id: &TeamId, user_id: &UserId, roles: &str) -> Result<TeamMember> {
        if let Some(p) = actor {
            let actor_member = self.require_team_member(p, team_id).await?;
            if !(p.system_admin || actor_member.is_some_and(|m| m.scheme_admin)) {
                return Err(Error::forbidden());
            }
        }
        let roles: Vec<&str> = roles.split_whitespace().collect();
        if roles.iter().any(|r| !matches!(*r, "team_user" | "team_admin" | "team_analyst")) {
            return Err(Error::invalid_param("roles"));
        }
        let mut member = self.active_team_member(team_id, user_id).await?.ok_or_else(|| Error::not_found("team_member"))?;
        member.scheme_admin = roles.contains(&"team_admin");
        member.analyst = roles.contains(&"team_analyst");
        let member = self.store.save_team_member(&member, &[], self.now()).await?;
        self.audit(actor, "team.member_roles", &format!("team:{team_id}"), serde_json::json!({"user": user_id.as_str(), "roles": member.roles()}))
            .await?;
        Ok(member)
    }

    pub async fn update_team(&self, principal: &Principal, team_id: &TeamId, patch: TeamPatch) -> Result<Team> {
        let actor_member = self.require_team_member(principal, team_id).await?;
        if !(principal.system_admin || actor_member.is_some_and(|m| m.scheme_admin)) {
            return Err(Error::forbidden());
        }
        let mut team = self.store.get_team(team_id).await?.ok_or_else(|| Error::not_found("team"))?;
        if let Some(d) = patch.display_name {
            validate_display_name(&d, "display_name")?;
            team.display_name = d.trim().to_owned();
        }
        if let Some(d) = patch.description {
            if d.chars().count() > 255 {
                return Err(Error::invalid_param("description"));
            }
            team.description = d;
        }
        if let Some(open) = patch.allow_open_invite {
            team.allow_open_invite = open;
        }
        if let Some(tlp) = patch.default_tlp {
            team.default_tlp = tlp;
        }
        team.update_at = self.now();
        self.store.update_team(&team).await?;
        self.publish(Event::new(EventKind::UpdateTeam { team: team.clone() }, Audience::Team(team.id.clone())));
        Ok(team)
    }

    /// `(total, active)` member counts.
    pub async fn team_stats(&self, principal: &Principal, team_id: &TeamId) -> Result<(i64, i64)> {
        self.require_team_member(principal, team_id).await?;
        self.store.count_team_members(team_id).await
    }

    pub async fn team_by_name_for_admin(&self, name: &str) -> Result<Team> {
        self.store.get_team_by_name(&name.to_ascii_lowercase()).await?.ok_or_else(|| Error::not_found("team"))
    }
}

fn is_joinable(team: &Team) -> bool {
    team.team_type == TeamType::Open && team.allow_open_invite
}

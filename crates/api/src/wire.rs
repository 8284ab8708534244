//! Wire types: the JSON shapes Mattermost clients expect, converted from domain entities by
//! hand so that every field that reaches a client is chosen here.

use domain::model::*;
use domain::services::posts::PostList;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::str::FromStr;

/// Who is looking, for fields only some viewers may see.
#[derive(Clone, Copy)]
pub struct Viewer<'a> {
    pub user_id: &'a str,
    pub admin: bool,
    pub show_email: bool,
}

#[derive(Serialize)]
pub struct UserDto {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub username: String,
    pub auth_data: &'static str,
    pub auth_service: &'static str,
    pub email: String,
    pub email_verified: bool,
    pub nickname: String,
    pub first_name: String,
    pub last_name: String,
    pub position: String,
    pub roles: String,
    pub locale: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_props: Option<Value>,
    pub props: Value,
    pub timezone: Value,
    pub last_password_update: i64,
    pub last_picture_update: i64,
    pub mfa_active: bool,
    pub is_bot: bool,
    pub bot_description: String,
    pub terms_of_service_id: &'static str,
    pub terms_of_service_create_at: i64,
    /// Conclave: the member organization, shown next to every name.
    pub org_id: String,
    pub organization: String,
}

pub fn user(u: &User, v: Viewer<'_>) -> UserDto {
    let is_self = u.id.as_str() == v.user_id;
    UserDto {
        id: u.id.to_string(),
        create_at: u.create_at,
        update_at: u.update_at,
        delete_at: u.delete_at,
        username: u.username.clone(),
        auth_data: "",
        auth_service: "",
        email: if is_self || v.admin || v.show_email { u.email.clone() } else { String::new() },
        email_verified: u.email_verified,
        nickname: u.nickname.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        position: u.position.clone(),
        roles: u.roles.clone(),
        locale: u.locale.clone(),
        notify_props: (is_self || v.admin).then(|| u.notify_props.clone()),
        props: u.props.clone(),
        timezone: u.timezone.clone(),
        last_password_update: if is_self || v.admin { u.last_password_update } else { 0 },
        last_picture_update: u.last_picture_update,
        mfa_active: false,
        is_bot: u.is_bot,
        bot_description: u.bot_description.clone(),
        terms_of_service_id: "",
        terms_of_service_create_at: 0,
        org_id: u.org_id.as_ref().map(|o| o.to_string()).unwrap_or_default(),
        organization: u.org_name.clone(),
    }
}

#[derive(Serialize)]
pub struct TeamDto {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub display_name: String,
    pub name: String,
    pub description: String,
    pub email: String,
    #[serde(rename = "type")]
    pub team_type: &'static str,
    pub company_name: String,
    pub allowed_domains: String,
    pub invite_id: String,
    pub allow_open_invite: bool,
    pub scheme_id: Option<String>,
    pub group_constrained: Option<bool>,
    pub policy_id: Option<String>,
    pub last_team_icon_update: i64,
    /// Conclave: the TLP label new channels start with.
    pub default_tlp: &'static str,
}

/// A team; the invite id and e-mail only for those who administer it.
pub fn team(t: &Team, can_manage: bool) -> TeamDto {
    TeamDto {
        id: t.id.to_string(),
        create_at: t.create_at,
        update_at: t.update_at,
        delete_at: t.delete_at,
        display_name: t.display_name.clone(),
        name: t.name.clone(),
        description: t.description.clone(),
        email: if can_manage { t.email.clone() } else { String::new() },
        team_type: t.team_type.as_str(),
        company_name: t.company_name.clone(),
        allowed_domains: t.allowed_domains.clone(),
        invite_id: if can_manage { t.invite_id.clone() } else { String::new() },
        allow_open_invite: t.allow_open_invite,
        scheme_id: None,
        group_constrained: None,
        policy_id: None,
        last_team_icon_update: 0,
        default_tlp: t.default_tlp.as_str(),
    }
}

pub fn team_member(m: &TeamMember) -> Value {
    json!({
        "team_id": m.team_id.as_str(),
        "user_id": m.user_id.as_str(),
        "roles": m.roles(),
        "delete_at": m.delete_at,
        "scheme_user": true,
        "scheme_admin": m.scheme_admin,
        "scheme_guest": false,
        "explicit_roles": if m.analyst { "team_analyst" } else { "" },
        "msg_count": 0,
        "mention_count": 0,
        "msg_count_root": 0,
        "mention_count_root": 0,
    })
}

#[derive(Serialize)]
pub struct ChannelDto {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub team_id: String,
    #[serde(rename = "type")]
    pub channel_type: &'static str,
    pub display_name: String,
    pub name: String,
    pub header: String,
    pub purpose: String,
    pub last_post_at: i64,
    pub last_root_post_at: i64,
    pub total_msg_count: i64,
    pub total_msg_count_root: i64,
    pub extra_update_at: i64,
    pub creator_id: String,
    pub scheme_id: Option<String>,
    pub props: Option<Value>,
    pub group_constrained: Option<bool>,
    pub shared: Option<bool>,
    pub policy_id: Option<String>,
    /// Conclave: the TLP 2.0 label (`CLEAR`, `GREEN`, `AMBER`, `AMBER+STRICT`, `RED`).
    pub tlp: &'static str,
    /// Conclave: indicator capture (`off`, `review`, `auto-publish`).
    pub intel_mode: &'static str,
    /// Conclave: whether exported sightings may name the poster's organization.
    pub intel_attribution: bool,
}

pub fn channel(c: &Channel) -> ChannelDto {
    ChannelDto {
        id: c.id.to_string(),
        create_at: c.create_at,
        update_at: c.update_at,
        delete_at: c.delete_at,
        team_id: c.team_id.as_ref().map(|t| t.to_string()).unwrap_or_default(),
        channel_type: c.channel_type.as_str(),
        display_name: c.display_name.clone(),
        name: c.name.clone(),
        header: c.header.clone(),
        purpose: c.purpose.clone(),
        last_post_at: c.last_post_at,
        last_root_post_at: c.last_root_post_at,
        total_msg_count: c.total_msg_count,
        total_msg_count_root: c.total_msg_count_root,
        extra_update_at: 0,
        creator_id: c.creator_id.as_ref().map(|u| u.to_string()).unwrap_or_default(),
        scheme_id: None,
        props: None,
        group_constrained: None,
        shared: None,
        policy_id: None,
        tlp: c.tlp.as_str(),
        intel_mode: c.intel_mode.as_str(),
        intel_attribution: c.intel_attribution,
    }
}

pub fn channel_member(m: &ChannelMember) -> Value {
    json!({
        "channel_id": m.channel_id.as_str(),
        "user_id": m.user_id.as_str(),
        "roles": m.roles(),
        "last_viewed_at": m.last_viewed_at,
        "msg_count": m.msg_count,
        "msg_count_root": m.msg_count_root,
        "mention_count": m.mention_count,
        "mention_count_root": m.mention_count_root,
        "urgent_mention_count": m.urgent_mention_count,
        "notify_props": m.notify_props,
        "last_update_at": m.last_update_at,
        "scheme_guest": false,
        "scheme_user": true,
        "scheme_admin": m.scheme_admin,
        "explicit_roles": "",
    })
}

#[derive(Serialize, Default)]
pub struct PostMetadata {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<ReactionDto>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileInfoDto>,
}

#[derive(Serialize)]
pub struct PostDto {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub edit_at: i64,
    pub delete_at: i64,
    pub is_pinned: bool,
    pub user_id: String,
    pub channel_id: String,
    pub root_id: String,
    pub original_id: String,
    pub message: String,
    #[serde(rename = "type")]
    pub post_type: String,
    pub props: Value,
    pub hashtags: String,
    pub pending_post_id: String,
    pub reply_count: i64,
    pub last_reply_at: i64,
    pub participants: Option<Vec<String>>,
    pub file_ids: Vec<String>,
    pub has_reactions: bool,
    pub metadata: PostMetadata,
}

pub fn post(p: &Post) -> PostDto {
    PostDto {
        id: p.id.to_string(),
        create_at: p.create_at,
        update_at: p.update_at,
        edit_at: p.edit_at,
        delete_at: p.delete_at,
        is_pinned: p.is_pinned,
        user_id: p.user_id.to_string(),
        channel_id: p.channel_id.to_string(),
        root_id: p.root_id.as_ref().map(|r| r.to_string()).unwrap_or_default(),
        original_id: p.original_id.clone(),
        message: if p.delete_at != 0 { String::new() } else { p.message.clone() },
        post_type: p.post_type.clone(),
        props: if p.props.is_object() { p.props.clone() } else { json!({}) },
        hashtags: p.hashtags.clone(),
        pending_post_id: p.pending_post_id.clone(),
        reply_count: p.reply_count,
        last_reply_at: p.last_reply_at,
        participants: None,
        file_ids: p.file_ids.iter().map(|f| f.to_string()).collect(),
        has_reactions: p.has_reactions,
        metadata: PostMetadata::default(),
    }
}

#[derive(Serialize)]
pub struct PostListDto {
    pub order: Vec<String>,
    pub posts: BTreeMap<String, PostDto>,
    pub next_post_id: String,
    pub prev_post_id: String,
    pub has_next: bool,
    pub first_inaccessible_post_time: i64,
}

/// A post list, with each post's reactions and files in its metadata.
pub fn post_list(list: &PostList, reactions: &[Reaction], files: &[FileInfo]) -> PostListDto {
    let mut posts: BTreeMap<String, PostDto> = list.posts.iter().map(|(id, p)| (id.to_string(), post(p))).collect();
    for r in reactions {
        if let Some(p) = posts.get_mut(r.post_id.as_str()) {
            p.metadata.reactions.push(reaction(r));
        }
    }
    for f in files {
        if let Some(p) = f.post_id.as_ref().and_then(|id| posts.get_mut(id.as_str())) {
            p.metadata.files.push(file_info(f));
        }
    }
    PostListDto {
        order: list.order.iter().map(|id| id.to_string()).collect(),
        posts,
        next_post_id: list.next_post_id.clone(),
        prev_post_id: list.prev_post_id.clone(),
        has_next: false,
        first_inaccessible_post_time: 0,
    }
}

#[derive(Serialize, Clone)]
pub struct ReactionDto {
    pub user_id: String,
    pub post_id: String,
    pub emoji_name: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub remote_id: &'static str,
    pub channel_id: String,
}

pub fn reaction(r: &Reaction) -> ReactionDto {
    ReactionDto {
        user_id: r.user_id.to_string(),
        post_id: r.post_id.to_string(),
        emoji_name: r.emoji_name.clone(),
        create_at: r.create_at,
        update_at: r.create_at,
        delete_at: 0,
        remote_id: "",
        channel_id: r.channel_id.to_string(),
    }
}

#[derive(Serialize, Clone)]
pub struct FileInfoDto {
    pub id: String,
    pub user_id: String,
    pub post_id: String,
    pub channel_id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub name: String,
    pub extension: String,
    pub size: i64,
    pub mime_type: String,
    pub width: i64,
    pub height: i64,
    pub has_preview_image: bool,
    pub mini_preview: Option<String>,
    pub remote_id: &'static str,
    pub archived: bool,
}

pub fn file_info(f: &FileInfo) -> FileInfoDto {
    FileInfoDto {
        id: f.id.to_string(),
        user_id: f.user_id.to_string(),
        post_id: f.post_id.as_ref().map(|p| p.to_string()).unwrap_or_default(),
        channel_id: f.channel_id.to_string(),
        create_at: f.create_at,
        update_at: f.update_at,
        delete_at: f.delete_at,
        name: f.name.clone(),
        extension: f.extension.clone(),
        size: f.size,
        mime_type: f.mime_type.clone(),
        width: f.width,
        height: f.height,
        has_preview_image: f.has_preview_image,
        mini_preview: None,
        remote_id: "",
        archived: false,
    }
}

/// Mattermost's `ChannelUnreadAt`: a member's read position after "Mark as Unread".
/// `msg_count` is the member's read count (as in a channel member), not the unread count.
pub fn channel_unread_at(u: &domain::ports::ChannelUnread) -> Value {
    json!({
        "team_id": u.channel.team_id.as_ref().map(|t| t.to_string()).unwrap_or_default(),
        "channel_id": u.channel.id.as_str(),
        "user_id": u.member.user_id.as_str(),
        "msg_count": u.member.msg_count,
        "msg_count_root": u.member.msg_count_root,
        "mention_count": u.member.mention_count,
        "mention_count_root": u.member.mention_count_root,
        "urgent_mention_count": u.member.urgent_mention_count,
        "last_viewed_at": u.member.last_viewed_at,
        "notify_props": u.member.notify_props,
    })
}

pub fn status(s: &Status) -> Value {
    json!({"user_id": s.user_id.as_str(), "status": s.status, "manual": s.manual, "last_activity_at": s.last_activity_at, "dnd_end_time": s.dnd_end_time})
}

pub fn preference(p: &Preference) -> Value {
    json!({"user_id": p.user_id.as_str(), "category": p.category, "name": p.name, "value": p.value})
}

pub fn status_ok() -> Value {
    json!({"status": "OK"})
}

/// An indicator as members see it (figures are added by the caller).
pub fn indicator(i: &Indicator) -> Value {
    json!({
        "id": i.id.as_str(),
        "type": i.kind,
        "value": i.value,
        "defanged": ioc::IocType::from_str(&i.kind).map(|k| ioc::defang(k, &i.value)).unwrap_or_else(|_| i.value.clone()),
        "status": i.status.as_str(),
        "confidence": i.confidence,
        "tags": i.tags,
        "kill_chain_phase": i.kill_chain_phase,
        "tlp_floor": i.tlp_floor.as_str(),
        "valid_until": i.valid_until,
        "first_seen": i.first_seen,
        "create_at": i.create_at,
        "update_at": i.update_at,
        "reviewed_by": i.reviewed_by.as_ref().map(|u| u.to_string()).unwrap_or_default(),
        "reviewed_at": i.reviewed_at,
        "published_at": i.published_at,
    })
}

/// A sighting, shown only to people who can read its channel.
pub fn sighting(s: &Sighting) -> Value {
    json!({
        "id": s.id,
        "post_id": s.post_id.as_str(),
        "channel_id": s.channel_id.as_str(),
        "team_id": s.team_id.as_ref().map(|t| t.to_string()).unwrap_or_default(),
        "user_id": s.user_id.as_str(),
        "tlp": s.tlp.as_str(),
        "raw": s.raw,
        "seen_at": s.seen_at,
    })
}

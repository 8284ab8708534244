//! Domain events in Mattermost's WebSocket shapes. Several `data` fields are JSON *strings*
//! holding JSON (`post`, `reaction`, `channel`, `mentions`, ...), exactly as Mattermost
//! sends them; clients parse them a second time.

use crate::wire;
use domain::events::{Audience, Event, EventKind};
use serde_json::{Value, json};
use std::sync::Arc;

fn string_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Name and data of an event, or `None` for events clients never see.
fn name_and_data(kind: &EventKind) -> Option<(&'static str, Value)> {
    // Events reach users through the hub's filter, so user objects are sent as a non-admin
    // third party would see them.
    let viewer = wire::Viewer { user_id: "", admin: false, show_email: false };
    Some(match kind {
        EventKind::Posted { post, channel, sender_name, mentions } => {
            let mut data = json!({
                "post": string_of(&wire::post(post)),
                "channel_type": channel.channel_type.as_str(),
                "channel_display_name": channel.display_name,
                "channel_name": channel.name,
                "sender_name": format!("@{sender_name}"),
                "team_id": channel.team_id.as_ref().map(|t| t.to_string()).unwrap_or_default(),
                "set_online": true,
            });
            if !mentions.is_empty() {
                data["mentions"] = Value::String(string_of(&mentions.iter().map(|m| m.as_str()).collect::<Vec<_>>()));
            }
            if !post.file_ids.is_empty() {
                data["otherFile"] = Value::String("true".into());
            }
            ("posted", data)
        }
        EventKind::PostEdited { post } => ("post_edited", json!({"post": string_of(&wire::post(post))})),
        EventKind::PostDeleted { post, deleted_by } => {
            ("post_deleted", json!({"post": string_of(&wire::post(post)), "delete_by": deleted_by.as_str()}))
        }
        EventKind::ReactionAdded { reaction } => ("reaction_added", json!({"reaction": string_of(&wire::reaction(reaction))})),
        EventKind::ReactionRemoved { reaction } => ("reaction_removed", json!({"reaction": string_of(&wire::reaction(reaction))})),
        EventKind::Typing { user_id, parent_id } => ("typing", json!({"parent_id": parent_id, "user_id": user_id.as_str()})),
        EventKind::MultipleChannelsViewed { times } => {
            let map: serde_json::Map<String, Value> = times.iter().map(|(c, t)| (c.to_string(), json!(t))).collect();
            ("multiple_channels_viewed", json!({"channel_times": map}))
        }
        EventKind::PostUnread { member, post_id, .. } => (
            "post_unread",
            json!({
                "msg_count": member.msg_count,
                "msg_count_root": member.msg_count_root,
                "mention_count": member.mention_count,
                "mention_count_root": member.mention_count_root,
                "urgent_mention_count": member.urgent_mention_count,
                "last_viewed_at": member.last_viewed_at,
                "post_id": post_id.as_str(),
            }),
        ),
        EventKind::ChannelCreated { channel_id, team_id } => {
            ("channel_created", json!({"channel_id": channel_id.as_str(), "team_id": team_id.as_ref().map(|t| t.to_string()).unwrap_or_default()}))
        }
        EventKind::ChannelUpdated { channel } => ("channel_updated", json!({"channel": string_of(&wire::channel(channel))})),
        EventKind::ChannelDeleted { channel_id, delete_at } => {
            ("channel_deleted", json!({"channel_id": channel_id.as_str(), "delete_at": delete_at}))
        }
        EventKind::ChannelRestored { channel_id } => ("channel_restored", json!({"channel_id": channel_id.as_str()})),
        EventKind::ChannelConverted { channel_id } => ("channel_converted", json!({"channel_id": channel_id.as_str()})),
        EventKind::ChannelMemberUpdated { member } => ("channel_member_updated", json!({"channelMember": string_of(&wire::channel_member(member))})),
        EventKind::DirectAdded { creator_id, teammate_id } => {
            ("direct_added", json!({"creator_id": creator_id.as_str(), "teammate_id": teammate_id.as_str()}))
        }
        EventKind::GroupAdded { teammate_ids } => {
            ("group_added", json!({"teammate_ids": string_of(&teammate_ids.iter().map(|u| u.as_str()).collect::<Vec<_>>())}))
        }
        EventKind::UserAdded { user_id, team_id, .. } => {
            ("user_added", json!({"user_id": user_id.as_str(), "team_id": team_id.as_ref().map(|t| t.to_string()).unwrap_or_default()}))
        }
        EventKind::UserRemoved { user_id, remover_id, .. } => {
            ("user_removed", json!({"user_id": user_id.as_str(), "remover_id": remover_id.as_str()}))
        }
        EventKind::UserRemovedSelf { channel_id, remover_id } => {
            ("user_removed", json!({"channel_id": channel_id.as_str(), "remover_id": remover_id.as_str()}))
        }
        EventKind::AddedToTeam { team_id, user_id } => ("added_to_team", json!({"team_id": team_id.as_str(), "user_id": user_id.as_str()})),
        EventKind::LeaveTeam { team_id, user_id } => ("leave_team", json!({"team_id": team_id.as_str(), "user_id": user_id.as_str()})),
        EventKind::UpdateTeam { team } => ("update_team", json!({"team": string_of(&wire::team(team, false))})),
        EventKind::NewUser { user_id } => ("new_user", json!({"user_id": user_id.as_str()})),
        EventKind::UserUpdated { user } => ("user_updated", json!({"user": wire::user(user, viewer)})),
        EventKind::StatusChange { user_id, status } => ("status_change", json!({"status": status, "user_id": user_id.as_str()})),
        EventKind::PreferencesChanged { preferences } => {
            ("preferences_changed", json!({"preferences": string_of(&preferences.iter().map(wire::preference).collect::<Vec<_>>())}))
        }
        EventKind::PreferencesDeleted { preferences } => {
            ("preferences_deleted", json!({"preferences": string_of(&preferences.iter().map(wire::preference).collect::<Vec<_>>())}))
        }
        EventKind::SessionRevoked { .. } | EventKind::UserDeactivated { .. } => return None,
    })
}

fn broadcast(event: &Event) -> Value {
    let (mut user_id, mut channel_id, mut team_id) = (String::new(), String::new(), String::new());
    match &event.audience {
        Audience::User(u) => user_id = u.to_string(),
        Audience::Channel(c) => channel_id = c.to_string(),
        Audience::Team(t) => team_id = t.to_string(),
        Audience::All => {}
    }
    // Clients read which channel a `post_unread` concerns from the broadcast, though only the
    // member receives it.
    if let EventKind::PostUnread { member, team_id: team, .. } = &event.kind {
        channel_id = member.channel_id.to_string();
        team_id = team.as_ref().map(|t| t.to_string()).unwrap_or_default();
    }
    let omit = event.omit_user.as_ref().map(|u| json!({u.as_str(): true})).unwrap_or(Value::Null);
    json!({"omit_users": omit, "user_id": user_id, "channel_id": channel_id, "team_id": team_id, "connection_id": "", "omit_connection_id": ""})
}

/// The frame prefix for an event: everything up to and including `"seq":`.
pub(crate) fn frame(event: &Event) -> Option<Arc<str>> {
    let (name, data) = name_and_data(&event.kind)?;
    let body = json!({"event": name, "data": data, "broadcast": broadcast(event)}).to_string();
    // Replace the closing brace with the sequence field, which each connection fills in.
    let prefix = format!("{},\"seq\":", &body[..body.len() - 1]);
    Some(Arc::from(prefix))
}

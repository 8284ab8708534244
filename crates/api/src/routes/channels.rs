//! `/channels` and the per-user channel listings: channels, membership, read state.

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody, Params, channel_id, team_id, user_id};
use crate::wire;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Error;
use domain::ids::{ChannelId, UserId};
use domain::model::{ChannelType, IntelMode, Tlp};
use domain::services::channels::{ChannelInput, ChannelPatch};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

#[derive(Deserialize)]
pub struct CreateChannel {
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(rename = "type", default)]
    channel_type: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    header: String,
    #[serde(default)]
    tlp: Option<String>,
}

fn parse_tlp(raw: Option<&str>) -> ApiResult<Option<Tlp>> {
    match raw.filter(|s| !s.is_empty()) {
        Some(s) => Tlp::parse(s).map(Some).ok_or_else(|| Error::invalid_param("tlp").into()),
        None => Ok(None),
    }
}

pub async fn create(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(b): JsonBody<CreateChannel>) -> ApiResult<Response> {
    let input = ChannelInput {
        team_id: team_id(&b.team_id)?,
        name: b.name,
        display_name: b.display_name,
        channel_type: b.channel_type,
        purpose: b.purpose,
        header: b.header,
        tlp: parse_tlp(b.tlp.as_deref())?,
    };
    let channel = state.app.create_channel(&auth.principal, input).await?;
    Ok((StatusCode::CREATED, Json(wire::channel(&channel))).into_response())
}

pub async fn direct(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(ids): JsonBody<Vec<String>>) -> ApiResult<Response> {
    let ids = crate::extract::id_list(&ids, UserId::parse, "user_ids", 2)?;
    let channel = state.app.direct_channel(&auth.principal, &ids).await?;
    Ok((StatusCode::CREATED, Json(wire::channel(&channel))).into_response())
}

pub async fn group(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(ids): JsonBody<Vec<String>>) -> ApiResult<Response> {
    let ids = crate::extract::id_list(&ids, UserId::parse, "user_ids", 8)?;
    let channel = state.app.group_channel(&auth.principal, &ids).await?;
    Ok((StatusCode::CREATED, Json(wire::channel(&channel))).into_response())
}

pub async fn get(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<wire::ChannelDto>> {
    let channel = state.app.channel(&auth.principal, &channel_id(&id)?).await?;
    Ok(Json(wire::channel(&channel)))
}

pub async fn by_name(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((team, name)): Path<(String, String)>,
) -> ApiResult<Json<wire::ChannelDto>> {
    let channel = state.app.channel_by_name(&auth.principal, &team_id(&team)?, &name).await?;
    Ok(Json(wire::channel(&channel)))
}

pub async fn by_team_and_channel_name(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((team, name)): Path<(String, String)>,
) -> ApiResult<Json<wire::ChannelDto>> {
    let team = state.app.team_by_name(&auth.principal, &team).await?;
    let channel = state.app.channel_by_name(&auth.principal, &team.id, &name).await?;
    Ok(Json(wire::channel(&channel)))
}

#[derive(Deserialize)]
pub struct PatchChannel {
    name: Option<String>,
    display_name: Option<String>,
    purpose: Option<String>,
    header: Option<String>,
    tlp: Option<String>,
    intel_mode: Option<String>,
    intel_attribution: Option<bool>,
}

pub async fn update(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<PatchChannel>,
) -> ApiResult<Json<wire::ChannelDto>> {
    let intel_mode = match b.intel_mode.as_deref() {
        Some(m) => Some(IntelMode::parse(m).ok_or_else(|| Error::invalid_param("intel_mode"))?),
        None => None,
    };
    let patch = ChannelPatch {
        name: b.name,
        display_name: b.display_name,
        purpose: b.purpose,
        header: b.header,
        tlp: parse_tlp(b.tlp.as_deref())?,
        intel_mode,
        intel_attribution: b.intel_attribution,
    };
    let channel = state.app.patch_channel(&auth.principal, &channel_id(&id)?, patch).await?;
    Ok(Json(wire::channel(&channel)))
}

pub async fn archive(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    state.app.archive_channel(&auth.principal, &channel_id(&id)?, true).await?;
    Ok(Json(wire::status_ok()))
}

pub async fn restore(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<wire::ChannelDto>> {
    let channel = state.app.archive_channel(&auth.principal, &channel_id(&id)?, false).await?;
    Ok(Json(wire::channel(&channel)))
}

#[derive(Deserialize)]
pub struct PrivacyBody {
    privacy: String,
}

pub async fn privacy(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<PrivacyBody>,
) -> ApiResult<Json<wire::ChannelDto>> {
    let channel = state.app.set_channel_privacy(&auth.principal, &channel_id(&id)?, &b.privacy).await?;
    Ok(Json(wire::channel(&channel)))
}

/// The old "convert to private" endpoint.
pub async fn convert(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<wire::ChannelDto>> {
    let channel = state.app.set_channel_privacy(&auth.principal, &channel_id(&id)?, "P").await?;
    Ok(Json(wire::channel(&channel)))
}

pub async fn stats(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let id = channel_id(&id)?;
    let (members, pinned) = state.app.channel_stats(&auth.principal, &id).await?;
    Ok(Json(json!({"channel_id": id.as_str(), "member_count": members, "guest_count": 0, "pinnedpost_count": pinned, "files_count": 0})))
}

pub async fn timezones(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    state.app.channel(&auth.principal, &channel_id(&id)?).await?;
    Ok(Json(json!([])))
}

pub async fn members(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>, params: Params) -> ApiResult<Json<Vec<Value>>> {
    let (offset, limit) = params.offset_limit();
    let members = state.app.channel_members(&auth.principal, &channel_id(&id)?, offset, limit).await?;
    Ok(Json(members.iter().map(wire::channel_member).collect()))
}

pub async fn members_by_ids(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> ApiResult<Json<Vec<Value>>> {
    let channel = channel_id(&id)?;
    let ids = crate::extract::id_list(&ids, UserId::parse, "user_ids", 1000)?;
    let mut out = Vec::new();
    for user in ids {
        match state.app.channel_member(&auth.principal, &channel, &user).await {
            Ok(m) => out.push(wire::channel_member(&m)),
            Err(e) if e.code == domain::ErrorCode::NotFound && e.param == Some("channel_member") => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Json(out))
}

pub async fn member(State(state): State<Arc<AppState>>, auth: Auth, Path((id, user)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    let m = state.app.channel_member(&auth.principal, &channel_id(&id)?, &user).await?;
    Ok(Json(wire::channel_member(&m)))
}

#[derive(Deserialize)]
pub struct AddMember {
    #[serde(default)]
    user_id: String,
}

pub async fn add_member(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<AddMember>,
) -> ApiResult<Response> {
    let user = user_id(&b.user_id, &auth.principal)?;
    let m = state.app.add_channel_member(&auth.principal, &channel_id(&id)?, &user).await?;
    Ok((StatusCode::CREATED, Json(wire::channel_member(&m))).into_response())
}

pub async fn remove_member(State(state): State<Arc<AppState>>, auth: Auth, Path((id, user)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    state.app.remove_channel_member(&auth.principal, &channel_id(&id)?, &user).await?;
    Ok(Json(wire::status_ok()))
}

#[derive(Deserialize)]
pub struct RolesBody {
    roles: String,
}

pub async fn set_member_roles(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((id, user)): Path<(String, String)>,
    JsonBody(b): JsonBody<RolesBody>,
) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    state.app.set_channel_roles(&auth.principal, &channel_id(&id)?, &user, &b.roles).await?;
    Ok(Json(wire::status_ok()))
}

pub async fn set_notify_props(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((id, user)): Path<(String, String)>,
    JsonBody(props): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    state.app.set_channel_notify_props(&auth.principal, &channel_id(&id)?, &user, props).await?;
    Ok(Json(wire::status_ok()))
}

pub async fn public(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(team): Path<String>,
    params: Params,
) -> ApiResult<Json<Vec<wire::ChannelDto>>> {
    let (offset, limit) = params.offset_limit();
    let channels = state.app.public_channels(&auth.principal, &team_id(&team)?, false, offset, limit).await?;
    Ok(Json(channels.iter().map(wire::channel).collect()))
}

pub async fn archived(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(team): Path<String>,
    params: Params,
) -> ApiResult<Json<Vec<wire::ChannelDto>>> {
    let (offset, limit) = params.offset_limit();
    let channels = state.app.public_channels(&auth.principal, &team_id(&team)?, true, offset, limit).await?;
    Ok(Json(channels.iter().map(wire::channel).collect()))
}

pub async fn by_ids(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(_team): Path<String>,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> ApiResult<Json<Vec<wire::ChannelDto>>> {
    let ids = crate::extract::id_list(&ids, ChannelId::parse, "channel_ids", 200)?;
    let mut out = Vec::new();
    for id in ids {
        if let Ok(c) = state.app.channel(&auth.principal, &id).await {
            out.push(wire::channel(&c));
        }
    }
    Ok(Json(out))
}

/// Channels of a team whose name matches: public ones, plus private ones the caller is in.
async fn matching(state: &AppState, auth: &Auth, team: &str, term: &str) -> ApiResult<Vec<wire::ChannelDto>> {
    let team = team_id(team)?;
    if term.chars().count() > 64 {
        return Err(Error::invalid_param("term").into());
    }
    let term = term.to_lowercase();
    let hit = |name: &str, display: &str| term.is_empty() || name.contains(&term) || display.to_lowercase().contains(&term);
    let mut out: Vec<wire::ChannelDto> = Vec::new();
    for c in state.app.public_channels(&auth.principal, &team, false, 0, 1000).await? {
        if hit(&c.name, &c.display_name) {
            out.push(wire::channel(&c));
        }
    }
    for c in state.app.channels_of(&auth.principal, &auth.principal.user_id, Some(&team), false).await? {
        if c.channel_type == ChannelType::Private && hit(&c.name, &c.display_name) {
            out.push(wire::channel(&c));
        }
    }
    out.truncate(100);
    Ok(out)
}

#[derive(Deserialize)]
pub struct SearchBody {
    #[serde(default)]
    term: String,
}

pub async fn search(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(team): Path<String>,
    JsonBody(b): JsonBody<SearchBody>,
) -> ApiResult<Json<Vec<wire::ChannelDto>>> {
    Ok(Json(matching(&state, &auth, &team, &b.term).await?))
}

pub async fn autocomplete(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(team): Path<String>,
    params: Params,
) -> ApiResult<Json<Vec<wire::ChannelDto>>> {
    Ok(Json(matching(&state, &auth, &team, params.str("name").unwrap_or("")).await?))
}

#[derive(Deserialize)]
pub struct ViewBody {
    #[serde(default)]
    channel_id: String,
    #[serde(default)]
    prev_channel_id: String,
}

pub async fn view(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(user): Path<String>,
    JsonBody(b): JsonBody<ViewBody>,
) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    if user != auth.principal.user_id {
        return Err(Error::forbidden().into());
    }
    let parse = |s: &str, name: &'static str| -> ApiResult<Option<ChannelId>> {
        if s.is_empty() { Ok(None) } else { ChannelId::parse(s).map(Some).ok_or_else(|| Error::invalid_param(name).into()) }
    };
    let channel = parse(&b.channel_id, "channel_id")?;
    let prev = parse(&b.prev_channel_id, "prev_channel_id")?;
    let times = state.app.view_channel(&auth.principal, channel.as_ref(), prev.as_ref()).await?;
    Ok(Json(view_response(times)))
}

fn view_response(times: Vec<(ChannelId, i64)>) -> Value {
    let map: serde_json::Map<String, Value> = times.into_iter().map(|(c, t)| (c.to_string(), json!(t))).collect();
    json!({"status": "OK", "last_viewed_at_times": map})
}

/// `POST /channels/members/{user_id}/mark_read` with a list of channel ids
/// (Client4.readMultipleChannels): marks them all read, answering like a view.
pub async fn mark_read(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(user): Path<String>,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    if user != auth.principal.user_id {
        return Err(Error::forbidden().into());
    }
    let ids = crate::extract::id_list(&ids, ChannelId::parse, "channel_ids", 1000)?;
    let times = state.app.mark_channels_read(&auth.principal, &ids).await?;
    Ok(Json(view_response(times)))
}

fn unread_json(u: &domain::ports::ChannelUnread) -> Value {
    json!({
        "team_id": u.channel.team_id.as_ref().map(|t| t.to_string()).unwrap_or_default(),
        "channel_id": u.channel.id.as_str(),
        "msg_count": (u.channel.total_msg_count - u.member.msg_count).max(0),
        "mention_count": u.member.mention_count,
        "msg_count_root": (u.channel.total_msg_count_root - u.member.msg_count_root).max(0),
        "mention_count_root": u.member.mention_count_root,
        "urgent_mention_count": u.member.urgent_mention_count,
        "last_viewed_at": u.member.last_viewed_at,
    })
}

pub async fn unread(State(state): State<Arc<AppState>>, auth: Auth, Path((user, channel)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    let u = state.app.channel_unread(&auth.principal, &user, &channel_id(&channel)?).await?;
    Ok(Json(unread_json(&u)))
}

fn team_unread_json(u: &domain::services::channels::TeamUnread) -> Value {
    json!({"team_id": u.team_id, "msg_count": u.msg_count, "mention_count": u.mention_count, "msg_count_root": u.msg_count_root, "mention_count_root": u.mention_count_root, "thread_count": 0, "thread_mention_count": 0, "thread_urgent_mention_count": 0})
}

pub async fn team_unreads(State(state): State<Arc<AppState>>, auth: Auth, Path(user): Path<String>, params: Params) -> ApiResult<Json<Vec<Value>>> {
    let user = user_id(&user, &auth.principal)?;
    let exclude = params.str("exclude_team").unwrap_or("");
    let unreads = state.app.team_unreads(&auth.principal, &user).await?;
    Ok(Json(unreads.iter().filter(|u| u.team_id != exclude).map(team_unread_json).collect()))
}

pub async fn team_unread(State(state): State<Arc<AppState>>, auth: Auth, Path((user, team)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    let team = team_id(&team)?;
    let unreads = state.app.team_unreads(&auth.principal, &user).await?;
    unreads.iter().find(|u| u.team_id == team.as_str()).map(|u| Json(team_unread_json(u))).ok_or_else(|| Error::not_found("team").into())
}

pub async fn of_user_in_team(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((user, team)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<Vec<wire::ChannelDto>>> {
    let user = user_id(&user, &auth.principal)?;
    let channels = state.app.channels_of(&auth.principal, &user, Some(&team_id(&team)?), params.flag("include_deleted")).await?;
    Ok(Json(channels.iter().map(wire::channel).collect()))
}

pub async fn of_user(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(user): Path<String>,
    params: Params,
) -> ApiResult<Json<Vec<wire::ChannelDto>>> {
    let user = user_id(&user, &auth.principal)?;
    let channels = state.app.channels_of(&auth.principal, &user, None, params.flag("include_deleted")).await?;
    Ok(Json(channels.iter().map(wire::channel).collect()))
}

pub async fn members_of_user_in_team(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((user, team)): Path<(String, String)>,
) -> ApiResult<Json<Vec<Value>>> {
    let user = user_id(&user, &auth.principal)?;
    let members = state.app.channel_members_of(&auth.principal, &user, Some(&team_id(&team)?)).await?;
    Ok(Json(members.iter().map(wire::channel_member).collect()))
}

/// `GET /users/{user_id}/channel_members?page&per_page` (Client4.getAllChannelsMembers): the
/// caller's memberships across every team, direct and group channels included.
pub async fn members_of_user(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(user): Path<String>,
    params: Params,
) -> ApiResult<Json<Vec<Value>>> {
    let user = user_id(&user, &auth.principal)?;
    let (offset, limit) = params.offset_limit();
    let members = state.app.channel_members_of(&auth.principal, &user, None).await?;
    Ok(Json(members.iter().skip(offset as usize).take(limit as usize).map(wire::channel_member).collect()))
}

/// The sidebar's categories: favourites (from preferences), channels, direct messages.
pub async fn categories(State(state): State<Arc<AppState>>, auth: Auth, Path((user, team)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    let team = team_id(&team)?;
    let channels = state.app.channels_of(&auth.principal, &user, Some(&team), false).await?;
    let prefs = state.app.preferences(&auth.principal, &user).await?;
    let favorite = |id: &str| prefs.iter().any(|p| p.category == "favorite_channel" && p.name == id && p.value == "true");
    let (mut favs, mut regular, mut dms) = (Vec::new(), Vec::new(), Vec::new());
    for c in &channels {
        let id = c.id.to_string();
        if favorite(&id) {
            favs.push(id);
        } else if c.channel_type.is_dm() {
            dms.push(id);
        } else {
            regular.push(id);
        }
    }
    let cat = |kind: &str, name: &str, ids: Vec<String>| json!({"id": format!("{kind}_{user}_{team}"), "user_id": user.as_str(), "team_id": team.as_str(), "type": kind, "display_name": name, "sorting": "", "channel_ids": ids, "muted": false, "collapsed": false});
    let categories = vec![cat("favorites", "Favorites", favs), cat("channels", "Channels", regular), cat("direct_messages", "Direct Messages", dms)];
    let order: Vec<Value> = categories.iter().map(|c| c["id"].clone()).collect();
    Ok(Json(json!({"categories": categories, "order": order})))
}

//! `/teams`: teams and team membership.

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody, Params, team_id, user_id};
use crate::wire;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Error;
use domain::ids::UserId;
use domain::model::{Team, Tlp};
use domain::policy::Principal;
use domain::services::teams::{TeamInput, TeamPatch};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// Whether the principal administers the team (to see its invite id).
async fn manages(state: &AppState, principal: &Principal, team: &Team) -> bool {
    principal.system_admin || state.app.team_member(principal, &team.id, &principal.user_id).await.is_ok_and(|m| m.scheme_admin)
}

fn parse_tlp(raw: Option<&str>) -> ApiResult<Option<Tlp>> {
    match raw.filter(|s| !s.is_empty()) {
        Some(s) => Tlp::parse(s).map(Some).ok_or_else(|| Error::invalid_param("default_tlp").into()),
        None => Ok(None),
    }
}

#[derive(Deserialize)]
pub struct CreateTeam {
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "type", default = "default_type")]
    team_type: String,
    #[serde(default)]
    allow_open_invite: bool,
    #[serde(default)]
    email: String,
    #[serde(default)]
    default_tlp: Option<String>,
}

fn default_type() -> String {
    "O".into()
}

pub async fn create(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(b): JsonBody<CreateTeam>) -> ApiResult<Response> {
    let input = TeamInput {
        name: b.name,
        display_name: b.display_name,
        description: b.description,
        team_type: b.team_type,
        allow_open_invite: b.allow_open_invite,
        email: b.email,
        default_tlp: parse_tlp(b.default_tlp.as_deref())?,
    };
    let team = state.app.create_team(Some(&auth.principal), input).await?;
    Ok((StatusCode::CREATED, Json(wire::team(&team, true))).into_response())
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth, params: Params) -> ApiResult<Json<Value>> {
    let (offset, limit) = params.offset_limit();
    let teams = state.app.list_teams(&auth.principal, offset, limit).await?;
    let dtos: Vec<_> = teams.iter().map(|t| wire::team(t, auth.principal.system_admin)).collect();
    if params.flag("include_total_count") {
        return Ok(Json(json!({"teams": dtos, "total_count": teams.len()})));
    }
    Ok(Json(json!(dtos)))
}

pub async fn get(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<wire::TeamDto>> {
    let team = state.app.team(&auth.principal, &team_id(&id)?).await?;
    let manage = manages(&state, &auth.principal, &team).await;
    Ok(Json(wire::team(&team, manage)))
}

pub async fn by_name(State(state): State<Arc<AppState>>, auth: Auth, Path(name): Path<String>) -> ApiResult<Json<wire::TeamDto>> {
    let team = state.app.team_by_name(&auth.principal, &name).await?;
    let manage = manages(&state, &auth.principal, &team).await;
    Ok(Json(wire::team(&team, manage)))
}

pub async fn exists(State(state): State<Arc<AppState>>, auth: Auth, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let found = state.app.team_by_name(&auth.principal, &name).await.is_ok();
    Ok(Json(json!({"exists": found})))
}

#[derive(Deserialize)]
pub struct PatchTeam {
    display_name: Option<String>,
    description: Option<String>,
    allow_open_invite: Option<bool>,
    default_tlp: Option<String>,
}

pub async fn update(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<PatchTeam>,
) -> ApiResult<Json<wire::TeamDto>> {
    let patch = TeamPatch {
        display_name: b.display_name,
        description: b.description,
        allow_open_invite: b.allow_open_invite,
        default_tlp: parse_tlp(b.default_tlp.as_deref())?,
    };
    let team = state.app.update_team(&auth.principal, &team_id(&id)?, patch).await?;
    Ok(Json(wire::team(&team, true)))
}

/// Archiving whole teams is not offered: it would hide every channel's history at once.
pub async fn archive(_auth: Auth, Path(_id): Path<String>) -> ApiResult<Json<Value>> {
    Err(Error::new(domain::ErrorCode::FeatureDisabled).into())
}

pub async fn stats(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let id = team_id(&id)?;
    let (total, active) = state.app.team_stats(&auth.principal, &id).await?;
    Ok(Json(json!({"team_id": id.as_str(), "total_member_count": total, "active_member_count": active})))
}

pub async fn of_user(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<wire::TeamDto>>> {
    let id = user_id(&id, &auth.principal)?;
    let teams = state.app.teams_of(&auth.principal, &id).await?;
    let members = state.app.team_members_of_user(&auth.principal, &id).await?;
    Ok(Json(
        teams
            .iter()
            .map(|t| {
                let admin =
                    auth.principal.system_admin || (id == auth.principal.user_id && members.iter().any(|m| m.team_id == t.id && m.scheme_admin));
                wire::team(t, admin)
            })
            .collect(),
    ))
}

pub async fn members_of_user(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<Value>>> {
    let id = user_id(&id, &auth.principal)?;
    let members = state.app.team_members_of_user(&auth.principal, &id).await?;
    Ok(Json(members.iter().map(wire::team_member).collect()))
}

pub async fn members(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>, params: Params) -> ApiResult<Json<Vec<Value>>> {
    let (offset, limit) = params.offset_limit();
    let members = state.app.team_members(&auth.principal, &team_id(&id)?, offset, limit).await?;
    Ok(Json(members.iter().map(wire::team_member).collect()))
}

pub async fn member(State(state): State<Arc<AppState>>, auth: Auth, Path((team, user)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    let m = state.app.team_member(&auth.principal, &team_id(&team)?, &user).await?;
    Ok(Json(wire::team_member(&m)))
}

pub async fn members_by_ids(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(team): Path<String>,
    JsonBody(ids): JsonBody<Vec<String>>,
) -> ApiResult<Json<Vec<Value>>> {
    let team = team_id(&team)?;
    let ids = crate::extract::id_list(&ids, UserId::parse, "user_ids", 1000)?;
    let mut out = Vec::new();
    for id in ids {
        if let Ok(m) = state.app.team_member(&auth.principal, &team, &id).await {
            out.push(wire::team_member(&m));
        }
    }
    Ok(Json(out))
}

#[derive(Deserialize)]
pub struct AddMember {
    #[serde(default)]
    user_id: String,
}

pub async fn add_member(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(team): Path<String>,
    JsonBody(b): JsonBody<AddMember>,
) -> ApiResult<Response> {
    let user = user_id(&b.user_id, &auth.principal)?;
    let m = state.app.add_team_member(Some(&auth.principal), &team_id(&team)?, &user).await?;
    Ok((StatusCode::CREATED, Json(wire::team_member(&m))).into_response())
}

pub async fn add_members(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(team): Path<String>,
    JsonBody(b): JsonBody<Vec<AddMember>>,
) -> ApiResult<Response> {
    let team = team_id(&team)?;
    if b.len() > 256 {
        return Err(Error::invalid_param("members").into());
    }
    let mut out = Vec::new();
    for m in b {
        let user = user_id(&m.user_id, &auth.principal)?;
        out.push(wire::team_member(&state.app.add_team_member(Some(&auth.principal), &team, &user).await?));
    }
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

pub async fn join_by_invite(State(state): State<Arc<AppState>>, auth: Auth, params: Params) -> ApiResult<Response> {
    let invite = params.str("invite_id").filter(|s| !s.is_empty()).ok_or_else(|| Error::invalid_param("invite_id"))?;
    let m = state.app.join_team_by_invite(&auth.principal, invite).await?;
    Ok((StatusCode::CREATED, Json(wire::team_member(&m))).into_response())
}

pub async fn remove_member(State(state): State<Arc<AppState>>, auth: Auth, Path((team, user)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    state.app.remove_team_member(&auth.principal, &team_id(&team)?, &user).await?;
    Ok(Json(wire::status_ok()))
}

#[derive(Deserialize)]
pub struct RolesBody {
    roles: String,
}

pub async fn set_member_roles(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((team, user)): Path<(String, String)>,
    JsonBody(b): JsonBody<RolesBody>,
) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    state.app.set_team_roles(Some(&auth.principal), &team_id(&team)?, &user, &b.roles).await?;
    Ok(Json(wire::status_ok()))
}

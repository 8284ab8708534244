//! `/users`: sign-up, login, profiles, roles, status, preferences and sessions.

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, JsonBody, MaybeAuth, Params, user_id, viewer};
use crate::wire;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::ids::{SessionId, TeamId, UserId};
use domain::model::Preference;
use domain::ports::UserQuery;
use domain::services::accounts::{NewAccount, UserPatch};
use domain::{Error, ErrorCode};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

#[derive(Deserialize)]
pub struct CreateUser {
    #[serde(default)]
    email: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    nickname: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    props: Option<Value>,
    /// Conclave: the member organization (defaults to the e-mail domain).
    #[serde(default)]
    organization: Option<String>,
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    MaybeAuth(auth): MaybeAuth,
    params: Params,
    JsonBody(body): JsonBody<CreateUser>,
) -> ApiResult<Response> {
    let organization =
        body.organization.clone().or_else(|| body.props.as_ref().and_then(|p| p.get("organization")).and_then(Value::as_str).map(str::to_owned));
    let input = NewAccount {
        username: body.username,
        email: body.email,
        password: body.password,
        first_name: body.first_name,
        last_name: body.last_name,
        nickname: body.nickname,
        position: body.position,
        locale: body.locale,
        organization,
        invite_id: params.str("iid").map(str::to_owned),
        props: body.props,
    };
    let principal = auth.as_ref().map(|a| &a.principal);
    let user = state.app.create_account(principal, input, false).await?;
    let v = match &auth {
        Some(a) => viewer(a, &state),
        None => wire::Viewer { user_id: user.id.as_str(), admin: false, show_email: false },
    };
    Ok((StatusCode::CREATED, Json(wire::user(&user, v))).into_response())
}

#[derive(Deserialize)]
pub struct LoginBody {
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    device_id: String,
}

fn secure(headers: &HeaderMap, state: &AppState) -> bool {
    state.config.site_url.starts_with("https://") || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

fn set_cookie(resp: &mut Response, name: &str, value: &str, http_only: bool, max_age: i64, secure: bool) {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&c) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// `POST /users/login`. Failed attempts are throttled per (account, address) and per
/// address; a correct password from an address that has not failed is never refused, so an
/// attacker cannot lock the owner out.
pub async fn login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    JsonBody(body): JsonBody<LoginBody>,
) -> ApiResult<Response> {
    let login_id = if body.login_id.is_empty() { body.id } else { body.login_id };
    let ip = crate::middleware::peer_ip(&ext);
    let key = (login_id.trim().to_ascii_lowercase(), ip);
    if !state.limits.login_failures.would_allow(&key) || !state.limits.login_failures_ip.would_allow(&ip) {
        let _ = state.app.audit(None, "login.throttled", &format!("login:{}", key.0), serde_json::json!({"ip": ip.to_string()})).await;
        return Err(Error::new(ErrorCode::LoginThrottled).into());
    }
    let login = match state.app.login(&login_id, &body.password, &body.device_id).await {
        Ok(login) => login,
        Err(e) => {
            if matches!(e.code, ErrorCode::InvalidCredentials | ErrorCode::AccountDeactivated) {
                state.limits.login_failures.check(&key);
                state.limits.login_failures_ip.check(&ip);
                let _ = state
                    .app
                    .audit(
                        None,
                        "login.failure",
                        &format!("login:{}", key.0),
                        serde_json::json!({"ip": ip.to_string(), "reason": format!("{:?}", e.code)}),
                    )
                    .await;
            }
            return Err(e.into());
        }
    };
    state.limits.login_failures.forget(&key);
    let _ = state.app.audit(None, "login.success", &format!("user:{}", login.user.id), serde_json::json!({"ip": ip.to_string()})).await;
    let v = wire::Viewer { user_id: login.user.id.as_str(), admin: login.user.is_system_admin(), show_email: true };
    let mut resp = Json(wire::user(&login.user, v)).into_response();
    resp.headers_mut().insert("token", HeaderValue::from_str(&login.token).map_err(|e| ApiError(Error::internal(e)))?);
    let secure = secure(&headers, &state);
    let max_age = state.app.settings.session_length_ms / 1000;
    set_cookie(&mut resp, "MMAUTHTOKEN", &login.token, true, max_age, secure);
    set_cookie(&mut resp, "MMUSERID", login.user.id.as_str(), false, max_age, secure);
    set_cookie(&mut resp, "MMCSRF", &login.session.csrf_token, false, max_age, secure);
    Ok(resp)
}

pub async fn logout(State(state): State<Arc<AppState>>, headers: HeaderMap, MaybeAuth(auth): MaybeAuth) -> ApiResult<Response> {
    if let Some(auth) = auth {
        state.app.logout(&auth.principal).await?;
    }
    let mut resp = Json(wire::status_ok()).into_response();
    let secure = secure(&headers, &state);
    for (name, http_only) in [("MMAUTHTOKEN", true), ("MMUSERID", false), ("MMCSRF", false)] {
        set_cookie(&mut resp, name, "", http_only, 0, secure);
    }
    Ok(resp)
}

pub async fn get(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<wire::UserDto>> {
    let id = user_id(&id, &auth.principal)?;
    let user = state.app.user(&auth.principal, &id).await?;
    Ok(Json(wire::user(&user, viewer(&auth, &state))))
}

pub async fn by_username(State(state): State<Arc<AppState>>, auth: Auth, Path(name): Path<String>) -> ApiResult<Json<wire::UserDto>> {
    let user = state.app.user_by_username(&name).await?;
    Ok(Json(wire::user(&user, viewer(&auth, &state))))
}

pub async fn by_email(State(state): State<Arc<AppState>>, auth: Auth, Path(email): Path<String>) -> ApiResult<Json<wire::UserDto>> {
    // Looking people up by address would reveal addresses that are otherwise hidden.
    if !auth.principal.system_admin && !state.app.settings.show_email_address {
        return Err(Error::forbidden().into());
    }
    let user = state.app.user_by_email(&email).await?;
    Ok(Json(wire::user(&user, viewer(&auth, &state))))
}

pub async fn by_ids(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(ids): JsonBody<Vec<String>>) -> ApiResult<Json<Vec<wire::UserDto>>> {
    let ids = crate::extract::id_list(&ids, UserId::parse, "user_ids", 1000)?;
    let users = state.app.users_by_ids(&auth.principal, &ids).await?;
    Ok(Json(users.iter().map(|u| wire::user(u, viewer(&auth, &state))).collect()))
}

pub async fn by_usernames(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    JsonBody(names): JsonBody<Vec<String>>,
) -> ApiResult<Json<Vec<wire::UserDto>>> {
    let users = state.app.users_by_usernames(&auth.principal, &names).await?;
    Ok(Json(users.iter().map(|u| wire::user(u, viewer(&auth, &state))).collect()))
}

fn opt_id<T>(params: &Params, name: &'static str, parse: fn(&str) -> Option<T>) -> ApiResult<Option<T>> {
    match params.str(name).filter(|s| !s.is_empty()) {
        Some(raw) => parse(raw).map(Some).ok_or_else(|| Error::invalid_param(name).into()),
        None => Ok(None),
    }
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth, params: Params) -> ApiResult<Json<Vec<wire::UserDto>>> {
    let (offset, limit) = params.offset_limit();
    let q = UserQuery {
        in_team: opt_id(&params, "in_team", TeamId::parse)?,
        not_in_team: opt_id(&params, "not_in_team", TeamId::parse)?,
        in_channel: opt_id(&params, "in_channel", domain::ids::ChannelId::parse)?,
        not_in_channel: opt_id(&params, "not_in_channel", domain::ids::ChannelId::parse)?,
        org: opt_id(&params, "organization", domain::ids::OrgId::parse)?,
        term: params.str("term").map(str::to_owned),
        include_inactive: params.flag("inactive") || params.flag("include_inactive"),
        only_inactive: params.flag("inactive") && !params.flag("active"),
        offset,
        limit,
    };
    let users = state.app.list_users(&auth.principal, q).await?;
    Ok(Json(users.iter().map(|u| wire::user(u, viewer(&auth, &state))).collect()))
}

#[derive(Deserialize)]
pub struct SearchBody {
    #[serde(default)]
    term: String,
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    not_in_team_id: String,
    #[serde(default)]
    in_channel_id: String,
    #[serde(default)]
    not_in_channel_id: String,
    #[serde(default)]
    allow_inactive: bool,
    #[serde(default)]
    limit: Option<i64>,
}

fn body_id<T>(raw: &str, name: &'static str, parse: fn(&str) -> Option<T>) -> ApiResult<Option<T>> {
    if raw.is_empty() { Ok(None) } else { parse(raw).map(Some).ok_or_else(|| Error::invalid_param(name).into()) }
}

pub async fn search(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(body): JsonBody<SearchBody>) -> ApiResult<Json<Vec<wire::UserDto>>> {
    let q = UserQuery {
        in_team: body_id(&body.team_id, "team_id", TeamId::parse)?,
        not_in_team: body_id(&body.not_in_team_id, "not_in_team_id", TeamId::parse)?,
        in_channel: body_id(&body.in_channel_id, "in_channel_id", domain::ids::ChannelId::parse)?,
        not_in_channel: body_id(&body.not_in_channel_id, "not_in_channel_id", domain::ids::ChannelId::parse)?,
        term: Some(body.term),
        include_inactive: body.allow_inactive,
        limit: body.limit.unwrap_or(100).clamp(1, 100),
        ..Default::default()
    };
    let users = state.app.list_users(&auth.principal, q).await?;
    Ok(Json(users.iter().map(|u| wire::user(u, viewer(&auth, &state))).collect()))
}

pub async fn autocomplete(State(state): State<Arc<AppState>>, auth: Auth, params: Params) -> ApiResult<Json<Value>> {
    let term = params.str("name").map(str::to_owned);
    let limit = params.int("limit", 100).clamp(1, 200);
    let team = opt_id(&params, "in_team", TeamId::parse)?;
    let channel = opt_id(&params, "in_channel", domain::ids::ChannelId::parse)?;
    let v = viewer(&auth, &state);
    let users = state
        .app
        .list_users(
            &auth.principal,
            UserQuery { in_team: team.clone(), in_channel: channel.clone(), term: term.clone(), limit, ..Default::default() },
        )
        .await?;
    let mut out = json!({"users": users.iter().map(|u| wire::user(u, v)).collect::<Vec<_>>()});
    if let Some(channel) = channel {
        let others = state
            .app
            .list_users(&auth.principal, UserQuery { in_team: team, not_in_channel: Some(channel), term, limit, ..Default::default() })
            .await?;
        out["out_of_channel"] = json!(others.iter().map(|u| wire::user(u, v)).collect::<Vec<_>>());
    }
    Ok(Json(out))
}

#[derive(Deserialize, Default)]
pub struct PatchBody {
    username: Option<String>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    nickname: Option<String>,
    position: Option<String>,
    locale: Option<String>,
    props: Option<Value>,
    notify_props: Option<Value>,
    timezone: Option<Value>,
    organization: Option<String>,
}

impl From<PatchBody> for UserPatch {
    fn from(b: PatchBody) -> Self {
        UserPatch {
            username: b.username,
            email: b.email,
            first_name: b.first_name,
            last_name: b.last_name,
            nickname: b.nickname,
            position: b.position,
            locale: b.locale,
            props: b.props,
            notify_props: b.notify_props,
            timezone: b.timezone,
            organization: b.organization,
        }
    }
}

pub async fn patch(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PatchBody>,
) -> ApiResult<Json<wire::UserDto>> {
    let id = user_id(&id, &auth.principal)?;
    let user = state.app.patch_user(&auth.principal, &id, body.into()).await?;
    Ok(Json(wire::user(&user, viewer(&auth, &state))))
}

/// `PUT /users/{id}` replaces the profile; the fields it may change are the patch's.
pub async fn update(state: State<Arc<AppState>>, auth: Auth, path: Path<String>, body: JsonBody<PatchBody>) -> ApiResult<Json<wire::UserDto>> {
    patch(state, auth, path, body).await
}

pub async fn deactivate(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let id = user_id(&id, &auth.principal)?;
    state.app.set_active(Some(&auth.principal), &id, false).await?;
    Ok(Json(wire::status_ok()))
}

#[derive(Deserialize)]
pub struct ActiveBody {
    active: bool,
}

pub async fn set_active(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ActiveBody>,
) -> ApiResult<Json<Value>> {
    let id = user_id(&id, &auth.principal)?;
    state.app.set_active(Some(&auth.principal), &id, body.active).await?;
    Ok(Json(wire::status_ok()))
}

#[derive(Deserialize)]
pub struct RolesBody {
    roles: String,
}

pub async fn set_roles(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RolesBody>,
) -> ApiResult<Json<Value>> {
    let id = user_id(&id, &auth.principal)?;
    state.app.set_system_roles(Some(&auth.principal), &id, &body.roles).await?;
    Ok(Json(wire::status_ok()))
}

#[derive(Deserialize)]
pub struct PasswordBody {
    #[serde(default)]
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PasswordBody>,
) -> ApiResult<Json<Value>> {
    let id = user_id(&id, &auth.principal)?;
    state.app.change_password(&auth.principal, &id, &body.current_password, &body.new_password).await?;
    Ok(Json(wire::status_ok()))
}

/// A generated avatar: a tile in a colour derived from the user id, with the initial drawn
/// as a simple block glyph. Generated, never uploaded, so it cannot carry active content.
pub async fn image(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let id = user_id(&id, &auth.principal)?;
    let user = state.app.user(&auth.principal, &id).await?;
    let png = crate::routes::files::avatar_png(user.id.as_str());
    let mut resp = png.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    Ok(resp)
}

pub async fn status(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let id = user_id(&id, &auth.principal)?;
    let s = state.app.statuses(std::slice::from_ref(&id)).await?;
    Ok(Json(s.first().map(wire::status).unwrap_or(Value::Null)))
}

#[derive(Deserialize)]
pub struct StatusBody {
    status: String,
    #[serde(default)]
    dnd_end_time: i64,
}

pub async fn set_status(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StatusBody>,
) -> ApiResult<Json<Value>> {
    let id = user_id(&id, &auth.principal)?;
    let s = state.app.set_status(&auth.principal, &id, &body.status, body.dnd_end_time).await?;
    Ok(Json(wire::status(&s)))
}

pub async fn statuses(State(state): State<Arc<AppState>>, _auth: Auth, JsonBody(ids): JsonBody<Vec<String>>) -> ApiResult<Json<Vec<Value>>> {
    let ids = crate::extract::id_list(&ids, UserId::parse, "user_ids", 1000)?;
    let s = state.app.statuses(&ids).await?;
    Ok(Json(s.iter().map(wire::status).collect()))
}

pub async fn sessions(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<Value>>> {
    let id = user_id(&id, &auth.principal)?;
    let sessions = state.app.sessions_of(&auth.principal, &id).await?;
    Ok(Json(
        sessions
            .iter()
            .map(|s| json!({"id": s.id.as_str(), "user_id": s.user_id.as_str(), "create_at": s.create_at, "expires_at": s.expires_at, "last_activity_at": s.last_activity_at, "device_id": s.device_id, "roles": "", "is_oauth": false, "props": {}}))
            .collect(),
    ))
}

#[derive(Deserialize)]
pub struct RevokeBody {
    session_id: String,
}

pub async fn revoke_session(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RevokeBody>,
) -> ApiResult<Json<Value>> {
    let id = user_id(&id, &auth.principal)?;
    let session = SessionId::parse(&body.session_id).ok_or_else(|| ApiError(Error::invalid_param("session_id")))?;
    state.app.revoke_session(&auth.principal, &id, &session).await?;
    Ok(Json(wire::status_ok()))
}

pub async fn revoke_all_sessions(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let id = user_id(&id, &auth.principal)?;
    state.app.revoke_all_sessions(&auth.principal, &id).await?;
    Ok(Json(wire::status_ok()))
}

#[derive(Deserialize)]
pub struct PrefBody {
    #[serde(default)]
    user_id: String,
    category: String,
    name: String,
    #[serde(default)]
    value: String,
}

fn prefs_from(body: Vec<PrefBody>, user: &UserId) -> ApiResult<Vec<Preference>> {
    body.into_iter()
        .map(|p| {
            if !p.user_id.is_empty() && p.user_id != user.as_str() {
                return Err(ApiError(Error::forbidden()));
            }
            Ok(Preference { user_id: user.clone(), category: p.category, name: p.name, value: p.value })
        })
        .collect()
}

pub async fn preferences(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<Value>>> {
    let id = user_id(&id, &auth.principal)?;
    let prefs = state.app.preferences(&auth.principal, &id).await?;
    Ok(Json(prefs.iter().map(wire::preference).collect()))
}

pub async fn preferences_in(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((id, category)): Path<(String, String)>,
) -> ApiResult<Json<Vec<Value>>> {
    let id = user_id(&id, &auth.principal)?;
    let prefs = state.app.preferences(&auth.principal, &id).await?;
    Ok(Json(prefs.iter().filter(|p| p.category == category).map(wire::preference).collect()))
}

pub async fn preference(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((id, category, name)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    let id = user_id(&id, &auth.principal)?;
    let prefs = state.app.preferences(&auth.principal, &id).await?;
    prefs
        .iter()
        .find(|p| p.category == category && p.name == name)
        .map(|p| Json(wire::preference(p)))
        .ok_or_else(|| ApiError(Error::new(ErrorCode::NotFound).with_param("preference")))
}

pub async fn save_preferences(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Vec<PrefBody>>,
) -> ApiResult<Json<Value>> {
    let id = user_id(&id, &auth.principal)?;
    let prefs = prefs_from(body, &id)?;
    state.app.save_preferences(&auth.principal, &id, prefs).await?;
    Ok(Json(wire::status_ok()))
}

pub async fn delete_preferences(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Vec<PrefBody>>,
) -> ApiResult<Json<Value>> {
    let id = user_id(&id, &auth.principal)?;
    let prefs = prefs_from(body, &id)?;
    state.app.delete_preferences(&auth.principal, &id, prefs).await?;
    Ok(Json(wire::status_ok()))
}

//! Extractors: who is calling, their JSON body, ids from the path, and query parameters.
//!
//! Authentication is an extractor, so a handler that needs a principal cannot forget to
//! authenticate; handlers without it are public by construction (ping, client config,
//! login, sign-up).

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{Method, request::Parts};
use domain::ids::{ChannelId, FileId, PostId, TeamId, UserId};
use domain::model::Session;
use domain::policy::Principal;
use domain::{Error, ErrorCode};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;

/// The authenticated caller.
pub struct Auth {
    pub principal: Principal,
    pub session: Session,
    pub token: String,
}

/// The session token from `Authorization` (Bearer or Token), else the `MMAUTHTOKEN` cookie.
/// Returns the token and whether it came from the cookie.
pub fn token_from_parts(parts: &Parts) -> Option<(String, bool)> {
    if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let value = value.trim();
        for scheme in ["bearer ", "token "] {
            if value.len() > scheme.len() && value[..scheme.len()].eq_ignore_ascii_case(scheme) {
                return Some((value[scheme.len()..].trim().to_owned(), false));
            }
        }
    }
    cookie(parts, "MMAUTHTOKEN").map(|t| (t, true))
}

pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Mattermost's CSRF rule for cookie-authenticated writes: the `X-CSRF-Token` header must
/// match the session's token, or the request must carry `X-Requested-With: XMLHttpRequest`
/// (a header no cross-site form can set).
fn csrf_ok(parts: &Parts, session: &Session) -> bool {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !session.csrf_token.is_empty() && header("x-csrf-token") == session.csrf_token {
        return true;
    }
    header("x-requested-with").eq_ignore_ascii_case("XMLHttpRequest")
}

impl FromRequestParts<Arc<AppState>> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> ApiResult<Self> {
        let Some((token, from_cookie)) = token_from_parts(parts) else {
            return Err(Error::new(ErrorCode::SessionExpired).into());
        };
        let (principal, session) = state.app.authenticate(&token).await?;
        if from_cookie && !csrf_ok(parts, &session) {
            return Err(Error::new(ErrorCode::CsrfFailed).into());
        }
        if !state.limits.per_user.check(&principal.user_id.to_string()).allowed {
            return Err(Error::new(ErrorCode::RateLimited).into());
        }
        Ok(Auth { principal, session, token })
    }
}

/// A JSON body. Mattermost ignores `Content-Type` (Client4 often sends none), so this
/// extractor does too; malformed JSON and wrong types are a 400 in the AppError shape.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> ApiResult<Self> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::new(ErrorCode::BodyTooLarge)
            } else {
                Error::new(ErrorCode::InvalidBody).with_param("body")
            }
        })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| ApiError(Error::new(ErrorCode::InvalidBody).with_param("body").with_detail(e)))
    }
}

/// Query parameters, parsed leniently as Mattermost does: a malformed number falls back
/// to the default rather than failing the request.
pub struct Params(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        let query = parts.uri.query().unwrap_or("");
        let map = axum::extract::Query::<HashMap<String, String>>::try_from_uri(&format!("/?{query}").parse().unwrap_or_default())
            .map(|q| q.0)
            .unwrap_or_default();
        Ok(Params(map))
    }
}

impl Params {
    pub fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.str(name).is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }

    pub fn int(&self, name: &str, default: i64) -> i64 {
        self.str(name).and_then(|v| v.parse().ok()).unwrap_or(default)
    }

    /// `page` (0-based, negative means 0) and `per_page` (default 60, clamped to 1..=200).
    pub fn paging(&self) -> (i64, i64) {
        let page = self.int("page", 0).max(0);
        let per_page = self.str("per_page").or_else(|| self.str("pageSize")).and_then(|v| v.parse::<i64>().ok()).unwrap_or(60);
        (page, per_page.clamp(1, 200))
    }

    /// Offset and limit for `page`/`per_page`.
    pub fn offset_limit(&self) -> (i64, i64) {
        let (page, per_page) = self.paging();
        (page.saturating_mul(per_page).min(1_000_000), per_page)
    }
}

fn bad(param: &'static str) -> ApiError {
    ApiError(Error::invalid_param(param))
}

/// A user id from the path or body, with `me` meaning the caller.
pub fn user_id(raw: &str, me: &Principal) -> ApiResult<UserId> {
    if raw == "me" { Ok(me.user_id.clone()) } else { UserId::parse(raw).ok_or_else(|| bad("user_id")) }
}

pub fn team_id(raw: &str) -> ApiResult<TeamId> {
    TeamId::parse(raw).ok_or_else(|| bad("team_id"))
}

pub fn channel_id(raw: &str) -> ApiResult<ChannelId> {
    ChannelId::parse(raw).ok_or_else(|| bad("channel_id"))
}

pub fn post_id(raw: &str) -> ApiResult<PostId> {
    PostId::parse(raw).ok_or_else(|| bad("post_id"))
}

pub fn file_id(raw: &str) -> ApiResult<FileId> {
    FileId::parse(raw).ok_or_else(|| bad("file_id"))
}

/// Parses a JSON array of ids, refusing malformed ones and oversized lists.
pub fn id_list<T>(raw: &[String], parse: fn(&str) -> Option<T>, param: &'static str, max: usize) -> ApiResult<Vec<T>> {
    if raw.len() > max {
        return Err(bad(param));
    }
    raw.iter().map(|s| parse(s).ok_or_else(|| bad(param))).collect()
}

/// The caller if they presented a valid session, else nobody (for sign-up, which admins may
/// also use to create accounts).
pub struct MaybeAuth(pub Option<Auth>);

impl FromRequestParts<Arc<AppState>> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> ApiResult<Self> {
        if token_from_parts(parts).is_none() {
            return Ok(MaybeAuth(None));
        }
        Ok(MaybeAuth(Auth::from_request_parts(parts, state).await.ok()))
    }
}

/// Who is looking, for the wire module's per-viewer fields.
pub fn viewer<'a>(auth: &'a Auth, state: &AppState) -> crate::wire::Viewer<'a> {
    crate::wire::Viewer {
        user_id: auth.principal.user_id.as_str(),
        admin: auth.principal.system_admin,
        show_email: state.app.settings.show_email_address,
    }
}

//! `/intel`: indicators for members and analysts, and feed administration. Everything a
//! member sees is computed over the sightings they can read.

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody, Params, channel_id};
use crate::wire;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Error;
use domain::ids::{IndicatorId, TeamId};
use domain::model::{FeedKey, IndicatorStatus, Tlp};
use domain::ports::{IndicatorFilter, VisibleIndicator};
use domain::services::intel::Decision;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

fn indicator_id(raw: &str) -> ApiResult<IndicatorId> {
    IndicatorId::parse(raw).ok_or_else(|| Error::invalid_param("indicator_id").into())
}

/// An indicator as a member sees it: its times come from the sightings they can read. The
/// indicator's own timestamps move with every sighting anywhere (and `published_at` with
/// every export), so showing them would tell a member when the value was last mentioned in
/// a channel they cannot read.
fn member_json(i: &domain::model::Indicator, first_seen: i64, last_seen: i64) -> Value {
    let mut out = wire::indicator(i);
    out["first_seen"] = json!(first_seen);
    out["create_at"] = json!(first_seen);
    out["last_seen"] = json!(last_seen);
    out["update_at"] = json!(last_seen.max(i.reviewed_at));
    if let Some(m) = out.as_object_mut() {
        m.remove("published_at");
    }
    out
}

fn visible_json(v: &VisibleIndicator) -> Value {
    let mut out = member_json(&v.indicator, v.first_seen, v.last_seen);
    out["sighting_count"] = json!(v.sightings);
    out["channel_count"] = json!(v.channels);
    out
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth, params: Params) -> ApiResult<Json<Vec<Value>>> {
    let (offset, limit) = params.offset_limit();
    let status = match params.str("status").filter(|s| !s.is_empty()) {
        Some(s) => Some(IndicatorStatus::parse(s).ok_or_else(|| Error::invalid_param("status"))?),
        None => None,
    };
    let channel = match params.str("channel_id").filter(|s| !s.is_empty()) {
        Some(c) => Some(channel_id(c)?),
        None => None,
    };
    let team = match params.str("team_id").filter(|s| !s.is_empty()) {
        Some(t) => Some(TeamId::parse(t).ok_or_else(|| Error::invalid_param("team_id"))?),
        None => None,
    };
    let filter = IndicatorFilter {
        status,
        kind: params.str("type").filter(|s| !s.is_empty()).map(str::to_owned),
        term: params.str("q").map(str::to_owned),
        channel,
        team,
        offset,
        limit,
    };
    let found = state.app.indicators(&auth.principal, filter).await?;
    Ok(Json(found.iter().map(visible_json).collect()))
}

pub async fn for_channel(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>, params: Params) -> ApiResult<Json<Vec<Value>>> {
    let (offset, limit) = params.offset_limit();
    let found = state.app.channel_indicators(&auth.principal, &channel_id(&id)?, offset, limit).await?;
    Ok(Json(found.iter().map(visible_json).collect()))
}

pub async fn queue(State(state): State<Arc<AppState>>, auth: Auth, params: Params) -> ApiResult<Json<Vec<Value>>> {
    let (offset, limit) = params.offset_limit();
    let found = state.app.review_queue(&auth.principal, offset, limit).await?;
    Ok(Json(found.iter().map(visible_json).collect()))
}

pub async fn get(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let d = state.app.indicator_detail(&auth.principal, &indicator_id(&id)?).await?;
    let first = d.sightings.iter().map(|s| s.seen_at).min().unwrap_or_default();
    let last = d.sightings.iter().map(|s| s.seen_at).max().unwrap_or_default();
    let mut out = member_json(&d.indicator, first, last);
    out["sightings"] = json!(d.sightings.iter().map(wire::sighting).collect::<Vec<_>>());
    out["sighting_count"] = json!(d.sightings.len());
    out["channel_count"] = json!(d.channels);
    out["can_review"] = json!(d.can_review);
    Ok(Json(out))
}

pub async fn posts(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<wire::PostDto>>> {
    let posts = state.app.indicator_posts(&auth.principal, &indicator_id(&id)?).await?;
    Ok(Json(posts.iter().map(wire::post).collect()))
}

#[derive(Deserialize)]
pub struct ReviewBody {
    action: String,
    confidence: Option<i64>,
    tags: Option<Vec<String>>,
    kill_chain_phase: Option<String>,
    tlp: Option<String>,
    expires_in_days: Option<i64>,
    #[serde(default)]
    allowlist: bool,
    #[serde(default)]
    reason: String,
}

pub async fn review(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ReviewBody>,
) -> ApiResult<Json<Value>> {
    let tlp = match b.tlp.as_deref().filter(|s| !s.is_empty()) {
        Some(t) => Some(Tlp::parse(t).ok_or_else(|| Error::invalid_param("tlp"))?),
        None => None,
    };
    let decision = Decision {
        action: b.action,
        confidence: b.confidence,
        tags: b.tags,
        kill_chain_phase: b.kill_chain_phase,
        tlp,
        expires_in_days: b.expires_in_days,
        allowlist: b.allowlist,
        reason: b.reason,
    };
    let ind = state.app.review_indicator(&auth.principal, &indicator_id(&id)?, decision).await?;
    Ok(Json(wire::indicator(&ind)))
}

/// Finds indicators in a text, as the web client highlights them: type, canonical value,
/// and the span in UTF-16 code units (JavaScript string offsets).
#[derive(Deserialize)]
pub struct ExtractBody {
    text: String,
}

pub async fn extract(State(state): State<Arc<AppState>>, _auth: Auth, JsonBody(b): JsonBody<ExtractBody>) -> ApiResult<Json<Vec<Value>>> {
    if b.text.chars().count() > state.app.settings.max_post_chars * 4 {
        return Err(Error::invalid_param("text").into());
    }
    Ok(Json(
        state
            .app
            .highlight(&b.text)
            .into_iter()
            .map(|h| json!({"type": h.kind, "value": h.value, "defanged": h.defanged, "start": h.start, "end": h.end}))
            .collect(),
    ))
}

fn key_json(k: &FeedKey) -> Value {
    json!({"id": k.id, "name": k.name, "tlp_ceiling": k.tlp_ceiling.as_str(), "collections": k.collections, "can_write": k.can_write, "create_at": k.create_at, "revoked_at": k.revoked_at, "last_used_at": k.last_used_at})
}

pub async fn feed_keys(State(state): State<Arc<AppState>>, auth: Auth) -> ApiResult<Json<Vec<Value>>> {
    let keys = state.app.feed_keys(Some(&auth.principal)).await?;
    Ok(Json(keys.iter().map(key_json).collect()))
}

#[derive(Deserialize)]
pub struct NewKey {
    name: String,
    tlp_ceiling: String,
    #[serde(default)]
    collections: Vec<String>,
    #[serde(default)]
    can_write: bool,
}

pub async fn create_feed_key(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(b): JsonBody<NewKey>) -> ApiResult<Response> {
    let ceiling = Tlp::parse(&b.tlp_ceiling).ok_or_else(|| Error::invalid_param("tlp_ceiling"))?;
    let (key, secret) = state.app.create_feed_key(Some(&auth.principal), &b.name, ceiling, b.collections, b.can_write).await?;
    let mut out = key_json(&key);
    out["key"] = json!(secret);
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

pub async fn revoke_feed_key(State(state): State<Arc<AppState>>, auth: Auth, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    state.app.revoke_feed_key(Some(&auth.principal), &name).await?;
    Ok(Json(wire::status_ok()))
}

pub async fn collections(State(state): State<Arc<AppState>>, auth: Auth) -> ApiResult<Json<Vec<Value>>> {
    let cols = state.app.collections_for_admin(Some(&auth.principal)).await?;
    Ok(Json(cols.iter().map(|c| json!({"id": c.id, "alias": c.alias, "title": c.title, "tlp_ceiling": c.tlp_ceiling.as_str(), "tags": c.tags, "can_write": c.can_write})).collect()))
}

#[derive(Deserialize)]
pub struct NewCollection {
    alias: String,
    #[serde(default)]
    title: String,
    tlp_ceiling: String,
    #[serde(default)]
    tags: Vec<String>,
}

pub async fn create_collection(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(b): JsonBody<NewCollection>) -> ApiResult<Response> {
    let ceiling = Tlp::parse(&b.tlp_ceiling).ok_or_else(|| Error::invalid_param("tlp_ceiling"))?;
    let c = state.app.create_collection(Some(&auth.principal), &b.alias, &b.title, ceiling, b.tags).await?;
    let body = json!({"id": c.id, "alias": c.alias, "title": c.title, "tlp_ceiling": c.tlp_ceiling.as_str(), "tags": c.tags});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

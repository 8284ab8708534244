//! `/posts`, channel post pages, threads, pins, reactions and search.

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody, Params, channel_id, post_id, team_id, user_id};
use crate::wire;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::ids::{FileId, PostId};
use domain::ports::PostPage;
use domain::services::posts::{PostInput, PostList, PostPatch};
use domain::services::search::SearchRequest;
use domain::{App, Error};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

async fn list_response(state: &AppState, auth: &Auth, list: PostList) -> ApiResult<Json<wire::PostListDto>> {
    let (reactions, files) = state.app.post_list_metadata(&auth.principal, &list).await?;
    Ok(Json(wire::post_list(&list, &reactions, &files)))
}

#[derive(Deserialize)]
pub struct CreatePost {
    #[serde(default)]
    channel_id: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    root_id: String,
    #[serde(default)]
    file_ids: Vec<String>,
    #[serde(default)]
    props: Option<Value>,
    #[serde(default)]
    pending_post_id: String,
}

pub async fn create(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(b): JsonBody<CreatePost>) -> ApiResult<Response> {
    let root_id = if b.root_id.is_empty() { None } else { Some(post_id(&b.root_id)?) };
    let file_ids = crate::extract::id_list(&b.file_ids, FileId::parse, "file_ids", 10)?;
    let input = PostInput {
        channel_id: channel_id(&b.channel_id)?,
        message: b.message,
        root_id,
        file_ids,
        props: b.props,
        pending_post_id: b.pending_post_id,
    };
    let (post, _) = state.app.create_post(&auth.principal, input).await?;
    let list = App::list_of(vec![post.clone()]);
    let (reactions, files) = state.app.post_list_metadata(&auth.principal, &list).await?;
    let dto = wire::post_list(&list, &reactions, &files).posts.remove(post.id.as_str()).expect("post in its own list");
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

pub async fn get(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<wire::PostDto>> {
    let post = state.app.post(&auth.principal, &post_id(&id)?).await?;
    let list = App::list_of(vec![post.clone()]);
    let (reactions, files) = state.app.post_list_metadata(&auth.principal, &list).await?;
    Ok(Json(wire::post_list(&list, &reactions, &files).posts.remove(post.id.as_str()).expect("post in its own list")))
}

pub async fn by_ids(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(ids): JsonBody<Vec<String>>) -> ApiResult<Json<Vec<wire::PostDto>>> {
    let ids = crate::extract::id_list(&ids, PostId::parse, "post_ids", 200)?;
    let posts = state.app.posts_by_ids(&auth.principal, &ids).await?;
    Ok(Json(posts.iter().map(wire::post).collect()))
}

#[derive(Deserialize)]
pub struct PatchPost {
    message: Option<String>,
    is_pinned: Option<bool>,
    props: Option<Value>,
}

pub async fn patch(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<PatchPost>,
) -> ApiResult<Json<wire::PostDto>> {
    let post =
        state.app.patch_post(&auth.principal, &post_id(&id)?, PostPatch { message: b.message, is_pinned: b.is_pinned, props: b.props }).await?;
    Ok(Json(wire::post(&post)))
}

/// `PUT /posts/{id}`: a full update, of which only message and props may change.
pub async fn update(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<PatchPost>,
) -> ApiResult<Json<wire::PostDto>> {
    let post = state.app.patch_post(&auth.principal, &post_id(&id)?, PostPatch { message: b.message, is_pinned: None, props: b.props }).await?;
    Ok(Json(wire::post(&post)))
}

pub async fn delete(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    state.app.delete_post(&auth.principal, &post_id(&id)?).await?;
    Ok(Json(wire::status_ok()))
}

pub async fn thread(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<wire::PostListDto>> {
    let list = state.app.thread(&auth.principal, &post_id(&id)?).await?;
    list_response(&state, &auth, list).await
}

pub async fn pin(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    state.app.set_pinned(&auth.principal, &post_id(&id)?, true).await?;
    Ok(Json(wire::status_ok()))
}

pub async fn unpin(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    state.app.set_pinned(&auth.principal, &post_id(&id)?, false).await?;
    Ok(Json(wire::status_ok()))
}

/// `GET /channels/{id}/posts`. Pages other than `since` carry an ETag (Mattermost's
/// version plus the channel's latest post change), and `If-None-Match` gets a 304.
pub async fn for_channel(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> ApiResult<Response> {
    let channel = channel_id(&id)?;
    let (page, per_page) = params.paging();
    let nonempty = |name: &str| params.str(name).filter(|s| !s.is_empty());
    let page = if let Some(since) = nonempty("since") {
        PostPage::Since { since: since.parse().map_err(|_| Error::invalid_param("since"))? }
    } else if let Some(after) = nonempty("after") {
        PostPage::After { post: post_id(after).map_err(|_| Error::invalid_param("after"))?, page, per_page }
    } else if let Some(before) = nonempty("before") {
        PostPage::Before { post: post_id(before).map_err(|_| Error::invalid_param("before"))?, page, per_page }
    } else {
        PostPage::Latest { page, per_page }
    };
    let etag = match page {
        PostPage::Since { .. } => None,
        _ => {
            let version = state.app.channel_posts_version(&auth.principal, &channel).await?;
            Some(format!("\"{}.{}.{}\"", crate::MM_VERSION, channel, version))
        }
    };
    if let Some(tag) = &etag
        && headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(tag.as_str())
    {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        resp.headers_mut().insert(header::ETAG, HeaderValue::from_str(tag).map_err(Error::internal)?);
        return Ok(resp);
    }
    let list = state.app.channel_posts(&auth.principal, &channel, page).await?;
    let mut resp = list_response(&state, &auth, list).await?.into_response();
    if let Some(tag) = etag {
        resp.headers_mut().insert(header::ETAG, HeaderValue::from_str(&tag).map_err(Error::internal)?);
    }
    Ok(resp)
}

/// `GET /users/{user_id}/channels/{channel_id}/posts/unread`: the page clients open a channel
/// on, around the first unread post. `limit_before` and `limit_after` default to 60 and are
/// capped at 200, as in Mattermost; `limit_after=0` is refused.
pub async fn around_last_unread(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((user, channel)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<wire::PostListDto>> {
    let user = user_id(&user, &auth.principal)?;
    let limit = |name: &str| match params.int(name, 60) {
        n if n < 0 => 60,
        n => n.min(200),
    };
    let list =
        state.app.posts_around_last_unread(&auth.principal, &user, &channel_id(&channel)?, limit("limit_before"), limit("limit_after")).await?;
    list_response(&state, &auth, list).await
}

/// `POST /users/{user_id}/posts/{post_id}/set_unread` ("Mark as Unread"). The body
/// (`collapsed_threads_supported`) does not matter while collapsed threads are off.
pub async fn set_unread(State(state): State<Arc<AppState>>, auth: Auth, Path((user, post)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    let unread = state.app.mark_unread_from_post(&auth.principal, &user, &post_id(&post)?).await?;
    Ok(Json(wire::channel_unread_at(&unread)))
}

pub async fn pinned(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<wire::PostListDto>> {
    let list = state.app.pinned_posts(&auth.principal, &channel_id(&id)?).await?;
    list_response(&state, &auth, list).await
}

pub async fn flagged(State(state): State<Arc<AppState>>, auth: Auth, Path(user): Path<String>) -> ApiResult<Json<wire::PostListDto>> {
    let user = user_id(&user, &auth.principal)?;
    let list = state.app.flagged_posts(&auth.principal, &user).await?;
    list_response(&state, &auth, list).await
}

/// Collapsed reply threads are off on this server; the thread list is always empty.
/// Only the user (or a system admin) asks for a user's threads.
pub async fn user_threads(auth: Auth, Path((user, _team)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    if user != auth.principal.user_id && !auth.principal.system_admin {
        return Err(Error::forbidden().into());
    }
    Ok(Json(json!({"total": 0, "total_unread_threads": 0, "total_unread_mentions": 0, "total_unread_urgent_mentions": 0, "threads": []})))
}

#[derive(Deserialize)]
pub struct ReactionBody {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    post_id: String,
    #[serde(default)]
    emoji_name: String,
}

pub async fn add_reaction(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(b): JsonBody<ReactionBody>) -> ApiResult<Json<wire::ReactionDto>> {
    let user = user_id(&b.user_id, &auth.principal)?;
    let r = state.app.add_reaction(&auth.principal, &user, &post_id(&b.post_id)?, &b.emoji_name).await?;
    Ok(Json(wire::reaction(&r)))
}

pub async fn remove_reaction(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((user, post, emoji)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    let user = user_id(&user, &auth.principal)?;
    state.app.remove_reaction(&auth.principal, &user, &post_id(&post)?, &emoji).await?;
    Ok(Json(wire::status_ok()))
}

pub async fn reactions(State(state): State<Arc<AppState>>, auth: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<wire::ReactionDto>>> {
    let r = state.app.reactions(&auth.principal, &post_id(&id)?).await?;
    Ok(Json(r.iter().map(wire::reaction).collect()))
}

pub async fn reactions_for_ids(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(ids): JsonBody<Vec<String>>) -> ApiResult<Json<Value>> {
    let ids = crate::extract::id_list(&ids, PostId::parse, "post_ids", 200)?;
    let all = state.app.reactions_for_posts(&auth.principal, &ids).await?;
    let map: serde_json::Map<String, Value> =
        all.into_iter().map(|(id, r)| (id.to_string(), json!(r.iter().map(wire::reaction).collect::<Vec<_>>()))).collect();
    Ok(Json(Value::Object(map)))
}

#[derive(Deserialize)]
pub struct SearchBody {
    #[serde(default)]
    terms: String,
    #[serde(default)]
    is_or_search: bool,
    #[serde(default)]
    time_zone_offset: i64,
    #[serde(default)]
    page: i64,
    #[serde(default)]
    per_page: Option<i64>,
}

async fn search(state: &AppState, auth: &Auth, team: Option<domain::ids::TeamId>, b: SearchBody) -> ApiResult<Json<Value>> {
    if !state.limits.search.check(&auth.principal.user_id.to_string()).allowed {
        return Err(Error::new(domain::ErrorCode::RateLimited).into());
    }
    let req = SearchRequest {
        team,
        terms: b.terms,
        or: b.is_or_search,
        tz_offset_secs: b.time_zone_offset,
        page: b.page.max(0),
        per_page: b.per_page.unwrap_or(60).clamp(1, 200),
    };
    let posts = state.app.search_posts(&auth.principal, &req).await?;
    let list = App::list_of(posts);
    let Json(dto) = list_response(state, auth, list).await?;
    let mut v = serde_json::to_value(dto).map_err(Error::internal)?;
    v["matches"] = Value::Null;
    Ok(Json(v))
}

pub async fn search_in_team(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(team): Path<String>,
    JsonBody(b): JsonBody<SearchBody>,
) -> ApiResult<Json<Value>> {
    let team = team_id(&team)?;
    search(&state, &auth, Some(team), b).await
}

pub async fn search_all(State(state): State<Arc<AppState>>, auth: Auth, JsonBody(b): JsonBody<SearchBody>) -> ApiResult<Json<Value>> {
    search(&state, &auth, None, b).await
}

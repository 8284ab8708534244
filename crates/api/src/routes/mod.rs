//! The route table. Paths and names mirror Mattermost's API v4 so a reader can map each route
//! to its upstream documentation; handlers live in one file per area.

mod audit;
mod channels;
mod files;
pub mod gates;
mod intel;
mod posts;
mod system;
mod teams;
mod users;

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use std::sync::Arc;

pub(crate) fn api(state: Arc<AppState>) -> Router {
    let upload_limit = state.app.settings.max_file_size as usize + (1 << 20);
    Router::new()
        // System and client bootstrap.
        .route("/system/ping", get(system::ping))
        .route("/config/client", get(system::client_config))
        .route("/license/client", get(system::client_license))
        .route("/roles/names", post(system::roles_by_names))
        .route("/roles/name/{name}", get(system::role_by_name))
        .route("/plugins/webapp", get(system::empty_list))
        .route("/system/notices/{team_id}", get(system::empty_list))
        .route("/websocket", get(crate::ws::upgrade))
        .route("/openapi.json", get(crate::openapi::document))
        // Users and sessions.
        .route("/users", post(users::create).get(users::list))
        .route("/users/login", post(users::login))
        .route("/users/logout", post(users::logout))
        .route("/users/ids", post(users::by_ids))
        .route("/users/usernames", post(users::by_usernames))
        .route("/users/search", post(users::search))
        .route("/users/autocomplete", get(users::autocomplete))
        .route("/users/status/ids", post(users::statuses))
        .route("/users/username/{username}", get(users::by_username))
        .route("/users/email/{email}", get(users::by_email))
        .route("/users/{user_id}", get(users::get).put(users::update).delete(users::deactivate))
        .route("/users/{user_id}/patch", put(users::patch))
        .route("/users/{user_id}/active", put(users::set_active))
        .route("/users/{user_id}/roles", put(users::set_roles))
        .route("/users/{user_id}/password", put(users::change_password))
        .route("/users/{user_id}/image", get(users::image))
        .route("/users/{user_id}/image/default", get(users::image))
        .route("/users/{user_id}/status", get(users::status).put(users::set_status))
        .route("/users/{user_id}/sessions", get(users::sessions))
        .route("/users/{user_id}/sessions/revoke", post(users::revoke_session))
        .route("/users/{user_id}/sessions/revoke/all", post(users::revoke_all_sessions))
        .route("/users/{user_id}/preferences", get(users::preferences).put(users::save_preferences))
        .route("/users/{user_id}/preferences/delete", post(users::delete_preferences))
        .route("/users/{user_id}/preferences/{category}", get(users::preferences_in))
        .route("/users/{user_id}/preferences/{category}/name/{name}", get(users::preference))
        .route("/users/{user_id}/teams", get(teams::of_user))
        .route("/users/{user_id}/teams/members", get(teams::members_of_user))
        .route("/users/{user_id}/teams/unread", get(channels::team_unreads))
        .route("/users/{user_id}/teams/{team_id}/unread", get(channels::team_unread))
        .route("/users/{user_id}/teams/{team_id}/channels", get(channels::of_user_in_team))
        .route("/users/{user_id}/teams/{team_id}/channels/members", get(channels::members_of_user_in_team))
        .route("/users/{user_id}/teams/{team_id}/channels/categories", get(channels::categories))
        .route("/users/{user_id}/teams/{team_id}/threads", get(posts::user_threads))
        .route("/users/{user_id}/channels", get(channels::of_user))
        .route("/users/{user_id}/channel_members", get(channels::members_of_user))
        .route("/users/{user_id}/channels/{channel_id}/unread", get(channels::unread))
        .route("/users/{user_id}/channels/{channel_id}/posts/unread", get(posts::around_last_unread))
        .route("/users/{user_id}/posts/flagged", get(posts::flagged))
        .route("/users/{user_id}/posts/{post_id}/set_unread", post(posts::set_unread))
        .route("/users/{user_id}/posts/{post_id}/reactions/{emoji_name}", delete(posts::remove_reaction))
        // Teams.
        .route("/teams", post(teams::create).get(teams::list))
        .route("/teams/members/invite", post(teams::join_by_invite))
        .route("/teams/name/{name}", get(teams::by_name))
        .route("/teams/name/{name}/exists", get(teams::exists))
        .route("/teams/name/{team_name}/channels/name/{channel_name}", get(channels::by_team_and_channel_name))
        .route("/teams/{team_id}", get(teams::get).put(teams::update).delete(teams::archive))
        .route("/teams/{team_id}/patch", put(teams::update))
        .route("/teams/{team_id}/stats", get(teams::stats))
        .route("/teams/{team_id}/members", get(teams::members).post(teams::add_member))
        .route("/teams/{team_id}/members/batch", post(teams::add_members))
        .route("/teams/{team_id}/members/ids", post(teams::members_by_ids))
        .route("/teams/{team_id}/members/{user_id}", get(teams::member).delete(teams::remove_member))
        .route("/teams/{team_id}/members/{user_id}/roles", put(teams::set_member_roles))
        .route("/teams/{team_id}/channels", get(channels::public))
        .route("/teams/{team_id}/channels/deleted", get(channels::archived))
        .route("/teams/{team_id}/channels/ids", post(channels::by_ids))
        .route("/teams/{team_id}/channels/search", post(channels::search))
        .route("/teams/{team_id}/channels/autocomplete", get(channels::autocomplete))
        .route("/teams/{team_id}/channels/search_autocomplete", get(channels::autocomplete))
        .route("/teams/{team_id}/channels/name/{channel_name}", get(channels::by_name))
        .route("/teams/{team_id}/posts/search", post(posts::search_in_team))
        // Channels.
        .route("/channels", post(channels::create))
        .route("/channels/direct", post(channels::direct))
        .route("/channels/group", post(channels::group))
        .route("/channels/members/{user_id}/view", post(channels::view))
        .route("/channels/members/{user_id}/mark_read", post(channels::mark_read))
        .route("/channels/{channel_id}", get(channels::get).put(channels::update).delete(channels::archive))
        .route("/channels/{channel_id}/patch", put(channels::update))
        .route("/channels/{channel_id}/restore", post(channels::restore))
        .route("/channels/{channel_id}/privacy", put(channels::privacy))
        .route("/channels/{channel_id}/convert", post(channels::convert))
        .route("/channels/{channel_id}/stats", get(channels::stats))
        .route("/channels/{channel_id}/timezones", get(channels::timezones))
        .route("/channels/{channel_id}/members", get(channels::members).post(channels::add_member))
        .route("/channels/{channel_id}/members/ids", post(channels::members_by_ids))
        .route("/channels/{channel_id}/members/{user_id}", get(channels::member).delete(channels::remove_member))
        .route("/channels/{channel_id}/members/{user_id}/roles", put(channels::set_member_roles))
        .route("/channels/{channel_id}/members/{user_id}/notify_props", put(channels::set_notify_props))
        .route("/channels/{channel_id}/posts", get(posts::for_channel))
        .route("/channels/{channel_id}/pinned", get(posts::pinned))
        // Posts, threads, reactions, search.
        .route("/posts", post(posts::create))
        .route("/posts/ids", post(posts::by_ids))
        .route("/posts/ids/reactions", post(posts::reactions_for_ids))
        .route("/posts/search", post(posts::search_all))
        .route("/posts/{post_id}", get(posts::get).put(posts::update).delete(posts::delete))
        .route("/posts/{post_id}/patch", put(posts::patch))
        .route("/posts/{post_id}/thread", get(posts::thread))
        .route("/posts/{post_id}/pin", post(posts::pin))
        .route("/posts/{post_id}/unpin", post(posts::unpin))
        .route("/posts/{post_id}/reactions", get(posts::reactions))
        .route("/posts/{post_id}/files/info", get(files::infos_for_post))
        .route("/reactions", post(posts::add_reaction))
        // Intel: indicators, review, feed administration.
        .route("/intel/indicators", get(intel::list))
        .route("/intel/indicators/{indicator_id}", get(intel::get))
        .route("/intel/indicators/{indicator_id}/review", post(intel::review))
        .route("/intel/indicators/{indicator_id}/posts", get(intel::posts))
        .route("/intel/queue", get(intel::queue))
        .route("/intel/extract", post(intel::extract))
        .route("/intel/feed_keys", get(intel::feed_keys).post(intel::create_feed_key))
        .route("/intel/feed_keys/{name}", delete(intel::revoke_feed_key))
        .route("/intel/collections", get(intel::collections).post(intel::create_collection))
        .route("/channels/{channel_id}/indicators", get(intel::for_channel))
        // The audit log.
        .route("/audits", get(audit::list))
        .route("/audits/export", get(audit::export))
        // Files.
        .route("/files", post(files::upload).layer(DefaultBodyLimit::max(upload_limit)))
        .route("/files/{file_id}", get(files::download))
        .route("/files/{file_id}/thumbnail", get(files::thumbnail))
        .route("/files/{file_id}/preview", get(files::preview))
        .route("/files/{file_id}/info", get(files::info))
        .route("/files/{file_id}/link", get(files::public_link))
        .with_state(state)
}

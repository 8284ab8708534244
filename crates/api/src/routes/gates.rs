//! The declared gate of every route the server serves: who may call it.
//!
//! This table does not enforce anything; the handlers and `domain::policy` do. It is the
//! specification they are held to: `tests/authz_matrix.rs` discovers the router's routes from
//! the source independently of this table (a route missing here fails), calls each one as a
//! dozen different principals against every kind of channel and TLP label, and compares the
//! answer with what these gates and the policy's rules table say. The OpenAPI document
//! (`openapi.rs`) is generated from the same rows.
//!
//! A row's gates are a conjunction: the caller must pass every one of them. Channel gates name
//! a policy action; the test asks `domain::policy::decide` for the expected answer, so the
//! policy's own table is the single source of truth for channel access.

use domain::policy::Action;

/// One requirement a caller must meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Anyone, signed in or not.
    Anonymous,
    /// Any active, signed-in user (session or personal token; not a feed key).
    Authenticated,
    /// Any signed-in user; the answer contains only what the read policy lets them see
    /// (search, lists by ids, intel listings).
    Filtered,
    /// The `{user_id}` in the path (or body) is the caller, or the caller is a system admin.
    SelfOrSystemAdmin,
    /// The `{user_id}` in the path (or body) is the caller; nobody acts for others here.
    SelfOnly,
    /// A system administrator.
    SystemAdmin,
    /// An active member of the `{team_id}` in the path (or system admin).
    TeamMember,
    /// An admin of the team, or a system administrator.
    TeamAdmin,
    /// The policy allows the action on the channel named by the path (`{channel_id}`, or the
    /// channel of `{post_id}` / `{file_id}` / the indicator's sightings). `ModerateOthers`
    /// applies to another member's post; for the post's author `Post` suffices.
    Channel(Action),
    /// The caller holds a membership row in the channel (their own notification settings).
    ChannelMember,
    /// The caller wrote the post (`{post_id}`); nobody edits another member's words.
    Author,
    /// An analyst of a team in whose channels the indicator was seen.
    Analyst,
    /// A feed key (TAXII, blocklist feeds): HTTP Basic password or bearer.
    FeedKey,
    /// A feed key allowed to write (TAXII `POST`/`DELETE` of objects).
    FeedKeyWrite,
    /// Refused to everyone: the feature is disabled on this server (501 after the other gates).
    Disabled,
}

/// One row: a method and path as the router registers them (with the mount prefix).
#[derive(Clone, Copy, Debug)]
pub struct RouteGate {
    pub method: &'static str,
    pub path: &'static str,
    pub gates: &'static [Gate],
}

use Action as A;
use Gate::*;

const fn r(method: &'static str, path: &'static str, gates: &'static [Gate]) -> RouteGate {
    RouteGate { method, path, gates }
}

/// Every route. Paths are the router's, `{name}` for path parameters.
pub const ROUTES: &[RouteGate] = &[
    // System and client bootstrap.
    r("GET", "/api/v4/system/ping", &[Anonymous]),
    r("GET", "/api/v4/config/client", &[Anonymous]),
    r("GET", "/api/v4/license/client", &[Anonymous]),
    r("GET", "/api/v4/openapi.json", &[Anonymous]),
    r("POST", "/api/v4/roles/names", &[Authenticated]),
    r("GET", "/api/v4/roles/name/{name}", &[Authenticated]),
    r("GET", "/api/v4/plugins/webapp", &[Authenticated]),
    r("GET", "/api/v4/system/notices/{team_id}", &[Authenticated]),
    r("GET", "/api/v4/websocket", &[Authenticated]),
    // Users and sessions.
    r("POST", "/api/v4/users", &[Anonymous]),
    r("GET", "/api/v4/users", &[Authenticated]),
    r("POST", "/api/v4/users/login", &[Anonymous]),
    r("POST", "/api/v4/users/logout", &[Anonymous]),
    r("POST", "/api/v4/users/ids", &[Authenticated]),
    r("POST", "/api/v4/users/usernames", &[Authenticated]),
    r("POST", "/api/v4/users/search", &[Authenticated]),
    r("GET", "/api/v4/users/autocomplete", &[Authenticated]),
    r("POST", "/api/v4/users/status/ids", &[Authenticated]),
    r("GET", "/api/v4/users/username/{username}", &[Authenticated]),
    // E-mail addresses are hidden from members while `show_email_address` is off (default).
    r("GET", "/api/v4/users/email/{email}", &[SystemAdmin]),
    r("GET", "/api/v4/users/{user_id}", &[Authenticated]),
    r("PUT", "/api/v4/users/{user_id}", &[SelfOrSystemAdmin]),
    r("DELETE", "/api/v4/users/{user_id}", &[SelfOrSystemAdmin]),
    r("PUT", "/api/v4/users/{user_id}/patch", &[SelfOrSystemAdmin]),
    r("PUT", "/api/v4/users/{user_id}/active", &[SystemAdmin]),
    r("PUT", "/api/v4/users/{user_id}/roles", &[SystemAdmin]),
    r("PUT", "/api/v4/users/{user_id}/password", &[SelfOrSystemAdmin]),
    r("GET", "/api/v4/users/{user_id}/image", &[Authenticated]),
    r("GET", "/api/v4/users/{user_id}/image/default", &[Authenticated]),
    r("GET", "/api/v4/users/{user_id}/status", &[Authenticated]),
    r("PUT", "/api/v4/users/{user_id}/status", &[SelfOrSystemAdmin]),
    r("GET", "/api/v4/users/{user_id}/sessions", &[SelfOrSystemAdmin]),
    r("POST", "/api/v4/users/{user_id}/sessions/revoke", &[SelfOrSystemAdmin]),
    r("POST", "/api/v4/users/{user_id}/sessions/revoke/all", &[SelfOrSystemAdmin]),
    r("GET", "/api/v4/users/{user_id}/preferences", &[SelfOnly]),
    r("PUT", "/api/v4/users/{user_id}/preferences", &[SelfOnly]),
    r("POST", "/api/v4/users/{user_id}/preferences/delete", &[SelfOnly]),
    r("GET", "/api/v4/users/{user_id}/preferences/{category}", &[SelfOnly]),
    r("GET", "/api/v4/users/{user_id}/preferences/{category}/name/{name}", &[SelfOnly]),
    r("GET", "/api/v4/users/{user_id}/teams", &[SelfOrSystemAdmin]),
    r("GET", "/api/v4/users/{user_id}/teams/members", &[SelfOrSystemAdmin]),
    r("GET", "/api/v4/users/{user_id}/teams/unread", &[SelfOnly]),
    r("GET", "/api/v4/users/{user_id}/teams/{team_id}/unread", &[SelfOnly]),
    r("GET", "/api/v4/users/{user_id}/teams/{team_id}/channels", &[SelfOnly]),
    r("GET", "/api/v4/users/{user_id}/teams/{team_id}/channels/members", &[SelfOnly]),
    r("GET", "/api/v4/users/{user_id}/teams/{team_id}/channels/categories", &[SelfOnly]),
    r("GET", "/api/v4/users/{user_id}/teams/{team_id}/threads", &[SelfOrSystemAdmin]),
    r("GET", "/api/v4/users/{user_id}/channels", &[SelfOnly]),
    r("GET", "/api/v4/users/{user_id}/channel_members", &[SelfOnly]),
    r("GET", "/api/v4/users/{user_id}/channels/{channel_id}/unread", &[SelfOnly, ChannelMember]),
    r("GET", "/api/v4/users/{user_id}/channels/{channel_id}/posts/unread", &[SelfOnly, Channel(A::Read)]),
    r("GET", "/api/v4/users/{user_id}/posts/flagged", &[SelfOnly]),
    r("POST", "/api/v4/users/{user_id}/posts/{post_id}/set_unread", &[SelfOnly, ChannelMember]),
    r("DELETE", "/api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji_name}", &[SelfOnly, Channel(A::Post)]),
    // Teams.
    r("POST", "/api/v4/teams", &[Authenticated]),
    r("GET", "/api/v4/teams", &[Filtered]),
    r("POST", "/api/v4/teams/members/invite", &[Authenticated]),
    // Open teams are visible to every user (to join them); invite-only ones to members.
    r("GET", "/api/v4/teams/name/{name}", &[Authenticated]),
    r("GET", "/api/v4/teams/name/{name}/exists", &[Authenticated]),
    r("GET", "/api/v4/teams/name/{team_name}/channels/name/{channel_name}", &[Channel(A::Read)]),
    r("GET", "/api/v4/teams/{team_id}", &[Authenticated]),
    r("PUT", "/api/v4/teams/{team_id}", &[TeamAdmin]),
    r("DELETE", "/api/v4/teams/{team_id}", &[Authenticated, Disabled]),
    r("PUT", "/api/v4/teams/{team_id}/patch", &[TeamAdmin]),
    r("GET", "/api/v4/teams/{team_id}/stats", &[TeamMember]),
    r("GET", "/api/v4/teams/{team_id}/members", &[TeamMember]),
    r("POST", "/api/v4/teams/{team_id}/members", &[TeamAdmin]),
    r("POST", "/api/v4/teams/{team_id}/members/batch", &[TeamAdmin]),
    r("POST", "/api/v4/teams/{team_id}/members/ids", &[Filtered]),
    r("GET", "/api/v4/teams/{team_id}/members/{user_id}", &[TeamMember]),
    r("DELETE", "/api/v4/teams/{team_id}/members/{user_id}", &[TeamAdmin]),
    r("PUT", "/api/v4/teams/{team_id}/members/{user_id}/roles", &[TeamAdmin]),
    r("GET", "/api/v4/teams/{team_id}/channels", &[TeamMember]),
    r("GET", "/api/v4/teams/{team_id}/channels/deleted", &[TeamMember]),
    r("POST", "/api/v4/teams/{team_id}/channels/ids", &[Filtered]),
    r("POST", "/api/v4/teams/{team_id}/channels/search", &[TeamMember]),
    r("GET", "/api/v4/teams/{team_id}/channels/autocomplete", &[TeamMember]),
    r("GET", "/api/v4/teams/{team_id}/channels/search_autocomplete", &[TeamMember]),
    r("GET", "/api/v4/teams/{team_id}/channels/name/{channel_name}", &[Channel(A::Read)]),
    r("POST", "/api/v4/teams/{team_id}/posts/search", &[Filtered]),
    // Channels.
    r("POST", "/api/v4/channels", &[TeamMember]),
    r("POST", "/api/v4/channels/direct", &[Authenticated]),
    r("POST", "/api/v4/channels/group", &[Authenticated]),
    r("POST", "/api/v4/channels/members/{user_id}/view", &[SelfOnly, Filtered]),
    r("POST", "/api/v4/channels/members/{user_id}/mark_read", &[SelfOnly, Filtered]),
    r("GET", "/api/v4/channels/{channel_id}", &[Channel(A::Read)]),
    r("PUT", "/api/v4/channels/{channel_id}", &[Channel(A::EditProperties)]),
    r("DELETE", "/api/v4/channels/{channel_id}", &[Channel(A::Archive)]),
    r("PUT", "/api/v4/channels/{channel_id}/patch", &[Channel(A::EditProperties)]),
    r("POST", "/api/v4/channels/{channel_id}/restore", &[Channel(A::Archive)]),
    r("PUT", "/api/v4/channels/{channel_id}/privacy", &[Channel(A::ManageSettings)]),
    r("POST", "/api/v4/channels/{channel_id}/convert", &[Channel(A::ManageSettings)]),
    r("GET", "/api/v4/channels/{channel_id}/stats", &[Channel(A::Read)]),
    r("GET", "/api/v4/channels/{channel_id}/timezones", &[Channel(A::Read)]),
    r("GET", "/api/v4/channels/{channel_id}/members", &[Channel(A::Read)]),
    r("POST", "/api/v4/channels/{channel_id}/members", &[Channel(A::AddMembers)]),
    r("POST", "/api/v4/channels/{channel_id}/members/ids", &[Channel(A::Read)]),
    r("GET", "/api/v4/channels/{channel_id}/members/{user_id}", &[Channel(A::Read)]),
    r("DELETE", "/api/v4/channels/{channel_id}/members/{user_id}", &[Channel(A::RemoveMembers)]),
    r("PUT", "/api/v4/channels/{channel_id}/members/{user_id}/roles", &[Channel(A::ManageSettings)]),
    r("PUT", "/api/v4/channels/{channel_id}/members/{user_id}/notify_props", &[SelfOnly, ChannelMember]),
    r("GET", "/api/v4/channels/{channel_id}/posts", &[Channel(A::Read)]),
    r("GET", "/api/v4/channels/{channel_id}/pinned", &[Channel(A::Read)]),
    r("GET", "/api/v4/channels/{channel_id}/indicators", &[Channel(A::Read)]),
    // Posts, threads, reactions, search.
    r("POST", "/api/v4/posts", &[Channel(A::Post)]),
    r("POST", "/api/v4/posts/ids", &[Filtered]),
    r("POST", "/api/v4/posts/ids/reactions", &[Filtered]),
    r("POST", "/api/v4/posts/search", &[Filtered]),
    r("GET", "/api/v4/posts/{post_id}", &[Channel(A::Read)]),
    // Only the author edits a post; deleting another member's post is moderation, and nobody
    // moderates what they cannot read.
    r("PUT", "/api/v4/posts/{post_id}", &[Channel(A::Post), Author]),
    r("DELETE", "/api/v4/posts/{post_id}", &[Channel(A::Read), Channel(A::ModerateOthers)]),
    r("PUT", "/api/v4/posts/{post_id}/patch", &[Channel(A::Post), Author]),
    r("GET", "/api/v4/posts/{post_id}/thread", &[Channel(A::Read)]),
    r("POST", "/api/v4/posts/{post_id}/pin", &[Channel(A::Post)]),
    r("POST", "/api/v4/posts/{post_id}/unpin", &[Channel(A::Post)]),
    r("GET", "/api/v4/posts/{post_id}/reactions", &[Channel(A::Read)]),
    r("GET", "/api/v4/posts/{post_id}/files/info", &[Channel(A::Read)]),
    r("POST", "/api/v4/reactions", &[Channel(A::Post)]),
    // Intel.
    r("GET", "/api/v4/intel/indicators", &[Filtered]),
    r("GET", "/api/v4/intel/indicators/{indicator_id}", &[Channel(A::Read)]),
    r("POST", "/api/v4/intel/indicators/{indicator_id}/review", &[Channel(A::Read), Analyst]),
    r("GET", "/api/v4/intel/indicators/{indicator_id}/posts", &[Channel(A::Read)]),
    r("GET", "/api/v4/intel/queue", &[Analyst]),
    r("POST", "/api/v4/intel/extract", &[Authenticated]),
    r("GET", "/api/v4/intel/feed_keys", &[SystemAdmin]),
    r("POST", "/api/v4/intel/feed_keys", &[SystemAdmin]),
    r("DELETE", "/api/v4/intel/feed_keys/{name}", &[SystemAdmin]),
    r("GET", "/api/v4/intel/collections", &[SystemAdmin]),
    r("POST", "/api/v4/intel/collections", &[SystemAdmin]),
    // The audit log.
    r("GET", "/api/v4/audits", &[SystemAdmin]),
    r("GET", "/api/v4/audits/export", &[SystemAdmin]),
    // Files.
    r("POST", "/api/v4/files", &[Channel(A::Post)]),
    r("GET", "/api/v4/files/{file_id}", &[Channel(A::Read)]),
    r("GET", "/api/v4/files/{file_id}/thumbnail", &[Channel(A::Read)]),
    r("GET", "/api/v4/files/{file_id}/preview", &[Channel(A::Read)]),
    r("GET", "/api/v4/files/{file_id}/info", &[Channel(A::Read)]),
    r("GET", "/api/v4/files/{file_id}/link", &[Channel(A::Read), Disabled]),
    // TAXII 2.1.
    r("GET", "/taxii2/", &[FeedKey]),
    r("GET", "/taxii2/api/", &[FeedKey]),
    r("GET", "/taxii2/api/status/{status_id}/", &[FeedKeyWrite]),
    r("GET", "/taxii2/api/collections/", &[FeedKey]),
    r("GET", "/taxii2/api/collections/{id}/", &[FeedKey]),
    r("GET", "/taxii2/api/collections/{id}/manifest/", &[FeedKey]),
    r("GET", "/taxii2/api/collections/{id}/objects/", &[FeedKey]),
    r("POST", "/taxii2/api/collections/{id}/objects/", &[FeedKeyWrite]),
    r("GET", "/taxii2/api/collections/{id}/objects/{object_id}/", &[FeedKey]),
    r("DELETE", "/taxii2/api/collections/{id}/objects/{object_id}/", &[FeedKeyWrite]),
    r("GET", "/taxii2/api/collections/{id}/objects/{object_id}/versions/", &[FeedKey]),
    // Blocklist feeds.
    r("GET", "/feeds/{name}", &[FeedKey]),
];

/// The row for a method and router path, if declared.
pub fn find(method: &str, path: &str) -> Option<&'static RouteGate> {
    ROUTES.iter().find(|g| g.method.eq_ignore_ascii_case(method) && g.path == path)
}

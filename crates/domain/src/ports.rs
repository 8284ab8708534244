//! The ports the domain needs from the outside world: storage, blobs and a clock.
//!
//! The storage port is split by area. Methods that return channel content take a
//! [`ChannelGrant`] (or filter by the caller's membership inside the query), which is how the
//! "one gate for reads" invariant is enforced by construction: the store cannot be asked for a
//! post without proof that the policy allowed it.

use crate::error::Result;
use crate::ids::{ChannelId, FileId, IndicatorId, OrgId, PostId, SessionId, TeamId, UserId};
use crate::model::*;
use crate::policy::{ChannelGrant, ReadScope};
use async_trait::async_trait;

/// Filters for listing users (`GET /users`).
#[derive(Clone, Debug, Default)]
pub struct UserQuery {
    pub in_team: Option<TeamId>,
    pub not_in_team: Option<TeamId>,
    pub in_channel: Option<ChannelId>,
    pub not_in_channel: Option<ChannelId>,
    pub org: Option<OrgId>,
    /// Case-insensitive substring over username, names, nickname and organization.
    pub term: Option<String>,
    pub include_inactive: bool,
    pub only_inactive: bool,
    pub offset: i64,
    pub limit: i64,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Inserts a user; when `admin_if_first` is set and no other user exists, the user is made
    /// a system admin in the same transaction.
    async fn create_user(&self, user: User, admin_if_first: bool) -> Result<User>;
    async fn update_user(&self, user: &User) -> Result<()>;
    async fn get_user(&self, id: &UserId) -> Result<Option<User>>;
    async fn get_user_by_username(&self, username: &str) -> Result<Option<User>>;
    async fn get_user_by_email(&self, email: &str) -> Result<Option<User>>;
    async fn get_users(&self, ids: &[UserId]) -> Result<Vec<User>>;
    async fn get_users_by_usernames(&self, names: &[String]) -> Result<Vec<User>>;
    async fn list_users(&self, q: &UserQuery) -> Result<Vec<User>>;
    async fn count_users(&self) -> Result<i64>;
    async fn record_failed_login(&self, id: &UserId, failed_attempts: i64) -> Result<()>;

    async fn ensure_org(&self, name: &str, display_name: &str) -> Result<Organization>;
    async fn get_org(&self, id: &OrgId) -> Result<Option<Organization>>;
    async fn list_orgs(&self) -> Result<Vec<Organization>>;

    async fn create_session(&self, session: &Session) -> Result<()>;
    /// The session with this token digest and its user, if both exist.
    async fn session_by_token_hash(&self, hash: &str) -> Result<Option<(Session, User)>>;
    async fn list_sessions(&self, user: &UserId) -> Result<Vec<Session>>;
    async fn delete_session(&self, id: &SessionId) -> Result<()>;
    /// Deletes every session of a user and returns their ids.
    async fn delete_user_sessions(&self, user: &UserId) -> Result<Vec<SessionId>>;
    async fn touch_session(&self, id: &SessionId, at: Millis) -> Result<()>;

    async fn get_preferences(&self, user: &UserId) -> Result<Vec<Preference>>;
    async fn save_preferences(&self, prefs: &[Preference]) -> Result<()>;
    async fn delete_preferences(&self, prefs: &[Preference]) -> Result<()>;

    async fn get_statuses(&self, users: &[UserId]) -> Result<Vec<Status>>;
    async fn save_status(&self, status: &Status) -> Result<()>;
}

/// A new team with the channels every team starts with.
pub struct NewTeam {
    pub team: Team,
    /// The team's first admin; `None` when created by the admin CLI.
    pub creator: Option<UserId>,
    pub default_channels: Vec<Channel>,
}

#[async_trait]
pub trait TeamStore: Send + Sync {
    async fn create_team(&self, new: NewTeam) -> Result<Team>;
    async fn update_team(&self, team: &Team) -> Result<()>;
    async fn get_team(&self, id: &TeamId) -> Result<Option<Team>>;
    async fn get_team_by_name(&self, name: &str) -> Result<Option<Team>>;
    async fn get_team_by_invite(&self, invite_id: &str) -> Result<Option<Team>>;
    async fn list_teams(&self, include_private: bool, offset: i64, limit: i64) -> Result<Vec<Team>>;
    async fn teams_for_user(&self, user: &UserId) -> Result<Vec<Team>>;
    async fn get_team_member(&self, team: &TeamId, user: &UserId) -> Result<Option<TeamMember>>;
    async fn team_members(&self, team: &TeamId, offset: i64, limit: i64) -> Result<Vec<TeamMember>>;
    async fn team_members_for_user(&self, user: &UserId) -> Result<Vec<TeamMember>>;
    /// Adds (or re-activates) a membership and joins the team's default channels.
    async fn save_team_member(&self, member: &TeamMember, default_channels: &[String], at: Millis) -> Result<TeamMember>;
    /// Marks the membership deleted and removes the user from the team's channels; returns the
    /// channels they were removed from.
    async fn remove_team_member(&self, team: &TeamId, user: &UserId, at: Millis) -> Result<Vec<ChannelId>>;
    async fn count_team_members(&self, team: &TeamId) -> Result<(i64, i64)>;
}

/// Unread figures for one channel of one member.
#[derive(Clone, Debug)]
pub struct ChannelUnread {
    pub channel: Channel,
    pub member: ChannelMember,
}

#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// Inserts a channel with its initial members (the first may be the admin).
    async fn create_channel(&self, channel: &Channel, members: &[ChannelMember]) -> Result<()>;
    async fn update_channel(&self, channel: &Channel) -> Result<()>;
    async fn get_channel(&self, id: &ChannelId) -> Result<Option<Channel>>;
    async fn get_channel_by_name(&self, team: Option<&TeamId>, name: &str) -> Result<Option<Channel>>;
    /// Channels of a team the user is a member of, plus their direct and group channels.
    async fn channels_for_user(&self, user: &UserId, team: Option<&TeamId>, include_archived: bool) -> Result<Vec<Channel>>;
    /// Public channels of a team (for browsing), archived ones when asked.
    async fn public_channels(&self, team: &TeamId, archived: bool, offset: i64, limit: i64) -> Result<Vec<Channel>>;
    async fn get_channel_member(&self, channel: &ChannelId, user: &UserId) -> Result<Option<ChannelMember>>;
    async fn channel_members(&self, grant: &ChannelGrant, offset: i64, limit: i64) -> Result<Vec<ChannelMember>>;
    /// Member ids of a channel, for event delivery. Not content; callers still filter each
    /// recipient through the policy.
    async fn channel_member_ids(&self, channel: &ChannelId) -> Result<Vec<UserId>>;
    async fn channel_members_for_user(&self, user: &UserId, team: Option<&TeamId>) -> Result<Vec<ChannelMember>>;
    async fn save_channel_member(&self, member: &ChannelMember) -> Result<()>;
    async fn remove_channel_member(&self, channel: &ChannelId, user: &UserId) -> Result<bool>;
    async fn count_channel_members(&self, channel: &ChannelId) -> Result<i64>;
    /// Marks channels read for a user at `at`; returns the channels that were updated.
    async fn view_channels(&self, user: &UserId, channels: &[ChannelId], at: Millis) -> Result<Vec<ChannelId>>;
    /// Stores a member's read position as given (read time, read counts, mention counts);
    /// used to move it backwards ("Mark as Unread").
    async fn set_read_state(&self, member: &ChannelMember) -> Result<()>;
    async fn channel_unread(&self, user: &UserId, channel: &ChannelId) -> Result<Option<ChannelUnread>>;
    /// Users among `usernames` who are members of the channel (for @-mentions).
    async fn members_by_username(&self, channel: &ChannelId, usernames: &[String]) -> Result<Vec<User>>;
}

/// Everything needed to store a post in one transaction.
pub struct NewPost {
    pub post: Post,
    /// Channel members to credit with a mention (never the author).
    pub mentions: Vec<UserId>,
    /// Exact-match search tokens (IPs, hashes, domains, ...), lower-cased.
    pub tokens: Vec<String>,
    /// Indicators to record as sightings in the same transaction.
    pub intel: Option<PostIntel>,
}

/// Indicator capture for one post.
#[derive(Clone, Debug)]
pub struct PostIntel {
    pub captures: Vec<Capture>,
    /// The author's organization, recorded on each sighting.
    pub org_id: Option<OrgId>,
    /// New indicators are confirmed at once (the channel's auto-publish mode).
    pub auto_publish: bool,
}

/// Result of storing a post: a retry with a known `pending_post_id` returns the original.
pub struct StoredPost {
    pub post: Post,
    pub replayed: bool,
}

/// Which page of a channel's posts.
#[derive(Clone, Debug)]
pub enum PostPage {
    /// Newest first, `per_page` at `page`.
    Latest {
        page: i64,
        per_page: i64,
    },
    /// Everything changed at or after the instant (new, edited, deleted, reacted).
    Since {
        since: Millis,
    },
    Before {
        post: PostId,
        page: i64,
        per_page: i64,
    },
    After {
        post: PostId,
        page: i64,
        per_page: i64,
    },
}

#[async_trait]
pub trait PostStore: Send + Sync {
    async fn create_post(&self, grant: &ChannelGrant, new: NewPost) -> Result<StoredPost>;
    /// The channel a post lives in, so that the caller can be authorized before reading it.
    /// Includes deleted posts.
    async fn post_channel(&self, post: &PostId) -> Result<Option<ChannelId>>;
    async fn get_post(&self, grant: &ChannelGrant, post: &PostId) -> Result<Option<Post>>;
    async fn get_posts(&self, grant: &ChannelGrant, ids: &[PostId]) -> Result<Vec<Post>>;
    /// A user's post by idempotency key; the caller authorizes the channel before returning it.
    async fn post_by_pending_id(&self, user: &UserId, pending_post_id: &str) -> Result<Option<Post>>;
    /// Posts of a channel, newest first, with the ids of the neighbouring posts outside
    /// the page (`prev` older, `next` newer) where the page has them.
    async fn channel_posts(&self, grant: &ChannelGrant, page: &PostPage) -> Result<Vec<Post>>;
    /// The latest `update_at` of any post in the channel: it changes whenever a page of the
    /// channel could have changed, which makes it the channel's ETag.
    async fn posts_version(&self, grant: &ChannelGrant) -> Result<Millis>;
    /// Root and every live reply, oldest first.
    async fn thread(&self, grant: &ChannelGrant, root: &PostId) -> Result<Vec<Post>>;
    /// The oldest live post created after the instant: the first one a member who last viewed
    /// the channel then has not seen.
    async fn first_post_after(&self, grant: &ChannelGrant, at: Millis) -> Result<Option<PostId>>;
    async fn pinned_posts(&self, grant: &ChannelGrant) -> Result<Vec<Post>>;
    /// Stores an edit. `tokens` and `intel` are given when the text changed; the post's
    /// sightings are then replaced (those no longer present are retracted).
    async fn update_post(&self, grant: &ChannelGrant, post: &Post, tokens: Option<Vec<String>>, intel: Option<PostIntel>) -> Result<()>;
    /// Soft-deletes a post and, for a root, its replies; returns the ids deleted.
    async fn delete_post(&self, grant: &ChannelGrant, post: &Post, at: Millis) -> Result<Vec<PostId>>;

    async fn add_reaction(&self, grant: &ChannelGrant, reaction: &Reaction) -> Result<()>;
    async fn remove_reaction(&self, grant: &ChannelGrant, reaction: &Reaction, at: Millis) -> Result<bool>;
    async fn reactions(&self, grant: &ChannelGrant, posts: &[PostId]) -> Result<Vec<Reaction>>;

    async fn save_file_info(&self, info: &FileInfo) -> Result<()>;
    /// The channel a file belongs to, for authorization.
    async fn file_channel(&self, file: &FileId) -> Result<Option<ChannelId>>;
    async fn get_file_info(&self, grant: &ChannelGrant, file: &FileId) -> Result<Option<FileInfo>>;
    async fn file_infos_for_posts(&self, grant: &ChannelGrant, posts: &[PostId]) -> Result<Vec<FileInfo>>;
    /// Links uploaded files to a post; only files uploaded by `user` to the same channel and
    /// not yet attached are linked. Returns the ids linked.
    async fn attach_files(&self, grant: &ChannelGrant, post: &PostId, files: &[FileId]) -> Result<Vec<FileId>>;
}

/// A search, already resolved to ids and instants.
#[derive(Clone, Debug, Default)]
pub struct PostSearch {
    /// Full-text terms that must all match (or any, when `or`).
    pub words: Vec<String>,
    /// Terms ending in `*`, matched as prefixes.
    pub prefixes: Vec<String>,
    /// Quoted phrases.
    pub phrases: Vec<Vec<String>>,
    /// Exact technical tokens (IPs, hashes, domains, URLs, e-mails).
    pub tokens: Vec<String>,
    pub excluded: Vec<String>,
    pub or: bool,
    pub from_users: Vec<UserId>,
    pub in_channels: Vec<ChannelId>,
    pub team: Option<TeamId>,
    /// Inclusive lower and exclusive upper bounds on `create_at`.
    pub after: Option<Millis>,
    pub before: Option<Millis>,
    pub offset: i64,
    pub limit: i64,
}

#[async_trait]
pub trait SearchStore: Send + Sync {
    /// Posts matching the search in channels the user may read, newest first. The membership
    /// filter is part of the query, never applied after a limit.
    async fn search_posts(&self, user: &UserId, search: &PostSearch) -> Result<Vec<Post>>;
}

/// Filters for listing indicators.
#[derive(Clone, Debug, Default)]
pub struct IndicatorFilter {
    pub status: Option<IndicatorStatus>,
    pub kind: Option<String>,
    /// Substring of the canonical value.
    pub term: Option<String>,
    /// Only indicators seen in this channel (which the caller can read).
    pub channel: Option<ChannelId>,
    /// Only indicators seen in this team's channels.
    pub team: Option<TeamId>,
    pub offset: i64,
    pub limit: i64,
}

/// An indicator as one reader sees it: with figures computed over the sightings they can
/// read only.
#[derive(Clone, Debug)]
pub struct VisibleIndicator {
    pub indicator: Indicator,
    pub sightings: i64,
    pub channels: i64,
    /// First and last readable sighting (the indicator's own fields span every channel).
    pub first_seen: Millis,
    pub last_seen: Millis,
}

/// An analyst's decision.
#[derive(Clone, Debug, Default)]
pub struct Review {
    pub status: Option<IndicatorStatus>,
    pub confidence: Option<i64>,
    pub tags: Option<Vec<String>>,
    pub kill_chain_phase: Option<String>,
    pub tlp_floor: Option<Tlp>,
    pub valid_until: Option<Millis>,
}

/// An indicator that may leave the server, at its effective label.
#[derive(Clone, Debug)]
pub struct Exportable {
    pub indicator: Indicator,
    /// The least restrictive label among its live sightings, raised to the analyst's floor.
    pub tlp: Tlp,
    /// Live sightings at or below the reader's ceiling, and their first and last times
    /// (never those of sightings the reader may not hear of).
    pub sightings: i64,
    pub first_seen: Millis,
    pub last_seen: Millis,
}

/// Live sightings of an indicator grouped by label, for publication.
#[derive(Clone, Debug)]
pub struct SightingGroup {
    pub tlp: Tlp,
    pub count: i64,
    pub first_seen: Millis,
    pub last_seen: Millis,
    /// Organizations of sightings in channels that allow attribution.
    pub attributed_orgs: Vec<OrgId>,
}

/// What the publisher needs about an indicator whose export is out of date.
#[derive(Clone, Debug)]
pub struct PendingPublication {
    pub indicator: Indicator,
    pub groups: Vec<SightingGroup>,
    /// Rank the log last published it at (-1: never), and whether that was a revocation.
    pub published_rank: i64,
    pub published_revoked: bool,
    /// Which generation of STIX object ids the indicator is published under (see the
    /// publisher: revoked objects are never updated, a comeback gets fresh ids).
    pub generation: i64,
}

/// A STIX object version to append to the log.
#[derive(Clone, Debug)]
pub struct NewStixRecord {
    pub stix_id: String,
    pub stix_type: String,
    pub version: String,
    pub tlp: Tlp,
    pub tags: Vec<String>,
    pub body: String,
}

/// A query over the STIX log as one collection sees it.
#[derive(Clone, Debug, Default)]
pub struct StixQuery {
    /// Rows at or below this label.
    pub ceiling: Option<Tlp>,
    /// Only rows carrying one of these tags (a partner collection); empty means all.
    pub tags: Vec<String>,
    /// Only rows after this position (exclusive).
    pub after_seq: i64,
    /// `added_after`, exclusive, in microseconds.
    pub added_after: Option<i64>,
    pub ids: Vec<String>,
    pub types: Vec<String>,
    /// `None` for the latest version of each object; `Some(vec![])` for all versions;
    /// otherwise any of these: exact versions, `first`, `last`.
    pub versions: Option<Vec<String>>,
    /// Only the first version of each object.
    pub first_only: bool,
    pub limit: i64,
}

/// What the publisher appends for one indicator (or, without one, the shared objects).
#[derive(Clone, Debug)]
pub struct Publication {
    /// The indicator whose pending change this settles.
    pub indicator: Option<IndicatorId>,
    /// The indicator's `update_at` when the publisher read it: a later change keeps it pending.
    pub seen_update_at: Millis,
    pub records: Vec<NewStixRecord>,
    /// The label rank the indicator is now published at, and whether that version is revoked.
    pub rank: i64,
    pub revoked: bool,
    pub generation: i64,
}

#[async_trait]
pub trait IntelStore: Send + Sync {
    async fn indicator(&self, id: &IndicatorId) -> Result<Option<Indicator>>;
    async fn indicator_by_value(&self, kind: &str, value: &str) -> Result<Option<Indicator>>;
    /// Indicators with at least one live sighting the scope can read, with figures over
    /// those sightings only.
    async fn visible_indicators(&self, scope: &ReadScope, filter: &IndicatorFilter) -> Result<Vec<VisibleIndicator>>;
    /// Live sightings of an indicator the scope can read, newest first.
    async fn readable_sightings(&self, scope: &ReadScope, indicator: &IndicatorId) -> Result<Vec<Sighting>>;
    /// Teams in which the scope can read a live sighting of the indicator.
    async fn sighting_teams(&self, scope: &ReadScope, indicator: &IndicatorId) -> Result<Vec<TeamId>>;
    /// Applies a decision and records it in the audit log, in one transaction.
    async fn review_indicator(&self, id: &IndicatorId, review: &Review, actor: &UserId, at: Millis, audit: AuditEntry) -> Result<Indicator>;

    /// Indicators whose export is out of date.
    async fn pending_publications(&self, limit: i64) -> Result<Vec<PendingPublication>>;
    /// Appends each publication's STIX records (with strictly increasing `date_added`) and
    /// marks its indicator published at its rank (revoked or not), unless the indicator
    /// changed again meanwhile; all in one transaction.
    async fn record_publications(&self, publications: Vec<Publication>) -> Result<()>;
    async fn stix_objects(&self, q: &StixQuery) -> Result<Vec<StixRecord>>;
    /// Flags confirmed indicators whose expiry passed, so the publisher revokes them.
    async fn flag_expired(&self, now: Millis) -> Result<u64>;
    /// Whether any record exists with this STIX id (shared objects are appended once).
    async fn stix_object_exists(&self, stix_id: &str) -> Result<bool>;

    /// Confirmed, unexpired indicators with live sightings whose effective label is at or
    /// below `ceiling` and not RED.
    async fn exportable(&self, ceiling: Tlp, kinds: &[&str], now: Millis) -> Result<Vec<Exportable>>;

    async fn collections(&self) -> Result<Vec<Collection>>;
    async fn save_collection(&self, c: &Collection) -> Result<()>;
    async fn create_feed_key(&self, key: &FeedKey) -> Result<()>;
    async fn feed_key_by_hash(&self, hash: &str) -> Result<Option<FeedKey>>;
    async fn feed_keys(&self) -> Result<Vec<FeedKey>>;
    async fn revoke_feed_key(&self, name: &str, at: Millis) -> Result<bool>;
    async fn touch_feed_key(&self, id: &str, at: Millis) -> Result<()>;
    async fn save_taxii_status(&self, id: &str, key_id: &str, at: Millis, body: &str) -> Result<()>;
    async fn taxii_status(&self, id: &str, key_id: &str) -> Result<Option<String>>;

    async fn allowlist_entries(&self) -> Result<Vec<(String, String, String)>>;
    async fn append_audit(&self, entry: AuditEntry) -> Result<()>;
    async fn audit_entries(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>>;
}

/// The whole storage port.
pub trait Store: AccountStore + TeamStore + ChannelStore + PostStore + SearchStore + IntelStore {}
impl<T: AccountStore + TeamStore + ChannelStore + PostStore + SearchStore + IntelStore> Store for T {}

/// Where uploaded bytes live (a directory, or an object store).
#[async_trait]
pub trait BlobStore: Send + Sync {
    async fn put(&self, key: &str, data: Vec<u8>) -> Result<()>;
    async fn get(&self, key: &str) -> Result<Vec<u8>>;
    async fn delete(&self, key: &str) -> Result<()>;
}

/// Wall-clock time in milliseconds; a port so tests can pin it.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> Millis;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> Millis {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
    }
}

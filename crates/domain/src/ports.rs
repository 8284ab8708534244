//! The ports the domain needs from the outside world: storage, blobs and a clock.
//!
//! The storage port is split by area. Methods that return channel content take a
//! [`ChannelGrant`] (or filter by the caller's membership inside the query), which is how the
//! "one gate for reads" invariant is enforced by construction: the store cannot be asked for a
//! post without proof that the policy allowed it.

use crate::error::Result;
use crate::ids::{ChannelId, FileId, OrgId, PostId, SessionId, TeamId, UserId};
use crate::model::*;
use crate::policy::ChannelGrant;
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
    /// Root and every live reply, oldest first.
    async fn thread(&self, grant: &ChannelGrant, root: &PostId) -> Result<Vec<Post>>;
    /// The oldest live post created after the instant: the first one a member who last viewed
    /// the channel then has not seen.
    async fn first_post_after(&self, grant: &ChannelGrant, at: Millis) -> Result<Option<PostId>>;
    async fn pinned_posts(&self, grant: &ChannelGrant) -> Result<Vec<Post>>;
    async fn update_post(&self, grant: &ChannelGrant, post: &Post, tokens: Option<Vec<String>>) -> Result<()>;
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

/// The whole storage port.
pub trait Store: AccountStore + TeamStore + ChannelStore + PostStore + SearchStore {}
impl<T: AccountStore + TeamStore + ChannelStore + PostStore + SearchStore> Store for T {}

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

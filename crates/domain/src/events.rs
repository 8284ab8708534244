//! Real-time events and the port they leave the domain through.
//!
//! Services publish an [`Event`] after the change it describes is committed. The
//! [`EventBus`] port carries it to whatever delivers it: in one process, the WebSocket hub;
//! across nodes, a broker. Delivery decides recipients from the audience *at delivery time*,
//! against fresh membership and the same policy REST uses, so an event never reaches someone
//! who could not read it through REST at that moment.

use crate::ids::{ChannelId, PostId, SessionId, TeamId, UserId};
use crate::model::{Channel, ChannelMember, Post, Preference, Reaction, Team, User};
use std::sync::Arc;

/// Who an event is for, before the permission filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Members of a channel who may read it.
    Channel(ChannelId),
    /// Active members of a team.
    Team(TeamId),
    /// One user's connections.
    User(UserId),
    /// Every connected user.
    All,
}

#[derive(Clone, Debug)]
pub enum EventKind {
    Posted {
        post: Post,
        channel: Channel,
        sender_name: String,
        mentions: Vec<UserId>,
    },
    PostEdited {
        post: Post,
    },
    PostDeleted {
        post: Post,
        deleted_by: UserId,
    },
    ReactionAdded {
        reaction: Reaction,
    },
    ReactionRemoved {
        reaction: Reaction,
    },
    Typing {
        user_id: UserId,
        parent_id: String,
    },
    MultipleChannelsViewed {
        times: Vec<(ChannelId, i64)>,
    },
    /// A member marked a channel unread from a post; sent to that member only.
    PostUnread {
        member: ChannelMember,
        team_id: Option<TeamId>,
        post_id: PostId,
    },
    ChannelCreated {
        channel_id: ChannelId,
        team_id: Option<TeamId>,
    },
    ChannelUpdated {
        channel: Channel,
    },
    ChannelDeleted {
        channel_id: ChannelId,
        delete_at: i64,
    },
    ChannelRestored {
        channel_id: ChannelId,
    },
    ChannelConverted {
        channel_id: ChannelId,
    },
    ChannelMemberUpdated {
        member: ChannelMember,
    },
    DirectAdded {
        creator_id: UserId,
        teammate_id: UserId,
    },
    GroupAdded {
        teammate_ids: Vec<UserId>,
    },
    UserAdded {
        user_id: UserId,
        team_id: Option<TeamId>,
        channel_id: ChannelId,
    },
    /// Sent to the channel; the removed user gets [`EventKind::UserRemovedSelf`].
    UserRemoved {
        user_id: UserId,
        remover_id: UserId,
        channel_id: ChannelId,
    },
    UserRemovedSelf {
        channel_id: ChannelId,
        remover_id: UserId,
    },
    AddedToTeam {
        team_id: TeamId,
        user_id: UserId,
    },
    LeaveTeam {
        team_id: TeamId,
        user_id: UserId,
    },
    UpdateTeam {
        team: Team,
    },
    NewUser {
        user_id: UserId,
    },
    UserUpdated {
        user: User,
    },
    StatusChange {
        user_id: UserId,
        status: String,
    },
    PreferencesChanged {
        preferences: Vec<Preference>,
    },
    PreferencesDeleted {
        preferences: Vec<Preference>,
    },
    /// Control events, never sent to clients: the hub closes the matching sockets.
    SessionRevoked {
        session_id: SessionId,
    },
    UserDeactivated {
        user_id: UserId,
    },
}

#[derive(Clone, Debug)]
pub struct Event {
    pub kind: EventKind,
    pub audience: Audience,
    /// A user who must not receive it (the typist of a typing event).
    pub omit_user: Option<UserId>,
}

impl Event {
    pub fn new(kind: EventKind, audience: Audience) -> Self {
        Event { kind, audience, omit_user: None }
    }

    pub fn omitting(mut self, user: UserId) -> Self {
        self.omit_user = Some(user);
        self
    }
}

/// The fan-out port. Publishing never blocks on slow consumers and never fails the request
/// whose change it reports: the change is already committed, and clients that miss an event
/// resync over REST.
pub trait EventBus: Send + Sync + 'static {
    fn publish(&self, event: Arc<Event>);
}

/// A bus that drops everything, for tools (the admin CLI) that change data with no server
/// listening in this process.
pub struct NullBus;

impl EventBus for NullBus {
    fn publish(&self, _event: Arc<Event>) {}
}

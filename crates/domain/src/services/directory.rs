//! The member directory: listing and searching users, and a user's own sessions.
//!
//! Profiles are visible to every signed-in member (members must see who is in the room), but
//! filters that reveal membership are checked: listing a channel's members needs read
//! access to the channel, listing a team's needs membership of the team.

use crate::app::App;
use crate::error::{Error, Result};
use crate::events::{Audience, Event, EventKind};
use crate::ids::{SessionId, UserId};
use crate::model::{Session, User};
use crate::policy::{Action, Principal};
use crate::ports::UserQuery;

impl App {
    /// Users matching a query, after checking that the principal may see the memberships
    /// the filters refer to.
    pub async fn list_users(&self, principal: &Principal, mut q: UserQuery) -> Result<Vec<User>> {
        for channel in [&q.in_channel, &q.not_in_channel].into_iter().flatten() {
            self.grant(principal, channel, Action::Read).await?;
        }
        for team in [&q.in_team, &q.not_in_team].into_iter().flatten() {
            let member = self.store.get_team_member(team, &principal.user_id).await?.filter(|m| m.is_active());
            if member.is_none() && !principal.system_admin {
                return Err(Error::not_found("team"));
            }
        }
        if (q.include_inactive || q.only_inactive) && !principal.system_admin {
            // Deactivated accounts are listed for admins only; others see active members.
            q.include_inactive = false;
            q.only_inactive = false;
        }
        if let Some(term) = &q.term
            && term.chars().count() > 64
        {
            return Err(Error::invalid_param("term"));
        }
        q.limit = q.limit.clamp(1, 200);
        self.store.list_users(&q).await
    }

    pub async fn users_by_ids(&self, _principal: &Principal, ids: &[UserId]) -> Result<Vec<User>> {
        if ids.len() > 1000 {
            return Err(Error::invalid_param("user_ids"));
        }
        self.store.get_users(ids).await
    }

    pub async fn users_by_usernames(&self, _principal: &Principal, names: &[String]) -> Result<Vec<User>> {
        if names.len() > 1000 {
            return Err(Error::invalid_param("usernames"));
        }
        let names: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        self.store.get_users_by_usernames(&names).await
    }

    pub async fn sessions_of(&self, principal: &Principal, user: &UserId) -> Result<Vec<Session>> {
        if &principal.user_id != user && !principal.system_admin {
            return Err(Error::forbidden());
        }
        self.store.list_sessions(user).await
    }

    /// Ends one session of a user (theirs, or any for an admin); its sockets close too.
    pub async fn revoke_session(&self, principal: &Principal, user: &UserId, session: &SessionId) -> Result<()> {
        if &principal.user_id != user && !principal.system_admin {
            return Err(Error::forbidden());
        }
        let sessions = self.store.list_sessions(user).await?;
        if !sessions.iter().any(|s| &s.id == session) {
            return Err(Error::not_found("session"));
        }
        self.store.delete_session(session).await?;
        self.publish(Event::new(EventKind::SessionRevoked { session_id: session.clone() }, Audience::User(user.clone())));
        Ok(())
    }

    pub async fn revoke_all_sessions(&self, principal: &Principal, user: &UserId) -> Result<()> {
        if &principal.user_id != user && !principal.system_admin {
            return Err(Error::forbidden());
        }
        for session_id in self.store.delete_user_sessions(user).await? {
            self.publish(Event::new(EventKind::SessionRevoked { session_id }, Audience::User(user.clone())));
        }
        Ok(())
    }
}

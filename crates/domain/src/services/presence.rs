//! Preferences, statuses and typing.

use crate::app::App;
use crate::error::{Error, Result};
use crate::events::{Audience, Event, EventKind};
use crate::ids::{ChannelId, UserId};
use crate::model::{Preference, Status};
use crate::policy::{Action, Principal};

const STATUSES: &[&str] = &["online", "away", "dnd", "offline"];

fn check_prefs(principal: &Principal, user: &UserId, prefs: &[Preference]) -> Result<()> {
    if &principal.user_id != user {
        return Err(Error::forbidden());
    }
    if prefs.len() > 100 {
        return Err(Error::invalid_param("preferences"));
    }
    for p in prefs {
        if &p.user_id != user {
            return Err(Error::forbidden());
        }
        if p.category.is_empty() || p.category.len() > 32 || p.name.len() > 64 || p.value.len() > 2000 {
            return Err(Error::invalid_param("preferences"));
        }
    }
    Ok(())
}

impl App {
    pub async fn preferences(&self, principal: &Principal, user: &UserId) -> Result<Vec<Preference>> {
        if &principal.user_id != user {
            return Err(Error::forbidden());
        }
        self.store.get_preferences(user).await
    }

    pub async fn save_preferences(&self, principal: &Principal, user: &UserId, prefs: Vec<Preference>) -> Result<()> {
        check_prefs(principal, user, &prefs)?;
        self.store.save_preferences(&prefs).await?;
        self.publish(Event::new(EventKind::PreferencesChanged { preferences: prefs }, Audience::User(user.clone())));
        Ok(())
    }

    pub async fn delete_preferences(&self, principal: &Principal, user: &UserId, prefs: Vec<Preference>) -> Result<()> {
        check_prefs(principal, user, &prefs)?;
        self.store.delete_preferences(&prefs).await?;
        self.publish(Event::new(EventKind::PreferencesDeleted { preferences: prefs }, Audience::User(user.clone())));
        Ok(())
    }

    /// Statuses of the given users; users without a stored status are offline.
    pub async fn statuses(&self, ids: &[UserId]) -> Result<Vec<Status>> {
        let ids: Vec<UserId> = ids.iter().take(1000).cloned().collect();
        let stored = self.store.get_statuses(&ids).await?;
        Ok(ids
            .into_iter()
            .map(|id| {
                stored.iter().find(|s| s.user_id == id).cloned().unwrap_or(Status {
                    user_id: id,
                    status: "offline".into(),
                    manual: false,
                    last_activity_at: 0,
                    dnd_end_time: 0,
                })
            })
            .collect())
    }

    /// Sets a status chosen by the user.
    pub async fn set_status(&self, principal: &Principal, user: &UserId, status: &str, dnd_end_time: i64) -> Result<Status> {
        if &principal.user_id != user && !principal.system_admin {
            return Err(Error::forbidden());
        }
        if !STATUSES.contains(&status) {
            return Err(Error::invalid_param("status"));
        }
        let status = Status { user_id: user.clone(), status: status.into(), manual: status != "online", last_activity_at: self.now(), dnd_end_time };
        self.store.save_status(&status).await?;
        // As in Mattermost, a status change goes to the user's own sockets only; other
        // clients ask for the statuses they show (`get_statuses_by_ids`, `/users/status/ids`).
        // Telling every connected user about every change would cost users² frames.
        self.publish(Event::new(EventKind::StatusChange { user_id: user.clone(), status: status.status.clone() }, Audience::User(user.clone())));
        Ok(status)
    }

    /// Sets a status derived from activity (sockets opening and closing). A status the user
    /// chose by hand (away, do not disturb) is left alone.
    pub async fn set_status_automatic(&self, user: &UserId, status: &str) -> Result<()> {
        let current = self.statuses(std::slice::from_ref(user)).await?.pop();
        if let Some(cur) = &current
            && (cur.manual || cur.status == status)
        {
            return Ok(());
        }
        let s = Status { user_id: user.clone(), status: status.into(), manual: false, last_activity_at: self.now(), dnd_end_time: 0 };
        self.store.save_status(&s).await?;
        self.publish(Event::new(EventKind::StatusChange { user_id: user.clone(), status: status.into() }, Audience::User(user.clone())));
        Ok(())
    }

    /// Reports that the principal is typing; only channel members may, and they do not get
    /// their own event back.
    pub async fn typing(&self, principal: &Principal, channel: &ChannelId, parent_id: &str) -> Result<()> {
        let grant = self.grant(principal, channel, Action::Post).await?;
        let parent = if parent_id.is_empty() || crate::ids::is_valid_id(parent_id) { parent_id.to_owned() } else { String::new() };
        let event =
            Event::new(EventKind::Typing { user_id: principal.user_id.clone(), parent_id: parent }, Audience::Channel(grant.channel_id().clone()))
                .omitting(principal.user_id.clone());
        self.publish(event);
        Ok(())
    }
}

//! The application: every service of the domain behind one handle.
//!
//! Services are `impl App` blocks in their own modules (`accounts`, `teams`, `channels`, ...),
//! each method a verb the HTTP edge calls once per request: extract, call, map.

use crate::error::{Error, Result};
use crate::events::{Event, EventBus};
use crate::ids::{ChannelId, UserId};
use crate::model::{Channel, Millis};
use crate::policy::{self, Action, ChannelGrant, Principal};
use crate::ports::{BlobStore, Clock, Store};
use crate::settings::Settings;
use std::sync::Arc;

pub struct App {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn BlobStore>,
    pub bus: Arc<dyn EventBus>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    /// The indicator engine; rebuilt when analysts extend the allow-list.
    pub(crate) extractor: std::sync::RwLock<Arc<ioc::Extractor>>,
    /// Wakes the publisher when something to export changed.
    pub(crate) intel_notify: tokio::sync::Notify,
    /// Set once the default TAXII collections are known to exist.
    pub(crate) collections_ready: std::sync::atomic::AtomicBool,
    /// Set once the producer identity and TLP markings are known to be in the STIX log.
    pub(crate) shared_objects_published: std::sync::atomic::AtomicBool,
}

impl App {
    pub fn new(store: Arc<dyn Store>, blobs: Arc<dyn BlobStore>, bus: Arc<dyn EventBus>, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        let extractor = crate::services::capture::build_extractor(&settings.allowlist_extra, &[]);
        App {
            store,
            blobs,
            bus,
            clock,
            settings,
            extractor: std::sync::RwLock::new(Arc::new(extractor)),
            intel_notify: tokio::sync::Notify::new(),
            collections_ready: Default::default(),
            shared_objects_published: Default::default(),
        }
    }

    pub fn now(&self) -> Millis {
        self.clock.now_ms()
    }

    pub(crate) fn publish(&self, event: Event) {
        self.bus.publish(Arc::new(event));
    }

    /// Loads the facts about a channel and asks the policy. This is the gate every
    /// channel-scoped service method goes through.
    pub async fn grant(&self, principal: &Principal, channel_id: &ChannelId, action: Action) -> Result<ChannelGrant> {
        let channel = self.store.get_channel(channel_id).await?.ok_or_else(|| Error::not_found("channel"))?;
        self.grant_for(principal, channel, action).await
    }

    /// Like [`App::grant`] for a channel already loaded.
    pub async fn grant_for(&self, principal: &Principal, channel: Channel, action: Action) -> Result<ChannelGrant> {
        let member = self.store.get_channel_member(&channel.id, &principal.user_id).await?;
        let team_member = match &channel.team_id {
            Some(team) => self.store.get_team_member(team, &principal.user_id).await?,
            None => None,
        };
        let channel_id = channel.id.clone();
        let decision = policy::authorize(principal, channel, member, team_member.as_ref(), action);
        if let Err(e) = &decision {
            // Every refusal by the policy is recorded; a failure to record must not turn a
            // refusal into something else.
            let detail = serde_json::json!({"action": format!("{action:?}"), "answer": format!("{:?}", e.code)});
            if let Err(audit_err) = self.audit(Some(principal), "authz.deny", &format!("channel:{channel_id}"), detail).await {
                tracing::warn!(error = %audit_err, "could not record a permission denial");
            }
        }
        decision
    }

    /// Which of the users passing `candidate` (the hub's "has an open socket") may read
    /// `channel` right now, by the same policy as REST. The WebSocket hub calls this at
    /// delivery time, with membership read fresh from the store, so a user removed a moment
    /// ago receives nothing more. The work follows the channel's membership, not the number
    /// of candidates.
    pub async fn channel_readers(&self, channel: &Channel, candidate: impl Fn(&UserId) -> bool) -> Result<Vec<UserId>> {
        if !Self::member_may_read(channel) {
            return Ok(Vec::new());
        }
        Ok(self.store.channel_member_ids(&channel.id).await?.into_iter().filter(|u| candidate(u)).collect())
    }

    /// Whether a member of `channel` may read it. Channel events go to channel members (as in
    /// Mattermost); the facts below are exactly those REST would derive for them.
    fn member_may_read(channel: &Channel) -> bool {
        let facts = policy::Facts {
            channel_type: channel.channel_type,
            archived: channel.is_archived(),
            channel_member: true,
            channel_admin: false,
            team_member: false,
            team_admin: false,
            system_admin: false,
        };
        policy::decide(&facts, Action::Read)
    }
}

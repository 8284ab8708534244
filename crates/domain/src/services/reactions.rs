//! Emoji reactions on posts.

use crate::app::App;
use crate::error::{Error, Result};
use crate::events::{Audience, Event, EventKind};
use crate::ids::{PostId, UserId};
use crate::model::Reaction;
use crate::policy::{Action, Principal};

/// Emoji names as Mattermost accepts them: `+1`, `white_check_mark`, `flag-de`.
pub fn validate_emoji_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'));
    if ok { Ok(()) } else { Err(Error::invalid_param("emoji_name")) }
}

impl App {
    async fn reaction_grant(&self, principal: &Principal, post: &PostId, action: Action) -> Result<crate::policy::ChannelGrant> {
        let channel = self.store.post_channel(post).await?.ok_or_else(|| Error::not_found("post"))?;
        let grant = self
            .grant(principal, &channel, action)
            .await
            .map_err(|e| if e.code == crate::error::ErrorCode::NotFound { Error::not_found("post") } else { e })?;
        self.store.get_post(&grant, post).await?.filter(|p| p.delete_at == 0).ok_or_else(|| Error::not_found("post"))?;
        Ok(grant)
    }

    pub async fn add_reaction(&self, principal: &Principal, user: &UserId, post: &PostId, emoji: &str) -> Result<Reaction> {
        if user != &principal.user_id {
            return Err(Error::forbidden());
        }
        validate_emoji_name(emoji)?;
        let grant = self.reaction_grant(principal, post, Action::Post).await?;
        let reaction = Reaction {
            user_id: user.clone(),
            post_id: post.clone(),
            channel_id: grant.channel_id().clone(),
            emoji_name: emoji.to_owned(),
            create_at: self.now(),
        };
        self.store.add_reaction(&grant, &reaction).await?;
        self.publish(Event::new(EventKind::ReactionAdded { reaction: reaction.clone() }, Audience::Channel(reaction.channel_id.clone())));
        Ok(reaction)
    }

    pub async fn remove_reaction(&self, principal: &Principal, user: &UserId, post: &PostId, emoji: &str) -> Result<()> {
        if user != &principal.user_id {
            return Err(Error::forbidden());
        }
        validate_emoji_name(emoji)?;
        let grant = self.reaction_grant(principal, post, Action::Post).await?;
        let now = self.now();
        let reaction = Reaction {
            user_id: user.clone(),
            post_id: post.clone(),
            channel_id: grant.channel_id().clone(),
            emoji_name: emoji.to_owned(),
            create_at: now,
        };
        if self.store.remove_reaction(&grant, &reaction, now).await? {
            self.publish(Event::new(EventKind::ReactionRemoved { reaction: reaction.clone() }, Audience::Channel(reaction.channel_id.clone())));
        }
        Ok(())
    }

    pub async fn reactions(&self, principal: &Principal, post: &PostId) -> Result<Vec<Reaction>> {
        let grant = self.reaction_grant(principal, post, Action::Read).await?;
        self.store.reactions(&grant, std::slice::from_ref(post)).await
    }

    /// Reactions for several posts, leaving out posts the principal cannot read.
    pub async fn reactions_for_posts(&self, principal: &Principal, posts: &[PostId]) -> Result<Vec<(PostId, Vec<Reaction>)>> {
        let mut out = Vec::new();
        for post in posts.iter().take(200) {
            if let Ok(grant) = self.reaction_grant(principal, post, Action::Read).await {
                out.push((post.clone(), self.store.reactions(&grant, std::slice::from_ref(post)).await?));
            }
        }
        Ok(out)
    }
}

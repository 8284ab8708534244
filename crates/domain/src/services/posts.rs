//! Posts and threads: create (idempotently), read, edit, delete, pin.

use crate::app::App;
use crate::error::{Error, ErrorCode, Result};
use crate::events::{Audience, Event, EventKind};
use crate::ids::{ChannelId, FileId, PostId, UserId};
use crate::model::{ChannelType, Post};
use crate::policy::{Action, ChannelGrant, Principal};
use crate::ports::{NewPost, PostPage};
use crate::text;
use std::collections::{BTreeMap, HashSet};

#[derive(Clone, Debug)]
pub struct PostInput {
    pub channel_id: ChannelId,
    pub message: String,
    pub root_id: Option<PostId>,
    pub file_ids: Vec<FileId>,
    pub props: Option<serde_json::Value>,
    pub pending_post_id: String,
}

#[derive(Clone, Debug, Default)]
pub struct PostPatch {
    pub message: Option<String>,
    pub is_pinned: Option<bool>,
    pub props: Option<serde_json::Value>,
}

/// A page of posts: ids newest first, the posts (plus context such as thread roots), and the
/// neighbouring post ids outside the page.
#[derive(Clone, Debug, Default)]
pub struct PostList {
    pub order: Vec<PostId>,
    pub posts: BTreeMap<PostId, Post>,
    pub next_post_id: String,
    pub prev_post_id: String,
}

/// Prop keys only the server sets; a client cannot forge a webhook or bot post.
const RESERVED_PROPS: &[&str] = &["from_webhook", "from_bot", "override_username", "override_icon_url", "from_plugin", "intel"];

fn clean_props(props: Option<serde_json::Value>) -> Result<serde_json::Value> {
    let mut props = match props {
        None | Some(serde_json::Value::Null) => serde_json::Map::new(),
        Some(serde_json::Value::Object(map)) => map,
        Some(_) => return Err(Error::invalid_param("props")),
    };
    for key in RESERVED_PROPS {
        props.remove(*key);
    }
    let value = serde_json::Value::Object(props);
    if value.to_string().len() > 8 * 1024 {
        return Err(Error::invalid_param("props"));
    }
    Ok(value)
}

impl App {
    fn check_message(&self, message: &str) -> Result<()> {
        if message.chars().count() > self.settings.max_post_chars {
            return Err(Error::new(ErrorCode::PostTooLong).with_param("message"));
        }
        Ok(())
    }

    /// Creates a post. A retry carrying a `pending_post_id` the same user already used
    /// returns the stored post instead of a duplicate, after the normal read check.
    pub async fn create_post(&self, principal: &Principal, input: PostInput) -> Result<(Post, bool)> {
        self.check_message(&input.message)?;
        if input.pending_post_id.len() > 64 {
            return Err(Error::invalid_param("pending_post_id"));
        }
        if input.file_ids.len() > 10 {
            return Err(Error::invalid_param("file_ids"));
        }
        if input.message.trim().is_empty() && input.file_ids.is_empty() {
            return Err(Error::new(ErrorCode::EmptyPost).with_param("message"));
        }
        if !input.pending_post_id.is_empty()
            && let Some(existing) = self.replay(principal, &input.pending_post_id).await?
        {
            return Ok((existing, true));
        }
        let grant = self.grant(principal, &input.channel_id, Action::Post).await?;
        let root_id = match &input.root_id {
            Some(root) => Some(self.thread_root(&grant, root).await?),
            None => None,
        };
        let props = clean_props(input.props)?;
        let mentions = self.mentioned_members(&grant, &input.message).await?;
        let now = self.now();
        let post = Post {
            id: PostId::generate(),
            create_at: now,
            update_at: now,
            edit_at: 0,
            delete_at: 0,
            is_pinned: false,
            user_id: principal.user_id.clone(),
            channel_id: grant.channel_id().clone(),
            root_id,
            original_id: String::new(),
            hashtags: text::hashtags(&input.message),
            message: input.message,
            post_type: String::new(),
            props,
            file_ids: input.file_ids,
            pending_post_id: input.pending_post_id,
            reply_count: 0,
            last_reply_at: 0,
            has_reactions: false,
        };
        let tokens = text::search_tokens(&post.message);
        let author = self.store.get_user(&principal.user_id).await?;
        let intel = self.capture(grant.channel(), author.as_ref(), &post.message);
        let captured = intel.as_ref().is_some_and(|i| !i.captures.is_empty());
        let stored = self.store.create_post(&grant, NewPost { post, mentions: mentions.clone(), tokens, intel }).await?;
        if stored.replayed {
            return Ok((stored.post, true));
        }
        if captured {
            self.intel_changed();
        }
        let sender = author.map(|u| u.username).unwrap_or_default();
        let channel = grant.channel().clone();
        self.publish(Event::new(
            EventKind::Posted { post: stored.post.clone(), channel: channel.clone(), sender_name: sender, mentions },
            Audience::Channel(channel.id),
        ));
        Ok((stored.post, false))
    }

    async fn replay(&self, principal: &Principal, pending: &str) -> Result<Option<Post>> {
        let Some(post) = self.store.post_by_pending_id(&principal.user_id, pending).await? else { return Ok(None) };
        // The key is per user, and the post is returned only if its channel is still readable.
        let grant = self.grant(principal, &post.channel_id, Action::Read).await?;
        self.store.get_post(&grant, &post.id).await
    }

    /// The root a reply belongs to: it must be a live post of the same channel.
    async fn thread_root(&self, grant: &ChannelGrant, root: &PostId) -> Result<PostId> {
        let post = self
            .store
            .get_post(grant, root)
            .await?
            .filter(|p| p.delete_at == 0)
            .ok_or_else(|| Error::new(ErrorCode::InvalidRoot).with_param("root_id"))?;
        Ok(post.root_id.unwrap_or(post.id))
    }

    /// Channel members a message mentions, never the author. In a direct channel, every
    /// message mentions the other person.
    async fn mentioned_members(&self, grant: &ChannelGrant, message: &str) -> Result<Vec<UserId>> {
        let author = grant.user_id();
        let channel = grant.channel();
        let found = text::mentions(message);
        let mut out: HashSet<UserId> = HashSet::new();
        if channel.channel_type == ChannelType::Direct || found.channel || found.here {
            out.extend(self.store.channel_member_ids(&channel.id).await?);
        }
        if !found.usernames.is_empty() {
            let names: Vec<String> = found.usernames.into_iter().collect();
            out.extend(self.store.members_by_username(&channel.id, &names).await?.into_iter().map(|u| u.id));
        }
        out.remove(author);
        let mut out: Vec<UserId> = out.into_iter().collect();
        out.sort();
        Ok(out)
    }

    /// Loads a post and the grant for its channel.
    pub(crate) async fn post_with_grant(&self, principal: &Principal, id: &PostId, action: Action) -> Result<(Post, ChannelGrant)> {
        let channel = self.store.post_channel(id).await?.ok_or_else(|| Error::not_found("post"))?;
        let grant = match self.grant(principal, &channel, action).await {
            Err(e) if e.code == ErrorCode::NotFound => return Err(Error::not_found("post")),
            other => other?,
        };
        let post = self.store.get_post(&grant, id).await?.filter(|p| p.delete_at == 0).ok_or_else(|| Error::not_found("post"))?;
        Ok((post, grant))
    }

    pub async fn post(&self, principal: &Principal, id: &PostId) -> Result<Post> {
        Ok(self.post_with_grant(principal, id, Action::Read).await?.0)
    }

    /// Posts by id, leaving out any the principal cannot read.
    pub async fn posts_by_ids(&self, principal: &Principal, ids: &[PostId]) -> Result<Vec<Post>> {
        let mut by_channel: BTreeMap<ChannelId, Vec<PostId>> = BTreeMap::new();
        for id in ids.iter().take(200) {
            if let Some(channel) = self.store.post_channel(id).await? {
                by_channel.entry(channel).or_default().push(id.clone());
            }
        }
        let mut out = Vec::new();
        for (channel, ids) in by_channel {
            if let Ok(grant) = self.grant(principal, &channel, Action::Read).await {
                out.extend(self.store.get_posts(&grant, &ids).await?.into_iter().filter(|p| p.delete_at == 0));
            }
        }
        Ok(out)
    }

    /// A page of a channel's posts, with the roots of replies in the page added for context.
    pub async fn channel_posts(&self, principal: &Principal, channel: &ChannelId, page: PostPage) -> Result<PostList> {
        let grant = self.grant(principal, channel, Action::Read).await?;
        self.page_of(&grant, page).await
    }

    /// A page of posts behind a grant already obtained.
    pub(crate) async fn page_of(&self, grant: &ChannelGrant, page: PostPage) -> Result<PostList> {
        let posts = self.store.channel_posts(grant, &page).await?;
        let mut list = PostList::default();
        let per_page = match page {
            PostPage::Latest { per_page, .. } | PostPage::Before { per_page, .. } | PostPage::After { per_page, .. } => Some(per_page),
            PostPage::Since { .. } => None,
        };
        // The store returns one extra post beyond each end of a page when it exists, which
        // tells us the neighbours without a second query.
        let mut posts = posts;
        if let Some(per_page) = per_page {
            let (before_extra, after_extra) = neighbours(&mut posts, &page, per_page as usize);
            list.prev_post_id = before_extra.map(|p| p.to_string()).unwrap_or_default();
            list.next_post_id = after_extra.map(|p| p.to_string()).unwrap_or_default();
        }
        for post in posts {
            list.order.push(post.id.clone());
            list.posts.insert(post.id.clone(), post);
        }
        self.add_missing_roots(grant, &mut list).await?;
        Ok(list)
    }

    /// Adds the roots of replies in the list that are not in it yet, for context.
    pub(crate) async fn add_missing_roots(&self, grant: &ChannelGrant, list: &mut PostList) -> Result<()> {
        let mut missing: Vec<PostId> = list.posts.values().filter_map(|p| p.root_id.clone()).filter(|r| !list.posts.contains_key(r)).collect();
        missing.sort();
        missing.dedup();
        if !missing.is_empty() {
            for root in self.store.get_posts(grant, &missing).await? {
                list.posts.insert(root.id.clone(), root);
            }
        }
        Ok(())
    }

    /// The channel's post-list version for ETags (read access required).
    pub async fn channel_posts_version(&self, principal: &Principal, channel: &ChannelId) -> Result<i64> {
        let grant = self.grant(principal, channel, Action::Read).await?;
        self.store.posts_version(&grant).await
    }

    /// A whole thread: the root and its replies, newest first in `order`.
    pub async fn thread(&self, principal: &Principal, id: &PostId) -> Result<PostList> {
        let (post, grant) = self.post_with_grant(principal, id, Action::Read).await?;
        let root = post.root_id.clone().unwrap_or(post.id.clone());
        let posts = self.store.thread(&grant, &root).await?;
        let mut list = PostList::default();
        for post in posts.into_iter().rev() {
            list.order.push(post.id.clone());
            list.posts.insert(post.id.clone(), post);
        }
        Ok(list)
    }

    pub async fn patch_post(&self, principal: &Principal, id: &PostId, patch: PostPatch) -> Result<Post> {
        let (mut post, grant) = self.post_with_grant(principal, id, Action::Post).await?;
        let now = self.now();
        let mut tokens = None;
        let mut intel = None;
        if (patch.message.is_some() || patch.props.is_some()) && (post.user_id != principal.user_id || !post.post_type.is_empty()) {
            return Err(Error::forbidden());
        }
        if let Some(message) = patch.message {
            self.check_message(&message)?;
            if message.trim().is_empty() && post.file_ids.is_empty() {
                return Err(Error::new(ErrorCode::EmptyPost).with_param("message"));
            }
            if message != post.message {
                tokens = Some(text::search_tokens(&message));
                let author = self.store.get_user(&post.user_id).await?;
                // Re-captured under the channel's current mode; with capture off, the edited
                // post's sightings are retracted.
                intel = Some(self.capture(grant.channel(), author.as_ref(), &message).unwrap_or(crate::ports::PostIntel {
                    captures: Vec::new(),
                    org_id: None,
                    auto_publish: false,
                }));
                post.hashtags = text::hashtags(&message);
                post.message = message;
                post.edit_at = now;
            }
        }
        if let Some(props) = patch.props {
            post.props = clean_props(Some(props))?;
        }
        if let Some(pinned) = patch.is_pinned {
            post.is_pinned = pinned;
        }
        post.update_at = now;
        let recaptured = intel.is_some();
        self.store.update_post(&grant, &post, tokens, intel).await?;
        if recaptured {
            self.intel_changed();
        }
        self.publish(Event::new(EventKind::PostEdited { post: post.clone() }, Audience::Channel(post.channel_id.clone())));
        Ok(post)
    }

    pub async fn set_pinned(&self, principal: &Principal, id: &PostId, pinned: bool) -> Result<Post> {
        self.patch_post(principal, id, PostPatch { is_pinned: Some(pinned), ..Default::default() }).await
    }

    /// Deletes a post (one's own, or anyone's for channel and team admins); replies go too.
    pub async fn delete_post(&self, principal: &Principal, id: &PostId) -> Result<()> {
        let (post, grant) = self.post_with_grant(principal, id, Action::Read).await?;
        let grant = if post.user_id == principal.user_id {
            self.grant_for(principal, grant.channel().clone(), Action::Post).await?
        } else {
            self.grant_for(principal, grant.channel().clone(), Action::ModerateOthers).await?
        };
        let now = self.now();
        self.store.delete_post(&grant, &post, now).await?;
        self.intel_changed();
        let mut deleted = post;
        deleted.delete_at = now;
        deleted.update_at = now;
        self.publish(Event::new(
            EventKind::PostDeleted { post: deleted.clone(), deleted_by: principal.user_id.clone() },
            Audience::Channel(deleted.channel_id.clone()),
        ));
        Ok(())
    }

    pub async fn pinned_posts(&self, principal: &Principal, channel: &ChannelId) -> Result<PostList> {
        let grant = self.grant(principal, channel, Action::Read).await?;
        let mut list = PostList::default();
        for post in self.store.pinned_posts(&grant).await? {
            list.order.push(post.id.clone());
            list.posts.insert(post.id.clone(), post);
        }
        Ok(list)
    }

    /// Saved ("flagged") posts: the ids come from preferences, and each goes through the
    /// read check again, so a post from a channel the user has left is not returned.
    pub async fn flagged_posts(&self, principal: &Principal, user: &UserId) -> Result<PostList> {
        if &principal.user_id != user {
            return Err(Error::forbidden());
        }
        let ids: Vec<PostId> = self
            .store
            .get_preferences(user)
            .await?
            .into_iter()
            .filter(|p| p.category == "flagged_post" && p.value == "true")
            .filter_map(|p| PostId::parse(&p.name))
            .collect();
        let mut posts = self.posts_by_ids(principal, &ids).await?;
        posts.sort_by_key(|p| std::cmp::Reverse(p.create_at));
        let mut list = PostList::default();
        for post in posts {
            list.order.push(post.id.clone());
            list.posts.insert(post.id.clone(), post);
        }
        Ok(list)
    }
}

/// Splits the store's over-fetched page into the page itself and its neighbours. For
/// `Latest` and `Before`, the store returns up to `per_page + 1` posts newest first; the
/// extra one is the older neighbour. For `After`, it returns up to `per_page + 1` posts
/// oldest first; the extra one is the newer neighbour, and the page is then reversed.
fn neighbours(posts: &mut Vec<Post>, page: &PostPage, per_page: usize) -> (Option<PostId>, Option<PostId>) {
    match page {
        PostPage::After { post, .. } => {
            let newer = if posts.len() > per_page { posts.pop().map(|p| p.id) } else { None };
            posts.reverse();
            (Some(post.clone()), newer)
        }
        PostPage::Before { post, .. } => {
            let older = if posts.len() > per_page { posts.pop().map(|p| p.id) } else { None };
            (older, Some(post.clone()))
        }
        _ => {
            let older = if posts.len() > per_page { posts.pop().map(|p| p.id) } else { None };
            (older, None)
        }
    }
}

impl App {
    /// Reactions and files of the posts in a list, each channel's behind its own grant.
    pub async fn post_list_metadata(
        &self,
        principal: &Principal,
        list: &PostList,
    ) -> Result<(Vec<crate::model::Reaction>, Vec<crate::model::FileInfo>)> {
        let mut by_channel: BTreeMap<ChannelId, Vec<PostId>> = BTreeMap::new();
        for post in list.posts.values() {
            if post.has_reactions || !post.file_ids.is_empty() {
                by_channel.entry(post.channel_id.clone()).or_default().push(post.id.clone());
            }
        }
        let (mut reactions, mut files) = (Vec::new(), Vec::new());
        for (channel, ids) in by_channel {
            let Ok(grant) = self.grant(principal, &channel, Action::Read).await else { continue };
            reactions.extend(self.store.reactions(&grant, &ids).await?);
            files.extend(self.store.file_infos_for_posts(&grant, &ids).await?);
        }
        Ok((reactions, files))
    }

    /// Builds a list from posts already read (search results), newest first.
    pub fn list_of(posts: Vec<Post>) -> PostList {
        let mut list = PostList::default();
        for post in posts {
            list.order.push(post.id.clone());
            list.posts.insert(post.id.clone(), post);
        }
        list
    }
}

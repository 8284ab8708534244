//! A member's read position in a channel, as clients move it: the page they open a channel
//! on (around the first unread post), and "Mark as Unread" from a post.

use crate::app::App;
use crate::error::{Error, Result};
use crate::events::{Audience, Event, EventKind};
use crate::ids::{ChannelId, PostId, UserId};
use crate::model::{ChannelType, Post};
use crate::policy::{Action, Principal};
use crate::ports::{ChannelUnread, PostPage};
use crate::services::posts::PostList;
use crate::text;

/// How many posts from the marked one on are read back to recount unread messages and
/// mentions. Marking a post further back than this leaves at most this many unread.
const UNREAD_RECOUNT_LIMIT: i64 = 1000;

impl App {
    /// Where a client opens a channel (Mattermost's "posts around last unread"): the oldest
    /// post the user has not seen, with up to `limit_before` older posts and `limit_after - 1`
    /// newer ones. When nothing is unread, or the user never viewed the channel, the newest
    /// `limit_before` posts.
    pub async fn posts_around_last_unread(
        &self,
        principal: &Principal,
        user: &UserId,
        channel: &ChannelId,
        limit_before: i64,
        limit_after: i64,
    ) -> Result<PostList> {
        if &principal.user_id != user {
            return Err(Error::forbidden());
        }
        if limit_after < 1 {
            return Err(Error::invalid_param("limit_after"));
        }
        let grant = self.grant(principal, channel, Action::Read).await?;
        let last_viewed = self.store.get_channel_member(channel, user).await?.map_or(0, |m| m.last_viewed_at);
        let first_unread = if last_viewed > 0 { self.store.first_post_after(&grant, last_viewed).await? } else { None };
        let Some(first) = first_unread else {
            return self.page_of(&grant, PostPage::Latest { page: 0, per_page: limit_before }).await;
        };
        let newer = self.page_of(&grant, PostPage::After { post: first.clone(), page: 0, per_page: limit_after - 1 }).await?;
        let older = self.page_of(&grant, PostPage::Before { post: first.clone(), page: 0, per_page: limit_before }).await?;
        let mut list = PostList { next_post_id: newer.next_post_id, prev_post_id: older.prev_post_id, ..PostList::default() };
        list.order = newer.order.into_iter().chain([first.clone()]).chain(older.order).collect();
        list.posts = newer.posts;
        list.posts.extend(older.posts);
        for post in self.store.get_posts(&grant, &[first]).await? {
            list.posts.insert(post.id.clone(), post);
        }
        self.add_missing_roots(&grant, &mut list).await?;
        Ok(list)
    }

    /// "Mark as Unread" from a post: the member's read point moves to just before it, the
    /// posts from there on count as unread again, and so do the mentions of the member among
    /// them. The member's connections hear of it through `post_unread`.
    pub async fn mark_unread_from_post(&self, principal: &Principal, user: &UserId, post_id: &PostId) -> Result<ChannelUnread> {
        if &principal.user_id != user {
            return Err(Error::forbidden());
        }
        let (post, grant) = self.post_with_grant(principal, post_id, Action::Read).await?;
        let channel = grant.channel().clone();
        let mut member = self.store.get_channel_member(&channel.id, user).await?.ok_or_else(|| Error::not_found("channel_member"))?;
        let username = self.store.get_user(user).await?.map(|u| u.username).unwrap_or_default();
        let mut unread = vec![post.clone()];
        let newer = PostPage::After { post: post.id.clone(), page: 0, per_page: UNREAD_RECOUNT_LIMIT - 1 };
        unread.extend(self.store.channel_posts(&grant, &newer).await?);
        let mentions_member = |p: &Post| {
            if &p.user_id == user {
                return false;
            }
            let found = text::mentions(&p.message);
            channel.channel_type == ChannelType::Direct || found.channel || found.here || found.usernames.contains(&username)
        };
        let roots = |posts: &mut dyn Iterator<Item = &Post>| posts.filter(|p| p.root_id.is_none()).count() as i64;
        let mentioned: Vec<&Post> = unread.iter().filter(|p| mentions_member(p)).collect();
        member.last_viewed_at = post.create_at - 1;
        member.msg_count = (channel.total_msg_count - unread.len() as i64).max(0);
        member.msg_count_root = (channel.total_msg_count_root - roots(&mut unread.iter())).max(0);
        member.mention_count = mentioned.len() as i64;
        member.mention_count_root = roots(&mut mentioned.iter().copied());
        member.urgent_mention_count = 0;
        member.last_update_at = self.now();
        self.store.set_read_state(&member).await?;
        self.publish(Event::new(
            EventKind::PostUnread { member: member.clone(), team_id: channel.team_id.clone(), post_id: post.id.clone() },
            Audience::User(user.clone()),
        ));
        Ok(ChannelUnread { channel, member })
    }
}

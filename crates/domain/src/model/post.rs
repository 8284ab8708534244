//! Posts, reactions and file attachments.

use super::Millis;
use crate::ids::{ChannelId, FileId, PostId, UserId};

#[derive(Clone, Debug)]
pub struct Post {
    pub id: PostId,
    pub create_at: Millis,
    /// Changes on every modification (edit, pin, reaction, delete); `since` sync relies on it.
    pub update_at: Millis,
    pub edit_at: Millis,
    pub delete_at: Millis,
    pub is_pinned: bool,
    pub user_id: UserId,
    pub channel_id: ChannelId,
    /// Thread root, `None` for a root post.
    pub root_id: Option<PostId>,
    pub original_id: String,
    pub message: String,
    /// `""` for an ordinary message, `system_*` for system messages.
    pub post_type: String,
    pub props: serde_json::Value,
    pub hashtags: String,
    pub file_ids: Vec<FileId>,
    /// The client's idempotency key, unique per user.
    pub pending_post_id: String,
    /// Replies in the thread (kept on the root, reported on every post of the thread).
    pub reply_count: i64,
    pub last_reply_at: Millis,
    pub has_reactions: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reaction {
    pub user_id: UserId,
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub emoji_name: String,
    pub create_at: Millis,
}

#[derive(Clone, Debug)]
pub struct FileInfo {
    pub id: FileId,
    pub user_id: UserId,
    pub channel_id: ChannelId,
    pub post_id: Option<PostId>,
    pub name: String,
    pub extension: String,
    pub size: i64,
    pub mime_type: String,
    pub width: i64,
    pub height: i64,
    pub has_preview_image: bool,
    /// Keys in the file store; never shown to clients.
    pub path: String,
    pub thumbnail_path: String,
    pub preview_path: String,
    pub create_at: Millis,
    pub update_at: Millis,
    pub delete_at: Millis,
}

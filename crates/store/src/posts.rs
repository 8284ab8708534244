//! Posts, reactions and file metadata. Every content read is scoped to a grant's channel.

use crate::SqlStore;
use crate::db::{Backend, db_err};
use crate::rows::{self, FILE_COLS, POST_COLS, b, placeholders, positional};
use async_trait::async_trait;
use domain::ids::*;
use domain::model::*;
use domain::policy::ChannelGrant;
use domain::ports::{NewPost, PostIntel, PostPage, PostStore, StoredPost};
use domain::{Error, Result};
use sqlx::{AnyConnection, AssertSqlSafe};

/// Most posts a `since` sync returns; clients page further with `before`.
const SINCE_LIMIT: i64 = 1000;

async fn insert_tokens(c: &mut AnyConnection, post: &PostId, tokens: &[String]) -> Result<()> {
    // One statement for all of them: on SQLite each statement is a round trip to the
    // connection's worker thread.
    let tokens = &tokens[..tokens.len().min(256)];
    if tokens.is_empty() {
        return Ok(());
    }
    // The post id is bound with every token so that SQLite can take them by position.
    let values: Vec<String> = (0..tokens.len()).map(|i| format!("({})", placeholders(i * 2 + 1, 2))).collect();
    let sql = format!("INSERT INTO post_tokens (token, post_id) VALUES {} ON CONFLICT (token, post_id) DO NOTHING", values.join(", "));
    let mut q = sqlx::query(AssertSqlSafe(positional(Backend::of(c), sql)));
    for token in tokens {
        q = q.bind(token).bind(post.as_str());
    }
    q.execute(&mut *c).await.map_err(db_err)?;
    Ok(())
}

async fn index_text(c: &mut AnyConnection, backend: Backend, seq: i64, message: &str) -> Result<()> {
    // PostgreSQL maintains its generated tsvector column itself.
    if backend == Backend::Sqlite {
        sqlx::query("INSERT INTO posts_fts (rowid, message) VALUES ($1, $2)").bind(seq).bind(message).execute(&mut *c).await.map_err(db_err)?;
    }
    Ok(())
}

async fn unindex_text(c: &mut AnyConnection, backend: Backend, post: &PostId) -> Result<()> {
    if backend == Backend::Sqlite {
        sqlx::query("DELETE FROM posts_fts WHERE rowid = (SELECT seq FROM posts WHERE id = $1)")
            .bind(post.as_str())
            .execute(&mut *c)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

async fn fetch_post(c: &mut AnyConnection, sql_filter: &str, binds: &[&str]) -> Result<Option<Post>> {
    let sql = format!("SELECT {POST_COLS} FROM posts p WHERE {sql_filter}");
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for v in binds {
        q = q.bind(*v);
    }
    q.fetch_optional(&mut *c).await.map_err(db_err)?.as_ref().map(rows::post).transpose()
}

#[async_trait]
impl PostStore for SqlStore {
    async fn create_post(&self, grant: &ChannelGrant, new: NewPost) -> Result<StoredPost> {
        let channel = grant.channel_id().clone();
        if new.post.channel_id != channel {
            return Err(Error::internal("post channel differs from its grant"));
        }
        let backend = self.db.backend;
        let channel_row = grant.channel().clone();
        self.db
            .write_capturing(move |c, queue| {
                Box::pin(async move {
                    let NewPost { mut post, mentions, tokens, intel } = new;
                    // Only files this user uploaded to this channel and not yet attached.
                    if !post.file_ids.is_empty() {
                        let sql = format!("SELECT id FROM file_infos WHERE user_id = $1 AND channel_id = $2 AND post_id = '' AND delete_at = 0 AND id IN ({})", placeholders(3, post.file_ids.len()));
                        let mut q = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql)).bind(post.user_id.as_str()).bind(channel.as_str());
                        for f in &post.file_ids {
                            q = q.bind(f.as_str());
                        }
                        let ok: Vec<String> = q.fetch_all(&mut *c).await.map_err(db_err)?;
                        post.file_ids.retain(|f| ok.iter().any(|o| o == f.as_str()));
                    }
                    let file_ids = serde_json::to_string(&post.file_ids.iter().map(|f| f.as_str()).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into());
                    let root = post.root_id.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_default();
                    let seq: Option<i64> = sqlx::query_scalar(
                        "INSERT INTO posts (id, create_at, update_at, edit_at, delete_at, is_pinned, user_id, channel_id, root_id, original_id, message, post_type, props, hashtags, file_ids, pending_post_id, reply_count, last_reply_at, has_reactions)
                         VALUES ($1, $2, $3, 0, 0, 0, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, 0, 0)
                         ON CONFLICT (user_id, pending_post_id) WHERE pending_post_id <> '' DO NOTHING RETURNING seq",
                    )
                    .bind(post.id.as_str())
                    .bind(post.create_at)
                    .bind(post.update_at)
                    .bind(post.user_id.as_str())
                    .bind(channel.as_str())
                    .bind(&root)
                    .bind(&post.original_id)
                    .bind(&post.message)
                    .bind(&post.post_type)
                    .bind(post.props.to_string())
                    .bind(&post.hashtags)
                    .bind(&file_ids)
                    .bind(&post.pending_post_id)
                    .fetch_optional(&mut *c)
                    .await
                    .map_err(db_err)?;
                    let Some(seq) = seq else {
                        // A concurrent retry with the same key won the race: return its post.
                        let existing = fetch_post(c, "p.user_id = $1 AND p.pending_post_id = $2 AND p.pending_post_id <> ''", &[post.user_id.as_str(), &post.pending_post_id]).await?;
                        return existing.map(|post| StoredPost { post, replayed: true }).ok_or_else(|| Error::internal("pending post vanished"));
                    };
                    let is_root = i64::from(root.is_empty());
                    sqlx::query(
                        "UPDATE channels SET total_msg_count = total_msg_count + 1, total_msg_count_root = total_msg_count_root + $3,
                                last_post_at = CASE WHEN last_post_at < $2 THEN $2 ELSE last_post_at END,
                                last_root_post_at = CASE WHEN $3 = 1 AND last_root_post_at < $2 THEN $2 ELSE last_root_post_at END
                         WHERE id = $1",
                    )
                    .bind(channel.as_str())
                    .bind(post.create_at)
                    .bind(is_root)
                    .execute(&mut *c)
                    .await
                    .map_err(db_err)?;
                    if !root.is_empty() {
                        sqlx::query("UPDATE posts SET reply_count = reply_count + 1, last_reply_at = $2, update_at = $2 WHERE id = $1 AND channel_id = $3")
                            .bind(&root)
                            .bind(post.create_at)
                            .bind(channel.as_str())
                            .execute(&mut *c)
                            .await
                            .map_err(db_err)?;
                    }
                    // The author has read their own post.
                    sqlx::query(
                        "UPDATE channel_members SET msg_count = (SELECT total_msg_count FROM channels WHERE id = $1), msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = $1),
                                last_viewed_at = $3, last_update_at = $3
                         WHERE channel_id = $1 AND user_id = $2",
                    )
                    .bind(channel.as_str())
                    .bind(post.user_id.as_str())
                    .bind(post.create_at)
                    .execute(&mut *c)
                    .await
                    .map_err(db_err)?;
                    if !mentions.is_empty() {
                        let sql = format!(
                            "UPDATE channel_members SET mention_count = mention_count + 1, mention_count_root = mention_count_root + $2, last_update_at = $3 WHERE channel_id = $1 AND user_id IN ({})",
                            placeholders(4, mentions.len())
                        );
                        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(channel.as_str()).bind(is_root).bind(post.create_at);
                        for m in &mentions {
                            q = q.bind(m.as_str());
                        }
                        q.execute(&mut *c).await.map_err(db_err)?;
                    }
                    if !post.file_ids.is_empty() {
                        let sql = format!("UPDATE file_infos SET post_id = $1, update_at = $2 WHERE id IN ({})", placeholders(3, post.file_ids.len()));
                        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(post.id.as_str()).bind(post.create_at);
                        for f in &post.file_ids {
                            q = q.bind(f.as_str());
                        }
                        q.execute(&mut *c).await.map_err(db_err)?;
                    }
                    insert_tokens(c, &post.id, &tokens).await?;
                    index_text(c, backend, seq, &post.message).await?;
                    if let Some(intel) = intel.filter(|i| !i.captures.is_empty()) {
                        let rows = crate::capture::PostSightings::new(&post, seq, &channel_row, intel, post.create_at);
                        match queue {
                            // Written with the rest of the writer's group, before it commits.
                            Some(queue) => queue.push(rows),
                            None => {
                                crate::capture::write_sightings(c, std::slice::from_ref(&rows)).await?;
                            }
                        }
                    }
                    Ok(StoredPost { post, replayed: false })
                })
            })
            .await
    }

    async fn post_channel(&self, post: &PostId) -> Result<Option<ChannelId>> {
        let id: Option<String> = sqlx::query_scalar("SELECT channel_id FROM posts WHERE id = $1")
            .bind(post.as_str())
            .fetch_optional(&self.db.pool)
            .await
            .map_err(db_err)?;
        Ok(id.map(ChannelId::from_db))
    }

    async fn get_post(&self, grant: &ChannelGrant, post: &PostId) -> Result<Option<Post>> {
        let sql = format!("SELECT {POST_COLS} FROM posts p WHERE p.id = $1 AND p.channel_id = $2");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(post.as_str())
            .bind(grant.channel_id().as_str())
            .fetch_optional(&self.db.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::post).transpose()
    }

    async fn get_posts(&self, grant: &ChannelGrant, ids: &[PostId]) -> Result<Vec<Post>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {POST_COLS} FROM posts p WHERE p.channel_id = $1 AND p.id IN ({}) ORDER BY p.create_at DESC, p.seq DESC",
            placeholders(2, ids.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(grant.channel_id().as_str());
        for id in ids {
            q = q.bind(id.as_str());
        }
        q.fetch_all(&self.db.pool).await.map_err(db_err)?.iter().map(rows::post).collect()
    }

    async fn post_by_pending_id(&self, user: &UserId, pending: &str) -> Result<Option<Post>> {
        // The literal `<> ''` lets the planner use the partial unique index `posts_pending`
        // (it cannot prove that of a bound value); without it this is a full scan of posts.
        let sql = format!("SELECT {POST_COLS} FROM posts p WHERE p.user_id = $1 AND p.pending_post_id = $2 AND p.pending_post_id <> ''");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(user.as_str()).bind(pending).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(rows::post).transpose()
    }

    async fn channel_posts(&self, grant: &ChannelGrant, page: &PostPage) -> Result<Vec<Post>> {
        let channel = grant.channel_id().as_str();
        let rows = match page {
            PostPage::Latest { page, per_page } => {
                let sql = format!("SELECT {POST_COLS} FROM posts p WHERE p.channel_id = $1 AND p.delete_at = 0 ORDER BY p.create_at DESC, p.seq DESC LIMIT $2 OFFSET $3");
                sqlx::query(AssertSqlSafe(sql)).bind(channel).bind(per_page + 1).bind(page * per_page).fetch_all(&self.db.pool).await
            }
            PostPage::Since { since } => {
                let sql = format!("SELECT {POST_COLS} FROM posts p WHERE p.channel_id = $1 AND p.update_at >= $2 ORDER BY p.create_at DESC, p.seq DESC LIMIT $3");
                sqlx::query(AssertSqlSafe(sql)).bind(channel).bind(*since).bind(SINCE_LIMIT).fetch_all(&self.db.pool).await
            }
            PostPage::Before { post, page: pg, per_page: per } | PostPage::After { post, page: pg, per_page: per } => {
                let anchor: Option<(i64, i64)> = sqlx::query_as("SELECT create_at, seq FROM posts WHERE id = $1 AND channel_id = $2").bind(post.as_str()).bind(channel).fetch_optional(&self.db.pool).await.map_err(db_err)?;
                let Some((at, seq)) = anchor else { return Ok(Vec::new()) };
                let (cmp, order) = if matches!(page, PostPage::Before { .. }) { ("<", "DESC") } else { (">", "ASC") };
                let sql = format!(
                    "SELECT {POST_COLS} FROM posts p WHERE p.channel_id = $1 AND p.delete_at = 0 AND (p.create_at {cmp} $2 OR (p.create_at = $2 AND p.seq {cmp} $3)) ORDER BY p.create_at {order}, p.seq {order} LIMIT $4 OFFSET $5"
                );
                sqlx::query(AssertSqlSafe(sql)).bind(channel).bind(at).bind(seq).bind(per + 1).bind(pg * per).fetch_all(&self.db.pool).await
            }
        }
        .map_err(db_err)?;
        rows.iter().map(rows::post).collect()
    }

    async fn posts_version(&self, grant: &ChannelGrant) -> Result<Millis> {
        sqlx::query_scalar("SELECT COALESCE(MAX(update_at), 0) FROM posts WHERE channel_id = $1")
            .bind(grant.channel_id().as_str())
            .fetch_one(&self.db.pool)
            .await
            .map_err(db_err)
    }

    async fn first_post_after(&self, grant: &ChannelGrant, at: Millis) -> Result<Option<PostId>> {
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM posts WHERE channel_id = $1 AND delete_at = 0 AND create_at > $2 ORDER BY create_at, seq LIMIT 1")
                .bind(grant.channel_id().as_str())
                .bind(at)
                .fetch_optional(&self.db.pool)
                .await
                .map_err(db_err)?;
        Ok(id.as_deref().and_then(PostId::parse))
    }

    async fn thread(&self, grant: &ChannelGrant, root: &PostId) -> Result<Vec<Post>> {
        let sql = format!(
            "SELECT {POST_COLS} FROM posts p WHERE p.channel_id = $1 AND (p.id = $2 OR p.root_id = $2) AND p.delete_at = 0 ORDER BY p.create_at, p.seq"
        );
        let rows =
            sqlx::query(AssertSqlSafe(sql)).bind(grant.channel_id().as_str()).bind(root.as_str()).fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter().map(rows::post).collect()
    }

    async fn pinned_posts(&self, grant: &ChannelGrant) -> Result<Vec<Post>> {
        let sql = format!(
            "SELECT {POST_COLS} FROM posts p WHERE p.channel_id = $1 AND p.is_pinned = 1 AND p.delete_at = 0 ORDER BY p.create_at DESC, p.seq DESC"
        );
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(grant.channel_id().as_str()).fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter().map(rows::post).collect()
    }

    async fn update_post(&self, grant: &ChannelGrant, post: &Post, tokens: Option<Vec<String>>, intel: Option<PostIntel>) -> Result<()> {
        let (channel, post) = (grant.channel_id().clone(), post.clone());
        let channel_row = grant.channel().clone();
        let backend = self.db.backend;
        self.db
            .write(move |c| {
                Box::pin(async move {
                    let done = sqlx::query("UPDATE posts SET message = $3, edit_at = $4, update_at = $5, is_pinned = $6, props = $7, hashtags = $8 WHERE id = $1 AND channel_id = $2")
                        .bind(post.id.as_str())
                        .bind(channel.as_str())
                        .bind(&post.message)
                        .bind(post.edit_at)
                        .bind(post.update_at)
                        .bind(b(post.is_pinned))
                        .bind(post.props.to_string())
                        .bind(&post.hashtags)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Err(Error::not_found("post"));
                    }
                    if let Some(tokens) = tokens {
                        sqlx::query("DELETE FROM post_tokens WHERE post_id = $1").bind(post.id.as_str()).execute(&mut *c).await.map_err(db_err)?;
                        insert_tokens(c, &post.id, &tokens).await?;
                        unindex_text(c, backend, &post.id).await?;
                        let seq: i64 = sqlx::query_scalar("SELECT seq FROM posts WHERE id = $1").bind(post.id.as_str()).fetch_one(&mut *c).await.map_err(db_err)?;
                        index_text(c, backend, seq, &post.message).await?;
                    }
                    if let Some(intel) = intel {
                        let keep = crate::capture::record_sightings(c, &post, &channel_row, intel, post.update_at).await?;
                        crate::intel::retract_sightings(c, &post.id, &keep, post.update_at).await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn delete_post(&self, grant: &ChannelGrant, post: &Post, at: Millis) -> Result<Vec<PostId>> {
        let (channel, post) = (grant.channel_id().clone(), post.clone());
        let backend = self.db.backend;
        self.db
            .write(move |c| {
                Box::pin(async move {
                    let ids: Vec<String> =
                        sqlx::query_scalar("SELECT id FROM posts WHERE channel_id = $1 AND (id = $2 OR root_id = $2) AND delete_at = 0")
                            .bind(channel.as_str())
                            .bind(post.id.as_str())
                            .fetch_all(&mut *c)
                            .await
                            .map_err(db_err)?;
                    for id in &ids {
                        let id = PostId::from_db(id.clone());
                        unindex_text(c, backend, &id).await?;
                        sqlx::query("DELETE FROM post_tokens WHERE post_id = $1").bind(id.as_str()).execute(&mut *c).await.map_err(db_err)?;
                        sqlx::query("UPDATE posts SET delete_at = $2, update_at = $2 WHERE id = $1")
                            .bind(id.as_str())
                            .bind(at)
                            .execute(&mut *c)
                            .await
                            .map_err(db_err)?;
                        sqlx::query("UPDATE file_infos SET delete_at = $2, update_at = $2 WHERE post_id = $1")
                            .bind(id.as_str())
                            .bind(at)
                            .execute(&mut *c)
                            .await
                            .map_err(db_err)?;
                        crate::intel::retract_sightings(c, &id, &[], at).await?;
                    }
                    if let Some(root) = &post.root_id {
                        sqlx::query(
                            "UPDATE posts SET reply_count = CASE WHEN reply_count > 0 THEN reply_count - 1 ELSE 0 END, update_at = $2 WHERE id = $1",
                        )
                        .bind(root.as_str())
                        .bind(at)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    }
                    Ok(ids.into_iter().map(PostId::from_db).collect())
                })
            })
            .await
    }

    async fn add_reaction(&self, grant: &ChannelGrant, r: &Reaction) -> Result<()> {
        let (channel, r) = (grant.channel_id().clone(), r.clone());
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO reactions (post_id, user_id, emoji_name, channel_id, create_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (post_id, user_id, emoji_name) DO NOTHING")
                        .bind(r.post_id.as_str())
                        .bind(r.user_id.as_str())
                        .bind(&r.emoji_name)
                        .bind(channel.as_str())
                        .bind(r.create_at)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    sqlx::query("UPDATE posts SET has_reactions = 1, update_at = $2 WHERE id = $1 AND channel_id = $3").bind(r.post_id.as_str()).bind(r.create_at).bind(channel.as_str()).execute(&mut *c).await.map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn remove_reaction(&self, grant: &ChannelGrant, r: &Reaction, at: Millis) -> Result<bool> {
        let (channel, r) = (grant.channel_id().clone(), r.clone());
        self.db
            .write(move |c| {
                Box::pin(async move {
                    let done = sqlx::query("DELETE FROM reactions WHERE post_id = $1 AND user_id = $2 AND emoji_name = $3 AND channel_id = $4")
                        .bind(r.post_id.as_str())
                        .bind(r.user_id.as_str())
                        .bind(&r.emoji_name)
                        .bind(channel.as_str())
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Ok(false);
                    }
                    sqlx::query("UPDATE posts SET update_at = $2, has_reactions = CASE WHEN EXISTS (SELECT 1 FROM reactions WHERE post_id = $1) THEN 1 ELSE 0 END WHERE id = $1")
                        .bind(r.post_id.as_str())
                        .bind(at)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(true)
                })
            })
            .await
    }

    async fn reactions(&self, grant: &ChannelGrant, posts: &[PostId]) -> Result<Vec<Reaction>> {
        if posts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT post_id, user_id, emoji_name, channel_id, create_at FROM reactions WHERE channel_id = $1 AND post_id IN ({}) ORDER BY create_at",
            placeholders(2, posts.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(grant.channel_id().as_str());
        for p in posts {
            q = q.bind(p.as_str());
        }
        q.fetch_all(&self.db.pool).await.map_err(db_err)?.iter().map(rows::reaction).collect()
    }

    async fn save_file_info(&self, f: &FileInfo) -> Result<()> {
        let f = f.clone();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO file_infos (id, user_id, channel_id, post_id, name, extension, size, mime_type, width, height, has_preview_image, path, thumbnail_path, preview_path, create_at, update_at, delete_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)")
                        .bind(f.id.as_str())
                        .bind(f.user_id.as_str())
                        .bind(f.channel_id.as_str())
                        .bind(f.post_id.as_ref().map(|p| p.as_str()).unwrap_or(""))
                        .bind(&f.name)
                        .bind(&f.extension)
                        .bind(f.size)
                        .bind(&f.mime_type)
                        .bind(f.width)
                        .bind(f.height)
                        .bind(b(f.has_preview_image))
                        .bind(&f.path)
                        .bind(&f.thumbnail_path)
                        .bind(&f.preview_path)
                        .bind(f.create_at)
                        .bind(f.update_at)
                        .bind(f.delete_at)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn file_channel(&self, file: &FileId) -> Result<Option<ChannelId>> {
        let id: Option<String> = sqlx::query_scalar("SELECT channel_id FROM file_infos WHERE id = $1")
            .bind(file.as_str())
            .fetch_optional(&self.db.pool)
            .await
            .map_err(db_err)?;
        Ok(id.map(ChannelId::from_db))
    }

    async fn get_file_info(&self, grant: &ChannelGrant, file: &FileId) -> Result<Option<FileInfo>> {
        let sql = format!("SELECT {FILE_COLS} FROM file_infos f WHERE f.id = $1 AND f.channel_id = $2");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(file.as_str())
            .bind(grant.channel_id().as_str())
            .fetch_optional(&self.db.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::file_info).transpose()
    }

    async fn file_infos_for_posts(&self, grant: &ChannelGrant, posts: &[PostId]) -> Result<Vec<FileInfo>> {
        if posts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {FILE_COLS} FROM file_infos f WHERE f.channel_id = $1 AND f.delete_at = 0 AND f.post_id IN ({}) ORDER BY f.create_at",
            placeholders(2, posts.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(grant.channel_id().as_str());
        for p in posts {
            q = q.bind(p.as_str());
        }
        q.fetch_all(&self.db.pool).await.map_err(db_err)?.iter().map(rows::file_info).collect()
    }

    async fn attach_files(&self, grant: &ChannelGrant, post: &PostId, files: &[FileId]) -> Result<Vec<FileId>> {
        if files.is_empty() {
            return Ok(Vec::new());
        }
        let (channel, user, post, files) = (grant.channel_id().clone(), grant.user_id().clone(), post.clone(), files.to_vec());
        self.db
            .write(move |c| {
                Box::pin(async move {
                    let mut linked = Vec::new();
                    for f in files {
                        let done = sqlx::query("UPDATE file_infos SET post_id = $1 WHERE id = $2 AND user_id = $3 AND channel_id = $4 AND post_id = '' AND delete_at = 0")
                            .bind(post.as_str())
                            .bind(f.as_str())
                            .bind(user.as_str())
                            .bind(channel.as_str())
                            .execute(&mut *c)
                            .await
                            .map_err(db_err)?;
                        if done.rows_affected() > 0 {
                            linked.push(f);
                        }
                    }
                    Ok(linked)
                })
            })
            .await
    }
}

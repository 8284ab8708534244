//! Channels, channel membership and read state.

use crate::SqlStore;
use crate::db::db_err;
use crate::rows::{self, CHANNEL_COLS, MEMBER_COLS, USER_COLS, USER_FROM, b, placeholders};
use async_trait::async_trait;
use domain::ids::*;
use domain::model::*;
use domain::policy::ChannelGrant;
use domain::ports::{ChannelStore, ChannelUnread};
use domain::{Error, ErrorCode, Result};
use sqlx::{AnyConnection, AssertSqlSafe};

pub(crate) async fn insert_channel(c: &mut AnyConnection, ch: &Channel) -> Result<()> {
    sqlx::query("INSERT INTO channels (id, team_id, channel_type, name, display_name, header, purpose, creator_id, create_at, update_at, delete_at, last_post_at, last_root_post_at, total_msg_count, total_msg_count_root, tlp, intel_mode, intel_attribution) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)")
        .bind(ch.id.as_str())
        .bind(ch.team_id.as_ref().map(|t| t.as_str()).unwrap_or(""))
        .bind(ch.channel_type.as_str())
        .bind(&ch.name)
        .bind(&ch.display_name)
        .bind(&ch.header)
        .bind(&ch.purpose)
        .bind(ch.creator_id.as_ref().map(|u| u.as_str()).unwrap_or(""))
        .bind(ch.create_at)
        .bind(ch.update_at)
        .bind(ch.delete_at)
        .bind(ch.last_post_at)
        .bind(ch.last_root_post_at)
        .bind(ch.total_msg_count)
        .bind(ch.total_msg_count_root)
        .bind(ch.tlp.as_str())
        .bind(ch.intel_mode.as_str())
        .bind(b(ch.intel_attribution))
        .execute(&mut *c)
        .await
        .map_err(|e| match db_err(e) {
            err if err.code == ErrorCode::Conflict => Error::new(ErrorCode::ChannelNameTaken).with_param("name"),
            err => err,
        })?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_member(
    c: &mut AnyConnection,
    channel: &ChannelId,
    user: &UserId,
    admin: bool,
    at: Millis,
    msg_count: i64,
    msg_count_root: i64,
    notify: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO channel_members (channel_id, user_id, scheme_admin, last_viewed_at, msg_count, msg_count_root, notify_props, last_update_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $4) ON CONFLICT (channel_id, user_id) DO NOTHING")
        .bind(channel.as_str())
        .bind(user.as_str())
        .bind(b(admin))
        .bind(at)
        .bind(msg_count)
        .bind(msg_count_root)
        .bind(notify)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn upsert_member(c: &mut AnyConnection, m: &ChannelMember) -> Result<()> {
    sqlx::query("INSERT INTO channel_members (channel_id, user_id, scheme_admin, last_viewed_at, msg_count, msg_count_root, mention_count, mention_count_root, urgent_mention_count, notify_props, last_update_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (channel_id, user_id) DO UPDATE SET scheme_admin = excluded.scheme_admin, notify_props = excluded.notify_props, last_update_at = excluded.last_update_at")
        .bind(m.channel_id.as_str())
        .bind(m.user_id.as_str())
        .bind(b(m.scheme_admin))
        .bind(m.last_viewed_at)
        .bind(m.msg_count)
        .bind(m.msg_count_root)
        .bind(m.mention_count)
        .bind(m.mention_count_root)
        .bind(m.urgent_mention_count)
        .bind(m.notify_props.to_string())
        .bind(m.last_update_at)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl ChannelStore for SqlStore {
    async fn create_channel(&self, channel: &Channel, members: &[ChannelMember]) -> Result<()> {
        let (channel, members) = (channel.clone(), members.to_vec());
        self.db
            .write(move |c| {
                Box::pin(async move {
                    insert_channel(c, &channel).await?;
                    for m in &members {
                        upsert_member(c, m).await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn update_channel(&self, ch: &Channel) -> Result<()> {
        let ch = ch.clone();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("UPDATE channels SET channel_type = $2, name = $3, display_name = $4, header = $5, purpose = $6, update_at = $7, delete_at = $8, tlp = $9, intel_mode = $10, intel_attribution = $11 WHERE id = $1")
                        .bind(ch.id.as_str())
                        .bind(ch.channel_type.as_str())
                        .bind(&ch.name)
                        .bind(&ch.display_name)
                        .bind(&ch.header)
                        .bind(&ch.purpose)
                        .bind(ch.update_at)
                        .bind(ch.delete_at)
                        .bind(ch.tlp.as_str())
                        .bind(ch.intel_mode.as_str())
                        .bind(b(ch.intel_attribution))
                        .execute(&mut *c)
                        .await
                        .map_err(|e| match db_err(e) {
                            err if err.code == ErrorCode::Conflict => Error::new(ErrorCode::ChannelNameTaken).with_param("name"),
                            err => err,
                        })?;
                    // A stricter label applies to what was already said (a looser one only to
                    // what is said from now on), and the exports follow.
                    crate::intel::tighten_channel_sightings(c, &ch.id, ch.tlp.rank(), ch.update_at).await?;
                    Ok(())
                })
            })
            .await
    }

    async fn get_channel(&self, id: &ChannelId) -> Result<Option<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLS} FROM channels c WHERE c.id = $1");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(id.as_str()).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(rows::channel).transpose()
    }

    async fn get_channel_by_name(&self, team: Option<&TeamId>, name: &str) -> Result<Option<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLS} FROM channels c WHERE c.team_id = $1 AND c.name = $2");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(team.map(|t| t.as_str()).unwrap_or(""))
            .bind(name)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::channel).transpose()
    }

    async fn channels_for_user(&self, user: &UserId, team: Option<&TeamId>, include_archived: bool) -> Result<Vec<Channel>> {
        let team_filter = if team.is_some() { " AND (c.team_id = $2 OR c.team_id = '')" } else { "" };
        let archived = if include_archived { "" } else { " AND c.delete_at = 0" };
        let sql = format!(
            "SELECT {CHANNEL_COLS} FROM channels c JOIN channel_members cm ON cm.channel_id = c.id WHERE cm.user_id = $1{team_filter}{archived} ORDER BY c.display_name, c.id"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(user.as_str());
        if let Some(t) = team {
            q = q.bind(t.as_str());
        }
        q.fetch_all(&self.db.pool).await.map_err(db_err)?.iter().map(rows::channel).collect()
    }

    async fn public_channels(&self, team: &TeamId, archived: bool, offset: i64, limit: i64) -> Result<Vec<Channel>> {
        let cond = if archived { "c.delete_at <> 0" } else { "c.delete_at = 0" };
        let sql = format!(
            "SELECT {CHANNEL_COLS} FROM channels c WHERE c.team_id = $1 AND c.channel_type = 'O' AND {cond} ORDER BY c.display_name, c.id LIMIT $2 OFFSET $3"
        );
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(team.as_str()).bind(limit).bind(offset).fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter().map(rows::channel).collect()
    }

    async fn get_channel_member(&self, channel: &ChannelId, user: &UserId) -> Result<Option<ChannelMember>> {
        let sql = format!("SELECT {MEMBER_COLS} FROM channel_members cm WHERE cm.channel_id = $1 AND cm.user_id = $2");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(channel.as_str()).bind(user.as_str()).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(rows::member).transpose()
    }

    async fn channel_members(&self, grant: &ChannelGrant, offset: i64, limit: i64) -> Result<Vec<ChannelMember>> {
        let sql = format!(
            "SELECT {MEMBER_COLS} FROM channel_members cm JOIN users u ON u.id = cm.user_id WHERE cm.channel_id = $1 ORDER BY u.username LIMIT $2 OFFSET $3"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(grant.channel_id().as_str())
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.db.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(rows::member).collect()
    }

    async fn channel_member_ids(&self, channel: &ChannelId) -> Result<Vec<UserId>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT user_id FROM channel_members WHERE channel_id = $1")
            .bind(channel.as_str())
            .fetch_all(&self.db.pool)
            .await
            .map_err(db_err)?;
        Ok(ids.into_iter().map(UserId::from_db).collect())
    }

    async fn channel_members_for_user(&self, user: &UserId, team: Option<&TeamId>) -> Result<Vec<ChannelMember>> {
        let team_filter = if team.is_some() { " AND (c.team_id = $2 OR c.team_id = '')" } else { "" };
        let sql = format!(
            "SELECT {MEMBER_COLS} FROM channel_members cm JOIN channels c ON c.id = cm.channel_id WHERE cm.user_id = $1{team_filter} ORDER BY cm.channel_id"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(user.as_str());
        if let Some(t) = team {
            q = q.bind(t.as_str());
        }
        q.fetch_all(&self.db.pool).await.map_err(db_err)?.iter().map(rows::member).collect()
    }

    async fn save_channel_member(&self, m: &ChannelMember) -> Result<()> {
        let m = m.clone();
        self.db.write(move |c| Box::pin(async move { upsert_member(c, &m).await })).await
    }

    async fn remove_channel_member(&self, channel: &ChannelId, user: &UserId) -> Result<bool> {
        let (channel, user) = (channel.clone(), user.clone());
        self.db
            .write(move |c| {
                Box::pin(async move {
                    let done = sqlx::query("DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2")
                        .bind(channel.as_str())
                        .bind(user.as_str())
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(done.rows_affected() > 0)
                })
            })
            .await
    }

    async fn count_channel_members(&self, channel: &ChannelId) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM channel_members cm JOIN users u ON u.id = cm.user_id WHERE cm.channel_id = $1 AND u.delete_at = 0")
            .bind(channel.as_str())
            .fetch_one(&self.db.pool)
            .await
            .map_err(db_err)
    }

    async fn view_channels(&self, user: &UserId, channels: &[ChannelId], at: Millis) -> Result<Vec<ChannelId>> {
        let (user, channels) = (user.clone(), channels.to_vec());
        self.db
            .write(move |c| {
                Box::pin(async move {
                    let mut viewed = Vec::new();
                    for ch in channels {
                        let done = sqlx::query(
                            "UPDATE channel_members SET last_viewed_at = $3, last_update_at = $3, mention_count = 0, mention_count_root = 0, urgent_mention_count = 0,
                                    msg_count = (SELECT total_msg_count FROM channels WHERE id = $1), msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = $1)
                             WHERE channel_id = $1 AND user_id = $2",
                        )
                        .bind(ch.as_str())
                        .bind(user.as_str())
                        .bind(at)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                        if done.rows_affected() > 0 {
                            viewed.push(ch);
                        }
                    }
                    Ok(viewed)
                })
            })
            .await
    }

    async fn set_read_state(&self, member: &ChannelMember) -> Result<()> {
        let m = member.clone();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE channel_members SET last_viewed_at = $3, msg_count = $4, msg_count_root = $5, mention_count = $6, mention_count_root = $7,
                                urgent_mention_count = $8, last_update_at = $9
                         WHERE channel_id = $1 AND user_id = $2",
                    )
                    .bind(m.channel_id.as_str())
                    .bind(m.user_id.as_str())
                    .bind(m.last_viewed_at)
                    .bind(m.msg_count)
                    .bind(m.msg_count_root)
                    .bind(m.mention_count)
                    .bind(m.mention_count_root)
                    .bind(m.urgent_mention_count)
                    .bind(m.last_update_at)
                    .execute(&mut *c)
                    .await
                    .map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn channel_unread(&self, user: &UserId, channel: &ChannelId) -> Result<Option<ChannelUnread>> {
        let Some(member) = self.get_channel_member(channel, user).await? else { return Ok(None) };
        let Some(channel) = self.get_channel(channel).await? else { return Ok(None) };
        Ok(Some(ChannelUnread { channel, member }))
    }

    async fn members_by_username(&self, channel: &ChannelId, usernames: &[String]) -> Result<Vec<User>> {
        if usernames.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {USER_COLS} FROM {USER_FROM} JOIN channel_members cm ON cm.user_id = u.id WHERE cm.channel_id = $1 AND u.delete_at = 0 AND u.username IN ({})",
            placeholders(2, usernames.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(channel.as_str());
        for n in usernames {
            q = q.bind(n.as_str());
        }
        q.fetch_all(&self.db.pool).await.map_err(db_err)?.iter().map(rows::user).collect()
    }
}

//! Teams and team membership.

use crate::SqlStore;
use crate::channels::{insert_channel, insert_member};
use crate::db::db_err;
use crate::rows::{self, TEAM_COLS, TEAM_MEMBER_COLS, b};
use async_trait::async_trait;
use domain::ids::*;
use domain::model::*;
use domain::ports::{NewTeam, TeamStore};
use domain::{Error, ErrorCode, Result};
use sqlx::AssertSqlSafe;

/// Notification settings a member starts with, as Mattermost's defaults.
pub(crate) const DEFAULT_MEMBER_NOTIFY: &str =
    r#"{"desktop":"default","email":"default","ignore_channel_mentions":"default","mark_unread":"all","push":"default"}"#;

#[async_trait]
impl TeamStore for SqlStore {
    async fn create_team(&self, new: NewTeam) -> Result<Team> {
        self.db
            .write(move |c| {
                Box::pin(async move {
                    let t = &new.team;
                    sqlx::query("INSERT INTO teams (id, create_at, update_at, delete_at, name, display_name, description, email, team_type, company_name, allowed_domains, invite_id, allow_open_invite, default_tlp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
                        .bind(t.id.as_str())
                        .bind(t.create_at)
                        .bind(t.update_at)
                        .bind(t.delete_at)
                        .bind(&t.name)
                        .bind(&t.display_name)
                        .bind(&t.description)
                        .bind(&t.email)
                        .bind(t.team_type.as_str())
                        .bind(&t.company_name)
                        .bind(&t.allowed_domains)
                        .bind(&t.invite_id)
                        .bind(b(t.allow_open_invite))
                        .bind(t.default_tlp.as_str())
                        .execute(&mut *c)
                        .await
                        .map_err(|e| match db_err(e) {
                            err if err.code == ErrorCode::Conflict => Error::new(ErrorCode::TeamNameTaken).with_param("name"),
                            err => err,
                        })?;
                    if let Some(creator) = &new.creator {
                        sqlx::query("INSERT INTO team_members (team_id, user_id, scheme_admin, analyst, delete_at, create_at) VALUES ($1, $2, 1, 0, 0, $3)")
                            .bind(t.id.as_str())
                            .bind(creator.as_str())
                            .bind(t.create_at)
                            .execute(&mut *c)
                            .await
                            .map_err(db_err)?;
                    }
                    for channel in &new.default_channels {
                        insert_channel(c, channel).await?;
                        if let Some(creator) = &new.creator {
                            insert_member(c, &channel.id, creator, false, t.create_at, 0, 0, DEFAULT_MEMBER_NOTIFY).await?;
                        }
                    }
                    Ok(new.team)
                })
            })
            .await
    }

    async fn update_team(&self, t: &Team) -> Result<()> {
        let t = t.clone();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("UPDATE teams SET update_at = $2, delete_at = $3, display_name = $4, description = $5, email = $6, team_type = $7, allow_open_invite = $8, default_tlp = $9, invite_id = $10 WHERE id = $1")
                        .bind(t.id.as_str())
                        .bind(t.update_at)
                        .bind(t.delete_at)
                        .bind(&t.display_name)
                        .bind(&t.description)
                        .bind(&t.email)
                        .bind(t.team_type.as_str())
                        .bind(b(t.allow_open_invite))
                        .bind(t.default_tlp.as_str())
                        .bind(&t.invite_id)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn get_team(&self, id: &TeamId) -> Result<Option<Team>> {
        let sql = format!("SELECT {TEAM_COLS} FROM teams t WHERE t.id = $1");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(id.as_str()).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(rows::team).transpose()
    }

    async fn get_team_by_name(&self, name: &str) -> Result<Option<Team>> {
        let sql = format!("SELECT {TEAM_COLS} FROM teams t WHERE t.name = $1");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(name).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(rows::team).transpose()
    }

    async fn get_team_by_invite(&self, invite_id: &str) -> Result<Option<Team>> {
        let sql = format!("SELECT {TEAM_COLS} FROM teams t WHERE t.invite_id = $1");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(invite_id).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(rows::team).transpose()
    }

    async fn list_teams(&self, include_private: bool, offset: i64, limit: i64) -> Result<Vec<Team>> {
        let filter = if include_private { "" } else { " AND t.team_type = 'O' AND t.allow_open_invite = 1" };
        let sql = format!("SELECT {TEAM_COLS} FROM teams t WHERE t.delete_at = 0{filter} ORDER BY t.display_name, t.id LIMIT $1 OFFSET $2");
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(limit).bind(offset).fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter().map(rows::team).collect()
    }

    async fn teams_for_user(&self, user: &UserId) -> Result<Vec<Team>> {
        let sql = format!(
            "SELECT {TEAM_COLS} FROM teams t JOIN team_members tm ON tm.team_id = t.id WHERE tm.user_id = $1 AND tm.delete_at = 0 AND t.delete_at = 0 ORDER BY t.display_name, t.id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(user.as_str()).fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter().map(rows::team).collect()
    }

    async fn get_team_member(&self, team: &TeamId, user: &UserId) -> Result<Option<TeamMember>> {
        let sql = format!("SELECT {TEAM_MEMBER_COLS} FROM team_members tm WHERE tm.team_id = $1 AND tm.user_id = $2");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(team.as_str()).bind(user.as_str()).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(rows::team_member).transpose()
    }

    async fn team_members(&self, team: &TeamId, offset: i64, limit: i64) -> Result<Vec<TeamMember>> {
        let sql = format!(
            "SELECT {TEAM_MEMBER_COLS} FROM team_members tm JOIN users u ON u.id = tm.user_id WHERE tm.team_id = $1 AND tm.delete_at = 0 ORDER BY u.username LIMIT $2 OFFSET $3"
        );
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(team.as_str()).bind(limit).bind(offset).fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter().map(rows::team_member).collect()
    }

    async fn team_members_for_user(&self, user: &UserId) -> Result<Vec<TeamMember>> {
        let sql = format!(
            "SELECT {TEAM_MEMBER_COLS} FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE tm.user_id = $1 AND t.delete_at = 0 ORDER BY tm.team_id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(user.as_str()).fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter().map(rows::team_member).collect()
    }

    async fn save_team_member(&self, m: &TeamMember, default_channels: &[String], at: Millis) -> Result<TeamMember> {
        let m = m.clone();
        let defaults = default_channels.to_vec();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO team_members (team_id, user_id, scheme_admin, analyst, delete_at, create_at) VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (team_id, user_id) DO UPDATE SET scheme_admin = excluded.scheme_admin, analyst = excluded.analyst, delete_at = 0")
                        .bind(m.team_id.as_str())
                        .bind(m.user_id.as_str())
                        .bind(b(m.scheme_admin))
                        .bind(b(m.analyst))
                        .bind(at)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    for name in &defaults {
                        sqlx::query("INSERT INTO channel_members (channel_id, user_id, scheme_admin, last_viewed_at, msg_count, msg_count_root, notify_props, last_update_at) SELECT id, $2, 0, $3, total_msg_count, total_msg_count_root, $4, $3 FROM channels WHERE team_id = $1 AND name = $5 AND delete_at = 0 ON CONFLICT (channel_id, user_id) DO NOTHING")
                            .bind(m.team_id.as_str())
                            .bind(m.user_id.as_str())
                            .bind(at)
                            .bind(DEFAULT_MEMBER_NOTIFY)
                            .bind(name)
                            .execute(&mut *c)
                            .await
                            .map_err(db_err)?;
                    }
                    Ok(TeamMember { delete_at: 0, ..m })
                })
            })
            .await
    }

    async fn remove_team_member(&self, team: &TeamId, user: &UserId, at: Millis) -> Result<Vec<ChannelId>> {
        let (team, user) = (team.clone(), user.clone());
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("UPDATE team_members SET delete_at = $3, scheme_admin = 0, analyst = 0 WHERE team_id = $1 AND user_id = $2").bind(team.as_str()).bind(user.as_str()).bind(at).execute(&mut *c).await.map_err(db_err)?;
                    let ids: Vec<String> = sqlx::query_scalar("SELECT cm.channel_id FROM channel_members cm JOIN channels c ON c.id = cm.channel_id WHERE c.team_id = $1 AND cm.user_id = $2")
                        .bind(team.as_str())
                        .bind(user.as_str())
                        .fetch_all(&mut *c)
                        .await
                        .map_err(db_err)?;
                    sqlx::query("DELETE FROM channel_members WHERE user_id = $2 AND channel_id IN (SELECT id FROM channels WHERE team_id = $1)").bind(team.as_str()).bind(user.as_str()).execute(&mut *c).await.map_err(db_err)?;
                    Ok(ids.into_iter().map(ChannelId::from_db).collect())
                })
            })
            .await
    }

    async fn count_team_members(&self, team: &TeamId) -> Result<(i64, i64)> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM team_members WHERE team_id = $1 AND delete_at = 0")
            .bind(team.as_str())
            .fetch_one(&self.db.pool)
            .await
            .map_err(db_err)?;
        let active: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM team_members tm JOIN users u ON u.id = tm.user_id WHERE tm.team_id = $1 AND tm.delete_at = 0 AND u.delete_at = 0",
        )
        .bind(team.as_str())
        .fetch_one(&self.db.pool)
        .await
        .map_err(db_err)?;
        Ok((total, active))
    }
}

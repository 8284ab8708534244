//! Users, organizations, sessions, preferences and statuses.

use crate::SqlStore;
use crate::db::db_err;
use crate::rows::{self, SESSION_COLS, USER_COLS, USER_FROM, b, placeholders};
use async_trait::async_trait;
use domain::ids::*;
use domain::model::*;
use domain::ports::{AccountStore, UserQuery};
use domain::{Error, ErrorCode, Result};
use sqlx::AssertSqlSafe;

async fn insert_user(c: &mut sqlx::AnyConnection, u: &User) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, create_at, update_at, delete_at, username, email, email_verified, nickname, first_name, last_name, position, roles, locale, props, notify_props, timezone, last_password_update, last_picture_update, failed_attempts, is_bot, bot_description, org_id, password_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)",
    )
    .bind(u.id.as_str())
    .bind(u.create_at)
    .bind(u.update_at)
    .bind(u.delete_at)
    .bind(&u.username)
    .bind(&u.email)
    .bind(b(u.email_verified))
    .bind(&u.nickname)
    .bind(&u.first_name)
    .bind(&u.last_name)
    .bind(&u.position)
    .bind(&u.roles)
    .bind(&u.locale)
    .bind(u.props.to_string())
    .bind(u.notify_props.to_string())
    .bind(u.timezone.to_string())
    .bind(u.last_password_update)
    .bind(u.last_picture_update)
    .bind(u.failed_attempts)
    .bind(b(u.is_bot))
    .bind(&u.bot_description)
    .bind(u.org_id.as_ref().map(|o| o.as_str().to_owned()))
    .bind(&u.password_hash)
    .execute(&mut *c)
    .await
    .map_err(|e| match db_err(e) {
        err if err.code == ErrorCode::Conflict => Error::new(ErrorCode::UsernameTaken).with_param("username"),
        err => err,
    })?;
    Ok(())
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_user(&self, user: User, admin_if_first: bool) -> Result<User> {
        self.db
            .write(move |c| {
                Box::pin(async move {
                    let mut user = user;
                    if admin_if_first {
                        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *c).await.map_err(db_err)?;
                        if existing == 0 && !user.is_system_admin() {
                            user.roles = "system_admin system_user".into();
                        }
                    }
                    insert_user(c, &user).await?;
                    Ok(user)
                })
            })
            .await
    }

    async fn update_user(&self, u: &User) -> Result<()> {
        let u = u.clone();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE users SET update_at = $2, delete_at = $3, username = $4, email = $5, email_verified = $6, nickname = $7, first_name = $8, last_name = $9, position = $10, roles = $11, locale = $12, props = $13, notify_props = $14, timezone = $15, last_password_update = $16, last_picture_update = $17, failed_attempts = $18, bot_description = $19, org_id = $20, password_hash = $21 WHERE id = $1",
                    )
                    .bind(u.id.as_str())
                    .bind(u.update_at)
                    .bind(u.delete_at)
                    .bind(&u.username)
                    .bind(&u.email)
                    .bind(b(u.email_verified))
                    .bind(&u.nickname)
                    .bind(&u.first_name)
                    .bind(&u.last_name)
                    .bind(&u.position)
                    .bind(&u.roles)
                    .bind(&u.locale)
                    .bind(u.props.to_string())
                    .bind(u.notify_props.to_string())
                    .bind(u.timezone.to_string())
                    .bind(u.last_password_update)
                    .bind(u.last_picture_update)
                    .bind(u.failed_attempts)
                    .bind(&u.bot_description)
                    .bind(u.org_id.as_ref().map(|o| o.as_str().to_owned()))
                    .bind(&u.password_hash)
                    .execute(&mut *c)
                    .await
                    .map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn get_user(&self, id: &UserId) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM {USER_FROM} WHERE u.id = $1");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(id.as_str()).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn get_user_by_username(&self, username: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM {USER_FROM} WHERE u.username = $1");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(username).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn get_user_by_email(&self, email: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM {USER_FROM} WHERE u.email = $1");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(email).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn get_users(&self, ids: &[UserId]) -> Result<Vec<User>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {USER_COLS} FROM {USER_FROM} WHERE u.id IN ({}) ORDER BY u.username", placeholders(1, ids.len()));
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(id.as_str());
        }
        q.fetch_all(&self.db.pool).await.map_err(db_err)?.iter().map(rows::user).collect()
    }

    async fn get_users_by_usernames(&self, names: &[String]) -> Result<Vec<User>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {USER_COLS} FROM {USER_FROM} WHERE u.username IN ({}) ORDER BY u.username", placeholders(1, names.len()));
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for n in names {
            q = q.bind(n.to_ascii_lowercase());
        }
        q.fetch_all(&self.db.pool).await.map_err(db_err)?.iter().map(rows::user).collect()
    }

    async fn list_users(&self, q: &UserQuery) -> Result<Vec<User>> {
        let mut sql = format!("SELECT {USER_COLS} FROM {USER_FROM} WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        let arg = |v: String, args: &mut Vec<String>| {
            args.push(v);
            format!("${}", args.len())
        };
        if let Some(t) = &q.in_team {
            let p = arg(t.to_string(), &mut args);
            sql += &format!(" AND u.id IN (SELECT user_id FROM team_members WHERE team_id = {p} AND delete_at = 0)");
        }
        if let Some(t) = &q.not_in_team {
            let p = arg(t.to_string(), &mut args);
            sql += &format!(" AND u.id NOT IN (SELECT user_id FROM team_members WHERE team_id = {p} AND delete_at = 0)");
        }
        if let Some(c) = &q.in_channel {
            let p = arg(c.to_string(), &mut args);
            sql += &format!(" AND u.id IN (SELECT user_id FROM channel_members WHERE channel_id = {p})");
        }
        if let Some(c) = &q.not_in_channel {
            let p = arg(c.to_string(), &mut args);
            sql += &format!(" AND u.id NOT IN (SELECT user_id FROM channel_members WHERE channel_id = {p})");
        }
        if let Some(o) = &q.org {
            let p = arg(o.to_string(), &mut args);
            sql += &format!(" AND u.org_id = {p}");
        }
        if let Some(term) = q.term.as_ref().filter(|t| !t.trim().is_empty()) {
            // LIKE wildcards in the term are escaped, so a search for "a_b" means "a_b".
            let escaped = term.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            let p = arg(format!("%{escaped}%"), &mut args);
            sql += &format!(
                " AND (LOWER(u.username) LIKE {p} ESCAPE '\\' OR LOWER(u.first_name) LIKE {p} ESCAPE '\\' OR LOWER(u.last_name) LIKE {p} ESCAPE '\\' OR LOWER(u.nickname) LIKE {p} ESCAPE '\\' OR LOWER(u.first_name || ' ' || u.last_name) LIKE {p} ESCAPE '\\' OR LOWER(COALESCE(o.display_name, '')) LIKE {p} ESCAPE '\\' OR LOWER(COALESCE(o.name, '')) LIKE {p} ESCAPE '\\')"
            );
        }
        if q.only_inactive {
            sql += " AND u.delete_at <> 0";
        } else if !q.include_inactive {
            sql += " AND u.delete_at = 0";
        }
        sql += &format!(" ORDER BY u.username LIMIT {} OFFSET {}", q.limit.clamp(0, 1000), q.offset.max(0));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for a in args {
            query = query.bind(a);
        }
        query.fetch_all(&self.db.pool).await.map_err(db_err)?.iter().map(rows::user).collect()
    }

    async fn count_users(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.db.pool).await.map_err(db_err)
    }

    async fn record_failed_login(&self, id: &UserId, failed_attempts: i64) -> Result<()> {
        let id = id.clone();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("UPDATE users SET failed_attempts = $2 WHERE id = $1")
                        .bind(id.as_str())
                        .bind(failed_attempts)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn ensure_org(&self, name: &str, display_name: &str) -> Result<Organization> {
        let (name, display_name) = (name.to_owned(), display_name.to_owned());
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO organizations (id, name, display_name, create_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
                    )
                    .bind(OrgId::generate().as_str())
                    .bind(&name)
                    .bind(&display_name)
                    .bind(now_ms())
                    .execute(&mut *c)
                    .await
                    .map_err(db_err)?;
                    let row = sqlx::query("SELECT id, name, display_name, create_at FROM organizations WHERE name = $1")
                        .bind(&name)
                        .fetch_one(&mut *c)
                        .await
                        .map_err(db_err)?;
                    rows::org(&row)
                })
            })
            .await
    }

    async fn get_org(&self, id: &OrgId) -> Result<Option<Organization>> {
        let row = sqlx::query("SELECT id, name, display_name, create_at FROM organizations WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&self.db.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::org).transpose()
    }

    async fn list_orgs(&self) -> Result<Vec<Organization>> {
        let rows = sqlx::query("SELECT id, name, display_name, create_at FROM organizations ORDER BY name")
            .fetch_all(&self.db.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(rows::org).collect()
    }

    async fn create_session(&self, s: &Session) -> Result<()> {
        let s = s.clone();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO sessions (id, token_hash, user_id, create_at, expires_at, last_activity_at, device_id, csrf_token) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                        .bind(s.id.as_str())
                        .bind(&s.token_hash)
                        .bind(s.user_id.as_str())
                        .bind(s.create_at)
                        .bind(s.expires_at)
                        .bind(s.last_activity_at)
                        .bind(&s.device_id)
                        .bind(&s.csrf_token)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn session_by_token_hash(&self, hash: &str) -> Result<Option<(Session, User)>> {
        let sql = format!(
            "SELECT {SESSION_COLS}, {USER_COLS} FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN organizations o ON o.id = u.org_id WHERE s.token_hash = $1"
        );
        let row = sqlx::query(AssertSqlSafe(sql)).bind(hash).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        match row {
            Some(r) => Ok(Some((rows::session(&r)?, rows::user(&r)?))),
            None => Ok(None),
        }
    }

    async fn list_sessions(&self, user: &UserId) -> Result<Vec<Session>> {
        let sql = format!("SELECT {SESSION_COLS} FROM sessions s WHERE s.user_id = $1 ORDER BY s.create_at DESC");
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(user.as_str()).fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter().map(rows::session).collect()
    }

    async fn delete_session(&self, id: &SessionId) -> Result<()> {
        let id = id.clone();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id.as_str()).execute(&mut *c).await.map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn delete_user_sessions(&self, user: &UserId) -> Result<Vec<SessionId>> {
        let user = user.clone();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions WHERE user_id = $1")
                        .bind(user.as_str())
                        .fetch_all(&mut *c)
                        .await
                        .map_err(db_err)?;
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.as_str()).execute(&mut *c).await.map_err(db_err)?;
                    Ok(ids.into_iter().map(SessionId::from_db).collect())
                })
            })
            .await
    }

    async fn touch_session(&self, id: &SessionId, at: Millis) -> Result<()> {
        let id = id.clone();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("UPDATE sessions SET last_activity_at = $2 WHERE id = $1")
                        .bind(id.as_str())
                        .bind(at)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn get_preferences(&self, user: &UserId) -> Result<Vec<Preference>> {
        let rows = sqlx::query("SELECT user_id, category, name, value FROM preferences WHERE user_id = $1 ORDER BY category, name")
            .bind(user.as_str())
            .fetch_all(&self.db.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(rows::preference).collect()
    }

    async fn save_preferences(&self, prefs: &[Preference]) -> Result<()> {
        let prefs = prefs.to_vec();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    for p in &prefs {
                        sqlx::query("INSERT INTO preferences (user_id, category, name, value) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, category, name) DO UPDATE SET value = excluded.value")
                            .bind(p.user_id.as_str())
                            .bind(&p.category)
                            .bind(&p.name)
                            .bind(&p.value)
                            .execute(&mut *c)
                            .await
                            .map_err(db_err)?;
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn delete_preferences(&self, prefs: &[Preference]) -> Result<()> {
        let prefs = prefs.to_vec();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    for p in &prefs {
                        sqlx::query("DELETE FROM preferences WHERE user_id = $1 AND category = $2 AND name = $3")
                            .bind(p.user_id.as_str())
                            .bind(&p.category)
                            .bind(&p.name)
                            .execute(&mut *c)
                            .await
                            .map_err(db_err)?;
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn get_statuses(&self, users: &[UserId]) -> Result<Vec<Status>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT user_id, status, manual, last_activity_at, dnd_end_time FROM statuses WHERE user_id IN ({})",
            placeholders(1, users.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for u in users {
            q = q.bind(u.as_str());
        }
        q.fetch_all(&self.db.pool).await.map_err(db_err)?.iter().map(rows::status).collect()
    }

    async fn save_status(&self, s: &Status) -> Result<()> {
        let s = s.clone();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO statuses (user_id, status, manual, last_activity_at, dnd_end_time) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, manual = excluded.manual, last_activity_at = excluded.last_activity_at, dnd_end_time = excluded.dnd_end_time")
                        .bind(s.user_id.as_str())
                        .bind(&s.status)
                        .bind(b(s.manual))
                        .bind(s.last_activity_at)
                        .bind(s.dnd_end_time)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

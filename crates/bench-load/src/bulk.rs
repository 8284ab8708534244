//! The bulk part of a dataset build, written straight into the stopped server's SQLite file
//! in large transactions: users, team and channel memberships (copies of the template rows
//! the API wrote), sessions, posts and their full-text rows, then the channels' counters.

use crate::dataset::{Dataset, Skeleton, Spec, User, memberships};
use crate::words::{Rng, message};
use sqlx::sqlite::SqliteConnection;
use sqlx::{AssertSqlSafe, Connection};
use std::path::Path;

/// Posts per multi-row `INSERT`.
const ROWS_PER_INSERT: usize = 100;
/// Posts per transaction.
const POSTS_PER_TX: usize = 50_000;

fn err(e: sqlx::Error) -> String {
    format!("seeding the database failed: {e}")
}

async fn exec(c: &mut SqliteConnection, sql: &'static str) -> Result<(), String> {
    sqlx::query(sql).execute(&mut *c).await.map(|_| ()).map_err(err)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Fills the database the skeleton was made in and returns the dataset's manifest.
pub async fn fill(data_dir: &Path, spec: &Spec, sk: Skeleton) -> Result<Dataset, String> {
    let url = format!("sqlite://{}", data_dir.join("conclave.db").display());
    let mut c = SqliteConnection::connect(&url).await.map_err(err)?;
    // Seed data is rebuilt from scratch if a build dies, so it need not be durable here.
    exec(&mut c, "PRAGMA synchronous = OFF").await?;
    exec(&mut c, "PRAGMA foreign_keys = OFF").await?;
    let users = insert_users(&mut c, spec, &sk).await?;
    insert_posts(&mut c, spec, &sk, &users).await?;
    exec(&mut c, "PRAGMA wal_checkpoint(TRUNCATE)").await?;
    c.close().await.map_err(err)?;
    Ok(Dataset { spec: spec.clone(), team_id: sk.team_id, channels: sk.channels, users, password: String::new(), data_dir: data_dir.to_owned() })
}

async fn insert_users(c: &mut SqliteConnection, spec: &Spec, sk: &Skeleton) -> Result<Vec<User>, String> {
    let now = now_ms();
    exec(c, "BEGIN").await?;
    for (table, filter) in [("users", "id"), ("team_members", "user_id"), ("channel_members", "user_id")] {
        let sql = format!("CREATE TEMP TABLE tpl_{table} AS SELECT * FROM {table} WHERE {filter} = $1");
        sqlx::query(AssertSqlSafe(sql)).bind(&sk.template_user).execute(&mut *c).await.map_err(err)?;
    }
    sqlx::query("DELETE FROM temp.tpl_channel_members WHERE channel_id <> $1").bind(&sk.template_channel).execute(&mut *c).await.map_err(err)?;
    let mut users = Vec::with_capacity(spec.users);
    for u in 0..spec.users {
        let id = domain::ids::new_id();
        let username = format!("bench{u:06}");
        sqlx::query("UPDATE temp.tpl_users SET id = $1, username = $2, email = $3")
            .bind(&id)
            .bind(&username)
            .bind(format!("{username}@example.org"))
            .execute(&mut *c)
            .await
            .map_err(err)?;
        exec(c, "INSERT INTO users SELECT * FROM temp.tpl_users").await?;
        sqlx::query("UPDATE temp.tpl_team_members SET user_id = $1").bind(&id).execute(&mut *c).await.map_err(err)?;
        exec(c, "INSERT INTO team_members SELECT * FROM temp.tpl_team_members").await?;
        let channels = memberships(spec, u);
        for &ch in &channels {
            sqlx::query("UPDATE temp.tpl_channel_members SET user_id = $1, channel_id = $2")
                .bind(&id)
                .bind(&sk.channels[ch])
                .execute(&mut *c)
                .await
                .map_err(err)?;
            exec(c, "INSERT INTO channel_members SELECT * FROM temp.tpl_channel_members").await?;
        }
        let token = domain::ids::new_id();
        sqlx::query("INSERT INTO sessions (id, token_hash, user_id, create_at, expires_at, last_activity_at, device_id, csrf_token) VALUES ($1, $2, $3, $4, $5, $4, '', $6)")
            .bind(domain::ids::new_id())
            .bind(domain::services::accounts::token_digest(&token))
            .bind(&id)
            .bind(now)
            .bind(now + 365 * 24 * 3600 * 1000)
            .bind(domain::ids::new_id())
            .execute(&mut *c)
            .await
            .map_err(err)?;
        users.push(User { id, username, token, channels });
    }
    exec(c, "COMMIT").await?;
    Ok(users)
}

async fn insert_posts(c: &mut SqliteConnection, spec: &Spec, sk: &Skeleton, users: &[User]) -> Result<(), String> {
    if spec.posts > 0 {
        // Authors are members of the channel they post in.
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); spec.channels];
        for (u, user) in users.iter().enumerate() {
            for &ch in &user.channels {
                members[ch].push(u);
            }
        }
        let mut rng = Rng::new(0xC0FFEE);
        // A year of history ending an hour ago, in creation order.
        let end = now_ms() - 3_600_000;
        let step = (365 * 24 * 3_600_000 / spec.posts as i64).max(1);
        let start = end - step * spec.posts as i64;
        let one_statement = |n: usize| -> String {
            let rows: Vec<String> = (0..n)
                .map(|r| {
                    let b = r * 5;
                    format!("(${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 2, b + 3, b + 4, b + 5)
                })
                .collect();
            format!("INSERT INTO posts (id, create_at, update_at, user_id, channel_id, message) VALUES {}", rows.join(", "))
        };
        let full = one_statement(ROWS_PER_INSERT);
        let mut done = 0;
        exec(c, "BEGIN").await?;
        while done < spec.posts {
            let n = ROWS_PER_INSERT.min(spec.posts - done);
            let sql = if n == ROWS_PER_INSERT { full.clone() } else { one_statement(n) };
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for i in done..done + n {
                let ch = i % spec.channels;
                let author =
                    if members[ch].is_empty() { sk.template_user.clone() } else { users[members[ch][rng.below(members[ch].len())]].id.clone() };
                q = q.bind(domain::ids::new_id()).bind(start + step * i as i64).bind(author).bind(sk.channels[ch].clone()).bind(message(&mut rng));
            }
            q.execute(&mut *c).await.map_err(err)?;
            done += n;
            if done % POSTS_PER_TX == 0 {
                exec(c, "COMMIT").await?;
                exec(c, "BEGIN").await?;
                if done % 200_000 == 0 {
                    eprintln!("  {done} posts");
                }
            }
        }
        exec(c, "COMMIT").await?;
        // The full-text rows, keyed by `seq` as the server's write path keys them.
        exec(c, "INSERT INTO posts_fts (rowid, message) SELECT seq, message FROM posts").await?;
    }
    exec(
        c,
        "UPDATE channels SET total_msg_count = (SELECT COUNT(*) FROM posts p WHERE p.channel_id = channels.id),
                total_msg_count_root = (SELECT COUNT(*) FROM posts p WHERE p.channel_id = channels.id),
                last_post_at = COALESCE((SELECT MAX(create_at) FROM posts p WHERE p.channel_id = channels.id), last_post_at),
                last_root_post_at = COALESCE((SELECT MAX(create_at) FROM posts p WHERE p.channel_id = channels.id), last_root_post_at)",
    )
    .await?;
    // Everybody has read everything, as after a day's work.
    sqlx::query(
        "UPDATE channel_members SET msg_count = (SELECT total_msg_count FROM channels WHERE id = channel_id),
                msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = channel_id), last_viewed_at = $1",
    )
    .bind(now_ms())
    .execute(&mut *c)
    .await
    .map_err(err)?;
    Ok(())
}

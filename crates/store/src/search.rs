//! Post search. The membership filter is part of the query, so results, counts and paging
//! only ever concern channels the user belongs to.

use crate::SqlStore;
use crate::db::{Backend, db_err};
use crate::rows::{self, POST_COLS};
use async_trait::async_trait;
use domain::Result;
use domain::ids::UserId;
use domain::model::Post;
use domain::ports::{PostSearch, SearchStore};
use sqlx::AssertSqlSafe;

/// Terms reach this module already reduced to letters and digits by the domain's parser;
/// the check here keeps the full-text syntax safe even if that ever changes.
fn safe(term: &str) -> bool {
    !term.is_empty() && term.chars().all(char::is_alphanumeric)
}

/// An FTS5 expression for the positive terms, joined with AND (or OR).
fn fts5_expr(s: &PostSearch) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(s.words.iter().filter(|w| safe(w)).map(|w| format!("\"{w}\"")));
    parts.extend(s.prefixes.iter().filter(|w| safe(w)).map(|w| format!("\"{w}\"*")));
    for phrase in &s.phrases {
        let words: Vec<&str> = phrase.iter().map(String::as_str).filter(|w| safe(w)).collect();
        if !words.is_empty() {
            parts.push(format!("\"{}\"", words.join(" ")));
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join(if s.or { " OR " } else { " AND " }))
}

/// The same as a PostgreSQL `tsquery`.
fn tsquery_expr(s: &PostSearch) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(s.words.iter().filter(|w| safe(w)).cloned());
    parts.extend(s.prefixes.iter().filter(|w| safe(w)).map(|w| format!("{w}:*")));
    for phrase in &s.phrases {
        let words: Vec<&str> = phrase.iter().map(String::as_str).filter(|w| safe(w)).collect();
        if !words.is_empty() {
            parts.push(format!("({})", words.join(" <-> ")));
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join(if s.or { " | " } else { " & " }))
}

fn excluded_expr(backend: Backend, s: &PostSearch) -> Option<String> {
    let words: Vec<&String> = s.excluded.iter().filter(|w| safe(w)).collect();
    if words.is_empty() {
        return None;
    }
    Some(match backend {
        Backend::Sqlite => words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" OR "),
        Backend::Postgres => words.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(" | "),
    })
}

#[async_trait]
impl SearchStore for SqlStore {
    async fn search_posts(&self, user: &UserId, s: &PostSearch) -> Result<Vec<Post>> {
        let backend = self.db.backend;
        let mut binds: Vec<String> = vec![user.to_string()];
        let push = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len())
        };
        let mut member_filter =
            String::from("SELECT cm.channel_id FROM channel_members cm JOIN channels c ON c.id = cm.channel_id WHERE cm.user_id = $1");
        if let Some(team) = &s.team {
            let p = push(team.to_string(), &mut binds);
            member_filter += &format!(" AND (c.team_id = {p} OR c.team_id = '')");
        }
        let mut sql = format!("SELECT {POST_COLS} FROM posts p WHERE p.delete_at = 0 AND p.channel_id IN ({member_filter})");

        let text_cond = match backend {
            Backend::Sqlite => fts5_expr(s).map(|e| format!("p.seq IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH {})", push(e, &mut binds))),
            Backend::Postgres => tsquery_expr(s).map(|e| format!("p.message_tsv @@ to_tsquery('simple', {})", push(e, &mut binds))),
        };
        let token_conds: Vec<String> =
            s.tokens.iter().map(|t| format!("p.id IN (SELECT post_id FROM post_tokens WHERE token = {})", push(t.clone(), &mut binds))).collect();
        let mut positive: Vec<String> = text_cond.into_iter().collect();
        positive.extend(token_conds);
        if !positive.is_empty() {
            let joiner = if s.or { " OR " } else { " AND " };
            sql += &format!(" AND ({})", positive.join(joiner));
        }
        if let Some(e) = excluded_expr(backend, s) {
            let p = push(e, &mut binds);
            sql += &match backend {
                Backend::Sqlite => format!(" AND p.seq NOT IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH {p})"),
                Backend::Postgres => format!(" AND NOT (p.message_tsv @@ to_tsquery('simple', {p}))"),
            };
        }
        if !s.from_users.is_empty() {
            let ps: Vec<String> = s.from_users.iter().map(|u| push(u.to_string(), &mut binds)).collect();
            sql += &format!(" AND p.user_id IN ({})", ps.join(", "));
        }
        if !s.in_channels.is_empty() {
            let ps: Vec<String> = s.in_channels.iter().map(|c| push(c.to_string(), &mut binds)).collect();
            sql += &format!(" AND p.channel_id IN ({})", ps.join(", "));
        }
        let mut int_binds: Vec<i64> = Vec::new();
        let base = binds.len();
        if let Some(after) = s.after {
            int_binds.push(after);
            sql += &format!(" AND p.create_at >= ${}", base + int_binds.len());
        }
        if let Some(before) = s.before {
            int_binds.push(before);
            sql += &format!(" AND p.create_at < ${}", base + int_binds.len());
        }
        sql += &format!(" ORDER BY p.create_at DESC, p.seq DESC LIMIT {} OFFSET {}", s.limit.clamp(1, 200), s.offset.clamp(0, 10_000));
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for v in binds {
            q = q.bind(v);
        }
        for v in int_binds {
            q = q.bind(v);
        }
        q.fetch_all(&self.db.pool).await.map_err(db_err)?.iter().map(rows::post).collect()
    }
}

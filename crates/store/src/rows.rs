//! Mapping rows to entities. Column lists live next to their mapping so the two cannot drift.

use crate::db::Backend;
use domain::ids::*;
use domain::model::*;
use domain::{Error, Result};
use sqlx::Row;
use sqlx::any::AnyRow;

fn get<T>(row: &AnyRow, col: &str) -> Result<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get::<T, _>(col).map_err(|e| Error::internal(format!("column {col}: {e}")))
}

fn flag(row: &AnyRow, col: &str) -> Result<bool> {
    Ok(get::<i64>(row, col)? != 0)
}

fn json(row: &AnyRow, col: &str) -> Result<serde_json::Value> {
    let text: String = get(row, col)?;
    Ok(serde_json::from_str(&text).unwrap_or_else(|_| serde_json::json!({})))
}

fn opt_id(s: String) -> Option<String> {
    if s.is_empty() { None } else { Some(s) }
}

pub const USER_COLS: &str = "u.id, u.create_at, u.update_at, u.delete_at, u.username, u.email, u.email_verified, u.nickname, u.first_name, u.last_name, u.position, u.roles, u.locale, u.props, u.notify_props, u.timezone, u.last_password_update, u.last_picture_update, u.failed_attempts, u.is_bot, u.bot_description, u.org_id, COALESCE(o.display_name, '') AS org_name, u.password_hash";
pub const USER_FROM: &str = "users u LEFT JOIN organizations o ON o.id = u.org_id";

pub fn user(r: &AnyRow) -> Result<User> {
    Ok(User {
        id: UserId::from_db(get(r, "id")?),
        create_at: get(r, "create_at")?,
        update_at: get(r, "update_at")?,
        delete_at: get(r, "delete_at")?,
        username: get(r, "username")?,
        email: get(r, "email")?,
        email_verified: flag(r, "email_verified")?,
        nickname: get(r, "nickname")?,
        first_name: get(r, "first_name")?,
        last_name: get(r, "last_name")?,
        position: get(r, "position")?,
        roles: get(r, "roles")?,
        locale: get(r, "locale")?,
        props: json(r, "props")?,
        notify_props: json(r, "notify_props")?,
        timezone: json(r, "timezone")?,
        last_password_update: get(r, "last_password_update")?,
        last_picture_update: get(r, "last_picture_update")?,
        failed_attempts: get(r, "failed_attempts")?,
        is_bot: flag(r, "is_bot")?,
        bot_description: get(r, "bot_description")?,
        org_id: get::<Option<String>>(r, "org_id")?.map(OrgId::from_db),
        org_name: get(r, "org_name")?,
        password_hash: get(r, "password_hash")?,
    })
}

pub fn org(r: &AnyRow) -> Result<Organization> {
    Ok(Organization {
        id: OrgId::from_db(get(r, "id")?),
        name: get(r, "name")?,
        display_name: get(r, "display_name")?,
        create_at: get(r, "create_at")?,
    })
}

pub const SESSION_COLS: &str =
    "s.id AS s_id, s.token_hash, s.user_id AS s_user_id, s.create_at AS s_create_at, s.expires_at, s.last_activity_at, s.device_id, s.csrf_token";

pub fn session(r: &AnyRow) -> Result<Session> {
    Ok(Session {
        id: SessionId::from_db(get(r, "s_id")?),
        token_hash: get(r, "token_hash")?,
        user_id: UserId::from_db(get(r, "s_user_id")?),
        create_at: get(r, "s_create_at")?,
        expires_at: get(r, "expires_at")?,
        last_activity_at: get(r, "last_activity_at")?,
        device_id: get(r, "device_id")?,
        csrf_token: get(r, "csrf_token")?,
    })
}

pub fn preference(r: &AnyRow) -> Result<Preference> {
    Ok(Preference { user_id: UserId::from_db(get(r, "user_id")?), category: get(r, "category")?, name: get(r, "name")?, value: get(r, "value")? })
}

pub fn status(r: &AnyRow) -> Result<Status> {
    Ok(Status {
        user_id: UserId::from_db(get(r, "user_id")?),
        status: get(r, "status")?,
        manual: flag(r, "manual")?,
        last_activity_at: get(r, "last_activity_at")?,
        dnd_end_time: get(r, "dnd_end_time")?,
    })
}

pub const TEAM_COLS: &str = "t.id, t.create_at, t.update_at, t.delete_at, t.name, t.display_name, t.description, t.email, t.team_type, t.company_name, t.allowed_domains, t.invite_id, t.allow_open_invite, t.default_tlp";

pub fn team(r: &AnyRow) -> Result<Team> {
    Ok(Team {
        id: TeamId::from_db(get(r, "id")?),
        create_at: get(r, "create_at")?,
        update_at: get(r, "update_at")?,
        delete_at: get(r, "delete_at")?,
        name: get(r, "name")?,
        display_name: get(r, "display_name")?,
        description: get(r, "description")?,
        email: get(r, "email")?,
        team_type: TeamType::parse(&get::<String>(r, "team_type")?).unwrap_or(TeamType::Invite),
        company_name: get(r, "company_name")?,
        allowed_domains: get(r, "allowed_domains")?,
        invite_id: get(r, "invite_id")?,
        allow_open_invite: flag(r, "allow_open_invite")?,
        default_tlp: Tlp::parse(&get::<String>(r, "default_tlp")?).unwrap_or(Tlp::Amber),
    })
}

pub const TEAM_MEMBER_COLS: &str = "tm.team_id, tm.user_id, tm.scheme_admin, tm.analyst, tm.delete_at";

pub fn team_member(r: &AnyRow) -> Result<TeamMember> {
    Ok(TeamMember {
        team_id: TeamId::from_db(get(r, "team_id")?),
        user_id: UserId::from_db(get(r, "user_id")?),
        scheme_admin: flag(r, "scheme_admin")?,
        analyst: flag(r, "analyst")?,
        delete_at: get(r, "delete_at")?,
    })
}

pub const CHANNEL_COLS: &str = "c.id, c.team_id, c.channel_type, c.name, c.display_name, c.header, c.purpose, c.creator_id, c.create_at, c.update_at, c.delete_at, c.last_post_at, c.last_root_post_at, c.total_msg_count, c.total_msg_count_root, c.tlp, c.intel_mode, c.intel_attribution";

pub fn channel(r: &AnyRow) -> Result<Channel> {
    Ok(Channel {
        id: ChannelId::from_db(get(r, "id")?),
        team_id: opt_id(get(r, "team_id")?).map(TeamId::from_db),
        channel_type: ChannelType::parse(&get::<String>(r, "channel_type")?).ok_or_else(|| Error::internal("bad channel type"))?,
        name: get(r, "name")?,
        display_name: get(r, "display_name")?,
        header: get(r, "header")?,
        purpose: get(r, "purpose")?,
        creator_id: opt_id(get(r, "creator_id")?).map(UserId::from_db),
        create_at: get(r, "create_at")?,
        update_at: get(r, "update_at")?,
        delete_at: get(r, "delete_at")?,
        last_post_at: get(r, "last_post_at")?,
        last_root_post_at: get(r, "last_root_post_at")?,
        total_msg_count: get(r, "total_msg_count")?,
        total_msg_count_root: get(r, "total_msg_count_root")?,
        // An unreadable label is treated as the most restrictive one.
        tlp: Tlp::parse(&get::<String>(r, "tlp")?).unwrap_or(Tlp::Red),
        intel_mode: IntelMode::parse(&get::<String>(r, "intel_mode")?).unwrap_or(IntelMode::Off),
        intel_attribution: flag(r, "intel_attribution")?,
    })
}

pub const MEMBER_COLS: &str = "cm.channel_id, cm.user_id, cm.scheme_admin, cm.last_viewed_at, cm.msg_count, cm.msg_count_root, cm.mention_count, cm.mention_count_root, cm.urgent_mention_count, cm.notify_props, cm.last_update_at";

pub fn member(r: &AnyRow) -> Result<ChannelMember> {
    Ok(ChannelMember {
        channel_id: ChannelId::from_db(get(r, "channel_id")?),
        user_id: UserId::from_db(get(r, "user_id")?),
        scheme_admin: flag(r, "scheme_admin")?,
        last_viewed_at: get(r, "last_viewed_at")?,
        msg_count: get(r, "msg_count")?,
        msg_count_root: get(r, "msg_count_root")?,
        mention_count: get(r, "mention_count")?,
        mention_count_root: get(r, "mention_count_root")?,
        urgent_mention_count: get(r, "urgent_mention_count")?,
        notify_props: json(r, "notify_props")?,
        last_update_at: get(r, "last_update_at")?,
    })
}

pub const POST_COLS: &str = "p.id, p.create_at, p.update_at, p.edit_at, p.delete_at, p.is_pinned, p.user_id, p.channel_id, p.root_id, p.original_id, p.message, p.post_type, p.props, p.hashtags, p.file_ids, p.pending_post_id, p.reply_count, p.last_reply_at, p.has_reactions";

pub fn post(r: &AnyRow) -> Result<Post> {
    let file_ids: String = get(r, "file_ids")?;
    let file_ids: Vec<String> = serde_json::from_str(&file_ids).unwrap_or_default();
    Ok(Post {
        id: PostId::from_db(get(r, "id")?),
        create_at: get(r, "create_at")?,
        update_at: get(r, "update_at")?,
        edit_at: get(r, "edit_at")?,
        delete_at: get(r, "delete_at")?,
        is_pinned: flag(r, "is_pinned")?,
        user_id: UserId::from_db(get(r, "user_id")?),
        channel_id: ChannelId::from_db(get(r, "channel_id")?),
        root_id: opt_id(get(r, "root_id")?).map(PostId::from_db),
        original_id: get(r, "original_id")?,
        message: get(r, "message")?,
        post_type: get(r, "post_type")?,
        props: json(r, "props")?,
        hashtags: get(r, "hashtags")?,
        file_ids: file_ids.into_iter().map(FileId::from_db).collect(),
        pending_post_id: get(r, "pending_post_id")?,
        reply_count: get(r, "reply_count")?,
        last_reply_at: get(r, "last_reply_at")?,
        has_reactions: flag(r, "has_reactions")?,
    })
}

pub fn reaction(r: &AnyRow) -> Result<Reaction> {
    Ok(Reaction {
        user_id: UserId::from_db(get(r, "user_id")?),
        post_id: PostId::from_db(get(r, "post_id")?),
        channel_id: ChannelId::from_db(get(r, "channel_id")?),
        emoji_name: get(r, "emoji_name")?,
        create_at: get(r, "create_at")?,
    })
}

pub const FILE_COLS: &str = "f.id, f.user_id, f.channel_id, f.post_id, f.name, f.extension, f.size, f.mime_type, f.width, f.height, f.has_preview_image, f.path, f.thumbnail_path, f.preview_path, f.create_at, f.update_at, f.delete_at";

pub fn file_info(r: &AnyRow) -> Result<FileInfo> {
    Ok(FileInfo {
        id: FileId::from_db(get(r, "id")?),
        user_id: UserId::from_db(get(r, "user_id")?),
        channel_id: ChannelId::from_db(get(r, "channel_id")?),
        post_id: opt_id(get(r, "post_id")?).map(PostId::from_db),
        name: get(r, "name")?,
        extension: get(r, "extension")?,
        size: get(r, "size")?,
        mime_type: get(r, "mime_type")?,
        width: get(r, "width")?,
        height: get(r, "height")?,
        has_preview_image: flag(r, "has_preview_image")?,
        path: get(r, "path")?,
        thumbnail_path: get(r, "thumbnail_path")?,
        preview_path: get(r, "preview_path")?,
        create_at: get(r, "create_at")?,
        update_at: get(r, "update_at")?,
        delete_at: get(r, "delete_at")?,
    })
}

/// `$start, $start+1, ...` placeholders for an `IN (...)` list of `n` values.
pub fn placeholders(start: usize, n: usize) -> String {
    (start..start + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub fn b(v: bool) -> i64 {
    i64::from(v)
}

/// `sql` as it should be sent to `backend`. On SQLite, when its `$n` placeholders appear once
/// each and in order (`$1`, `$2`, …), they become anonymous `?`, which bind the same values by
/// position; any other text is returned unchanged.
///
/// Why: SQLite finds a numbered parameter by walking a list, when it prepares the statement
/// and again for every value sqlx binds (sqlx asks each parameter's name), so the cost grows
/// with the square of the number of parameters. A 200-row insert of 8 columns spent about
/// 11 ms in those walks; with anonymous parameters, 0.3 ms. Only the statements that bind
/// hundreds of values (multi-row inserts, long `IN` lists) need it.
pub fn positional(backend: Backend, sql: String) -> String {
    if backend != Backend::Sqlite {
        return sql;
    }
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut next = 1usize;
    let mut quote: Option<u8> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                // An anonymous parameter or a comment already: leave the text as it is.
                b'?' => return sql,
                b'-' if bytes.get(i + 1) == Some(&b'-') => return sql,
                b'/' if bytes.get(i + 1) == Some(&b'*') => return sql,
                b'$' => {
                    let digits = bytes[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
                    let number = sql[i + 1..i + 1 + digits].parse::<usize>().ok();
                    if number != Some(next) {
                        return sql;
                    }
                    out.push_str(&sql[copied..i]);
                    out.push('?');
                    next += 1;
                    i += 1 + digits;
                    copied = i;
                    continue;
                }
                _ => {}
            },
        }
        i += 1;
    }
    out.push_str(&sql[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(sql: &str) -> String {
        positional(Backend::Sqlite, sql.to_owned())
    }

    #[test]
    fn in_order_placeholders_become_anonymous_on_sqlite_only() {
        assert_eq!(sqlite("INSERT INTO t VALUES ($1, $2, 'x'), ($3, $4, 'y')"), "INSERT INTO t VALUES (?, ?, 'x'), (?, ?, 'y')");
        assert_eq!(sqlite("SELECT 1 FROM t WHERE a IN ($1,$2,$3) LIMIT $4"), "SELECT 1 FROM t WHERE a IN (?,?,?) LIMIT ?");
        assert_eq!(positional(Backend::Postgres, "SELECT $1, $2".to_owned()), "SELECT $1, $2");
        assert_eq!(sqlite("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn text_that_positions_cannot_express_is_left_alone() {
        for sql in [
            "SELECT $1, $1",                // a value used twice
            "SELECT $2, $1",                // out of order
            "SELECT $1, $3",                // a gap
            "SELECT $1, ?",                 // already mixed
            "SELECT $ FROM t",              // not a parameter
            "SELECT $1 -- $2 is a comment", // comments are not parsed
            "SELECT $1 /* $2 */",
        ] {
            assert_eq!(sqlite(sql), sql, "{sql}");
        }
    }

    #[test]
    fn quoted_text_is_not_a_placeholder() {
        assert_eq!(
            sqlite("SELECT json_extract(a, '$.x'), $1, \"$col\", 'it''s $2' FROM t WHERE b = $2"),
            "SELECT json_extract(a, '$.x'), ?, \"$col\", 'it''s $2' FROM t WHERE b = ?"
        );
        assert_eq!(sqlite("SELECT '?', $1"), "SELECT '?', ?");
        assert_eq!(sqlite("SELECT 'ünïcode', $1"), "SELECT 'ünïcode', ?");
    }
}

//! Writing what capture found in posts: one `indicators` row per (type, canonical value) and
//! one `sightings` row per (indicator, post).
//!
//! Rows are written in multi-row statements, two per batch of up to 300 captures whatever the
//! number of posts in it: on SQLite every statement is a round trip to sqlx's worker thread,
//! which costs more than SQLite's own work for a row. On SQLite the writer batches a whole
//! group's new posts ([`CaptureQueue`]); their rows are written before the group commits, in
//! the same transaction as the posts, so a post and its sightings are still committed (or
//! lost) together.

use crate::db::{Backend, db_err};
use crate::rows::{placeholders, positional};
use domain::Result;
use domain::ids::*;
use domain::model::*;
use domain::ports::PostIntel;
use sqlx::{AnyConnection, AssertSqlSafe};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Most captures recorded from one post.
const MAX_CAPTURES_PER_POST: usize = 200;
/// Rows per statement: far below either backend's limit on bound values.
///
/// New rows get time-ordered ids ([`ordered_id`]) so that their primary-key entries append
/// to one page instead of dirtying a random page each, which the write-ahead log would copy.
const ROWS_PER_STATEMENT: usize = 300;

/// One post's captures, ready to write.
#[derive(Clone, Debug)]
pub(crate) struct PostSightings {
    post_id: String,
    /// The post's insertion order (`posts.seq`), by which its sightings are found.
    post_seq: i64,
    channel_id: String,
    team_id: String,
    user_id: String,
    org_id: String,
    tlp_rank: i64,
    auto_publish: bool,
    at: Millis,
    captures: Vec<Capture>,
}

impl PostSightings {
    pub(crate) fn new(post: &Post, post_seq: i64, channel: &Channel, intel: PostIntel, at: Millis) -> PostSightings {
        let mut captures = intel.captures;
        captures.truncate(MAX_CAPTURES_PER_POST);
        PostSightings {
            post_id: post.id.as_str().to_owned(),
            post_seq,
            channel_id: channel.id.as_str().to_owned(),
            team_id: channel.team_id.as_ref().map(|t| t.as_str().to_owned()).unwrap_or_default(),
            user_id: post.user_id.as_str().to_owned(),
            org_id: intel.org_id.as_ref().map(|o| o.as_str().to_owned()).unwrap_or_default(),
            tlp_rank: channel.tlp.rank(),
            auto_publish: intel.auto_publish,
            at,
            captures,
        }
    }
}

/// New posts' captures waiting for the end of the SQLite writer's group. Shared by the writer
/// (which flushes it) and the post-creating writes (which fill it); both run on the writer
/// task, one at a time, so the lock is never contended.
#[derive(Clone, Default)]
pub(crate) struct CaptureQueue(Arc<Mutex<Vec<PostSightings>>>);

impl CaptureQueue {
    fn with<T>(&self, f: impl FnOnce(&mut Vec<PostSightings>) -> T) -> T {
        match self.0.lock() {
            Ok(mut rows) => f(&mut rows),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    pub(crate) fn push(&self, rows: PostSightings) {
        self.with(|q| q.push(rows));
    }

    pub(crate) fn len(&self) -> usize {
        self.with(|q| q.len())
    }

    /// Forgets what was queued after `len` (the write that queued it rolled back).
    pub(crate) fn truncate(&self, len: usize) {
        self.with(|q| q.truncate(len));
    }

    pub(crate) fn take(&self) -> Vec<PostSightings> {
        self.with(std::mem::take)
    }
}

/// An indicator row to upsert: every capture of one (type, value) in the batch, merged.
struct IndicatorRow<'a> {
    kind: &'a str,
    value: &'a str,
    confidence: i64,
    first: Millis,
    last: Millis,
    auto_publish: bool,
    valid_until: Millis,
}

/// Writes the batch's indicators and sightings. Returns each (type, value)'s indicator id.
pub(crate) async fn write_sightings(c: &mut AnyConnection, batch: &[PostSightings]) -> Result<HashMap<(String, String), String>> {
    let backend = Backend::of(c);
    // PostgreSQL refuses to upsert one row twice in a statement, so merge duplicates first.
    let mut merged: Vec<IndicatorRow> = Vec::new();
    let mut slot: HashMap<(&str, &str), usize> = HashMap::new();
    for post in batch {
        for cap in &post.captures {
            let valid_until = if post.auto_publish { cap.valid_until } else { 0 };
            match slot.get(&(cap.kind.as_str(), cap.value.as_str())) {
                Some(&i) => {
                    let row = &mut merged[i];
                    row.confidence = row.confidence.max(cap.confidence);
                    row.first = row.first.min(post.at);
                    row.last = row.last.max(post.at);
                    row.auto_publish |= post.auto_publish;
                    row.valid_until = row.valid_until.max(valid_until);
                }
                None => {
                    slot.insert((&cap.kind, &cap.value), merged.len());
                    merged.push(IndicatorRow {
                        kind: &cap.kind,
                        value: &cap.value,
                        confidence: cap.confidence,
                        first: post.at,
                        last: post.at,
                        auto_publish: post.auto_publish,
                        valid_until,
                    });
                }
            }
        }
    }
    let mut ids: HashMap<(String, String), String> = HashMap::with_capacity(merged.len());
    for chunk in merged.chunks(ROWS_PER_STATEMENT) {
        // New indicators start as candidates whatever the channel's mode: auto-publish is
        // recorded on the sighting, where only readers of that channel can see it.
        // Every value is bound once, in order (first and last seen twice), so that SQLite can
        // take the parameters by position (`positional`).
        let values: Vec<String> =
            (0..chunk.len()).map(|i| format!("({}, 'candidate', {})", placeholders(i * 10 + 1, 3), placeholders(i * 10 + 4, 7))).collect();
        let sql = format!(
            "INSERT INTO indicators (id, kind, value, status, confidence, first_seen, last_seen, create_at, update_at, publish_pending, valid_until)
             VALUES {}
             ON CONFLICT (kind, value) DO UPDATE SET
                last_seen = CASE WHEN indicators.last_seen < excluded.last_seen THEN excluded.last_seen ELSE indicators.last_seen END,
                update_at = excluded.update_at,
                valid_until = CASE WHEN indicators.status = 'candidate' AND indicators.valid_until = 0 THEN excluded.valid_until ELSE indicators.valid_until END,
                publish_pending = CASE WHEN indicators.status IN ('confirmed', 'revoked') OR excluded.publish_pending = 1 THEN 1 ELSE indicators.publish_pending END
             RETURNING id, kind, value",
            values.join(", ")
        );
        let mut q = sqlx::query_as::<_, (String, String, String)>(AssertSqlSafe(positional(backend, sql)));
        for row in chunk {
            q = q
                .bind(ordered_id())
                .bind(row.kind)
                .bind(row.value)
                .bind(row.confidence)
                .bind(row.first)
                .bind(row.last)
                .bind(row.first)
                .bind(row.last)
                .bind(i64::from(row.auto_publish))
                .bind(row.valid_until);
        }
        for (id, kind, value) in q.fetch_all(&mut *c).await.map_err(db_err)? {
            ids.insert((kind, value), id);
        }
    }
    // One sighting per (indicator, post); a repeated capture in a post keeps the last.
    let mut sightings: Vec<(&PostSightings, &Capture, &str)> = Vec::new();
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for post in batch {
        for cap in &post.captures {
            let Some(id) = ids.get(&(cap.kind.clone(), cap.value.clone())) else { continue };
            match seen.get(&(id.as_str(), post.post_id.as_str())) {
                Some(&i) => sightings[i] = (post, cap, id),
                None => {
                    seen.insert((id, &post.post_id), sightings.len());
                    sightings.push((post, cap, id));
                }
            }
        }
    }
    for chunk in sightings.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<String> = (0..chunk.len()).map(|i| format!("({}, 0)", placeholders(i * 12 + 1, 12))).collect();
        let sql = format!(
            "INSERT INTO sightings (id, indicator_id, post_id, post_seq, channel_id, team_id, user_id, org_id, tlp_rank, raw, seen_at, auto_publish, retracted_at)
             VALUES {}
             ON CONFLICT (indicator_id, post_id) DO UPDATE SET retracted_at = 0, raw = excluded.raw, auto_publish = excluded.auto_publish",
            values.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(positional(backend, sql)));
        for (post, cap, id) in chunk {
            q = q
                .bind(ordered_id())
                .bind(id.to_string())
                .bind(post.post_id.as_str())
                .bind(post.post_seq)
                .bind(post.channel_id.as_str())
                .bind(post.team_id.as_str())
                .bind(post.user_id.as_str())
                .bind(post.org_id.as_str())
                .bind(post.tlp_rank)
                .bind(cap.raw.chars().take(512).collect::<String>())
                .bind(post.at)
                .bind(i64::from(post.auto_publish));
        }
        q.execute(&mut *c).await.map_err(db_err)?;
    }
    Ok(ids)
}

/// Records an edited post's sightings now. Returns the ids of the indicators it carries.
pub(crate) async fn record_sightings(
    c: &mut AnyConnection,
    post: &Post,
    channel: &Channel,
    intel: PostIntel,
    at: Millis,
) -> Result<Vec<IndicatorId>> {
    let seq: i64 = sqlx::query_scalar("SELECT seq FROM posts WHERE id = $1").bind(post.id.as_str()).fetch_one(&mut *c).await.map_err(db_err)?;
    let rows = PostSightings::new(post, seq, channel, intel, at);
    let ids = write_sightings(c, std::slice::from_ref(&rows)).await?;
    Ok(rows.captures.iter().filter_map(|cap| ids.get(&(cap.kind.clone(), cap.value.clone())).map(|id| IndicatorId::from_db(id.clone()))).collect())
}

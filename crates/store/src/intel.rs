//! Intel storage: indicators and sightings (written with their posts), analyst decisions,
//! the append-only STIX log, collections, feed keys, the allow-list and the audit log.

use crate::SqlStore;
use crate::db::{Backend, db_err};
use crate::rows::{b, placeholders, positional};
use async_trait::async_trait;
use domain::ids::*;
use domain::model::*;
use domain::policy::ReadScope;
use domain::ports::*;
use domain::{Error, Result};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use std::collections::HashMap;

fn get<T>(row: &AnyRow, col: &str) -> Result<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get::<T, _>(col).map_err(|e| Error::internal(format!("column {col}: {e}")))
}

/// Rows per multi-row statement: far below either backend's limit on bound values.
const ROWS_PER_STATEMENT: usize = 200;

fn tags_of(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

const INDICATOR_COLS: &str = "i.id, i.kind, i.value, i.status, i.confidence, i.tags, i.kill_chain_phase, i.tlp_floor, i.valid_until, i.first_seen, i.last_seen, i.create_at, i.update_at, i.reviewed_by, i.reviewed_at, i.published_at";

fn indicator(r: &AnyRow) -> Result<Indicator> {
    let reviewed_by: String = get(r, "reviewed_by")?;
    Ok(Indicator {
        id: IndicatorId::from_db(get(r, "id")?),
        kind: get(r, "kind")?,
        value: get(r, "value")?,
        status: IndicatorStatus::parse(&get::<String>(r, "status")?).unwrap_or(IndicatorStatus::Candidate),
        confidence: get(r, "confidence")?,
        tags: tags_of(&get::<String>(r, "tags")?),
        kill_chain_phase: get(r, "kill_chain_phase")?,
        tlp_floor: Tlp::from_rank(get(r, "tlp_floor")?).unwrap_or(Tlp::Red),
        valid_until: get(r, "valid_until")?,
        first_seen: get(r, "first_seen")?,
        last_seen: get(r, "last_seen")?,
        create_at: get(r, "create_at")?,
        update_at: get(r, "update_at")?,
        reviewed_by: (!reviewed_by.is_empty()).then(|| UserId::from_db(reviewed_by)),
        reviewed_at: get(r, "reviewed_at")?,
        published_at: get(r, "published_at")?,
    })
}

const SIGHTING_COLS: &str =
    "s.id, s.indicator_id, s.post_id, s.channel_id, s.team_id, s.user_id, s.org_id, s.tlp_rank, s.raw, s.seen_at, s.retracted_at";

fn sighting(r: &AnyRow) -> Result<Sighting> {
    let team: String = get(r, "team_id")?;
    let org: String = get(r, "org_id")?;
    Ok(Sighting {
        id: get(r, "id")?,
        indicator_id: IndicatorId::from_db(get(r, "indicator_id")?),
        post_id: PostId::from_db(get(r, "post_id")?),
        channel_id: ChannelId::from_db(get(r, "channel_id")?),
        team_id: (!team.is_empty()).then(|| TeamId::from_db(team)),
        user_id: UserId::from_db(get(r, "user_id")?),
        org_id: (!org.is_empty()).then(|| OrgId::from_db(org)),
        tlp: Tlp::from_rank(get(r, "tlp_rank")?).unwrap_or(Tlp::Red),
        raw: get(r, "raw")?,
        seen_at: get(r, "seen_at")?,
        retracted_at: get(r, "retracted_at")?,
    })
}

/// SQL for "channel ids the scope can read", using bind `$n` for the user id.
fn readable_channels(scope: &ReadScope, n: usize) -> String {
    let mut sql = format!("SELECT channel_id FROM channel_members WHERE user_id = ${n}");
    if scope.includes_public_team_channels() {
        sql += &format!(
            " UNION SELECT ch.id FROM channels ch JOIN team_members tm ON tm.team_id = ch.team_id WHERE tm.user_id = ${n} AND tm.delete_at = 0 AND ch.channel_type = 'O'"
        );
    }
    sql
}

/// The sightings of post `$1`, through the index on the post's insertion order.
const OF_POST: &str = "post_seq = (SELECT seq FROM posts WHERE id = $1) AND post_id = $1";

/// Retracts a post's sightings other than `keep`, flagging affected published indicators.
pub(crate) async fn retract_sightings(c: &mut AnyConnection, post: &PostId, keep: &[IndicatorId], at: Millis) -> Result<()> {
    let keep_sql = if keep.is_empty() { String::new() } else { format!(" AND indicator_id NOT IN ({})", placeholders(3, keep.len())) };
    let flag = format!(
        "UPDATE indicators SET publish_pending = 1, update_at = $2 WHERE id IN (SELECT indicator_id FROM sightings WHERE {OF_POST} AND retracted_at = 0{keep_sql})"
    );
    let mut q = sqlx::query(AssertSqlSafe(flag)).bind(post.as_str()).bind(at);
    for k in keep {
        q = q.bind(k.as_str());
    }
    q.execute(&mut *c).await.map_err(db_err)?;
    let retract = format!("UPDATE sightings SET retracted_at = $2 WHERE {OF_POST} AND retracted_at = 0{keep_sql}");
    let mut q = sqlx::query(AssertSqlSafe(retract)).bind(post.as_str()).bind(at);
    for k in keep {
        q = q.bind(k.as_str());
    }
    q.execute(&mut *c).await.map_err(db_err)?;
    Ok(())
}

/// Applies a stricter channel label to the channel's live sightings.
pub(crate) async fn tighten_channel_sightings(c: &mut AnyConnection, channel: &ChannelId, rank: i64, at: Millis) -> Result<()> {
    sqlx::query("UPDATE indicators SET publish_pending = 1, update_at = $3 WHERE id IN (SELECT indicator_id FROM sightings WHERE channel_id = $1 AND tlp_rank < $2 AND retracted_at = 0)")
        .bind(channel.as_str())
        .bind(rank)
        .bind(at)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    sqlx::query("UPDATE sightings SET tlp_rank = $2 WHERE channel_id = $1 AND tlp_rank < $2")
        .bind(channel.as_str())
        .bind(rank)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Effective label rank of an indicator over its live sightings, as SQL (`i` is the
/// indicator). NULL when it has none.
const EFFECTIVE_RANK: &str = "(SELECT CASE WHEN MIN(s.tlp_rank) < i.tlp_floor THEN i.tlp_floor ELSE MIN(s.tlp_rank) END FROM sightings s WHERE s.indicator_id = i.id AND s.retracted_at = 0 AND (i.status = 'confirmed' OR s.auto_publish = 1))";

/// The sightings that authorize export (`s` a sighting, `i` its indicator): all of a confirmed
/// indicator's, and a candidate's from auto-publish channels.
const AUTHORIZED: &str = "(i.status = 'confirmed' OR (i.status = 'candidate' AND s.auto_publish = 1))";

fn audit_row(r: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: get(r, "seq")?,
        at: get(r, "at")?,
        actor: get(r, "actor")?,
        action: get(r, "action")?,
        target: get(r, "target")?,
        detail: serde_json::from_str(&get::<String>(r, "detail")?).unwrap_or_default(),
        ip: get(r, "ip")?,
    })
}

pub(crate) async fn insert_audit(c: &mut AnyConnection, e: &AuditEntry) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(e.at)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.target)
        .bind(e.detail.to_string())
        .bind(&e.ip)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    Ok(())
}

fn feed_key(r: &AnyRow) -> Result<FeedKey> {
    let org: String = get(r, "org_id")?;
    Ok(FeedKey {
        id: get(r, "id")?,
        name: get(r, "name")?,
        key_hash: get(r, "key_hash")?,
        tlp_ceiling: Tlp::parse(&get::<String>(r, "tlp_ceiling")?).unwrap_or(Tlp::Clear),
        collections: tags_of(&get::<String>(r, "collections")?),
        can_write: get::<i64>(r, "can_write")? != 0,
        org_id: (!org.is_empty()).then(|| OrgId::from_db(org)),
        create_at: get(r, "create_at")?,
        revoked_at: get(r, "revoked_at")?,
        last_used_at: get(r, "last_used_at")?,
    })
}

const FEED_KEY_COLS: &str = "id, name, key_hash, tlp_ceiling, collections, can_write, org_id, create_at, revoked_at, last_used_at";

#[async_trait]
impl IntelStore for SqlStore {
    async fn indicator(&self, id: &IndicatorId) -> Result<Option<Indicator>> {
        let sql = format!("SELECT {INDICATOR_COLS} FROM indicators i WHERE i.id = $1");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(id.as_str()).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(indicator).transpose()
    }

    async fn indicator_by_value(&self, kind: &str, value: &str) -> Result<Option<Indicator>> {
        let sql = format!("SELECT {INDICATOR_COLS} FROM indicators i WHERE i.kind = $1 AND i.value = $2");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(kind).bind(value).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(indicator).transpose()
    }

    async fn visible_indicators(&self, scope: &ReadScope, f: &IndicatorFilter) -> Result<Vec<VisibleIndicator>> {
        let mut binds: Vec<String> = vec![scope.user_id().to_string()];
        let mut cond = format!("s.retracted_at = 0 AND s.channel_id IN ({})", readable_channels(scope, 1));
        let push = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len())
        };
        if let Some(ch) = &f.channel {
            cond += &format!(" AND s.channel_id = {}", push(ch.to_string(), &mut binds));
        }
        if let Some(t) = &f.team {
            cond += &format!(" AND s.team_id = {}", push(t.to_string(), &mut binds));
        }
        let mut icond = String::from("1 = 1");
        if let Some(st) = f.status {
            icond += &format!(" AND i.status = {}", push(st.as_str().to_owned(), &mut binds));
        }
        if let Some(k) = &f.kind {
            icond += &format!(" AND i.kind = {}", push(k.clone(), &mut binds));
        }
        if let Some(term) = f.term.as_ref().filter(|t| !t.is_empty()) {
            let escaped = term.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            icond += &format!(" AND i.value LIKE {} ESCAPE '\\'", push(format!("%{escaped}%"), &mut binds));
        }
        let sql = format!(
            "SELECT {INDICATOR_COLS}, v.n AS n, v.channels AS channels, v.first AS first, v.last AS last FROM indicators i
             JOIN (SELECT s.indicator_id AS iid, COUNT(*) AS n, COUNT(DISTINCT s.channel_id) AS channels, MIN(s.seen_at) AS first, MAX(s.seen_at) AS last FROM sightings s WHERE {cond} GROUP BY s.indicator_id) v ON v.iid = i.id
             WHERE {icond} ORDER BY v.last DESC, i.id LIMIT {} OFFSET {}",
            f.limit.clamp(1, 500),
            f.offset.clamp(0, 100_000)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for v in binds {
            q = q.bind(v);
        }
        let rows = q.fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(VisibleIndicator {
                    indicator: indicator(r)?,
                    sightings: get(r, "n")?,
                    channels: get(r, "channels")?,
                    first_seen: get(r, "first")?,
                    last_seen: get(r, "last")?,
                })
            })
            .collect()
    }

    async fn readable_sightings(&self, scope: &ReadScope, id: &IndicatorId) -> Result<Vec<Sighting>> {
        let sql = format!(
            "SELECT {SIGHTING_COLS} FROM sightings s WHERE s.indicator_id = $2 AND s.retracted_at = 0 AND s.channel_id IN ({}) ORDER BY s.seen_at DESC LIMIT 500",
            readable_channels(scope, 1)
        );
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(scope.user_id().as_str()).bind(id.as_str()).fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter().map(sighting).collect()
    }

    async fn sighting_teams(&self, scope: &ReadScope, id: &IndicatorId) -> Result<Vec<TeamId>> {
        let sql = format!(
            "SELECT DISTINCT s.team_id FROM sightings s WHERE s.indicator_id = $2 AND s.retracted_at = 0 AND s.team_id <> '' AND s.channel_id IN ({})",
            readable_channels(scope, 1)
        );
        let ids: Vec<String> =
            sqlx::query_scalar(AssertSqlSafe(sql)).bind(scope.user_id().as_str()).bind(id.as_str()).fetch_all(&self.db.pool).await.map_err(db_err)?;
        Ok(ids.into_iter().map(TeamId::from_db).collect())
    }

    async fn review_indicator(&self, id: &IndicatorId, review: &Review, actor: &UserId, at: Millis, audit: AuditEntry) -> Result<Indicator> {
        let (id, review, actor) = (id.clone(), review.clone(), actor.clone());
        self.db
            .write(move |c| {
                Box::pin(async move {
                    let sql = format!("SELECT {INDICATOR_COLS} FROM indicators i WHERE i.id = $1");
                    let row = sqlx::query(AssertSqlSafe(sql)).bind(id.as_str()).fetch_optional(&mut *c).await.map_err(db_err)?;
                    let mut ind = row.as_ref().map(indicator).transpose()?.ok_or_else(|| Error::not_found("indicator"))?;
                    if let Some(s) = review.status {
                        ind.status = s;
                    }
                    if let Some(v) = review.confidence {
                        ind.confidence = v;
                    }
                    if let Some(t) = &review.tags {
                        ind.tags = t.clone();
                    }
                    if let Some(k) = &review.kill_chain_phase {
                        ind.kill_chain_phase = k.clone();
                    }
                    if let Some(t) = review.tlp_floor {
                        ind.tlp_floor = t;
                    }
                    if let Some(v) = review.valid_until {
                        ind.valid_until = v;
                    }
                    ind.reviewed_by = Some(actor.clone());
                    ind.reviewed_at = at;
                    ind.update_at = at;
                    sqlx::query("UPDATE indicators SET status = $2, confidence = $3, tags = $4, kill_chain_phase = $5, tlp_floor = $6, valid_until = $7, reviewed_by = $8, reviewed_at = $9, update_at = $9, publish_pending = 1 WHERE id = $1")
                        .bind(id.as_str())
                        .bind(ind.status.as_str())
                        .bind(ind.confidence)
                        .bind(tags_json(&ind.tags))
                        .bind(&ind.kill_chain_phase)
                        .bind(ind.tlp_floor.rank())
                        .bind(ind.valid_until)
                        .bind(actor.as_str())
                        .bind(at)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    if ind.status == IndicatorStatus::Rejected && audit.detail.get("allowlist").and_then(|v| v.as_bool()) == Some(true) {
                        sqlx::query("INSERT INTO allowlist (kind, value, reason, added_by, create_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, value) DO NOTHING")
                            .bind(&ind.kind)
                            .bind(&ind.value)
                            .bind(audit.detail.get("reason").and_then(|v| v.as_str()).unwrap_or("false positive"))
                            .bind(actor.as_str())
                            .bind(at)
                            .execute(&mut *c)
                            .await
                            .map_err(db_err)?;
                    }
                    insert_audit(c, &audit).await?;
                    Ok(ind)
                })
            })
            .await
    }

    async fn pending_publications(&self, limit: i64) -> Result<Vec<PendingPublication>> {
        let sql = format!(
            "SELECT {INDICATOR_COLS}, i.published_rank, i.published_revoked, i.publish_generation FROM indicators i WHERE i.publish_pending = 1 ORDER BY i.update_at LIMIT $1"
        );
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(limit).fetch_all(&self.db.pool).await.map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(PendingPublication {
                indicator: indicator(r)?,
                groups: Vec::new(),
                published_rank: get(r, "published_rank")?,
                published_revoked: get::<i64>(r, "published_revoked")? != 0,
                generation: get(r, "publish_generation")?,
            });
        }
        // The sighting groups of the whole batch in two queries rather than a few per
        // indicator: a pass after a war-room burst settles hundreds of them. `CROSS JOIN`
        // keeps SQLite walking from the listed sightings: left to choose, it reads every
        // confirmed and candidate indicator through the status index to match the `OR`.
        let ids: Vec<String> = out.iter().map(|p| p.indicator.id.as_str().to_owned()).collect();
        let at: HashMap<&str, usize> = ids.iter().enumerate().map(|(n, id)| (id.as_str(), n)).collect();
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let list = placeholders(1, chunk.len());
            let groups = format!(
                "SELECT s.indicator_id AS ind, s.tlp_rank AS rank, COUNT(*) AS n, MIN(s.seen_at) AS first, MAX(s.seen_at) AS last FROM sightings s CROSS JOIN indicators i
                 WHERE i.id = s.indicator_id AND s.indicator_id IN ({list}) AND s.retracted_at = 0 AND {AUTHORIZED} GROUP BY s.indicator_id, s.tlp_rank ORDER BY s.indicator_id, s.tlp_rank"
            );
            let orgs = format!(
                "SELECT DISTINCT s.indicator_id AS ind, s.tlp_rank AS rank, s.org_id AS org FROM sightings s CROSS JOIN indicators i JOIN channels c ON c.id = s.channel_id
                 WHERE i.id = s.indicator_id AND s.indicator_id IN ({list}) AND s.retracted_at = 0 AND c.intel_attribution = 1 AND s.org_id <> '' AND {AUTHORIZED} ORDER BY s.indicator_id, s.tlp_rank, s.org_id"
            );
            let bound = |sql: String| chunk.iter().fold(sqlx::query(AssertSqlSafe(positional(self.db.backend, sql))), |q, id| q.bind(id.as_str()));
            for g in bound(groups).fetch_all(&self.db.pool).await.map_err(db_err)? {
                let Some(&n) = at.get(get::<String>(&g, "ind")?.as_str()) else { continue };
                out[n].groups.push(SightingGroup {
                    tlp: Tlp::from_rank(get(&g, "rank")?).unwrap_or(Tlp::Red),
                    count: get(&g, "n")?,
                    first_seen: get(&g, "first")?,
                    last_seen: get(&g, "last")?,
                    attributed_orgs: Vec::new(),
                });
            }
            for o in bound(orgs).fetch_all(&self.db.pool).await.map_err(db_err)? {
                let Some(&n) = at.get(get::<String>(&o, "ind")?.as_str()) else { continue };
                let rank: i64 = get(&o, "rank")?;
                if let Some(group) = out[n].groups.iter_mut().find(|g| g.tlp.rank() == rank) {
                    group.attributed_orgs.push(OrgId::from_db(get(&o, "org")?));
                }
            }
        }
        Ok(out)
    }

    async fn record_publications(&self, publications: Vec<Publication>) -> Result<()> {
        let backend = self.db.backend;
        self.db
            .write(move |c| {
                Box::pin(async move {
                    if backend == Backend::Postgres {
                        // Appends are serialized so that `seq` order is commit order: a reader
                        // paging by position never skips a row that commits late.
                        sqlx::query("SELECT pg_advisory_xact_lock(7301)").execute(&mut *c).await.map_err(db_err)?;
                    }
                    // `date_added` increases with `seq`, so the last row holds the largest: one
                    // probe of the primary key instead of a scan of the whole log.
                    let last: i64 = sqlx::query_scalar("SELECT COALESCE((SELECT date_added FROM stix_objects ORDER BY seq DESC LIMIT 1), 0)")
                        .fetch_one(&mut *c)
                        .await
                        .map_err(db_err)?;
                    let now_us = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
                    let mut added = now_us.max(last + 1);
                    // Every record with its `date_added`, and each indicator's new state.
                    let mut rows: Vec<(&NewStixRecord, &str, i64)> = Vec::new();
                    let mut marks: Vec<(&str, i64, i64, i64, i64, i64)> = Vec::new();
                    for p in &publications {
                        let indicator = p.indicator.as_ref().map(|i| i.as_str()).unwrap_or("");
                        for r in &p.records {
                            rows.push((r, indicator, added));
                            added += 1;
                        }
                        if !indicator.is_empty() {
                            // `published_at` moves only when something was appended: a no-op
                            // pass (say, after a sighting in a channel no audience may hear of)
                            // leaves no trace that members could notice.
                            let published_at = if p.records.is_empty() { -1 } else { added / 1000 };
                            marks.push((indicator, p.rank, b(p.revoked), published_at, p.seen_update_at, p.generation));
                        }
                    }
                    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                        let values: Vec<String> = (0..chunk.len()).map(|i| format!("({}, '2.1')", placeholders(i * 8 + 1, 8))).collect();
                        let sql = format!(
                            "INSERT INTO stix_objects (stix_id, stix_type, version, tlp_rank, tags, indicator_id, date_added, body, spec_version) VALUES {}",
                            values.join(", ")
                        );
                        let mut q = sqlx::query(AssertSqlSafe(positional(backend, sql)));
                        for (r, indicator, added) in chunk {
                            q = q.bind(&r.stix_id).bind(&r.stix_type).bind(&r.version).bind(r.tlp.rank()).bind(tags_json(&r.tags)).bind(*indicator).bind(*added).bind(&r.body);
                        }
                        q.execute(&mut *c).await.map_err(db_err)?;
                    }
                    for chunk in marks.chunks(ROWS_PER_STATEMENT) {
                        // Only clear the flag if nothing changed since the publisher read it.
                        let values: Vec<String> = (0..chunk.len()).map(|i| format!("({})", placeholders(i * 6 + 1, 6))).collect();
                        let sql = format!(
                            "WITH v (id, published_rank, published_revoked, published_at, seen_update_at, generation) AS (VALUES {})
                             UPDATE indicators SET published_rank = v.published_rank, published_revoked = v.published_revoked,
                                published_at = CASE WHEN v.published_at < 0 THEN indicators.published_at ELSE v.published_at END,
                                publish_pending = CASE WHEN indicators.update_at = v.seen_update_at THEN 0 ELSE 1 END,
                                publish_generation = v.generation
                             FROM v WHERE indicators.id = v.id",
                            values.join(", ")
                        );
                        let mut q = sqlx::query(AssertSqlSafe(positional(backend, sql)));
                        for (id, rank, revoked, published_at, seen, generation) in chunk {
                            q = q.bind(*id).bind(*rank).bind(*revoked).bind(*published_at).bind(*seen).bind(*generation);
                        }
                        q.execute(&mut *c).await.map_err(db_err)?;
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn stix_objects(&self, q: &StixQuery) -> Result<Vec<StixRecord>> {
        let mut binds: Vec<String> = Vec::new();
        let push = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len())
        };
        let ceiling = q.ceiling.map(Tlp::rank).unwrap_or(Tlp::Clear.rank()).min(Tlp::AmberStrict.rank());
        // What one collection can see: rows at or below its ceiling, with its tags if any.
        let mut visible = format!("o.tlp_rank <= {ceiling}");
        if !q.tags.is_empty() {
            // Shared objects (identity, markings) belong to no indicator and are always
            // included; an indicator's objects only when it carries one of the tags (an
            // untagged indicator is not a partner's).
            let likes: Vec<String> =
                q.tags.iter().map(|t| format!("o.tags LIKE {}", push(format!("%\"{}\"%", t.replace('"', "")), &mut binds))).collect();
            visible = format!("{visible} AND (o.indicator_id = '' OR {})", likes.join(" OR "));
        }
        let visible_inner = visible.replace("o.", "o2.");
        let mut cond = format!("{visible} AND o.seq > {}", q.after_seq.max(0));
        if let Some(after) = q.added_after {
            cond += &format!(" AND o.date_added > {after}");
        }
        if !q.ids.is_empty() {
            let ps: Vec<String> = q.ids.iter().map(|i| push(i.clone(), &mut binds)).collect();
            cond += &format!(" AND o.stix_id IN ({})", ps.join(", "));
        }
        if !q.types.is_empty() {
            let ps: Vec<String> = q.types.iter().map(|t| push(t.clone(), &mut binds)).collect();
            cond += &format!(" AND o.stix_type IN ({})", ps.join(", "));
        }
        match &q.versions {
            None if q.first_only => {
                cond += &format!(" AND o.seq = (SELECT MIN(o2.seq) FROM stix_objects o2 WHERE o2.stix_id = o.stix_id AND {visible_inner})")
            }
            None => cond += &format!(" AND o.seq = (SELECT MAX(o2.seq) FROM stix_objects o2 WHERE o2.stix_id = o.stix_id AND {visible_inner})"),
            Some(v) if v.is_empty() => {}
            Some(v) => {
                // Any of: the first version, the latest, or exact versions.
                let mut any = Vec::new();
                if v.iter().any(|x| x == "first") {
                    any.push(format!("o.seq = (SELECT MIN(o2.seq) FROM stix_objects o2 WHERE o2.stix_id = o.stix_id AND {visible_inner})"));
                }
                if v.iter().any(|x| x == "last") {
                    any.push(format!("o.seq = (SELECT MAX(o2.seq) FROM stix_objects o2 WHERE o2.stix_id = o.stix_id AND {visible_inner})"));
                }
                let exact: Vec<String> = v.iter().filter(|x| *x != "first" && *x != "last").map(|x| push(x.clone(), &mut binds)).collect();
                if !exact.is_empty() {
                    any.push(format!("o.version IN ({})", exact.join(", ")));
                }
                cond += &format!(" AND ({})", any.join(" OR "));
            }
        }
        let sql = format!(
            "SELECT o.seq, o.stix_id, o.stix_type, o.version, o.spec_version, o.tlp_rank, o.tags, o.date_added, o.body FROM stix_objects o WHERE {cond} ORDER BY o.seq LIMIT {}",
            q.limit.clamp(1, 10_000)
        );
        let mut query = sqlx::query(AssertSqlSafe(positional(self.db.backend, sql)));
        for v in binds {
            query = query.bind(v);
        }
        let rows = query.fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(StixRecord {
                    seq: get(r, "seq")?,
                    stix_id: get(r, "stix_id")?,
                    stix_type: get(r, "stix_type")?,
                    version: get(r, "version")?,
                    spec_version: get(r, "spec_version")?,
                    tlp: Tlp::from_rank(get(r, "tlp_rank")?).unwrap_or(Tlp::Red),
                    tags: tags_of(&get::<String>(r, "tags")?),
                    date_added: get(r, "date_added")?,
                    body: get(r, "body")?,
                })
            })
            .collect()
    }

    async fn flag_expired(&self, now: Millis) -> Result<u64> {
        self.db
            .write(move |c| {
                Box::pin(async move {
                    let done = sqlx::query("UPDATE indicators SET publish_pending = 1, update_at = $1 WHERE status IN ('confirmed', 'candidate') AND valid_until <> 0 AND valid_until <= $1 AND published_rank >= 0 AND published_revoked = 0 AND publish_pending = 0")
                        .bind(now)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(done.rows_affected())
                })
            })
            .await
    }

    async fn stix_object_exists(&self, stix_id: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stix_objects WHERE stix_id = $1")
            .bind(stix_id)
            .fetch_one(&self.db.pool)
            .await
            .map_err(db_err)?;
        Ok(n > 0)
    }

    async fn exportable(&self, ceiling: Tlp, kinds: &[&str], now: Millis) -> Result<Vec<Exportable>> {
        // RED never leaves, whatever the key's ceiling says.
        let ceiling = ceiling.rank().min(Tlp::AmberStrict.rank());
        let kinds_sql = if kinds.is_empty() { String::new() } else { format!(" AND i.kind IN ({})", placeholders(2, kinds.len())) };
        let sql = format!(
            "SELECT {INDICATOR_COLS}, e.rank AS rank, e.n AS n, e.first AS first, e.last AS last FROM indicators i
             JOIN (SELECT i.id AS eid, {EFFECTIVE_RANK} AS rank,
                   (SELECT COUNT(*) FROM sightings s WHERE s.indicator_id = i.id AND s.retracted_at = 0 AND s.tlp_rank <= {ceiling} AND {AUTHORIZED}) AS n,
                   (SELECT COALESCE(MIN(s.seen_at), 0) FROM sightings s WHERE s.indicator_id = i.id AND s.retracted_at = 0 AND s.tlp_rank <= {ceiling} AND {AUTHORIZED}) AS first,
                   (SELECT COALESCE(MAX(s.seen_at), 0) FROM sightings s WHERE s.indicator_id = i.id AND s.retracted_at = 0 AND s.tlp_rank <= {ceiling} AND {AUTHORIZED}) AS last
                   FROM indicators i WHERE i.status IN ('confirmed', 'candidate')) e ON e.eid = i.id
             WHERE e.rank IS NOT NULL AND e.rank <= {ceiling} AND (i.valid_until = 0 OR i.valid_until > $1){kinds_sql}
             ORDER BY i.kind, i.value"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(now);
        for k in kinds {
            q = q.bind(*k);
        }
        let rows = q.fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(Exportable {
                    indicator: indicator(r)?,
                    tlp: Tlp::from_rank(get(r, "rank")?).unwrap_or(Tlp::Red),
                    sightings: get(r, "n")?,
                    first_seen: get(r, "first")?,
                    last_seen: get(r, "last")?,
                })
            })
            .collect()
    }

    async fn collections(&self) -> Result<Vec<Collection>> {
        let rows = sqlx::query("SELECT id, alias, title, description, tlp_ceiling, tags, can_write FROM collections ORDER BY create_at, alias")
            .fetch_all(&self.db.pool)
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(Collection {
                    id: get(r, "id")?,
                    alias: get(r, "alias")?,
                    title: get(r, "title")?,
                    description: get(r, "description")?,
                    tlp_ceiling: Tlp::parse(&get::<String>(r, "tlp_ceiling")?).unwrap_or(Tlp::Clear),
                    tags: tags_of(&get::<String>(r, "tags")?),
                    can_write: get::<i64>(r, "can_write")? != 0,
                })
            })
            .collect()
    }

    async fn save_collection(&self, col: &Collection) -> Result<()> {
        let col = col.clone();
        let now = now_ms();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO collections (id, alias, title, description, tlp_ceiling, tags, can_write, create_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (alias) DO UPDATE SET title = excluded.title, description = excluded.description, tlp_ceiling = excluded.tlp_ceiling, tags = excluded.tags, can_write = excluded.can_write")
                        .bind(&col.id)
                        .bind(&col.alias)
                        .bind(&col.title)
                        .bind(&col.description)
                        .bind(col.tlp_ceiling.as_str())
                        .bind(tags_json(&col.tags))
                        .bind(b(col.can_write))
                        .bind(now)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn create_feed_key(&self, k: &FeedKey) -> Result<()> {
        let k = k.clone();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO feed_keys (id, name, key_hash, tlp_ceiling, collections, can_write, org_id, create_at, revoked_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0)")
                        .bind(&k.id)
                        .bind(&k.name)
                        .bind(&k.key_hash)
                        .bind(k.tlp_ceiling.as_str())
                        .bind(tags_json(&k.collections))
                        .bind(b(k.can_write))
                        .bind(k.org_id.as_ref().map(|o| o.as_str()).unwrap_or(""))
                        .bind(k.create_at)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn feed_key_by_hash(&self, hash: &str) -> Result<Option<FeedKey>> {
        let sql = format!("SELECT {FEED_KEY_COLS} FROM feed_keys WHERE key_hash = $1");
        let row = sqlx::query(AssertSqlSafe(sql)).bind(hash).fetch_optional(&self.db.pool).await.map_err(db_err)?;
        row.as_ref().map(feed_key).transpose()
    }

    async fn feed_keys(&self) -> Result<Vec<FeedKey>> {
        let sql = format!("SELECT {FEED_KEY_COLS} FROM feed_keys ORDER BY name");
        let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter().map(feed_key).collect()
    }

    async fn revoke_feed_key(&self, name: &str, at: Millis) -> Result<bool> {
        let name = name.to_owned();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    let done = sqlx::query("UPDATE feed_keys SET revoked_at = $2 WHERE name = $1 AND revoked_at = 0")
                        .bind(&name)
                        .bind(at)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(done.rows_affected() > 0)
                })
            })
            .await
    }

    async fn touch_feed_key(&self, id: &str, at: Millis) -> Result<()> {
        let id = id.to_owned();
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("UPDATE feed_keys SET last_used_at = $2 WHERE id = $1").bind(&id).bind(at).execute(&mut *c).await.map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn save_taxii_status(&self, id: &str, key_id: &str, at: Millis, body: &str) -> Result<()> {
        let (id, key_id, body) = (id.to_owned(), key_id.to_owned(), body.to_owned());
        self.db
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO taxii_status (id, key_id, request_at, body) VALUES ($1, $2, $3, $4)")
                        .bind(&id)
                        .bind(&key_id)
                        .bind(at)
                        .bind(&body)
                        .execute(&mut *c)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                })
            })
            .await
    }

    async fn taxii_status(&self, id: &str, key_id: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT body FROM taxii_status WHERE id = $1 AND key_id = $2")
            .bind(id)
            .bind(key_id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(db_err)
    }

    async fn allowlist_entries(&self) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query("SELECT kind, value, reason FROM allowlist ORDER BY kind, value").fetch_all(&self.db.pool).await.map_err(db_err)?;
        rows.iter().map(|r| Ok((get(r, "kind")?, get(r, "value")?, get(r, "reason")?))).collect()
    }

    async fn append_audit(&self, entry: AuditEntry) -> Result<()> {
        self.db.write(move |c| Box::pin(async move { insert_audit(c, &entry).await })).await
    }

    async fn audit_entries(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT seq, at, actor, action, target, detail, ip FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after_seq)
            .bind(limit.clamp(1, 10_000))
            .fetch_all(&self.db.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(audit_row).collect()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

//! The publisher: turns analysts' decisions and new sightings into STIX 2.1 object
//! versions in the append-only log that TAXII collections read.
//!
//! It works from the database alone: every change that affects exports sets a flag in the
//! same transaction, and the publisher clears it after appending, so a crash in between
//! only means the work is done again. Each version carries the TLP marking of the label it
//! was published at and is visible only to collections at or above it. When an indicator
//! must no longer reach an audience (revoked, expired, its sightings retracted, or its
//! label tightened), a `revoked` version is appended at the old label so that audience
//! drops it. Nothing at RED is ever appended.

use crate::app::App;
use crate::error::Result;
use crate::model::StixRecord;
use crate::model::{IndicatorStatus, Tlp};
use crate::ports::{NewStixRecord, PendingPublication, Publication, StixQuery};
use ioc::stix;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// How often the publisher looks for indicators whose expiry passed.
const EXPIRY_INTERVAL: Duration = Duration::from_secs(5);

/// How long the publisher lets changes gather after being woken.
const PUBLISH_COALESCE: Duration = Duration::from_millis(200);

/// Most indicators one publisher pass settles.
const PUBLISH_BATCH: usize = 200;

/// Object ids per query when reading what the log holds for a batch (five per indicator).
const LOG_IDS_PER_QUERY: usize = 500;

/// Highest rank that may leave the server: AMBER+STRICT. RED never does.
const MAX_EXPORT_RANK: i64 = 3;

fn stix_tlp(t: Tlp) -> stix::Tlp {
    match t {
        Tlp::Clear => stix::Tlp::Clear,
        Tlp::Green => stix::Tlp::Green,
        Tlp::Amber => stix::Tlp::Amber,
        Tlp::AmberStrict => stix::Tlp::AmberStrict,
        Tlp::Red => stix::Tlp::Red,
    }
}

/// Builds an object version given its `modified` time.
type Build<'a> = Box<dyn Fn(i64) -> Option<Value> + Send + Sync + 'a>;

/// When shared objects (the producer identity, markings) were created: fixed, so their
/// ids and versions never change.
const SHARED_CREATED_MS: i64 = 1_669_852_800_000;

impl App {
    /// The producer identity of every object: the ISAC, named after the site.
    pub fn producer_identity(&self) -> Value {
        stix::identity(&self.settings.site_name, &stix::Common { created_ms: SHARED_CREATED_MS, ..Default::default() })
    }

    /// Appends the identity and the TLP marking definitions once, visible to every
    /// collection (consumers cannot resolve TLP 2.0 markings otherwise).
    async fn publish_shared_objects(&self) -> Result<()> {
        // The log is append-only: once they are there, they stay (no pass needs to ask again).
        if self.shared_objects_published.load(std::sync::atomic::Ordering::Acquire) {
            return Ok(());
        }
        let identity = self.producer_identity();
        let mut records = Vec::new();
        let id = identity["id"].as_str().unwrap_or_default().to_owned();
        if !self.store.stix_object_exists(&id).await? {
            records.push(record(&identity, Tlp::Clear, &[]));
        }
        for t in [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict] {
            let marking = stix_tlp(t).marking_definition_object();
            if !self.store.stix_object_exists(marking["id"].as_str().unwrap_or_default()).await? {
                records.push(record(&marking, Tlp::Clear, &[]));
            }
        }
        if !records.is_empty() {
            let shared = Publication { indicator: None, seen_update_at: 0, records, rank: 0, revoked: false, generation: 0 };
            self.store.record_publications(vec![shared]).await?;
        }
        self.shared_objects_published.store(true, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// Publishes everything pending; returns how many indicators were processed. What a
    /// batch appends is committed in one write: in a war room a burst of posts leaves
    /// hundreds of indicators pending at once.
    pub async fn publish_pending(&self) -> Result<usize> {
        let pending = self.store.pending_publications(PUBLISH_BATCH as i64).await?;
        if pending.is_empty() {
            return Ok(0);
        }
        self.publish_shared_objects().await?;
        let n = pending.len();
        let bases: Vec<Option<String>> = pending.iter().map(|p| base_id(&p.indicator)).collect();
        let ids: Vec<String> = pending.iter().zip(&bases).filter_map(|(p, base)| Some(ids_of(base.as_deref()?, p.generation))).flatten().collect();
        let logged = self.logged(&ids).await?;
        let publications = pending.into_iter().zip(bases).map(|(p, base)| self.publication(p, base, &logged)).collect();
        self.store.record_publications(publications).await?;
        Ok(n)
    }

    /// What the log says now about these objects: each one's latest version (at any
    /// exported label) and its first `created`, which later versions keep. Read for a whole
    /// batch at once, a few hundred ids per query.
    async fn logged(&self, ids: &[String]) -> Result<Logged> {
        let mut logged = Logged::default();
        for chunk in ids.chunks(LOG_IDS_PER_QUERY) {
            let query = |first_only: bool| StixQuery {
                ceiling: Some(Tlp::AmberStrict),
                ids: chunk.to_vec(),
                first_only,
                limit: chunk.len() as i64 + 1,
                ..Default::default()
            };
            logged.latest.extend(self.store.stix_objects(&query(false)).await?.into_iter().map(|r| (r.stix_id.clone(), r)));
            logged.created.extend(
                self.store
                    .stix_objects(&query(true))
                    .await?
                    .into_iter()
                    .filter_map(|r| Some((r.stix_id.clone(), parse_timestamp(serde_json::from_str::<Value>(&r.body).ok()?["created"].as_str()?)?))),
            );
        }
        Ok(logged)
    }

    /// What to append for one pending indicator, from its state and the log's; `base_id` is
    /// its main object's generation-0 id (`None`: a type that has no STIX object).
    fn publication(&self, p: PendingPublication, base_id: Option<String>, logged: &Logged) -> Publication {
        let ind = &p.indicator;
        let min_rank = p.groups.iter().map(|g| g.tlp.rank()).min();
        let effective = min_rank.map(|r| r.max(ind.tlp_floor.rank()));
        let expired = ind.valid_until != 0 && ind.valid_until <= self.now();
        // The store gives a candidate only its auto-publish sightings, so a candidate with
        // groups is one an auto-publish channel shared; a confirmed one has all its sightings.
        let authorized = matches!(ind.status, IndicatorStatus::Confirmed | IndicatorStatus::Candidate) && !p.groups.is_empty();
        let active = authorized && !expired && effective.is_some_and(|r| r <= MAX_EXPORT_RANK);
        let rank = effective.unwrap_or(MAX_EXPORT_RANK).min(MAX_EXPORT_RANK);
        let unchanged = || Publication {
            indicator: Some(ind.id.clone()),
            seen_update_at: ind.update_at,
            records: Vec::new(),
            rank: p.published_rank,
            revoked: p.published_revoked,
            generation: p.generation,
        };
        let (Some(kind), Some(base_id)) = (ioc::IocType::from_str(&ind.kind).ok(), base_id) else {
            return unchanged();
        };
        // Only sightings at or below the label an object is published at may shape it: a
        // RED (or stricter) sighting's time or count must not reach a looser audience.
        let first_seen_upto = |r: i64| p.groups.iter().filter(|g| g.tlp.rank() <= r).map(|g| g.first_seen).min();
        let valid_from = first_seen_upto(rank).unwrap_or(ind.first_seen);
        let producer = self.producer_identity()["id"].as_str().map(str::to_owned);
        let common = |tlp: Tlp, created: i64, modified: i64| stix::Common {
            created_ms: created,
            modified_ms: Some(modified),
            created_by_ref: producer.clone(),
            tlp: Some(stix_tlp(tlp)),
            ..Default::default()
        };
        let object = |tlp: Tlp, created: i64, modified: i64| -> Option<Value> {
            let mut obj = main_object(
                kind,
                &ind.value,
                stix::IndicatorOptions {
                    common: common(tlp, created, modified),
                    valid_from_ms: Some(valid_from.max(created)),
                    valid_until_ms: (ind.valid_until > valid_from).then_some(ind.valid_until),
                    confidence: Some(ind.confidence.clamp(0, 100) as u8),
                    description: Some(if ind.status == IndicatorStatus::Confirmed {
                        format!("Reported by members of {} and confirmed by an analyst.", self.settings.site_name)
                    } else {
                        format!("Reported by members of {} in a room that shares indicators without review.", self.settings.site_name)
                    }),
                    ..Default::default()
                },
            )?;
            if !ind.tags.is_empty() {
                obj["labels"] = json!(ind.tags);
            }
            if !ind.kill_chain_phase.is_empty() && obj["type"] == "indicator" {
                obj["kill_chain_phases"] = json!([{"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": ind.kill_chain_phase}]);
            }
            Some(obj)
        };
        let obj_id_of = |generation: i64| generation_id(&base_id, generation);

        // This generation's objects as the log holds them (read for the whole batch).
        let generation = p.generation;
        let ids = ids_of(&base_id, generation);
        let latest: HashMap<&String, &StixRecord> = ids.iter().filter_map(|id| Some((id, logged.latest.get(id)?))).collect();
        let created: HashMap<String, i64> = ids.iter().filter_map(|id| Some((id.clone(), *logged.created.get(id)?))).collect();
        let mut modified =
            latest.values().filter_map(|r| parse_timestamp(&r.version)).max().map_or(0, |m| m + 1).max(self.now()).max(ind.published_at + 2);

        // What should be live now, by object id, for a given generation: the indicator at its
        // label, and one sighting per exportable label group, never below the indicator's own.
        let desired_for = |generation: i64, created: &HashMap<String, i64>| -> Vec<(String, Tlp, Build<'_>)> {
            let mut desired: Vec<(String, Tlp, Build<'_>)> = Vec::new();
            if !active {
                return desired;
            }
            let obj_id = obj_id_of(generation);
            let tlp = Tlp::from_rank(rank).unwrap_or(Tlp::AmberStrict);
            let c0 = created.get(&obj_id).copied().unwrap_or(valid_from);
            let main_id = obj_id.clone();
            desired.push((
                obj_id.clone(),
                tlp,
                Box::new(move |m| {
                    object(tlp, c0, m).map(|mut o| {
                        o["id"] = json!(main_id);
                        o
                    })
                }),
            ));
            for g in p.groups.iter().filter(|g| g.tlp.rank() <= MAX_EXPORT_RANK) {
                let at = Tlp::from_rank(g.tlp.rank().max(rank)).unwrap_or(Tlp::AmberStrict);
                let sid = sighting_id(&obj_id, g.tlp);
                let c0 = created.get(&sid).copied().unwrap_or(g.first_seen);
                let where_sighted: Vec<String> = g
                    .attributed_orgs
                    .iter()
                    .map(|o| {
                        stix::identity(
                            &format!("{} member {}", self.settings.site_name, o),
                            &stix::Common { created_ms: SHARED_CREATED_MS, ..Default::default() },
                        )["id"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned()
                    })
                    .collect();
                let of = obj_id.clone();
                let common = &common;
                desired.push((
                    sid,
                    at,
                    Box::new(move |m| {
                        Some(stix::sighting(
                            &of,
                            &stix::SightingOptions {
                                common: common(at, c0, m),
                                count: Some(g.count.clamp(0, 999_999_999) as u32),
                                first_seen_ms: Some(g.first_seen),
                                last_seen_ms: Some(g.last_seen),
                                where_sighted_refs: where_sighted.clone(),
                                key: g.tlp.as_str().into(),
                            },
                        ))
                    }),
                ));
            }
            desired
        };
        let desired = desired_for(generation, &created);

        // An audience must drop an object when it is withdrawn, its label tightened, or a tag
        // that put it in a partner collection removed. STIX forbids updating an object after a
        // revoked version, so when the indicator itself must leave an audience while staying
        // live for another, or a wanted object was revoked before (a comeback), the whole set
        // moves to a fresh generation of ids: the old objects are revoked where they were
        // received, and the new ones start clean.
        let live = |id: &String| latest.get(id).filter(|r| !is_revoked(&r.body));
        let leaving = |id: &String| {
            live(id).is_some_and(|prev| {
                desired
                    .iter()
                    .find(|(d, _, _)| d == id)
                    .is_none_or(|(_, tlp, _)| prev.tlp.rank() < tlp.rank() || prev.tags.iter().any(|t| !ind.tags.contains(t)))
            })
        };
        let comeback = desired.iter().any(|(id, _, _)| latest.get(id).is_some_and(|r| is_revoked(&r.body)));
        // A sighting object that leaves while the indicator stays is simply revoked (if it ever
        // returns, that is a comeback and starts a fresh generation).
        let fresh_start = (active && leaving(&ids[0])) || comeback;

        let mut records = Vec::new();
        let revoke = |prev: &StixRecord, modified: i64| -> Option<NewStixRecord> {
            let mut old = serde_json::from_str::<Value>(&prev.body).ok()?;
            old["modified"] = json!(stix::timestamp(modified));
            old["revoked"] = json!(true);
            Some(record(&old, prev.tlp, &prev.tags))
        };
        let new_generation = if fresh_start {
            for id in &ids {
                if let Some(prev) = live(id)
                    && let Some(r) = revoke(prev, modified)
                {
                    records.push(r);
                    modified += 1;
                }
            }
            let next = generation + 1;
            for (_, tlp, build) in desired_for(next, &HashMap::new()) {
                if let Some(obj) = build(modified) {
                    records.push(record(&obj, tlp, &ind.tags));
                    modified += 1;
                }
            }
            next
        } else {
            for id in &ids {
                let want = desired.iter().find(|(d, _, _)| d == id);
                if leaving(id)
                    && let Some(r) = live(id).and_then(|prev| revoke(prev, modified))
                {
                    records.push(r);
                    modified += 1;
                }
                if let Some((_, tlp, build)) = want
                    && let Some(obj) = build(modified)
                {
                    // Nothing new for anyone: appending would only tell every audience that
                    // something happened somewhere (a sighting in a channel they cannot read).
                    if live(id).is_some_and(|prev| prev.tlp == *tlp && same_content(&prev.body, &obj)) {
                        continue;
                    }
                    records.push(record(&obj, *tlp, &ind.tags));
                    modified += 1;
                }
            }
            // Everything of this generation was withdrawn: a later comeback starts fresh ids.
            if !active && ids.iter().any(|id| live(id).is_some()) { generation + 1 } else { generation }
        };
        let (new_rank, revoked) = if active {
            (rank, false)
        } else if p.published_rank >= 0 {
            (p.published_rank, true)
        } else {
            (p.published_rank, p.published_revoked)
        };
        Publication { indicator: Some(ind.id.clone()), seen_update_at: ind.update_at, records, rank: new_rank, revoked, generation: new_generation }
    }

    /// Runs the publisher until the process ends: on every change, and every few seconds to
    /// catch expiries.
    pub async fn run_publisher(self: Arc<Self>) {
        // Expiry is checked on the clock, not on every captured post: it is a write that scans
        // the indicators, and in a busy war room posts arrive many times a second.
        let mut expiry_checked: Option<std::time::Instant> = None;
        loop {
            if expiry_checked.is_none_or(|t| t.elapsed() >= EXPIRY_INTERVAL) {
                if let Err(e) = self.expire_indicators().await {
                    tracing::error!(error = %e, "flagging expired indicators failed");
                }
                expiry_checked = Some(std::time::Instant::now());
            }
            match self.publish_pending().await {
                // A full batch means a backlog: go on at once. Otherwise what was pending is
                // done, and whatever changed meanwhile has left a wake-up: wait for it and let
                // changes gather, or a room that keeps re-posting the same indicators would keep
                // the publisher (and the writer) busy with one pass per post.
                Ok(n) if n >= PUBLISH_BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "publishing indicators failed; will retry"),
            }
            if tokio::time::timeout(EXPIRY_INTERVAL, self.intel_notify.notified()).await.is_ok() {
                // Gather the changes of a burst of posts into one pass rather than one each.
                tokio::time::sleep(PUBLISH_COALESCE).await;
            }
        }
    }

    /// Flags indicators whose expiry passed so the publisher revokes them.
    pub async fn expire_indicators(&self) -> Result<()> {
        self.store.flag_expired(self.now()).await.map(|_| ())
    }
}

/// What the log holds for a batch's objects, by STIX id.
#[derive(Default)]
struct Logged {
    /// Each object's latest version at an exported label.
    latest: HashMap<String, StixRecord>,
    /// Each object's first `created` (milliseconds), which later versions keep.
    created: HashMap<String, i64>,
}

/// An indicator's main object: a `vulnerability` for a CVE, an `attack-pattern` for an
/// ATT&CK id, otherwise an `indicator` (`None` for a type without a STIX pattern).
fn main_object(kind: ioc::IocType, value: &str, options: stix::IndicatorOptions) -> Option<Value> {
    match kind {
        ioc::IocType::Cve => Some(stix::vulnerability(value, &options.common)),
        ioc::IocType::AttackTechnique | ioc::IocType::AttackTactic => Some(stix::attack_pattern(value, &options.common)),
        _ => stix::indicator(kind, value, &options),
    }
}

/// The generation-0 id of an indicator's main object: derived from its type and value alone.
fn base_id(ind: &crate::model::Indicator) -> Option<String> {
    let kind = ioc::IocType::from_str(&ind.kind).ok()?;
    main_object(kind, &ind.value, stix::IndicatorOptions::default())?["id"].as_str().map(str::to_owned)
}

/// The ids of an indicator's objects in a generation: the main object, then one sighting
/// per exportable label.
fn ids_of(base_id: &str, generation: i64) -> Vec<String> {
    let obj_id = generation_id(base_id, generation);
    let mut ids = vec![obj_id.clone()];
    ids.extend([Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict].into_iter().map(|t| sighting_id(&obj_id, t)));
    ids
}

/// The id of the sighting object for an object's sightings at one label.
fn sighting_id(obj_id: &str, label: Tlp) -> String {
    stix::Common::default().id("sighting", &format!("{obj_id}:{}", label.as_str()))
}

/// The STIX id of an indicator's objects in a generation: the deterministic id for the
/// first, a UUIDv5 derived from it for later ones.
fn generation_id(base: &str, generation: i64) -> String {
    if generation == 0 {
        return base.to_owned();
    }
    let (ty, _) = base.split_once("--").unwrap_or(("indicator", ""));
    format!("{ty}--{}", uuid::Uuid::new_v5(&stix::default_namespace(), format!("{base}#{generation}").as_bytes()))
}

fn is_revoked(body: &str) -> bool {
    serde_json::from_str::<Value>(body).is_ok_and(|v| v["revoked"] == json!(true))
}

/// Whether a logged version says the same as a new object, apart from `modified`.
fn same_content(logged: &str, new: &Value) -> bool {
    let Ok(mut old) = serde_json::from_str::<Value>(logged) else { return false };
    let mut new = new.clone();
    for v in [&mut old, &mut new] {
        if let Some(m) = v.as_object_mut() {
            m.remove("modified");
        }
    }
    old == new
}

/// Milliseconds from a STIX `YYYY-MM-DDTHH:MM:SS[.fff]Z` timestamp (UTC).
fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || !s.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let secs = num(11..13)? * 3600 + num(14..16)? * 60 + num(17..19)?;
    let frac = s.get(19..s.len() - 1).unwrap_or("");
    let millis = match frac.strip_prefix('.') {
        Some(f) if !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()) => format!("{f:0<3}")[..3].parse::<i64>().ok()?,
        None if frac.is_empty() => 0,
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + secs) * 1000 + millis)
}

fn record(obj: &Value, tlp: Tlp, tags: &[String]) -> NewStixRecord {
    NewStixRecord {
        stix_id: obj["id"].as_str().unwrap_or_default().to_owned(),
        stix_type: obj["type"].as_str().unwrap_or_default().to_owned(),
        version: obj["modified"].as_str().or_else(|| obj["created"].as_str()).unwrap_or_default().to_owned(),
        tlp,
        tags: tags.to_vec(),
        body: obj.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stix_timestamps_back() {
        for ms in [0, 1_735_812_000_123, 951_782_400_000, 4_102_444_799_999] {
            assert_eq!(parse_timestamp(&stix::timestamp(ms)), Some(ms));
        }
        assert_eq!(parse_timestamp("2025-01-02T10:00:00Z"), Some(1_735_812_000_000));
        assert_eq!(parse_timestamp("2025-01-02T10:00:00.1Z"), Some(1_735_812_000_100));
        assert_eq!(parse_timestamp("2025-01-02 10:00:00Z"), None);
    }

    #[test]
    fn same_content_ignores_only_modified() {
        let a = json!({"id": "x", "modified": "1", "count": 1});
        assert!(same_content(&a.to_string(), &json!({"id": "x", "modified": "2", "count": 1})));
        assert!(!same_content(&a.to_string(), &json!({"id": "x", "modified": "2", "count": 2})));
    }
}

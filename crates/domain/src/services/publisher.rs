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
use crate::model::{IndicatorStatus, Tlp};
use crate::ports::{NewStixRecord, PendingPublication};
use ioc::stix;
use serde_json::{Value, json};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

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
            self.store.record_publication(None, 0, records, 0, false).await?;
        }
        Ok(())
    }

    /// Publishes everything pending; returns how many indicators were processed.
    pub async fn publish_pending(&self) -> Result<usize> {
        let pending = self.store.pending_publications(200).await?;
        if pending.is_empty() {
            return Ok(0);
        }
        self.publish_shared_objects().await?;
        let n = pending.len();
        for p in pending {
            self.publish_one(p).await?;
        }
        Ok(n)
    }

    async fn publish_one(&self, p: PendingPublication) -> Result<()> {
        let ind = &p.indicator;
        let now = self.now().max(ind.published_at + 2);
        let exportable: Vec<_> = p.groups.iter().filter(|g| g.tlp.rank() <= MAX_EXPORT_RANK).collect();
        let min_rank = p.groups.iter().map(|g| g.tlp.rank()).min();
        let effective = min_rank.map(|r| r.max(ind.tlp_floor.rank()));
        let expired = ind.valid_until != 0 && ind.valid_until <= self.now();
        let active = ind.status == IndicatorStatus::Confirmed && !expired && effective.is_some_and(|r| r <= MAX_EXPORT_RANK);
        let kind = ioc::IocType::from_str(&ind.kind).ok();
        let producer = self.producer_identity()["id"].as_str().map(str::to_owned);
        let common = |tlp: Tlp, modified: i64| stix::Common {
            created_ms: ind.create_at,
            modified_ms: Some(modified),
            created_by_ref: producer.clone(),
            tlp: Some(stix_tlp(tlp)),
            ..Default::default()
        };
        let object = |tlp: Tlp, modified: i64| -> Option<Value> {
            let kind = kind?;
            let c = common(tlp, modified);
            let mut obj = match kind {
                ioc::IocType::Cve => stix::vulnerability(&ind.value, &c),
                ioc::IocType::AttackTechnique | ioc::IocType::AttackTactic => stix::attack_pattern(&ind.value, &c),
                _ => stix::indicator(
                    kind,
                    &ind.value,
                    &stix::IndicatorOptions {
                        common: c,
                        valid_from_ms: Some(ind.first_seen),
                        valid_until_ms: (ind.valid_until > ind.first_seen).then_some(ind.valid_until),
                        confidence: Some(ind.confidence.clamp(0, 100) as u8),
                        description: Some(format!("Reported by members of {} and confirmed by an analyst.", self.settings.site_name)),
                        ..Default::default()
                    },
                )?,
            };
            if !ind.tags.is_empty() {
                obj["labels"] = json!(ind.tags);
            }
            if !ind.kill_chain_phase.is_empty() && obj["type"] == "indicator" {
                obj["kill_chain_phases"] = json!([{"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": ind.kill_chain_phase}]);
            }
            Some(obj)
        };
        let mut records = Vec::new();
        let mut modified = now;
        let mut revoke_at = |rank: i64, records: &mut Vec<NewStixRecord>| {
            if let Some(tlp) = Tlp::from_rank(rank)
                && let Some(mut obj) = object(tlp, modified)
            {
                obj["revoked"] = json!(true);
                records.push(record(&obj, tlp, &ind.tags));
                modified += 1;
            }
        };
        let (new_rank, revoked) = if active {
            let rank = effective.unwrap_or(MAX_EXPORT_RANK);
            // Tightened: the looser audience is told to drop it first.
            if p.published_rank >= 0 && !p.published_revoked && p.published_rank < rank {
                revoke_at(p.published_rank, &mut records);
            }
            let tlp = Tlp::from_rank(rank).unwrap_or(Tlp::AmberStrict);
            if let Some(obj) = object(tlp, modified) {
                let obj_id = obj["id"].as_str().unwrap_or_default().to_owned();
                records.push(record(&obj, tlp, &ind.tags));
                for g in &exportable {
                    let at = Tlp::from_rank(g.tlp.rank().max(rank)).unwrap_or(Tlp::AmberStrict);
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
                    let s = stix::sighting(
                        &obj_id,
                        &stix::SightingOptions {
                            common: common(at, modified),
                            count: Some(g.count.clamp(0, 999_999_999) as u32),
                            first_seen_ms: Some(g.first_seen),
                            last_seen_ms: Some(g.last_seen),
                            where_sighted_refs: where_sighted,
                            key: g.tlp.as_str().into(),
                        },
                    );
                    records.push(record(&s, at, &ind.tags));
                }
            }
            (rank, false)
        } else {
            if p.published_rank >= 0 && !p.published_revoked {
                revoke_at(p.published_rank, &mut records);
                (p.published_rank, true)
            } else {
                (p.published_rank, p.published_revoked)
            }
        };
        self.store.record_publication(Some(&ind.id), ind.update_at, records, new_rank, revoked).await
    }

    /// Runs the publisher until the process ends: on every change, and every few seconds to
    /// catch expiries.
    pub async fn run_publisher(self: Arc<Self>) {
        loop {
            if let Err(e) = self.expire_indicators().await {
                tracing::error!(error = %e, "flagging expired indicators failed");
            }
            match self.publish_pending().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "publishing indicators failed; will retry"),
            }
            let _ = tokio::time::timeout(Duration::from_secs(5), self.intel_notify.notified()).await;
        }
    }

    /// Flags indicators whose expiry passed so the publisher revokes them.
    pub async fn expire_indicators(&self) -> Result<()> {
        self.store.flag_expired(self.now()).await.map(|_| ())
    }
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

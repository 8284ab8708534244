//! Intel for people: the indicators a member can see, the review queue, analysts'
//! decisions.
//!
//! Everything here is computed over the sightings the caller can read
//! ([`crate::policy::read_scope`]): a count such as "seen in 3 channels" never includes a
//! channel the caller cannot read, and an indicator seen only in such channels does not
//! exist for them.

use crate::app::App;
use crate::error::{Error, Result};
use crate::ids::{ChannelId, IndicatorId, TeamId};
use crate::model::{AuditEntry, Indicator, IndicatorStatus, Sighting, Tlp};
use crate::policy::{Action, Principal, read_scope};
use crate::ports::{IndicatorFilter, Review, VisibleIndicator};

/// How long a confirmed indicator is exported when the analyst sets no expiry: network
/// indicators churn fast, file hashes do not.
pub fn default_lifetime_days(kind: &str) -> i64 {
    match kind {
        "ipv4" | "ipv6" | "ipv4_cidr" | "ipv6_cidr" => 30,
        "url" => 60,
        "domain" | "email" => 90,
        "md5" | "sha1" | "sha256" | "sha512" | "ja3" => 365,
        _ => 180,
    }
}

/// An indicator with the sightings the caller can read.
pub struct IndicatorDetail {
    pub indicator: Indicator,
    pub sightings: Vec<Sighting>,
    /// Distinct readable channels it was seen in.
    pub channels: usize,
    /// Whether the caller may review it.
    pub can_review: bool,
}

/// What an analyst decides.
#[derive(Clone, Debug, Default)]
pub struct Decision {
    /// `confirm`, `reject`, `revoke`, or `update` (change fields only).
    pub action: String,
    pub confidence: Option<i64>,
    pub tags: Option<Vec<String>>,
    pub kill_chain_phase: Option<String>,
    pub tlp: Option<Tlp>,
    /// Days from now until it stops being exported; 0 clears the expiry.
    pub expires_in_days: Option<i64>,
    /// With `reject`: add the value to the allow-list.
    pub allowlist: bool,
    pub reason: String,
}

const KILL_CHAIN_PHASES: &[&str] =
    &["reconnaissance", "weaponization", "delivery", "exploitation", "installation", "command-and-control", "actions-on-objectives"];

impl App {
    /// Indicators the principal can see, with figures over readable sightings only.
    pub async fn indicators(&self, principal: &Principal, mut filter: IndicatorFilter) -> Result<Vec<VisibleIndicator>> {
        if let Some(channel) = &filter.channel {
            self.grant(principal, channel, Action::Read).await?;
        }
        if filter.term.as_ref().is_some_and(|t| t.chars().count() > 256) {
            return Err(Error::invalid_param("q"));
        }
        filter.limit = filter.limit.clamp(1, 200);
        self.store.visible_indicators(&read_scope(principal), &filter).await
    }

    /// A channel's indicators (its "intel" panel).
    pub async fn channel_indicators(&self, principal: &Principal, channel: &ChannelId, offset: i64, limit: i64) -> Result<Vec<VisibleIndicator>> {
        self.indicators(principal, IndicatorFilter { channel: Some(channel.clone()), offset, limit, ..Default::default() }).await
    }

    async fn analyst_teams(&self, principal: &Principal) -> Result<Vec<TeamId>> {
        Ok(self
            .store
            .team_members_for_user(&principal.user_id)
            .await?
            .into_iter()
            .filter(|m| m.is_active() && m.analyst)
            .map(|m| m.team_id)
            .collect())
    }

    /// Whether the principal may review an indicator: an analyst of a team in whose channels
    /// they can read a live sighting of it.
    async fn may_review(&self, principal: &Principal, id: &IndicatorId) -> Result<bool> {
        let analyst_of = self.analyst_teams(principal).await?;
        if analyst_of.is_empty() {
            return Ok(false);
        }
        let seen_in = self.store.sighting_teams(&read_scope(principal), id).await?;
        Ok(seen_in.iter().any(|t| analyst_of.contains(t)))
    }

    /// One indicator with the sightings the principal can read; "not found" if there are none.
    pub async fn indicator_detail(&self, principal: &Principal, id: &IndicatorId) -> Result<IndicatorDetail> {
        let sightings = self.store.readable_sightings(&read_scope(principal), id).await?;
        if sightings.is_empty() {
            return Err(Error::not_found("indicator"));
        }
        let indicator = self.store.indicator(id).await?.ok_or_else(|| Error::not_found("indicator"))?;
        let mut channels: Vec<&ChannelId> = sightings.iter().map(|s| &s.channel_id).collect();
        channels.sort();
        channels.dedup();
        let channels = channels.len();
        let can_review = self.may_review(principal, id).await?;
        Ok(IndicatorDetail { indicator, sightings, channels, can_review })
    }

    /// The review queue: candidates seen in the channels of teams the principal analyses.
    pub async fn review_queue(&self, principal: &Principal, offset: i64, limit: i64) -> Result<Vec<VisibleIndicator>> {
        let teams = self.analyst_teams(principal).await?;
        if teams.is_empty() {
            return Err(Error::forbidden());
        }
        let mut out = Vec::new();
        for team in teams {
            let filter = IndicatorFilter { status: Some(IndicatorStatus::Candidate), team: Some(team), offset: 0, limit: 500, ..Default::default() };
            for v in self.store.visible_indicators(&read_scope(principal), &filter).await? {
                if !out.iter().any(|o: &VisibleIndicator| o.indicator.id == v.indicator.id) {
                    out.push(v);
                }
            }
        }
        out.sort_by_key(|v| std::cmp::Reverse(v.last_seen));
        Ok(out.into_iter().skip(offset.max(0) as usize).take(limit.clamp(1, 200) as usize).collect())
    }

    /// Applies an analyst's decision; every decision goes to the audit log with it.
    pub async fn review_indicator(&self, principal: &Principal, id: &IndicatorId, d: Decision) -> Result<Indicator> {
        if !self.may_review(principal, id).await? {
            // Someone who cannot read any sighting must not learn that it exists.
            return Err(if self.store.readable_sightings(&read_scope(principal), id).await?.is_empty() {
                Error::not_found("indicator")
            } else {
                Error::forbidden()
            });
        }
        let current = self.store.indicator(id).await?.ok_or_else(|| Error::not_found("indicator"))?;
        let status = match d.action.as_str() {
            "confirm" => Some(IndicatorStatus::Confirmed),
            "reject" => Some(IndicatorStatus::Rejected),
            "revoke" if current.status == IndicatorStatus::Confirmed => Some(IndicatorStatus::Revoked),
            "revoke" => return Err(Error::invalid_param("action")),
            "update" => None,
            _ => return Err(Error::invalid_param("action")),
        };
        if let Some(c) = d.confidence
            && !(0..=100).contains(&c)
        {
            return Err(Error::invalid_param("confidence"));
        }
        if let Some(tags) = &d.tags
            && (tags.len() > 20 || tags.iter().any(|t| t.is_empty() || t.chars().count() > 64 || t.contains('"')))
        {
            return Err(Error::invalid_param("tags"));
        }
        if let Some(k) = &d.kill_chain_phase
            && !k.is_empty()
            && !KILL_CHAIN_PHASES.contains(&k.as_str())
        {
            return Err(Error::invalid_param("kill_chain_phase"));
        }
        if d.reason.chars().count() > 1000 {
            return Err(Error::invalid_param("reason"));
        }
        let now = self.now();
        let valid_until = match d.expires_in_days {
            Some(0) => Some(0),
            Some(days) if (1..=3650).contains(&days) => Some(now + days * 86_400_000),
            Some(_) => return Err(Error::invalid_param("expires_in_days")),
            // Confirming without an expiry gives the type's default lifetime.
            None if status == Some(IndicatorStatus::Confirmed) && current.valid_until == 0 => {
                Some(now + default_lifetime_days(&current.kind) * 86_400_000)
            }
            None => None,
        };
        let review = Review {
            status,
            confidence: d.confidence,
            tags: d.tags.clone(),
            kill_chain_phase: d.kill_chain_phase.clone(),
            tlp_floor: d.tlp,
            valid_until,
        };
        let audit = AuditEntry {
            seq: 0,
            at: now,
            actor: principal.user_id.to_string(),
            action: format!("intel.{}", if d.action.is_empty() { "update" } else { &d.action }),
            target: format!("indicator:{}", id),
            detail: serde_json::json!({
                "kind": current.kind, "value": current.value, "from": current.status.as_str(),
                "to": status.unwrap_or(current.status).as_str(), "confidence": d.confidence, "tags": d.tags,
                "kill_chain_phase": d.kill_chain_phase, "tlp": d.tlp.map(Tlp::as_str), "valid_until": valid_until,
                "allowlist": d.allowlist && status == Some(IndicatorStatus::Rejected), "reason": d.reason,
            }),
            ip: String::new(),
        };
        let updated = self.store.review_indicator(id, &review, &principal.user_id, now, audit).await?;
        if d.allowlist && status == Some(IndicatorStatus::Rejected) {
            self.reload_allowlist().await?;
        }
        self.intel_changed();
        Ok(updated)
    }

    /// Posts in channels the principal can read that carry an indicator.
    pub async fn indicator_posts(&self, principal: &Principal, id: &IndicatorId) -> Result<Vec<crate::model::Post>> {
        let detail = self.indicator_detail(principal, id).await?;
        let ids: Vec<crate::ids::PostId> = detail.sightings.iter().map(|s| s.post_id.clone()).collect();
        self.posts_by_ids(principal, &ids).await
    }
}

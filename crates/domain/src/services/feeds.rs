//! Intel for machines: feed keys, TAXII collections and blocklist exports.
//!
//! A key carries a TLP ceiling; everything it reads is at or below that ceiling, and RED is
//! never exported at all (the store caps every query at AMBER+STRICT as well). Only the
//! accounts service makes people principals and only [`App::authenticate_feed`] makes a
//! [`FeedPrincipal`], so the intel paths for machines cannot be reached without a key.

use crate::app::App;
use crate::error::{Error, ErrorCode, Result};
use crate::model::{AuditEntry, Collection, FeedKey, StixRecord, Tlp};
use crate::policy::Principal;
use crate::ports::{Exportable, StixQuery};
use crate::services::accounts::token_digest;

/// An authenticated feed key.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FeedPrincipal {
    pub key_id: String,
    pub name: String,
    pub ceiling: Tlp,
    pub collections: Vec<String>,
    pub can_write: bool,
}

impl FeedPrincipal {
    /// Whether this key may read a collection.
    pub fn may_read(&self, c: &Collection) -> bool {
        c.tlp_ceiling <= self.ceiling && (self.collections.is_empty() || self.collections.contains(&c.alias) || self.collections.contains(&c.id))
    }
}

/// The collections every server has: one per shareable TLP ceiling, and an inbox for
/// members' contributions.
pub fn default_collections() -> Vec<Collection> {
    let mk = |alias: &str, title: &str, tlp: Tlp, description: &str, can_write: bool| Collection {
        id: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("conclave:collection:{alias}").as_bytes()).to_string(),
        alias: alias.into(),
        title: title.into(),
        description: description.into(),
        tlp_ceiling: tlp,
        tags: Vec::new(),
        can_write,
    };
    vec![
        mk("tlp-clear", "TLP:CLEAR indicators", Tlp::Clear, "Confirmed indicators that may be shared without limit.", false),
        mk("tlp-green", "TLP:GREEN and below", Tlp::Green, "Confirmed indicators for the community.", false),
        mk("tlp-amber", "TLP:AMBER and below", Tlp::Amber, "Confirmed indicators for member organizations and their clients.", false),
        mk("tlp-amber-strict", "TLP:AMBER+STRICT and below", Tlp::AmberStrict, "Confirmed indicators for member organizations only.", false),
        mk("contributions", "Member contributions", Tlp::Clear, "Write-only inbox: objects posted here join the analysts' review queue.", true),
    ]
}

const KEY_PREFIX: &str = "ck_";

fn check_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok { Ok(()) } else { Err(Error::invalid_param("name")) }
}

impl App {
    /// Creates the default collections that do not exist yet (once per process).
    pub async fn ensure_default_collections(&self) -> Result<()> {
        if self.collections_ready.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(());
        }
        let existing = self.store.collections().await?;
        for c in default_collections() {
            if !existing.iter().any(|e| e.alias == c.alias) {
                self.store.save_collection(&c).await?;
            }
        }
        self.collections_ready.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Creates a partner collection: an audience by ceiling, narrowed to indicators tagged
    /// with one of `tags` (empty for all).
    pub async fn create_collection(
        &self,
        actor: Option<&Principal>,
        alias: &str,
        title: &str,
        ceiling: Tlp,
        tags: Vec<String>,
    ) -> Result<Collection> {
        require_admin(actor)?;
        check_name(alias)?;
        if ceiling == Tlp::Red {
            return Err(Error::invalid_param("tlp_ceiling"));
        }
        let c = Collection {
            id: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("conclave:collection:{alias}").as_bytes()).to_string(),
            alias: alias.into(),
            title: if title.is_empty() { alias.into() } else { title.into() },
            description: String::new(),
            tlp_ceiling: ceiling,
            tags,
            can_write: false,
        };
        self.store.save_collection(&c).await?;
        self.audit(actor, "collection.create", &format!("collection:{alias}"), serde_json::json!({"tlp_ceiling": ceiling.as_str(), "tags": c.tags}))
            .await?;
        Ok(c)
    }

    pub async fn collections_for_admin(&self, actor: Option<&Principal>) -> Result<Vec<Collection>> {
        require_admin(actor)?;
        self.ensure_default_collections().await?;
        self.store.collections().await
    }

    /// Issues a key; the secret is returned once and only its digest is stored.
    pub async fn create_feed_key(
        &self,
        actor: Option<&Principal>,
        name: &str,
        ceiling: Tlp,
        collections: Vec<String>,
        can_write: bool,
    ) -> Result<(FeedKey, String)> {
        require_admin(actor)?;
        check_name(name)?;
        if self.store.feed_keys().await?.iter().any(|k| k.name == name) {
            return Err(Error::new(ErrorCode::Conflict).with_param("name"));
        }
        self.ensure_default_collections().await?;
        let known = self.store.collections().await?;
        for c in &collections {
            if !known.iter().any(|k| &k.alias == c || &k.id == c) {
                return Err(Error::invalid_param("collections"));
            }
        }
        let secret = format!("{KEY_PREFIX}{}{}", crate::ids::new_id(), crate::ids::new_id());
        let key = FeedKey {
            id: crate::ids::new_id(),
            name: name.into(),
            key_hash: token_digest(&secret),
            tlp_ceiling: ceiling,
            collections,
            can_write,
            org_id: None,
            create_at: self.now(),
            revoked_at: 0,
            last_used_at: 0,
        };
        self.store.create_feed_key(&key).await?;
        self.audit(
            actor,
            "feed_key.create",
            &format!("feed_key:{name}"),
            serde_json::json!({"tlp_ceiling": ceiling.as_str(), "collections": key.collections, "can_write": can_write}),
        )
        .await?;
        Ok((key, secret))
    }

    pub async fn revoke_feed_key(&self, actor: Option<&Principal>, name: &str) -> Result<()> {
        require_admin(actor)?;
        if !self.store.revoke_feed_key(name, self.now()).await? {
            return Err(Error::not_found("feed_key"));
        }
        self.audit(actor, "feed_key.revoke", &format!("feed_key:{name}"), serde_json::json!({})).await
    }

    pub async fn feed_keys(&self, actor: Option<&Principal>) -> Result<Vec<FeedKey>> {
        require_admin(actor)?;
        self.store.feed_keys().await
    }

    /// Resolves a key presented by a machine. Use is recorded (at most once a minute a key)
    /// for the audit trail.
    pub async fn authenticate_feed(&self, secret: &str) -> Result<FeedPrincipal> {
        if !secret.starts_with(KEY_PREFIX) || secret.len() > 128 {
            return Err(Error::new(ErrorCode::SessionExpired));
        }
        let key = self
            .store
            .feed_key_by_hash(&token_digest(secret))
            .await?
            .filter(|k| k.revoked_at == 0)
            .ok_or_else(|| Error::new(ErrorCode::SessionExpired))?;
        let now = self.now();
        if now - key.last_used_at > 60_000 {
            self.store.touch_feed_key(&key.id, now).await?;
            let entry = AuditEntry {
                seq: 0,
                at: now,
                actor: format!("feed:{}", key.name),
                action: "feed_key.use".into(),
                target: format!("feed_key:{}", key.name),
                detail: serde_json::json!({}),
                ip: String::new(),
            };
            self.store.append_audit(entry).await?;
        }
        Ok(FeedPrincipal {
            key_id: key.id,
            name: key.name,
            ceiling: key.tlp_ceiling.min(Tlp::AmberStrict),
            collections: key.collections,
            can_write: key.can_write,
        })
    }

    /// Collections a key may see.
    pub async fn feed_collections(&self, feed: &FeedPrincipal) -> Result<Vec<Collection>> {
        self.ensure_default_collections().await?;
        Ok(self.store.collections().await?.into_iter().filter(|c| feed.may_read(c) || (c.can_write && feed.can_write)).collect())
    }

    /// A collection the key may see, by id or alias; "not found" otherwise (TAXII allows 404
    /// to hide existence).
    pub async fn feed_collection(&self, feed: &FeedPrincipal, id: &str) -> Result<Collection> {
        self.feed_collections(feed).await?.into_iter().find(|c| c.id == id || c.alias == id).ok_or_else(|| Error::not_found("collection"))
    }

    /// Objects of a readable collection, as the collection's audience sees them.
    pub async fn collection_objects(&self, feed: &FeedPrincipal, collection: &Collection, mut q: StixQuery) -> Result<Vec<StixRecord>> {
        if !feed.may_read(collection) || collection.can_write {
            return Ok(Vec::new());
        }
        q.ceiling = Some(collection.tlp_ceiling.min(feed.ceiling).min(Tlp::AmberStrict));
        q.tags = collection.tags.clone();
        self.store.stix_objects(&q).await
    }

    /// Indicators for blocklists: confirmed, unexpired, within the key's ceiling, and for a
    /// key restricted to collections, only what those collections carry (their ceilings and
    /// tags): such a key must not get through the lists what TAXII withholds from it.
    pub async fn export(&self, feed: &FeedPrincipal, kinds: &[&str]) -> Result<Vec<Exportable>> {
        let ceiling = feed.ceiling.min(Tlp::AmberStrict);
        if feed.collections.is_empty() {
            return self.store.exportable(ceiling, kinds, self.now()).await;
        }
        let readable: Vec<Collection> = self.feed_collections(feed).await?.into_iter().filter(|c| feed.may_read(c) && !c.can_write).collect();
        let Some(widest) = readable.iter().map(|c| c.tlp_ceiling).max() else { return Ok(Vec::new()) };
        let rows = self.store.exportable(ceiling.min(widest), kinds, self.now()).await?;
        Ok(rows
            .into_iter()
            .filter(|r| readable.iter().any(|c| r.tlp <= c.tlp_ceiling && (c.tags.is_empty() || c.tags.iter().any(|t| r.indicator.tags.contains(t)))))
            .collect())
    }

    /// Reads the audit log (system admins and the CLI only), oldest first after `after`.
    pub async fn audit_log(&self, actor: Option<&Principal>, after: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        require_admin(actor)?;
        self.store.audit_entries(after, limit).await
    }

    /// Appends to the audit log on behalf of an actor (`None`: the server itself / CLI).
    pub async fn audit(&self, actor: Option<&Principal>, action: &str, target: &str, detail: serde_json::Value) -> Result<()> {
        let entry = AuditEntry {
            seq: 0,
            at: self.now(),
            actor: actor.map(|p| p.user_id.to_string()).unwrap_or_else(|| "cli".into()),
            action: action.into(),
            target: target.into(),
            detail,
            ip: String::new(),
        };
        self.store.append_audit(entry).await
    }
}

fn require_admin(actor: Option<&Principal>) -> Result<()> {
    match actor {
        Some(p) if !p.system_admin => Err(Error::forbidden()),
        _ => Ok(()),
    }
}

/// The account that posts contributions received over TAXII.
const INBOX_USER: &str = "taxii-inbox";

impl App {
    /// Takes indicators members contributed over TAXII: each object's text (pattern, value,
    /// name) must contain at least one indicator; accepted ones are posted, defanged, to the
    /// contributions channel, where capture records them for the analysts. Returns each
    /// object's id, version and outcome.
    pub async fn contribute(
        &self,
        feed: &FeedPrincipal,
        items: &[(String, String, String)],
    ) -> Result<Vec<(String, String, std::result::Result<(), String>)>> {
        let channel = self.contributions_channel().await?;
        let extractor = self.extractor();
        let mut lines = Vec::new();
        let mut out = Vec::new();
        for (id, version, text) in items {
            let well_formed = id.split_once("--").is_some_and(|(t, u)| !t.is_empty() && u.len() == 36);
            let outcome = if !well_formed {
                Err("the object has no valid STIX id".to_owned())
            } else if channel.is_none() {
                Err("contributions are not enabled on this server".to_owned())
            } else {
                let found = extractor.extract(text);
                if found.is_empty() {
                    Err("no indicator could be read from the object".to_owned())
                } else {
                    for f in found.iter().take(20) {
                        lines.push(format!("- {} `{}` ({})", f.kind.as_str(), ioc::defang(f.kind, &f.value), id));
                    }
                    Ok(())
                }
            };
            out.push((id.clone(), version.clone(), outcome));
        }
        if let Some((channel, bot)) = channel
            && !lines.is_empty()
        {
            let principal = Principal::new(bot, crate::ids::SessionId::generate(), false);
            let header = format!("Indicators contributed over TAXII with feed key `{}`:\n", feed.name);
            let mut message = header.clone();
            for line in lines {
                if message.chars().count() + line.chars().count() + 1 > self.settings.max_post_chars {
                    self.post_contribution(&principal, &channel, std::mem::replace(&mut message, header.clone())).await?;
                }
                message.push_str(&line);
                message.push('\n');
            }
            self.post_contribution(&principal, &channel, message).await?;
        }
        Ok(out)
    }

    async fn post_contribution(&self, principal: &Principal, channel: &crate::ids::ChannelId, message: String) -> Result<()> {
        let input = crate::services::posts::PostInput {
            channel_id: channel.clone(),
            message,
            root_id: None,
            file_ids: Vec::new(),
            props: None,
            pending_post_id: String::new(),
        };
        self.create_post(principal, input).await.map(|_| ())
    }

    /// The configured contributions channel and the inbox account (created on first use,
    /// and made a member of the channel).
    async fn contributions_channel(&self) -> Result<Option<(crate::ids::ChannelId, crate::ids::UserId)>> {
        let Some((team, channel)) = self.settings.contributions_channel.split_once('/') else { return Ok(None) };
        let Some(team) = self.store.get_team_by_name(team).await? else { return Ok(None) };
        let Some(channel) = self.store.get_channel_by_name(Some(&team.id), channel).await? else { return Ok(None) };
        let bot = match self.store.get_user_by_username(INBOX_USER).await? {
            Some(u) => u,
            None => {
                let now = self.now();
                let user = crate::model::User {
                    id: crate::ids::UserId::generate(),
                    create_at: now,
                    update_at: now,
                    delete_at: 0,
                    username: INBOX_USER.into(),
                    email: format!("{INBOX_USER}@localhost.invalid"),
                    email_verified: true,
                    nickname: String::new(),
                    first_name: "TAXII".into(),
                    last_name: "inbox".into(),
                    position: String::new(),
                    roles: "system_user".into(),
                    locale: "en".into(),
                    props: serde_json::json!({}),
                    notify_props: crate::services::accounts::default_notify_props(),
                    timezone: serde_json::json!({}),
                    last_password_update: now,
                    last_picture_update: 0,
                    failed_attempts: 0,
                    is_bot: true,
                    bot_description: "Posts indicators contributed over TAXII for review.".into(),
                    org_id: None,
                    org_name: String::new(),
                    password_hash: String::new(),
                };
                self.store.create_user(user, false).await?
            }
        };
        if self.store.get_team_member(&team.id, &bot.id).await?.filter(|m| m.is_active()).is_none() {
            let m = crate::model::TeamMember { team_id: team.id.clone(), user_id: bot.id.clone(), scheme_admin: false, analyst: false, delete_at: 0 };
            self.store.save_team_member(&m, &[], self.now()).await?;
        }
        if self.store.get_channel_member(&channel.id, &bot.id).await?.is_none() {
            let now = self.now();
            let m = crate::model::ChannelMember {
                channel_id: channel.id.clone(),
                user_id: bot.id.clone(),
                scheme_admin: false,
                last_viewed_at: now,
                msg_count: channel.total_msg_count,
                msg_count_root: channel.total_msg_count_root,
                mention_count: 0,
                mention_count_root: 0,
                urgent_mention_count: 0,
                notify_props: serde_json::json!({}),
                last_update_at: now,
            };
            self.store.save_channel_member(&m).await?;
        }
        Ok(Some((channel.id, bot.id)))
    }
}

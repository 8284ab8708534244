//! Accounts: sign-up, login, sessions, profiles, roles and deactivation.

use crate::app::App;
use crate::error::{Error, ErrorCode, Result};
use crate::events::{Audience, Event, EventKind};
use crate::ids::{OrgId, SessionId, UserId, new_id};
use crate::model::{Organization, Session, User};
use crate::password;
use crate::policy::Principal;
use sha2::{Digest, Sha256};

/// What a sign-up or an admin's "create user" supplies.
#[derive(Clone, Debug, Default)]
pub struct NewAccount {
    pub username: String,
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub nickname: String,
    pub position: String,
    pub locale: String,
    /// The member organization; defaults to the e-mail domain, which is how ISACs
    /// usually identify member institutions.
    pub organization: Option<String>,
    /// A team invite id, which admits a sign-up when open sign-up is off.
    pub invite_id: Option<String>,
    pub props: Option<serde_json::Value>,
}

/// A successful login: the session and the bearer token, shown to the client once.
pub struct Login {
    pub user: User,
    pub session: Session,
    pub token: String,
}

const RESERVED_USERNAMES: &[&str] = &["all", "channel", "here", "matterbot", "system", "admin", "root", "conclave"];

pub fn validate_username(name: &str) -> Result<()> {
    let ok = (3..=22).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
        && !RESERVED_USERNAMES.contains(&name);
    if ok { Ok(()) } else { Err(Error::new(ErrorCode::InvalidUsername).with_param("username")) }
}

pub fn validate_email(email: &str) -> Result<()> {
    let ok = email.len() <= 128
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.contains('@') && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        });
    if ok { Ok(()) } else { Err(Error::new(ErrorCode::InvalidEmail).with_param("email")) }
}

/// Lower-case handle for an organization name: letters, digits, dots and dashes.
pub fn org_handle(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').chars().take(64).collect()
}

pub fn token_digest(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A hash with the configured cost that unknown usernames are checked against, so that a
/// failed login takes as long whether or not the account exists.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn dummy_hash(memory_kib: u32, passes: u32) -> String {
    DUMMY_HASH.get_or_init(|| password::hash("not a real password", memory_kib, passes).unwrap_or_default()).clone()
}

impl App {
    async fn hash_password(&self, password: String) -> Result<String> {
        let (mem, passes) = (self.settings.argon2_memory_kib, self.settings.argon2_passes);
        tokio::task::spawn_blocking(move || password::hash(&password, mem, passes)).await.map_err(Error::internal)?
    }

    fn check_password_rules(&self, password: &str) -> Result<()> {
        let chars = password.chars().count();
        if chars < self.settings.password_min_length || password.len() > 256 {
            return Err(Error::new(ErrorCode::WeakPassword).with_param("password"));
        }
        Ok(())
    }

    async fn org_for(&self, input: &NewAccount) -> Result<Organization> {
        let name = match &input.organization {
            Some(o) if !o.trim().is_empty() => o.trim().to_owned(),
            _ => input.email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()).unwrap_or_default(),
        };
        let handle = org_handle(&name);
        if handle.is_empty() || name.chars().count() > 64 {
            return Err(Error::invalid_param("organization"));
        }
        self.store.ensure_org(&handle, &name).await
    }

    /// Creates an account. `actor` is the admin creating it, or `None` for a self sign-up,
    /// which needs open sign-up, a valid team invite, or an empty server.
    pub async fn create_account(&self, actor: Option<&Principal>, input: NewAccount, make_admin: bool) -> Result<User> {
        let username = input.username.trim().to_ascii_lowercase();
        let email = input.email.trim().to_ascii_lowercase();
        validate_username(&username)?;
        validate_email(&email)?;
        self.check_password_rules(&input.password)?;
        for (field, value, max) in [
            ("first_name", &input.first_name, 64),
            ("last_name", &input.last_name, 64),
            ("nickname", &input.nickname, 64),
            ("position", &input.position, 128),
        ] {
            if value.chars().count() > max {
                return Err(Error::invalid_param(field));
            }
        }
        let admin_actor = actor.is_some_and(|a| a.system_admin);
        if make_admin && !admin_actor && actor.is_some() {
            return Err(Error::forbidden());
        }
        if !admin_actor && !self.settings.open_signup {
            let invited = match &input.invite_id {
                Some(invite) => self.store.get_team_by_invite(invite).await?.is_some(),
                None => false,
            };
            if !invited && self.store.count_users().await? > 0 {
                return Err(Error::new(ErrorCode::SignupClosed));
            }
        }
        if self.store.get_user_by_username(&username).await?.is_some() {
            return Err(Error::new(ErrorCode::UsernameTaken).with_param("username"));
        }
        if self.store.get_user_by_email(&email).await?.is_some() {
            return Err(Error::new(ErrorCode::EmailTaken).with_param("email"));
        }
        let org = self.org_for(&input).await?;
        let hash = self.hash_password(input.password).await?;
        let now = self.now();
        let user = User {
            id: UserId::generate(),
            create_at: now,
            update_at: now,
            delete_at: 0,
            username,
            email,
            email_verified: false,
            nickname: input.nickname,
            first_name: input.first_name,
            last_name: input.last_name,
            position: input.position,
            roles: if make_admin { "system_admin system_user".into() } else { "system_user".into() },
            locale: if input.locale.is_empty() { "en".into() } else { input.locale },
            props: input.props.filter(|p| p.is_object()).unwrap_or_else(|| serde_json::json!({})),
            notify_props: default_notify_props(),
            timezone: serde_json::json!({"useAutomaticTimezone": "true", "automaticTimezone": "", "manualTimezone": ""}),
            last_password_update: now,
            last_picture_update: 0,
            failed_attempts: 0,
            is_bot: false,
            bot_description: String::new(),
            org_id: Some(org.id.clone()),
            org_name: org.display_name.clone(),
            password_hash: hash,
        };
        // The very first account administers the server.
        let user = self.store.create_user(user, true).await?;
        self.audit(
            actor,
            "user.create",
            &format!("user:{}", user.id),
            serde_json::json!({"username": user.username, "roles": user.roles, "organization": user.org_name}),
        )
        .await?;
        self.publish(Event::new(EventKind::NewUser { user_id: user.id.clone() }, Audience::All));
        Ok(user)
    }

    /// Checks credentials and opens a session. Unknown users, wrong passwords and deactivated
    /// accounts all cost one hash verification, so timing does not reveal which it was.
    pub async fn login(&self, login_id: &str, password: &str, device_id: &str) -> Result<Login> {
        let login_id = login_id.trim().to_ascii_lowercase();
        if login_id.is_empty() || password.is_empty() {
            return Err(Error::new(ErrorCode::InvalidCredentials));
        }
        let user =
            if login_id.contains('@') { self.store.get_user_by_email(&login_id).await? } else { self.store.get_user_by_username(&login_id).await? };
        let hash = user.as_ref().map(|u| u.password_hash.clone()).filter(|h| !h.is_empty());
        let pw = password.to_owned();
        let (mem, passes) = (self.settings.argon2_memory_kib, self.settings.argon2_passes);
        let matches = tokio::task::spawn_blocking(move || {
            let hash = hash.unwrap_or_else(|| dummy_hash(mem, passes));
            password::verify(&pw, &hash)
        })
        .await
        .map_err(Error::internal)?;
        let Some(user) = user else { return Err(Error::new(ErrorCode::InvalidCredentials)) };
        if !matches {
            self.store.record_failed_login(&user.id, user.failed_attempts + 1).await?;
            return Err(Error::new(ErrorCode::InvalidCredentials));
        }
        if !user.is_active() {
            return Err(Error::new(ErrorCode::AccountDeactivated));
        }
        if user.failed_attempts != 0 {
            self.store.record_failed_login(&user.id, 0).await?;
        }
        let (session, token) = self.open_session(&user.id, device_id).await?;
        Ok(Login { user, session, token })
    }

    /// Creates a session for a user without a password check (admin tooling and tests).
    pub async fn open_session(&self, user: &UserId, device_id: &str) -> Result<(Session, String)> {
        let token = new_id();
        let now = self.now();
        let session = Session {
            id: SessionId::generate(),
            token_hash: token_digest(&token),
            user_id: user.clone(),
            create_at: now,
            expires_at: now + self.settings.session_length_ms,
            last_activity_at: now,
            device_id: device_id.chars().take(512).collect(),
            csrf_token: new_id(),
        };
        self.store.create_session(&session).await?;
        Ok((session, token))
    }

    /// Resolves a bearer token to a principal. Expired sessions are deleted on sight.
    pub async fn authenticate(&self, token: &str) -> Result<(Principal, Session)> {
        if token.is_empty() || token.len() > 128 {
            return Err(Error::new(ErrorCode::SessionExpired));
        }
        let Some((session, user)) = self.store.session_by_token_hash(&token_digest(token)).await? else {
            return Err(Error::new(ErrorCode::SessionExpired));
        };
        if session.expires_at <= self.now() {
            self.store.delete_session(&session.id).await?;
            return Err(Error::new(ErrorCode::SessionExpired));
        }
        if !user.is_active() {
            return Err(Error::new(ErrorCode::SessionExpired));
        }
        let principal = Principal::new(user.id.clone(), session.id.clone(), user.is_system_admin());
        Ok((principal, session))
    }

    pub async fn logout(&self, principal: &Principal) -> Result<()> {
        self.store.delete_session(&principal.session_id).await?;
        self.audit(Some(principal), "session.logout", &format!("session:{}", principal.session_id), serde_json::json!({})).await?;
        self.publish(Event::new(EventKind::SessionRevoked { session_id: principal.session_id.clone() }, Audience::User(principal.user_id.clone())));
        Ok(())
    }

    /// A user as seen by `principal`. Any authenticated user may see any profile, as in
    /// Mattermost; the API hides e-mail addresses from non-admins.
    pub async fn user(&self, _principal: &Principal, id: &UserId) -> Result<User> {
        self.store.get_user(id).await?.ok_or_else(|| Error::not_found("user"))
    }

    pub async fn user_by_username(&self, username: &str) -> Result<User> {
        self.store.get_user_by_username(&username.to_ascii_lowercase()).await?.ok_or_else(|| Error::not_found("user"))
    }

    pub async fn user_by_email(&self, email: &str) -> Result<User> {
        self.store.get_user_by_email(&email.to_ascii_lowercase()).await?.ok_or_else(|| Error::not_found("user"))
    }

    fn require_self_or_admin(principal: &Principal, target: &UserId) -> Result<()> {
        if &principal.user_id == target || principal.system_admin { Ok(()) } else { Err(Error::forbidden()) }
    }

    /// Applies a profile patch (names, nickname, position, locale, props, notify props).
    pub async fn patch_user(&self, principal: &Principal, id: &UserId, patch: UserPatch) -> Result<User> {
        Self::require_self_or_admin(principal, id)?;
        let mut user = self.store.get_user(id).await?.ok_or_else(|| Error::not_found("user"))?;
        if let Some(username) = patch.username {
            let username = username.trim().to_ascii_lowercase();
            if username != user.username {
                validate_username(&username)?;
                if self.store.get_user_by_username(&username).await?.is_some() {
                    return Err(Error::new(ErrorCode::UsernameTaken).with_param("username"));
                }
                user.username = username;
            }
        }
        if let Some(email) = patch.email {
            let email = email.trim().to_ascii_lowercase();
            if email != user.email {
                validate_email(&email)?;
                if self.store.get_user_by_email(&email).await?.is_some() {
                    return Err(Error::new(ErrorCode::EmailTaken).with_param("email"));
                }
                user.email = email;
            }
        }
        for (field, slot, value, max) in [
            ("first_name", &mut user.first_name, patch.first_name, 64),
            ("last_name", &mut user.last_name, patch.last_name, 64),
            ("nickname", &mut user.nickname, patch.nickname, 64),
            ("position", &mut user.position, patch.position, 128),
            ("locale", &mut user.locale, patch.locale, 5),
        ] {
            if let Some(v) = value {
                if v.chars().count() > max {
                    return Err(Error::invalid_param(field));
                }
                *slot = v;
            }
        }
        if let Some(props) = patch.props.filter(|p| p.is_object()) {
            user.props = props;
        }
        if let Some(np) = patch.notify_props.filter(|p| p.is_object()) {
            user.notify_props = np;
        }
        if let Some(tz) = patch.timezone.filter(|p| p.is_object()) {
            user.timezone = tz;
        }
        if let Some(org) = patch.organization {
            if !principal.system_admin {
                return Err(Error::forbidden());
            }
            let org = self.org_for(&NewAccount { organization: Some(org), ..Default::default() }).await?;
            user.org_id = Some(org.id);
            user.org_name = org.display_name;
        }
        user.update_at = self.now();
        self.store.update_user(&user).await?;
        self.publish(Event::new(EventKind::UserUpdated { user: user.clone() }, Audience::All));
        Ok(user)
    }

    pub async fn change_password(&self, principal: &Principal, id: &UserId, current: &str, new: &str) -> Result<()> {
        Self::require_self_or_admin(principal, id)?;
        let mut user = self.store.get_user(id).await?.ok_or_else(|| Error::not_found("user"))?;
        // Admins resetting someone else's password need not know the old one.
        if &principal.user_id == id || !principal.system_admin {
            let hash = user.password_hash.clone();
            let cur = current.to_owned();
            let ok = tokio::task::spawn_blocking(move || password::verify(&cur, &hash)).await.map_err(Error::internal)?;
            if !ok {
                return Err(Error::new(ErrorCode::InvalidCredentials).with_param("current_password"));
            }
        }
        self.set_password(&mut user, new).await?;
        self.audit(Some(principal), "user.password_change", &format!("user:{id}"), serde_json::json!({})).await?;
        // Every other session of the user ends; the one making the change stays.
        for session in self.store.list_sessions(id).await? {
            if session.id != principal.session_id {
                self.store.delete_session(&session.id).await?;
                self.publish(Event::new(EventKind::SessionRevoked { session_id: session.id }, Audience::User(id.clone())));
            }
        }
        Ok(())
    }

    /// Sets a new password (admin CLI reset and the service above).
    pub async fn set_password(&self, user: &mut User, new: &str) -> Result<()> {
        self.check_password_rules(new)?;
        user.password_hash = self.hash_password(new.to_owned()).await?;
        user.last_password_update = self.now();
        user.update_at = user.last_password_update;
        user.failed_attempts = 0;
        self.store.update_user(user).await
    }

    /// Deactivates or reactivates an account. Deactivation ends every session and socket at
    /// once.
    pub async fn set_active(&self, principal: Option<&Principal>, id: &UserId, active: bool) -> Result<User> {
        if let Some(p) = principal {
            // Users may deactivate themselves; only admins reactivate or touch others.
            if !(p.system_admin || (&p.user_id == id && !active)) {
                return Err(Error::forbidden());
            }
        }
        let mut user = self.store.get_user(id).await?.ok_or_else(|| Error::not_found("user"))?;
        let now = self.now();
        user.delete_at = if active { 0 } else { now };
        user.update_at = now;
        self.store.update_user(&user).await?;
        self.audit(principal, if active { "user.activate" } else { "user.deactivate" }, &format!("user:{id}"), serde_json::json!({})).await?;
        if !active {
            let sessions = self.store.delete_user_sessions(id).await?;
            for session_id in sessions {
                self.publish(Event::new(EventKind::SessionRevoked { session_id }, Audience::User(id.clone())));
            }
            self.publish(Event::new(EventKind::UserDeactivated { user_id: id.clone() }, Audience::User(id.clone())));
        }
        self.publish(Event::new(EventKind::UserUpdated { user: user.clone() }, Audience::All));
        Ok(user)
    }

    /// Sets system roles (`system_user`, optionally `system_admin`).
    pub async fn set_system_roles(&self, principal: Option<&Principal>, id: &UserId, roles: &str) -> Result<()> {
        if principal.is_some_and(|p| !p.system_admin) {
            return Err(Error::forbidden());
        }
        let mut wanted: Vec<&str> = roles.split_whitespace().collect();
        if wanted.iter().any(|r| !matches!(*r, "system_user" | "system_admin")) {
            return Err(Error::invalid_param("roles"));
        }
        if !wanted.contains(&"system_user") {
            wanted.push("system_user");
        }
        wanted.sort_unstable_by_key(|r| if *r == "system_admin" { 0 } else { 1 });
        wanted.dedup();
        let mut user = self.store.get_user(id).await?.ok_or_else(|| Error::not_found("user"))?;
        let before = std::mem::replace(&mut user.roles, wanted.join(" "));
        user.update_at = self.now();
        self.store.update_user(&user).await?;
        self.audit(principal, "user.roles", &format!("user:{id}"), serde_json::json!({"from": before, "to": user.roles})).await?;
        // Roles are read into the principal at authentication, so open sessions pick the change
        // up on their next request.
        self.publish(Event::new(EventKind::UserUpdated { user }, Audience::All));
        Ok(())
    }

    pub async fn organization(&self, id: &OrgId) -> Result<Organization> {
        self.store.get_org(id).await?.ok_or_else(|| Error::not_found("organization"))
    }
}

/// Profile fields a user (or an admin) may change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct UserPatch {
    pub username: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub nickname: Option<String>,
    pub position: Option<String>,
    pub locale: Option<String>,
    pub props: Option<serde_json::Value>,
    pub notify_props: Option<serde_json::Value>,
    pub timezone: Option<serde_json::Value>,
    /// Only system admins may move a user to another organization.
    pub organization: Option<String>,
}

pub fn default_notify_props() -> serde_json::Value {
    serde_json::json!({
        "channel": "true", "comments": "never", "desktop": "mention", "desktop_sound": "true",
        "email": "true", "first_name": "false", "mention_keys": "", "push": "mention", "push_status": "away"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_mattermost_rules() {
        assert!(validate_username("alice.b-c_d").is_ok());
        for bad in ["al", "Alice", "1alice", "alice!", "channel", &"a".repeat(23)] {
            assert!(validate_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn org_handles_are_slugs() {
        assert_eq!(org_handle(" ACME Bank, Inc. "), "acme-bank-inc.");
        assert_eq!(org_handle("example.org"), "example.org");
    }
}

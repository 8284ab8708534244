//! People, their organizations, sessions, preferences and presence.

use super::Millis;
use crate::ids::{OrgId, SessionId, UserId};

/// A member institution of the ISAC. Every person belongs to exactly one, and members see it
/// next to every name so they know who is on the other end.
#[derive(Clone, Debug, PartialEq)]
pub struct Organization {
    pub id: OrgId,
    /// Lower-case unique handle, e.g. `acme-bank`.
    pub name: String,
    pub display_name: String,
    pub create_at: Millis,
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: UserId,
    pub create_at: Millis,
    pub update_at: Millis,
    /// Non-zero once deactivated.
    pub delete_at: Millis,
    pub username: String,
    pub email: String,
    pub email_verified: bool,
    pub nickname: String,
    pub first_name: String,
    pub last_name: String,
    pub position: String,
    /// Space-separated system roles: `system_user`, optionally `system_admin`.
    pub roles: String,
    pub locale: String,
    /// Opaque client data (JSON object).
    pub props: serde_json::Value,
    pub notify_props: serde_json::Value,
    pub timezone: serde_json::Value,
    pub last_password_update: Millis,
    pub last_picture_update: Millis,
    pub failed_attempts: i64,
    pub is_bot: bool,
    pub bot_description: String,
    pub org_id: Option<OrgId>,
    /// Display name of the organization, joined in by the store for profiles and lists.
    pub org_name: String,
    /// PHC-format Argon2id hash; empty for accounts that cannot log in with a password.
    pub password_hash: String,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.delete_at == 0
    }

    pub fn is_system_admin(&self) -> bool {
        self.roles.split_whitespace().any(|r| r == "system_admin")
    }

    /// The name other members see: "First Last" when set, else the username.
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name, self.last_name);
        let full = full.trim();
        if full.is_empty() { self.username.clone() } else { full.to_owned() }
    }
}

/// A login. The bearer token itself is handed to the client once; only its SHA-256 digest is
/// stored, so a copy of the database does not let anyone log in.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: SessionId,
    pub token_hash: String,
    pub user_id: UserId,
    pub create_at: Millis,
    pub expires_at: Millis,
    pub last_activity_at: Millis,
    pub device_id: String,
    /// Double-submit token for cookie-authenticated browsers (`MMCSRF`).
    pub csrf_token: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preference {
    pub user_id: UserId,
    pub category: String,
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub user_id: UserId,
    /// `online`, `away`, `dnd` or `offline`.
    pub status: String,
    /// Set by the user rather than derived from activity.
    pub manual: bool,
    pub last_activity_at: Millis,
    pub dnd_end_time: i64,
}

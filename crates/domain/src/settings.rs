//! Behaviour settings the domain reads. The server crate fills them from its configuration;
//! tests construct them directly.

use crate::model::Tlp;

#[derive(Clone, Debug)]
pub struct Settings {
    pub site_name: String,
    /// Anyone may sign up (Mattermost's `EnableOpenServer`); otherwise only the first account,
    /// accounts created by admins, and sign-ups carrying a team invite.
    pub open_signup: bool,
    /// Non-admins may create teams.
    pub team_creation: bool,
    /// ASVS 2.1.1 asks for at least 12 characters and no composition rules.
    pub password_min_length: usize,
    pub session_length_ms: i64,
    /// Maximum message length in characters (Mattermost's `MaxPostSize`).
    pub max_post_chars: usize,
    pub max_file_size: u64,
    /// Images larger than this many pixels are stored but not decoded for thumbnails.
    pub max_image_pixels: u64,
    /// Whether members see each other's e-mail addresses (admins always do).
    pub show_email_address: bool,
    pub default_tlp: Tlp,
    /// Argon2id cost: memory in KiB and passes. Tests lower them to stay fast on 2 cores.
    pub argon2_memory_kib: u32,
    pub argon2_passes: u32,
    /// Consecutive failed logins after which an account's logins are slowed down.
    pub login_soft_limit: i64,
    /// Extra allow-list entries from the administrator (the ioc crate's line format).
    pub allowlist_extra: String,
    /// `team/channel` where indicators contributed over TAXII are posted for review.
    pub contributions_channel: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            site_name: "Conclave".into(),
            open_signup: true,
            team_creation: true,
            password_min_length: 12,
            session_length_ms: 30 * 24 * 3600 * 1000,
            max_post_chars: 16383,
            max_file_size: 50 * 1024 * 1024,
            max_image_pixels: 24_000_000,
            show_email_address: false,
            default_tlp: Tlp::Green,
            argon2_memory_kib: 19 * 1024,
            argon2_passes: 2,
            login_soft_limit: 10,
            allowlist_extra: String::new(),
            contributions_channel: String::new(),
        }
    }
}

impl Settings {
    /// Cheap password hashing for tests and benchmarks.
    pub fn for_tests() -> Self {
        Settings { argon2_memory_kib: 64, argon2_passes: 1, ..Settings::default() }
    }
}

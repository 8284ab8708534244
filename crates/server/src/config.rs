//! Configuration: defaults, then an optional TOML file, then `CONCLAVE_*` environment
//! variables, then command-line flags, each overriding the one before. Every layer goes
//! through the same key check, so a misspelt key is an error wherever it appears.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Where the SQLite database and uploaded files live.
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL; empty for the embedded SQLite database.
    pub database_url: String,
    /// The public URL users reach the server at.
    pub site_url: String,
    pub site_name: String,
    /// Anyone may sign up; otherwise only with a team invite or by an admin.
    pub open_signup: bool,
    /// Non-admins may create teams.
    pub team_creation: bool,
    pub password_min_length: usize,
    pub session_length_hours: i64,
    pub max_file_size_mb: u64,
    pub max_post_chars: usize,
    /// Members see each other's e-mail addresses.
    pub show_email_address: bool,
    /// TLP label of new teams (and so of their channels).
    pub default_tlp: String,
    /// Origins (besides the site URL) allowed to open WebSockets.
    pub allowed_origins: Vec<String>,
    pub max_connections: usize,
    /// Connections one address may hold at once.
    pub max_connections_per_ip: usize,
    /// Requests per second per address (burst twice that); 0 turns the limit off.
    pub rate_limit_per_ip: f64,
    /// Requests per second per signed-in user (burst four times that: a page load fans out); 0
    /// turns it off.
    pub rate_limit_per_user: f64,
    /// Searches per second per signed-in user (burst four times that); 0 turns it off.
    pub rate_limit_search_per_user: f64,
    /// WebSockets one user may hold open at once (tabs, devices).
    pub max_websockets_per_user: usize,
    /// Log filter, e.g. `info` or `api=debug,info`.
    pub log: String,
    /// Read connections in the database pool.
    pub db_read_connections: u32,
    /// A file of extra allow-list entries (`cidr 192.0.2.0/24 reason`, `domain example.org`,
    /// `value …`), read at start.
    pub allowlist_file: String,
    /// `team/channel` where indicators contributed over TAXII are posted for review; empty
    /// disables contributions.
    pub contributions_channel: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8065".into(),
            data_dir: PathBuf::from("./conclave-data"),
            database_url: String::new(),
            site_url: String::new(),
            site_name: "Conclave".into(),
            open_signup: true,
            team_creation: true,
            password_min_length: 12,
            session_length_hours: 720,
            max_file_size_mb: 50,
            max_post_chars: 16383,
            show_email_address: false,
            default_tlp: "GREEN".into(),
            allowed_origins: Vec::new(),
            max_connections: 50_000,
            max_connections_per_ip: 1_000,
            rate_limit_per_ip: 200.0,
            rate_limit_per_user: 50.0,
            rate_limit_search_per_user: 5.0,
            max_websockets_per_user: 32,
            log: "info".into(),
            db_read_connections: 4,
            allowlist_file: String::new(),
            contributions_channel: String::new(),
        }
    }
}

/// Values given on the command line, which win over everything else.
#[derive(Default)]
pub struct Overrides {
    pub pairs: Vec<(&'static str, toml::Value)>,
}

fn merge_key(table: &mut toml::Table, key: &str, value: toml::Value, source: &str) -> Result<(), String> {
    let Some(existing) = table.get(key) else {
        return Err(format!("unknown configuration key `{key}` in {source}"));
    };
    let value = match (existing, value) {
        // Environment variables arrive as strings; read them as the key's type.
        (toml::Value::Boolean(_), toml::Value::String(s)) => {
            toml::Value::Boolean(s.parse().map_err(|_| format!("`{key}` in {source} must be true or false"))?)
        }
        (toml::Value::Integer(_), toml::Value::String(s)) => {
            toml::Value::Integer(s.parse().map_err(|_| format!("`{key}` in {source} must be a whole number"))?)
        }
        (toml::Value::Float(_), toml::Value::String(s)) => {
            toml::Value::Float(s.parse().map_err(|_| format!("`{key}` in {source} must be a number"))?)
        }
        (toml::Value::Float(_), toml::Value::Integer(i)) => toml::Value::Float(i as f64),
        (toml::Value::Array(_), toml::Value::String(s)) => {
            toml::Value::Array(s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| toml::Value::String(s.into())).collect())
        }
        (_, v) => v,
    };
    table.insert(key.to_owned(), value);
    Ok(())
}

/// Environment variables with this prefix are configuration; a few prefixes are reserved for
/// tests and tools and are not checked.
const ENV_PREFIX: &str = "CONCLAVE_";
const ENV_RESERVED: &[&str] = &["CONCLAVE_TEST_", "CONCLAVE_BENCH_"];

impl Config {
    /// Loads the configuration from its layers.
    pub fn load(file: Option<&Path>, env: impl Iterator<Item = (String, String)>, overrides: Overrides) -> Result<Config, String> {
        let defaults = toml::Table::try_from(Config::default()).map_err(|e| e.to_string())?;
        let mut table = defaults;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let parsed: toml::Table = text.parse().map_err(|e| format!("{}: {e}", path.display()))?;
            for (k, v) in parsed {
                merge_key(&mut table, &k, v, &path.display().to_string())?;
            }
        }
        for (name, value) in env {
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else { continue };
            if ENV_RESERVED.iter().any(|r| name.starts_with(r)) {
                continue;
            }
            merge_key(&mut table, &rest.to_ascii_lowercase(), toml::Value::String(value), &format!("environment variable {name}"))?;
        }
        for (k, v) in overrides.pairs {
            merge_key(&mut table, k, v, "the command line")?;
        }
        let config: Config = table.try_into().map_err(|e: toml::de::Error| e.to_string())?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        if domain::model::Tlp::parse(&self.default_tlp).is_none() {
            return Err(format!("default_tlp `{}` is not a TLP 2.0 label (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)", self.default_tlp));
        }
        if self.max_websockets_per_user == 0 {
            return Err("max_websockets_per_user must be at least 1".into());
        }
        if self.password_min_length < 8 {
            return Err("password_min_length must be at least 8".into());
        }
        if !self.database_url.is_empty()
            && !self.database_url.starts_with("postgres://")
            && !self.database_url.starts_with("postgresql://")
            && !self.database_url.starts_with("sqlite:")
        {
            return Err("database_url must start with postgres:// (or be empty for the embedded SQLite database)".into());
        }
        Ok(())
    }

    /// The database URL to use: PostgreSQL when configured, else SQLite in the data directory.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("conclave.db").display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn effective_site_url(&self) -> String {
        if self.site_url.is_empty() { format!("http://{}", self.listen) } else { self.site_url.trim_end_matches('/').to_owned() }
    }

    pub fn settings(&self) -> domain::settings::Settings {
        domain::settings::Settings {
            site_name: self.site_name.clone(),
            open_signup: self.open_signup,
            team_creation: self.team_creation,
            password_min_length: self.password_min_length,
            session_length_ms: self.session_length_hours * 3600 * 1000,
            max_post_chars: self.max_post_chars,
            max_file_size: self.max_file_size_mb * 1024 * 1024,
            show_email_address: self.show_email_address,
            default_tlp: domain::model::Tlp::parse(&self.default_tlp).unwrap_or(domain::model::Tlp::Green),
            allowlist_extra: if self.allowlist_file.is_empty() {
                String::new()
            } else {
                std::fs::read_to_string(&self.allowlist_file).unwrap_or_default()
            },
            contributions_channel: self.contributions_channel.clone(),
            ..domain::settings::Settings::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>().into_iter()
    }

    #[test]
    fn layers_override_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nopen_signup = false\nsite_name = \"File\"\n").unwrap();
        let overrides = Overrides { pairs: vec![("site_name", toml::Value::String("Flag".into()))] };
        let c =
            Config::load(Some(&file), env(&[("CONCLAVE_LISTEN", "127.0.0.1:7000"), ("CONCLAVE_MAX_CONNECTIONS", "10"), ("PATH", "/bin")]), overrides)
                .unwrap();
        assert_eq!(c.listen, "127.0.0.1:7000");
        assert!(!c.open_signup);
        assert_eq!(c.site_name, "Flag");
        assert_eq!(c.max_connections, 10);
    }

    #[test]
    fn websocket_and_search_limits_are_configurable() {
        let c = Config::load(
            None,
            env(&[("CONCLAVE_MAX_WEBSOCKETS_PER_USER", "500"), ("CONCLAVE_RATE_LIMIT_SEARCH_PER_USER", "0")]),
            Overrides::default(),
        )
        .unwrap();
        assert_eq!(c.max_websockets_per_user, 500);
        assert_eq!(c.rate_limit_search_per_user, 0.0);
        assert!(Config::load(None, env(&[("CONCLAVE_MAX_WEBSOCKETS_PER_USER", "0")]), Overrides::default()).is_err());
    }

    #[test]
    fn unknown_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        assert!(Config::load(Some(&file), env(&[]), Overrides::default()).unwrap_err().contains("lisen"));
        assert!(Config::load(None, env(&[("CONCLAVE_NOPE", "1")]), Overrides::default()).unwrap_err().contains("CONCLAVE_NOPE"));
        assert!(Config::load(None, env(&[("CONCLAVE_TEST_PG", "x")]), Overrides::default()).is_ok());
        assert!(Config::load(None, env(&[("CONCLAVE_OPEN_SIGNUP", "maybe")]), Overrides::default()).is_err());
        assert!(Config::load(None, env(&[("CONCLAVE_DEFAULT_TLP", "WHITE")]), Overrides::default()).is_err());
        assert!(Config::load(None, env(&[("CONCLAVE_RATE_LIMIT_PER_IP", "fast")]), Overrides::default()).is_err());
    }

    // `CONCLAVE_RATE_LIMIT_PER_IP=0` was refused ("invalid type: string, expected f64"):
    // environment values were converted for booleans, integers and lists but not for floats.
    #[test]
    fn float_keys_read_from_the_environment() {
        let c =
            Config::load(None, env(&[("CONCLAVE_RATE_LIMIT_PER_IP", "0"), ("CONCLAVE_RATE_LIMIT_PER_USER", "12.5")]), Overrides::default()).unwrap();
        assert_eq!(c.rate_limit_per_ip, 0.0);
        assert_eq!(c.rate_limit_per_user, 12.5);
    }
}

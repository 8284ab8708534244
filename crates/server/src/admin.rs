//! `conclave admin`: account and team administration against the database, whether or not a
//! server is running. Changes made here are not pushed to open sockets; clients see them on
//! their next request or resync.

use crate::config::Config;
use clap::Subcommand;
use domain::events::NullBus;
use domain::model::User;
use domain::model::{IntelMode, Tlp};
use domain::services::accounts::NewAccount;
use domain::services::teams::TeamInput;
use domain::{App, Error};
use std::sync::Arc;

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage teams.
    #[command(subcommand)]
    Team(TeamCommand),
    /// A channel's TLP label and indicator capture.
    #[command(subcommand)]
    Channel(ChannelCommand),
    /// Credentials for TAXII and the blocklist feeds.
    #[command(subcommand, name = "feed-key")]
    FeedKey(FeedKeyCommand),
    /// TAXII collections (audiences).
    #[command(subcommand)]
    Collection(CollectionCommand),
    /// Print the audit log as JSON lines.
    Audit {
        /// Only entries after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: i64,
        #[arg(long, default_value_t = 1000)]
        limit: i64,
    },
}

#[derive(Subcommand, Debug)]
pub enum ChannelCommand {
    /// Set the TLP label: CLEAR, GREEN, AMBER, AMBER+STRICT or RED.
    Tlp {
        /// TEAM/CHANNEL (names, as in URLs).
        channel: String,
        label: String,
    },
    /// Set indicator capture: off, review or auto-publish.
    Intel { channel: String, mode: String },
}

#[derive(Subcommand, Debug)]
pub enum FeedKeyCommand {
    /// Issue a key; it is printed once, on the last line.
    Create {
        #[arg(long)]
        name: String,
        /// The most restrictive label the key may receive (RED is never exported).
        #[arg(long)]
        tlp_ceiling: String,
        /// Restrict the key to these collections (alias); repeatable.
        #[arg(long = "collection")]
        collections: Vec<String>,
        /// Allow posting contributions over TAXII.
        #[arg(long)]
        can_write: bool,
    },
    /// Revoke a key at once.
    Revoke { name: String },
    /// List keys (never their secrets).
    List,
}

#[derive(Subcommand, Debug)]
pub enum CollectionCommand {
    /// Create a partner collection: an audience by TLP ceiling, optionally narrowed to tags.
    Create {
        #[arg(long)]
        alias: String,
        #[arg(long, default_value = "")]
        title: String,
        #[arg(long)]
        tlp_ceiling: String,
        /// Only indicators carrying one of these tags; repeatable.
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// List collections.
    List,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// The member organization (defaults to the e-mail domain).
        #[arg(long, alias = "org")]
        organization: Option<String>,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
        /// Make the account a system administrator.
        #[arg(long)]
        system_admin: bool,
    },
    /// Set a new password.
    ResetPassword {
        /// Username or e-mail address.
        user: String,
        #[arg(long)]
        password: String,
    },
    /// Deactivate an account, ending its sessions.
    Deactivate { user: String },
    /// Reactivate an account.
    Activate { user: String },
    /// List accounts.
    List {
        /// Include deactivated accounts.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum TeamCommand {
    /// Create a team.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        display_name: String,
        /// Only invited or added users may join.
        #[arg(long)]
        private: bool,
        /// TLP label of its channels (default from the configuration).
        #[arg(long)]
        tlp: Option<String>,
    },
    /// Add a user to a team.
    AddUser {
        team: String,
        user: String,
        /// Make them a team admin.
        #[arg(long)]
        admin: bool,
        /// Make them an analyst (they review indicators).
        #[arg(long)]
        analyst: bool,
    },
}

async fn find_user(app: &App, who: &str) -> Result<User, Error> {
    if who.contains('@') { app.user_by_email(who).await } else { app.user_by_username(who).await }
}

fn describe(e: Error) -> String {
    let (_, id, message) = api::error::describe(&e);
    if e.detail.is_empty() { format!("{message} ({id})") } else { format!("{message} ({id}): {}", e.detail) }
}

pub async fn run(config: &Config, command: AdminCommand) -> Result<(), String> {
    let (app, store) = crate::run::open_app(config, Arc::new(NullBus)).await?;
    let result = execute(&app, command).await.map_err(describe);
    drop(app);
    store.db.close().await;
    result
}

async fn execute(app: &App, command: AdminCommand) -> Result<(), Error> {
    match command {
        AdminCommand::User(UserCommand::Create { username, email, password, organization, first_name, last_name, system_admin }) => {
            let input = NewAccount {
                username,
                email,
                password,
                organization,
                first_name: first_name.unwrap_or_default(),
                last_name: last_name.unwrap_or_default(),
                ..Default::default()
            };
            // No acting principal: the CLI has the server's own authority.
            let user = app.create_account(None, input, false).await?;
            if system_admin && !user.is_system_admin() {
                app.set_system_roles(None, &user.id, "system_admin system_user").await?;
            }
            let user = app.user_by_username(&user.username).await?;
            println!("created user {} ({}) in organization {:?}, roles: {}", user.username, user.id, user.org_name, user.roles);
        }
        AdminCommand::User(UserCommand::ResetPassword { user, password }) => {
            let mut user = find_user(app, &user).await?;
            app.set_password(&mut user, &password).await?;
            println!("password of {} reset", user.username);
        }
        AdminCommand::User(UserCommand::Deactivate { user }) => {
            let user = find_user(app, &user).await?;
            app.set_active(None, &user.id, false).await?;
            println!("deactivated {}", user.username);
        }
        AdminCommand::User(UserCommand::Activate { user }) => {
            let user = find_user(app, &user).await?;
            app.set_active(None, &user.id, true).await?;
            println!("activated {}", user.username);
        }
        AdminCommand::User(UserCommand::List { all }) => {
            let users = app.store.list_users(&domain::ports::UserQuery { include_inactive: all, limit: 1000, ..Default::default() }).await?;
            println!("{:<26}  {:<22}  {:<32}  {:<24}  {:<10}  roles", "id", "username", "email", "organization", "state");
            for u in users {
                println!(
                    "{:<26}  {:<22}  {:<32}  {:<24}  {:<10}  {}",
                    u.id,
                    u.username,
                    u.email,
                    u.org_name,
                    if u.is_active() { "active" } else { "deactivated" },
                    u.roles
                );
            }
        }
        AdminCommand::Team(TeamCommand::Create { name, display_name, private, tlp }) => {
            let default_tlp = match tlp {
                Some(t) => Some(domain::model::Tlp::parse(&t).ok_or_else(|| Error::invalid_param("tlp"))?),
                None => None,
            };
            let input = TeamInput {
                name,
                display_name,
                description: String::new(),
                team_type: if private { "I".into() } else { "O".into() },
                allow_open_invite: !private,
                email: String::new(),
                default_tlp,
            };
            let team = app.create_team(None, input).await?;
            println!("created team {} ({}), default TLP {}", team.name, team.id, team.default_tlp.as_str());
        }
        AdminCommand::Team(TeamCommand::AddUser { team, user, admin, analyst }) => {
            let team = app.team_by_name_for_admin(&team).await?;
            let user = find_user(app, &user).await?;
            app.add_team_member(None, &team.id, &user.id).await?;
            let mut roles = vec!["team_user"];
            if admin {
                roles.push("team_admin");
            }
            if analyst {
                roles.push("team_analyst");
            }
            if roles.len() > 1 {
                app.set_team_roles(None, &team.id, &user.id, &roles.join(" ")).await?;
            }
            println!("added {} to {} as {}", user.username, team.name, roles.join(" "));
        }
        AdminCommand::Channel(cmd) => {
            let (target, tlp, mode) = match &cmd {
                ChannelCommand::Tlp { channel, label } => (channel, Some(Tlp::parse(label).ok_or_else(|| Error::invalid_param("label"))?), None),
                ChannelCommand::Intel { channel, mode } => (channel, None, Some(IntelMode::parse(mode).ok_or_else(|| Error::invalid_param("mode"))?)),
            };
            let (team, channel) = target.split_once('/').ok_or_else(|| Error::invalid_param("channel"))?;
            let c = app.admin_set_channel_intel(team, channel, tlp, mode).await?;
            println!("{team}/{}: TLP:{}, intel {}", c.name, c.tlp.as_str(), c.intel_mode.as_str());
        }
        AdminCommand::FeedKey(FeedKeyCommand::Create { name, tlp_ceiling, collections, can_write }) => {
            let ceiling = Tlp::parse(&tlp_ceiling).ok_or_else(|| Error::invalid_param("tlp_ceiling"))?;
            let (key, secret) = app.create_feed_key(None, &name, ceiling, collections, can_write).await?;
            println!(
                "created feed key {} (ceiling TLP:{}{})",
                key.name,
                key.tlp_ceiling.as_str(),
                if key.collections.is_empty() { String::new() } else { format!(", collections {}", key.collections.join(",")) }
            );
            println!("{secret}");
        }
        AdminCommand::FeedKey(FeedKeyCommand::Revoke { name }) => {
            app.revoke_feed_key(None, &name).await?;
            println!("revoked feed key {name}");
        }
        AdminCommand::FeedKey(FeedKeyCommand::List) => {
            for k in app.feed_keys(None).await? {
                println!(
                    "{:<24} TLP:{:<13} {:<10} collections={}",
                    k.name,
                    k.tlp_ceiling.as_str(),
                    if k.revoked_at != 0 { "revoked" } else { "active" },
                    k.collections.join(",")
                );
            }
        }
        AdminCommand::Collection(CollectionCommand::Create { alias, title, tlp_ceiling, tags }) => {
            let ceiling = Tlp::parse(&tlp_ceiling).ok_or_else(|| Error::invalid_param("tlp_ceiling"))?;
            app.ensure_default_collections().await?;
            let c = app.create_collection(None, &alias, &title, ceiling, tags).await?;
            println!("created collection {} ({}), ceiling TLP:{}", c.alias, c.id, c.tlp_ceiling.as_str());
        }
        AdminCommand::Audit { after, limit } => {
            for e in app.audit_log(None, after, limit.clamp(1, 1_000_000)).await? {
                let line = serde_json::json!({"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "target": e.target, "detail": e.detail, "ip": e.ip});
                println!("{line}");
            }
        }
        AdminCommand::Collection(CollectionCommand::List) => {
            app.ensure_default_collections().await?;
            for c in app.collections_for_admin(None).await? {
                println!("{:<20} {}  TLP:{:<13} tags={}", c.alias, c.id, c.tlp_ceiling.as_str(), c.tags.join(","));
            }
        }
    }
    Ok(())
}

//! `conclave admin`: account and team administration against the database, whether or not a
//! server is running. Changes made here are not pushed to open sockets; clients see them on
//! their next request or resync.

use crate::config::Config;
use clap::Subcommand;
use domain::events::NullBus;
use domain::model::User;
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
        AdminCommand::Team(TeamCommand::AddUser { team, user, admin }) => {
            let team = app.team_by_name_for_admin(&team).await?;
            let user = find_user(app, &user).await?;
            app.add_team_member(None, &team.id, &user.id).await?;
            if admin {
                app.set_team_roles(None, &team.id, &user.id, "team_user team_admin").await?;
            }
            println!("added {} to {}{}", user.username, team.name, if admin { " as team admin" } else { "" });
        }
    }
    Ok(())
}

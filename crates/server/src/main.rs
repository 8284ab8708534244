//! `conclave`: the Conclave server and its command-line tools.

mod admin;
mod config;
mod ioc_cmd;
mod run;
mod web;

use clap::{Args, Parser, Subcommand};
use config::{Config, Overrides};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "conclave", version, about = "Secure, Mattermost-compatible team chat for information-sharing communities")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options shared by every command that opens the data.
#[derive(Args, Debug, Clone)]
struct Common {
    /// A TOML configuration file.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Where the SQLite database and uploaded files live.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// `postgres://…` to use PostgreSQL instead of the embedded database.
    #[arg(long, global = true)]
    database_url: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the server.
    Serve {
        #[command(flatten)]
        common: Common,
        /// Address to listen on (default 127.0.0.1:8065).
        #[arg(long)]
        listen: Option<String>,
        /// The public URL users reach the server at.
        #[arg(long)]
        site_url: Option<String>,
    },
    /// Work with indicators of compromise (no server needed).
    #[command(subcommand)]
    Ioc(ioc_cmd::IocCommand),
    /// Administer accounts, teams, channels and feeds.
    Admin {
        #[command(flatten)]
        common: Common,
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
}

fn load(common: &Common, extra: Vec<(&'static str, toml::Value)>) -> Result<Config, String> {
    let mut pairs = extra;
    if let Some(d) = &common.data_dir {
        pairs.push(("data_dir", toml::Value::String(d.display().to_string())));
    }
    if let Some(u) = &common.database_url {
        pairs.push(("database_url", toml::Value::String(u.clone())));
    }
    Config::load(common.config.as_deref(), std::env::vars(), Overrides { pairs })
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("conclave: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { common, listen, site_url } => {
                let mut extra = Vec::new();
                if let Some(l) = listen {
                    extra.push(("listen", toml::Value::String(l)));
                }
                if let Some(s) = site_url {
                    extra.push(("site_url", toml::Value::String(s)));
                }
                let config = load(&common, extra)?;
                init_logging(&config.log);
                let listener = tokio::net::TcpListener::bind(&config.listen).await.map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
                run::run(config, listener, run::shutdown_signal()).await
            }
            Command::Ioc(command) => ioc_cmd::run(command),
            Command::Admin { common, command } => {
                let config = load(&common, Vec::new())?;
                init_logging("warn");
                admin::run(&config, command).await
            }
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conclave: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

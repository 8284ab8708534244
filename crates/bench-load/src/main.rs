//! `conclave-bench`: a loopback-only load generator for Conclave. Every scenario starts its
//! own `conclave serve` (the binary given with `--conclave`) on a fresh copy of a cached
//! dataset, drives it over the Mattermost v4 API and WebSocket, reads the server's memory and
//! CPU from `/proc`, prints its figures and writes `reports/bench/<scenario>.json`. Counts and
//! durations are bounded by the command line; nothing leaves 127.0.0.0/8.
//!
//! `synapse-ingest`, `synapse-delivery` and `compare` drive a Matrix Synapse started by
//! `bench/run`, for the peer ratios.

mod api;
mod bulk;
mod compare;
mod dataset;
mod matrix;
mod scenarios;
mod server;
mod stats;
mod table;
mod words;
mod ws;

use clap::{Args, Parser, Subcommand};
use scenarios::{Ctx, capture, coldstart, delivery, idle, ingest, mix, search};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(name = "conclave-bench", about = "Loopback load generator and benchmark scenarios for Conclave")]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Common {
    /// The conclave binary to benchmark.
    #[arg(long, global = true, default_value = "target/release/conclave")]
    conclave: PathBuf,
    /// Work directory for cached datasets and run copies.
    #[arg(long, global = true, default_value = "bench/.work")]
    work: PathBuf,
    /// Where JSON reports go (`smoke` defaults to `<work>/smoke-reports`).
    #[arg(long, global = true)]
    reports: Option<PathBuf>,
    /// Users in the one-channel dataset (ingest, delivery, idle).
    #[arg(long, global = true, default_value_t = 1000)]
    small_users: usize,
    /// Posts in the big dataset (search, mix, cold start with data).
    #[arg(long, global = true, default_value_t = 1_000_000)]
    big_posts: usize,
    /// Users in the big dataset (the most the mix can simulate).
    #[arg(long, global = true, default_value_t = 12_000)]
    big_users: usize,
    /// Channels in the big dataset.
    #[arg(long, global = true, default_value_t = 1000)]
    big_channels: usize,
}

#[derive(Subcommand)]
enum Command {
    /// Build (or reuse) both datasets and print where they are.
    Seed,
    /// Keep-alive clients post as fast as they can.
    Ingest {
        #[arg(long, default_value_t = 8)]
        clients: usize,
        #[arg(long, default_value_t = 10.0)]
        secs: f64,
    },
    /// What indicator capture costs posting: intel mode off, review and auto-publish, alternating.
    Capture {
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// Seconds per mode per round.
        #[arg(long, default_value_t = 5.0)]
        secs: f64,
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Post→WebSocket latency with many clients in one channel.
    Delivery {
        #[arg(long, default_value_t = 100)]
        clients: usize,
        /// Posts per second.
        #[arg(long, default_value_t = 5.0)]
        rate: f64,
        #[arg(long, default_value_t = 20.0)]
        secs: f64,
    },
    /// Server memory per idle authenticated WebSocket.
    Idle {
        #[arg(long, default_value_t = 10_000)]
        sockets: usize,
        /// Loopback source addresses to spread sockets over (127.0.0.1 …).
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(1..=250))]
        sources: u8,
    },
    /// Time to first ping and idle memory, empty and with the big dataset.
    Coldstart {
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Search latency over the big dataset.
    Search {
        #[arg(long, default_value_t = 500)]
        queries: usize,
    },
    /// The realistic mix, ramping simulated users up.
    Mix(MixArgs),
    /// Every scenario, then the summary table.
    All(AllArgs),
    /// Every scenario at tiny sizes, targets unchecked (for CI).
    Smoke,
    /// Print the summary table from the reports already written.
    Table,
    /// Ingest and delivery against Conclave and Synapse, alternating.
    Compare {
        #[command(flatten)]
        synapse: SynapseArgs,
        #[arg(long, default_value_t = 3)]
        runs: usize,
        #[arg(long, default_value_t = 10.0)]
        ingest_secs: f64,
        #[arg(long, default_value_t = 20.0)]
        delivery_secs: f64,
    },
    /// Synapse alone: 8 clients sending as fast as acknowledged.
    SynapseIngest {
        #[command(flatten)]
        synapse: SynapseArgs,
        #[arg(long, default_value_t = 10.0)]
        secs: f64,
    },
    /// Synapse alone: 100 `/sync` receivers in one room, 5 messages/s.
    SynapseDelivery {
        #[command(flatten)]
        synapse: SynapseArgs,
        #[arg(long, default_value_t = 100)]
        clients: usize,
        #[arg(long, default_value_t = 5.0)]
        rate: f64,
        #[arg(long, default_value_t = 20.0)]
        secs: f64,
    },
}

#[derive(Args, Clone)]
struct MixArgs {
    /// Ascending user counts to step through.
    #[arg(long, value_delimiter = ',', default_value = "1000,2500,5000,7500,10000,12000")]
    steps: Vec<usize>,
    /// Seconds measured at each step.
    #[arg(long, default_value_t = 30.0)]
    step_secs: f64,
    /// Mean pause between one user's actions, in milliseconds.
    #[arg(long, default_value_t = 5000.0)]
    think_ms: f64,
}

#[derive(Args, Clone)]
struct AllArgs {
    /// Seconds of ingest.
    #[arg(long, default_value_t = 10.0)]
    ingest_secs: f64,
    /// Seconds of posting in each delivery run.
    #[arg(long, default_value_t = 20.0)]
    delivery_secs: f64,
    #[arg(long, default_value_t = 10_000)]
    idle_sockets: usize,
    #[arg(long, default_value_t = 500)]
    search_queries: usize,
    #[command(flatten)]
    mix: MixArgs,
}

#[derive(Args, Clone)]
struct SynapseArgs {
    /// Synapse's client URL, e.g. http://127.0.0.1:8008.
    #[arg(long)]
    synapse_url: String,
    /// Synapse's `registration_shared_secret`.
    #[arg(long, env = "SYNAPSE_SHARED_SECRET")]
    synapse_secret: String,
}

fn loopback_only(url: &str) -> Result<(), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url}: only plain http:// loopback URLs are allowed"))?;
    let host = rest.split(['/', ':']).next().unwrap_or("");
    if host == "localhost" || host.starts_with("127.") { Ok(()) } else { Err(format!("{url}: the bench only talks to loopback addresses")) }
}

async fn run_all(ctx: &Ctx, a: &AllArgs) -> Result<(), String> {
    ingest::run(ctx, &ingest::Opts { clients: 8, secs: a.ingest_secs }).await?;
    capture::run(ctx, &capture::Opts { clients: 8, secs: 5.0, rounds: 3 }).await?;
    delivery::run(ctx, &delivery::Opts { clients: 100, rate: 5.0, secs: a.delivery_secs, name: "delivery-100".into() }).await?;
    delivery::run(ctx, &delivery::Opts { clients: 1000, rate: 50.0, secs: a.delivery_secs, name: "delivery-1000".into() }).await?;
    idle::run(ctx, &idle::Opts { sockets: a.idle_sockets, sources: 4 }).await?;
    coldstart::run(ctx, &coldstart::Opts { runs: 3 }).await?;
    search::run(ctx, &search::Opts { queries: a.search_queries }).await?;
    mix::run(ctx, &mix_opts(&a.mix)).await?;
    println!();
    table::print(&ctx.reports)?;
    Ok(())
}

async fn run_smoke(ctx: &Ctx) -> Result<(), String> {
    ingest::run(ctx, &ingest::Opts { clients: 8, secs: 1.5 }).await?;
    capture::run(ctx, &capture::Opts { clients: 4, secs: 0.5, rounds: 1 }).await?;
    delivery::run(ctx, &delivery::Opts { clients: 10, rate: 20.0, secs: 1.5, name: "delivery-100".into() }).await?;
    delivery::run(ctx, &delivery::Opts { clients: 30, rate: 40.0, secs: 1.0, name: "delivery-1000".into() }).await?;
    idle::run(ctx, &idle::Opts { sockets: 200, sources: 2 }).await?;
    coldstart::run(ctx, &coldstart::Opts { runs: 1 }).await?;
    search::run(ctx, &search::Opts { queries: 30 }).await?;
    mix::run(ctx, &mix::Opts { steps: vec![10, 30], step_secs: 2.0, think_ms: 500.0 }).await?;
    println!();
    println!("(smoke sizes: the targets below are for the full run and are not checked here)");
    table::print(&ctx.reports)?;
    Ok(())
}

fn mix_opts(m: &MixArgs) -> mix::Opts {
    mix::Opts { steps: m.steps.clone(), step_secs: m.step_secs, think_ms: m.think_ms }
}

async fn run(cli: Cli) -> Result<(), String> {
    let c = cli.common;
    let smoke = matches!(cli.command, Command::Smoke);
    let (small_users, big) = if smoke {
        (40, dataset::Spec::big(60, 10, 5000))
    } else {
        if c.big_users == 0 || c.big_channels == 0 || c.small_users == 0 {
            return Err("--small-users, --big-users and --big-channels must be at least 1".into());
        }
        (c.small_users, dataset::Spec::big(c.big_users, c.big_channels, c.big_posts))
    };
    let reports = c.reports.clone().unwrap_or_else(|| if smoke { c.work.join("smoke-reports") } else { PathBuf::from("reports/bench") });
    let ctx = Ctx { conclave: c.conclave.clone(), work: c.work.clone(), reports, big, small_users };
    match cli.command {
        Command::Seed => {
            let s = ctx.small().await?;
            let b = ctx.big().await?;
            println!("small dataset: {}\nbig dataset:   {}", s.data_dir.display(), b.data_dir.display());
        }
        Command::Ingest { clients, secs } => {
            ingest::run(&ctx, &ingest::Opts { clients, secs }).await?;
        }
        Command::Capture { clients, secs, rounds } => {
            capture::run(&ctx, &capture::Opts { clients, secs, rounds }).await?;
        }
        Command::Delivery { clients, rate, secs } => {
            delivery::run(&ctx, &delivery::Opts { clients, rate, secs, name: format!("delivery-{clients}") }).await?;
        }
        Command::Idle { sockets, sources } => {
            idle::run(&ctx, &idle::Opts { sockets, sources }).await?;
        }
        Command::Coldstart { runs } => {
            coldstart::run(&ctx, &coldstart::Opts { runs }).await?;
        }
        Command::Search { queries } => {
            search::run(&ctx, &search::Opts { queries }).await?;
        }
        Command::Mix(m) => {
            mix::run(&ctx, &mix_opts(&m)).await?;
        }
        Command::All(a) => run_all(&ctx, &a).await?,
        Command::Smoke => run_smoke(&ctx).await?,
        Command::Table => {
            table::print(&ctx.reports)?;
        }
        Command::Compare { synapse, runs, ingest_secs, delivery_secs } => {
            loopback_only(&synapse.synapse_url)?;
            let o = compare::Opts {
                synapse_url: synapse.synapse_url,
                synapse_secret: synapse.synapse_secret,
                runs,
                ingest_secs,
                delivery_secs,
                delivery_clients: 100,
                delivery_rate: 5.0,
            };
            compare::run(&ctx, &o).await?;
        }
        Command::SynapseIngest { synapse, secs } => {
            loopback_only(&synapse.synapse_url)?;
            let users =
                matrix::register_many(&synapse.synapse_url, &synapse.synapse_secret, &format!("ing{}", &domain::ids::new_id()[..6]), 8).await?;
            let r = matrix::ingest(&users, secs).await?;
            stats::write_report(&ctx.reports, "synapse-ingest", &r)?;
        }
        Command::SynapseDelivery { synapse, clients, rate, secs } => {
            loopback_only(&synapse.synapse_url)?;
            if clients == 0 || rate <= 0.0 {
                return Err("--clients must be at least 1 and --rate above 0".into());
            }
            let users =
                matrix::register_many(&synapse.synapse_url, &synapse.synapse_secret, &format!("dlv{}", &domain::ids::new_id()[..6]), clients).await?;
            let r = matrix::delivery(&users, rate, secs).await?;
            stats::write_report(&ctx.reports, "synapse-delivery", &r)?;
        }
    }
    Ok(())
}

fn main() {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("cannot start the tokio runtime");
    let started = Instant::now();
    match runtime.block_on(run(cli)) {
        Ok(()) => eprintln!("done in {:.1} s", started.elapsed().as_secs_f64()),
        Err(e) => {
            eprintln!("conclave-bench: {e}");
            std::process::exit(1);
        }
    }
}

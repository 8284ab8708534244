//! `ingest`: keep-alive clients post as fast as they can for a while; posts per second,
//! latency and errors.

use super::Ctx;
use crate::server::Server;
use crate::stats::write_report;
use serde_json::{Value, json};

pub struct Opts {
    pub clients: usize,
    pub secs: f64,
}

pub async fn run(ctx: &Ctx, o: &Opts) -> Result<Value, String> {
    let ds = ctx.small().await?;
    if o.clients == 0 || o.clients > ds.users.len() {
        return Err(format!("--clients must be between 1 and {}", ds.users.len()));
    }
    let data = ctx.run_copy(&ds, "ingest")?;
    let server = Server::start(&ctx.conclave, &data).await?;
    let channel = ds.channels[0].clone();
    let tokens: Vec<String> = ds.users.iter().take(o.clients).map(|u| u.token.clone()).collect();
    let cpu0 = server.cpu();
    let f = super::flood(&server.url, &tokens, &channel, o.secs, 0, |i, n| format!("ingest {i} {n} load message")).await?;
    let (lat, ok, errors, elapsed) = (f.latency, f.posts, f.errors, f.secs);
    let cpu = (server.cpu() - cpu0).as_secs_f64();
    let rss = server.rss();
    server.stop().await;
    let s = lat.summary();
    let rate = ok as f64 / elapsed;
    println!(
        "ingest: {} clients, {:.1} s: {ok} posts, {rate:.0} posts/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, errors {errors}, server CPU {:.0}%",
        o.clients,
        elapsed,
        s.p50_ms,
        s.p99_ms,
        s.max_ms,
        100.0 * cpu / elapsed
    );
    let report = json!({
        "scenario": "ingest",
        "clients": o.clients,
        "duration_s": elapsed,
        "posts": ok,
        "posts_per_s": rate,
        "errors": errors,
        "latency": s,
        "server_cpu_s": cpu,
        "server_rss_bytes": rss,
    });
    write_report(&ctx.reports, "ingest", &report)?;
    Ok(report)
}

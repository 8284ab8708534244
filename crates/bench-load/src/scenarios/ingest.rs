//! `ingest`: keep-alive clients post as fast as they can for a while; posts per second,
//! latency and errors.

use super::Ctx;
use crate::api::{Api, http_client};
use crate::server::Server;
use crate::stats::{Latency, write_report};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

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
    let cpu0 = server.cpu();
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs_f64(o.secs);
    let tasks: Vec<_> = (0..o.clients)
        .map(|i| {
            // One client (one keep-alive connection) per poster.
            let api = Api::new(http_client(None), &server.url, &ds.users[i].token);
            let channel = channel.clone();
            tokio::spawn(async move {
                let mut lat = Latency::default();
                let (mut ok, mut errors) = (0u64, 0u64);
                let mut n = 0u64;
                while Instant::now() < deadline {
                    n += 1;
                    let started = Instant::now();
                    let r = api.create_post(&channel, &format!("ingest {i} {n} load message"), &domain::ids::new_id()).await;
                    match r {
                        Ok(r) if r.status == 201 => {
                            lat.record(started.elapsed());
                            ok += 1;
                        }
                        _ => errors += 1,
                    }
                }
                (lat, ok, errors)
            })
        })
        .collect();
    let mut lat = Latency::default();
    let (mut ok, mut errors) = (0u64, 0u64);
    for t in tasks {
        let (l, o_, e) = t.await.map_err(|e| e.to_string())?;
        lat.merge(&l);
        ok += o_;
        errors += e;
    }
    let elapsed = t0.elapsed().as_secs_f64();
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

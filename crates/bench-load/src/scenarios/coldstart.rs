//! `coldstart`: time from spawning `conclave serve` to the first `200` from
//! `/api/v4/system/ping`, and idle memory; on an empty data directory and on the big dataset.

use super::{Ctx, mib};
use crate::server::Server;
use crate::stats::{median, write_report};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

pub struct Opts {
    pub runs: usize,
}

/// Median start time (ms) and idle RSS (bytes) over `runs` starts on `data`; `fresh` empties
/// the directory before every start.
async fn starts(ctx: &Ctx, data: &Path, runs: usize, fresh: bool) -> Result<(Vec<f64>, Vec<u64>), String> {
    let (mut times, mut rss) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        if fresh && data.exists() {
            std::fs::remove_dir_all(data).map_err(|e| format!("cannot clear {}: {e}", data.display()))?;
        }
        let server = Server::start(&ctx.conclave, data).await?;
        times.push(server.startup.as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss.push(server.rss());
        server.stop().await;
    }
    Ok((times, rss))
}

pub async fn run(ctx: &Ctx, o: &Opts) -> Result<Value, String> {
    let runs = o.runs.max(1);
    let empty_dir = ctx.work.join("runs").join("coldstart-empty").join("data");
    let (empty_ms, empty_rss) = starts(ctx, &empty_dir, runs, true).await?;
    let ds = ctx.big().await?;
    let data = ctx.run_copy(&ds, "coldstart-big")?;
    let (big_ms, big_rss) = starts(ctx, &data, runs, false).await?;
    let med_u = |v: &[u64]| median(&v.iter().map(|&x| x as f64).collect::<Vec<_>>()) as u64;
    let report = json!({
        "scenario": "coldstart",
        "runs": runs,
        "empty_start_ms": median(&empty_ms),
        "empty_start_ms_all": empty_ms,
        "empty_idle_rss_bytes": med_u(&empty_rss),
        "big_posts": ds.spec.posts,
        "big_start_ms": median(&big_ms),
        "big_start_ms_all": big_ms,
        "big_idle_rss_bytes": med_u(&big_rss),
    });
    println!(
        "coldstart: empty {:.0} ms, idle RSS {:.1} MiB; {} posts {:.0} ms, idle RSS {:.1} MiB (medians of {runs})",
        median(&empty_ms),
        mib(med_u(&empty_rss)),
        ds.spec.posts,
        median(&big_ms),
        mib(med_u(&big_rss))
    );
    write_report(&ctx.reports, "coldstart", &report)?;
    Ok(report)
}

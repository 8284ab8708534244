//! `idle`: open many authenticated WebSockets that then stay quiet, and measure what they
//! cost the server in resident memory.

use super::{Ctx, bounded, mib};
use crate::server::Server;
use crate::stats::write_report;
use crate::ws;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub struct Opts {
    pub sockets: usize,
    /// Loopback source addresses to spread the sockets over (127.0.0.1 …).
    pub sources: u8,
}

pub async fn run(ctx: &Ctx, o: &Opts) -> Result<Value, String> {
    let ds = ctx.small().await?;
    if o.sockets == 0 {
        return Err("--sockets must be at least 1".into());
    }
    check_fd_limit(o.sockets)?;
    let data = ctx.run_copy(&ds, "idle")?;
    let server = Server::start(&ctx.conclave, &data).await?;
    let result = measure(ctx, o, &ds, &server).await;
    server.stop().await;
    result
}

/// Each socket needs a descriptor here and one in the server (which inherits our limit).
fn check_fd_limit(sockets: usize) -> Result<(), String> {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft =
        limits.lines().find(|l| l.starts_with("Max open files")).and_then(|l| l.split_whitespace().nth(3)).and_then(|v| v.parse::<usize>().ok());
    match soft {
        Some(n) if n < sockets + 256 => {
            Err(format!("the open-file limit is {n}; {sockets} sockets need {}: raise it with `ulimit -n`", sockets + 256))
        }
        _ => Ok(()),
    }
}

async fn measure(ctx: &Ctx, o: &Opts, ds: &crate::dataset::Dataset, server: &Server) -> Result<Value, String> {
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server.rss();
    let sources = ws::sources(o.sources);
    let started = Instant::now();
    let opened: Vec<Result<ws::Socket, String>> = bounded((0..o.sockets).collect(), 128, |i| {
        let token = ds.users[i % ds.users.len()].token.clone();
        let source = sources[i % sources.len()];
        let port = server.port;
        async move { ws::connect(port, &token, Some(source)).await }
    })
    .await;
    let open_secs = started.elapsed().as_secs_f64();
    let mut sockets = Vec::with_capacity(opened.len());
    let mut failures = 0u64;
    let mut first_error = String::new();
    for s in opened {
        match s {
            Ok(s) => sockets.push(s),
            Err(e) => {
                if first_error.is_empty() {
                    first_error = e;
                }
                failures += 1;
            }
        }
    }
    // Let the server settle (status updates for the users coming online, allocator).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = server.rss();
    let held = sockets.len();
    let per_socket = if held > 0 { after.saturating_sub(before) / held as u64 } else { 0 };
    println!(
        "idle: {held} sockets open ({failures} failed{}) in {open_secs:.1} s; server RSS {:.1} MiB → {:.1} MiB, {} bytes ({:.1} KiB) per socket",
        if first_error.is_empty() { String::new() } else { format!(", first: {first_error}") },
        mib(before),
        mib(after),
        per_socket,
        per_socket as f64 / 1024.0
    );
    drop(sockets);
    let report = json!({
        "scenario": "idle",
        "sockets": held,
        "failed": failures,
        "first_error": first_error,
        "open_s": open_secs,
        "rss_before_bytes": before,
        "rss_after_bytes": after,
        "bytes_per_socket": per_socket,
        "users": ds.users.len().min(o.sockets),
        "source_addresses": o.sources,
    });
    write_report(&ctx.reports, "idle", &report)?;
    Ok(report)
}

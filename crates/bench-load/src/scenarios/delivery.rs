//! `delivery`: many clients with sockets in one channel while one user posts at a steady
//! rate; post→WebSocket-frame latency across all receivers, lost and out-of-order events.

use super::{Ctx, bounded, marker, parse_marker, since_stamp};
use crate::api::{Api, http_client};
use crate::server::Server;
use crate::stats::{Latency, write_report};
use crate::ws;
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

pub struct Opts {
    pub clients: usize,
    pub rate: f64,
    pub secs: f64,
    /// Report name, e.g. `delivery-100`.
    pub name: String,
}

/// What one receiver saw.
struct Seen {
    latency: Latency,
    received: u64,
    duplicates: u64,
    /// Frames whose connection sequence number did not follow the previous one's.
    seq_breaks: u64,
    /// Post sequence numbers in arrival order.
    order: Vec<u64>,
}

/// The connection sequence number at the end of an event frame (`…,"seq":N}`).
fn frame_seq(text: &str) -> Option<u64> {
    let at = text.rfind("\"seq\":")? + 6;
    text[at..].trim_end_matches('}').trim().parse().ok()
}

/// Positions at which `order` differs from `reference` (both without duplicates).
fn disagreements(order: &[u64], reference: &[u64]) -> u64 {
    order.iter().zip(reference).filter(|(a, b)| a != b).count() as u64
}

pub async fn run(ctx: &Ctx, o: &Opts) -> Result<Value, String> {
    let ds = ctx.small().await?;
    if o.clients == 0 || o.rate <= 0.0 || o.secs <= 0.0 {
        return Err("delivery needs --clients ≥ 1, --rate > 0 and --secs > 0".into());
    }
    let data = ctx.run_copy(&ds, &o.name)?;
    let server = Server::start(&ctx.conclave, &data).await?;
    let result = measure(ctx, o, &ds, &server).await;
    server.stop().await;
    result
}

async fn measure(ctx: &Ctx, o: &Opts, ds: &crate::dataset::Dataset, server: &Server) -> Result<Value, String> {
    let t0 = Instant::now();
    let sources = ws::sources(4);
    let opened = Instant::now();
    let sockets: Vec<Result<ws::Socket, String>> = bounded((0..o.clients).collect(), 64, |i| {
        let token = ds.users[i % ds.users.len()].token.clone();
        let source = sources[i % sources.len()];
        let port = server.port;
        async move { ws::connect(port, &token, Some(source)).await }
    })
    .await;
    let mut open = Vec::with_capacity(sockets.len());
    for s in sockets {
        open.push(s?);
    }
    let open_secs = opened.elapsed().as_secs_f64();
    let done = Arc::new(tokio::sync::Notify::new());
    let receivers: Vec<_> = open
        .into_iter()
        .map(|mut sock| {
            let done = done.clone();
            tokio::spawn(async move {
                let mut seen = Seen { latency: Latency::default(), received: 0, duplicates: 0, seq_breaks: 0, order: Vec::new() };
                let mut last_frame = 0u64;
                let mut got = std::collections::HashSet::new();
                let stop = done.notified();
                tokio::pin!(stop);
                loop {
                    tokio::select! {
                        _ = &mut stop => break,
                        m = sock.next() => match m {
                            Some(Ok(Message::Text(t))) => {
                                let t = t.as_str();
                                if let Some(fs) = frame_seq(t) && fs > 0 {
                                    if last_frame != 0 && fs != last_frame + 1 { seen.seq_breaks += 1; }
                                    last_frame = fs;
                                }
                                if !t.contains("\"event\":\"posted\"") { continue; }
                                if let Some((seq, nanos)) = parse_marker(t) {
                                    seen.latency.record(since_stamp(t0, nanos));
                                    if !got.insert(seq) { seen.duplicates += 1; continue; }
                                    seen.received += 1;
                                    seen.order.push(seq);
                                }
                            }
                            Some(Ok(_)) => {}
                            _ => break,
                        }
                    }
                }
                let _ = sock.close(None).await;
                seen
            })
        })
        .collect();
    // The poster: the first user, on its own keep-alive connection; each post in its own task
    // so that a slow answer never holds back the schedule.
    let poster = Api::new(http_client(None), &server.url, &ds.users[0].token);
    let channel = ds.channels[0].clone();
    let interval = Duration::from_secs_f64(1.0 / o.rate);
    let total = (o.secs * o.rate).round().max(1.0) as u64;
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut posts = Vec::with_capacity(total as usize);
    let cpu0 = server.cpu();
    let started = Instant::now();
    for seq in 1..=total {
        tick.tick().await;
        let poster = poster.clone();
        let channel = channel.clone();
        posts.push(tokio::spawn(async move {
            let sent = Instant::now();
            let r = poster.create_post(&channel, &marker(seq, t0), &domain::ids::new_id()).await;
            (matches!(r, Ok(ref r) if r.status == 201), sent.elapsed())
        }));
    }
    let mut post_latency = Latency::default();
    let mut post_errors = 0u64;
    for p in posts {
        let (ok, d) = p.await.map_err(|e| e.to_string())?;
        if ok { post_latency.record(d) } else { post_errors += 1 }
    }
    let send_secs = started.elapsed().as_secs_f64();
    // Let the last frames arrive.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let cpu = (server.cpu() - cpu0).as_secs_f64();
    let rss = server.rss();
    done.notify_waiters();
    let mut latency = Latency::default();
    let (mut received, mut duplicates, mut lost, mut seq_breaks) = (0u64, 0u64, 0u64, 0u64);
    let delivered_posts = total - post_errors;
    let mut seen_all = Vec::with_capacity(receivers.len());
    for r in receivers {
        seen_all.push(r.await.map_err(|e| e.to_string())?);
    }
    // The order every receiver should share: that of a receiver that got every post.
    let reference: Vec<u64> = seen_all.iter().find(|s| s.received == delivered_posts).map(|s| s.order.clone()).unwrap_or_default();
    let mut out_of_order = 0u64;
    for seen in &seen_all {
        latency.merge(&seen.latency);
        received += seen.received;
        duplicates += seen.duplicates;
        seq_breaks += seen.seq_breaks;
        lost += delivered_posts.saturating_sub(seen.received);
        if seen.received == delivered_posts {
            out_of_order += disagreements(&seen.order, &reference);
        }
    }
    out_of_order += seq_breaks;
    // Informational: concurrent requests may commit in another order than they were sent.
    let commit_vs_send = reference.windows(2).filter(|w| w[1] < w[0]).count();
    let s = latency.summary();
    println!(
        "{}: {} clients, {} posts at {}/s over {:.1} s: {} frames, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; lost {lost}, out of order {out_of_order} (connection sequence breaks {seq_breaks}), duplicates {duplicates}, post errors {post_errors}; sockets opened in {:.1} s; {commit_vs_send} posts committed out of send order",
        o.name, o.clients, total, o.rate, send_secs, received, s.p50_ms, s.p99_ms, s.max_ms, open_secs
    );
    let report = json!({
        "scenario": o.name,
        "clients": o.clients,
        "rate_per_s": o.rate,
        "posts": total,
        "post_errors": post_errors,
        "duration_s": send_secs,
        "frames_received": received,
        "lost": lost,
        "out_of_order": out_of_order,
        "out_of_order_definition": "frames breaking the connection's sequence numbers, plus posts a receiver got in another order than the others",
        "connection_seq_breaks": seq_breaks,
        "committed_out_of_send_order": commit_vs_send,
        "duplicates": duplicates,
        "latency": s,
        "post_latency": post_latency.summary(),
        "sockets_open_s": open_secs,
        "server_cpu_s": cpu,
        "server_rss_bytes": rss,
    });
    write_report(&ctx.reports, &o.name, &report)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_connection_sequence_number() {
        assert_eq!(frame_seq(r#"{"event":"posted","data":{},"broadcast":{},"seq":17}"#), Some(17));
        assert_eq!(frame_seq(r#"{"status":"OK","seq_reply":2}"#), None);
        assert_eq!(disagreements(&[1, 2, 3], &[1, 3, 2]), 2);
    }
}

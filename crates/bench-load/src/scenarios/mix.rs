//! `mix`: simulated users doing what chat users do, in the proportions of Mattermost's load
//! test (about one post per 13 actions and one search per 45 posts; the rest reading a
//! channel, marking it viewed, setting a status and typing), each holding a WebSocket. Users
//! are added in steps; the figure is the largest step at which the average latency is at most
//! 100 ms, the p99 at most 2 s and 5xx answers (and failed requests) at most 0.025%.

use super::{Ctx, bounded};
use crate::api::{Api, http_client};
use crate::dataset::Dataset;
use crate::server::Server;
use crate::stats::{Latency, write_report};
use crate::words::{Rng, VOCABULARY, word};
use crate::ws;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

pub struct Opts {
    /// User counts to step through, ascending.
    pub steps: Vec<usize>,
    pub step_secs: f64,
    /// Mean pause between one user's actions.
    pub think_ms: f64,
}

/// Action shares; typing takes what is left.
const P_POST: f64 = 1.0 / 13.0;
const P_SEARCH: f64 = P_POST / 45.0;
const P_READ: f64 = 0.35;
const P_VIEW: f64 = 0.30;
const P_STATUS: f64 = 0.10;

const ACTIONS: [&str; 6] = ["post", "search", "read", "view", "status", "typing"];

fn pick(r: f64) -> usize {
    let mut edge = 0.0;
    for (i, p) in [P_POST, P_SEARCH, P_READ, P_VIEW, P_STATUS].iter().enumerate() {
        edge += p;
        if r < edge {
            return i;
        }
    }
    5
}

/// Counters for one step.
#[derive(Default)]
struct Window {
    latency: Latency,
    requests: u64,
    server_errors: u64,
    failed: u64,
    actions: [u64; 6],
    by_action: [Latency; 5],
}

struct Shared {
    window: Mutex<Window>,
    frames: AtomicU64,
    connected: AtomicU64,
    connect_failed: AtomicU64,
}

impl Shared {
    fn record(&self, action: usize, outcome: Result<u16, String>, d: Duration) {
        let mut w = self.window.lock().unwrap_or_else(|p| p.into_inner());
        w.actions[action] += 1;
        if action == 5 {
            return;
        }
        w.requests += 1;
        match outcome {
            Ok(status) => {
                w.latency.record(d);
                w.by_action[action].record(d);
                if status >= 500 {
                    w.server_errors += 1;
                }
            }
            Err(_) => w.failed += 1,
        }
    }

    fn take(&self) -> Window {
        std::mem::take(&mut *self.window.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

pub async fn run(ctx: &Ctx, o: &Opts) -> Result<Value, String> {
    let ds = Arc::new(ctx.big().await?);
    if o.steps.is_empty() || o.steps.windows(2).any(|w| w[0] >= w[1]) {
        return Err("--steps must be ascending user counts".into());
    }
    if *o.steps.last().unwrap_or(&0) > ds.users.len() {
        return Err(format!("the dataset has {} users; the largest step is {}", ds.users.len(), o.steps.last().unwrap_or(&0)));
    }
    let data = ctx.run_copy(&ds, "mix")?;
    let server = Server::start(&ctx.conclave, &data).await?;
    let result = measure(ctx, o, ds, &server).await;
    server.stop().await;
    result
}

async fn measure(ctx: &Ctx, o: &Opts, ds: Arc<Dataset>, server: &Server) -> Result<Value, String> {
    let shared = Arc::new(Shared {
        window: Mutex::new(Window::default()),
        frames: AtomicU64::new(0),
        connected: AtomicU64::new(0),
        connect_failed: AtomicU64::new(0),
    });
    let sources = ws::sources(4);
    let clients: Vec<reqwest::Client> = (0..8).map(|i| http_client(Some(sources[i % sources.len()]))).collect();
    let mut tasks = Vec::new();
    let mut steps = Vec::new();
    let mut best = 0usize;
    let mut current = 0usize;
    for &target in &o.steps {
        let ramp = Instant::now();
        // Connect the new users' sockets a bounded number at a time, then start them acting.
        let sockets = bounded((current..target).collect(), 128, |u| {
            let token = ds.users[u].token.clone();
            let port = server.port;
            let source = sources[u % sources.len()];
            async move { (u, ws::connect(port, &token, Some(source)).await) }
        })
        .await;
        for (u, sock) in sockets {
            match sock {
                Ok(sock) => {
                    shared.connected.fetch_add(1, Ordering::Relaxed);
                    let api = Api::new(clients[u % clients.len()].clone(), &server.url, &ds.users[u].token);
                    tasks.push(tokio::spawn(user(u, sock, api, ds.clone(), shared.clone(), o.think_ms)));
                }
                Err(_) => {
                    shared.connect_failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        current = target;
        let ramp_secs = ramp.elapsed().as_secs_f64();
        // Let the new users' first actions spread out before measuring.
        tokio::time::sleep(Duration::from_millis((o.think_ms as u64).min(5000))).await;
        shared.take();
        let frames0 = shared.frames.load(Ordering::Relaxed);
        let cpu0 = server.cpu();
        let t = Instant::now();
        tokio::time::sleep(Duration::from_secs_f64(o.step_secs)).await;
        let w = shared.take();
        let secs = t.elapsed().as_secs_f64();
        let cpu = (server.cpu() - cpu0).as_secs_f64();
        let frames = shared.frames.load(Ordering::Relaxed) - frames0;
        let s = w.latency.summary();
        let bad = w.server_errors + w.failed;
        let bad_ratio = if w.requests > 0 { bad as f64 / w.requests as f64 } else { 0.0 };
        let connected = shared.connected.load(Ordering::Relaxed);
        let pass = w.requests > 0 && s.mean_ms <= 100.0 && s.p99_ms <= 2000.0 && bad_ratio <= 0.00025 && connected as usize == target;
        if pass {
            best = target;
        }
        println!(
            "mix: {target:>6} users ({connected} connected, ramp {ramp_secs:.1} s): {:.0} req/s, mean {:.1} ms, p99 {:.1} ms, max {:.0} ms, 5xx {} failed {} ({:.4}%), {:.0} frames/s, server CPU {:.0}% → {}",
            w.requests as f64 / secs,
            s.mean_ms,
            s.p99_ms,
            s.max_ms,
            w.server_errors,
            w.failed,
            bad_ratio * 100.0,
            frames as f64 / secs,
            100.0 * cpu / secs,
            if pass { "meets" } else { "misses" }
        );
        steps.push(json!({
            "users": target,
            "connected": connected,
            "ramp_s": ramp_secs,
            "duration_s": secs,
            "requests": w.requests,
            "requests_per_s": w.requests as f64 / secs,
            "server_errors": w.server_errors,
            "failed": w.failed,
            "bad_ratio": bad_ratio,
            "frames_per_s": frames as f64 / secs,
            "actions": ACTIONS.iter().zip(w.actions.iter()).map(|(a, n)| (a.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
            "latency": s,
            "by_action": ACTIONS.iter().zip(w.by_action.iter()).map(|(a, l)| { let s = l.summary(); (a.to_string(), json!({"count": s.count, "mean_ms": s.mean_ms, "p99_ms": s.p99_ms})) }).collect::<serde_json::Map<_, _>>(),
            "server_cpu_share": cpu / secs,
            "server_rss_bytes": server.rss(),
            "meets": pass,
        }));
        let slow: Vec<String> = ACTIONS.iter().zip(w.by_action.iter()).map(|(a, l)| format!("{a} {:.0}", l.summary().mean_ms)).collect();
        println!("       mean ms by action: {}", slow.join(", "));
        if !pass {
            break;
        }
    }
    for t in &tasks {
        t.abort();
    }
    let report = json!({
        "scenario": "mix",
        "think_ms": o.think_ms,
        "step_s": o.step_secs,
        "posts_in_db": ds.spec.posts,
        "channels": ds.spec.channels,
        "channels_per_user": ds.spec.channels_per_user,
        "shares": {"post": P_POST, "search": P_SEARCH, "read": P_READ, "view": P_VIEW, "status": P_STATUS, "typing": 1.0 - P_POST - P_SEARCH - P_READ - P_VIEW - P_STATUS},
        "criteria": {"mean_ms": 100, "p99_ms": 2000, "bad_ratio": 0.00025},
        "max_users": best,
        "steps": steps,
    });
    println!("mix: largest user count meeting the criteria: {best}");
    write_report(&ctx.reports, "mix", &report)?;
    Ok(report)
}

/// One simulated user: reads its socket in the background and acts after exponential pauses.
async fn user(u: usize, sock: ws::Socket, api: Api, ds: Arc<Dataset>, shared: Arc<Shared>, think_ms: f64) {
    let (mut sink, mut stream) = sock.split();
    let reader_shared = shared.clone();
    let reader = tokio::spawn(async move {
        while let Some(Ok(m)) = stream.next().await {
            if matches!(m, Message::Text(_)) {
                reader_shared.frames.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let me = &ds.users[u];
    let mut rng = Rng::new(0xA11CE ^ u as u64);
    let mut seq = 1i64;
    loop {
        tokio::time::sleep(Duration::from_secs_f64(rng.exp(think_ms) / 1000.0)).await;
        let channel = &ds.channels[me.channels[rng.below(me.channels.len())]];
        let action = pick(rng.unit());
        let started = Instant::now();
        let outcome = match action {
            0 => api.create_post(channel, &crate::words::message(&mut rng), &domain::ids::new_id()).await.map(|r| r.status),
            1 => api
                .post(
                    &format!("/teams/{}/posts/search", ds.team_id),
                    &json!({"terms": word(rng.below(VOCABULARY)), "is_or_search": false, "page": 0, "per_page": 60}),
                )
                .await
                .map(|r| r.status),
            2 => api.get(&format!("/channels/{channel}/posts?page=0&per_page=30")).await.map(|r| r.status),
            3 => api.post("/channels/members/me/view", &json!({"channel_id": channel, "prev_channel_id": ""})).await.map(|r| r.status),
            4 => {
                let status = if rng.below(4) == 0 { "away" } else { "online" };
                api.put("/users/me/status", &json!({"user_id": me.id, "status": status})).await.map(|r| r.status)
            }
            _ => {
                seq += 1;
                let frame = json!({"action": "user_typing", "seq": seq, "data": {"channel_id": channel, "parent_id": ""}});
                sink.send(Message::text(frame.to_string())).await.map(|_| 0).map_err(|e| e.to_string())
            }
        };
        shared.record(action, outcome, started.elapsed());
        if reader.is_finished() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_shares_follow_the_load_test_proportions() {
        let mut rng = Rng::new(1);
        let mut n = [0u64; 6];
        for _ in 0..1_000_000 {
            n[pick(rng.unit())] += 1;
        }
        let posts = n[0] as f64;
        assert!((1_000_000.0 / posts - 13.0).abs() < 0.3, "one post per {} actions", 1_000_000.0 / posts);
        assert!((posts / n[1] as f64 - 45.0).abs() < 5.0, "one search per {} posts", posts / n[1] as f64);
    }
}

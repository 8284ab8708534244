//! Crash safety: the real binary is SIGKILLed while writers post (and retry with the same
//! `pending_post_id` until acknowledged), then restarted on the same data. Every acknowledged
//! post must be there exactly once. Prints acknowledged, found, lost, duplicated per backend.
//!
//! Rounds per backend come from `CONCLAVE_TEST_CRASH_ROUNDS` (default 20). Figures go to
//! `reports/crash-<backend>.json`.

use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;

const WRITERS: usize = 8;
const PASSWORD: &str = "correct horse battery";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Server {
    child: Child,
    base: String,
}

fn spawn(data: &std::path::Path, db_url: Option<&str>, port: u16) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_conclave"));
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"]).arg(data);
    if let Some(url) = db_url {
        cmd.args(["--database-url", url]);
    }
    let child = cmd.env("CONCLAVE_LOG", "warn").stdout(Stdio::null()).stderr(Stdio::inherit()).spawn().expect("start conclave");
    Server { child, base: format!("http://127.0.0.1:{port}/api/v4") }
}

async fn wait_up(http: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if let Ok(r) = http.get(format!("{base}/system/ping")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("server did not come up at {base}");
}

async fn login(http: &reqwest::Client, base: &str, name: &str) -> String {
    for _ in 0..100 {
        let r = http.post(format!("{base}/users/login")).json(&json!({"login_id": name, "password": PASSWORD})).send().await.unwrap();
        if r.status() == 429 {
            // The writers share this address and may have spent its budget.
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        assert_eq!(r.status(), 200);
        return r.headers()["token"].to_str().unwrap().to_owned();
    }
    panic!("login still rate limited")
}

#[derive(Default)]
struct Ledger {
    /// Keys acknowledged with the post id the server returned.
    acked: HashMap<String, String>,
    attempted: HashSet<String>,
}

/// Posts `w{writer}:{n}` in order, retrying each key until acknowledged.
async fn writer(id: usize, base: Arc<Mutex<String>>, token: String, channel: String, stop: Arc<AtomicBool>, ledger: Arc<Mutex<Ledger>>) {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let key = format!("w{id}:{n}");
        ledger.lock().await.attempted.insert(key.clone());
        loop {
            let url = format!("{}/posts", base.lock().await);
            let sent = http
                .post(url)
                .bearer_auth(&token)
                .json(&json!({"channel_id": channel, "message": format!("crash test {key}"), "pending_post_id": key}))
                .send()
                .await;
            if let Ok(r) = sent
                && r.status() == 201
                && let Ok(v) = r.json::<Value>().await
            {
                ledger.lock().await.acked.insert(key.clone(), v["id"].as_str().unwrap_or("").to_owned());
                break;
            }
            if stop.load(Ordering::Relaxed) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        n += 1;
    }
}

/// One page of a read; waits out a rate limit (the writers may have spent the budget) and
/// fails on anything else, so a short read can never pass for a lost post.
async fn get_page(http: &reqwest::Client, url: &str, token: &str) -> Value {
    for _ in 0..100 {
        let r = http.get(url).bearer_auth(token).send().await.expect("read posts");
        if r.status() == 429 {
            let wait = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).unwrap_or(1u64);
            tokio::time::sleep(Duration::from_secs(wait.max(1))).await;
            continue;
        }
        assert_eq!(r.status(), 200, "reading {url}");
        return r.json().await.expect("posts JSON");
    }
    panic!("still rate limited reading {url}");
}

async fn all_posts(http: &reqwest::Client, base: &str, token: &str, channel: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 0.. {
        let r = get_page(http, &format!("{base}/channels/{channel}/posts?page={page}&per_page=200"), token).await;
        let order = r["order"].as_array().cloned().unwrap_or_default();
        if order.is_empty() {
            break;
        }
        for id in order {
            out.push(r["posts"][id.as_str().unwrap()].clone());
        }
    }
    out
}

async fn crash_rounds(label: &str, db_url: Option<&str>) {
    let rounds: usize = std::env::var("CONCLAVE_TEST_CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let data = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let port = free_port();
    let mut server = spawn(data.path(), db_url, port);
    wait_up(&http, &server.base).await;
    let r = http
        .post(format!("{}/users", server.base))
        .json(&json!({"username": "writer", "email": "writer@isac.example", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token = login(&http, &server.base, "writer").await;
    let team: Value = http
        .post(format!("{}/teams", server.base))
        .bearer_auth(&token)
        .json(&json!({"name": "crash", "display_name": "Crash", "type": "O"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let channel: Value = http
        .get(format!("{}/teams/{}/channels/name/town-square", server.base, team["id"].as_str().unwrap()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let channel = channel["id"].as_str().unwrap().to_owned();

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let base = Arc::new(Mutex::new(server.base.clone()));
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> =
        (0..WRITERS).map(|i| tokio::spawn(writer(i, base.clone(), token.clone(), channel.clone(), stop.clone(), ledger.clone()))).collect();
    for round in 0..rounds {
        // Kill at a moment that varies from round to round, mid-stream.
        tokio::time::sleep(Duration::from_millis(300 + (round as u64 * 137) % 500)).await;
        server.child.kill().expect("SIGKILL");
        let _ = server.child.wait();
        server = spawn(data.path(), db_url, port);
        wait_up(&http, &server.base).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }

    let token = login(&http, &server.base, "writer").await;
    let posts = all_posts(&http, &server.base, &token, &channel).await;
    let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
    for p in &posts {
        by_key.entry(p["pending_post_id"].as_str().unwrap_or("").to_owned()).or_default().push(p["id"].as_str().unwrap_or("").to_owned());
    }
    let ledger = ledger.lock().await;
    let lost: Vec<_> = ledger.acked.iter().filter(|(k, id)| by_key.get(*k).is_none_or(|ids| !ids.contains(id))).collect();
    let duplicated = by_key.values().filter(|ids| ids.len() > 1).count();
    let unexpected = by_key.keys().filter(|k| !ledger.attempted.contains(*k)).count();
    let recovered = by_key.keys().filter(|k| ledger.attempted.contains(*k) && !ledger.acked.contains_key(*k)).count();
    println!(
        "crash safety [{label}]: rounds={rounds} acknowledged={} found={} lost={} duplicated={duplicated} unexpected={unexpected} recovered={recovered}",
        ledger.acked.len(),
        posts.len(),
        lost.len()
    );
    let report = json!({"backend": label, "rounds": rounds, "writers": WRITERS, "acknowledged": ledger.acked.len(), "found": posts.len(), "lost": lost.len(), "duplicated": duplicated, "unexpected": unexpected, "recovered": recovered});
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("crash-{label}.json")), serde_json::to_string_pretty(&report).unwrap_or_default());
    assert!(ledger.acked.len() > 50, "too few posts acknowledged to mean anything");
    assert!(lost.is_empty(), "lost acknowledged posts: {lost:?}");
    assert_eq!(duplicated, 0, "duplicated posts");
    assert_eq!(unexpected, 0, "posts nobody attempted");
    let mut server = server;
    let _ = server.child.kill();
    let _ = server.child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_loses_no_acknowledged_post_sqlite() {
    crash_rounds("sqlite", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_loses_no_acknowledged_post_postgres() {
    let db = store::testing::TestDb::new(store::testing::Kind::Postgres).await;
    let url = db.url.clone();
    db.store.db.close().await;
    crash_rounds("postgres", Some(&url)).await;
    db.cleanup().await;
}

//! The peer: a Matrix client for Synapse, driving the same two measurements as `ingest` and
//! `delivery`. Users are registered with the shared secret (`/_synapse/admin/v1/register`),
//! messages go out with `PUT …/send/m.room.message/{txnId}` (acknowledged once stored), and
//! receivers long-poll `/sync` with their `since` token.

use crate::api::http_client;
use crate::scenarios::{bounded, marker, parse_marker, since_stamp};
use crate::stats::Latency;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A signed-in Matrix user.
#[derive(Clone)]
pub struct MxUser {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

/// Room ids and other path parts, percent-encoded.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn json_of(resp: reqwest::Response) -> Result<Value, String> {
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("synapse answered {status}: {body}"));
    }
    Ok(body)
}

/// Registers `username` with the shared secret and returns its access token.
pub async fn register(base: &str, secret: &str, username: &str) -> Result<MxUser, String> {
    let http = http_client(None);
    let url = format!("{base}/_synapse/admin/v1/register");
    let nonce = json_of(http.get(&url).send().await.map_err(|e| e.to_string())?).await?;
    let nonce = nonce.get("nonce").and_then(Value::as_str).ok_or("no nonce from synapse")?.to_owned();
    let password = "bench password 1";
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).map_err(|e| e.to_string())?;
    for (i, part) in [nonce.as_str(), username, password, "notadmin"].iter().enumerate() {
        if i > 0 {
            mac.update(b"\x00");
        }
        mac.update(part.as_bytes());
    }
    let digest: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let body = json!({"nonce": nonce, "username": username, "password": password, "admin": false, "mac": digest});
    let r = json_of(http.post(&url).json(&body).send().await.map_err(|e| e.to_string())?).await?;
    let token = r.get("access_token").and_then(Value::as_str).ok_or("no access token from synapse")?.to_owned();
    Ok(MxUser { http, base: base.to_owned(), token })
}

impl MxUser {
    fn url(&self, path: &str) -> String {
        format!("{}/_matrix/client/v3{path}", self.base)
    }

    pub async fn create_room(&self) -> Result<String, String> {
        let r =
            self.http.post(self.url("/createRoom")).bearer_auth(&self.token).json(&json!({"preset": "public_chat", "name": "bench"})).send().await;
        let r = json_of(r.map_err(|e| e.to_string())?).await?;
        r.get("room_id").and_then(Value::as_str).map(str::to_owned).ok_or_else(|| "createRoom gave no room_id".into())
    }

    pub async fn join(&self, room: &str) -> Result<(), String> {
        let r = self.http.post(self.url(&format!("/join/{}", enc(room)))).bearer_auth(&self.token).json(&json!({})).send().await;
        json_of(r.map_err(|e| e.to_string())?).await.map(|_| ())
    }

    /// Sends a text message; `Ok` once Synapse acknowledged it.
    pub async fn send(&self, room: &str, txn: &str, body: &str) -> Result<(), String> {
        let path = format!("/rooms/{}/send/m.room.message/{}", enc(room), enc(txn));
        let r = self.http.put(self.url(&path)).bearer_auth(&self.token).json(&json!({"msgtype": "m.text", "body": body})).send().await;
        json_of(r.map_err(|e| e.to_string())?).await.map(|_| ())
    }

    /// One `/sync`; returns the next token and the message bodies in `room`, and whether the
    /// timeline was cut short (`limited`, i.e. events skipped).
    pub async fn sync(&self, since: Option<&str>, timeout_ms: u64, room: &str) -> Result<(String, Vec<String>, bool), String> {
        let filter = r#"{"room":{"timeline":{"limit":200},"state":{"lazy_load_members":true},"ephemeral":{"not_types":["*"]},"account_data":{"not_types":["*"]}},"presence":{"not_types":["*"]},"account_data":{"not_types":["*"]}}"#;
        let mut url = format!("{}?timeout={timeout_ms}&filter={}", self.url("/sync"), enc(filter));
        if let Some(s) = since {
            url += &format!("&since={}", enc(s));
        }
        let r =
            json_of(self.http.get(url).bearer_auth(&self.token).timeout(Duration::from_secs(90)).send().await.map_err(|e| e.to_string())?).await?;
        let next = r.get("next_batch").and_then(Value::as_str).ok_or("sync gave no next_batch")?.to_owned();
        let timeline = r.pointer(&format!("/rooms/join/{}/timeline", room.replace('~', "~0").replace('/', "~1")));
        let limited = timeline.and_then(|t| t.get("limited")).and_then(Value::as_bool).unwrap_or(false);
        let bodies = timeline
            .and_then(|t| t.get("events"))
            .and_then(Value::as_array)
            .map(|evs| evs.iter().filter_map(|e| e.pointer("/content/body").and_then(Value::as_str).map(str::to_owned)).collect())
            .unwrap_or_default();
        Ok((next, bodies, limited))
    }
}

/// Registers `n` users named `{prefix}{i}`.
pub async fn register_many(base: &str, secret: &str, prefix: &str, n: usize) -> Result<Vec<MxUser>, String> {
    let users = bounded((0..n).collect(), 8, |i| {
        let name = format!("{prefix}{i}");
        async move { register(base, secret, &name).await }
    })
    .await;
    users.into_iter().collect()
}

/// Synapse ingest: `users.len()` clients send as fast as acknowledgements come back.
pub async fn ingest(users: &[MxUser], secs: f64) -> Result<Value, String> {
    let room = users[0].create_room().await?;
    for u in &users[1..] {
        u.join(&room).await?;
    }
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs_f64(secs);
    let tasks: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let u = u.clone();
            let room = room.clone();
            tokio::spawn(async move {
                let mut lat = Latency::default();
                let (mut ok, mut errors, mut n) = (0u64, 0u64, 0u64);
                while Instant::now() < deadline {
                    n += 1;
                    let started = Instant::now();
                    match u.send(&room, &format!("i{i}-{n}-{}", domain::ids::new_id()), &format!("ingest {i} {n} load message")).await {
                        Ok(()) => {
                            lat.record(started.elapsed());
                            ok += 1;
                        }
                        Err(_) => errors += 1,
                    }
                }
                (lat, ok, errors)
            })
        })
        .collect();
    let mut lat = Latency::default();
    let (mut ok, mut errors) = (0u64, 0u64);
    for t in tasks {
        let (l, o, e) = t.await.map_err(|e| e.to_string())?;
        lat.merge(&l);
        ok += o;
        errors += e;
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let s = lat.summary();
    println!(
        "synapse-ingest: {} clients, {elapsed:.1} s: {ok} messages, {:.1} msg/s, p50 {:.1} ms, p99 {:.1} ms, errors {errors}",
        users.len(),
        ok as f64 / elapsed,
        s.p50_ms,
        s.p99_ms
    );
    Ok(
        json!({"scenario": "synapse-ingest", "clients": users.len(), "duration_s": elapsed, "posts": ok, "posts_per_s": ok as f64 / elapsed, "errors": errors, "latency": s}),
    )
}

/// Synapse delivery: every user long-polls `/sync` in one room while the first sends at
/// `rate` per second.
pub async fn delivery(users: &[MxUser], rate: f64, secs: f64) -> Result<Value, String> {
    let room = users[0].create_room().await?;
    let joined = bounded(users[1..].to_vec(), 4, |u| {
        let room = room.clone();
        async move { u.join(&room).await }
    })
    .await;
    for j in joined {
        j?;
    }
    let t0 = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    // Each receiver first syncs without waiting to get a starting token.
    let mut starts = Vec::new();
    for u in users {
        starts.push(u.sync(None, 0, &room).await?.0);
    }
    let receivers: Vec<_> = users
        .iter()
        .cloned()
        .zip(starts)
        .map(|(u, mut since)| {
            let room = room.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut lat = Latency::default();
                let (mut received, mut out_of_order, mut limited, mut errors) = (0u64, 0u64, 0u64, 0u64);
                let mut last = 0u64;
                let mut got = HashSet::new();
                while !stop.load(Ordering::Acquire) {
                    match u.sync(Some(&since), 5_000, &room).await {
                        Ok((next, bodies, cut)) => {
                            since = next;
                            limited += u64::from(cut);
                            for b in bodies {
                                if let Some((seq, nanos)) = parse_marker(&b) {
                                    lat.record(since_stamp(t0, nanos));
                                    if got.insert(seq) {
                                        received += 1;
                                        if seq < last {
                                            out_of_order += 1;
                                        }
                                        last = last.max(seq);
                                    }
                                }
                            }
                        }
                        Err(_) => {
                            errors += 1;
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                }
                (lat, received, out_of_order, limited, errors)
            })
        })
        .collect();
    let total = (secs * rate).round().max(1.0) as u64;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut sends = Vec::new();
    let started = Instant::now();
    for seq in 1..=total {
        tick.tick().await;
        let u = users[0].clone();
        let room = room.clone();
        sends.push(tokio::spawn(async move { u.send(&room, &format!("d{seq}-{}", domain::ids::new_id()), &marker(seq, t0)).await.is_ok() }));
    }
    let mut send_errors = 0u64;
    for s in sends {
        if !s.await.map_err(|e| e.to_string())? {
            send_errors += 1;
        }
    }
    let send_secs = started.elapsed().as_secs_f64();
    // Wait for the receivers to catch up (up to 30 s), then stop them.
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Release);
    let mut lat = Latency::default();
    let (mut received, mut out_of_order, mut limited, mut errors, mut lost) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for r in receivers {
        let (l, rc, o, lim, e) =
            tokio::time::timeout(Duration::from_secs(30), r).await.map_err(|_| "a receiver did not stop".to_string())?.map_err(|e| e.to_string())?;
        lat.merge(&l);
        received += rc;
        out_of_order += o;
        limited += lim;
        errors += e;
        lost += (total - send_errors).saturating_sub(rc);
    }
    let s = lat.summary();
    println!(
        "synapse-delivery: {} clients, {total} messages at {rate}/s: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; lost {lost}, out of order {out_of_order}, send errors {send_errors}",
        users.len(),
        s.p50_ms,
        s.p99_ms,
        s.max_ms
    );
    Ok(json!({
        "scenario": "synapse-delivery", "clients": users.len(), "rate_per_s": rate, "posts": total, "post_errors": send_errors,
        "duration_s": send_secs, "frames_received": received, "lost": lost, "out_of_order": out_of_order,
        "limited_syncs": limited, "sync_errors": errors, "latency": s,
    }))
}

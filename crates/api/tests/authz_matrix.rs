//! The permission matrix: every route the router serves, called as every principal (anonymous,
//! deactivated, another team's member, a teammate outside the channel, a removed member, a
//! plain member, channel admin, team admin, system admin, analyst, feed key) against channels
//! of every kind and TLP label, compared with the route's declared gate (`api::gates`) and the
//! policy's rules table. Routes are discovered from the source, so an undeclared route fails.
//! Channel-content routes run against every channel; the others against one open channel.
//! WebSocket delivery is checked on the same channels: posted, edited and deleted events
//! reach members only, not the removed member whose socket stayed open. Writes
//! `reports/authz.json`.

mod common;
#[path = "authz/discover.rs"]
mod discover;
#[path = "authz/requests.rs"]
mod requests;
#[path = "authz/world.rs"]
mod world;

use api::gates::{Gate, ROUTES};
use common::{Client, j};
use domain::model::ChannelType;
use domain::policy::{Action, Facts, decide};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use world::{EVERYONE, Principal, Res, Who, World};

#[test]
fn every_served_route_is_declared_and_probed() {
    let served = discover::routes();
    let declared: BTreeSet<(String, String)> = ROUTES.iter().map(|r| (r.method.to_owned(), r.path.to_owned())).collect();
    let missing: Vec<_> = served.difference(&declared).collect();
    let stale: Vec<_> = declared.difference(&served).collect();
    assert!(missing.is_empty(), "routes served without a declared gate: {missing:?}");
    assert!(stale.is_empty(), "gates declared for routes not served: {stale:?}");
    let probed: BTreeSet<(String, String)> = requests::all().iter().map(|r| (r.method.to_owned(), r.route.to_owned())).collect();
    let unprobed: Vec<_> = declared.difference(&probed).collect();
    assert!(unprobed.is_empty(), "routes without a request in the matrix: {unprobed:?}");
    assert!(served.len() > 140, "discovery found only {} routes", served.len());
}

/// Whether `who` may do `action` in `res`, according to the policy's own table.
fn policy(who: Who, res: &Res, action: Action) -> bool {
    if !who.has_session() {
        return false;
    }
    let team = res.in_team();
    let facts = Facts {
        channel_type: res.kind,
        archived: res.archived,
        channel_member: res.members.contains(&who),
        channel_admin: who == Who::ChannelAdmin && team,
        team_member: team && who.in_team(),
        team_admin: team && who == Who::TeamAdmin,
        system_admin: who == Who::SystemAdmin,
    };
    decide(&facts, action)
}

fn can_read(who: Who, res: &Res) -> bool {
    policy(who, res, Action::Read)
}

/// The answer the gates predict.
fn expected(gates: &[Gate], who: Who, res: &Res, req: &requests::Req) -> bool {
    let own = req.path.contains("{me}") || req.body.contains("\"{me}\"");
    gates.iter().all(|g| match *g {
        Gate::Anonymous => true,
        Gate::Authenticated | Gate::Filtered => who.has_session(),
        Gate::SelfOrSystemAdmin => who.has_session() && (own || who == Who::SystemAdmin),
        Gate::SelfOnly => who.has_session() && own,
        Gate::SystemAdmin => who == Who::SystemAdmin,
        Gate::TeamMember => who.in_team(),
        Gate::TeamAdmin => who == Who::TeamAdmin || who == Who::SystemAdmin,
        // The author edits and deletes their own post with the right to post.
        Gate::Channel(Action::ModerateOthers) if who == Who::ChannelAdmin => policy(who, res, Action::Post),
        Gate::Channel(action) => policy(who, res, action),
        Gate::ChannelMember => who.has_session() && res.members.contains(&who),
        Gate::Analyst => who == Who::Analyst,
        Gate::Author => who == Who::ChannelAdmin,
        Gate::FeedKey => who == Who::FeedKey,
        Gate::FeedKeyWrite | Gate::Disabled => false,
    })
}

/// Routes whose request names the channel under test run against every channel.
fn channel_scoped(req: &requests::Req) -> bool {
    let t = format!("{}{}", req.path, req.body);
    ["{channel}", "{post}", "{fresh_post}", "{file}", "{indicator}", "{marker}", "{channel_name}", "{bystander}"].iter().any(|p| t.contains(p))
        || req.route == "/api/v4/files"
}

/// Cells that do not apply: state toggles on a channel already in that state, team-scoped
/// names of DMs, members that a DM cannot have.
fn applies(req: &requests::Req, res: &Res, w: &World) -> bool {
    let dm = !res.in_team();
    match (req.method, req.route) {
        ("DELETE", "/api/v4/channels/{channel_id}") => !res.archived,
        ("POST", "/api/v4/channels/{channel_id}/restore") => res.archived,
        ("POST", "/api/v4/channels/{channel_id}/convert") => res.kind == ChannelType::Open && !res.archived,
        ("PUT", "/api/v4/channels/{channel_id}/privacy") => !dm,
        _ if req.path.contains("{channel_name}") || req.body.contains("{channel_name}") => !dm,
        _ if req.path.contains("{bystander}") || req.body.contains("{bystander}") => res.kind != ChannelType::Direct,
        _ if req.path.contains("{indicator}") => res.indicator.is_some(),
        _ if req.path.contains("{object}") => w.object.is_some(),
        _ => true,
    }
}

struct Ctx<'a> {
    srv: &'a common::Server,
    w: &'a World,
    uniq: AtomicUsize,
}

impl Ctx<'_> {
    async fn fill(&self, text: &str, p: &Principal, res: &Res) -> String {
        let w = self.w;
        let mut s = text
            .replace("{me}", &p.id)
            .replace("{victim}", &w.victim.id)
            .replace("{bystander}", &w.bystander.id)
            .replace("{joiner}", &w.joiner.id)
            .replace("{team}", &w.team)
            .replace("{team_name}", &w.team_name)
            .replace("{channel}", &res.channel)
            .replace("{channel_name}", &res.name)
            .replace("{type}", res.type_letter())
            .replace("{post}", &res.post)
            .replace("{file}", &res.file)
            .replace("{marker}", &res.marker)
            .replace("{ip}", &res.ip)
            .replace("{invite}", &w.invite);
        if let Some(i) = &res.indicator {
            s = s.replace("{indicator}", i);
        }
        if let Some(o) = &w.object {
            s = s.replace("{object}", o);
        }
        if s.contains("{uniq}") {
            s = s.replace("{uniq}", &format!("mx{}", self.uniq.fetch_add(1, Ordering::Relaxed)));
        }
        if s.contains("{fresh_post}") {
            let post = res.pool.lock().unwrap().pop().expect("spare posts");
            s = s.replace("{fresh_post}", &post);
        }
        if s.contains("{fresh_key}") {
            let n = format!("fk{}", self.uniq.fetch_add(1, Ordering::Relaxed));
            let r = w.root.post("/intel/feed_keys", j!({"name": n, "tlp_ceiling": "GREEN"})).await;
            assert_eq!(r.status, 201, "{}", r.body);
            s = s.replace("{fresh_key}", &n);
        }
        if s.contains("{session}") {
            self.srv.login("victim").await;
            let r = w.root.get(&format!("/users/{}/sessions", w.victim.id)).await;
            let newest = r.body.as_array().unwrap().iter().max_by_key(|s| s["create_at"].as_i64()).unwrap()["id"].as_str().unwrap().to_owned();
            s = s.replace("{session}", &newest);
        }
        s
    }

    /// Sends the request as `p`; returns the status and the body text.
    async fn send(&self, req: &requests::Req, p: &Principal, res: &Res) -> (u16, String) {
        let url = format!("http://{}{}", self.srv.addr, self.fill(req.path, p, res).await);
        if req.route == "/api/v4/websocket" {
            return (if ws_accepts(self.srv.addr, p.token.as_deref().or(p.key.as_deref()).unwrap_or("")).await { 200 } else { 401 }, String::new());
        }
        let mut token = p.token.clone();
        if req.route == "/api/v4/users/logout" && p.who.has_session() {
            token = Some(self.srv.login(&p.user).await.token);
        }
        if req.route == "/api/v4/files" {
            let client = Client {
                base: self.srv.base.clone(),
                http: self.srv.http.clone(),
                token: token.unwrap_or_default(),
                id: p.id.clone(),
                name: p.name.into(),
            };
            let r = world::upload(&client, &res.channel).await;
            let status = r.status().as_u16();
            return (status, r.text().await.unwrap_or_default());
        }
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
        let mut rb = self.srv.http.request(method, url);
        if let Some(key) = &p.key {
            rb = rb.basic_auth("matrix", Some(key));
        } else if let Some(t) = &token {
            rb = rb.bearer_auth(t);
        }
        if req.path.starts_with("/taxii2") {
            rb = rb.header("accept", "application/taxii+json;version=2.1");
        }
        if !req.body.is_empty() {
            let body: Value = serde_json::from_str(&self.fill(req.body, p, res).await).unwrap();
            rb = rb.header("content-type", if req.path.starts_with("/taxii2") { "application/taxii+json;version=2.1" } else { "application/json" });
            rb = rb.body(body.to_string());
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.text().await.unwrap_or_default())
    }

    /// Puts back what an allowed destructive call changed.
    async fn repair(&self, req: &requests::Req, res: &Res) {
        let (root, w, ch) = (&self.w.root, self.w, &res.channel);
        let must = |r: common::Reply, what: &str| assert!((200..300).contains(&r.status), "repair {what}: {} {}", r.status, r.body);
        match (req.method, req.route) {
            ("DELETE", "/api/v4/users/{user_id}") => {
                must(root.put(&format!("/users/{}/active", w.victim.id), j!({"active": true})).await, "activate")
            }
            ("DELETE", "/api/v4/teams/{team_id}/members/{user_id}") => {
                must(root.post(&format!("/teams/{}/members", w.team), j!({"team_id": w.team, "user_id": w.victim.id})).await, "rejoin")
            }
            ("DELETE", "/api/v4/channels/{channel_id}") => must(root.post(&format!("/channels/{ch}/restore"), j!({})).await, "restore"),
            ("POST", "/api/v4/channels/{channel_id}/restore") => must(root.delete(&format!("/channels/{ch}")).await, "re-archive"),
            ("POST", "/api/v4/channels/{channel_id}/convert") => {
                must(root.put(&format!("/channels/{ch}/privacy"), j!({"privacy": "O"})).await, "reopen")
            }
            ("POST", "/api/v4/channels/{channel_id}/members") => {
                must(root.delete(&format!("/channels/{ch}/members/{}", w.joiner.id)).await, "unjoin")
            }
            ("DELETE", "/api/v4/channels/{channel_id}/members/{user_id}") => {
                if res.archived {
                    must(root.post(&format!("/channels/{ch}/restore"), j!({})).await, "restore");
                }
                must(root.post(&format!("/channels/{ch}/members"), j!({"user_id": w.bystander.id})).await, "re-add");
                if res.archived {
                    must(root.delete(&format!("/channels/{ch}")).await, "re-archive");
                }
            }
            _ => {}
        }
    }
}

/// Whether the WebSocket accepts the token's authentication challenge.
async fn ws_accepts(addr: std::net::SocketAddr, token: &str) -> bool {
    use futures_util::{SinkExt, StreamExt};
    let Ok((mut ws, _)) = tokio_tungstenite::connect_async(format!("ws://{addr}/api/v4/websocket")).await else { return false };
    let challenge = json!({"seq": 1, "action": "authentication_challenge", "data": {"token": token}});
    if ws.send(tokio_tungstenite::tungstenite::Message::Text(challenge.to_string().into())).await.is_err() {
        return false;
    }
    let reply = tokio::time::timeout(std::time::Duration::from_secs(2), ws.next()).await;
    let ok = matches!(reply, Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t)))) if t.contains("\"OK\""));
    let _ = ws.close(None).await;
    ok
}

/// A socket whose frames a task collects, so that it never falls behind.
struct Tap {
    who: Who,
    frames: Arc<Mutex<Vec<String>>>,
}

async fn tap(srv: &common::Server, who: Who, token: &str) -> Tap {
    use futures_util::StreamExt;
    let socket = common::Socket::connect(srv.addr, token).await;
    let frames = Arc::new(Mutex::new(Vec::new()));
    let sink = frames.clone();
    let mut ws = socket.ws;
    tokio::spawn(async move {
        while let Some(Ok(msg)) = ws.next().await {
            if let tokio_tungstenite::tungstenite::Message::Text(t) = msg {
                sink.lock().unwrap().push(t.to_string());
            }
        }
    });
    Tap { who, frames }
}

#[derive(Default)]
struct Tally {
    cells: usize,
    expected_denies: usize,
    skipped: usize,
    mismatches: Vec<Value>,
    by_principal: BTreeMap<&'static str, (usize, usize)>,
}

impl Tally {
    fn record(&mut self, who: &Principal, allowed: bool, mismatch: Option<Value>) {
        self.cells += 1;
        let e = self.by_principal.entry(who.name).or_default();
        e.0 += 1;
        if !allowed {
            self.expected_denies += 1;
            e.1 += 1;
        }
        if let Some(m) = mismatch {
            self.mismatches.push(m);
        }
    }
}

/// Whether a principal may see a resource's marker or indicator in an answer.
fn may_see(who: Who, res: &Res, text: &str) -> Option<&'static str> {
    if who == Who::FeedKey {
        // Feeds and TAXII carry indicators at or below the key's ceiling; never message text.
        if text.contains(&res.marker) {
            return Some("message text in a feed");
        }
        let above = res.tlp.is_empty() || world::tlp_rank(&res.tlp) > world::tlp_rank("AMBER");
        return (above && text.contains(&res.ip)).then_some("indicator above the key's ceiling");
    }
    if can_read(who, res) {
        return None;
    }
    if text.contains(&res.marker) {
        Some("message text of an unreadable channel")
    } else if text.contains(&res.ip) {
        Some("indicator of an unreadable channel")
    } else {
        None
    }
}

async fn run_matrix(ctx: &Ctx<'_>, tally: &mut Tally) {
    let w = ctx.w;
    let base = w.resources.iter().find(|r| r.kind == ChannelType::Open && !r.archived).unwrap();
    for req in requests::all() {
        let gate = api::gates::find(req.method, req.route).unwrap_or_else(|| panic!("{} {} has no gate", req.method, req.route));
        let targets: Vec<&Res> = if channel_scoped(&req) { w.resources.iter().collect() } else { vec![base] };
        for res in targets {
            for who in EVERYONE {
                if !applies(&req, res, w) {
                    tally.skipped += 1;
                    continue;
                }
                let p = w.principal(who);
                let allowed = expected(gate.gates, who, res, &req);
                let (status, text) = ctx.send(&req, p, res).await;
                let denied_ok = matches!(status, 401 | 403 | 404) || (status == 501 && gate.gates.contains(&Gate::Disabled));
                let got_allowed = (200..300).contains(&status) || status == 304;
                let mut problem = match (allowed, got_allowed, denied_ok) {
                    (true, true, _) | (false, _, true) => None,
                    (true, false, _) => Some("denied but the gate allows".to_owned()),
                    (false, _, false) => Some("not refused".to_owned()),
                };
                if got_allowed {
                    ctx.repair(&req, res).await;
                    for other in &w.resources {
                        if let Some(why) = may_see(who, other, &text) {
                            problem = Some(format!("leak: {why} ({})", other.label));
                        }
                    }
                    let searches = req.route.ends_with("/posts/search") || req.route == "/api/v4/posts/ids";
                    // Search covers the channels one belongs to, as in Mattermost; the leak check
                    // above holds it to the policy for everything else.
                    let member = res.members.contains(&who);
                    if searches && can_read(who, res) && (member || !req.route.ends_with("/search")) && !res.archived && !text.contains(&res.marker) {
                        problem = Some("readable post missing".into());
                    }
                }
                let mismatch = problem.map(|why| {
                    let snippet: String = text.chars().take(160).collect();
                    json!({"route": format!("{} {}", req.method, req.route), "principal": p.name, "channel": res.label, "status": status, "expected": if allowed { "allow" } else { "deny" }, "why": why, "body": snippet})
                });
                tally.record(p, allowed, mismatch);
            }
        }
    }
}

/// After the matrix: a post, an edit and a delete in every live channel; only members' sockets
/// may carry them.
async fn websocket_delivery(w: &World, taps: &[Tap], since: &[usize], tally: &mut Tally) {
    let mut probes = Vec::new();
    for res in w.resources.iter().filter(|r| !r.archived) {
        let r = w.owner.post("/posts", j!({"channel_id": res.channel, "message": format!("live {}", res.marker)})).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let post = r.body["id"].as_str().unwrap().to_owned();
        assert_eq!(w.owner.put(&format!("/posts/{post}/patch"), j!({"message": format!("live {} edited", res.marker)})).await.status, 200);
        assert_eq!(w.owner.delete(&format!("/posts/{post}")).await.status, 200);
        probes.push((res, post));
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for (tap, from) in taps.iter().zip(since) {
        let frames = tap.frames.lock().unwrap()[*from..].to_vec();
        let p = w.principal(tap.who);
        for (res, post) in &probes {
            for event in ["posted", "post_edited", "post_deleted"] {
                let got = frames.iter().any(|f| f.contains(&format!("\"event\":\"{event}\"")) && f.contains(post.as_str()));
                let member = res.members.contains(&tap.who) && tap.who.has_session();
                let mismatch = (got != member).then(|| {
                    json!({"route": format!("websocket {event}"), "principal": p.name, "channel": res.label, "expected": if member { "allow" } else { "deny" }, "why": if got { "event delivered to a non-member" } else { "member missed the event" }})
                });
                tally.record(p, member, mismatch);
            }
        }
    }
}

server_test!(permission_matrix, |srv| {
    let started = std::time::Instant::now();
    let (mut w, clients) = world::users(srv).await;
    let mut taps = Vec::new();
    for c in &clients {
        let who = w.principals.iter().find(|p| p.id == c.id).map(|p| p.who).unwrap();
        taps.push(tap(srv, who, &c.token).await);
    }
    world::channels(srv, &mut w, &clients).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let since: Vec<usize> = taps.iter().map(|t| t.frames.lock().unwrap().len()).collect();
    let ctx = Ctx { srv, w: &w, uniq: AtomicUsize::new(0) };
    let mut tally = Tally::default();
    run_matrix(&ctx, &mut tally).await;
    websocket_delivery(&w, &taps, &since, &mut tally).await;
    let routes = discover::routes().len();
    let backend = if srv.db.url.starts_with("postgres") { "postgres" } else { "sqlite" };
    let report = json!({
        "backend": backend,
        "routes": routes,
        "principals": EVERYONE.len(),
        "channels": w.resources.iter().map(|r| r.label.clone()).collect::<Vec<_>>(),
        "cells": tally.cells,
        "expected_denies": tally.expected_denies,
        "not_applicable": tally.skipped,
        "mismatches": tally.mismatches.len(),
        "mismatch_details": tally.mismatches,
        "by_principal": tally.by_principal.iter().map(|(k, (c, d))| (k.to_string(), json!({"cells": c, "expected_denies": d}))).collect::<serde_json::Map<_, _>>(),
        "seconds": started.elapsed().as_secs_f64(),
    });
    common::merge_report("authz", backend, &report);
    println!(
        "authz matrix ({backend}): {} routes, {} cells, {} expected denies, {} not applicable, {} mismatches in {:.1}s",
        routes,
        tally.cells,
        tally.expected_denies,
        tally.skipped,
        tally.mismatches.len(),
        started.elapsed().as_secs_f64()
    );
    let shown: Vec<String> = tally.mismatches.iter().take(60).map(|m| m.to_string()).collect();
    assert!(tally.mismatches.is_empty(), "{} mismatches:\n{}", tally.mismatches.len(), shown.join("\n"));
});

//! Model-based visibility: random sequences of joins, leaves, removals, additions, posts,
//! edits, deletes, privacy changes and (de)activations run against the real server and an
//! in-memory model of who may see what. After every step each user's view is compared with
//! the model through REST (channel pages, post by id), search and their WebSocket (posted,
//! edited and deleted events reach exactly the channel's active members). A seeded generator
//! (printed; `VIS_SEED`, `VIS_CASES`, `VIS_STEPS` override) makes failures replayable. Writes
//! `reports/visibility-model.json`.

mod common;

use common::{Client, j};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// xorshift64*: small, seedable, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const USERS: usize = 5; // user 0 creates the channels and moderates them
const CHANNELS: usize = 3;

struct ModelPost {
    id: String,
    channel: usize,
    author: usize,
    /// Every token the post's message ever carried; the last is current.
    tokens: Vec<String>,
    deleted: bool,
}

struct Model {
    open: [bool; CHANNELS],
    members: [BTreeSet<usize>; CHANNELS],
    active: [bool; USERS],
    posts: Vec<ModelPost>,
}

impl Model {
    fn member(&self, u: usize, c: usize) -> bool {
        self.members[c].contains(&u)
    }
    /// The policy: a channel member, or any team member for an open channel; active users only.
    fn can_read(&self, u: usize, c: usize) -> bool {
        self.active[u] && (self.member(u, c) || self.open[c])
    }
    /// Search covers the channels one belongs to.
    fn finds(&self, u: usize, p: &ModelPost) -> bool {
        self.active[u] && self.member(u, p.channel) && !p.deleted
    }
}

/// A user's socket, whose frames a task collects.
struct Tap {
    frames: Arc<Mutex<Vec<String>>>,
}

async fn tap(srv: &common::Server, token: &str) -> Tap {
    use futures_util::StreamExt;
    let mut ws = common::Socket::connect(srv.addr, token).await.ws;
    let frames = Arc::new(Mutex::new(Vec::new()));
    let sink = frames.clone();
    tokio::spawn(async move {
        while let Some(Ok(msg)) = ws.next().await {
            if let tokio_tungstenite::tungstenite::Message::Text(t) = msg {
                sink.lock().unwrap().push(t.to_string());
            }
        }
    });
    Tap { frames }
}

#[derive(Default)]
struct Figures {
    cases: usize,
    steps: usize,
    checks: usize,
    leaks: Vec<String>,
    misses: Vec<String>,
    /// Operations performed, by kind.
    ops: BTreeMap<&'static str, usize>,
}

struct Case<'a> {
    srv: &'a common::Server,
    root: &'a Client,
    n: usize,
    team: String,
    users: Vec<Client>,
    channels: Vec<String>,
    taps: Vec<Option<Tap>>,
    /// Per user: the (event, post) pairs the model allowed them to receive.
    allowed: Vec<BTreeSet<(String, String)>>,
    /// Per user: events predicted in the current step, awaited after it.
    awaited: Vec<Vec<(String, String)>>,
    model: Model,
    fig: &'a mut Figures,
    log: Vec<String>,
}

fn refused(status: u16) -> bool {
    matches!(status, 401 | 403 | 404)
}

impl Case<'_> {
    fn token(&mut self, c: usize, e: &str) -> String {
        format!("vm{}c{}{}{}z", self.n, c, e, self.model.posts.len() * 100 + self.log.len())
    }

    /// Checks an operation's own answer and counts it.
    fn op(&mut self, kind: &'static str, allowed: bool, status: u16) {
        *self.fig.ops.entry(if allowed { kind } else { "refused" }).or_default() += 1;
        self.expect(kind, allowed, status);
    }

    fn expect(&mut self, what: &str, allowed: bool, status: u16) {
        self.fig.checks += 1;
        let ok = if allowed { (200..300).contains(&status) } else { refused(status) };
        if !ok {
            let msg = format!("{what}: expected {}, got {status}", if allowed { "success" } else { "refusal" });
            if allowed { self.fig.misses.push(msg) } else { self.fig.leaks.push(msg) }
        }
    }

    /// Events of a change in channel `c` go to its active members.
    fn announce(&mut self, event: &str, post: &str, c: usize) {
        for u in 0..USERS {
            if self.model.active[u] && self.model.member(u, c) {
                self.allowed[u].insert((event.to_owned(), post.to_owned()));
                self.awaited[u].push((event.to_owned(), post.to_owned()));
            }
        }
    }

    async fn step(&mut self, rng: &mut Rng) {
        let u = 1 + rng.below(USERS - 1);
        let c = rng.below(CHANNELS);
        let (moderator, user) = (self.users[0].clone(), self.users[u].clone());
        let ch = self.channels[c].clone();
        match rng.below(10) {
            0 => {
                // Join: only open channels, by an active user who is not in it yet.
                if self.model.member(u, c) || !self.model.active[u] {
                    return;
                }
                let r = user.post(&format!("/channels/{ch}/members"), j!({"user_id": user.id})).await;
                let allowed = self.model.open[c];
                self.log.push(format!("u{u} joins c{c}"));
                self.op("join", allowed, r.status);
                if allowed && r.status < 300 {
                    self.model.members[c].insert(u);
                }
            }
            1 => {
                if !self.model.member(u, c) || !self.model.active[u] {
                    return;
                }
                let r = user.delete(&format!("/channels/{ch}/members/{}", user.id)).await;
                self.log.push(format!("u{u} leaves c{c}"));
                self.op("leave", true, r.status);
                self.model.members[c].remove(&u);
            }
            2 => {
                let r = moderator.delete(&format!("/channels/{ch}/members/{}", user.id)).await;
                self.log.push(format!("u0 removes u{u} from c{c}"));
                let allowed = self.model.member(u, c);
                self.fig.checks += 1;
                *self.fig.ops.entry("remove").or_default() += 1;
                if allowed != (r.status < 300) {
                    self.fig.misses.push(format!("remove: {} for member={allowed}", r.status));
                }
                self.model.members[c].remove(&u);
            }
            3 => {
                if self.model.member(u, c) || !self.model.active[u] {
                    return;
                }
                let r = moderator.post(&format!("/channels/{ch}/members"), j!({"user_id": user.id})).await;
                self.log.push(format!("u0 adds u{u} to c{c}"));
                self.op("add", true, r.status);
                self.model.members[c].insert(u);
            }
            4..=6 => {
                let author = if rng.below(4) == 0 { 0 } else { u };
                if !self.model.active[author] {
                    return;
                }
                let token = self.token(c, "p");
                let r = self.users[author].post("/posts", j!({"channel_id": ch, "message": format!("model {token}")})).await;
                let allowed = self.model.member(author, c);
                self.log.push(format!("u{author} posts {token} in c{c}"));
                self.op("post", allowed, r.status);
                if allowed && r.status == 201 {
                    let id = r.body["id"].as_str().unwrap().to_owned();
                    self.announce("posted", &id, c);
                    self.model.posts.push(ModelPost { id, channel: c, author, tokens: vec![token], deleted: false });
                }
            }
            7 => {
                let Some(i) = self.pick_post(rng) else { return };
                let (author, pc, id) = (self.model.posts[i].author, self.model.posts[i].channel, self.model.posts[i].id.clone());
                if !self.model.active[author] {
                    return;
                }
                let token = self.token(pc, "e");
                let r = self.users[author].put(&format!("/posts/{id}/patch"), j!({"message": format!("model {token}")})).await;
                let allowed = self.model.member(author, pc) && !self.model.posts[i].deleted;
                self.log.push(format!("u{author} edits {id} to {token}"));
                self.op("edit", allowed, r.status);
                if allowed && r.status == 200 {
                    self.model.posts[i].tokens.push(token);
                    self.announce("post_edited", &id, pc);
                }
            }
            8 => {
                let Some(i) = self.pick_post(rng) else { return };
                let (author, pc, id) = (self.model.posts[i].author, self.model.posts[i].channel, self.model.posts[i].id.clone());
                let by = if rng.below(3) == 0 { 0 } else { author };
                if !self.model.active[by] {
                    return;
                }
                let r = self.users[by].delete(&format!("/posts/{id}")).await;
                let allowed = self.model.member(by, pc) && !self.model.posts[i].deleted;
                self.log.push(format!("u{by} deletes {id}"));
                self.op("delete", allowed, r.status);
                if allowed && r.status == 200 {
                    self.model.posts[i].deleted = true;
                    self.announce("post_deleted", &id, pc);
                }
            }
            _ => {
                if rng.below(2) == 0 {
                    let to_open = !self.model.open[c];
                    let r = moderator.put(&format!("/channels/{ch}/privacy"), j!({"privacy": if to_open { "O" } else { "P" }})).await;
                    self.log.push(format!("c{c} becomes {}", if to_open { "open" } else { "private" }));
                    self.op("privacy", true, r.status);
                    self.model.open[c] = to_open;
                } else if self.model.active[u] {
                    let r = self.root.delete(&format!("/users/{}", user.id)).await;
                    self.log.push(format!("u{u} deactivated"));
                    self.op("deactivate", true, r.status);
                    self.model.active[u] = false;
                    self.taps[u] = None;
                } else {
                    let r = self.root.put(&format!("/users/{}/active", user.id), j!({"active": true})).await;
                    self.log.push(format!("u{u} reactivated"));
                    self.op("activate", true, r.status);
                    self.model.active[u] = true;
                    let fresh = self.srv.login(&user.name).await;
                    self.taps[u] = Some(tap(self.srv, &fresh.token).await);
                    self.users[u] = fresh;
                }
            }
        }
    }

    fn pick_post(&self, rng: &mut Rng) -> Option<usize> {
        (!self.model.posts.is_empty()).then(|| rng.below(self.model.posts.len()))
    }

    /// Every user's view against the model.
    async fn check(&mut self, rng: &mut Rng) {
        for u in 0..USERS {
            let client = self.users[u].clone();
            for c in 0..CHANNELS {
                let r = client.get(&format!("/channels/{}/posts?per_page=200", self.channels[c])).await;
                let readable = self.model.can_read(u, c);
                self.expect(&format!("u{u} reads c{c}"), readable, r.status);
                let text = if r.status == 200 { r.body.to_string() } else { String::new() };
                for p in self.model.posts.iter().filter(|p| p.channel == c) {
                    for (k, t) in p.tokens.iter().enumerate() {
                        let want = readable && !p.deleted && k + 1 == p.tokens.len();
                        self.fig.checks += 1;
                        if text.contains(t.as_str()) != want {
                            let msg = format!("u{u} c{c} page: {t} present={} want={want}", !want);
                            if want { self.fig.misses.push(msg) } else { self.fig.leaks.push(msg) }
                        }
                    }
                }
            }
            if self.model.posts.is_empty() {
                continue;
            }
            for _ in 0..2 {
                let i = rng.below(self.model.posts.len());
                let p = &self.model.posts[i];
                let want = self.model.can_read(u, p.channel) && !p.deleted;
                let r = client.get(&format!("/posts/{}", p.id)).await;
                let what = format!("u{u} gets post {}", p.id);
                self.expect(&what, want, r.status);
            }
            let i = rng.below(self.model.posts.len());
            let (token, want) = {
                let p = &self.model.posts[i];
                (p.tokens.last().unwrap().clone(), self.model.finds(u, p))
            };
            let r = client.post(&format!("/teams/{}/posts/search", self.team), j!({"terms": token})).await;
            self.fig.checks += 1;
            let found = r.status == 200 && r.body.to_string().contains(&token);
            if self.model.active[u] && r.status != 200 {
                self.fig.misses.push(format!("u{u} search: {}", r.status));
            } else if found != want {
                let msg = format!("u{u} search {token}: found={found} want={want}");
                if want { self.fig.misses.push(msg) } else { self.fig.leaks.push(msg) }
            }
        }
        self.check_sockets().await;
    }

    async fn check_sockets(&mut self) {
        let ids: BTreeMap<String, ()> = self.model.posts.iter().map(|p| (p.id.clone(), ())).collect();
        for u in 0..USERS {
            let Some(tap) = &self.taps[u] else {
                self.awaited[u].clear();
                continue;
            };
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(1500);
            loop {
                let frames = tap.frames.lock().unwrap().clone();
                let missing: Vec<_> = self.awaited[u]
                    .iter()
                    .filter(|(e, p)| !frames.iter().any(|f| f.contains(&format!("\"event\":\"{e}\"")) && f.contains(p.as_str())))
                    .cloned()
                    .collect();
                if missing.is_empty() || tokio::time::Instant::now() > deadline {
                    for (e, p) in &missing {
                        self.fig.misses.push(format!("u{u} missed {e} {p}"));
                    }
                    for f in &frames {
                        for e in ["posted", "post_edited", "post_deleted"] {
                            if !f.contains(&format!("\"event\":\"{e}\"")) {
                                continue;
                            }
                            for id in ids.keys().filter(|id| f.contains(id.as_str())) {
                                self.fig.checks += 1;
                                if !self.allowed[u].contains(&(e.to_owned(), id.clone())) {
                                    self.fig.leaks.push(format!("u{u} received {e} {id}"));
                                }
                            }
                        }
                    }
                    tap.frames.lock().unwrap().clear();
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            self.awaited[u].clear();
        }
    }
}

async fn run_case(srv: &common::Server, root: &Client, n: usize, seed: u64, steps: usize, fig: &mut Figures) {
    let mut rng = Rng(seed | 1);
    let mut users = Vec::new();
    for i in 0..USERS {
        users.push(srv.user(&format!("vm{n}u{i}")).await);
    }
    let team = users[0].team(&format!("vm{n}t")).await;
    for u in &users[1..] {
        assert_eq!(u.post(&format!("/teams/{team}/members"), j!({"team_id": team, "user_id": u.id})).await.status, 201);
    }
    let mut model = Model { open: [false; CHANNELS], members: Default::default(), active: [true; USERS], posts: Vec::new() };
    let mut channels = Vec::new();
    for c in 0..CHANNELS {
        let open = rng.below(2) == 0;
        channels.push(users[0].channel(&team, &format!("vm{n}c{c}"), if open { "O" } else { "P" }).await);
        model.open[c] = open;
        model.members[c].insert(0);
    }
    let mut taps = Vec::new();
    for u in &users {
        taps.push(Some(tap(srv, &u.token).await));
    }
    let mut case = Case {
        srv,
        root,
        n,
        team,
        users,
        channels,
        taps,
        allowed: vec![BTreeSet::new(); USERS],
        awaited: vec![Vec::new(); USERS],
        model,
        fig,
        log: Vec::new(),
    };
    for _ in 0..steps {
        let before = case.fig.leaks.len() + case.fig.misses.len();
        case.step(&mut rng).await;
        case.check(&mut rng).await;
        case.fig.steps += 1;
        if case.fig.leaks.len() + case.fig.misses.len() > before {
            eprintln!("case {n} (seed {seed}) after: {}", case.log.join("; "));
            break;
        }
    }
    case.fig.cases += 1;
}

server_test!(visibility_matches_the_model, |srv| {
    let started = std::time::Instant::now();
    let env = |k: &str, d: u64| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let (seed, cases, steps) = (env("VIS_SEED", 0x5eed_2026), env("VIS_CASES", 20) as usize, env("VIS_STEPS", 30) as usize);
    println!("visibility model: seed {seed}, {cases} cases × {steps} steps");
    let root = srv.user("vmroot").await; // the first account: system admin
    let mut fig = Figures::default();
    for n in 0..cases {
        let case_seed = seed.wrapping_add((n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        run_case(srv, &root, n, case_seed, steps, &mut fig).await;
    }
    let backend = if srv.db.url.starts_with("postgres") { "postgres" } else { "sqlite" };
    let report = json!({
        "backend": backend, "seed": seed, "cases": fig.cases, "steps": fig.steps, "checks": fig.checks,
        "leaks": fig.leaks.len(), "misses": fig.misses.len(), "operations": fig.ops,
        "leak_details": fig.leaks.iter().take(50).collect::<Vec<_>>(), "miss_details": fig.misses.iter().take(50).collect::<Vec<_>>(),
        "seconds": started.elapsed().as_secs_f64(),
    });
    common::merge_report("visibility-model", backend, &report);
    println!(
        "visibility model ({backend}): {} cases, {} steps, {} checks, {} leaks, {} misses in {:.1}s; operations {:?}",
        fig.cases,
        fig.steps,
        fig.checks,
        fig.leaks.len(),
        fig.misses.len(),
        started.elapsed().as_secs_f64(),
        fig.ops
    );
    assert!(
        fig.leaks.is_empty() && fig.misses.is_empty(),
        "leaks {:?}\nmisses {:?}",
        &fig.leaks[..fig.leaks.len().min(20)],
        &fig.misses[..fig.misses.len().min(20)]
    );
    let _: Value = report;
});

//! The world the matrix runs in: the principals, a team, and one channel per kind × TLP label,
//! each with a marked post, a reply, a pin, a reaction, a file, an indicator and spare posts.

use crate::common::{Client, Server, j};
use domain::model::ChannelType;
use serde_json::Value;
use std::sync::Mutex;

/// Who is asking. Every principal is distinct from the channel's other members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    Anonymous,
    /// A channel member whose account was deactivated (token kept).
    Deactivated,
    /// A member of another team only.
    Outsider,
    /// A member of the team who is not in the channel.
    Teammate,
    /// Was in the channel, was removed; their WebSocket stays open.
    Removed,
    /// The restricted member: Conclave has no guest role, so this is a plain channel member with
    /// no channel or team admin rights.
    Member,
    /// The channel's creator, channel admin (and author of its posts).
    ChannelAdmin,
    /// The team's admin, not in the channel.
    TeamAdmin,
    /// A system admin in the team, not in the channel.
    SystemAdmin,
    /// A team analyst (`team_analyst`), not in the channel.
    Analyst,
    /// A feed key with ceiling AMBER (no session).
    FeedKey,
}

pub const EVERYONE: [Who; 11] = [
    Who::Anonymous,
    Who::Deactivated,
    Who::Outsider,
    Who::Teammate,
    Who::Removed,
    Who::Member,
    Who::ChannelAdmin,
    Who::TeamAdmin,
    Who::SystemAdmin,
    Who::Analyst,
    Who::FeedKey,
];

impl Who {
    pub fn has_session(self) -> bool {
        !matches!(self, Who::Anonymous | Who::Deactivated | Who::FeedKey)
    }
    pub fn in_team(self) -> bool {
        self.has_session() && self != Who::Outsider
    }
}

pub struct Principal {
    pub who: Who,
    pub name: &'static str,
    /// The username, for fresh sessions.
    pub user: String,
    pub token: Option<String>,
    pub id: String,
    pub key: Option<String>,
}

pub const TLPS: [&str; 5] = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"];

pub fn tlp_rank(tlp: &str) -> usize {
    TLPS.iter().position(|t| *t == tlp).unwrap_or(TLPS.len())
}

/// One channel under test.
pub struct Res {
    pub label: String,
    pub kind: ChannelType,
    pub archived: bool,
    pub tlp: String,
    pub channel: String,
    pub name: String,
    pub post: String,
    pub file: String,
    pub indicator: Option<String>,
    pub pool: Mutex<Vec<String>>,
    pub marker: String,
    pub ip: String,
    /// Principals holding a membership row after set-up.
    pub members: Vec<Who>,
}

impl Res {
    pub fn in_team(&self) -> bool {
        matches!(self.kind, ChannelType::Open | ChannelType::Private)
    }
    pub fn type_letter(&self) -> &'static str {
        match self.kind {
            ChannelType::Open => "O",
            ChannelType::Private => "P",
            ChannelType::Direct => "D",
            ChannelType::Group => "G",
        }
    }
}

pub struct World {
    pub principals: Vec<Principal>,
    pub root: Client,
    pub owner: Client,
    pub victim: Client,
    pub bystander: Client,
    pub joiner: Client,
    pub team: String,
    pub team_name: String,
    pub invite: String,
    pub resources: Vec<Res>,
    pub object: Option<String>,
}

impl World {
    pub fn principal(&self, who: Who) -> &Principal {
        self.principals.iter().find(|p| p.who == who).unwrap()
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

pub async fn upload(client: &Client, channel: &str) -> reqwest::Response {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(40, 30, image::Rgb([9, 99, 199])).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("channel_id", channel.to_owned())
        .part("files", reqwest::multipart::Part::bytes(png).file_name("matrix.png"));
    let mut req = client.http.post(format!("{}/files", client.base)).multipart(form);
    if !client.token.is_empty() {
        req = req.bearer_auth(&client.token);
    }
    req.send().await.unwrap()
}

async fn ok(r: crate::common::Reply, what: &str) -> Value {
    assert!((200..300).contains(&r.status), "{what}: {} {}", r.status, r.body);
    r.body
}

/// Builds everything. Sockets are opened by the caller between [`users`] and [`channels`].
pub async fn users(srv: &Server) -> (World, Vec<Client>) {
    let root = srv.user("sysroot").await; // the first account: system admin
    let tadmin = srv.user("tadmin").await;
    let owner = srv.user("owner").await;
    let names = ["member", "deactivated", "removed", "teammate", "analyst", "outsider", "victim", "bystander", "joiner"];
    let mut c = std::collections::HashMap::new();
    for n in names {
        c.insert(n, srv.user(n).await);
    }
    let r = tadmin.post("/teams", j!({"name": "matrix", "display_name": "Matrix", "type": "O"})).await;
    let team = id(&ok(r, "team").await);
    for u in
        [&root, &owner, &c["member"], &c["deactivated"], &c["removed"], &c["teammate"], &c["analyst"], &c["victim"], &c["bystander"], &c["joiner"]]
    {
        ok(u.post(&format!("/teams/{team}/members"), j!({"team_id": team, "user_id": u.id})).await, "join team").await;
    }
    let analyst_id = c["analyst"].id.clone();
    ok(tadmin.put(&format!("/teams/{team}/members/{analyst_id}/roles"), j!({"roles": "team_user team_analyst"})).await, "analyst").await;
    c["outsider"].team("elsewhere").await;
    let lobby = root.team("lobby").await;
    let invite = ok(root.get(&format!("/teams/{lobby}")).await, "lobby").await["invite_id"].as_str().unwrap().to_owned();
    let key = ok(root.post("/intel/feed_keys", j!({"name": "matrix-reader", "tlp_ceiling": "AMBER"})).await, "key").await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = |who, name, client: &Client| Principal {
        who,
        name,
        user: client.name.clone(),
        token: Some(client.token.clone()),
        id: client.id.clone(),
        key: None,
    };
    let victim = c["victim"].clone();
    let principals = vec![
        Principal { who: Who::Anonymous, name: "anonymous", user: String::new(), token: None, id: victim.id.clone(), key: None },
        p(Who::Deactivated, "deactivated", &c["deactivated"]),
        p(Who::Outsider, "outsider", &c["outsider"]),
        p(Who::Teammate, "teammate", &c["teammate"]),
        p(Who::Removed, "removed", &c["removed"]),
        p(Who::Member, "member", &c["member"]),
        p(Who::ChannelAdmin, "channel_admin", &owner),
        p(Who::TeamAdmin, "team_admin", &tadmin),
        p(Who::SystemAdmin, "system_admin", &root),
        p(Who::Analyst, "analyst", &c["analyst"]),
        Principal { who: Who::FeedKey, name: "feed_key", user: String::new(), token: None, id: victim.id.clone(), key: Some(key) },
    ];
    let sockets_for: Vec<Client> = ["deactivated", "outsider", "teammate", "removed", "member", "analyst"]
        .iter()
        .map(|n| c[n].clone())
        .chain([owner.clone(), tadmin, root.clone()])
        .collect();
    let world = World {
        principals,
        root,
        owner,
        victim,
        bystander: c["bystander"].clone(),
        joiner: c["joiner"].clone(),
        team,
        team_name: "matrix".into(),
        invite,
        resources: Vec::new(),
        object: None,
    };
    (world, sockets_for)
}

/// The channels under test: open, private, archived open and archived private under every
/// label, plus a DM and a group DM (which take no label of their own).
pub async fn channels(srv: &Server, w: &mut World, clients: &[Client]) {
    let by_name = |n: &str| clients.iter().find(|c| c.name == n).unwrap().clone();
    let (member, deactivated, removed) = (by_name("member"), by_name("deactivated"), by_name("removed"));
    let mut specs: Vec<(ChannelType, bool, &str)> = Vec::new();
    for tlp in TLPS {
        specs.push((ChannelType::Open, false, tlp));
        specs.push((ChannelType::Private, false, tlp));
        specs.push((ChannelType::Open, true, tlp));
        specs.push((ChannelType::Private, true, tlp));
    }
    specs.push((ChannelType::Direct, false, ""));
    specs.push((ChannelType::Group, false, ""));
    for (i, (kind, archived, tlp)) in specs.into_iter().enumerate() {
        let owner = &w.owner;
        let name = format!("m{i}");
        let channel = match kind {
            ChannelType::Open | ChannelType::Private => {
                let ch = owner.channel(&w.team, &name, if kind == ChannelType::Open { "O" } else { "P" }).await;
                ok(owner.put(&format!("/channels/{ch}/patch"), j!({"tlp": tlp, "intel_mode": "auto-publish"})).await, "label").await;
                for u in [&member, &deactivated, &removed, &w.bystander] {
                    ok(owner.post(&format!("/channels/{ch}/members"), j!({"user_id": u.id})).await, "add").await;
                }
                ch
            }
            ChannelType::Direct => id(&ok(owner.post("/channels/direct", j!([owner.id, member.id])).await, "dm").await),
            ChannelType::Group => id(&ok(owner.post("/channels/group", j!([owner.id, member.id, w.bystander.id])).await, "gm").await),
        };
        let marker = format!("zqx{i}mark");
        let ip = format!("91.240.{}.17", 100 + i);
        let r = upload(owner, &channel).await;
        assert_eq!(r.status(), 201);
        let file = r.json::<Value>().await.unwrap()["file_infos"][0]["id"].as_str().unwrap().to_owned();
        let post =
            id(&ok(owner.post("/posts", j!({"channel_id": channel, "message": format!("{marker} seen at {ip}"), "file_ids": [file]})).await, "post")
                .await);
        ok(owner.post("/posts", j!({"channel_id": channel, "root_id": post, "message": format!("{marker} reply")})).await, "reply").await;
        ok(owner.post(&format!("/posts/{post}/pin"), j!({})).await, "pin").await;
        ok(owner.post("/reactions", j!({"user_id": owner.id, "post_id": post, "emoji_name": "lock"})).await, "react").await;
        let mut pool = Vec::new();
        for n in 0..12 {
            pool.push(id(&ok(owner.post("/posts", j!({"channel_id": channel, "message": format!("spare {n}")})).await, "spare").await));
        }
        let found = ok(owner.get(&format!("/channels/{channel}/indicators")).await, "indicators").await;
        let indicator = found.as_array().unwrap().iter().find(|v| v.to_string().contains(&ip)).map(id);
        let mut members = vec![Who::ChannelAdmin, Who::Member];
        if matches!(kind, ChannelType::Open | ChannelType::Private) {
            ok(owner.delete(&format!("/channels/{channel}/members/{}", removed.id)).await, "remove").await;
            members.push(Who::Deactivated);
        }
        if archived {
            ok(owner.delete(&format!("/channels/{channel}")).await, "archive").await;
        }
        let tlp = ok(owner.get(&format!("/channels/{channel}")).await, "channel").await["tlp"].as_str().unwrap_or("").to_owned();
        let label =
            format!("{}{}/{}", if archived { "archived-" } else { "" }, format!("{kind:?}").to_lowercase(), if tlp.is_empty() { "-" } else { &tlp });
        w.resources.push(Res { label, kind, archived, tlp, channel, name, post, file, indicator, pool: Mutex::new(pool), marker, ip, members });
    }
    // Export what the labels allow, then find a STIX object the key may read.
    while srv.state.app.publish_pending().await.unwrap() > 0 {}
    let key = w.principal(Who::FeedKey).key.clone().unwrap();
    let r = srv
        .http
        .get(format!("http://{}/taxii2/api/collections/tlp-green/objects/", srv.addr))
        .basic_auth("matrix", Some(&key))
        .header("accept", "application/taxii+json;version=2.1")
        .send()
        .await
        .unwrap();
    let env: Value = r.json().await.unwrap_or(Value::Null);
    w.object = env["objects"].as_array().and_then(|o| o.iter().find(|o| o["type"] == "indicator")).map(id);
    // Deactivate last, so the account had its memberships.
    ok(w.root.delete(&format!("/users/{}", deactivated.id)).await, "deactivate").await;
}

//! Intel end to end through the real router: capture, visibility, review, publication to
//! TAXII and the blocklists, retraction.

mod common;

use common::{Client, j};
use serde_json::Value;

async fn key(srv: &common::Server, admin: &Client, name: &str, ceiling: &str) -> String {
    let r = admin.post("/intel/feed_keys", j!({"name": name, "tlp_ceiling": ceiling})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let _ = srv;
    r.body["key"].as_str().unwrap().to_owned()
}

async fn taxii(srv: &common::Server, key: &str, path: &str) -> (u16, Value, reqwest::header::HeaderMap) {
    let r = srv
        .http
        .get(format!("http://{}/taxii2/{path}", srv.addr))
        .basic_auth("anyone", Some(key))
        .header("accept", "application/taxii+json;version=2.1")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.json().await.unwrap_or(Value::Null), headers)
}

async fn feed(srv: &common::Server, key: &str, name: &str) -> String {
    let r = srv.http.get(format!("http://{}/feeds/{name}", srv.addr)).bearer_auth(key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

server_test!(capture_review_publish_retract, |srv| {
    let alice = srv.user("alice").await;
    let bob = srv.user("bob").await;
    let mallory = srv.user("mallory").await;
    let team = alice.team("isac").await;
    for c in [&bob, &mallory] {
        c.join_team(&team).await;
    }
    assert_eq!(alice.put(&format!("/teams/{team}/members/{}/roles", bob.id), j!({"roles": "team_user team_analyst"})).await.status, 200);
    let room = alice.channel(&team, "outbreak", "O").await;
    bob.join_channel(&room).await;
    let post = alice.say(&room, "C2 at 45.137.21.9 and hxxps://evil-update[.]com/gate.php, ignore 10.0.0.5").await;

    // Capture: candidates visible to readers of the channel, with readable figures only.
    let queue = bob.get("/intel/queue").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let values: Vec<&str> = queue.body.as_array().unwrap().iter().map(|i| i["value"].as_str().unwrap()).collect();
    assert!(values.contains(&"45.137.21.9"), "{values:?}");
    assert!(values.contains(&"https://evil-update.com/gate.php"), "{values:?}");
    assert!(!values.contains(&"10.0.0.5"), "private address captured: {values:?}");
    assert_eq!(alice.get("/intel/queue").await.status, 403, "only analysts have a queue");
    let ip = queue.body.as_array().unwrap().iter().find(|i| i["value"] == "45.137.21.9").unwrap()["id"].as_str().unwrap().to_owned();

    // A private RED room's indicator is invisible to a team member outside it.
    let red = alice.channel(&team, "red-room", "P").await;
    assert_eq!(alice.put(&format!("/channels/{red}/patch"), j!({"tlp": "RED"})).await.status, 200);
    alice.say(&red, "internal victim beacon 45.137.21.9 and 203.0.113.77 seen").await;
    let mine = mallory.get("/intel/indicators").await.body;
    assert!(!mine.to_string().contains("203.0.113.77"), "{mine}");
    let seen = mallory.get("/intel/indicators?q=45.137").await.body;
    assert_eq!(seen[0]["channel_count"], 1, "counts must not include unreadable channels: {seen}");
    let d = mallory.get(&format!("/intel/indicators/{ip}")).await;
    assert_eq!(d.body["sightings"].as_array().unwrap().len(), 1, "{}", d.body);

    // Review: confirm, then publish.
    let r = bob.post(&format!("/intel/indicators/{ip}/review"), j!({"action": "confirm", "confidence": 80, "tags": ["ransomware"]})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "confirmed");
    assert_eq!(mallory.post(&format!("/intel/indicators/{ip}/review"), j!({"action": "reject"})).await.status, 403);
    srv.state.app.publish_pending().await.unwrap();

    let green = key(srv, &alice, "siem-green", "GREEN").await;
    let clear = key(srv, &alice, "public", "CLEAR").await;
    assert_eq!(feed(srv, &green, "ipv4.txt").await, "45.137.21.9\n");
    assert_eq!(feed(srv, &clear, "ipv4.txt").await, "", "a GREEN indicator must not reach a CLEAR key");
    assert!(!feed(srv, &green, "indicators.csv").await.contains("203.0.113.77"));

    let (status, cols, _) = taxii(srv, &green, "api/collections/").await;
    assert_eq!(status, 200);
    let aliases: Vec<&str> = cols["collections"].as_array().unwrap().iter().map(|c| c["alias"].as_str().unwrap()).collect();
    assert!(aliases.contains(&"tlp-green") && !aliases.contains(&"tlp-amber"), "{aliases:?}");
    let (status, env, headers) = taxii(srv, &green, "api/collections/tlp-green/objects/?match[type]=indicator").await;
    assert_eq!(status, 200, "{env}");
    assert_eq!(headers["content-type"], "application/taxii+json;version=2.1");
    let inds = env["objects"].as_array().unwrap();
    assert_eq!(inds.len(), 1, "{env}");
    assert_eq!(inds[0]["pattern"], "[ipv4-addr:value = '45.137.21.9']");
    assert_eq!(inds[0]["object_marking_refs"][0], "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb");
    assert!(headers.contains_key("x-taxii-date-added-first"));
    let (status, _, _) = taxii(srv, &clear, "api/collections/tlp-green/objects/").await;
    assert_eq!(status, 404, "a CLEAR key must not see the GREEN collection");

    // Retraction: deleting the only readable post withdraws it (the RED sighting never counts).
    let pid = post["id"].as_str().unwrap();
    assert_eq!(alice.delete(&format!("/posts/{pid}")).await.status, 200);
    srv.state.app.publish_pending().await.unwrap();
    let (_, env, _) = taxii(srv, &green, "api/collections/tlp-green/objects/?match[type]=indicator").await;
    assert_eq!(env["objects"][0]["revoked"], true, "{env}");
    assert_eq!(feed(srv, &green, "ipv4.txt").await, "");
});

// A plain member could switch on attribution (exports naming posters' organizations), which
// is a channel admin's decision like the TLP label and the capture mode.
server_test!(only_channel_admins_change_attribution, |srv| {
    let alice = srv.user("alice").await;
    let bob = srv.user("bob").await;
    let team = alice.team("isac").await;
    bob.join_team(&team).await;
    let room = alice.channel(&team, "sharing", "O").await;
    bob.join_channel(&room).await;

    let r = bob.put(&format!("/channels/{room}/patch"), j!({"intel_attribution": true})).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(alice.get(&format!("/channels/{room}")).await.body["intel_attribution"], false);
    // Members still edit the purpose.
    assert_eq!(bob.put(&format!("/channels/{room}/patch"), j!({"purpose": "lures"})).await.status, 200);

    let r = alice.put(&format!("/channels/{room}/patch"), j!({"intel_attribution": true, "intel_mode": "auto-publish"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["intel_attribution"], true);
    assert_eq!(r.body["intel_mode"], "auto-publish");
});

// Regression: a sighting in a private auto-publish channel used to confirm the indicator for
// the whole server, so a member outside that channel saw its status change.
server_test!(private_auto_publish_does_not_confirm_for_outsiders, |srv| {
    let admin = srv.user("ana").await;
    let poster = srv.user("poster").await;
    let outsider = srv.user("outsider").await;
    let team = admin.team("isac").await;
    for c in [&poster, &outsider] {
        c.join_team(&team).await;
    }
    let public = admin.channel(&team, "public-review", "O").await;
    for c in [&poster, &outsider] {
        c.join_channel(&public).await;
    }
    poster.say(&public, "maybe quiet-candidate[.]org").await;
    let secret = admin.channel(&team, "secret-auto", "P").await;
    assert_eq!(admin.put(&format!("/channels/{secret}/patch"), j!({"intel_mode": "auto-publish", "tlp": "AMBER"})).await.status, 200);
    assert_eq!(admin.post(&format!("/channels/{secret}/members"), j!({"user_id": poster.id})).await.status, 201);
    poster.say(&secret, "confirmed bad: quiet-candidate[.]org").await;
    srv.state.app.publish_pending().await.unwrap();
    let seen = outsider.get("/intel/indicators?q=quiet-candidate").await.body;
    assert_eq!(seen[0]["status"], "candidate", "{seen}");
    assert_eq!(seen[0]["sighting_count"], 1, "{seen}");
    // The auto-publish sighting still shares it at that channel's label.
    let amber = key(srv, &admin, "amber", "AMBER").await;
    let green = key(srv, &admin, "green", "GREEN").await;
    assert_eq!(feed(srv, &amber, "domains.txt").await, "quiet-candidate.org\n");
    assert_eq!(feed(srv, &green, "domains.txt").await, "", "the unreviewed GREEN sighting does not authorize export");
});

// Regression: an indicator withdrawn from an audience and shared again later got a new
// version of its revoked STIX object, which STIX forbids (consumers keep it revoked).
server_test!(revoked_stix_objects_are_never_updated, |srv| {
    let ana = srv.user("ana").await;
    let team = ana.team("isac").await;
    let first = ana.channel(&team, "first", "O").await;
    let second = ana.channel(&team, "second", "O").await;
    for c in [&first, &second] {
        assert_eq!(ana.put(&format!("/channels/{c}/patch"), j!({"intel_mode": "auto-publish", "tlp": "GREEN"})).await.status, 200);
    }
    ana.say(&first, "beacon 198.18.7.7 and 45.11.22.33").await;
    srv.state.app.publish_pending().await.unwrap();
    // Tightened: GREEN readers must drop it; then it comes back through another channel.
    assert_eq!(ana.put(&format!("/channels/{first}/patch"), j!({"tlp": "AMBER"})).await.status, 200);
    srv.state.app.publish_pending().await.unwrap();
    ana.say(&second, "again 45.11.22.33").await;
    srv.state.app.publish_pending().await.unwrap();
    let k = key(srv, &ana, "all", "AMBER+STRICT").await;
    let (status, env, _) = taxii(srv, &k, "api/collections/tlp-amber-strict/objects/?match[version]=all&limit=1000").await;
    assert_eq!(status, 200);
    let mut by_id: std::collections::BTreeMap<String, Vec<(String, bool)>> = Default::default();
    for o in env["objects"].as_array().unwrap() {
        let version = o["modified"].as_str().or(o["created"].as_str()).unwrap_or("").to_owned();
        by_id.entry(o["id"].as_str().unwrap().to_owned()).or_default().push((version, o["revoked"] == true));
    }
    for (id, mut versions) in by_id {
        versions.sort();
        if let Some(pos) = versions.iter().position(|(_, revoked)| *revoked) {
            assert_eq!(pos, versions.len() - 1, "{id} was updated after being revoked: {versions:?}");
        }
    }
    // And the comeback is live for GREEN readers.
    let g = key(srv, &ana, "green", "GREEN").await;
    assert!(feed(srv, &g, "ipv4.txt").await.contains("45.11.22.33"));
});

// A sighting object names the organizations behind it (`where_sighted_refs`) only for
// channels whose admins allowed attribution; a channel without it adds to the count alone.
server_test!(sightings_name_organizations_only_where_attribution_is_on, |srv| {
    let ana = srv.user("ana").await;
    let bob = srv.user("bob").await;
    let carol = srv.user("carol").await;
    let team = ana.team("isac").await;
    for c in [&bob, &carol] {
        c.join_team(&team).await;
    }
    let named = ana.channel(&team, "named", "O").await;
    let anonymous = ana.channel(&team, "anonymous", "O").await;
    for (c, attribution) in [(&named, true), (&anonymous, false)] {
        let patch = j!({"intel_mode": "auto-publish", "tlp": "GREEN", "intel_attribution": attribution});
        assert_eq!(ana.put(&format!("/channels/{c}/patch"), patch).await.status, 200);
        for u in [&bob, &carol] {
            u.join_channel(c).await;
        }
    }
    // Both organizations post 45.61.7.7 where attribution is on; carol's alone carries 45.61.8.8.
    bob.say(&named, "beacon to 45.61.7.7").await;
    carol.say(&named, "same here, 45.61.7.7").await;
    ana.say(&anonymous, "and 45.61.7.7 again").await;
    carol.say(&anonymous, "new one: 45.61.8.8").await;
    srv.state.app.publish_pending().await.unwrap();

    let k = key(srv, &ana, "green", "GREEN").await;
    let (status, env, _) = taxii(srv, &k, "api/collections/tlp-green/objects/?limit=1000").await;
    assert_eq!(status, 200, "{env}");
    let objects = env["objects"].as_array().unwrap();
    let sighting_of = |value: &str| {
        let ind = objects.iter().find(|o| o["type"] == "indicator" && o["pattern"].as_str().unwrap().contains(value)).expect(value);
        objects.iter().find(|o| o["type"] == "sighting" && o["sighting_of_ref"] == ind["id"]).expect("sighting").clone()
    };
    let both = sighting_of("45.61.7.7");
    assert_eq!(both["count"], 3, "{both}");
    let refs: Vec<&str> = both["where_sighted_refs"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    assert_eq!(refs.len(), 2, "bob's and carol's organizations, not ana's: {both}");
    assert!(refs.iter().all(|r| r.starts_with("identity--")) && refs[0] != refs[1], "{both}");
    let unnamed = sighting_of("45.61.8.8");
    assert_eq!(unnamed["count"], 1, "{unnamed}");
    assert!(unnamed["where_sighted_refs"].as_array().is_none_or(|a| a.is_empty()), "no attribution in that channel: {unnamed}");
});

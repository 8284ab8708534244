//! Intel egress through the real router, on both backends: TAXII as clients request it, TLP
//! ceilings on every feed and collection, and what must leave an audience (relabelled
//! channels, deleted posts, RED context). Regression tests named after the bugs they pin;
//! `tests/compat/intel` judges the same rules with taxii2-client and stix2-validator.

mod common;

use common::{Client, j};
use serde_json::Value;

const TAXII: &str = "application/taxii+json;version=2.1";

async fn key(admin: &Client, name: &str, ceiling: &str) -> String {
    let r = admin.post("/intel/feed_keys", j!({"name": name, "tlp_ceiling": ceiling})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["key"].as_str().unwrap().to_owned()
}

async fn taxii(srv: &common::Server, key: &str, path: &str) -> (u16, String, Value) {
    let r = srv.http.get(format!("http://{}/taxii2/{path}", srv.addr)).basic_auth("anyone", Some(key)).header("accept", TAXII).send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, ct, r.json().await.unwrap_or(Value::Null))
}

// taxii2-client requests discovery at `/taxii2/` (with the slash); the nested router only
// matched `/taxii2`, so the web client's HTML answered and the client gave up.
server_test!(taxii_discovery_answers_at_the_trailing_slash, |srv| {
    let admin = srv.user("admin1").await;
    let k = key(&admin, "reader", "GREEN").await;
    let (status, ct, body) = taxii(srv, &k, "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ct, TAXII);
    assert_eq!(body["api_roots"][0], format!("http://{}/taxii2/api/", srv.addr));
    let (status, ct, _) = taxii(srv, "ck_wrong", "").await;
    assert_eq!((status, ct.as_str()), (401, TAXII));
    // taxii2-client's TokenAuth sends `Authorization: Token <key>`.
    let r = srv
        .http
        .get(format!("http://{}/taxii2/", srv.addr))
        .header("authorization", format!("Token {k}"))
        .header("accept", TAXII)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
});

/// A channel with a label and capture in auto-publish.
async fn labelled(admin: &Client, team: &str, name: &str, kind: &str, tlp: &str) -> String {
    let ch = admin.channel(team, name, kind).await;
    let r = admin.put(&format!("/channels/{ch}/patch"), j!({"tlp": tlp, "intel_mode": "auto-publish"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    ch
}

async fn publish(srv: &common::Server) {
    while srv.state.app.publish_pending().await.unwrap() > 0 {}
}

/// Every version of every object in a collection.
async fn all_versions(srv: &common::Server, key: &str, collection: &str) -> Vec<Value> {
    let (status, _, env) = taxii(srv, key, &format!("api/collections/{collection}/objects/?match[version]=all&limit=1000")).await;
    assert_eq!(status, 200, "{env}");
    assert_ne!(env["more"], true);
    env["objects"].as_array().cloned().unwrap_or_default()
}

/// The latest version of each object in a collection, by id.
async fn latest(srv: &common::Server, key: &str, collection: &str) -> std::collections::HashMap<String, Value> {
    let (status, _, env) = taxii(srv, key, &format!("api/collections/{collection}/objects/?limit=1000")).await;
    assert_eq!(status, 200, "{env}");
    env["objects"].as_array().unwrap().iter().map(|o| (o["id"].as_str().unwrap().to_owned(), o.clone())).collect()
}

/// The `modified` of the versions `match[version]` selects for one object.
async fn versions_of(srv: &common::Server, key: &str, id: &str, selector: &str) -> Vec<String> {
    let (status, _, env) = taxii(srv, key, &format!("api/collections/tlp-green/objects/?match[id]={id}&match[version]={selector}")).await;
    assert_eq!(status, 200, "{env}");
    env["objects"].as_array().unwrap().iter().map(|o| o["modified"].as_str().unwrap().to_owned()).collect()
}

fn indicator_of<'a>(objects: impl IntoIterator<Item = &'a Value>, value: &str) -> Option<&'a Value> {
    objects.into_iter().find(|o| o["type"] == "indicator" && o["pattern"].as_str().is_some_and(|p| p.contains(&format!("'{value}'"))))
}

async fn feed(srv: &common::Server, key: &str, name: &str) -> String {
    let r = srv.http.get(format!("http://{}/feeds/{name}", srv.addr)).bearer_auth(key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

fn ms(ts: &str) -> i64 {
    let t = time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).unwrap();
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

// A value seen in RED first and in GREEN later is shareable at GREEN, but the exported
// indicator's `created`/`valid_from`, its sighting, and the CSV's count and first_seen all
// described the RED sighting too.
server_test!(red_sighting_context_stays_inside, |srv| {
    let admin = srv.user("admin1").await;
    let team = admin.team("isac").await;
    let red = labelled(&admin, &team, "red", "P", "RED").await;
    let green = labelled(&admin, &team, "green", "O", "GREEN").await;
    admin.say(&red, "victim beacon to 91.240.118.172").await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let post = admin.say(&green, "scanner 91.240.118.172").await;
    let t = post["create_at"].as_i64().unwrap();
    publish(srv).await;
    let k = key(&admin, "green", "GREEN").await;
    let objects = all_versions(srv, &k, "tlp-green").await;
    let ind = indicator_of(&objects, "91.240.118.172").expect("shared at GREEN");
    assert!(ms(ind["created"].as_str().unwrap()) >= t, "{ind}");
    assert!(ms(ind["valid_from"].as_str().unwrap()) >= t, "{ind}");
    let sightings: Vec<&Value> = objects.iter().filter(|o| o["sighting_of_ref"] == ind["id"]).collect();
    assert_eq!(sightings.len(), 1, "{sightings:?}");
    assert_eq!(sightings[0]["count"], 1);
    assert!(ms(sightings[0]["first_seen"].as_str().unwrap()) >= t && ms(sightings[0]["created"].as_str().unwrap()) >= t);
    let csv = feed(srv, &k, "indicators.csv").await;
    let row: Vec<&str> = csv.lines().find(|l| l.starts_with("91.240.118.172,")).unwrap().split(',').collect();
    assert_eq!((row[2], row[9]), ("TLP:GREEN", "1"), "{csv}");
    assert!(ms(row[4]) >= t, "{csv}");
    // A later RED mention changes nothing anyone outside can read: no new version, same CSV.
    let before = all_versions(srv, &k, "tlp-green").await.len();
    admin.say(&red, "again 91.240.118.172").await;
    publish(srv).await;
    assert_eq!(all_versions(srv, &k, "tlp-green").await.len(), before, "a RED mention appended versions");
    assert_eq!(feed(srv, &k, "indicators.csv").await, csv);
});

// Relabelling a channel GREEN -> RED and deleting the only GREEN post revoked the indicator
// for the GREEN audience but left its sighting objects (counts, times) live there.
server_test!(relabel_and_deletion_revoke_sightings_too, |srv| {
    let admin = srv.user("admin1").await;
    let team = admin.team("isac").await;
    let relabel = labelled(&admin, &team, "relabel", "O", "GREEN").await;
    let green = labelled(&admin, &team, "green", "O", "GREEN").await;
    admin.say(&relabel, "c2 45.66.21.10").await;
    let gone = admin.say(&green, "kit at only-once-green.net").await;
    publish(srv).await;
    let k = key(&admin, "amber", "AMBER").await;
    for collection in ["tlp-green", "tlp-amber"] {
        let now = latest(srv, &k, collection).await;
        assert!(indicator_of(now.values(), "45.66.21.10").is_some_and(|o| o.get("revoked").is_none()));
    }
    assert_eq!(admin.put(&format!("/channels/{relabel}/patch"), j!({"tlp": "RED"})).await.status, 200);
    assert_eq!(admin.delete(&format!("/posts/{}", gone["id"].as_str().unwrap())).await.status, 200);
    publish(srv).await;
    for collection in ["tlp-green", "tlp-amber"] {
        let now = latest(srv, &k, collection).await;
        for value in ["45.66.21.10", "only-once-green.net"] {
            let ind = indicator_of(now.values(), value).unwrap();
            assert_eq!(ind["revoked"], true, "{collection}: {ind}");
            for s in now.values().filter(|o| o["sighting_of_ref"] == ind["id"]) {
                assert_eq!(s["revoked"], true, "{collection}: sighting of {value} still live: {s}");
            }
        }
    }
    // match[version] values are ORed (it answered only the latest for `first,last`, and 400
    // for `first,<timestamp>`).
    let id = indicator_of(latest(srv, &k, "tlp-green").await.values(), "45.66.21.10").unwrap()["id"].as_str().unwrap().to_owned();
    let every = versions_of(srv, &k, &id, "all").await;
    assert!(every.len() >= 2, "{every:?}");
    assert_eq!(versions_of(srv, &k, &id, "first,last").await, vec![every[0].clone(), every[every.len() - 1].clone()]);
    assert_eq!(versions_of(srv, &k, &id, &format!("first,{}", every[0])).await, vec![every[0].clone()]);
    assert_eq!(versions_of(srv, &k, &id, &format!("last,{}", every[0])).await, vec![every[0].clone(), every[every.len() - 1].clone()]);
    assert!(!feed(srv, &k, "ipv4.txt").await.contains("45.66.21.10"));
    assert!(!feed(srv, &k, "domains.txt").await.contains("only-once-green.net"));
});

// A member's view of an indicator showed its update_at/published_at/first_seen over every
// channel, so a sighting in a private channel changed what an outsider read.
server_test!(private_sighting_does_not_move_an_outsiders_view, |srv| {
    let admin = srv.user("admin1").await;
    let outsider = srv.user("outsider").await;
    let team = admin.team("isac").await;
    assert_eq!(admin.post(&format!("/teams/{team}/members"), j!({"team_id": team, "user_id": outsider.id})).await.status, 201);
    let green = labelled(&admin, &team, "green", "O", "GREEN").await;
    let secret = labelled(&admin, &team, "secret", "P", "AMBER").await;
    admin.say(&secret, "first staging at earlier-in-private.org").await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let public = admin.say(&green, "seen: invoice-docs.net and earlier-in-private.org").await;
    publish(srv).await;
    let view = |q: &'static str| {
        let outsider = outsider.clone();
        async move {
            let list = outsider.get(&format!("/intel/indicators?q={q}")).await.body;
            let id = list[0]["id"].as_str().unwrap().to_owned();
            (list, outsider.get(&format!("/intel/indicators/{id}")).await.body)
        }
    };
    let (list, detail) = view("earlier-in-private").await;
    let t = public["create_at"].as_i64().unwrap();
    for item in [&list[0], &detail] {
        for field in ["first_seen", "create_at", "last_seen", "update_at"] {
            assert!(item[field].as_i64().unwrap() >= t, "{field} dates the private sighting: {item}");
        }
        assert!(item.get("published_at").is_none(), "{item}");
        assert_eq!(item["sighting_count"], 1);
    }
    let before = view("invoice-docs").await;
    admin.say(&secret, "also invoice-docs.net").await;
    publish(srv).await;
    assert_eq!(view("invoice-docs").await, before);
});

// Every key ceiling against every feed and collection: nothing above the ceiling, nothing
// seen only in RED anywhere, the inbox unreadable.
server_test!(egress_matrix_respects_every_ceiling, |srv| {
    let admin = srv.user("admin1").await;
    let team = admin.team("isac").await;
    let labels = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"];
    let rank = |l: &str| labels.iter().position(|x| *x == l).unwrap();
    let values = [
        ("45.61.21.10", "c2.clear-example.net"),
        ("45.62.21.10", "c2.green-example.net"),
        ("45.63.21.10", "c2.amber-example.net"),
        ("45.64.21.10", "c2.strict-example.net"),
        ("45.65.21.10", "c2.red-example.net"),
    ];
    for (i, label) in labels.iter().enumerate() {
        let ch = labelled(&admin, &team, &format!("ch{i}"), "P", label).await;
        admin.say(&ch, &format!("{} and {}", values[i].0, values[i].1)).await;
    }
    publish(srv).await;
    let markings = [
        ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", 0),
        ("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", 1),
        ("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", 2),
        ("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", 3),
    ];
    let collections = [("tlp-clear", 0), ("tlp-green", 1), ("tlp-amber", 2), ("tlp-amber-strict", 3)];
    let mut cells = 0;
    for ceiling in labels {
        let k = key(&admin, &format!("k{}", rank(ceiling)), ceiling).await;
        let c = rank(ceiling).min(3);
        for feed_name in ["ipv4.txt", "domains.txt", "indicators.csv"] {
            let text = feed(srv, &k, feed_name).await;
            for (i, (ip, domain)) in values.iter().enumerate() {
                cells += 1;
                let listed = text.contains(ip) || text.contains(domain);
                assert_eq!(listed, i <= c, "{ceiling} {feed_name}: {ip}/{domain}");
            }
        }
        for (alias, at) in collections {
            let (status, _, _) = taxii(srv, &k, &format!("api/collections/{alias}/objects/")).await;
            if at > c {
                assert_eq!(status, 404, "{ceiling} reads {alias}");
                continue;
            }
            for o in all_versions(srv, &k, alias).await {
                cells += 1;
                let text = o.to_string();
                assert!(!text.contains("45.65.21.10") && !text.contains("red-example"), "{ceiling} {alias}: RED leaked: {o}");
                for m in o["object_marking_refs"].as_array().into_iter().flatten() {
                    let r = markings.iter().find(|(id, _)| m == id).map(|(_, r)| *r).expect("a known TLP marking");
                    assert!(r <= at.min(c), "{ceiling} {alias}: {o}");
                }
            }
        }
        let (status, _, _) = taxii(srv, &k, "api/collections/contributions/objects/").await;
        assert!(status == 403 || status == 404, "{ceiling} reads the inbox: {status}");
    }
    assert!(cells > 60, "{cells}");
});

// A partner collection (an audience narrowed to tags) also received every untagged
// indicator, and an indicator whose tag was removed stayed live there.
server_test!(partner_collections_get_only_tagged_indicators, |srv| {
    let admin = srv.user("admin1").await;
    let team = admin.team("isac").await;
    let r = admin.put(&format!("/teams/{team}/members/{}/roles", admin.id), j!({"roles": "team_user team_admin team_analyst"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let green = labelled(&admin, &team, "green", "O", "GREEN").await;
    admin.say(&green, "ransomware c2 45.62.21.10, unrelated scanner 45.62.21.11").await;
    let r = admin.post("/intel/collections", j!({"alias": "partner-rw", "tlp_ceiling": "AMBER", "tags": ["ransomware"]})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = admin.post("/intel/feed_keys", j!({"name": "partner", "tlp_ceiling": "AMBER", "collections": ["partner-rw"]})).await;
    let k = r.body["key"].as_str().unwrap().to_owned();
    let tagged = admin.get("/intel/indicators?q=45.62.21.10").await.body[0]["id"].as_str().unwrap().to_owned();
    let review = format!("/intel/indicators/{tagged}/review");
    assert_eq!(admin.post(&review, j!({"action": "update", "tags": ["ransomware"]})).await.status, 200);
    publish(srv).await;
    let now = latest(srv, &k, "partner-rw").await;
    assert!(indicator_of(now.values(), "45.62.21.10").is_some(), "{now:?}");
    assert!(indicator_of(now.values(), "45.62.21.11").is_none(), "an untagged indicator reached the partner");
    assert!(now.values().any(|o| o["type"] == "marking-definition"), "shared objects are in every collection");
    // The lists follow the same restriction: the partner's key gets the tagged value only.
    assert_eq!(feed(srv, &k, "ipv4.txt").await, "45.62.21.10\n");
    let csv = feed(srv, &k, "indicators.csv").await;
    assert!(csv.contains("\n45.62.21.10,") && !csv.contains("45.62.21.11"), "{csv}");
    assert_eq!(admin.post(&review, j!({"action": "update", "tags": []})).await.status, 200);
    publish(srv).await;
    let now = latest(srv, &k, "partner-rw").await;
    assert_eq!(indicator_of(now.values(), "45.62.21.10").unwrap()["revoked"], true, "untagged, it must leave the partner");
    assert_eq!(taxii(srv, &k, "api/collections/tlp-green/objects/").await.0, 404, "the key is restricted to its partner collection");
    assert_eq!(feed(srv, &k, "ipv4.txt").await, "", "untagged, it leaves the partner's lists too");
    let all = key(&admin, "all", "AMBER").await;
    let main = latest(srv, &all, "tlp-green").await;
    // Withdrawn from the partner, the indicator comes back to GREEN under a fresh object id
    // (STIX never updates a revoked object): some live object for the value must be there.
    let live = main
        .values()
        .any(|o| o["type"] == "indicator" && o["pattern"].as_str().is_some_and(|p| p.contains("'45.62.21.10'")) && o.get("revoked").is_none());
    assert!(live, "still shared with GREEN");
});

// Contributions: a body over max_content_length was refused with axum's plain-text 413,
// not a TAXII error, and an envelope declared as TAXII 2.0 was accepted.
server_test!(taxii_post_errors_are_taxii_errors, |srv| {
    let admin = srv.user("admin1").await;
    let r = admin.post("/intel/feed_keys", j!({"name": "writer", "tlp_ceiling": "GREEN", "can_write": true})).await;
    let k = r.body["key"].as_str().unwrap().to_owned();
    // A fresh client per request: after refusing an oversized body the server closes that
    // connection, and a pooled client could race to reuse it.
    let post = |ct: &'static str, body: Vec<u8>| {
        reqwest::Client::new()
            .post(format!("http://{}/taxii2/api/collections/contributions/objects/", srv.addr))
            .basic_auth("org", Some(k.clone()))
            .header("accept", TAXII)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let big = format!("{{\"objects\":[{{\"id\":\"x\",\"pattern\":\"{}\"}}]}}", "a".repeat(11 << 20));
    let r = post(TAXII, big.into_bytes()).await.unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], TAXII);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["http_status"], "413", "{body}");
    for ct in ["application/taxii+json;version=2.0", "application/json"] {
        let r = post(ct, b"{\"objects\":[]}".to_vec()).await.unwrap();
        assert_eq!(r.status(), 415, "{ct}");
        assert_eq!(r.headers()["content-type"], TAXII);
    }
    let r = post("application/taxii+json; version=2.1", b"{\"objects\":[]}".to_vec()).await.unwrap();
    assert_eq!(r.status(), 202);
});

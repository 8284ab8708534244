//! The audit log records every kind of security-relevant event, only system admins read it,
//! its export is JSON lines in order, and exporting is itself recorded.

mod common;

use common::j;
use serde_json::Value;

/// The actions the log must hold after the scripted session below.
const EXPECTED: &[&str] = &[
    "login.success",
    "login.failure",
    "authz.deny",
    "team.member_add",
    "channel.member_add",
    "channel.member_remove",
    "channel.member_roles",
    "channel.intel",
    "user.roles",
    "user.deactivate",
    "feed_key.create",
    "feed_key.use",
    "session.logout",
];

server_test!(every_security_event_is_recorded, |srv| {
    let admin = srv.user("sysop").await;
    let alice = srv.user("alice").await;
    let mallory = srv.user("mallory").await;
    let team = admin.team("isac").await;
    for u in [&alice, &mallory] {
        assert_eq!(admin.post(&format!("/teams/{team}/members"), j!({"team_id": team, "user_id": u.id})).await.status, 201);
    }
    let room = admin.channel(&team, "war-room", "P").await;
    assert_eq!(admin.post(&format!("/channels/{room}/members"), j!({"user_id": alice.id})).await.status, 201);
    assert_eq!(admin.put(&format!("/channels/{room}/members/{}/roles", alice.id), j!({"roles": "channel_user channel_admin"})).await.status, 200);
    assert_eq!(admin.put(&format!("/channels/{room}/patch"), j!({"tlp": "AMBER", "intel_mode": "auto-publish"})).await.status, 200);
    assert_eq!(admin.delete(&format!("/channels/{room}/members/{}", alice.id)).await.status, 200);
    // A denial: mallory is not in the private room (which she is not even told exists).
    assert!(matches!(mallory.get(&format!("/channels/{room}/posts")).await.status, 403 | 404));
    // A failed login, with a password that must not appear anywhere in the log.
    let r = srv.http.post(srv.url("/users/login")).json(&j!({"login_id": "alice", "password": "wrong-canary-pw"})).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(admin.put(&format!("/users/{}/roles", alice.id), j!({"roles": "system_user"})).await.status, 200);
    assert_eq!(admin.put(&format!("/users/{}/active", mallory.id), j!({"active": false})).await.status, 200);
    let r = admin.post("/intel/feed_keys", j!({"name": "siem", "tlp_ceiling": "GREEN"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let key = r.body["key"].as_str().unwrap().to_owned();
    let r = srv.http.get(format!("http://{}/feeds/ipv4.txt", srv.addr)).bearer_auth(&key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let leaving = srv.login("alice").await;
    assert_eq!(leaving.post("/users/logout", j!({})).await.status, 200);

    // Only system admins read the log, by either route.
    assert_eq!(alice.get("/audits").await.status, 403);
    assert_eq!(alice.get("/audits/export").await.status, 403);

    let r = admin.get("/audits?limit=1000").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let entries = r.body.as_array().unwrap().clone();
    let actions: Vec<&str> = entries.iter().filter_map(|e| e["action"].as_str()).collect();
    for want in EXPECTED {
        assert!(actions.contains(want), "the audit log has no `{want}`: {actions:?}");
    }
    let deny = entries.iter().find(|e| e["action"] == "authz.deny").unwrap();
    assert!(deny["actor"].as_str().unwrap().contains(&mallory.id) && deny["target"] == format!("channel:{room}"), "{deny}");
    let all = r.body.to_string();
    assert!(!all.contains("wrong-canary-pw") && !all.contains(&key) && !all.contains(&admin.token), "a secret reached the audit log");
    // Append-only and ordered: sequence numbers strictly increase.
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    // Paging from a sequence number returns exactly what follows it.
    let mid = seqs[seqs.len() / 2];
    let after = admin.get(&format!("/audits?after={mid}&limit=1000")).await.body;
    let after_seqs: Vec<i64> = after.as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(after_seqs, seqs.iter().copied().filter(|s| *s > mid).collect::<Vec<_>>());

    // The export is JSON lines with the same entries, and is recorded itself.
    let r = admin.get("/audits/export").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/x-ndjson");
    let text = r.body.as_str().unwrap().to_owned();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.iter().map(|e| e["seq"].as_i64().unwrap()).collect::<Vec<_>>(), seqs);
    let latest = admin.get("/audits?limit=1000").await.body;
    assert!(latest.as_array().unwrap().iter().any(|e| e["action"] == "audit.export"), "exporting the log is not recorded");
});

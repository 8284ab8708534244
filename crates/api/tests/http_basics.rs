//! The Mattermost wire contract through the real router: headers, shapes, codes, events.

mod common;

use common::{Socket, j};

server_test!(ping_and_headers, |srv| {
    let r = srv.http.get(srv.url("/system/ping")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert!(r.headers()["x-version-id"].to_str().unwrap().starts_with("10.11.0"));
    let r = srv.http.get(srv.url("/config/client?format=old")).send().await.unwrap();
    let cfg: serde_json::Value = r.json().await.unwrap();
    assert_eq!(cfg["Version"], "10.11.0");
    assert!(cfg.as_object().unwrap().values().all(|v| v.is_string()));
});

server_test!(login_sets_token_and_cookies, |srv| {
    srv.user("alice").await;
    let r = srv.http.post(srv.url("/users/login")).json(&j!({"login_id": "alice", "password": "correct horse battery"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["token"].len(), 26);
    let cookies: Vec<_> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    for name in ["MMAUTHTOKEN=", "MMUSERID=", "MMCSRF="] {
        assert!(cookies.iter().any(|c| c.starts_with(name)), "{name} in {cookies:?}");
    }
    assert!(cookies.iter().any(|c| c.starts_with("MMAUTHTOKEN=") && c.contains("HttpOnly")));
    let bad = srv.http.post(srv.url("/users/login")).json(&j!({"login_id": "alice", "password": "nope nope nope"})).send().await.unwrap();
    assert_eq!(bad.status(), 401);
    let body: serde_json::Value = bad.json().await.unwrap();
    for key in ["id", "message", "detailed_error", "request_id", "status_code"] {
        assert!(body.get(key).is_some(), "{key} in {body}");
    }
});

server_test!(cookie_writes_need_csrf, |srv| {
    let alice = srv.user("alice").await;
    let cookie = format!("MMAUTHTOKEN={}", alice.token);
    let r =
        srv.http.post(srv.url("/teams")).header("cookie", &cookie).json(&j!({"name": "t1", "display_name": "T1", "type": "O"})).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = srv
        .http
        .post(srv.url("/teams"))
        .header("cookie", &cookie)
        .header("x-requested-with", "XMLHttpRequest")
        .json(&j!({"name": "t1", "display_name": "T1", "type": "O"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = srv.http.get(srv.url("/users/me")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), 200);
});

server_test!(chat_flow_with_events, |srv| {
    let alice = srv.user("alice").await;
    let bob = srv.user("bob").await;
    let team = alice.team("isac").await;
    assert_eq!(bob.post(&format!("/teams/{team}/members"), j!({"team_id": team, "user_id": bob.id})).await.status, 201);
    let room = alice.channel(&team, "war-room", "P").await;
    assert_eq!(alice.post(&format!("/channels/{room}/members"), j!({"user_id": bob.id})).await.status, 201);
    let mut ws = Socket::connect(srv.addr, &bob.token).await;
    let post = alice.say(&room, "beacon at 45.137.21.9").await;
    let posted = ws.expect_event("posted").await;
    let inner: serde_json::Value = serde_json::from_str(posted["data"]["post"].as_str().unwrap()).unwrap();
    assert_eq!(inner["id"], post["id"]);
    let pid = post["id"].as_str().unwrap();
    assert_eq!(alice.put(&format!("/posts/{pid}/patch"), j!({"message": "beacon at 45.137.21.10"})).await.status, 200);
    ws.expect_event("post_edited").await;
    assert_eq!(bob.post("/reactions", j!({"user_id": bob.id, "post_id": pid, "emoji_name": "eyes"})).await.status, 200);
    ws.expect_event("reaction_added").await;
    let list = bob.get(&format!("/channels/{room}/posts")).await;
    assert_eq!(list.body["order"][0], pid);
    assert_eq!(list.body["posts"][pid]["metadata"]["reactions"][0]["emoji_name"], "eyes");
    let found = bob.post("/posts/search", j!({"terms": "45.137.21.10", "is_or_search": false})).await;
    assert_eq!(found.body["order"].as_array().unwrap().len(), 1);
    assert_eq!(alice.delete(&format!("/posts/{pid}")).await.status, 200);
    ws.expect_event("post_deleted").await;
});

server_test!(bad_input_gets_app_errors, |srv| {
    let alice = srv.user("alice").await;
    let cases: Vec<(reqwest::Method, &str, Option<&str>)> = vec![
        (reqwest::Method::POST, "/posts", Some("{not json")),
        (reqwest::Method::POST, "/posts", Some("{\"channel_id\": 5}")),
        (reqwest::Method::GET, "/posts/not-an-id", None),
        (reqwest::Method::GET, "/channels/zzzzzzzzzzzzzzzzzzzzzzzzzz/posts?before=bad", None),
        (reqwest::Method::GET, "/no/such/route", None),
        (reqwest::Method::PATCH, "/system/ping", None),
        (reqwest::Method::POST, "/users/login", Some("[]")),
    ];
    for (method, path, body) in cases {
        let mut req = srv.http.request(method.clone(), srv.url(path)).bearer_auth(&alice.token);
        if let Some(b) = body {
            req = req.body(b.to_owned());
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        assert!((400..500).contains(&status), "{method} {path}: {status}");
        assert_eq!(r.headers()["content-type"], "application/json", "{method} {path}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["status_code"], status, "{method} {path}: {v}");
    }
    let huge = "x".repeat(2 << 20);
    let r = srv.http.post(srv.url("/posts")).bearer_auth(&alice.token).body(huge).send().await.unwrap();
    assert_eq!(r.status(), 413);
});

server_test!(channel_pages_carry_etags, |srv| {
    let alice = srv.user("alice").await;
    let team = alice.team("isac").await;
    let room = alice.channel(&team, "room", "O").await;
    let post = alice.say(&room, "one").await;
    let url = srv.url(&format!("/channels/{room}/posts"));
    let first = srv.http.get(&url).bearer_auth(&alice.token).send().await.unwrap();
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = srv.http.get(&url).bearer_auth(&alice.token).header("if-none-match", &tag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    let pid = post["id"].as_str().unwrap();
    alice.put(&format!("/posts/{pid}/patch"), j!({"message": "one, edited"})).await;
    let changed = srv.http.get(&url).bearer_auth(&alice.token).header("if-none-match", &tag).send().await.unwrap();
    assert_eq!(changed.status(), 200, "an edit must change the ETag");
});

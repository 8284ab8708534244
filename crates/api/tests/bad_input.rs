//! A corpus of malformed requests against every route in the route table: invalid ids,
//! malformed JSON, wrong types, oversized bodies, bad multipart and WebSocket frames. None
//! may produce a 5xx or anything but the AppError shape, and the server must stay up.

mod common;

use common::j;

/// `(method, path)` for every route, read from the route table itself so that a new route
/// is covered without editing this test.
fn routes() -> Vec<(reqwest::Method, String)> {
    let table = include_str!("../src/routes/mod.rs");
    let mut out = Vec::new();
    for chunk in table.split(".route(\"").skip(1) {
        let Some((path, rest)) = chunk.split_once('"') else { continue };
        let stmt = rest.split(".route(").next().unwrap_or(rest);
        for (name, method) in
            [("get(", reqwest::Method::GET), ("post(", reqwest::Method::POST), ("put(", reqwest::Method::PUT), ("delete(", reqwest::Method::DELETE)]
        {
            if stmt.contains(name) {
                out.push((method, path.to_owned()));
            }
        }
    }
    out
}

const PARAMS: &[&str] = &["aaaaaaaaaaaaaaaaaaaaaaaaaa", "me", "not-an-id", "..%2F..%2Fetc%2Fpasswd", "%00", "%E2%80%AE%F0%9F%92%A3", "x"];

fn bodies() -> Vec<Option<String>> {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    vec![
        None,
        Some("{".into()),
        Some("[]".into()),
        Some("null".into()),
        Some("\"just a string\"".into()),
        Some(deep),
        Some(j!({"channel_id": 5, "message": [], "user_id": {}, "team_id": true, "terms": 12, "name": null, "display_name": 1e308, "type": "Z", "roles": ["a"], "props": "p", "file_ids": "x", "root_id": 7}).to_string()),
        Some(j!({"channel_id": "aaaaaaaaaaaaaaaaaaaaaaaaaa", "message": "\u{0000}\u{202e}", "name": "a".repeat(300), "display_name": "", "type": "O", "terms": "\"unterminated -", "login_id": "x", "password": ""}).to_string()),
        Some(j!(["not-an-id", 1, null, {}]).to_string()),
        Some("\u{fffd}\u{0}\u{1b}[31m".into()),
    ]
}

fn fill(path: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map(|e| start + e + 1).unwrap_or(rest.len());
        out.push_str(value);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

server_test!(no_request_in_the_corpus_gets_a_5xx, |srv| {
    let alice = srv.user("alice").await;
    let team = alice.team("isac").await;
    alice.channel(&team, "room", "O").await;
    let routes = routes();
    assert!(routes.len() > 100, "route table parse found only {}", routes.len());
    let mut sent = 0;
    let mut failures = Vec::new();
    for (method, path) in &routes {
        if path.contains("websocket") {
            continue;
        }
        let params: &[&str] = if path.contains('{') { PARAMS } else { &["-"] };
        for param in params {
            let url = srv.url(&fill(path, param));
            for body in bodies() {
                for auth in [true, false] {
                    let mut req = srv.http.request(method.clone(), &url);
                    if auth {
                        req = req.bearer_auth(&alice.token);
                    }
                    if let Some(b) = &body {
                        req = req.body(b.clone());
                    }
                    let r = req.send().await.unwrap();
                    sent += 1;
                    let status = r.status().as_u16();
                    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_owned()).unwrap_or_default();
                    if status >= 500 {
                        failures.push(format!("{method} {url} -> {status}"));
                    } else if status >= 400 {
                        let v: serde_json::Value = r.json().await.unwrap_or_default();
                        if ct != "application/json" || v["status_code"] != status || v["id"].as_str().is_none_or(str::is_empty) {
                            failures.push(format!("{method} {url} -> {status} without AppError shape: {v}"));
                        }
                    }
                }
            }
        }
    }
    // The corpus may have logged alice out or deactivated her (it calls every route), so
    // the rest uses a fresh account.
    let zed = srv.user("zed").await;
    // Oversized bodies: refused with 413, or the connection is closed before the server reads
    // the whole body (also a refusal; hyper closes instead of draining megabytes).
    for path in ["/posts", "/users", "/teams", "/channels", "/users/login"] {
        sent += 1;
        match srv.http.post(srv.url(path)).bearer_auth(&zed.token).body(vec![b'{'; 3 << 20]).send().await {
            Ok(r) if r.status() != 413 => failures.push(format!("oversized POST {path} -> {}", r.status())),
            _ => {}
        }
    }
    for (ct, body) in [
        ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"files\"\r\n\r\nabc"),
        ("multipart/form-data", "garbage"),
        ("multipart/form-data; boundary=x", "--x--"),
    ] {
        // A fresh client: the oversized requests above may have left a reset connection in
        // the shared pool.
        let r = reqwest::Client::new().post(srv.url("/files")).bearer_auth(&zed.token).header("content-type", ct).body(body).send().await.unwrap();
        sent += 1;
        if !(400..500).contains(&r.status().as_u16()) {
            failures.push(format!("bad multipart {ct:?} -> {}", r.status()));
        }
    }
    let ping = reqwest::Client::new().get(srv.url("/system/ping")).send().await.unwrap();
    assert_eq!(ping.status(), 200, "server down after the corpus");
    eprintln!("bad-input corpus: {sent} requests, {} routes, {} failures", routes.len(), failures.len());
    let backend = if srv.db.url.starts_with("postgres") { "postgres" } else { "sqlite" };
    common::write_report(
        &format!("bad-input-{backend}"),
        &j!({"backend": backend, "requests": sent, "routes": routes.len(), "failures": failures.len()}),
    );
    assert!(failures.is_empty(), "{} failures, first 20:\n{}", failures.len(), failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
});

server_test!(bad_websocket_frames_close_only_that_socket, |srv| {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let alice = srv.user("alice").await;
    for frame in [
        Message::Text("x".repeat(200_000).into()),
        Message::Binary(vec![0xff; 100].into()),
        Message::Text("{\"action\":".into()),
        Message::Text("[]".into()),
    ] {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/api/v4/websocket", srv.addr)).await.unwrap();
        let _ = ws.send(Message::Text(j!({"seq": 1, "action": "authentication_challenge", "data": {"token": alice.token}}).to_string().into())).await;
        let _ = ws.send(frame).await;
        // Drain until the server closes or goes quiet.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), async { while let Some(Ok(_)) = ws.next().await {} }).await;
    }
    let ping = srv.http.get(srv.url("/system/ping")).send().await.unwrap();
    assert_eq!(ping.status(), 200);
});

// Found by schemathesis: a TLP label whose fourth byte falls inside a character (`"0\u{80}"`)
// panicked in `Tlp::parse` and the connection was dropped without an answer.
server_test!(tlp_labels_with_multibyte_characters_are_refused_not_crashed, |srv| {
    let admin = srv.user("admin1").await;
    let team = admin.team("isac").await;
    let channel = admin.channel(&team, "room", "O").await;
    for label in ["0\u{80}", "abc\u{f1}", "tlp\u{f1}red"] {
        let r = admin.post("/intel/feed_keys", j!({"name": "k", "tlp_ceiling": label})).await;
        assert_eq!(r.status, 400, "{label}: {}", r.body);
        assert_eq!(r.body["status_code"], 400);
        let r = admin.put(&format!("/channels/{channel}/patch"), j!({"tlp": label})).await;
        assert_eq!(r.status, 400, "{label}: {}", r.body);
        let r = admin.post("/teams", j!({"name": "t2", "display_name": "T", "type": "O", "default_tlp": label})).await;
        assert_eq!(r.status, 400, "{label}: {}", r.body);
    }
});

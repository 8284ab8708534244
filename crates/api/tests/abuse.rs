//! Abuse limits, each exercised against a real server with the default limits on. Prints
//! what held and writes `reports/abuse.json`.

mod common;

use api::ApiConfig;
use common::{Server, j};
use domain::settings::Settings;
use futures_util::{SinkExt, StreamExt};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::from(ip))).build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_abuse_limit_holds() {
    let settings = Settings { max_file_size: 2 * 1024 * 1024, ..Settings::for_tests() };
    let config = ApiConfig { max_connections_per_ip: 40, ..ApiConfig::default() };
    let srv = Server::start_with(store::testing::Kind::Sqlite, settings, config).await;
    let mut held = serde_json::Map::new();

    // Per-address rate limit: a burst beyond the bucket gets 429 with the headers.
    let flood = client_from([127, 0, 0, 2]);
    let mut statuses = Vec::new();
    let mut last_429 = None;
    for _ in 0..700 {
        let r = flood.get(srv.url("/system/ping")).send().await.unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            last_429 = Some(r.headers().clone());
        }
    }
    let refused = statuses.iter().filter(|s| **s == 429).count();
    let h = last_429.expect("a flood from one address must be refused");
    assert!(h.contains_key("retry-after") && h.contains_key("x-ratelimit-limit") && h.contains_key("x-ratelimit-remaining"));
    held.insert("per_ip_rate".into(), j!({"sent": 700, "refused": refused}));

    // Per-user rate limit, from another address.
    let alice = srv.user("alice").await;
    let user_client = client_from([127, 0, 0, 3]);
    let mut user_refused = 0;
    for _ in 0..400 {
        let r = user_client.get(srv.url("/users/me")).bearer_auth(&alice.token).send().await.unwrap();
        if r.status() == 429 {
            user_refused += 1;
        }
    }
    assert!(user_refused > 0, "per-user limit did not engage");
    held.insert("per_user_rate".into(), j!({"sent": 400, "refused": user_refused}));

    // Login throttling: an attacker's failures lock only the attacker's address out.
    srv.user("bob").await;
    let attacker = client_from([127, 0, 0, 4]);
    let mut attempts = 0;
    let mut throttled_at = None;
    for i in 0..12 {
        let r = attacker.post(srv.url("/users/login")).json(&j!({"login_id": "bob", "password": format!("guess number {i}")})).send().await.unwrap();
        attempts += 1;
        if r.status() == 429 {
            throttled_at = Some(i);
            break;
        }
    }
    assert!(throttled_at.is_some(), "guessing was never throttled");
    let blocked = attacker.post(srv.url("/users/login")).json(&j!({"login_id": "bob", "password": "correct horse battery"})).send().await.unwrap();
    assert_eq!(blocked.status(), 429, "the attacker's address stays throttled even with the right password");
    let victim = client_from([127, 0, 0, 5]);
    let ok = victim.post(srv.url("/users/login")).json(&j!({"login_id": "bob", "password": "correct horse battery"})).send().await.unwrap();
    assert_eq!(ok.status(), 200, "the owner, elsewhere, is not locked out");
    held.insert("login_throttle".into(), j!({"attempts_before_throttle": attempts, "owner_locked_out": false}));

    // Slowloris: a connection that never finishes its headers is closed.
    let mut slow = tokio::net::TcpStream::connect(srv.addr).await.unwrap();
    slow.write_all(b"GET /api/v4/system/ping HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut buf = [0u8; 256];
    let closed = tokio::time::timeout(Duration::from_secs(15), slow.read(&mut buf)).await;
    assert!(matches!(closed, Ok(Ok(_)) | Ok(Err(_))), "a slow header sender was not cut off");
    held.insert("header_read_timeout".into(), j!({"closed_within_s": 15}));

    // Connection cap per address.
    let mut conns = Vec::new();
    for _ in 0..60 {
        let s = tokio::net::TcpSocket::new_v4().unwrap();
        s.bind("127.0.0.6:0".parse().unwrap()).unwrap();
        conns.push(s.connect(srv.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut dropped = 0;
    for c in &mut conns {
        let mut b = [0u8; 1];
        if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_millis(50), c.read(&mut b)).await {
            dropped += 1;
        }
    }
    assert!(dropped >= 15, "only {dropped} of 60 connections over a cap of 40 were refused");
    drop(conns);
    held.insert("connections_per_ip".into(), j!({"opened": 60, "cap": 40, "refused": dropped}));

    // WebSocket: an oversized message closes that socket; an action flood is refused, then
    // the socket is closed.
    let fresh = srv.login("alice").await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/api/v4/websocket", srv.addr)).await.unwrap();
    ws.send(Message::Text(j!({"seq": 1, "action": "authentication_challenge", "data": {"token": fresh.token}}).to_string().into())).await.unwrap();
    let _ = ws.send(Message::Text("x".repeat(200_000).into())).await;
    let mut closed_big = false;
    while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_secs(3), ws.next()).await {
        match msg {
            Ok(Message::Close(_)) | Err(_) => {
                closed_big = true;
                break;
            }
            _ => {}
        }
    }
    assert!(closed_big, "an oversized frame did not close the socket");
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/api/v4/websocket", srv.addr)).await.unwrap();
    ws.send(Message::Text(j!({"seq": 1, "action": "authentication_challenge", "data": {"token": fresh.token}}).to_string().into())).await.unwrap();
    // Phase one: a burst beyond the budget, reading every reply (some must be refusals).
    let mut fails = 0;
    for seq in 2..202 {
        ws.send(Message::Text(j!({"seq": seq, "action": "ping"}).to_string().into())).await.unwrap();
    }
    let mut replies = 0;
    while replies < 200 {
        match tokio::time::timeout(Duration::from_secs(3), ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => {
                if t.contains("seq_reply") {
                    replies += 1;
                }
                if t.contains("\"FAIL\"") {
                    fails += 1;
                }
            }
            Ok(Some(Ok(_))) => {}
            _ => break,
        }
    }
    // Phase two: a client that keeps going regardless is disconnected.
    let mut closed_flood = false;
    for seq in 202..5000 {
        if ws.send(Message::Text(j!({"seq": seq, "action": "ping"}).to_string().into())).await.is_err() {
            closed_flood = true;
            break;
        }
        if seq % 100 == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    if !closed_flood {
        while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_secs(3), ws.next()).await {
            if matches!(msg, Ok(Message::Close(_)) | Err(_)) {
                closed_flood = true;
                break;
            }
        }
    }
    assert!(fails > 0 && closed_flood, "action flood: {fails} refusals, closed={closed_flood}");
    held.insert("websocket".into(), j!({"oversized_closed": closed_big, "flood_refusals": fails, "flood_closed": closed_flood}));

    // Search caps and upload caps.
    let carol = srv.user("carol").await;
    let long = carol.post("/posts/search", j!({"terms": "a".repeat(5000)})).await;
    assert_eq!(long.status, 400);
    let many = carol.post("/posts/search", j!({"terms": (0..100).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ")})).await;
    assert_eq!(many.status, 400);
    let team = carol.team("abuse").await;
    let room = carol.channel(&team, "room", "O").await;
    let big = reqwest::multipart::Form::new()
        .text("channel_id", room.clone())
        .part("files", reqwest::multipart::Part::bytes(vec![0u8; 3 * 1024 * 1024]).file_name("big.bin"));
    let r = reqwest::Client::new().post(srv.url("/files")).bearer_auth(&carol.token).multipart(big).send().await;
    assert!(r.map(|r| r.status() == 413).unwrap_or(true), "oversized upload accepted");
    // An image whose header claims 60000x60000 pixels is stored but never decoded.
    let mut png = Vec::new();
    image::RgbImage::from_pixel(1, 1, image::Rgb([1, 2, 3])).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    png[16..20].copy_from_slice(&60000u32.to_be_bytes());
    png[20..24].copy_from_slice(&60000u32.to_be_bytes());
    let bomb =
        reqwest::multipart::Form::new().text("channel_id", room.clone()).part("files", reqwest::multipart::Part::bytes(png).file_name("bomb.png"));
    let r = reqwest::Client::new().post(srv.url("/files")).bearer_auth(&carol.token).multipart(bomb).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let info: serde_json::Value = r.json().await.unwrap();
    assert_eq!(info["file_infos"][0]["has_preview_image"], false, "an image bomb was decoded");
    // Uploads beyond the per-user upload rate get a clean 429 the client can read and wait
    // out, not a connection reset while the body is still being sent.
    let uploader = reqwest::Client::new();
    let (mut created, mut limited) = (0, 0);
    for i in 0..40 {
        let form = reqwest::multipart::Form::new()
            .text("channel_id", room.clone())
            .part("files", reqwest::multipart::Part::bytes(vec![7u8; 1900 * 1024]).file_name(format!("f{i}.bin")));
        let r = uploader.post(srv.url("/files")).bearer_auth(&carol.token).multipart(form).send().await;
        let r = r.unwrap_or_else(|e| panic!("upload {i} got no answer: {e}"));
        match r.status().as_u16() {
            201 => created += 1,
            429 => limited += 1,
            other => panic!("upload {i}: unexpected {other}"),
        }
    }
    assert!(limited > 0, "40 uploads in a burst were all accepted");
    held.insert(
        "search_and_uploads".into(),
        j!({"long_query": 400, "many_terms": 400, "oversized_upload": 413, "image_bomb_decoded": false, "upload_burst": {"sent": 40, "created": created, "refused_429": limited}}),
    );

    let ping = reqwest::Client::new().get(srv.url("/system/ping")).send().await.unwrap();
    assert_eq!(ping.status(), 200, "server down after the abuse run");
    for (name, figures) in &held {
        println!("abuse limit {name}: held {figures}");
    }
    common::write_report("abuse", &serde_json::Value::Object(held));
    srv.stop().await;
}

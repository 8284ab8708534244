//! A user outside a private channel, a DM or a group DM is refused on every path to its
//! content. Each path is listed; the test fails if any of them answers with content.

mod common;

use common::{Client, Socket, j};

/// One request an outsider might try, and a description for the failure message.
struct Probe {
    what: &'static str,
    method: reqwest::Method,
    path: String,
    body: Option<serde_json::Value>,
}

fn probes(channel: &str, post: &str, file: &str, author: &str) -> Vec<Probe> {
    use reqwest::Method as M;
    let p = |what, method, path: String, body| Probe { what, method, path, body };
    vec![
        p("channel", M::GET, format!("/channels/{channel}"), None),
        p("post by id", M::GET, format!("/posts/{post}"), None),
        p("posts by ids", M::POST, "/posts/ids".into(), Some(j!([post]))),
        p("thread", M::GET, format!("/posts/{post}/thread"), None),
        p("channel posts", M::GET, format!("/channels/{channel}/posts"), None),
        p("channel posts since", M::GET, format!("/channels/{channel}/posts?since=0"), None),
        p("pinned posts", M::GET, format!("/channels/{channel}/pinned"), None),
        p("channel members", M::GET, format!("/channels/{channel}/members"), None),
        p("channel member", M::GET, format!("/channels/{channel}/members/{author}"), None),
        p("channel stats", M::GET, format!("/channels/{channel}/stats"), None),
        p("users in channel", M::GET, format!("/users?in_channel={channel}"), None),
        p("reactions", M::GET, format!("/posts/{post}/reactions"), None),
        p("reactions by ids", M::POST, "/posts/ids/reactions".into(), Some(j!([post]))),
        p("post files", M::GET, format!("/posts/{post}/files/info"), None),
        p("file", M::GET, format!("/files/{file}"), None),
        p("file info", M::GET, format!("/files/{file}/info"), None),
        p("thumbnail", M::GET, format!("/files/{file}/thumbnail"), None),
        p("preview", M::GET, format!("/files/{file}/preview"), None),
        p("search", M::POST, "/posts/search".into(), Some(j!({"terms": "topsecret"}))),
        p("search by ip", M::POST, "/posts/search".into(), Some(j!({"terms": "198.51.100.77"}))),
        p("react", M::POST, "/reactions".into(), Some(j!({"post_id": post, "emoji_name": "eyes", "user_id": "me"}))),
        p("reply", M::POST, "/posts".into(), Some(j!({"channel_id": channel, "root_id": post, "message": "hi"}))),
        p("post", M::POST, "/posts".into(), Some(j!({"channel_id": channel, "message": "hi"}))),
        p("edit", M::PUT, format!("/posts/{post}/patch"), Some(j!({"message": "pwned"}))),
        p("pin", M::POST, format!("/posts/{post}/pin"), None),
        p("join", M::POST, format!("/channels/{channel}/members"), Some(j!({"user_id": "me"}))),
        p("view", M::POST, "/channels/members/me/view".into(), Some(j!({"channel_id": channel}))),
    ]
}

/// The content the outsider must never see in any answer.
const SECRET: &str = "topsecret 198.51.100.77";

async fn assert_refused(outsider: &Client, probes: &[Probe], label: &str) -> usize {
    let mut refused = 0;
    for probe in probes {
        let r = outsider.call(probe.method.clone(), &probe.path, probe.body.clone()).await;
        let text = r.body.to_string();
        assert!(!text.contains("topsecret"), "{label}: {} leaked content: {text}", probe.what);
        // Some paths answer 200 with nothing in it: an empty search, an empty list, a view
        // that marked no channel read.
        let empty_result = r.status == 200
            && (r.body["order"].as_array().is_some_and(|a| a.is_empty())
                || r.body.as_array().is_some_and(|a| a.is_empty())
                || r.body.as_object().is_some_and(|o| o.is_empty())
                || r.body["last_viewed_at_times"].as_object().is_some_and(|o| o.is_empty()));
        assert!(r.status == 403 || r.status == 404 || empty_result, "{label}: {} answered {} {text}", probe.what, r.status);
        refused += 1;
    }
    refused
}

async fn upload(client: &Client, channel: &str) -> String {
    let png = {
        let img = image_bytes();
        reqwest::multipart::Part::bytes(img).file_name("secret.png")
    };
    let form = reqwest::multipart::Form::new().text("channel_id", channel.to_owned()).part("files", png);
    let r = client.http.post(format!("{}/files", client.base)).bearer_auth(&client.token).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let v: serde_json::Value = r.json().await.unwrap();
    v["file_infos"][0]["id"].as_str().unwrap().to_owned()
}

fn image_bytes() -> Vec<u8> {
    // A tiny valid PNG so that a thumbnail and preview exist.
    let mut out = Vec::new();
    let img = image_rgb();
    let mut cur = std::io::Cursor::new(&mut out);
    img.write_to(&mut cur, image::ImageFormat::Png).unwrap();
    out
}

fn image_rgb() -> image::RgbImage {
    image::RgbImage::from_pixel(40, 30, image::Rgb([9, 99, 199]))
}

/// Sets up a conversation of `kind` between insiders with a post, a reply, a pin, a
/// reaction and a file, and returns (channel, post, file).
async fn conversation(insiders: &[&Client], team: &str, kind: &str) -> (String, String, String) {
    let owner = insiders[0];
    let channel = match kind {
        "P" => {
            let c = owner.channel(team, "secret-room", "P").await;
            for other in &insiders[1..] {
                assert_eq!(owner.post(&format!("/channels/{c}/members"), j!({"user_id": other.id})).await.status, 201);
            }
            c
        }
        "D" => owner.post("/channels/direct", j!([owner.id, insiders[1].id])).await.body["id"].as_str().unwrap().to_owned(),
        _ => {
            owner.post("/channels/group", j!(insiders.iter().map(|c| c.id.clone()).collect::<Vec<_>>())).await.body["id"].as_str().unwrap().to_owned()
        }
    };
    let file = upload(owner, &channel).await;
    let r = owner
        .post("/posts", j!({"channel_id": channel, "message": SECRET, "file_ids": [file], "pending_post_id": format!("{}:secret", owner.id)}))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let post = r.body["id"].as_str().unwrap().to_owned();
    owner.post("/posts", j!({"channel_id": channel, "root_id": post, "message": "topsecret reply"})).await;
    owner.post(&format!("/posts/{post}/pin"), j!({})).await;
    owner.post("/reactions", j!({"user_id": owner.id, "post_id": post, "emoji_name": "lock"})).await;
    (channel, post, file)
}

server_test!(outsiders_are_refused_on_every_path, |srv| {
    let alice = srv.user("alice").await;
    let bob = srv.user("bob").await;
    let carol = srv.user("carol").await;
    let mallory = srv.user("mallory").await;
    let team = alice.team("isac").await;
    for c in [&bob, &carol, &mallory] {
        assert_eq!(c.post(&format!("/teams/{team}/members"), j!({"team_id": team, "user_id": c.id})).await.status, 201);
    }
    let mut ws = Socket::connect(srv.addr, &mallory.token).await;
    let mut total = 0;
    for kind in ["P", "D", "G"] {
        let (channel, post, file) = conversation(&[&alice, &bob, &carol], &team, kind).await;
        total += assert_refused(&mallory, &probes(&channel, &post, &file, &alice.id), kind).await;
        // Replaying someone else's idempotency key yields a new post of one's own or a
        // refusal, never theirs.
        let r = mallory.post("/posts", j!({"channel_id": channel, "message": "x", "pending_post_id": format!("{}:secret", alice.id)})).await;
        assert!(!r.body.to_string().contains("topsecret"), "{kind}: pending_post_id replay leaked");
    }
    // Nothing from those conversations reached the outsider's socket.
    while let Some(frame) = ws.next_json().await {
        assert!(!frame.to_string().contains("topsecret"), "websocket leaked {frame}");
    }
    assert!(total >= 80, "{total} probes");
});

server_test!(removed_member_loses_access_including_open_socket, |srv| {
    let alice = srv.user("alice").await;
    let bob = srv.user("bob").await;
    let team = alice.team("isac").await;
    assert_eq!(bob.post(&format!("/teams/{team}/members"), j!({"team_id": team, "user_id": bob.id})).await.status, 201);
    let room = alice.channel(&team, "war-room", "P").await;
    assert_eq!(alice.post(&format!("/channels/{room}/members"), j!({"user_id": bob.id})).await.status, 201);
    let r = bob.post("/posts", j!({"channel_id": room, "message": "before removal", "pending_post_id": "bob:1"})).await;
    let bobs_post = r.body["id"].as_str().unwrap().to_owned();
    let mut ws = Socket::connect(srv.addr, &bob.token).await;
    alice.say(&room, "still welcome").await;
    ws.expect_event("posted").await;
    assert_eq!(alice.delete(&format!("/channels/{room}/members/{}", bob.id)).await.status, 200);
    alice.say(&room, "topsecret after removal").await;
    let file = upload(&alice, &room).await;
    let post = alice.post("/posts", j!({"channel_id": room, "message": "topsecret with file", "file_ids": [file]})).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    while let Some(frame) = ws.next_json().await {
        assert!(!frame.to_string().contains("topsecret"), "removed member's socket got {frame}");
    }
    assert_refused(&bob, &probes(&room, &post, &file, &alice.id), "removed").await;
    // Retrying his own old post's key no longer returns it: the channel is not readable.
    let r = bob.post("/posts", j!({"channel_id": room, "message": "before removal", "pending_post_id": "bob:1"})).await;
    assert!(r.status == 403 || r.status == 404, "replay after removal: {} {}", r.status, r.body);
    assert!(!r.body.to_string().contains(&bobs_post));
});

server_test!(deactivation_ends_sessions_and_sockets, |srv| {
    let alice = srv.user("alice").await;
    let bob = srv.user("bob").await;
    let mut ws = Socket::connect(srv.addr, &bob.token).await;
    assert_eq!(alice.delete(&format!("/users/{}", bob.id)).await.status, 200);
    assert_eq!(bob.get("/users/me").await.status, 401);
    // The socket is closed by the server.
    let mut closed = false;
    for _ in 0..5 {
        if ws.next_json().await.is_none() {
            closed = true;
            break;
        }
    }
    assert!(closed, "socket stayed open after deactivation");
});

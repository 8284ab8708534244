//! Regression tests for incompatibilities found by driving the server with the real
//! Mattermost clients (`tests/compat`): each test pins one request exactly as
//! `@mattermost/client` or `mattermostdriver` sends it.

mod common;

use common::j;

// mattermostdriver's `reactions.get_reactions_of_post` asks for `/posts/{id}//reactions`;
// Mattermost cleans the path before routing, so the driver gets the list there.
server_test!(double_slash_paths_reach_their_route, |srv| {
    let alice = srv.user("alice").await;
    let team = alice.team("isac").await;
    let room = alice.channel(&team, "room", "O").await;
    let post = alice.say(&room, "beacon").await;
    let pid = post["id"].as_str().unwrap();
    assert_eq!(alice.post("/reactions", j!({"user_id": alice.id, "post_id": pid, "emoji_name": "eyes"})).await.status, 200);

    let r = alice.get(&format!("/posts/{pid}//reactions")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.body[0]["emoji_name"], "eyes");
    assert_eq!(r.body[0]["post_id"], pid);

    // Writes keep their method and body, and the query string survives.
    let r = alice.post("//posts", j!({"channel_id": room, "message": "second"})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = alice.get(&format!("/channels/{room}//posts?per_page=1")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["order"].as_array().unwrap().len(), 1);
});

// Client4.getPostsUnread and mattermostdriver's posts.get_unread_posts_for_channel open a
// channel around the first unread post; the route was missing (404).
server_test!(posts_around_last_unread, |srv| {
    let alice = srv.user("alice").await;
    let bob = srv.user("bob").await;
    let team = alice.team("isac").await;
    assert_eq!(bob.post(&format!("/teams/{team}/members"), j!({"team_id": team, "user_id": bob.id})).await.status, 201);
    let room = alice.channel(&team, "room", "O").await;
    assert_eq!(bob.post(&format!("/channels/{room}/members"), j!({"user_id": bob.id})).await.status, 201);
    let id = |v: serde_json::Value| v["id"].as_str().unwrap().to_owned();
    let old1 = id(alice.say(&room, "old one").await);
    let old2 = id(alice.say(&room, "old two").await);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(bob.post("/channels/members/me/view", j!({"channel_id": room})).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let new1 = id(alice.say(&room, "new one").await);
    let new2 = id(alice.say(&room, "new two").await);
    let new3 = id(alice.say(&room, "new three").await);

    let page = bob.get(&format!("/users/me/channels/{room}/posts/unread?limit_before=1&limit_after=2")).await;
    assert_eq!(page.status, 200, "{:?}", page.body);
    assert_eq!(page.body["order"], j!([new2, new1, old2]));
    assert_eq!(page.body["next_post_id"], new3.as_str());
    assert_eq!(page.body["prev_post_id"], old1.as_str());
    assert_eq!(page.body["posts"][&new1]["message"], "new one");

    let all = bob.get(&format!("/users/{}/channels/{room}/posts/unread", bob.id)).await;
    assert_eq!(all.body["order"], j!([new3, new2, new1, old2, old1]));
    assert_eq!(all.body["next_post_id"], "");
    assert_eq!(all.body["prev_post_id"], "");

    // Nothing unread: the newest `limit_before` posts.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(bob.post("/channels/members/me/view", j!({"channel_id": room})).await.status, 200);
    let latest = bob.get(&format!("/users/me/channels/{room}/posts/unread?limit_before=2&limit_after=30")).await;
    assert_eq!(latest.body["order"], j!([new3, new2]));
    assert_eq!(latest.body["prev_post_id"], new1.as_str());

    assert_eq!(bob.get(&format!("/users/me/channels/{room}/posts/unread?limit_after=0")).await.status, 400);
    assert_eq!(alice.get(&format!("/users/{}/channels/{room}/posts/unread", bob.id)).await.status, 403);
});

// Client4.readMultipleChannels posts a list of channel ids to
// /channels/members/me/mark_read (the sidebar's "mark as read"); the route was missing.
server_test!(mark_several_channels_read, |srv| {
    let alice = srv.user("alice").await;
    let bob = srv.user("bob").await;
    let team = alice.team("isac").await;
    assert_eq!(bob.post(&format!("/teams/{team}/members"), j!({"team_id": team, "user_id": bob.id})).await.status, 201);
    let mut rooms = Vec::new();
    for name in ["one", "two"] {
        let room = alice.channel(&team, name, "O").await;
        assert_eq!(bob.post(&format!("/channels/{room}/members"), j!({"user_id": bob.id})).await.status, 201);
        alice.say(&room, "news").await;
        assert_eq!(bob.get(&format!("/users/me/channels/{room}/unread")).await.body["msg_count"], 1);
        rooms.push(room);
    }
    let mut ws = common::Socket::connect(srv.addr, &bob.token).await;

    let r = bob.post("/channels/members/me/mark_read", j!(rooms)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.body["status"], "OK");
    for room in &rooms {
        assert!(r.body["last_viewed_at_times"][room].as_i64().unwrap() > 0, "{:?}", r.body);
        assert_eq!(bob.get(&format!("/users/me/channels/{room}/unread")).await.body["msg_count"], 0);
    }
    let viewed = ws.expect_event("multiple_channels_viewed").await;
    for room in &rooms {
        assert!(viewed["data"]["channel_times"][room].is_i64(), "{viewed}");
    }

    assert_eq!(bob.post(&format!("/channels/members/{}/mark_read", alice.id), j!([rooms[0]])).await.status, 403);
    assert_eq!(bob.post("/channels/members/me/mark_read", j!(["not-an-id"])).await.status, 400);
});

// Client4.markPostAsUnread ("Mark as Unread" in the web and mobile apps) posts to
// /users/{user_id}/posts/{post_id}/set_unread; the route was missing.
server_test!(mark_unread_from_a_post, |srv| {
    let alice = srv.user("alice").await;
    let bob = srv.user("bob").await;
    let team = alice.team("isac").await;
    assert_eq!(bob.post(&format!("/teams/{team}/members"), j!({"team_id": team, "user_id": bob.id})).await.status, 201);
    let room = alice.channel(&team, "room", "O").await;
    assert_eq!(bob.post(&format!("/channels/{room}/members"), j!({"user_id": bob.id})).await.status, 201);
    alice.say(&room, "first").await;
    // The read point goes to just before `second`; keep `first` strictly older than that.
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    let second = alice.say(&room, "second, @bob please look").await;
    let third = alice.say(&room, "third").await;
    let reply = alice.post("/posts", j!({"channel_id": room, "root_id": third["id"], "message": "a reply"})).await;
    assert_eq!(reply.status, 201);
    assert_eq!(bob.post("/channels/members/me/view", j!({"channel_id": room})).await.status, 200);
    assert_eq!(bob.get(&format!("/users/me/channels/{room}/unread")).await.body["msg_count"], 0);
    let mut ws = common::Socket::connect(srv.addr, &bob.token).await;

    let sid = second["id"].as_str().unwrap();
    let r = bob.post(&format!("/users/me/posts/{sid}/set_unread"), j!({"collapsed_threads_supported": true})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.headers["content-type"], "application/json");
    let channel = bob.get(&format!("/channels/{room}")).await.body;
    let total = channel["total_msg_count"].as_i64().unwrap();
    let total_root = channel["total_msg_count_root"].as_i64().unwrap();
    assert_eq!(r.body["channel_id"], room.as_str());
    assert_eq!(r.body["team_id"], team.as_str());
    assert_eq!(r.body["user_id"], bob.id.as_str());
    assert_eq!(r.body["msg_count"], total - 3, "second, third and the reply are unread again");
    assert_eq!(r.body["msg_count_root"], total_root - 2);
    assert_eq!(r.body["mention_count"], 1);
    assert_eq!(r.body["mention_count_root"], 1);
    assert_eq!(r.body["last_viewed_at"], second["create_at"].as_i64().unwrap() - 1);

    let unread = bob.get(&format!("/users/me/channels/{room}/unread")).await.body;
    assert_eq!(unread["msg_count"], 3);
    assert_eq!(unread["mention_count"], 1);
    let around = bob.get(&format!("/users/me/channels/{room}/posts/unread?limit_before=0&limit_after=1")).await.body;
    assert_eq!(around["order"], j!([sid]));

    let event = ws.expect_event("post_unread").await;
    assert_eq!(event["data"]["post_id"], sid);
    assert_eq!(event["data"]["msg_count"], total - 3);
    assert_eq!(event["data"]["mention_count"], 1);
    assert_eq!(event["broadcast"]["channel_id"], room.as_str());
    assert_eq!(event["broadcast"]["team_id"], team.as_str());
    assert_eq!(event["broadcast"]["user_id"], bob.id.as_str());

    assert_eq!(alice.post(&format!("/users/{}/posts/{sid}/set_unread", bob.id), j!({})).await.status, 403);
});

// Client4.getAllChannelsMembers reads /users/{user_id}/channel_members (memberships across
// all teams, with paging); the route was missing.
server_test!(channel_members_across_teams, |srv| {
    let alice = srv.user("alice").await;
    let bob = srv.user("bob").await;
    let team = alice.team("isac").await;
    assert_eq!(bob.post(&format!("/teams/{team}/members"), j!({"team_id": team, "user_id": bob.id})).await.status, 201);
    let room = alice.channel(&team, "room", "O").await;
    assert_eq!(bob.post(&format!("/channels/{room}/members"), j!({"user_id": bob.id})).await.status, 201);
    let dm = alice.post("/channels/direct", j!([alice.id, bob.id])).await.body["id"].as_str().unwrap().to_owned();

    let all = bob.get("/users/me/channel_members").await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    let ids: Vec<&str> = all.body.as_array().unwrap().iter().map(|m| m["channel_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&room.as_str()) && ids.contains(&dm.as_str()), "{ids:?}");
    assert!(all.body.as_array().unwrap().iter().all(|m| m["user_id"] == bob.id.as_str()));

    let first = bob.get("/users/me/channel_members?page=0&per_page=1").await.body;
    let second = bob.get("/users/me/channel_members?page=1&per_page=1").await.body;
    assert_eq!(first.as_array().unwrap().len(), 1);
    assert_eq!(second.as_array().unwrap().len(), 1);
    assert_ne!(first[0]["channel_id"], second[0]["channel_id"]);

    assert_eq!(alice.get(&format!("/users/{}/channel_members", bob.id)).await.status, 403);
});

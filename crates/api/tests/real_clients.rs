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

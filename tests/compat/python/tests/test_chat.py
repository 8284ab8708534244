"""The chat flow of issue 2 through mattermostdriver: accounts, a team, every kind of channel,
posts, a thread, edits, deletes, reactions, pins, files, search, unread state, status,
preferences, logout, and the WebSocket events a second user receives.

The tests share one world and run in file order; each asserts on what the server returned.
"""

import json
import os
import re

import pytest
from conftest import RUN, Listener, new_driver, sign_up_and_login, wait_for
from mattermostdriver.exceptions import NoAccessTokenProvided, NotEnoughPermissions, ResourceNotFound


class World:
    pass


@pytest.fixture(scope="module")
def w():
    world = World()
    world.alice, world.alice_user = sign_up_and_login(f"pyalice{RUN}")
    world.bob, world.bob_user = sign_up_and_login(f"pybob{RUN}")
    world.carol, world.carol_user = sign_up_and_login(f"pycarol{RUN}")
    world.listener = None
    world.posts = {}
    yield world
    if world.listener:
        world.listener.stop()


def test_get_me(w):
    me = w.bob.users.get_user("me")
    assert me["id"] == w.bob_user["id"]
    assert me["username"] == f"pybob{RUN}"
    assert me["email"] == f"pybob{RUN}@example.org"
    assert "system_user" in me["roles"].split()


def test_roles_by_names(w):
    # The driver's own roles helper sends GET with no body; POST with a JSON list is the API.
    roles = w.bob.client.post("/roles/names", options=["system_user", "team_user", "channel_user"])
    by_name = {r["name"]: r for r in roles}
    assert set(by_name) == {"system_user", "team_user", "channel_user"}
    assert "create_post" in by_name["channel_user"]["permissions"]
    assert "create_private_channel" in by_name["team_user"]["permissions"]


def test_create_team_and_add_members(w):
    w.team = w.alice.teams.create_team(options={"name": f"py-isac-{RUN}", "display_name": "Py ISAC", "type": "O"})
    assert w.team["name"] == f"py-isac-{RUN}"
    for user in (w.bob_user, w.carol_user):
        member = w.alice.teams.add_user_to_team(w.team["id"], options={"team_id": w.team["id"], "user_id": user["id"]})
        assert member["user_id"] == user["id"]
        assert member["team_id"] == w.team["id"]
    teams = w.carol.teams.get_user_teams("me")
    assert [t["id"] for t in teams] == [w.team["id"]]


def test_public_and_private_channels(w):
    w.public = w.alice.channels.create_channel(
        options={"team_id": w.team["id"], "name": f"py-general-{RUN}", "display_name": "General", "type": "O"}
    )
    assert w.public["type"] == "O"
    w.private = w.alice.channels.create_channel(
        options={"team_id": w.team["id"], "name": f"py-war-room-{RUN}", "display_name": "War room", "type": "P"}
    )
    assert w.private["type"] == "P"
    joined = w.bob.channels.add_user(w.public["id"], options={"user_id": w.bob_user["id"]})
    assert joined["channel_id"] == w.public["id"]
    added = w.alice.channels.add_user(w.private["id"], options={"user_id": w.bob_user["id"]})
    assert added["user_id"] == w.bob_user["id"]
    mine = {c["id"] for c in w.bob.channels.get_channels_for_user("me", w.team["id"])}
    assert {w.public["id"], w.private["id"]} <= mine
    # Carol is in neither channel: the private one stays hidden from her.
    with pytest.raises((ResourceNotFound, NotEnoughPermissions)):
        w.carol.channels.get_channel(w.private["id"])


def test_direct_and_group_channels(w):
    a, b, c = w.alice_user["id"], w.bob_user["id"], w.carol_user["id"]
    dm = w.alice.channels.create_direct_message_channel(options=[a, b])
    assert dm["type"] == "D"
    assert dm["name"] == "__".join(sorted([a, b]))
    gm = w.alice.channels.create_group_message_channel(options=[a, b, c])
    assert gm["type"] == "G"
    assert re.fullmatch(r"[0-9a-f]{40}", gm["name"])
    post = w.carol.posts.create_post(options={"channel_id": gm["id"], "message": "hello group"})
    assert post["channel_id"] == gm["id"]


def test_bob_websocket_hello(w):
    w.listener = Listener(w.bob.client.token).start()
    hello = wait_for("hello", lambda: next((e for e in w.listener.events() if e["event"] == "hello"), None))
    assert hello["seq"] == 0
    assert re.fullmatch(r"[a-z0-9]{26}", hello["data"]["connection_id"])
    assert w.listener.error is None
    reply = next(f for f in w.listener.frames if f.get("seq_reply") == 1)
    assert reply["status"] == "OK"


def test_post_reply_edit_delete_react_events(w):
    p = w.posts
    p["root"] = w.alice.posts.create_post(options={"channel_id": w.public["id"], "message": "C2 beacon to 45.137.21.9 on 443"})
    assert p["root"]["user_id"] == w.alice_user["id"]
    p["reply"] = w.bob.posts.create_post(options={"channel_id": w.public["id"], "root_id": p["root"]["id"], "message": "Blocking it"})
    assert p["reply"]["root_id"] == p["root"]["id"]
    p["victim"] = w.alice.posts.create_post(options={"channel_id": w.public["id"], "message": "typo post"})

    edited = w.alice.posts.patch_post(p["root"]["id"], options={"message": "C2 beacon to 45.137.21.9 on 443/tcp"})
    assert edited["message"] == "C2 beacon to 45.137.21.9 on 443/tcp"
    assert edited["edit_at"] > 0
    assert w.alice.posts.delete_post(p["victim"]["id"]) == {"status": "OK"}
    reaction = w.alice.reactions.create_reaction(options={"user_id": w.alice_user["id"], "post_id": p["root"]["id"], "emoji_name": "eyes"})
    assert reaction["emoji_name"] == "eyes"

    wanted = ("posted", "post_edited", "post_deleted", "reaction_added")

    def post_events():
        got = [e for e in w.listener.events() if e["event"] in wanted]
        return got if len(got) >= 6 else None

    seen = wait_for("six post events", post_events)
    assert [e["event"] for e in seen] == ["posted", "posted", "posted", "post_edited", "post_deleted", "reaction_added"]
    inner = [json.loads(e["data"]["post"] if "post" in e["data"] else e["data"]["reaction"]) for e in seen]
    assert [x["id"] for x in inner[:5]] == [p["root"]["id"], p["reply"]["id"], p["victim"]["id"], p["root"]["id"], p["victim"]["id"]]
    assert inner[3]["message"] == edited["message"]
    assert inner[4]["delete_at"] > 0
    assert (inner[5]["post_id"], inner[5]["emoji_name"], inner[5]["user_id"]) == (p["root"]["id"], "eyes", w.alice_user["id"])

    events = w.listener.events()
    assert events[0]["event"] == "hello"
    assert [e["seq"] for e in events] == list(range(len(events)))


def test_update_post(w):
    updated = w.bob.posts.update_post(w.posts["reply"]["id"], options={"id": w.posts["reply"]["id"], "message": "Blocked at the edge"})
    assert updated["message"] == "Blocked at the edge"
    assert w.bob.posts.get_post(w.posts["reply"]["id"])["message"] == "Blocked at the edge"


def test_pin(w):
    assert w.alice.posts.pin_post_to_channel(w.posts["root"]["id"]) == {"status": "OK"}
    assert w.bob.posts.get_post(w.posts["root"]["id"])["is_pinned"] is True
    pinned = w.bob.channels.get_channel_pinned_posts(w.public["id"])
    assert pinned["order"] == [w.posts["root"]["id"]]


def test_thread(w):
    thread = w.bob.posts.get_thread(w.posts["root"]["id"])
    assert set(thread["order"]) == {w.posts["root"]["id"], w.posts["reply"]["id"]}
    assert thread["posts"][w.posts["reply"]["id"]]["root_id"] == w.posts["root"]["id"]


def test_reactions_of_post(w):
    reactions = w.bob.reactions.get_reactions_of_post(w.posts["root"]["id"])
    assert [(r["user_id"], r["emoji_name"]) for r in reactions] == [(w.alice_user["id"], "eyes")]


def test_deleted_post_is_gone(w):
    with pytest.raises(ResourceNotFound):
        w.bob.posts.get_post(w.posts["victim"]["id"])


def test_channel_posts_paging(w):
    extra = [w.alice.posts.create_post(options={"channel_id": w.public["id"], "message": f"update {i}"}) for i in range(3)]
    page0 = w.bob.posts.get_posts_for_channel(w.public["id"], params={"page": 0, "per_page": 2})
    assert page0["order"] == [extra[2]["id"], extra[1]["id"]]
    assert page0["prev_post_id"] == extra[0]["id"]
    page1 = w.bob.posts.get_posts_for_channel(w.public["id"], params={"page": 1, "per_page": 2})
    assert page1["order"] == [extra[0]["id"], w.posts["reply"]["id"]]
    before = w.bob.posts.get_posts_for_channel(w.public["id"], params={"before": extra[1]["id"], "per_page": 1})
    assert before["order"] == [extra[0]["id"]]


def test_file_upload_download(w):
    data = os.urandom(3000) + b"\x00\xff end"
    uploaded = w.alice.files.upload_file(w.private["id"], files={"files": ("capture.pcap", data)})
    info = uploaded["file_infos"][0]
    assert info["name"] == "capture.pcap"
    assert info["size"] == len(data)
    post = w.alice.posts.create_post(options={"channel_id": w.private["id"], "message": "pcap attached", "file_ids": [info["id"]]})
    w.posts["pcap"] = post
    assert post["file_ids"] == [info["id"]]
    downloaded = w.bob.files.get_file(info["id"])
    assert downloaded.status_code == 200
    assert downloaded.content == data
    assert w.bob.files.get_file_metadata(info["id"])["size"] == len(data)


def test_search_by_word_and_ip(w):
    near = w.alice.posts.create_post(options={"channel_id": w.public["id"], "message": "Neighbour 45.137.21.90 is clean"})
    word = w.alice.posts.create_post(options={"channel_id": w.private["id"], "message": "Ransomware negotiation chat leaked"})
    w.posts["ransomware"] = word
    by_ip = w.bob.posts.search_for_team_posts(w.team["id"], options={"terms": "45.137.21.9", "is_or_search": False})
    assert by_ip["order"] == [w.posts["root"]["id"]]
    by_near = w.bob.posts.search_for_team_posts(w.team["id"], options={"terms": "45.137.21.90", "is_or_search": False})
    assert by_near["order"] == [near["id"]]
    by_word = w.bob.posts.search_for_team_posts(w.team["id"], options={"terms": "ransomware", "is_or_search": False})
    assert by_word["order"] == [word["id"]]
    assert w.carol.posts.search_for_team_posts(w.team["id"], options={"terms": "ransomware", "is_or_search": False})["order"] == []


def test_unread_and_view_channel(w):
    bob_id = w.bob_user["id"]
    unread = w.bob.channels.get_unread_messages(bob_id, w.private["id"])
    assert unread["channel_id"] == w.private["id"]
    assert unread["msg_count"] > 0
    teams = w.bob.teams.get_team_unreads_for_user(bob_id)
    assert any(t["team_id"] == w.team["id"] and t["msg_count"] > 0 for t in teams), teams
    around = w.bob.posts.get_unread_posts_for_channel(bob_id, w.private["id"], params={"limit_before": 10, "limit_after": 10})
    assert around["order"] == [w.posts["ransomware"]["id"], w.posts["pcap"]["id"]]
    viewed = w.bob.channels.view_channel(bob_id, options={"channel_id": w.private["id"]})
    assert viewed["status"] == "OK"
    assert viewed["last_viewed_at_times"][w.private["id"]] > 0
    assert w.bob.channels.get_unread_messages(bob_id, w.private["id"])["msg_count"] == 0
    member = w.bob.channels.get_channel_member(w.private["id"], bob_id)
    assert member["last_viewed_at"] == viewed["last_viewed_at_times"][w.private["id"]]


def test_status(w):
    assert w.alice.status.get_user_status(w.bob_user["id"])["status"] == "online"
    changed = w.alice.status.update_user_status(w.alice_user["id"], options={"user_id": w.alice_user["id"], "status": "away"})
    assert changed["status"] == "away"
    statuses = w.bob.status.get_user_statuses_by_id(options=[w.alice_user["id"]])
    assert [(s["user_id"], s["status"]) for s in statuses] == [(w.alice_user["id"], "away")]


def test_preferences(w):
    pref = {"user_id": w.bob_user["id"], "category": "favorite_channel", "name": w.public["id"], "value": "true"}
    assert w.bob.preferences.save_user_preferences(w.bob_user["id"], options=[pref]) == {"status": "OK"}
    assert pref in w.bob.preferences.get_user_preferences(w.bob_user["id"])
    got = w.bob.preferences.get_specific_user_preference(w.bob_user["id"], "favorite_channel", w.public["id"])
    assert got == pref


def test_events_numbered_without_gap(w):
    events = w.listener.events()
    assert len(events) > 6
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert w.listener.error is None


def test_logout_invalidates_token(w):
    token = w.alice.client.token
    assert w.alice.logout() == {"status": "OK"}
    stale = new_driver(token=token)
    with pytest.raises(NoAccessTokenProvided):
        stale.login()

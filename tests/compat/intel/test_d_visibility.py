"""Visibility: a team member outside a private channel, and a user of another team (an
analyst there), call every intel endpoint before and after indicators are posted in that
channel. Their answers must not change at all, and must never carry the private value, its
counts or the channel's id."""

import json
import time

import pytest

from conftest import Client, write_report

NOT_AN_INDICATOR = "".join("abcdefghijkmnopqrstuwxyz13"[i % 26] for i in range(26))


def normalise(r):
    try:
        body = r.json()
    except ValueError:
        body = r.text
    if isinstance(body, dict):
        body.pop("request_id", None)
    return r.status_code, json.dumps(body, sort_keys=True)


def probes(world, fresh_id, shared_id, shared_value, secret_value):
    """(name, method, path, body) of every intel read an outsider can attempt."""
    team, secret, green = world.team, world.secret_channel, world.channels["GREEN"]
    p = [
        ("list", "GET", "/intel/indicators", None),
        ("list page 2", "GET", "/intel/indicators?page=1&per_page=20", None),
        ("list q shared", "GET", f"/intel/indicators?q={shared_value[:12]}", None),
        ("list q secret", "GET", f"/intel/indicators?q={secret_value[:10]}", None),
        ("list type domain", "GET", "/intel/indicators?type=domain&per_page=200", None),
        ("list candidates", "GET", "/intel/indicators?status=candidate&per_page=200", None),
        ("list confirmed", "GET", "/intel/indicators?status=confirmed&per_page=200", None),
        ("list team", "GET", f"/intel/indicators?team_id={team}&per_page=200", None),
        ("list private channel", "GET", f"/intel/indicators?channel_id={secret}", None),
        ("list public channel", "GET", f"/intel/indicators?channel_id={green}&per_page=200", None),
        ("channel indicators private", "GET", f"/channels/{secret}/indicators", None),
        ("channel indicators public", "GET", f"/channels/{green}/indicators?per_page=200", None),
        ("shared detail", "GET", f"/intel/indicators/{shared_id}", None),
        ("shared posts", "GET", f"/intel/indicators/{shared_id}/posts", None),
        ("queue", "GET", "/intel/queue?per_page=200", None),
        ("search team", "POST", f"/teams/{team}/posts/search", {"terms": secret_value, "is_or_search": False}),
        ("search all", "POST", "/posts/search", {"terms": secret_value, "is_or_search": False}),
        ("search shared", "POST", f"/teams/{team}/posts/search", {"terms": shared_value, "is_or_search": False}),
    ]
    if fresh_id:
        p += [
            ("private detail", "GET", f"/intel/indicators/{fresh_id}", None),
            ("private posts", "GET", f"/intel/indicators/{fresh_id}/posts", None),
            ("private review", "POST", f"/intel/indicators/{fresh_id}/review", {"action": "confirm"}),
            ("private review update", "POST", f"/intel/indicators/{fresh_id}/review", {"action": "update", "confidence": 10}),
        ]
    return p


def difference(a, b):
    """The first fields that differ between two JSON answers, for the report."""
    a, b = json.loads(a), json.loads(b)
    out = []

    def walk(x, y, path):
        if len(out) >= 4:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y)):
                walk(x.get(k), y.get(k), f"{path}.{k}")
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (p, q) in enumerate(zip(x, y)):
                walk(p, q, f"{path}[{i}]")
        elif x != y:
            out.append(f"{path}: {str(x)[:80]} -> {str(y)[:80]}")

    walk(a, b, "")
    return "; ".join(out)


def run(client, plist):
    return {name: normalise(client.call(m, path, body, ok=None)) for name, m, path, body in plist}


def test_private_sightings_are_invisible(world):
    stranger = world.stranger
    world.admin.put(f"/teams/{world.other_team}/members/{stranger.id}/roles", {"roles": "team_user team_admin team_analyst"})
    # A value the outsider already sees in a public channel, and one only the private
    # channel will carry.
    shared_kind, shared_value = world.values["GREEN"][2]
    secret_kind, secret_value = world.secret_value
    shared = [i for i in world.poster.get(f"/intel/indicators?q={shared_value}").json() if i["value"] == shared_value][0]
    assert world.outsider.get(f"/intel/indicators/{shared['id']}", ok=None).status_code == 200, "the outsider sees the public sighting"
    users = {"outsider": world.outsider, "stranger": stranger}
    before = {u: run(c, probes(world, None, shared["id"], shared_value, secret_value)) for u, c in users.items()}

    msg = world.poster.say(world.secret_channel, f"staging at {secret_value.replace('.', '[.]')} and {shared_value.replace('.', '[.]')}")
    fresh = [i for i in world.poster.get(f"/intel/indicators?q={secret_value}").json() if i["value"] == secret_value]
    assert fresh, "the poster sees the private indicator"
    fresh_id = fresh[0]["id"]
    # Members of the channel do see it (so the probes below are not vacuous).
    assert world.analyst.get(f"/intel/indicators/{fresh_id}").json()["sighting_count"] == 1
    assert secret_value in {i["value"] for i in world.analyst.get("/intel/queue?per_page=200").json()}
    assert world.poster.get(f"/intel/indicators/{shared['id']}").json()["channel_count"] == 2

    made, leaks = 0, []
    plist = probes(world, fresh_id, shared["id"], shared_value, secret_value)
    for u, c in users.items():
        after = run(c, plist)
        # An unknown indicator id answers exactly as the private one does.
        unknown = run(c, probes(world, NOT_AN_INDICATOR, shared["id"], shared_value, secret_value))
        for name, (status, body) in after.items():
            made += 1
            if name in before[u] and before[u][name] != (status, body):
                leaks.append(f"{u} {name}: answer changed: {difference(before[u][name][1], body)}")
            if name.startswith("private"):
                if (status, body.replace(fresh_id, "ID")) != (unknown[name][0], unknown[name][1].replace(NOT_AN_INDICATOR, "ID")):
                    leaks.append(f"{u} {name}: {status} {body[:200]} differs from an unknown id's {unknown[name]}")
            paths = {n: pth for n, _, pth, _ in plist}
            for secret in (secret_value, world.secret_channel, msg["id"]):
                echoed = secret == world.secret_channel and secret in paths[name] and status >= 400
                if secret in body and not echoed:
                    leaks.append(f"{u} {name}: answer carries {secret}")
    print(f"\nVisibility: probes made={made} leaks={len(leaks)}")
    write_report("intel-visibility", {"probes": made, "leaks": len(leaks)})
    for leak in leaks[:20]:
        print("  LEAK", leak)
    assert not leaks


def test_unauthenticated_intel_is_refused(world):
    anon = Client()
    for path in ("/intel/indicators", "/intel/queue", f"/channels/{world.secret_channel}/indicators"):
        assert anon.get(path, ok=None).status_code == 401


def test_private_first_sighting_does_not_date_the_public_one(world):
    """Seen in the private channel first and in a public one a moment later: what the
    outsider reads (times, counts) is about the public sighting alone."""
    value = "earlier-in-private.org"
    world.poster.say(world.secret_channel, f"first look at {value.replace('.', '[.]')}")
    time.sleep(1.1)
    public = world.poster.say(world.channels["GREEN"], f"now public: {value.replace('.', '[.]')}")
    t = public["create_at"]
    leaks, probes_made = [], 0
    found = [i for i in world.outsider.get(f"/intel/indicators?q={value}").json() if i["value"] == value]
    assert len(found) == 1
    detail = world.outsider.get(f"/intel/indicators/{found[0]['id']}").json()
    for name, item in (("list", found[0]), ("detail", detail)):
        probes_made += 1
        for field in ("first_seen", "create_at", "last_seen", "update_at", "published_at"):
            if field in item and item[field] and item[field] < t:
                leaks.append(f"{name}.{field}={item[field]} predates the public sighting ({t})")
        if item.get("sighting_count") != 1 or item.get("channel_count") != 1:
            leaks.append(f"{name}: counts {item.get('sighting_count')}/{item.get('channel_count')} include the private sighting")
    print(f"\nVisibility (private first): probes made={probes_made} leaks={len(leaks)}")
    assert not leaks, leaks


def test_private_auto_publish_does_not_confirm_for_outsiders(world):
    value = "quiet-candidate.org"
    world.poster.say(world.review_channel, f"maybe {value.replace('.', '[.]')}")
    found = [i for i in world.outsider.get(f"/intel/indicators?q={value}").json() if i["value"] == value]
    assert found and found[0]["status"] == "candidate"
    auto = world.admin.post("/channels", {"team_id": world.team, "name": "ch-secret-auto", "display_name": "x", "type": "P", "tlp": "AMBER"}).json()["id"]
    world.admin.put(f"/channels/{auto}/patch", {"intel_mode": "auto-publish"})
    world.admin.post(f"/channels/{auto}/members", {"user_id": world.poster.id})
    world.poster.say(auto, f"confirmed bad: {value.replace('.', '[.]')}")
    after = [i for i in world.outsider.get(f"/intel/indicators?q={value}").json() if i["value"] == value]
    assert after[0]["status"] == "candidate", "the outsider learns of the private auto-publish sighting"

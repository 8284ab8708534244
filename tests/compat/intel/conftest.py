"""A fresh Conclave server (started by scripts/stages/intel) populated through its REST API
and admin CLI: users, teams, channels of every TLP label, indicators of many types posted
in them, feed keys of every ceiling, and the relabel / deletion / RED+GREEN cases. The
`world` fixture does all of that once and waits for the publisher; the test modules only
read (apart from their own clearly separated additions).
"""

import hashlib
import json
import os
import re
import shlex
import subprocess
import time

import pytest
import requests

BASE = os.environ.get("CONCLAVE_TEST_URL", "http://127.0.0.1:8065")
BIN = os.environ.get("CONCLAVE_TEST_BIN", "conclave")
ADMIN_ARGS = shlex.split(os.environ.get("CONCLAVE_TEST_ADMIN_ARGS", ""))
PASSWORD = "correct-horse-battery-42"

TAXII_ACCEPT = "application/taxii+json;version=2.1"
LABELS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
RANK = {label: i for i, label in enumerate(LABELS)}
MARKING = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "CLEAR",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "GREEN",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "AMBER",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "AMBER+STRICT",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "RED",
}
COLLECTIONS = {"tlp-clear": "CLEAR", "tlp-green": "GREEN", "tlp-amber": "AMBER", "tlp-amber-strict": "AMBER+STRICT"}
PARTNER = {"partner-rw": ("AMBER", "ransomware")}
FEEDS = ["ipv4.txt", "ipv6.txt", "domains.txt", "urls.txt", "hashes.txt", "indicators.csv"]


class Client:
    """A logged-in user of the REST API v4."""

    def __init__(self, token=None, user=None):
        self.s = requests.Session()
        self.user = user or {}
        if token:
            self.s.headers["Authorization"] = f"Bearer {token}"

    @property
    def id(self):
        return self.user["id"]

    def call(self, method, path, body=None, ok=(200, 201)):
        r = self.s.request(method, f"{BASE}/api/v4{path}", json=body, timeout=30)
        if ok and r.status_code not in ok:
            raise AssertionError(f"{method} {path} -> {r.status_code}: {r.text[:500]}")
        return r

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def say(self, channel_id, message):
        return self.post("/posts", {"channel_id": channel_id, "message": message}).json()


def signup(username):
    anon = Client()
    u = anon.post("/users", {"username": username, "email": f"{username}@member-{username}.example.org", "password": PASSWORD}).json()
    r = anon.post("/users/login", {"login_id": username, "password": PASSWORD})
    return Client(r.headers["Token"], u)


def cli(*args):
    """`conclave admin ...` against the server's database; returns stdout."""
    cmd = [BIN, "admin", *ADMIN_ARGS, *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"{cmd}: {p.stderr}"
    return p.stdout


def taxii_get(path, key, accept=TAXII_ACCEPT, params=None):
    headers = {"Accept": accept} if accept else {}
    auth = ("member", key) if key else None
    return requests.get(f"{BASE}/taxii2/{path}", headers=headers, auth=auth, params=params, timeout=30)


def all_objects(key, collection, params=None, limit=100):
    """Every object of a collection (all pages) with raw requests, following `next`."""
    out, nxt = [], None
    for _ in range(1000):
        p = dict(params or {}, limit=str(limit))
        if nxt:
            p["next"] = nxt
        r = taxii_get(f"api/collections/{collection}/objects/", key, params=p)
        assert r.status_code == 200, r.text
        env = r.json()
        out.extend(env.get("objects", []))
        if not env.get("more"):
            return out
        nxt = env["next"]
    raise AssertionError("pagination did not end")


def feed(key, name):
    r = requests.get(f"{BASE}/feeds/{name}", headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert r.status_code == 200, (name, r.status_code, r.text)
    return r.text


PATTERN_VALUE = re.compile(r"=\s*'((?:[^'\\]|\\.)*)'")


def object_value(obj):
    """The indicator value an object speaks about (pattern literal, CVE name), or None."""
    if obj["type"] == "indicator":
        m = PATTERN_VALUE.search(obj["pattern"])
        return m.group(1).replace("\\'", "'").replace("\\\\", "\\") if m else None
    if obj["type"] in ("vulnerability", "attack-pattern"):
        return obj["name"]
    return None


def object_label(obj):
    refs = obj.get("object_marking_refs") or []
    labels = [MARKING.get(r, "UNKNOWN") for r in refs]
    if not labels:
        return None
    return max(labels, key=lambda label: RANK.get(label, 99))


def version_of(obj):
    return obj.get("modified") or obj.get("created")


# Indicator values, by purpose. Each TLP channel gets a dozen of varied types so that the
# largest collection holds well over 95 objects.
def values_for(tag, n):
    out = []
    for i in range(n):
        k = i % 8
        if k == 0:
            out.append(("ipv4", f"45.{tag}.21.{10 + i}"))
        elif k == 1:
            out.append(("ipv6", f"2a0e:1c80:{tag:x}::{i + 16:x}"))
        elif k == 2:
            out.append(("domain", f"invoice-docs-{tag}-{i}.net"))
        elif k == 3:
            out.append(("url", f"https://cdn-update-{tag}.live/a/b/loader.php?id={i}"))
        elif k == 4:
            out.append(("sha256", hashlib.sha256(f"{tag}-{i}".encode()).hexdigest()))
        elif k == 5:
            out.append(("md5", hashlib.md5(f"{tag}-{i}".encode()).hexdigest()))
        elif k == 6:
            out.append(("email", f"ap-billing-{i}@invoice-docs-{tag}.net"))
        else:
            out.append(("cve", f"CVE-2023-{tag}{i:02d}"))
    return out


def defang(kind, v):
    if kind in ("cve", "sha256", "md5", "sha1"):
        return v
    return v.replace("https://", "hxxps://").replace(".", "[.]").replace("@", "[@]")


def post_values(client, channel_id, values, per_post=4):
    posts = []
    for i in range(0, len(values), per_post):
        chunk = values[i : i + per_post]
        text = "Seen in our environment: " + ", ".join(defang(k, v) for k, v in chunk)
        posts.append(client.say(channel_id, text))
    return posts


class World:
    pass


def wait_for(what, predicate, timeout=90, interval=0.5):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last is True:
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}: {last}")


def latest_by_value(key, collection="tlp-amber-strict"):
    """value -> latest indicator/vulnerability object in a collection."""
    out = {}
    for o in all_objects(key, collection):
        v = object_value(o)
        if v is not None:
            out[v] = o
    return out


@pytest.fixture(scope="session")
def world():
    w = World()
    w.admin = signup("isacadmin")  # the first account administers the server
    w.poster = signup("poster")
    w.analyst = signup("analyst")
    w.outsider = signup("outsider")  # in the team, not in the private channels
    w.stranger = signup("stranger")  # in another team only

    team = w.admin.post("/teams", {"name": "isac", "display_name": "ISAC", "type": "O"}).json()
    other = w.stranger.post("/teams", {"name": "elsewhere", "display_name": "Elsewhere", "type": "O"}).json()
    w.team, w.other_team = team["id"], other["id"]
    for c in (w.poster, w.analyst, w.outsider):
        w.admin.post(f"/teams/{w.team}/members", {"team_id": w.team, "user_id": c.id})
    w.admin.put(f"/teams/{w.team}/members/{w.analyst.id}/roles", {"roles": "team_user team_analyst"})
    # The analyst is also an analyst of the other team: their queue must still not show
    # what only the private channels of this team carry... they are a member of those, so
    # that is checked with the stranger (an analyst of their own team) instead.

    def channel(name, ctype, tlp, mode="auto-publish", members=(w.poster, w.analyst)):
        ch = w.admin.post("/channels", {"team_id": w.team, "name": name, "display_name": name, "type": ctype, "tlp": tlp}).json()
        w.admin.put(f"/channels/{ch['id']}/patch", {"intel_mode": mode})
        for m in members:
            w.admin.post(f"/channels/{ch['id']}/members", {"user_id": m.id})
        return ch["id"]

    w.channels = {
        "CLEAR": channel("ch-clear", "O", "CLEAR"),
        "GREEN": channel("ch-green", "O", "GREEN"),
        "AMBER": channel("ch-amber", "P", "AMBER"),
        "AMBER+STRICT": channel("ch-amber-strict", "P", "AMBER+STRICT"),
        "RED": channel("ch-red", "P", "RED"),
    }
    w.relabel_channel = channel("ch-relabel", "O", "GREEN")
    w.review_channel = channel("ch-review", "O", "GREEN", mode="review")
    w.secret_channel = channel("ch-secret", "P", "AMBER", mode="review")
    w.contrib_channel = channel("contributions", "P", "AMBER", mode="review", members=(w.analyst,))

    # What each value must be exported at (None: never, in any version).
    w.expected = {}
    w.history_only = {}  # value -> label it was once published at, now revoked
    w.values = {}
    tags = {"CLEAR": 61, "GREEN": 62, "AMBER": 63, "AMBER+STRICT": 64, "RED": 65}
    for label, tag in tags.items():
        vals = values_for(tag, 12)
        w.values[label] = vals
        post_values(w.poster, w.channels[label], vals)
        for _, v in vals:
            w.expected[v] = None if label == "RED" else label

    # Seen in RED first, then (later) in GREEN: shareable at GREEN, but nothing about the
    # RED sighting (its time, its count) may reach anyone.
    w.shared = ("ipv4", "91.240.118.172")
    w.shared_red_post = w.poster.say(w.channels["RED"], "beacon from 91[.]240[.]118[.]172 on the victim host")
    time.sleep(1.2)
    w.shared_green_post = w.poster.say(w.channels["GREEN"], "scanning from 91[.]240[.]118[.]172 again")
    w.expected[w.shared[1]] = "GREEN"

    # A channel relabelled GREEN -> RED after publication; a GREEN post deleted after it.
    w.relabel_values = values_for(66, 4)
    post_values(w.poster, w.relabel_channel, w.relabel_values)
    w.deleted_value = ("domain", "only-once-green.net")
    w.deleted_post = w.poster.say(w.channels["GREEN"], "phishing kit at only-once-green[.]net")

    # Review mode: confirmed by the analyst (one with a stricter TLP floor), one left as a
    # candidate (never exported).
    w.review_values = [("ipv4", "185.220.101.47"), ("sha1", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"), ("domain", "never-confirmed.org")]
    post_values(w.poster, w.review_channel, w.review_values)
    queue = {i["value"]: i for i in w.analyst.get("/intel/queue?per_page=200").json()}
    for kind, v in w.review_values:
        assert v in queue, f"{v} not in the analyst's queue: {sorted(queue)}"
    w.analyst.post(f"/intel/indicators/{queue['185.220.101.47']['id']}/review", {"action": "confirm", "confidence": 80, "tags": ["ransomware"]})
    w.analyst.post(
        f"/intel/indicators/{queue['aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d']['id']}/review",
        {"action": "confirm", "tlp": "AMBER", "tags": ["ransomware"]},
    )
    w.expected["185.220.101.47"] = "GREEN"
    w.expected["aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"] = "AMBER"
    w.expected["never-confirmed.org"] = None

    # The private channel of the visibility test (review mode: a candidate there).
    w.secret_value = ("domain", "secret-staging-host.org")

    # Feed keys: one per ceiling through the CLI (RED included: it must still get no RED),
    # one through the admin API, a write key for contributions, and one to revoke.
    w.keys = {}
    for label in LABELS:
        name = "k-" + label.lower().replace("+", "-")
        out = cli("feed-key", "create", "--name", name, "--tlp-ceiling", label)
        w.keys[label] = out.strip().splitlines()[-1].strip()
        assert w.keys[label].startswith("ck_"), out
    r = w.admin.post("/intel/feed_keys", {"name": "api-green", "tlp_ceiling": "GREEN"}).json()
    w.api_green_key = r["key"]
    out = cli("feed-key", "create", "--name", "contributor", "--tlp-ceiling", "GREEN", "--can-write")
    w.write_key = out.strip().splitlines()[-1].strip()
    out = cli("feed-key", "create", "--name", "to-revoke", "--tlp-ceiling", "AMBER")
    w.revoked_key = out.strip().splitlines()[-1].strip()
    # A partner collection: the AMBER audience narrowed to indicators tagged "ransomware",
    # and a key restricted to it.
    cli("collection", "create", "--alias", "partner-rw", "--tlp-ceiling", "AMBER", "--tag", "ransomware")
    out = cli("feed-key", "create", "--name", "k-partner", "--tlp-ceiling", "AMBER", "--collection", "partner-rw")
    w.partner_key = out.strip().splitlines()[-1].strip()
    w.partner_values = {"185.220.101.47", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"}
    top = w.keys["AMBER+STRICT"]

    # Phase 1: everything exportable is published.
    def published():
        latest = latest_by_value(top)
        missing = [v for v, label in w.expected.items() if label and v not in latest]
        missing += [v for _, v in w.relabel_values + [w.deleted_value] if v not in latest]
        return True if not missing else f"missing {missing[:5]} (+{max(0, len(missing) - 5)})"

    wait_for("the first publication", published)

    # Phase 2: relabel GREEN -> RED, delete the only GREEN post of a value; both must be
    # revoked for every audience that had them.
    w.admin.put(f"/channels/{w.relabel_channel}/patch", {"tlp": "RED"})
    w.poster.delete(f"/posts/{w.deleted_post['id']}")
    for _, v in w.relabel_values + [w.deleted_value]:
        w.expected[v] = None
        w.history_only[v] = "GREEN"

    def revoked():
        latest = latest_by_value(top)
        live = [v for v in w.history_only if not latest[v].get("revoked")]
        return True if not live else f"still live: {live}"

    wait_for("revocations", revoked)
    cli("feed-key", "revoke", "to-revoke")
    w.all_keys = dict(w.keys, **{"api-GREEN": w.api_green_key, "partner-AMBER": w.partner_key})
    w.key_ceiling = dict({label: label for label in LABELS}, **{"api-GREEN": "GREEN", "partner-AMBER": "AMBER"})
    # Keys restricted to collections read only those (and only their tags in the feeds).
    w.key_only = {"partner-AMBER": "partner-rw"}
    return w


def pytest_report_header(config):
    return f"conclave under test: {BASE} ({os.environ.get('CONCLAVE_TEST_BACKEND', '?')})"


def dump(obj):
    return json.dumps(obj, sort_keys=True)


def write_report(name, figures):
    """Writes `reports/<name>-<backend>.json` at the repository root, as the Rust suites do."""
    root = os.path.join(os.path.dirname(__file__), "..", "..", "..", "reports")
    os.makedirs(root, exist_ok=True)
    backend = os.environ.get("CONCLAVE_TEST_BACKEND", "unknown")
    with open(os.path.join(root, f"{name}-{backend}.json"), "w") as f:
        json.dump({"backend": backend, **figures}, f, indent=2, sort_keys=True)

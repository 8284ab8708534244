"""TAXII 2.1 conformance as taxii2-client 2.3.0 sees it: discovery, collections, paging with
`as_pages` and with raw `limit`/`next`, `added_after`, the `match[...]` filters, manifests,
single objects and versions, and the error statuses a client must be able to rely on."""

from collections import Counter

import requests
from taxii2client.common import TokenAuth
from taxii2client.v21 import Server, as_pages

from conftest import BASE, COLLECTIONS, TAXII_ACCEPT, taxii_get, version_of

PAGE = 10


def server(key):
    return Server(f"{BASE}/taxii2/", user="member", password=key)



def readable(key):
    root = server(key).api_roots[0]
    return [c for c in root.collections if c.can_read]


def pairs(objects):
    return [(o["id"], version_of(o)) for o in objects]


def test_discovery_and_api_root(world):
    s = server(world.keys["AMBER+STRICT"])
    assert s.title
    root = s.api_roots[0]
    assert root.url == f"{BASE}/taxii2/api/"
    assert "application/taxii+json;version=2.1" in root.versions
    assert root.max_content_length > 0
    ids = {c.id for c in root.collections}
    assert len(ids) == 6, "four audiences, the partner collection and the contributions inbox"
    for c in root.collections:
        assert c.media_types == ["application/stix+json;version=2.1"]


def test_token_and_bearer_auth(world):
    key = world.keys["GREEN"]
    s = Server(f"{BASE}/taxii2/", auth=TokenAuth(key))
    assert {c.title for c in s.api_roots[0].collections if c.can_read} == {c.title for c in readable(key)}
    r = requests.get(f"{BASE}/taxii2/api/collections/", headers={"Accept": TAXII_ACCEPT, "Authorization": f"Bearer {key}"}, timeout=30)
    assert r.status_code == 200


def test_every_collection_pages_exactly_once(world):
    biggest = 0
    paged = 0
    for label in ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"):
        key = world.keys[label]
        for c in readable(key):
            # taxii2-client's own pager.
            via_pages = []
            for env in as_pages(c.get_objects, per_request=PAGE):
                assert len(env.get("objects", [])) <= PAGE
                via_pages.extend(env.get("objects", []))
            # Raw get_objects(limit=10) and next until more is false.
            raw, nxt, pages = [], None, 0
            while True:
                env = c.get_objects(limit=PAGE, next=nxt) if nxt else c.get_objects(limit=PAGE)
                objs = env.get("objects", [])
                assert len(objs) <= PAGE
                raw.extend(objs)
                pages += 1
                if not env.get("more"):
                    assert "next" not in env or not env["next"]
                    break
                assert env.get("next"), "more without next"
                nxt = env["next"]
            manifest = []
            for env in as_pages(c.get_manifest, per_request=PAGE):
                manifest.extend(env.get("objects", []))
            for name, got in (("as_pages", pairs(via_pages)), ("raw", pairs(raw))):
                dup = [p for p, n in Counter(got).items() if n > 1]
                assert not dup, f"{label}/{c.title}: {name} returned {dup[:3]} more than once"
                ids = Counter(i for i, _ in got)
                assert all(n == 1 for n in ids.values()), f"{label}/{c.title}: latest-version listing repeats an id"
            assert set(pairs(via_pages)) == set(pairs(raw)) == {(m["id"], m["version"]) for m in manifest}
            # Every version: each (id, version) exactly once, and the latest listing is the
            # last version of each id.
            every = []
            for env in as_pages(c.get_objects, per_request=PAGE, version="all"):
                every.extend(env.get("objects", []))
            got = pairs(every)
            dup = [p for p, n in Counter(got).items() if n > 1]
            assert not dup, f"{label}/{c.title}: version=all returned {dup[:3]} twice"
            last = {}
            for i, v in got:
                last[i] = max(last.get(i, v), v)
            assert set(last.items()) == set(pairs(raw))
            biggest = max(biggest, len(raw))
            paged += len(every)
            if label == "AMBER+STRICT" and c.title.startswith("TLP:AMBER+STRICT"):
                assert pages >= 10, f"only {pages} pages of {PAGE}"
    print(f"\nTAXII paging: biggest collection {biggest} objects, {paged} object versions paged (limit {PAGE}), each exactly once")
    assert biggest >= 95


def raw_pages(key, collection, params=None, endpoint="objects"):
    pages, nxt = [], None
    while True:
        p = dict(params or {}, limit=str(PAGE))
        if nxt:
            p["next"] = nxt
        r = taxii_get(f"api/collections/{collection}/{endpoint}/", key, params=p)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].replace(" ", "") == TAXII_ACCEPT
        env = r.json()
        pages.append((r.headers, env))
        if not env.get("more"):
            return pages
        nxt = env["next"]


def collection_id(key, alias):
    for c in server(key).api_roots[0].collections:
        if c.title.startswith(alias):
            return c.id
    raise AssertionError(alias)


def test_added_after_returns_only_newer(world):
    key = world.keys["AMBER+STRICT"]
    col = collection_id(key, "TLP:AMBER+STRICT")
    pages = raw_pages(key, col)
    assert len(pages) >= 5
    mid = len(pages) // 2
    cut = pages[mid][0]["X-TAXII-Date-Added-Last"]
    assert cut.endswith("Z")
    later = [o for _, env in pages[mid + 1 :] for o in env["objects"]]
    after = [o for _, env in raw_pages(key, col, {"added_after": cut}) for o in env["objects"]]
    assert pairs(after) == pairs(later), "added_after must return exactly the objects added later, in order"
    # The same through taxii2-client, from a manifest entry's date_added.
    c = [c for c in readable(key) if c.id == col][0]
    manifest = c.get_manifest(limit=1000)["objects"]
    entry = manifest[len(manifest) // 3]
    newer = [m for m in manifest if m["date_added"] > entry["date_added"]]
    got = c.get_objects(added_after=entry["date_added"], limit=1000)["objects"]
    assert pairs(got) == [(m["id"], m["version"]) for m in newer]
    for m in c.get_manifest(added_after=entry["date_added"], limit=1000)["objects"]:
        assert m["date_added"] > entry["date_added"]
    # Exclusive, also with a +00:00 offset spelling.
    last = manifest[-1]["date_added"]
    assert c.get_objects(added_after=last).get("objects", []) == []
    r = taxii_get(f"api/collections/{col}/objects/", key, params={"added_after": last.replace("Z", "+00:00")})
    assert r.status_code == 200 and r.json().get("objects", []) == []


def test_filters_object_and_versions(world):
    key = world.keys["AMBER+STRICT"]
    c = [c for c in readable(key) if c.title.startswith("TLP:AMBER+STRICT")][0]
    inds = c.get_objects(type="indicator", limit=1000)["objects"]
    assert inds and all(o["type"] == "indicator" for o in inds)
    two = c.get_objects(type=["vulnerability", "marking-definition"], limit=1000)["objects"]
    assert {o["type"] for o in two} == {"vulnerability", "marking-definition"}
    one = inds[0]
    got = c.get_objects(id=one["id"])["objects"]
    assert pairs(got) == [(one["id"], version_of(one))]
    # A revoked indicator has several versions; match[version]=all returns each once, in
    # order, and first/last/exact select among them.
    deleted = [o for o in inds if o.get("revoked")]
    assert deleted, "the deleted and relabelled indicators are revoked"
    rid = deleted[0]["id"]
    every = c.get_objects(id=rid, version="all")["objects"]
    assert len(every) >= 2 and every[-1].get("revoked") and not every[0].get("revoked")
    versions = [version_of(o) for o in every]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert c.object_versions(rid)["versions"] == versions
    assert pairs(c.get_object(rid)["objects"]) == [(rid, versions[-1])]
    assert pairs(c.get_object(rid, version="first")["objects"]) == [(rid, versions[0])]
    assert pairs(c.get_object(rid, version=versions[0])["objects"]) == [(rid, versions[0])]
    assert pairs(c.get_objects(id=rid, version="first")["objects"]) == [(rid, versions[0])]
    assert pairs(c.get_objects(id=rid, version=["first", "last"])["objects"]) == [(rid, versions[0]), (rid, versions[-1])]
    assert pairs(c.get_objects(id=rid, version=["last", versions[0]])["objects"]) == [(rid, versions[0]), (rid, versions[-1])]
    assert [m["version"] for m in c.get_manifest(id=rid, version="all")["objects"]] == versions
    assert c.get_objects(spec_version="2.0").get("objects", []) == []
    assert len(c.get_objects(spec_version="2.1", limit=1000)["objects"]) == len(c.get_objects(limit=1000)["objects"])


def error_body(r, status):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"].replace(" ", "") == TAXII_ACCEPT
    body = r.json()
    assert body["title"] and body["http_status"] == str(status), body
    return body


def test_errors(world):
    key = world.keys["AMBER+STRICT"]
    col = collection_id(key, "TLP:AMBER+STRICT")
    objects = f"api/collections/{col}/objects/"
    error_body(taxii_get(objects, key, params={"next": "not-a-cursor"}), 400)
    # A cursor is tied to the filters it was issued for.
    first = taxii_get(objects, key, params={"limit": "5"}).json()
    error_body(taxii_get(objects, key, params={"limit": "5", "next": first["next"], "match[type]": "indicator"}), 400)
    error_body(taxii_get(objects, key, params={"added_after": "yesterday"}), 400)
    error_body(taxii_get(objects, key, params={"limit": "0"}), 400)
    error_body(taxii_get(objects, key, accept="application/xml"), 406)
    error_body(taxii_get(objects, key, accept="application/taxii+json;version=2.0"), 406)
    error_body(taxii_get(objects, None), 401)
    r = taxii_get(objects, None)
    assert r.headers.get("WWW-Authenticate", "").lower().startswith("basic")
    error_body(taxii_get("", None), 401)
    error_body(taxii_get(objects, world.revoked_key), 401)
    error_body(taxii_get("api/collections/", world.revoked_key), 401)
    error_body(taxii_get(objects, "ck_" + "x" * 52), 401)
    error_body(taxii_get(f"api/collections/{col}/objects/indicator--00000000-0000-4000-8000-000000000000/", key), 404)
    error_body(taxii_get("api/collections/no-such-collection/objects/", key), 404)
    error_body(taxii_get("api/status/00000000-0000-4000-8000-000000000000/", key), 404)
    # Generic Accept headers (some ingesters send them) get TAXII JSON.
    r = taxii_get(objects, key, accept="application/json, text/plain, */*")
    assert r.status_code == 200 and r.headers["Content-Type"].replace(" ", "") == TAXII_ACCEPT
    # Objects are withdrawn by revocation, never deleted by a reader.
    r = requests.delete(f"{BASE}/taxii2/{objects}{first['objects'][0]['id']}/", auth=("m", key), headers={"Accept": TAXII_ACCEPT}, timeout=30)
    assert r.status_code in (403, 405), r.status_code
    # Reading the write-only inbox is refused for every key.
    for k in list(world.keys.values()) + [world.write_key]:
        for c in server(k).api_roots[0].collections:
            if c.can_write:
                assert not c.can_read
                r = taxii_get(f"api/collections/{c.id}/objects/", k)
                assert r.status_code in (403, 404), r.status_code


def test_collections_follow_the_key_ceiling(world):
    for label, key in world.keys.items():
        titles = {c.title for c in readable(key)}
        want = {t for t, ceiling in (("TLP:CLEAR indicators", "CLEAR"), ("TLP:GREEN and below", "GREEN"), ("TLP:AMBER and below", "AMBER"), ("TLP:AMBER+STRICT and below", "AMBER+STRICT"), ("partner-rw", "AMBER")) if ceiling_ok(ceiling, label)}
        assert titles == want, (label, titles)
        # Collections above the ceiling do not exist for the key, by alias or id.
        top = world.keys["AMBER+STRICT"]
        for alias, ceiling in COLLECTIONS.items():
            cid = collection_id(top, {"tlp-clear": "TLP:CLEAR", "tlp-green": "TLP:GREEN", "tlp-amber": "TLP:AMBER and", "tlp-amber-strict": "TLP:AMBER+STRICT"}[alias])
            for ref in (alias, cid):
                r = taxii_get(f"api/collections/{ref}/", key)
                assert r.status_code == (200 if ceiling_ok(ceiling, label) else 404), (label, ref, r.status_code)


def ceiling_ok(collection_label, key_label):
    order = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
    return order.index(collection_label) <= order.index(key_label)

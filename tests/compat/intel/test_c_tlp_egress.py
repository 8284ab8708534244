"""TLP egress: every key (one per ceiling, RED included, one issued through the admin API)
reads every blocklist feed and every TAXII collection, every version of every object.
Nothing may appear above the key's (and the collection's) ceiling, nothing seen only in RED
may appear anywhere, and what must leave an audience (a channel relabelled GREEN -> RED, the
only GREEN post of a value deleted) is revoked there."""

import csv
import io
from datetime import datetime, timezone

from conftest import (
    write_report,
    COLLECTIONS,
    PARTNER,
    FEEDS,
    RANK,
    all_objects,
    feed,
    object_label,
    object_value,
    taxii_get,
    version_of,
)

FEED_KINDS = {
    "ipv4.txt": {"ipv4"},
    "ipv6.txt": {"ipv6"},
    "domains.txt": {"domain"},
    "urls.txt": {"url"},
    "hashes.txt": {"md5", "sha1", "sha256"},
    "indicators.csv": None,  # every kind
}


def ms(ts):
    return int(datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp() * 1000 + 0.5) if "." in ts else int(
        datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() * 1000
    )


class Tally:
    def __init__(self):
        self.cells = 0
        self.leaks = []

    def check(self, ok, what):
        self.cells += 1
        if not ok:
            self.leaks.append(what)


def kinds_of(world):
    out = {}
    for vals in list(world.values.values()) + [world.relabel_values, world.review_values]:
        for k, v in vals:
            out[v] = k
    out[world.shared[1]] = world.shared[0]
    out[world.deleted_value[1]] = world.deleted_value[0]
    return out


def test_tlp_egress_matrix(world):
    t = Tally()
    missing = []
    kinds = kinds_of(world)
    for key_name, key in world.all_keys.items():
        ceiling = RANK[world.key_ceiling[key_name]]
        only = world.key_only.get(key_name)

        def allowed(v, exp):
            # What this key may receive: within its ceiling and, for a key restricted to a
            # partner collection, carrying that collection's tag.
            return exp in RANK and RANK[exp] <= ceiling and (only is None or v in world.partner_values)

        # Blocklists and CSV.
        for name in FEEDS:
            text = feed(key, name)
            if name.endswith(".csv"):
                rows = list(csv.DictReader(io.StringIO(text)))
                listed = {r["value"]: r for r in rows}
                for r in rows:
                    exp = world.expected.get(r["value"], "UNKNOWN")
                    ok = allowed(r["value"], exp) and r["tlp"] == f"TLP:{exp}"
                    t.check(ok, f"{key_name} {name}: {r['value']} listed as {r['tlp']} (expected {exp})")
                    t.check("channel" not in text.lower(), f"{key_name} {name}: names a channel")
                    if r["value"] == world.shared[1]:
                        # Seen in RED first: the RED sighting's time and count stay inside.
                        green_ms = world.shared_green_post["create_at"]
                        t.check(r["sightings"] == "1", f"{key_name} {name}: {r['value']} counts {r['sightings']} sightings (RED included)")
                        t.check(ms(r["first_seen"]) >= green_ms, f"{key_name} {name}: first_seen {r['first_seen']} is the RED sighting's")
            else:
                lines = [line for line in text.split("\n") if line]
                listed = dict.fromkeys(lines)
                assert text == "" or text.endswith("\n")
                for v in lines:
                    exp = world.expected.get(v, "UNKNOWN")
                    t.check(allowed(v, exp), f"{key_name} {name}: {v} (expected {exp}) above the ceiling or outside its collections")
            for v, exp in world.expected.items():
                wanted = FEED_KINDS[name]
                if wanted is not None and kinds.get(v) not in wanted:
                    continue
                should = exp is not None and allowed(v, exp)
                t.check(should or v not in listed, f"{key_name} {name}: {v} present (expected {exp})")
                if should and v not in listed:
                    missing.append(f"{key_name} {name}: {v}")
        # TAXII: every collection, every version.
        partner = {alias: label for alias, (label, _) in PARTNER.items()}
        for alias, col_label in list(COLLECTIONS.items()) + list(partner.items()) + [("contributions", None)]:
            r = taxii_get(f"api/collections/{alias}/objects/", key)
            if col_label is None or RANK[col_label] > ceiling or (only is not None and alias != only):
                t.check(r.status_code in (403, 404), f"{key_name} reads {alias}: {r.status_code}")
                continue
            t.check(r.status_code == 200, f"{key_name} cannot read {alias}: {r.status_code}")
            limit = min(ceiling, RANK[col_label])
            objects = all_objects(key, alias, {"match[version]": "all"})
            tag = PARTNER.get(alias, (None, None))[1]
            check_objects(world, t, f"{key_name} {alias}", objects, limit, tag)
            present = {object_value(o) for o in objects}
            for v, exp in world.expected.items():
                if exp is not None and RANK[exp] <= limit and (tag is None or v in world.partner_values) and v not in present:
                    missing.append(f"{key_name} {alias}: {v}")
    print(f"\nTLP egress: cells tested={t.cells} leaks={len(t.leaks)}")
    write_report("tlp-egress", {"cells": t.cells, "leaks": len(t.leaks), "missing_exportable": len(missing)})
    for leak in t.leaks[:30]:
        print("  LEAK", leak)
    assert not t.leaks
    assert not missing, f"exportable values missing (the test would be vacuous): {missing[:10]}"


def check_objects(world, t, where, objects, limit, tag=None):
    indicator_value = {}
    latest = {}
    for o in objects:
        v = object_value(o)
        if v is not None:
            indicator_value[o["id"]] = v
        if o["id"] not in latest or version_of(o) > version_of(latest[o["id"]]):
            latest[o["id"]] = o
    green_ms = world.shared_green_post["create_at"]
    for o in objects:
        label = object_label(o)
        if o["type"] in ("indicator", "sighting", "vulnerability", "attack-pattern"):
            t.check(label is not None, f"{where}: {o['id']} has no TLP marking")
        t.check(label is None or RANK.get(label, 99) <= limit, f"{where}: {o['id']} marked {label} above {limit}")
        v = indicator_value.get(o["id"]) or indicator_value.get(o.get("sighting_of_ref"))
        if o["type"] == "sighting" and v is None:
            t.check(False, f"{where}: sighting {o['id']} of an object the collection does not carry")
            continue
        if v is None:
            continue
        if tag is not None:
            t.check(v in world.partner_values, f"{where}: {o['type']} for {v} is not tagged {tag}")
        exp = world.expected.get(v, "UNKNOWN")
        if v in world.history_only:
            # It was shareable once; its last version here must withdraw it.
            t.check(latest[o["id"]].get("revoked") is True, f"{where}: {o['type']} for {v} not revoked after it left the audience")
        else:
            t.check(exp in RANK, f"{where}: {o['type']} for {v} (expected {exp}) must not be exported")
            if exp in RANK and o is latest[o["id"]]:
                t.check(not o.get("revoked"), f"{where}: {v} wrongly revoked")
                if o["type"] != "sighting":
                    t.check(label == exp, f"{where}: {v} marked {label}, expected {exp}")
        if v == world.shared[1]:
            # Seen in RED first: nothing about that sighting (time, count) may show.
            for prop in ("created", "valid_from", "first_seen"):
                if prop in o:
                    t.check(ms(o[prop]) >= green_ms, f"{where}: {o['type']}.{prop}={o[prop]} predates the GREEN sighting (RED context)")
            if o["type"] == "sighting":
                t.check(o.get("count") == 1, f"{where}: sighting count {o.get('count')} includes the RED sighting")


def test_red_activity_creates_no_new_versions(world):
    """Mentioning an already shared value in a RED channel must not show up anywhere
    outside it, not even as a new version of the shared object."""
    key = world.keys["AMBER+STRICT"]
    before = {(o["id"], version_of(o)) for o in all_objects(key, "tlp-amber-strict", {"match[version]": "all"})}
    feeds_before = {(k, name): feed(k, name) for k in world.all_keys.values() for name in FEEDS}
    green_value = world.values["GREEN"][0][1]
    world.poster.say(world.channels["RED"], f"also beaconing to {green_value.replace('.', '[.]')}")
    # A fence: a fresh GREEN value; once it is published, the publisher has handled the RED
    # post's change as well (it works through pending changes in order).
    fence = "45.62.99.1"
    world.poster.say(world.channels["GREEN"], f"fence {fence.replace('.', '[.]')}")
    world.expected[fence] = "GREEN"
    from conftest import latest_by_value, wait_for

    wait_for("the fence", lambda: fence in latest_by_value(key) or "not yet")
    after = all_objects(key, "tlp-amber-strict", {"match[version]": "all"})
    new = [o for o in after if (o["id"], version_of(o)) not in before]
    ids = {o["id"] for o in after if object_value(o) == fence}
    stray = [f"{o['type']} {o['id']} {object_value(o) or o.get('sighting_of_ref')}" for o in new if o["id"] not in ids and o.get("sighting_of_ref") not in ids]
    print(f"\nRED side channel: {len(new)} new object versions after a RED mention and a GREEN fence; {len(stray)} not from the fence")
    assert not stray, stray
    changed = []
    for (k, name), text in feeds_before.items():
        now = "".join(line + "\n" for line in feed(k, name).split("\n") if line and not line.startswith(fence))
        if now != text:
            changed.append(name)
    print(f"RED side channel: {len(feeds_before)} feed reads compared, {len(changed)} changed by the RED mention")
    assert not changed, changed

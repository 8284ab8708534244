"""Contributions: a write key POSTs an envelope to the `contributions` inbox with
taxii2-client; the status resource is complete, and the indicator reaches the analysts'
review queue as a candidate (never the feeds, until an analyst confirms it)."""

import uuid

import requests
from taxii2client.v21 import Server

from conftest import BASE, TAXII_ACCEPT, feed

VALUE = "77.91.124.55"


def inbox(key):
    for c in Server(f"{BASE}/taxii2/", user="org-a", password=key).api_roots[0].collections:
        if c.can_write:
            return c
    return None


def test_contribution_reaches_the_queue(world):
    c = inbox(world.write_key)
    assert c is not None and not c.can_read
    ind_id = f"indicator--{uuid.uuid4()}"
    envelope = {
        "objects": [
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": ind_id,
                "created": "2025-01-02T10:00:00.000Z",
                "modified": "2025-01-02T10:00:00.000Z",
                "name": "C2 seen by org-a",
                "pattern": f"[ipv4-addr:value = '{VALUE}']",
                "pattern_type": "stix",
                "valid_from": "2025-01-02T10:00:00Z",
            },
            {"type": "note", "spec_version": "2.1", "id": f"note--{uuid.uuid4()}", "created": "2025-01-02T10:00:00.000Z", "modified": "2025-01-02T10:00:00.000Z", "content": "nothing here", "object_refs": [ind_id]},
        ]
    }
    status = c.add_objects(envelope)
    assert status.status == "complete"
    assert status.total_count == 2 and status.success_count == 1 and status.failure_count == 1, status._raw
    assert status.successes[0]["id"] == ind_id
    # The status resource is the posting key's own.
    root = Server(f"{BASE}/taxii2/", user="org-a", password=world.write_key).api_roots[0]
    assert root.get_status(status.id).status == "complete"
    r = requests.get(f"{BASE}/taxii2/api/status/{status.id}/", auth=("x", world.keys["AMBER+STRICT"]), headers={"Accept": TAXII_ACCEPT}, timeout=30)
    assert r.status_code == 404
    queue = {i["value"]: i for i in world.analyst.get("/intel/queue?per_page=200").json()}
    assert VALUE in queue, sorted(queue)
    assert queue[VALUE]["status"] == "candidate"
    for key in world.keys.values():
        assert VALUE not in feed(key, "ipv4.txt")
    print(f"\nContributions: envelope of 2 accepted 1, rejected 1; {VALUE} is a candidate in the analysts' queue")


def test_inbox_refuses_readers_and_bad_posts(world):
    body = {"objects": [{"type": "indicator", "id": f"indicator--{uuid.uuid4()}", "pattern": "[ipv4-addr:value = '77.91.124.56']"}]}
    url = f"{BASE}/taxii2/api/collections/contributions/objects/"
    ct = {"Accept": TAXII_ACCEPT, "Content-Type": TAXII_ACCEPT}
    r = requests.post(url, json=body, auth=("x", world.keys["AMBER+STRICT"]), headers=ct, timeout=30)
    assert r.status_code in (403, 404), r.status_code
    r = requests.post(url, json=body, auth=("x", world.write_key), headers={"Accept": TAXII_ACCEPT, "Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 415, r.status_code
    r = requests.post(url, json=body, auth=("x", world.write_key), headers={"Accept": TAXII_ACCEPT, "Content-Type": "application/taxii+json;version=2.0"}, timeout=30)
    assert r.status_code == 415, r.status_code
    # Over max_content_length: 413, with TAXII's error body.
    limit = Server(f"{BASE}/taxii2/", user="org-a", password=world.write_key).api_roots[0].max_content_length
    r = requests.post(url, data=b'{"objects": [' + b" " * (limit + 1) + b"]}", auth=("x", world.write_key), headers=ct, timeout=60)
    assert r.status_code == 413, r.status_code
    assert r.headers["Content-Type"].replace(" ", "") == TAXII_ACCEPT and r.json()["http_status"] == "413"
    r = requests.post(url, data="{not json", auth=("x", world.write_key), headers=ct, timeout=30)
    assert r.status_code == 400, r.status_code
    r = requests.post(url, json=body, headers=ct, timeout=30)
    assert r.status_code == 401
    r = requests.get(url, auth=("x", world.write_key), headers={"Accept": TAXII_ACCEPT}, timeout=30)
    assert r.status_code in (403, 404)

-- Intel sharing: indicators captured from posts, their sightings, analyst decisions, the
-- append-only STIX object log that TAXII collections and feeds read, feed credentials, and
-- the audit log. Keep in step with ../sqlite/0002_intel.sql.

ALTER TABLE channels ADD COLUMN intel_attribution BIGINT NOT NULL DEFAULT 0;

-- One row per (type, canonical value); the review state lives here.
CREATE TABLE indicators (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    status TEXT NOT NULL,
    confidence BIGINT NOT NULL DEFAULT 50,
    tags TEXT NOT NULL DEFAULT '[]',
    kill_chain_phase TEXT NOT NULL DEFAULT '',
    -- A label stricter than the sightings' own, set by an analyst, as a rank
    -- (0 CLEAR, 1 GREEN, 2 AMBER, 3 AMBER+STRICT, 4 RED); 0 imposes nothing.
    tlp_floor BIGINT NOT NULL DEFAULT 0,
    valid_until BIGINT NOT NULL DEFAULT 0,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    create_at BIGINT NOT NULL,
    update_at BIGINT NOT NULL,
    reviewed_by TEXT NOT NULL DEFAULT '',
    reviewed_at BIGINT NOT NULL DEFAULT 0,
    published_at BIGINT NOT NULL DEFAULT 0,
    -- What the STIX log last said about this indicator: the label rank it was published at
    -- (-1 never) and whether that version was revoked. The publisher compares these with the
    -- current state to decide what to append.
    published_rank BIGINT NOT NULL DEFAULT -1,
    published_revoked BIGINT NOT NULL DEFAULT 0,
    -- Set in the same transaction as any change that affects what is exported.
    publish_pending BIGINT NOT NULL DEFAULT 0,
    UNIQUE (kind, value)
);
CREATE INDEX indicators_pending ON indicators(publish_pending);
CREATE INDEX indicators_status ON indicators(status, last_seen);

-- A post carrying an indicator. Editing or deleting the post retracts it.
CREATE TABLE sightings (
    id TEXT PRIMARY KEY,
    indicator_id TEXT NOT NULL REFERENCES indicators(id),
    post_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    team_id TEXT NOT NULL DEFAULT '',
    user_id TEXT NOT NULL,
    org_id TEXT NOT NULL DEFAULT '',
    tlp_rank BIGINT NOT NULL,
    raw TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    retracted_at BIGINT NOT NULL DEFAULT 0,
    UNIQUE (indicator_id, post_id)
);
CREATE INDEX sightings_indicator ON sightings(indicator_id, retracted_at);
CREATE INDEX sightings_channel ON sightings(channel_id, seen_at);
CREATE INDEX sightings_post ON sightings(post_id);

-- Append-only STIX 2.1 object versions. `date_added` (microseconds) strictly increases with
-- `seq`, which is what TAXII pagination and `added_after` rely on. `tlp_rank` orders labels
-- (0 CLEAR .. 4 RED) so a collection reads rows at or below its ceiling.
CREATE TABLE stix_objects (
    seq BIGSERIAL PRIMARY KEY,
    stix_id TEXT NOT NULL,
    stix_type TEXT NOT NULL,
    version TEXT NOT NULL,
    spec_version TEXT NOT NULL DEFAULT '2.1',
    tlp_rank BIGINT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    indicator_id TEXT NOT NULL DEFAULT '',
    date_added BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX stix_objects_id ON stix_objects(stix_id, tlp_rank, seq);
CREATE INDEX stix_objects_rank ON stix_objects(tlp_rank, seq);

-- TAXII collections: audiences by TLP ceiling, optionally narrowed to tags (partners).
CREATE TABLE collections (
    id TEXT PRIMARY KEY,
    alias TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tlp_ceiling TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    can_write BIGINT NOT NULL DEFAULT 0,
    create_at BIGINT NOT NULL
);

-- Credentials for machines (SIEMs, firewalls, partners). Only a digest of the key is kept.
CREATE TABLE feed_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL UNIQUE,
    tlp_ceiling TEXT NOT NULL,
    collections TEXT NOT NULL DEFAULT '[]',
    can_write BIGINT NOT NULL DEFAULT 0,
    org_id TEXT NOT NULL DEFAULT '',
    create_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT NOT NULL DEFAULT 0
);

-- Results of TAXII POSTs, for the status endpoint.
CREATE TABLE taxii_status (
    id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    request_at BIGINT NOT NULL,
    body TEXT NOT NULL
);

-- Allow-list entries added by analysts (the built-in lists live in the ioc crate).
CREATE TABLE allowlist (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    reason TEXT NOT NULL,
    added_by TEXT NOT NULL,
    create_at BIGINT NOT NULL,
    PRIMARY KEY (kind, value)
);

-- Append-only record of security-relevant events.
CREATE TABLE audit_log (
    seq BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);

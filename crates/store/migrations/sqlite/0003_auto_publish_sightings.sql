-- Auto-publish is a property of a sighting, not of the indicator: a post in an auto-publish
-- channel authorizes export of what it carries at that channel's label, without changing the
-- indicator's review status (which every reader of any sighting can see).
ALTER TABLE sightings ADD COLUMN auto_publish BIGINT NOT NULL DEFAULT 0;
-- Indicators that earlier versions confirmed only because of an auto-publish sighting keep
-- their status; the column starts at 0 for existing rows.

-- STIX forbids updating an object once a version of it is revoked. When an indicator must
-- come back after a revocation (re-confirmed, its label loosened again, a tag re-added), it
-- is published under a fresh object id: the generation counts those fresh starts.
ALTER TABLE indicators ADD COLUMN publish_generation BIGINT NOT NULL DEFAULT 0;

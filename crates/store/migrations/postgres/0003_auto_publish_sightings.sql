-- Auto-publish is a property of a sighting, not of the indicator: a post in an auto-publish
-- channel authorizes export of what it carries at that channel's label, without changing the
-- indicator's review status (which every reader of any sighting can see).
ALTER TABLE sightings ADD COLUMN auto_publish BIGINT NOT NULL DEFAULT 0;
-- Indicators that earlier versions confirmed only because of an auto-publish sighting keep
-- their status; the column starts at 0 for existing rows.

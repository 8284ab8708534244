-- Keep in step with ../sqlite/0004_lean_capture_indexes.sql.
-- Fewer index entries per captured indicator: every index on `sightings` and `indicators` is
-- written for each new indicator a post carries.
-- Lookups by indicator use the unique (indicator_id, post_id) index's prefix.
DROP INDEX sightings_indicator;
-- The publisher reads only pending indicators, oldest change first; the rest need no entry.
DROP INDEX indicators_pending;
CREATE INDEX indicators_pending ON indicators(update_at) WHERE publish_pending = 1;
-- A post's sightings are found by the post's insertion order, which new sightings follow, not
-- by its random id, which would put each new entry on a random page of the index.
ALTER TABLE sightings ADD COLUMN post_seq BIGINT NOT NULL DEFAULT 0;
UPDATE sightings SET post_seq = COALESCE((SELECT seq FROM posts WHERE posts.id = sightings.post_id), 0);
DROP INDEX sightings_post;
CREATE INDEX sightings_post_seq ON sightings(post_seq);

-- The SRE console (issue 16).
--
-- Who stored each routing version: "admin_api from <address>", "console session <tag> from
-- <address>" or "file" (the routing file watcher), and on which instance. Versions stored before
-- this migration have neither (shown as unknown).
ALTER TABLE routing_configs ADD COLUMN changed_by text, ADD COLUMN instance text;

-- GET /admin/charges lists the most recent charges. A BRIN index on created_at (charges are
-- appended in time order) finds the last seconds, minutes or hours in a few pages and costs next to
-- nothing per insert, unlike a B-tree entry per charge on the hot path (migration V3's reasoning).
-- Ids are not usable for this: their time prefix sorts by time only under the C collation.
CREATE INDEX charges_created_brin ON charges USING brin (created_at);

-- Speed of the outcome write (issue 8). attempts had two B-trees: the primary key (id), which the
-- outcome and checkpoint upserts use as their conflict target, and (charge_id, seq), which every
-- read of a charge's attempts uses. Each attempt paid two index inserts. One key serves both:
-- (charge_id, id). The upserts conflict on it, and a charge's attempts are its prefix (the reads
-- sort the few rows by seq themselves).
--
-- Attempt ids are unique by construction (time + 14 random base62 characters) and an attempt is
-- only ever written with the charge it was made for, so a unique (charge_id, id) admits exactly
-- the rows a unique id did.
ALTER TABLE attempts DROP CONSTRAINT attempts_pkey;
DROP INDEX attempts_charge;
ALTER TABLE attempts ADD CONSTRAINT attempts_pkey PRIMARY KEY (charge_id, id);

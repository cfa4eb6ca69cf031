-- Shadow routing rules (issue 19): rules every live charge is also decided by, counted, never
-- acted on. One shadow at a time for the fleet: this table holds at most one row. Each
-- installation takes a new generation; every instance installs the newest within its database
-- check (half a second) and starts its counts at zero.
CREATE SEQUENCE routing_shadow_generation;
CREATE TABLE routing_shadow (
  id            int PRIMARY KEY CHECK (id = 1),
  generation    bigint NOT NULL,
  rules         jsonb NOT NULL,
  installed_by  text NOT NULL,
  instance      text NOT NULL,
  installed_at  timestamptz NOT NULL DEFAULT now()
);

-- Routing canaries (issue 19): proposed rules that decide a share of live charges, judged against
-- the rules in force and then promoted (stored as a new routing version) or rolled back. At most
-- one runs at a time for the fleet (the partial unique index); finishing one is a conditional
-- update from 'running', so exactly one instance records each verdict.
CREATE TABLE routing_canaries (
  generation        bigserial PRIMARY KEY,
  rules             jsonb NOT NULL,
  plan              jsonb NOT NULL,
  hash_by           text NOT NULL CHECK (hash_by IN ('card', 'merchant_reference')),
  base_version      bigint NOT NULL,
  state             text NOT NULL DEFAULT 'running'
                    CHECK (state IN ('running', 'promoted', 'rolled_back', 'stopped')),
  started_by        text NOT NULL,
  instance          text NOT NULL,
  started_at        timestamptz NOT NULL DEFAULT now(),
  ends_at           timestamptz NOT NULL,
  finished_at       timestamptz,
  reason            text,
  figures           jsonb,
  promoted_version  bigint
);
CREATE UNIQUE INDEX routing_canaries_one_running ON routing_canaries ((true)) WHERE state = 'running';

-- Every step of a canary, with the figures behind it: part of the routing version history.
CREATE TABLE routing_canary_events (
  id          bigserial PRIMARY KEY,
  generation  bigint NOT NULL REFERENCES routing_canaries (generation),
  event       text NOT NULL CHECK (event IN ('started', 'compared', 'promoted', 'rolled_back', 'stopped')),
  reason      text,
  figures     jsonb,
  instance    text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX routing_canary_events_generation ON routing_canary_events (generation, id);

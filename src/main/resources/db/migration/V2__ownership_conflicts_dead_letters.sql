-- Money safety under faults: explicit ownership of unsettled charges, late results that disagree
-- with a final charge, and rows the database refused.

-- Every running router instance, with a heartbeat it renews every second. A charge is owned by the
-- instance that claimed (or took over) it; another instance takes it over only once the owner's
-- heartbeat has stopped.
CREATE TABLE instances (
  id            text PRIMARY KEY,
  started_at    timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE charges
  ADD COLUMN owner          text,
  -- when the reconciler looks at an unsettled charge next (backs off for charges that stay stuck,
  -- so they never starve newer ones)
  ADD COLUMN next_check_at  timestamptz,
  ADD COLUMN checks         int NOT NULL DEFAULT 0,
  -- a late result that disagreed with the charge's final status (see conflicts)
  ADD COLUMN conflict       text;

UPDATE charges SET next_check_at = updated_at WHERE status IN ('processing', 'pending');
DROP INDEX charges_unsettled;
CREATE INDEX charges_unsettled ON charges (next_check_at) WHERE status IN ('processing', 'pending');

-- A success (or any result) reported for a charge that is already final with another outcome:
-- recorded, counted and listed by GET /admin/conflicts, never dropped.
CREATE TABLE conflicts (
  id                 bigserial PRIMARY KEY,
  charge_id          text NOT NULL REFERENCES charges(id),
  provider           text NOT NULL,
  source             text NOT NULL,
  charge_status      text NOT NULL,
  reported_outcome   text NOT NULL,
  provider_reference text,
  detail             text,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conflicts_created ON conflicts (created_at);

-- A row a batching writer could not write because the database refused it (not a transient
-- error): kept here with the reason, alerted on (router_dead_letters_total), never dropped.
CREATE TABLE dead_letters (
  id          bigserial PRIMARY KEY,
  queue       text NOT NULL,
  sqlstate    text,
  error       text,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

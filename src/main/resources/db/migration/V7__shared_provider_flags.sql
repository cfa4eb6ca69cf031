-- Provider enable/disable by an operator (PUT /admin/providers/{name}) is shared by every
-- instance and survives restarts: the row wins over the provider's `enabled` in router.yaml.
CREATE TABLE provider_flags (
  provider    text PRIMARY KEY,
  enabled     boolean NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now(),
  changed_by  text NOT NULL
);

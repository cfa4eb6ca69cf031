-- A value encrypted with the token encryption key when the database first meets one: a router
-- started with another key refuses to start (it could decrypt no stored card) instead of
-- answering every charge of an existing card with 503.
CREATE TABLE router_settings (
  name        text PRIMARY KEY,
  value       bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

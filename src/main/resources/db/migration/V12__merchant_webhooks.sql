-- Merchant webhooks (issue 17, section 1): signed events from a durable outbox.
--
-- An event is written in the same statement as the outcome it reports (the outcome writer's
-- batched statement for charges, the refund and conflict statements for the rest): a settled
-- charge and its event commit together or not at all, and the charge path pays no statement of
-- its own for it. One row per event and endpoint subscribed to it: the delivery is the unit that
-- is retried, listed and re-sent.

-- How many events a charge has had (its outcomes, refunds and conflicts). Raised by the statement
-- that writes the event, under the charge's row lock, so two events of one charge never share a
-- number even when two instances write them at once; deliveries of a charge go out in this order.
-- Not indexed: raising it keeps the outcome's update HOT.
ALTER TABLE charges ADD COLUMN event_seq int NOT NULL DEFAULT 0;

CREATE TABLE webhook_endpoints (
  id                          text PRIMARY KEY,
  merchant_id                 text NOT NULL,
  url                         text NOT NULL,
  event_types                 text[] NOT NULL,
  description                 text,
  -- the signing secret (whsec_...), AES-GCM encrypted like card tokens (AAD: endpoint id + slot)
  secret_enc                  bytea NOT NULL,
  -- after a rotation, the previous secret still signs until it expires (both signatures are sent)
  previous_secret_enc         bytea,
  previous_secret_expires_at  timestamptz,
  status                      text NOT NULL CHECK (status IN ('enabled', 'disabled', 'deleted')),
  disabled_reason             text,
  disabled_at                 timestamptz,
  last_success_at             timestamptz,
  created_at                  timestamptz NOT NULL DEFAULT now(),
  updated_at                  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_merchant ON webhook_endpoints (merchant_id, created_at);

CREATE TABLE webhook_deliveries (
  id               bigint GENERATED ALWAYS AS IDENTITY,
  endpoint_id      text NOT NULL,
  merchant_id      text NOT NULL,
  -- the event: the same id on every endpoint and every attempt (Standard Webhooks' webhook-id)
  event_id         text NOT NULL,
  event_type       text NOT NULL,
  charge_id        text NOT NULL,
  event_seq        int NOT NULL,
  -- the body as sent; null only when the writer did not know the merchant had an endpoint yet
  -- (created on another instance a moment before): rendered from the charge at the first attempt
  body             text,
  status           text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         int NOT NULL DEFAULT 0,
  -- attempts since the delivery was created or re-sent: the position in the retry schedule
  step             int NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  -- the instance delivering it now, until lease_until (one instance at a time)
  owner            text,
  lease_until      timestamptz,
  first_failed_at  timestamptz,
  last_attempt_at  timestamptz,
  last_status      int,
  last_error       text,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (endpoint_id, id)
);
-- what is due (the poller), and what comes first for a charge (the ordering rule); delivered and
-- failed rows leave both
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_charge_order ON webhook_deliveries (endpoint_id, charge_id, event_seq)
  WHERE status = 'pending';

-- Refunds (issue 17, section 2). A refund is money moving back through the PSP that took the
-- charge, so it follows the charge's rules: its intent is durable here before the PSP is called,
-- an in-doubt refund is settled by inquiry (never sent again), and an unsettled one is owned by
-- one instance under a fencing epoch, like a charge.
--
-- Never more refunded than charged, enforced here: refunded_amount is what the charge's refunds
-- that have not failed add up to (reserved when a refund is claimed, released when it fails), and
-- the CHECK refuses any write that would take it past the charge's amount. A claim updates it
-- under the charge's row lock, so concurrent refunds of one charge are serialised.
--
-- NOT VALID: every existing row holds the default 0, so validating would only scan the whole
-- table at start for nothing; every insert and update is checked all the same.
ALTER TABLE charges ADD COLUMN refunded_amount bigint NOT NULL DEFAULT 0;
ALTER TABLE charges ADD CONSTRAINT charges_refunded_within_amount
  CHECK (refunded_amount >= 0 AND refunded_amount <= amount) NOT VALID;

CREATE TABLE refunds (
  id                         text PRIMARY KEY,
  charge_id                  text NOT NULL REFERENCES charges(id),
  merchant_id                text NOT NULL,
  -- scoped to the merchant and to refunds: a refund key never collides with a charge key
  idempotency_key            text NOT NULL,
  fingerprint                text NOT NULL,
  amount                     bigint NOT NULL CHECK (amount > 0),
  currency                   text NOT NULL,
  -- the PSP that took the charge, the attempt's merchant reference there, and the PSP's own id
  -- for the payment: what the refund call and its inquiry name
  provider                   text NOT NULL,
  charge_reference           text NOT NULL,
  charge_provider_reference  text,
  charge_amount              bigint NOT NULL,
  -- what the charge's succeeded refunds added up to when this one was claimed; at most one refund
  -- of a charge is unsettled at a time (refunds_one_open_per_charge), so an inquiry that only
  -- sees the PSP's refunded total can tell whether this one landed
  refunded_before            bigint NOT NULL,
  reason                     text,
  status                     text NOT NULL CHECK (status IN ('processing', 'pending', 'succeeded', 'failed')),
  provider_reference         text,
  failure_reason             text,
  owner                      text,
  owner_epoch                bigint NOT NULL DEFAULT 1,
  -- set by the fenced checkpoint just before the money call: null means it was never sent
  sent_at                    timestamptz,
  next_check_at              timestamptz,
  checks                     int NOT NULL DEFAULT 0,
  created_at                 timestamptz NOT NULL,
  updated_at                 timestamptz NOT NULL
);
CREATE UNIQUE INDEX refunds_idempotency ON refunds (merchant_id, idempotency_key);
CREATE UNIQUE INDEX refunds_one_open_per_charge ON refunds (charge_id) WHERE status IN ('processing', 'pending');
CREATE INDEX refunds_of_charge ON refunds (charge_id, created_at);
CREATE INDEX refunds_unsettled ON refunds (next_check_at) WHERE status IN ('processing', 'pending');

-- Payment router schema. Amounts are bigint minor units; money state only moves forward.

CREATE TABLE merchants (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Only a SHA-256 hash of each API key is stored (keys are 256-bit random, so a fast hash is safe).
CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  merchant_id text NOT NULL REFERENCES merchants(id),
  key_hash    bytea NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

CREATE TABLE cards (
  id                 text PRIMARY KEY,
  merchant_id        text NOT NULL REFERENCES merchants(id),
  customer_reference text,
  brand              text NOT NULL,
  last4              text,
  exp_month          int,
  exp_year           int,
  issuer_country     text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  deleted_at         timestamptz
);
CREATE INDEX cards_merchant ON cards (merchant_id);

-- One row per PSP token of a card; the token fields are AES-GCM encrypted (AAD = card id + provider).
CREATE TABLE provider_tokens (
  card_id   text NOT NULL REFERENCES cards(id),
  provider  text NOT NULL,
  token_enc bytea NOT NULL,
  PRIMARY KEY (card_id, provider)
);

CREATE TABLE charges (
  id                  text PRIMARY KEY,
  merchant_id         text NOT NULL REFERENCES merchants(id),
  idempotency_key     text NOT NULL,
  fingerprint         text NOT NULL,
  amount              bigint NOT NULL CHECK (amount > 0),
  currency            text NOT NULL,
  card_id             text,
  merchant_reference  text,
  status              text NOT NULL CHECK (status IN ('processing','succeeded','declined','pending','failed')),
  provider            text,
  provider_reference  text,
  decline_code        text,
  provider_code       text,
  routing             jsonb,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL
);
CREATE INDEX charges_merchant_reference ON charges (merchant_id, merchant_reference);
CREATE INDEX charges_unsettled ON charges (updated_at) WHERE status IN ('processing', 'pending');

-- The idempotency claim: the primary key is the truth across restarts and router instances.
CREATE TABLE idempotency_keys (
  merchant_id  text NOT NULL,
  key          text NOT NULL,
  fingerprint  text NOT NULL,
  charge_id    text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, key)
);

CREATE TABLE attempts (
  id                  text PRIMARY KEY,
  charge_id           text NOT NULL REFERENCES charges(id),
  seq                 int NOT NULL,
  provider            text NOT NULL,
  outcome             text NOT NULL,
  latency_ms          int,
  error               text,
  provider_reference  text,
  decline_code        text,
  provider_code       text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attempts_charge ON attempts (charge_id, seq);

CREATE TABLE routing_configs (
  version     bigserial PRIMARY KEY,
  source      text NOT NULL,
  rules       jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

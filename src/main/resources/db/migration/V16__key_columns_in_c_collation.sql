-- Issue 18, lever 4: the key columns compare bytes, not the locale's collation.
--
-- The databases collate C.UTF-8 with the libc provider, so every B-tree comparison of a text key
-- (an insert into charges_pkey, the idempotency key's ON CONFLICT probe, the attempts' and the
-- outbox's keys) went through strcoll: pg_strncoll_libc, pg_newlocale_from_collation,
-- varstrfastcmp_locale and strcoll itself were about 4 % of PostgreSQL's CPU in a perf profile of
-- the bench (load-tests/results, 2026-12-07). These are identifiers and merchant references:
-- nothing sorts them for people, equality is what they are for, and for valid UTF-8 the byte order
-- of "C" is the code-point order C.UTF-8 already gave, so no listing changes order.
--
-- text to text in another collation is binary-coercible: no table is rewritten; each index on a
-- changed column is rebuilt (on a large database this takes a while, once), and the foreign keys
-- between changed columns are checked again.
ALTER TABLE merchants ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE api_keys ALTER COLUMN id TYPE text COLLATE "C",
                     ALTER COLUMN merchant_id TYPE text COLLATE "C";
ALTER TABLE cards ALTER COLUMN id TYPE text COLLATE "C",
                  ALTER COLUMN merchant_id TYPE text COLLATE "C";
ALTER TABLE provider_tokens ALTER COLUMN card_id TYPE text COLLATE "C",
                            ALTER COLUMN provider TYPE text COLLATE "C";
ALTER TABLE charges ALTER COLUMN id TYPE text COLLATE "C",
                    ALTER COLUMN merchant_id TYPE text COLLATE "C",
                    ALTER COLUMN merchant_reference TYPE text COLLATE "C";
ALTER TABLE idempotency_keys ALTER COLUMN merchant_id TYPE text COLLATE "C",
                             ALTER COLUMN key TYPE text COLLATE "C";
ALTER TABLE attempts ALTER COLUMN charge_id TYPE text COLLATE "C",
                     ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE instances ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE conflicts ALTER COLUMN charge_id TYPE text COLLATE "C";
ALTER TABLE refunds ALTER COLUMN id TYPE text COLLATE "C",
                    ALTER COLUMN charge_id TYPE text COLLATE "C",
                    ALTER COLUMN merchant_id TYPE text COLLATE "C",
                    ALTER COLUMN idempotency_key TYPE text COLLATE "C";
ALTER TABLE webhook_endpoints ALTER COLUMN id TYPE text COLLATE "C",
                              ALTER COLUMN merchant_id TYPE text COLLATE "C";
ALTER TABLE webhook_deliveries ALTER COLUMN endpoint_id TYPE text COLLATE "C",
                               ALTER COLUMN charge_id TYPE text COLLATE "C";

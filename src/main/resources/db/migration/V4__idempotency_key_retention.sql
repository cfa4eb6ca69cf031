-- Idempotency keys are kept for idempotency.retention_hours (at least 24) and while their charge is
-- unsettled, then purged in small batches (store/KeyRetention). A BRIN index finds the old ones:
-- keys are appended in time order, so it stays a few pages and costs next to nothing per insert,
-- unlike a btree entry per charge.
CREATE INDEX idempotency_keys_created ON idempotency_keys USING brin (created_at);

-- The outbox's rows are written once (with the event body, about a kilobyte) and updated once a
-- few milliseconds later, when the delivery's result is recorded. That update changes status, which
-- the partial indexes test, so it cannot be HOT; but when the new version fits on the same page,
-- PostgreSQL logs only the bytes that changed (the body is not written to the WAL a second time).
-- Half-empty pages leave that room. Measured with bench.sh --webhooks --pg-stats: see README.
ALTER TABLE webhook_deliveries SET (fillfactor = 50);

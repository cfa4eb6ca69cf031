-- Issue 18, lever 1 (its first half): a charge's attempts live on the charge row, as a jsonb array.
--
-- Until now every charge wrote an attempts row in its claim (the first attempt, 'sent') and wrote it
-- again in its outcome (ON CONFLICT DO UPDATE: a second version of the row and its B-tree probe),
-- beside the charge row that both statements write anyway. The attempts of a charge are only ever
-- read with it (the charge as the API renders it, the recovery that inquires about its attempts, the
-- backtest's counts), and only its owner or its settlement writes them, in the statements that
-- write the charge row. So they are a column of it: the claim inserts one row instead of two, the
-- outcome updates one row instead of updating one and upserting another.
--
-- Each element: {id, seq, provider, outcome, latency_ms, error, provider_reference, decline_code,
-- provider_code}, in seq order. Elements are merged by id (merge_attempts below), with the rules
-- the upserts had: what the newest write says of an attempt wins, except that a provider reference
-- once known is never forgotten.
ALTER TABLE charges ADD COLUMN attempts jsonb NOT NULL DEFAULT '[]'::jsonb;

UPDATE charges c SET attempts = a.list
FROM (SELECT charge_id,
             jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                 'id', id, 'seq', seq, 'provider', provider, 'outcome', outcome, 'latency_ms', latency_ms,
                 'error', error, 'provider_reference', provider_reference, 'decline_code', decline_code,
                 'provider_code', provider_code)) ORDER BY seq, id) AS list
      FROM attempts GROUP BY charge_id) a
WHERE c.id = a.charge_id;

DROP TABLE attempts;

-- The attempts a write knows of (written) merged into the stored ones: an attempt only in one list
-- is kept as it is; one in both is the stored element overlaid by the written one, keeping the
-- stored provider_reference when the written one has none (a field the write gives as null is
-- cleared, and a null field is not stored at all: the rows stay narrow). The result is in seq
-- (then id) order, as the stored list already is. PL/pgSQL with index loops, not a SQL function over
-- jsonb_array_elements: that one cannot be inlined (it has a subquery), so every call paid a SQL
-- function's executor start-up, about 140 µs of PostgreSQL per charge in the outcome statement
-- (load-tests/results/bench-2026-12-07-1349); these loops run as PL/pgSQL simple expressions.
CREATE FUNCTION merge_attempts(stored jsonb, written jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  merged jsonb := stored;
  w jsonb;
  s jsonb;
  at int;
  n int;
BEGIN
  IF jsonb_array_length(written) = 0 THEN RETURN stored; END IF;
  IF jsonb_array_length(stored) = 0 THEN RETURN jsonb_strip_nulls(written); END IF;
  FOR j IN 0 .. jsonb_array_length(written) - 1 LOOP
    w := written -> j;
    n := jsonb_array_length(merged);
    at := n;
    FOR i IN 0 .. n - 1 LOOP
      s := merged -> i;
      IF s ->> 'id' = w ->> 'id' THEN
        IF w ->> 'provider_reference' IS NULL AND s ->> 'provider_reference' IS NOT NULL THEN
          w := w || jsonb_build_object('provider_reference', s -> 'provider_reference');
        END IF;
        merged := jsonb_set(merged, ARRAY[i::text], s || w);
        at := -1;
        EXIT;
      END IF;
      IF at = n AND ((s ->> 'seq')::int > (w ->> 'seq')::int
                     OR ((s ->> 'seq')::int = (w ->> 'seq')::int AND s ->> 'id' > w ->> 'id')) THEN
        at := i;
      END IF;
    END LOOP;
    IF at = n THEN
      merged := merged || jsonb_build_array(w);
    ELSIF at >= 0 THEN
      merged := jsonb_insert(merged, ARRAY[at::text], w);
    END IF;
  END LOOP;
  RETURN jsonb_strip_nulls(merged);
END
$$;

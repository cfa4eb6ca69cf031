#!/usr/bin/env bash
# Seeds N settled charges (default 5,000,000) into the router's PostgreSQL, to measure the router
# with a full database instead of an empty one:
#
#   load-tests/seed.sh [N] [--data-dir DIR | --port P] [--merchant ID] [--chunk ROWS]
#
# Each charge gets what the router itself writes for a succeeded Fatora charge (compare with a real
# one: SELECT * FROM charges / idempotency_keys): the `charges` row in status `succeeded` (V1
# columns plus V2's owner, next_check_at, checks, conflict, and V17's attempts array with its one
# succeeded attempt) and its `idempotency_keys` claim. Like the router's, ids are 22 characters after
# the prefix and sort by time: they start with "0A", which sorts below every id the router makes
# now (its first characters are the time), then 20 characters of a base64 alphabet derived from
# SHA-256 of the row number. The rows are spread 17 ms apart back from now, so 5 million of them are
# one day of traffic, all within the 24 h idempotency key retention (the purge does not run during
# the bench). Rows are written with generate_series, a few statements per chunk (FK triggers off
# for the session: the rows are consistent by construction), then ANALYZE and a
# CHECKPOINT so that the first measured round does not pay for the seeding's dirty pages.
#
# The database: the embedded PostgreSQL of a router whose data directory is DIR (default: the
# repository's data/, the embedded default; the port is line 4 of DIR/pg/postmaster.pid), or
# --port P on 127.0.0.1. User/password/database postgres/postgres/postgres unless PGUSER,
# PGPASSWORD, PGDATABASE say otherwise. Loopback only. The router may be running (it is idle
# while seeding runs, or merely slower); the merchant (default `demo`) must exist, i.e. the router
# must have started once on that database. Re-running adds another N rows (ids continue after the
# highest seeded row number). Bounded: every statement runs under statement_timeout, the whole
# script under `timeout` (SEED_TIMEOUT, default 3600 s).
set -euo pipefail

N=5000000
DATA_DIR=
PORT=
MERCHANT=demo
CHUNK=1000000
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

while (( $# )); do
  case "$1" in
    --data-dir) DATA_DIR=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --merchant) MERCHANT=$2; shift 2 ;;
    --chunk) CHUNK=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) N=$1; shift ;;
    *) echo "seed.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $N =~ ^[0-9]+$ ]] && (( N >= 1 && N <= 50000000 )) || { echo "seed.sh: N must be in 1..50000000" >&2; exit 2; }
[[ $CHUNK =~ ^[0-9]+$ ]] && (( CHUNK >= 1000 )) || { echo "seed.sh: --chunk must be >= 1000" >&2; exit 2; }
[[ $MERCHANT =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "seed.sh: bad merchant id" >&2; exit 2; }

if [[ -z ${SEED_INNER:-} ]]; then
  SEED_INNER=1 exec timeout --kill-after=10 "${SEED_TIMEOUT:-3600}" "$0" "$N" \
    ${DATA_DIR:+--data-dir "$DATA_DIR"} ${PORT:+--port "$PORT"} --merchant "$MERCHANT" --chunk "$CHUNK"
fi

if [[ -z $PORT ]]; then
  DATA_DIR=${DATA_DIR:-$root/data}
  pidfile=$DATA_DIR/pg/postmaster.pid
  [[ -f $pidfile ]] || { echo "seed.sh: no $pidfile: is the router (embedded PostgreSQL) running on $DATA_DIR?" >&2; exit 1; }
  PORT=$(sed -n 4p "$pidfile")
fi
[[ $PORT =~ ^[0-9]+$ ]] || { echo "seed.sh: bad port '$PORT'" >&2; exit 2; }
command -v psql >/dev/null || { echo "seed.sh: psql not found (apt-get install -y postgresql-client)" >&2; exit 2; }

export PGPASSWORD=${PGPASSWORD:-postgres} PGCONNECT_TIMEOUT=5
psql_() {
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "${PGUSER:-postgres}" -d "${PGDATABASE:-postgres}" "$@"
}

psql_ -tAc "SELECT 1 FROM merchants WHERE id = '$MERCHANT'" | grep -q 1 \
  || { echo "seed.sh: merchant '$MERCHANT' not found: start the router once on this database first" >&2; exit 1; }
# Row numbers continue after earlier seedings, so ids and keys never collide.
start=$(psql_ -tAc "SELECT coalesce(max(substr(idempotency_key, 6)::bigint), 0) FROM charges
                    WHERE merchant_id = '$MERCHANT' AND idempotency_key LIKE 'seed-%'
                      AND idempotency_key ~ '^seed-[0-9]+\$'")
echo "seeding $N charges (+ idempotency keys, 1 attempt each on its row) into 127.0.0.1:$PORT for merchant '$MERCHANT', rows $((start + 1))..$((start + N))"

t0=$(date +%s)
done_rows=0
while (( done_rows < N )); do
  lo=$((start + done_rows + 1))
  n=$(( N - done_rows < CHUNK ? N - done_rows : CHUNK ))
  hi=$((lo + n - 1))
  # created_at: one charge every 0.5 s going back from now, so every seeded row is in the past and
  # older rows have older timestamps (as a real history would).
  psql_ <<SQL
SET statement_timeout = '30min';
SET session_replication_role = replica;
SET synchronous_commit = off;
BEGIN;
CREATE TEMP TABLE s ON COMMIT DROP AS
SELECT i,
       'ch_0A'  || substr(translate(encode(sha256(('ch'  || i)::bytea), 'base64'), '+/', 'xz'), 1, 20) AS charge_id,
       'att_0A' || substr(translate(encode(sha256(('att' || i)::bytea), 'base64'), '+/', 'xz'), 1, 20) AS attempt_id,
       'seed-' || i AS key,
       encode(sha256(('fp' || i)::bytea), 'hex') AS fingerprint,
       1000 + (i * 7919) % 9000 AS amount,
       'seed' || to_hex(i) AS txn,
       now() - (i * interval '17 milliseconds') AS at
FROM generate_series($lo::bigint, $hi::bigint) AS i;
INSERT INTO charges (id, merchant_id, idempotency_key, fingerprint, amount, currency, card_id,
                     merchant_reference, status, provider, provider_reference, decline_code,
                     provider_code, routing, created_at, updated_at, owner, next_check_at, checks,
                     conflict, attempts)
SELECT charge_id, '$MERCHANT', key, fingerprint, amount, 'USD', 'card_seed', key, 'succeeded',
       'fatora', txn, NULL, NULL,
       '{"rule": "usd-fatora", "strategy": "priority", "candidates": ["fatora"], "config_version": 1}'::jsonb,
       at, at + interval '40 milliseconds', 'inst_seed', NULL, 0, NULL,
       jsonb_build_array(jsonb_build_object('id', attempt_id, 'seq', 1, 'provider', 'fatora', 'outcome', 'succeeded',
           'latency_ms', 20 + i % 30, 'error', NULL, 'provider_reference', txn, 'decline_code', NULL,
           'provider_code', NULL))
FROM s ORDER BY charge_id;
INSERT INTO idempotency_keys (merchant_id, key, fingerprint, charge_id, created_at)
SELECT '$MERCHANT', key, fingerprint, charge_id, at FROM s ORDER BY key;
COMMIT;
SQL
  done_rows=$((done_rows + n))
  echo "  $done_rows / $N rows ($(( $(date +%s) - t0 )) s)"
done
psql_ -c "SET statement_timeout = '30min'" -c "ANALYZE charges" -c "ANALYZE idempotency_keys" \
      -c "CHECKPOINT"
psql_ -tAc "SELECT 'charges now: ' || count(*) || ', database size: ' || pg_size_pretty(pg_database_size(current_database())) FROM charges"
echo "seeded $N charges in $(( $(date +%s) - t0 )) s"

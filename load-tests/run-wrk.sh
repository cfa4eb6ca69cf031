#!/usr/bin/env bash
# Short wrk benchmark of POST /v1/charges against a router on loopback.
#   BASE=http://127.0.0.1:18080 ./run-wrk.sh
# Stores one card (Fatora + Revio tokens), warms up, then runs
#   wrk -t$THREADS -c$CONNS -d$DURATION --latency -s wrk/charge.lua $BASE -- $CARD
# $ROUNDS times and prints req/s and p99 of each round. Every run is bounded (wrk -d, plus a
# `timeout` around it). Refuses any BASE that is not loopback.
set -euo pipefail

BASE=${BASE:-http://127.0.0.1:8080}
BASE=${BASE%/}
MERCHANT_KEY=${MERCHANT_KEY:-sk_test_demo}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
DURATION=${DURATION:-8}       # seconds per measured round
WARMUP=${WARMUP:-5}           # seconds of warm-up (not reported)
ROUNDS=${ROUNDS:-3}

cd "$(dirname "$0")"

case "$BASE" in
  http://127.*|http://localhost|http://localhost:*|http://\[::1\]|http://\[::1\]:*) ;;
  *) echo "refusing BASE=$BASE: loopback only (http://127.x.x.x[:port], http://localhost[:port], http://[::1][:port])" >&2
     exit 2 ;;
esac
host=${BASE#http://}; host=${host%%/*}
if [[ $host == 127.* ]] && ! [[ ${host%%:*} =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]]; then
  echo "refusing BASE=$BASE: not a 127.x.x.x address" >&2; exit 2
fi
for n in DURATION WARMUP ROUNDS THREADS CONNS; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "$n must be a number" >&2; exit 2; }
done
(( DURATION <= 120 && WARMUP <= 60 && ROUNDS <= 10 && CONNS <= 1024 && THREADS <= 16 )) \
  || { echo "limits: DURATION<=120 WARMUP<=60 ROUNDS<=10 CONNS<=1024 THREADS<=16" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl not found" >&2; exit 2; }

curl -fsS --max-time 5 "$BASE/health/ready" >/dev/null \
  || { echo "router not ready at $BASE (GET /health/ready failed); start it first" >&2; exit 1; }

card_json=$(curl -sS --max-time 10 -X POST "$BASE/v1/cards" \
  -H "Authorization: Bearer $MERCHANT_KEY" -H 'Content-Type: application/json' \
  -d '{"brand":"visa","last4":"4242","exp_month":12,"exp_year":2030,"tokens":{"fatora":{"card_token":"tok_load_wrk"},"revio":{"client_id":"c1","recurring_token":"r1"}}}')
CARD=$(printf '%s' "$card_json" | sed -n 's/.*"id":"\(card_[^"]*\)".*/\1/p')
[[ -n $CARD ]] || { echo "could not store a card: $card_json" >&2; exit 1; }
echo "card: $CARD   base: $BASE   wrk -t$THREADS -c$CONNS -d${DURATION}s x $ROUNDS (warm-up ${WARMUP}s)"

run_id=wrk$(date +%s)
if (( WARMUP > 0 )); then
  timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" -s wrk/charge.lua "$BASE" -- "$CARD" "${run_id}w" >/dev/null
fi

summary=()
for i in $(seq 1 "$ROUNDS"); do
  out=$(timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency \
          -s wrk/charge.lua "$BASE" -- "$CARD" "${run_id}r$i")
  echo "round $i:"
  printf '%s\n' "$out" | grep -E '^Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors|^HTTP statuses|^charge status|^socket errors' \
    | sed 's/^ */    /'
  rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec/ {print $2}')
  p50=$(printf '%s\n' "$out" | awk '$1=="50%" {print $2}')
  p99=$(printf '%s\n' "$out" | awk '$1=="99%" {print $2}')
  summary+=("round $i: $rps req/s  p50 $p50  p99 $p99")
done
echo "summary (wrk -t$THREADS -c$CONNS -d${DURATION}s, POST /v1/charges):"
printf '  %s\n' "${summary[@]}"

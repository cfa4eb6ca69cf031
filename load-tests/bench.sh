#!/usr/bin/env bash
# One bench, side by side: the Fatora PSP simulator hit directly, through nginx, and through the
# router, in interleaved rounds on loopback, with medians. See load-tests/README.md ("bench.sh").
#
#   load-tests/bench.sh [--quick] [--rounds N] [--router-seconds S] [--base-seconds S]
#                       [--seed N] [--webhooks] [--shadow] [--pg-stats] [--knee] [--latency] [--update-readme] [--no-build] [--keep]
#
# It starts, all on 127.0.0.1 and all children of this script:
#   - the five PSP simulators standalone (java -Xmx256m -jar target/payment-router.jar simulators --port P);
#   - nginx in the foreground (config in a temp dir, not the system service): plain proxy_pass to
#     the simulators with a keepalive upstream;
#   - the router (java -jar target/payment-router.jar --config <tmp>/router.yaml): the shipped
#     config/router.yaml with its own port, a fresh data dir in the temp dir (embedded PostgreSQL,
#     synchronous_commit on), simulators.enabled false and every provider pointed at the standalone
#     simulators; routing.yaml sends USD to fatora only, and the one stored card has only a Fatora
#     token.
# Then, after a warm-up of each target, ROUNDS times: direct, nginx, router (wrk -t2 -c64, the same
# request path /fatora/v1/payments/collect-payment for direct and nginx, POST /v1/charges for the
# router). Per router round it reads the CPU time (utime+stime from /proc) of the router JVM and of
# the PostgreSQL postmaster with all its children (plus the cutime/cstime of children reaped
# meanwhile), from before the round until its write backlog has drained, and divides by the charges
# the router answered (router_charges_total); it reports the write backlog
# (router_write_queue_depth) at the end of each round and the router's peak RSS (VmHWM).
#
# --webhooks: each round also has a second router round, the same charges with one merchant
# webhook endpoint (all event types) pointed at the simulators' sink
# (/_sim/webhook-sink/bench): created just before that round, deleted after it (then 2 s for every
# instance to notice), so the plain router round has none. The two alternate their order from
# round to round. After a webhook round it waits (at most WH_WAIT_MAX, 30 s) until the sink has
# received as many deliveries as the round made charges, and reads the CPU times only then; it
# reports delivered/charges, the lag from the end of the load to the last delivery, and the
# webhook round / plain round ratios of charges/s and CPU per charge (router, PostgreSQL,
# simulators), medians over the rounds of each round's ratio.
#
# --shadow: each round also has a router round with shadow routing rules installed
# (PUT /admin/routing/shadow: the bench rules with the USD rule sent to revio instead, so every
# charge diverges), removed after it; the order alternates like --webhooks. It reports the shadow
# round / plain round ratios (charges/s, CPU per charge) and checks that the shadow counted every
# charge (GET /admin/routing/shadow).
#
# --pg-stats: the embedded PostgreSQL loads pg_stat_statements (ROUTER_EMBEDDED_PG_SETTINGS), and
# every router round reports, from a reset before it to the end of its drain (and deliveries):
# the statements by total execution time (calls, rows, µs per charge, planning µs per charge,
# WAL bytes per charge), commits per charge, WAL bytes per charge (pg_stat_wal), the share of HOT
# updates of charges and webhook_deliveries, and PostgreSQL's CPU per charge by process (backends,
# walwriter, checkpointer, bgwriter, autovacuum). The extension itself costs PostgreSQL a few per cent: compare
# --pg-stats runs with --pg-stats runs.
#
# --knee: afterwards, Gatling's KneeSimulation against the same router (open model, rate raised
# step by step; prints the highest rate with p99 < 50 ms and 0 errors); KNEE_OPTS holds its -D
# flags, KNEE_TIMEOUT (900 s) bounds it. Its result goes into the report and the README block.
#
# --latency: afterwards, Gatling's LatencySimulation at half the router's median wrk rate (open
# model): the simulator direct and the router one after the other at that same arrival rate,
# LATENCY_OPTS (-Dlatency*=N) rounds; prints both p99s and the router's p99 minus the direct p99.
# LATENCY_RATE overrides the rate. Bounded like the knee run (LATENCY_TIMEOUT, 600 s).
#
# Output: a Markdown report on stdout and in load-tests/results/bench-<date>.md; --update-readme
# also replaces the block between <!-- bench:begin --> and <!-- bench:end --> in README.md.
# Everything is bounded: every wrk call and wait has a timeout, and the whole script runs under
# `timeout` (its bound is printed at start). Installs wrk and nginx with apt-get if missing.
#
# Knobs (environment, flags win): ROUNDS (3), ROUTER_SECONDS (60), BASE_SECONDS (15: direct and
# nginx rounds), WARMUP_SECONDS (10: each target before round 1; the router gets twice this,
# then 5 s slices until a slice compiles less than JIT_SETTLED_MS (250) of JIT time, by its own
# jvm_compilation_time_ms_total, up to WARMUP_MAX_SECONDS (120) of router warm-up in all),
# WRITER_LINGER_MS (unset: the shipped writer.linger_ms, 2; N: the router's config gets
# writer.linger_ms N), THREADS (2), CONNS (64), DRAIN_MAX (120 s to wait for the write backlog after a router round),
# WH_WAIT_MAX (30 s to wait for the webhook deliveries after a --webhooks round),
# ROUTER_JAVA_OPTS (default -Xmx256m, the heap README recommends), SIM_JAVA_OPTS (default -Xmx256m, as README runs them), KEEP_TMP=1 (= --keep: keep the temp dir and
# its logs). --quick: 1 round of 10 s each, 3 s warm-ups: a smoke test, not a measurement.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
orig_args=("$@")

ROUNDS=${ROUNDS:-3}
ROUTER_SECONDS=${ROUTER_SECONDS:-60}
BASE_SECONDS=${BASE_SECONDS:-15}
WARMUP_SECONDS=${WARMUP_SECONDS:-10}
WARMUP_MAX_SECONDS=${WARMUP_MAX_SECONDS:-120}
WRITER_LINGER_MS=${WRITER_LINGER_MS:-}
JIT_SETTLED_MS=${JIT_SETTLED_MS:-250}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
DRAIN_MAX=${DRAIN_MAX:-120}
WH_WAIT_MAX=${WH_WAIT_MAX:-30}
WEBHOOKS=0
PGSTATS=0
SHADOW=0
SEED=0
UPDATE_README=0
BUILD=1
QUICK=0
KNEE=0
KNEE_TIMEOUT=${KNEE_TIMEOUT:-900}
KNEE_OPTS_SET=${KNEE_OPTS+x}
KNEE_OPTS=${KNEE_OPTS:--DkneeStart=100 -DkneeStep=100 -DkneeMax=2000 -DkneeStepSeconds=15 -DkneeWarmup=10}
LATENCY=0
LATENCY_TIMEOUT=${LATENCY_TIMEOUT:-600}
LATENCY_OPTS_SET=${LATENCY_OPTS+x}
LATENCY_OPTS=${LATENCY_OPTS:--DlatencyWarmup=15 -DlatencyRounds=3 -DlatencySeconds=20}
LATENCY_RATE=${LATENCY_RATE:-}
KEEP_TMP=${KEEP_TMP:-0}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while (( $# )); do
  case "$1" in
    --quick) QUICK=1; ROUNDS=1; ROUTER_SECONDS=10; BASE_SECONDS=10; WARMUP_SECONDS=3
             [[ -n $KNEE_OPTS_SET ]] || KNEE_OPTS="-DkneeStart=100 -DkneeStep=200 -DkneeMax=900 -DkneeStepSeconds=5 -DkneeWarmup=5"
             [[ -n $LATENCY_OPTS_SET ]] || LATENCY_OPTS="-DlatencyWarmup=3 -DlatencyRounds=1 -DlatencySeconds=5"
             shift ;;
    --knee) KNEE=1; shift ;;
    --webhooks) WEBHOOKS=1; shift ;;
    --pg-stats) PGSTATS=1; shift ;;
    --shadow) SHADOW=1; shift ;;
    --latency) LATENCY=1; shift ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --router-seconds) ROUTER_SECONDS=$2; shift 2 ;;
    --base-seconds) BASE_SECONDS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --update-readme) UPDATE_README=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP_TMP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $KNEE_OPTS =~ ^(-Dknee[A-Za-z0-9]+=[0-9.]+|-D(requestTimeoutMs|cards|grace)=[0-9]+|[[:space:]])*$ ]] \
  || { echo "bench.sh: KNEE_OPTS may only hold -Dknee*=N, -DrequestTimeoutMs=N, -Dcards=N, -Dgrace=N" >&2; exit 2; }
[[ $LATENCY_OPTS =~ ^(-Dlatency[A-Za-z0-9]+=[0-9]+|-D(requestTimeoutMs|cards|grace)=[0-9]+|[[:space:]])*$ ]] \
  || { echo "bench.sh: LATENCY_OPTS may only hold -Dlatency*=N, -DrequestTimeoutMs=N, -Dcards=N, -Dgrace=N" >&2; exit 2; }
[[ -z $LATENCY_RATE || $LATENCY_RATE =~ ^[0-9]+$ ]] || { echo "bench.sh: LATENCY_RATE must be a whole number" >&2; exit 2; }
[[ -z $WRITER_LINGER_MS || ( $WRITER_LINGER_MS =~ ^[0-9]+$ && $WRITER_LINGER_MS -le 50 ) ]] \
  || { echo "bench.sh: WRITER_LINGER_MS must be a whole number of ms, at most 50" >&2; exit 2; }
for n in ROUNDS ROUTER_SECONDS BASE_SECONDS WARMUP_SECONDS WARMUP_MAX_SECONDS JIT_SETTLED_MS THREADS CONNS DRAIN_MAX WH_WAIT_MAX SEED KNEE_TIMEOUT LATENCY_TIMEOUT; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "bench.sh: $n must be a whole number" >&2; exit 2; }
done
(( ROUNDS >= 1 && ROUNDS <= 9 && ROUTER_SECONDS >= 5 && ROUTER_SECONDS <= 600 && BASE_SECONDS >= 3 \
   && BASE_SECONDS <= 120 && WARMUP_SECONDS <= 60 && WARMUP_MAX_SECONDS <= 600 && THREADS >= 1 && THREADS <= 16 && CONNS >= 1 \
   && CONNS <= 1024 && DRAIN_MAX <= 600 && WH_WAIT_MAX <= 300 && SEED <= 50000000 && KNEE_TIMEOUT <= 3600 && LATENCY_TIMEOUT <= 1800 )) \
  || { echo "bench.sh: limits: ROUNDS 1-9, ROUTER_SECONDS 5-600, BASE_SECONDS 3-120, WARMUP_SECONDS <= 60, WARMUP_MAX_SECONDS <= 600," \
         "THREADS 1-16, CONNS 1-1024, DRAIN_MAX <= 600, WH_WAIT_MAX <= 300, --seed <= 50000000" >&2; exit 2; }
if (( QUICK && UPDATE_README )); then
  echo "bench.sh: --quick is a smoke test: its figures do not go into README.md (drop --update-readme)" >&2; exit 2
fi
if (( ROUTER_SECONDS < 60 && QUICK == 0 )); then
  echo "bench.sh: note: router rounds under 60 s may not reach steady state (write backlog, GC, JIT)" >&2
fi

# The hard bound on everything: start-up and installs, seeding, warm-ups, rounds, drains, shutdown.
bound=$(( 900 + (SEED > 0 ? 600 + SEED / 2000 : 0) + 4 * WARMUP_SECONDS + WARMUP_MAX_SECONDS \
          + ROUNDS * (2 * BASE_SECONDS + ROUTER_SECONDS + DRAIN_MAX + 60) + (KNEE ? KNEE_TIMEOUT : 0) \
          + (WEBHOOKS ? 2 * WARMUP_SECONDS + DRAIN_MAX + WH_WAIT_MAX + 60 \
                        + ROUNDS * (ROUTER_SECONDS + DRAIN_MAX + WH_WAIT_MAX + 60) : 0) \
          + (SHADOW ? ROUNDS * (ROUTER_SECONDS + DRAIN_MAX + 60) : 0) \
          + (LATENCY ? LATENCY_TIMEOUT : 0) ))
if [[ -z ${BENCH_INNER:-} ]]; then
  echo "bench.sh: hard bound ${bound} s (timeout)" >&2
  BENCH_INNER=1 BENCH_STARTED=$(date +%s) exec timeout --kill-after=30 "$bound" "$0" "${orig_args[@]}"
fi
t_start=${BENCH_STARTED:-$(date +%s)}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Tools
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need_apt+=(nginx)
command -v curl >/dev/null || need_apt+=(curl)
if (( SEED > 0 || PGSTATS )) && ! command -v psql >/dev/null; then need_apt+=(postgresql-client); fi
if (( ${#need_apt[@]} )); then
  log "installing ${need_apt[*]} with apt-get"
  (( EUID == 0 )) || die "need root to apt-get install ${need_apt[*]}"
  timeout 300 apt-get update -qq >&2 || die "apt-get update failed"
  # policy-rc.d 101: the package must not start nginx as a system service (we run our own).
  rc_created=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; rc_created=1; fi
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${need_apt[@]}" >&2 || { (( rc_created )) && rm -f /usr/sbin/policy-rc.d; die "apt-get install failed"; }
  (( rc_created )) && rm -f /usr/sbin/policy-rc.d
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v java >/dev/null || die "java not found (JDK 17)"

JAR=$root/target/payment-router.jar
if (( BUILD )); then
  if [[ ! -f $JAR ]] || [[ -n $(find "$root/src/main" "$root/pom.xml" -newer "$JAR" -print -quit) ]]; then
    log "building target/payment-router.jar (mvn -q -B package -DskipTests)"
    (cd "$root" && timeout 900 mvn -q -B package -DskipTests >&2) || die "build failed"
  fi
fi
[[ -f $JAR ]] || die "$JAR missing (build: mvn -q -B package -DskipTests)"

# ---------------------------------------------------------------------------------------------
# Processes, clean-up
TMP=$(mktemp -d /tmp/payrouter-bench.XXXXXX)
SIM_PID= NGINX_PID= ROUTER_PID= PG_PID=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $ROUTER_PID ]] && kill -0 "$ROUTER_PID" 2>/dev/null; then
    kill -TERM "$ROUTER_PID" 2>/dev/null || true       # its shutdown hook stops its PostgreSQL
    for _ in $(seq 1 60); do kill -0 "$ROUTER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$ROUTER_PID" 2>/dev/null || true
  fi
  if [[ -n $PG_PID ]] && kill -0 "$PG_PID" 2>/dev/null; then   # only if the router left it behind
    kill -INT "$PG_PID" 2>/dev/null || true                      # fast shutdown
    for _ in $(seq 1 40); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$PG_PID" 2>/dev/null || true
  fi
  [[ -n $NGINX_PID ]] && kill -QUIT "$NGINX_PID" 2>/dev/null || true
  [[ -n $SIM_PID ]] && kill -TERM "$SIM_PID" 2>/dev/null || true
  sleep 1
  [[ -n $NGINX_PID ]] && kill -KILL "$NGINX_PID" 2>/dev/null || true
  [[ -n $SIM_PID ]] && kill -KILL "$SIM_PID" 2>/dev/null || true
  if (( KEEP_TMP )) || (( rc != 0 )); then
    log "logs and data kept in $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

port_free() { [[ -z $(ss -Hltn "sport = :$1" 2>/dev/null) ]]; }
pick_port() { # VAR: a free loopback port, not one picked before
  local p
  for _ in $(seq 1 100); do
    p=$(( 20000 + RANDOM % 12000 )) # below the ephemeral range (32768+): no collision with client sockets
    if port_free "$p" && [[ " $used_ports " != *" $p "* ]]; then used_ports+=" $p"; printf -v "$1" '%s' "$p"; return 0; fi
  done
  die "no free port"
}
used_ports=
wait_http() { # url seconds
  local end=$(( $(date +%s) + $2 ))
  while (( $(date +%s) < end )); do
    curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.3
  done
  return 1
}

CLK_TCK=$(getconf CLK_TCK)
# CPU ticks (utime+stime+cutime+cstime) of a process and all its live descendants. Children that
# exited and were reaped are in their parent's cutime/cstime; read it before and after a round and
# the difference is the CPU the whole tree spent in between.
tree_ticks() {
  # cat fails when a process exits between the glob and the read: not an error here.
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
    { i = length($0); while (i > 0 && substr($0, i, 1) != ")") i--
      n = split(substr($0, i + 2), f, " ")
      pid = $1 + 0; ppid[pid] = f[2] + 0; t[pid] = f[12] + f[13] + f[14] + f[15]; seen[pid] = 1 }
    END {
      if (!(root in seen)) { print -1; exit }
      sum = 0
      for (p in seen) { q = p + 0; d = 0
        while (q > 1) { if (q == root) { d = 1; break } ; q = (q in ppid) ? ppid[q] : 0 }
        if (d) sum += t[p] }
      print sum }'
}
# --pg-stats: the CPU ticks of the PostgreSQL tree by kind of process, "kind ticks" per line:
# client backends (the router's connections), walwriter, checkpointer, background writer,
# autovacuum (launcher and live workers), the postmaster itself, and exited children (the
# postmaster's cutime/cstime: autovacuum workers that finished, psql sessions of this script).
pg_kind_ticks() {
  local root=$1 pid kind st
  for pid in $(pgrep -P "$root" 2>/dev/null); do
    kind=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)
    case "$kind" in
      *walwriter*) kind=walwriter ;; *checkpointer*) kind=checkpointer ;; *"background writer"*) kind=bgwriter ;;
      *autovacuum*) kind=autovacuum ;; *"postgres: "*[0-9]"("*|*"postgres: "*local*) kind=backends ;; *) kind=other ;;
    esac
    st=$(cat "/proc/$pid/stat" 2>/dev/null || true); [[ -n $st ]] || continue
    awk -v k="$kind" '{ i = length($0); while (i > 0 && substr($0, i, 1) != ")") i--
        split(substr($0, i + 2), f, " "); print k, f[12] + f[13] }' <<<"$st"
  done
  awk '{ i = length($0); while (i > 0 && substr($0, i, 1) != ")") i--
      split(substr($0, i + 2), f, " "); print "postmaster", f[12] + f[13]; print "exited", f[14] + f[15] }' "/proc/$root/stat"
}
pg_kinds0=
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------------------------------------
# Start: simulators, nginx, router
pick_port SPORT; pick_port NPORT; pick_port RPORT
SIM=http://127.0.0.1:$SPORT NGX=http://127.0.0.1:$NPORT RTR=http://127.0.0.1:$RPORT
log "temp dir $TMP; simulators $SIM, nginx $NGX, router $RTR"

# shellcheck disable=SC2086
java ${SIM_JAVA_OPTS--Xmx256m} -jar "$JAR" simulators --port "$SPORT" > "$TMP/simulators.log" 2>&1 &
SIM_PID=$!
wait_http "$SIM/_sim/fatora/faults" 60 || { tail -20 "$TMP/simulators.log" >&2; die "simulators did not start"; }

mkdir -p "$TMP/nginx/tmp"
cat > "$TMP/nginx/nginx.conf" <<EOF
# bench.sh: nginx in front of the PSP simulators, loopback only, foreground child of bench.sh.
daemon off;
worker_processes auto;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/tmp/body;
  proxy_temp_path $TMP/nginx/tmp/proxy;
  fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
  scgi_temp_path $TMP/nginx/tmp/scgi;
  underscores_in_headers on;        # Fatora's api_key header
  upstream psp_simulators {
    server 127.0.0.1:$SPORT;
    keepalive 128;
  }
  server {
    listen 127.0.0.1:$NPORT;
    location / {
      proxy_pass http://psp_simulators;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
"$NGINX" -e "$TMP/nginx/error.log" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" > "$TMP/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
wait_http "$NGX/_sim/fatora/faults" 20 || { cat "$TMP/nginx/error.log" >&2; die "nginx did not start"; }

# The router's config: the shipped one, with its port, data dir, no embedded simulators and every
# provider's ${SIMULATOR_URL} pointed at the standalone simulators.
mkdir -p "$TMP/router"
sed -e "s|^  port: 8080\b.*|  port: $RPORT|" \
    -e "s|^  data_dir: .*|  data_dir: $TMP/router/data|" \
    -e "s|^  enabled: auto\b.*|  enabled: false|" \
    -e "s|\${SIMULATOR_URL}|$SIM|g" \
    "$root/config/router.yaml" > "$TMP/router/router.yaml"
grep -q "^  port: $RPORT" "$TMP/router/router.yaml" && grep -q "^  enabled: false" "$TMP/router/router.yaml" \
  && grep -q "data_dir: $TMP/router/data" "$TMP/router/router.yaml" && ! grep -q 'SIMULATOR_URL' "$TMP/router/router.yaml" \
  || die "config/router.yaml changed shape: could not derive the bench config (see $TMP/router/router.yaml)"
if [[ -n $WRITER_LINGER_MS ]]; then
  # writer.linger_ms for this run (issue 18, lever 3: let a busy cycle wait for more rows)
  if grep -q "^  linger_ms:" "$TMP/router/router.yaml"; then
    sed -i "s|^  linger_ms:.*|  linger_ms: $WRITER_LINGER_MS|" "$TMP/router/router.yaml"
  else
    sed -i "s|^writer:.*|writer:\n  linger_ms: $WRITER_LINGER_MS|" "$TMP/router/router.yaml"
  fi
  grep -q "^  linger_ms: $WRITER_LINGER_MS" "$TMP/router/router.yaml" || die "could not set writer.linger_ms"
  log "writer.linger_ms: $WRITER_LINGER_MS"
fi
cat > "$TMP/router/routing.yaml" <<'EOF'
# bench.sh: every USD charge to fatora, no failover.
rules:
  - name: usd-fatora
    when: { currency: [USD] }
    strategy: priority
    providers: [fatora]
failover: { max_attempts: 1 }
EOF
# The environment must not override the bench config (ROUTER_PORT, a production database, PSP URLs).
pg_extra=
(( PGSTATS )) && pg_extra="shared_preload_libraries=pg_stat_statements pg_stat_statements.track=top pg_stat_statements.track_planning=on track_io_timing=on"
# shellcheck disable=SC2086
ROUTER_EMBEDDED_PG_SETTINGS=$pg_extra env -u ROUTER_PORT -u ROUTER_DATABASE_URL -u ROUTER_CONFIG -u REVIO_BASE_URL -u PAYCORE_BASE_URL \
    -u PAYCORE_CARDGATE_URL -u FATORA_BASE_URL -u DINTERO_BASE_URL -u DINTERO_AUTH_URL -u PROCESSOUT_BASE_URL \
    java ${ROUTER_JAVA_OPTS--Xmx256m} -jar "$JAR" --config "$TMP/router/router.yaml" > "$TMP/router/router.log" 2>&1 &
ROUTER_PID=$!
wait_http "$RTR/health/ready" 120 || { tail -30 "$TMP/router/router.log" >&2; die "router not ready"; }
PG_PID=$(sed -n 1p "$TMP/router/data/pg/postmaster.pid" 2>/dev/null || true)
PG_PORT=$(sed -n 4p "$TMP/router/data/pg/postmaster.pid" 2>/dev/null || true)
[[ $PG_PID =~ ^[0-9]+$ ]] && kill -0 "$PG_PID" 2>/dev/null || die "embedded PostgreSQL pid not found"
log "router pid $ROUTER_PID, PostgreSQL pid $PG_PID port $PG_PORT, simulators pid $SIM_PID, nginx pid $NGINX_PID"

card_json=$(curl -sS --max-time 10 -X POST "$RTR/v1/cards" -H 'Authorization: Bearer sk_test_demo' \
  -H 'Content-Type: application/json' \
  -d '{"brand":"visa","last4":"4242","exp_month":12,"exp_year":2030,"issuer_country":"US","tokens":{"fatora":{"card_token":"tok_bench_1"}}}')
CARD=$(printf '%s' "$card_json" | sed -n 's/.*"id":"\(card_[^"]*\)".*/\1/p')
[[ -n $CARD ]] || die "could not store a card: $card_json"

pg_settings="(psql not installed: settings not read)"
if command -v psql >/dev/null; then
  pg_settings=$(PGPASSWORD=postgres PGCONNECT_TIMEOUT=5 timeout 20 psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tA -F' ' -c \
    "SELECT 'PostgreSQL ' || current_setting('server_version') || ': synchronous_commit=' || current_setting('synchronous_commit')
            || ', fsync=' || current_setting('fsync') || ', shared_buffers=' || current_setting('shared_buffers')
            || ', max_wal_size=' || current_setting('max_wal_size')" 2>/dev/null || echo "(settings not read)")
fi

pgq() { PGPASSWORD=postgres PGCONNECT_TIMEOUT=5 timeout 30 psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
if (( PGSTATS )); then
  pgq -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null || die "pg_stat_statements could not be created"
fi
# --pg-stats: reset before a router round; after it, one Markdown block per round.
pg_stats_reset() {
  (( PGSTATS )) || return 0
  pgq -tA -c "SELECT pg_stat_statements_reset(); SELECT pg_stat_reset_shared('wal');" >/dev/null || log "pg_stat reset failed"
  pg_tab0=$(pgq -tA -F' ' -c "SELECT coalesce(sum(n_tup_upd) FILTER (WHERE relname = 'charges'), 0), coalesce(sum(n_tup_hot_upd) FILTER (WHERE relname = 'charges'), 0),
      coalesce(sum(n_tup_upd) FILTER (WHERE relname = 'webhook_deliveries'), 0), coalesce(sum(n_tup_hot_upd) FILTER (WHERE relname = 'webhook_deliveries'), 0),
      (SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres') FROM pg_stat_user_tables" 2>/dev/null || echo "0 0 0 0 0")
}
pg_stats_report() { # n target charges
  (( PGSTATS )) || return 0
  local f=$TMP/pgstats-$2-$1.md c=$(( $3 > 0 ? $3 : 1 ))
  pgq -c "SELECT pg_stat_force_next_flush()" >/dev/null 2>&1 || true
  sleep 1   # table statistics are flushed by each backend at most once a second
  {
    echo "Round $1, $2 ($3 charges):"
    echo
    pgq -tA -F' ' -c "SELECT $c" -c "SELECT wal_bytes, wal_records, wal_fpi FROM pg_stat_wal" -c "SELECT coalesce(sum(n_tup_upd) FILTER (WHERE relname = 'charges'), 0), coalesce(sum(n_tup_hot_upd) FILTER (WHERE relname = 'charges'), 0),
        coalesce(sum(n_tup_upd) FILTER (WHERE relname = 'webhook_deliveries'), 0), coalesce(sum(n_tup_hot_upd) FILTER (WHERE relname = 'webhook_deliveries'), 0),
        (SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres') FROM pg_stat_user_tables" \
      | awk -v t0="$pg_tab0" 'NR == 1 { c = $1 } NR == 2 { wb = $1; wr = $2; fpi = $3 }
          NR == 3 { split(t0, z, " "); cu = $1 - z[1]; ch = $2 - z[2]; wu = $3 - z[3]; whh = $4 - z[4]; cm = $5 - z[5] }
          END { printf "WAL %.0f bytes per charge (%.1f records, %.2f full-page images); commits per charge %.3f; HOT updates: charges %s, webhook_deliveries %s\n\n",
                  wb / c, wr / c, fpi / c, cm / c, (cu ? sprintf("%.0f %% of %d", 100 * ch / cu, cu) : "none"), (wu ? sprintf("%.0f %% of %d", 100 * whh / wu, wu) : "none") }'
    # live processes are compared by kind at the start and the end of the round. A process that
    # ended in the round (mostly an autovacuum worker) leaves its kind with what it had used at the
    # start and reaches the postmaster's cutime whole, so autovacuum and the exited children are
    # one column ("autovacuum+exited"; this script's psql sessions are in it too, well under 1 µs).
    { echo "$pg_kinds0" | sed 's/^/0 /'; pg_kind_ticks "$PG_PID" | sed 's/^/1 /'; } \
      | awk -v c="$c" -v tck="$CLK_TCK" '$1 == 0 { a[$2] += $3 } $1 == 1 { b[$2] += $3; k[$2] = 1 }
          END { a["autovacuum+exited"] = a["autovacuum"] + a["exited"]; b["autovacuum+exited"] = b["autovacuum"] + b["exited"]
                if (("autovacuum" in k) || ("exited" in k)) k["autovacuum+exited"] = 1
                n = split("backends walwriter checkpointer bgwriter autovacuum+exited postmaster other", o, " ")
                line = "PostgreSQL CPU per charge by process:"; tot = 0
                for (i = 1; i <= n; i++) if (o[i] in k) { d = (b[o[i]] - a[o[i]]) / tck * 1e6 / c; tot += d
                  line = line sprintf(" %s %.1f µs,", o[i], d) }
                printf "%s total %.1f µs\n\n", line, tot }'
    # planning is counted apart (track_planning): "plan µs / charge" is what planning the
    # statement cost per charge (the writers plan each batch afresh: Database.writerPool)
    echo "| statement | calls | rows | total ms | µs / charge | mean µs | plan µs / charge | WAL B / charge |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    pgq -tA -F'|' -c "SELECT left(regexp_replace(query, '\s+', ' ', 'g'), 90), calls, rows, round(total_exec_time::numeric), round((total_exec_time * 1000 / $c)::numeric, 1),
        round((total_exec_time * 1000 / greatest(calls, 1))::numeric, 1), round((total_plan_time * 1000 / $c)::numeric, 1), round(wal_bytes / $c) FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'postgres') ORDER BY total_exec_time DESC LIMIT 12" \
      | awk -F'|' '{ gsub(/\|/, "/", $1); printf "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
    echo
  } > "$f" 2>&1 || log "pg_stat report failed (see $f)"
}

if (( SEED > 0 )); then
  log "seeding $SEED charges"
  t_seed=$(date +%s)
  SEED_TIMEOUT=$(( 600 + SEED / 2000 )) "$here/seed.sh" "$SEED" --data-dir "$TMP/router/data" >&2 || die "seeding failed"
  seed_seconds=$(( $(date +%s) - t_seed ))
fi

# ---------------------------------------------------------------------------------------------
# Measuring
metric_sum() { # metrics-file name-regex [printf format, %.0f]: sum of the samples
  awk -v re="^($2)([{ ])" -v fmt="${3:-%.0f}" '$0 ~ re && $1 !~ /^#/ { s += $NF } END { printf fmt, s + 0 }' "$1"
}
queue_depth() { # metrics-file queue
  awk -v q="$2" '$1 ~ "^router_write_queue_depth\\{" && $1 ~ "queue=\"" q "\"" { printf "%.0f", $NF; f = 1 } END { if (!f) printf "?" }' "$1"
}
scrape() { curl -fsS --max-time 10 "$RTR/metrics" > "$1" || : > "$1"; }
# The router JVM's JIT compilation and GC pauses during one router round, from its own meters
# (Vert.x binds Micrometer's JVM binders): a round that still compiles was not warm.
jvm_round() { # n target metrics-before metrics-after
  local jit gcs gcn
  jit=$(( $(metric_sum "$4" jvm_compilation_time_ms_total) - $(metric_sum "$3" jvm_compilation_time_ms_total) ))
  gcs=$(awk -v a="$(metric_sum "$3" jvm_gc_pause_seconds_sum %.6f)" -v b="$(metric_sum "$4" jvm_gc_pause_seconds_sum %.6f)" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
  gcn=$(( $(metric_sum "$4" jvm_gc_pause_seconds_count) - $(metric_sum "$3" jvm_gc_pause_seconds_count) ))
  echo "$1 $2 $jit $gcs $gcn" >> "$TMP/jvm.txt"
  # rows per batch and batches (one round trip, one commit each) per writer queue in the round
  local q line=""
  for q in intent checkpoint outcome webhook_result; do
    local rs rc
    rs=$(( $(metric_q "$4" router_write_batch_size_sum "$q") - $(metric_q "$3" router_write_batch_size_sum "$q") ))
    rc=$(( $(metric_q "$4" router_write_batch_size_count "$q") - $(metric_q "$3" router_write_batch_size_count "$q") ))
    line+=" $rs $rc"
  done
  echo "$1 $2$line" >> "$TMP/batches.txt"
}
metric_q() { # metrics-file name queue: the sample of that metric with queue="<queue>"
  awk -v n="$2{" -v q="queue=\"$3\"" 'index($1, n) == 1 && index($1, q) { s += $NF } END { printf "%.0f", s + 0 }' "$1"
}

# wrk output -> "requests seconds non2xx sockerr p50ms p99ms notok" (notok: 2xx whose body status is
# not a success, from the lua summary)
parse_wrk() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000;
                     if (v ~ /s$/) return v * 1000; return v + 0 }
    / requests in / { req = $1; d = $4; sub(/,$/, "", d); if (d ~ /ms$/) secs = d / 1000; else if (d ~ /m$/) secs = d * 60; else secs = d + 0 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    $1 == "50%" { p50 = ms($2) }  $1 == "99%" { p99 = ms($2) }
    /^socket errors:/ { for (i = 3; i <= NF; i++) { split($i, kv, "="); sock += kv[2] } }
    /^charge status:/ { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "succeeded" || kv[1] == "SUCCESS") ok += kv[2]; else bad += kv[2] } }
    END { printf "%d %.3f %d %d %.2f %.2f %d\n", req, secs, non2xx, sock, p50, p99, bad }' "$1"
}

run_wrk() { # target seconds outfile [latency]
  local target=$1 secs=$2 out=$3 url script args
  case "$target" in
    direct) url=$SIM; script=wrk/fatora-direct.lua; args=(-- "d$RANDOM$RANDOM") ;;
    nginx)  url=$NGX; script=wrk/fatora-direct.lua; args=(-- "n$RANDOM$RANDOM") ;;
    router) url=$RTR; script=wrk/charge.lua; args=(-- "$CARD" "r$RANDOM$RANDOM") ;;
  esac
  (cd "$here" && timeout $(( secs + 30 )) wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --latency --timeout 10s \
     -s "$script" "$url" "${args[@]}") > "$out" 2>&1 || log "wrk on $target exited with $? (see $out)"
}

# Once a second during a router round: the write queue depths and whether /health/ready says UP
# (the router answers new charges 503 while it does not). Lines: "intent checkpoint outcome ready".
sample_router() { # seconds file
  local end=$(( SECONDS + $1 + 5 )) m=$TMP/sample.prom code
  : > "$2"
  while (( SECONDS < end )); do
    scrape "$m"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$RTR/health/ready" || true)
    echo "$(queue_depth "$m" intent) $(queue_depth "$m" checkpoint) $(queue_depth "$m" outcome) ${code:-000}" >> "$2"
    sleep 1
  done
}
peak_backlog() { awk '$1 ~ /^[0-9]+$/ { for (i = 1; i <= 3; i++) if ($i > m[i]) m[i] = $i } END { printf "%d/%d/%d", m[1], m[2], m[3] }' "$1"; }
not_ready_seconds() { awk '$4 != 200 { n++ } END { print n + 0 }' "$1"; }
# "503=123,500=4" from the lua summary's "HTTP statuses:" line, "-" when every answer was 2xx.
non2xx_codes() {
  awk '/^HTTP statuses:/ { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] !~ /^2/) s = s (s ? "," : "") $i } }
       END { print (s ? s : "-") }' "$1"
}

results=()   # one line per round: round target requests secs non2xx sock p50 p99 notok cpu1 cpu2 cpu3 charges backlog drain rejected peak notready codes
drain() { # waits for an empty write backlog; prints the seconds it took (or "-1" if it did not)
  local t0 m=$TMP/drain.prom
  t0=$(date +%s.%N)
  local end=$(( $(date +%s) + DRAIN_MAX ))
  while (( $(date +%s) < end )); do
    scrape "$m"
    if [[ $(queue_depth "$m" intent) == 0 && $(queue_depth "$m" outcome) == 0 && $(queue_depth "$m" checkpoint) == 0 ]]; then
      awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; return 0
    fi
    sleep 0.5
  done
  echo -1
}

round() { # n target seconds
  local n=$1 target=$2 secs=$3 out="$TMP/wrk-$2-$1.txt" s0 s1 x0 x1 r0 r1 p0 p1 c0 c1 m0=$TMP/m0.prom m1=$TMP/m1.prom
  [[ $target == webhooks ]] && wh_on
  [[ $target == shadow ]] && sh_on
  s0=$(tree_ticks "$SIM_PID")
  case "$target" in
    direct) run_wrk direct "$secs" "$out"; s1=$(tree_ticks "$SIM_PID")
            read -r req sec non sock p50 p99 bad < <(parse_wrk "$out")
            results+=("$n direct $req $sec $non $sock $p50 $p99 $bad $(( s1 - s0 )) 0 0 - - - - - - $(non2xx_codes "$out")") ;;
    nginx)  x0=$(tree_ticks "$NGINX_PID"); run_wrk nginx "$secs" "$out"
            x1=$(tree_ticks "$NGINX_PID"); s1=$(tree_ticks "$SIM_PID")
            read -r req sec non sock p50 p99 bad < <(parse_wrk "$out")
            results+=("$n nginx $req $sec $non $sock $p50 $p99 $bad $(( s1 - s0 )) $(( x1 - x0 )) 0 - - - - - - $(non2xx_codes "$out")") ;;
    router|webhooks|shadow)
            pg_stats_reset
            scrape "$m0"; r0=$(tree_ticks "$ROUTER_PID"); p0=$(tree_ticks "$PG_PID")
            (( PGSTATS )) && pg_kinds0=$(pg_kind_ticks "$PG_PID")
            c0=$(metric_sum "$m0" router_charges_total)
            local sm=$TMP/samples-$target-$n.txt
            sample_router "$secs" "$sm" &
            local sampler=$!
            run_wrk router "$secs" "$out"
            local t_end; t_end=$(date +%s.%N)
            kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
            scrape "$m1"
            local bi bo bc dr wh=
            bi=$(queue_depth "$m1" intent); bo=$(queue_depth "$m1" outcome); bc=$(queue_depth "$m1" checkpoint)
            dr=$(drain)
            scrape "$m1"; c1=$(metric_sum "$m1" router_charges_total)
            if [[ $target == webhooks ]]; then
              # The deliveries are asynchronous: wait for them (bounded), then read the CPU times, so
              # that the sending and the outbox's writes are counted in this round.
              local got lag a0 d0 a1 d1
              read -r got lag < <(wh_wait $(( c1 - c0 )) "$t_end")
              scrape "$m1"
              read -r a0 d0 < <(wh_attempts "$m0"); read -r a1 d1 < <(wh_attempts "$m1")
              wh="$got $lag $(( a1 - a0 )) $(( d1 - d0 ))"
            fi
            # the shadow's own count of the charges it decided (the same columns as webhooks' received)
            [[ $target == shadow ]] && wh="$(sh_decisions) 0 0 0"
            r1=$(tree_ticks "$ROUTER_PID"); p1=$(tree_ticks "$PG_PID"); s1=$(tree_ticks "$SIM_PID")
            pg_stats_report "$n" "$target" $(( c1 - c0 ))
            jvm_round "$n" "$target" "$m0" "$m1"
            read -r req sec non sock p50 p99 bad < <(parse_wrk "$out")
            results+=("$n $target $req $sec $non $sock $p50 $p99 $bad $(( s1 - s0 )) $(( r1 - r0 )) $(( p1 - p0 )) $(( c1 - c0 )) $bi/$bc/$bo $dr $(metric_sum "$m1" router_write_rejected_total) $(peak_backlog "$sm") $(not_ready_seconds "$sm") $(non2xx_codes "$out")${wh:+ $wh}") ;;
  esac
  local last=${results[${#results[@]}-1]}
  log "round $n $target: $(awk '{ printf "%d requests in %.1f s = %.0f/s, p50 %.2f ms, p99 %.2f ms, non-2xx %d, socket errors %d", $3, $4, ($3 - $5) / $4, $7, $8, $5, $6 }' <<<"$last")$( [[ $target == router || $target == webhooks || $target == shadow ]] && awk -v tck="$CLK_TCK" '{ c = ($13 ? $13 : 1); printf ", backlog at end %s (peak %s; intent/checkpoint/outcome), not ready %s s, drained in %s s, non-2xx codes %s; CPU per charge router %.0f µs, PostgreSQL %.0f µs, simulators %.0f µs", $14, $17, $18, $15, $19, $11 / tck * 1e6 / c, $12 / tck * 1e6 / c, $10 / tck * 1e6 / c }' <<<"$last")$( [[ $target == webhooks ]] && awk '{ printf "; webhooks: %d received by the sink for %d charges (%.3f), lag %s s, %d attempts (%d delivered)", $20, $13, ($13 ? $20 / $13 : 0), $21, $22, $23 }' <<<"$last")"
  [[ $target == webhooks ]] && wh_off
  [[ $target == shadow ]] && sh_off
  return 0
}

# --webhooks: the simulators' sink, and the bench merchant's one endpoint pointed at it.
SINK=$SIM/_sim/webhook-sink/bench
WH_ID=
sink_received() { curl -fsS --max-time 5 "$SINK?limit=0" 2>/dev/null | sed -n 's/.*"received":\([0-9]*\).*/\1/p'; }
wh_attempts() { # metrics-file -> "attempts delivered" (router_webhook_attempt_duration_seconds counts)
  awk '$1 ~ /^router_webhook_attempt_duration_seconds_count\{/ { a += $NF; if ($1 ~ /result="delivered"/) d += $NF }
       END { printf "%.0f %.0f\n", a, d }' "$1"
}
wh_on() { # empties the sink, creates the endpoint (every event type: event_types left out)
  curl -fsS --max-time 5 -X DELETE "$SINK" >/dev/null || die "the simulators' webhook sink did not answer ($SINK)"
  local resp
  resp=$(curl -sS --max-time 10 -X POST "$RTR/v1/webhook_endpoints" -H 'Authorization: Bearer sk_test_demo' \
    -H 'Content-Type: application/json' -d "{\"url\":\"$SINK\",\"description\":\"bench.sh --webhooks\"}")
  WH_ID=$(printf '%s' "$resp" | grep -o '"id":"we_[^"]*"' | head -1 | cut -d'"' -f4 || true)
  [[ -n $WH_ID ]] || die "could not create a webhook endpoint: $resp"
  [[ $resp == *'"charge.succeeded"'* && $resp == *'"refund.failed"'* ]] || die "the endpoint is not subscribed to every event type: $resp"
  sleep 1
}
wh_off() { # deletes the endpoint; then 2 s, so that every instance's view of subscribed merchants (the database check every 0.5 s) has it gone
  [[ -n $WH_ID ]] || return 0
  curl -fsS --max-time 10 -X DELETE "$RTR/v1/webhook_endpoints/$WH_ID" -H 'Authorization: Bearer sk_test_demo' >/dev/null \
    || log "could not delete webhook endpoint $WH_ID"
  WH_ID=
  sleep 2
  # A deliverer still holding rows may go on sending them for a few seconds (it re-reads an
  # endpoint every 5 s): wait until the sink is quiet, so that none of it lands in a plain round.
  local a b end=$(( $(date +%s) + 15 ))
  a=$(sink_received || true)
  while (( $(date +%s) < end )); do
    sleep 1; b=$(sink_received || true)
    [[ $a == "$b" ]] && return 0
    a=$b
  done
  log "the sink still received deliveries 15 s after the endpoint was deleted"
}
wh_wait() { # charges t_end -> "received lag" once the sink has received that many (lag -1: not within WH_WAIT_MAX)
  local want=$1 t_end=$2 end=$(( $(date +%s) + WH_WAIT_MAX )) got
  while :; do
    got=$(sink_received || true); got=${got:-0}
    if (( got >= want )); then awk -v a="$t_end" -v b="$(date +%s.%N)" -v g="$got" 'BEGIN { printf "%d %.1f\n", g, b - a }'; return 0; fi
    (( $(date +%s) < end )) || break
    sleep 0.2
  done
  echo "$got -1"
}

# --shadow: the bench rules with USD sent to revio instead (every charge diverges; revio is never called).
SHADOW_RULES='{"rules":[{"name":"usd-revio","when":{"currency":["USD"]},"strategy":"priority","providers":["revio"]}],"failover":{"max_attempts":1}}'
sh_on() {
  local resp
  resp=$(curl -sS --max-time 10 -X PUT "$RTR/admin/routing/shadow" -H 'Authorization: Bearer admin_test_demo' \
    -H 'Content-Type: application/json' -d "$SHADOW_RULES")
  [[ $resp == *'"generation"'* ]] || die "could not install the shadow rules: $resp"
}
sh_decisions() { curl -fsS --max-time 5 "$RTR/admin/routing/shadow" -H 'Authorization: Bearer admin_test_demo' 2>/dev/null \
  | sed -n 's/.*"decisions":\([0-9]*\).*/\1/p' | head -1; }
sh_off() { curl -fsS --max-time 10 -o /dev/null -X DELETE "$RTR/admin/routing/shadow" -H 'Authorization: Bearer admin_test_demo' \
  || log "could not remove the shadow rules"; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average before: $load_before"
log "warm-up: ${WARMUP_SECONDS}s direct, ${WARMUP_SECONDS}s nginx, $(( 2 * WARMUP_SECONDS ))s router (not measured)"
if (( WARMUP_SECONDS > 0 )); then
  run_wrk direct "$WARMUP_SECONDS" "$TMP/warmup-direct.txt"
  run_wrk nginx "$WARMUP_SECONDS" "$TMP/warmup-nginx.txt"
  run_wrk router $(( 2 * WARMUP_SECONDS )) "$TMP/warmup-router.txt"
  # Then on in 5 s slices until the router's JIT has settled: a slice with less than JIT_SETTLED_MS
  # of compilation (its own jvm_compilation_time_ms_total), at most WARMUP_MAX_SECONDS in all.
  if (( ! QUICK )); then
    warm=$(( 2 * WARMUP_SECONDS )) jit_a=$(metric_sum <(curl -fsS --max-time 10 "$RTR/metrics" || true) jvm_compilation_time_ms_total)
    while (( warm < WARMUP_MAX_SECONDS )); do
      run_wrk router 5 "$TMP/warmup-router-more.txt"; warm=$(( warm + 5 ))
      jit_b=$(metric_sum <(curl -fsS --max-time 10 "$RTR/metrics" || true) jvm_compilation_time_ms_total)
      log "router warm-up: ${warm}s, JIT compilation in the last 5 s: $(( jit_b - jit_a )) ms"
      (( jit_b - jit_a < JIT_SETTLED_MS )) && break
      jit_a=$jit_b
    done
  fi
  d=$(drain); log "warm-up backlog drained in $d s"
  if (( SHADOW )); then
    # the shadow's code path compiled before it is measured (it compiled 5.6 s in its first round)
    sh_on; run_wrk router $(( 2 * WARMUP_SECONDS )) "$TMP/warmup-shadow.txt"; sh_off
    d=$(drain); log "shadow warm-up: backlog drained in $d s"
  fi
  if (( WEBHOOKS )); then
    # the webhook path (event bodies, the deliverer, the sink) warmed up too, then gone again
    wh_on
    c_w0=$(metric_sum <(curl -fsS --max-time 10 "$RTR/metrics" || true) router_charges_total)
    run_wrk router $(( 2 * WARMUP_SECONDS )) "$TMP/warmup-webhooks.txt"
    t_w=$(date +%s.%N); d=$(drain)
    c_w1=$(metric_sum <(curl -fsS --max-time 10 "$RTR/metrics" || true) router_charges_total)
    read -r got lag < <(wh_wait $(( c_w1 - c_w0 )) "$t_w")
    log "webhook warm-up: $got deliveries received for $(( c_w1 - c_w0 )) charges, lag $lag s"
    wh_off
  fi
fi
for n in $(seq 1 "$ROUNDS"); do
  round "$n" direct "$BASE_SECONDS"
  round "$n" nginx "$BASE_SECONDS"
  if (( n % 2 == 0 )); then
    # alternate the order: drift (a growing database) hits both alike
    if (( WEBHOOKS )); then round "$n" webhooks "$ROUTER_SECONDS"; fi
    if (( SHADOW )); then round "$n" shadow "$ROUTER_SECONDS"; fi
    round "$n" router "$ROUTER_SECONDS"
  else
    round "$n" router "$ROUTER_SECONDS"
    if (( SHADOW )); then round "$n" shadow "$ROUTER_SECONDS"; fi
    if (( WEBHOOKS )); then round "$n" webhooks "$ROUTER_SECONDS"; fi
  fi
done
knee_line= knee_table= knee_html= knee_cmd=
if (( KNEE )); then
  knee_cmd="mvn -f load-tests/pom.xml gatling:test -Dgatling.simulationClass=io.payrouter.load.KneeSimulation -DbaseUrl=$RTR $KNEE_OPTS"
  log "knee search (Gatling KneeSimulation, at most ${KNEE_TIMEOUT} s): $knee_cmd"
  # shellcheck disable=SC2086
  (cd "$root" && timeout --kill-after=20 "$KNEE_TIMEOUT" mvn -q -B -f load-tests/pom.xml gatling:test \
     -Dgatling.simulationClass=io.payrouter.load.KneeSimulation -DbaseUrl="$RTR" $KNEE_OPTS) > "$TMP/knee.log" 2>&1 \
    || log "knee run exited with $? (see $TMP/knee.log)"
  knee_line=$(grep -m1 '^KNEE:' "$TMP/knee.log" || echo "KNEE: no result (the Gatling run failed; see its log)")
  knee_table=$(grep '^\[knee\]' "$TMP/knee.log" | sed 's/^\[knee\] \{0,1\}//' || true)
  knee_html=$(grep -o 'file://[^ ]*index.html' "$TMP/knee.log" | head -1 | sed "s|^file://$root/||" || true)
  log "$knee_line"
fi
latency_line= latency_table= latency_cmd=
if (( LATENCY )); then
  if [[ -z $LATENCY_RATE ]]; then
    # half of the router's median wrk rate over the rounds (2xx per second)
    LATENCY_RATE=$(printf '%s\n' "${results[@]}" | awk '$2 == "router" && $4 > 0 { print ($3 - $5) / $4 }' | sort -g \
      | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; r = int(m / 2); print (r < 1 ? 1 : r) }')
  fi
  latency_cmd="mvn -f load-tests/pom.xml gatling:test -Dgatling.simulationClass=io.payrouter.load.LatencySimulation -DbaseUrl=$RTR -DdirectUrl=$SIM/fatora -Drate=$LATENCY_RATE $LATENCY_OPTS"
  log "latency side by side at $LATENCY_RATE/s (Gatling LatencySimulation, at most ${LATENCY_TIMEOUT} s): $latency_cmd"
  # shellcheck disable=SC2086
  (cd "$root" && timeout --kill-after=20 "$LATENCY_TIMEOUT" mvn -q -B -f load-tests/pom.xml gatling:test \
     -Dgatling.simulationClass=io.payrouter.load.LatencySimulation -DbaseUrl="$RTR" -DdirectUrl="$SIM/fatora" \
     -Drate="$LATENCY_RATE" $LATENCY_OPTS) > "$TMP/latency.log" 2>&1 \
    || log "latency run exited with $? (see $TMP/latency.log)"
  latency_line=$(grep -m1 '^LATENCY:' "$TMP/latency.log" || echo "LATENCY: no result (the Gatling run failed; see its log)")
  latency_table=$(grep '^\[latency\]' "$TMP/latency.log" | sed 's/^\[latency\] \{0,1\}//' || true)
  log "$latency_line"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
RSS_KB=$(hwm_kb "$ROUTER_PID")
SIM_RSS_KB=$(hwm_kb "$SIM_PID")
router_errors=$(grep -c ' ERROR ' "$TMP/router/router.log" || true)
# The router's warnings and errors, grouped by message (timestamps, threads, ids and numbers dropped).
router_warnings=$(grep -E ' (WARN|ERROR) ' "$TMP/router/router.log" | grep -v 'has been already registered' \
  | sed -E 's/^[0-9:.]+ +//; s/\[[^]]*\] //; s/(ch|att|card|inst)_[A-Za-z0-9]+/\1_…/g; s/[0-9]+/N/g' \
  | sort | uniq -c | sort -rn | head -8 || true)
total_seconds=$(( $(date +%s) - t_start ))

# ---------------------------------------------------------------------------------------------
# Report
printf '%s\n' "${results[@]}" > "$TMP/rounds.txt"
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { # target awk-expression -> median over that target's rounds
  awk -v t="$1" -v tck="$CLK_TCK" "\$2 == t { print $2 }" "$TMP/rounds.txt" | median
}
fmt0() { awk -v v="$1" 'BEGIN { if (v == "nan") print "–"; else { s = sprintf("%.0f", v); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } print s r } }'; }
fmt1() { awk -v v="$1" 'BEGIN { if (v == "nan") print "–"; else printf "%.1f", v }'; }
fmt2() { awk -v v="$1" 'BEGIN { if (v == "nan") print "–"; else printf "%.2f", v }'; }
total_of() { awk -v t="$1" -v c="$2" '$2 == t { s += $c } END { print s + 0 }' "$TMP/rounds.txt"; }

declare -A tput p50 p99
for t in direct nginx router; do
  tput[$t]=$(col "$t" '($3 - $5) / $4')
  p50[$t]=$(col "$t" '$7')
  p99[$t]=$(col "$t" '$8')
done
sim_us_direct=$(col direct '$10 / tck * 1e6 / ($3 > 0 ? $3 : 1)')
sim_us_nginx=$(col nginx '$10 / tck * 1e6 / ($3 > 0 ? $3 : 1)')
ngx_us=$(col nginx '$11 / tck * 1e6 / ($3 > 0 ? $3 : 1)')
rtr_us=$(col router '$11 / tck * 1e6 / ($13 > 0 ? $13 : 1)')
pg_us=$(col router '$12 / tck * 1e6 / ($13 > 0 ? $13 : 1)')
sim_us_router=$(col router '$10 / tck * 1e6 / ($13 > 0 ? $13 : 1)')
ratio_nginx=$(awk -v a="${tput[router]}" -v b="${tput[nginx]}" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
ratio_direct=$(awk -v a="${tput[router]}" -v b="${tput[direct]}" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
backlogs=$(awk '$2 == "router" { printf "%s%s (peak %s)", (n++ ? ", " : ""), $14, $17 }' "$TMP/rounds.txt")
not_ready=$(awk '$2 == "router" { printf "%s%s", (n++ ? ", " : ""), $18 }' "$TMP/rounds.txt")
max_backlog=$(awk '$2 == "router" { split($14, b, "/"); for (i in b) if (b[i] + 0 > m) m = b[i] + 0 } END { print m + 0 }' "$TMP/rounds.txt")
drains=$(awk '$2 == "router" { printf "%s%s", (n++ ? ", " : ""), $15 }' "$TMP/rounds.txt")
rejected=$(awk '$2 == "router" { v = $16 } END { print v + 0 }' "$TMP/rounds.txt")
wh_table=
if (( WEBHOOKS )); then
  # Per round: webhook round / plain round, for charges/s and each CPU per charge; then medians.
  wh_ratios=$(awk -v tck="$CLK_TCK" '
    { c = ($13 > 0 ? $13 : 1); t = ($4 > 0 ? ($3 - $5) / $4 : 0) }
    $2 == "router"   { ta[$1] = t; ra[$1] = $11 / tck * 1e6 / c; pa[$1] = $12 / tck * 1e6 / c; sa[$1] = $10 / tck * 1e6 / c }
    $2 == "webhooks" { tb[$1] = t; rb[$1] = $11 / tck * 1e6 / c; pb[$1] = $12 / tck * 1e6 / c; sb[$1] = $10 / tck * 1e6 / c }
    END { for (n in tb) if ((n in ta) && ta[n] > 0 && ra[n] > 0 && pa[n] > 0 && sa[n] > 0)
            printf "%d %.4f %.4f %.4f %.4f %.4f\n", n, tb[n] / ta[n], rb[n] / ra[n], pb[n] / pa[n], sb[n] / sa[n], (rb[n] + pb[n]) / (ra[n] + pa[n]) }' \
    "$TMP/rounds.txt" | sort -n)
  wr() { awk -v k="$1" '{ print $k }' <<<"$wh_ratios" | median; }
  f3() { awk -v v="$1" 'BEGIN { if (v == "nan") print "–"; else printf "%.3f", v }'; }
  wh_tput=$(wr 2) wh_rtr=$(wr 3) wh_pg=$(wr 4) wh_sim=$(wr 5) wh_both=$(wr 6)
  wh_delivered=$(col webhooks '$20 / ($13 > 0 ? $13 : 1)')
  wh_lags=$(awk '$2 == "webhooks" { printf "%s%s", (n++ ? ", " : ""), ($21 == "-1" ? "not all within '"$WH_WAIT_MAX"' s" : $21 " s") }' "$TMP/rounds.txt")
  # deliveries received per second, from the start of the load to the last one (or the end of the wait)
  wh_rates=$(awk -v w="$WH_WAIT_MAX" '$2 == "webhooks" { t = $4 + ($21 == "-1" ? w : $21); printf "%s%d of %d (%.0f/s; charges %.0f/s)", (n++ ? ", " : ""), $20, $13, (t > 0 ? $20 / t : 0), ($4 > 0 ? ($3 - $5) / $4 : 0) }' "$TMP/rounds.txt")
  wh_attempts_all=$(awk '$2 == "webhooks" { a += $22; d += $23 } END { printf "%d attempts, %d delivered", a, d }' "$TMP/rounds.txt")
  wh_verdict=$(awk -v r="$wh_tput" 'BEGIN { if (r == "nan") print "no ratio"; else if (r >= 0.9) print "within 10 %"; else printf "%.0f %% below: not within 10 %%", (1 - r) * 100 }')
  row() { # label target
    printf '| %s | %s | %s ms | %s ms | %s µs | %s µs | %s µs |\n' "$1" "$(fmt0 "$(col "$2" '($3 - $5) / $4')")" \
      "$(fmt2 "$(col "$2" '$7')")" "$(fmt2 "$(col "$2" '$8')")" "$(fmt0 "$(col "$2" '$11 / tck * 1e6 / ($13 > 0 ? $13 : 1)')")" \
      "$(fmt0 "$(col "$2" '$12 / tck * 1e6 / ($13 > 0 ? $13 : 1)')")" "$(fmt0 "$(col "$2" '$10 / tck * 1e6 / ($13 > 0 ? $13 : 1)')")"
  }
  wh_table=$(
    echo "| merchant webhooks (\`--webhooks\`, $ROUNDS rounds of ${ROUTER_SECONDS} s each, order alternating) | charges/s (median) | p50 | p99 | router JVM CPU / charge | PostgreSQL CPU / charge | simulators' CPU / charge |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    row "(a) no endpoint" router
    row "(b) one endpoint, every event type, → simulators' sink" webhooks
    echo "| **(b) / (a)**, median of the per-round ratios | **$(f3 "$wh_tput")** | | | **$(f3 "$wh_rtr")** | **$(f3 "$wh_pg")** | $(f3 "$wh_sim") |"
    echo
    echo "Throughput with one endpoint subscribed: **$(f3 "$wh_tput") of none ($wh_verdict)**; router + PostgreSQL CPU per"
    echo "charge $(f3 "$wh_both") of none. Deliveries received by the sink / charges made (median): $(f3 "$wh_delivered");"
    echo "lag from the end of the load to the last delivery, per round: $wh_lags; router attempts over the (b)"
    echo "rounds: $wh_attempts_all. Received per round, and the rate from the start of the load to the last"
    echo "delivery: $wh_rates. CPU of (b) is read once the sink had every delivery (or after"
    echo "WH_WAIT_MAX), so the sending is in it; the simulators' CPU in (b) includes receiving them."
    awk -v w="$WH_WAIT_MAX" '$2 == "webhooks" && $13 > 0 && $20 / $13 < 0.99 { n++ }
      END { if (n) printf "**%d webhook round(s) had fewer than 99 %% of the deliveries within WH_WAIT_MAX (%d s)**: their CPU per charge misses the rest (the deliverer fell behind the charges; the rows left are abandoned when the endpoint is deleted). Raise WH_WAIT_MAX.\n", n, w }' "$TMP/rounds.txt"
  )
fi
sh_table=
if (( SHADOW )); then
  sh_ratios=$(awk -v tck="$CLK_TCK" '
    { c = ($13 > 0 ? $13 : 1); t = ($4 > 0 ? ($3 - $5) / $4 : 0) }
    $2 == "router" { ta[$1] = t; ra[$1] = $11 / tck * 1e6 / c; pa[$1] = $12 / tck * 1e6 / c }
    $2 == "shadow" { tb[$1] = t; rb[$1] = $11 / tck * 1e6 / c; pb[$1] = $12 / tck * 1e6 / c }
    END { for (n in tb) if ((n in ta) && ta[n] > 0 && ra[n] > 0 && pa[n] > 0)
            printf "%d %.4f %.4f %.4f\n", n, tb[n] / ta[n], rb[n] / ra[n], pb[n] / pa[n] }' "$TMP/rounds.txt" | sort -n)
  sr() { awk -v k="$1" '{ print $k }' <<<"$sh_ratios" | median; }
  g3() { awk -v v="$1" 'BEGIN { if (v == "nan") print "–"; else printf "%.3f", v }'; }
  sh_tput=$(sr 2) sh_rtr=$(sr 3) sh_pg=$(sr 4)
  sh_counted=$(awk '$2 == "shadow" { printf "%s%d of %d", (n++ ? ", " : ""), $20, $13 }' "$TMP/rounds.txt")
  sh_per_round=$(awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $2 }' <<<"$sh_ratios")
  sh_verdict=$(awk -v r="$sh_tput" 'BEGIN { if (r == "nan") print "no ratio"; else if (r >= 0.98) print "within 2 %"; else printf "%.1f %% below: not within 2 %%", (1 - r) * 100 }')
  srow() { # label target
    printf '| %s | %s | %s ms | %s ms | %s µs | %s µs |\n' "$1" "$(fmt0 "$(col "$2" '($3 - $5) / $4')")" \
      "$(fmt2 "$(col "$2" '$7')")" "$(fmt2 "$(col "$2" '$8')")" "$(fmt0 "$(col "$2" '$11 / tck * 1e6 / ($13 > 0 ? $13 : 1)')")" \
      "$(fmt0 "$(col "$2" '$12 / tck * 1e6 / ($13 > 0 ? $13 : 1)')")"
  }
  sh_table=$(
    echo "| shadow routing rules (\`--shadow\`, $ROUNDS rounds of ${ROUTER_SECONDS} s each, order alternating) | charges/s (median) | p50 | p99 | router JVM CPU / charge | PostgreSQL CPU / charge |"
    echo "|---|---:|---:|---:|---:|---:|"
    srow "(a) no shadow" router
    srow "(c) shadow installed (every charge diverges)" shadow
    echo "| **(c) / (a)**, median of the per-round ratios | **$(g3 "$sh_tput")** | | | **$(g3 "$sh_rtr")** | **$(g3 "$sh_pg")** |"
    echo
    echo "Throughput with a shadow installed: **$(g3 "$sh_tput") of none ($sh_verdict)**; per round: $sh_per_round."
    echo "Charges the shadow counted (GET /admin/routing/shadow) of those the router answered, per round: $sh_counted."
  )
fi
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "?")
dirty=$(git -C "$root" status --porcelain -- src pom.xml config 2>/dev/null | grep -q . && echo " (uncommitted changes in src/config)" || true)
when=$(date -u '+%Y-%m-%d %H:%M UTC')
cmd="load-tests/bench.sh${orig_args[*]:+ ${orig_args[*]}}"
seed_note="empty database"
(( SEED > 0 )) && seed_note="$(fmt0 "$SEED") charges seeded first (load-tests/seed.sh, ${seed_seconds} s)"

summary_table() {
  cat <<EOF
| target (wrk -t$THREADS -c$CONNS, $ROUNDS interleaved rounds) | charges/s (median) | p50 (median) | p99 (median) | non-2xx (all rounds) | socket errors (all rounds) |
|---|---:|---:|---:|---:|---:|
| Fatora simulator, direct (${BASE_SECONDS} s rounds) | $(fmt0 "${tput[direct]}") | $(fmt2 "${p50[direct]}") ms | $(fmt2 "${p99[direct]}") ms | $(total_of direct 5) | $(total_of direct 6) |
| nginx \`proxy_pass\` → simulator (${BASE_SECONDS} s rounds) | $(fmt0 "${tput[nginx]}") | $(fmt2 "${p50[nginx]}") ms | $(fmt2 "${p99[nginx]}") ms | $(total_of nginx 5) | $(total_of nginx 6) |
| router \`POST /v1/charges\` → simulator (${ROUTER_SECONDS} s rounds) | $(fmt0 "${tput[router]}") | $(fmt2 "${p50[router]}") ms | $(fmt2 "${p99[router]}") ms | $(total_of router 5) | $(total_of router 6) |

| cost per charge (medians) | |
|---|---:|
| router JVM CPU | $(fmt0 "$rtr_us") µs |
| PostgreSQL CPU (postmaster + backends) | $(fmt0 "$pg_us") µs |
| router peak RSS (VmHWM) | $(( RSS_KB / 1024 )) MB |
| router / nginx throughput | $ratio_nginx |
| router / direct throughput | $ratio_direct |
| write backlog at the end of each router round (intent/checkpoint/outcome) | $backlogs |
| seconds \`/health/ready\` was not UP in each router round | $not_ready |
EOF
}

report=$TMP/report.md
{
  echo "## Bench $when"
  echo
  echo "\`$cmd\` — commit \`$commit\`$dirty, $(nproc) cores shared by wrk, nginx, the simulators, the router and PostgreSQL;"
  echo "load average before $load_before, after $load_after; $seed_note; $pg_settings; router writer.linger_ms $(awk '/^writer:/ { w = 1; next } /^[^ ]/ { w = 0 } w && $1 == "linger_ms:" { print $2; f = 1 } END { if (!f) print "default" }' "$TMP/router/router.yaml")${WRITER_LINGER_MS:+ (WRITER_LINGER_MS)}; total run $(( total_seconds / 60 )) min $(( total_seconds % 60 )) s."
  echo
  summary_table
  if (( WEBHOOKS )); then
    echo
    printf '%s\n' "$wh_table"
  fi
  if (( SHADOW )); then
    echo
    printf '%s\n' "$sh_table"
  fi
  echo
  echo "CPU per charge counts each process's utime+stime (/proc) from the start of a router round until its write"
  echo "backlog had drained (drain: $drains s), divided by the charges the router answered in that window"
  echo "(\`router_charges_total\`). Other CPU per request: simulator $(fmt0 "$sim_us_direct") µs direct,"
  echo "$(fmt0 "$sim_us_nginx") µs behind nginx (+ nginx $(fmt0 "$ngx_us") µs), $(fmt0 "$sim_us_router") µs behind the router."
  echo "Simulator peak RSS $(( SIM_RSS_KB / 1024 )) MB (\`${SIM_JAVA_OPTS--Xmx256m}\`; each PSP keeps its last 200,000 payments). Router log ERROR lines: $router_errors;"
  echo "\`router_write_rejected_total\`: $rejected."
  if (( $(total_of router 5) > 0 )); then
    echo "The router's non-2xx answers are counted in its CPU time but not in the charges. It answers 503 before"
    echo "calling any PSP while a write queue is at \`writer.queue_capacity\` or while it holds the database"
    echo "unavailable (\`/health/ready\` not UP): see the peak backlog and the not-ready seconds per round."
  fi
  if [[ -n $router_warnings ]]; then
    echo
    echo "Router log warnings and errors over the whole run (count, message with numbers and ids masked):"
    echo
    echo '```'
    printf '%s\n' "$router_warnings"
    echo '```'
  fi
  echo
  echo "Per round:"
  echo
  echo "| round | target | requests | s | charges/s | p50 ms | p99 ms | non-2xx | socket errors | 2xx not succeeded | CPU µs/charge | backlog i/c/o at end (peak) | not ready s | drain s |"
  echo "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|---|---:|---:|"
  awk -v tck="$CLK_TCK" '{
    r = ($4 > 0) ? ($3 - $5) / $4 : 0
    if ($2 == "direct") cpu = sprintf("simulator %.0f", $10 / tck * 1e6 / ($3 ? $3 : 1))
    else if ($2 == "nginx") cpu = sprintf("nginx %.0f + simulator %.0f", $11 / tck * 1e6 / ($3 ? $3 : 1), $10 / tck * 1e6 / ($3 ? $3 : 1))
    else cpu = sprintf("router %.0f, PostgreSQL %.0f, simulator %.0f (%d charges)", $11 / tck * 1e6 / ($13 ? $13 : 1), $12 / tck * 1e6 / ($13 ? $13 : 1), $10 / tck * 1e6 / ($13 ? $13 : 1), $13)
    if ($2 == "webhooks") cpu = cpu sprintf("; %d webhooks received, lag %s s", $20, $21)
    non = $5 ""; if ($19 != "-" && $19 != "") non = non " (" $19 ")"
    printf "| %s | %s | %d | %.1f | %.0f | %.2f | %.2f | %s | %d | %d | %s | %s | %s | %s |\n", $1, $2, $3, $4, r, $7, $8, non, $6, $9, cpu, ($2 != "direct" && $2 != "nginx" ? $14 " (" $17 ")" : "–"), ($2 != "direct" && $2 != "nginx" ? $18 : "–"), ($2 != "direct" && $2 != "nginx" ? $15 : "–") }' "$TMP/rounds.txt"
  if [[ -s $TMP/jvm.txt ]]; then
    echo
    echo "Router JVM in each router round (its own meters: \`jvm_compilation_time_ms_total\`, \`jvm_gc_pause_seconds\`):"
    echo "JIT compilation and GC pauses; a round that still spends seconds compiling was not warm."
    echo
    echo "| round | target | JIT compilation ms | GC pauses ms (count) |"
    echo "|---|---|---:|---:|"
    awk '{ printf "| %s | %s | %d | %d (%d) |\n", $1, $2, $3, $4, $5 }' "$TMP/jvm.txt"
  fi
  if [[ -s $TMP/batches.txt ]]; then
    echo
    echo "Writer cycles in each router round (\`router_write_batch_size\` by queue: rows per batch, and batches, each one"
    echo "round trip and one commit; per second over the round's wrk time):"
    echo
    echo "| round | target | intent rows/batch (batches/s) | checkpoint | outcome | webhook_result |"
    echo "|---|---|---:|---:|---:|---:|"
    awk -v secs="$ROUTER_SECONDS" 'function cell(s, c) { return c > 0 ? sprintf("%.1f (%.0f)", s / c, c / secs) : "–" }
      { printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, cell($3, $4), cell($5, $6), cell($7, $8), cell($9, $10) }' "$TMP/batches.txt"
  fi
  if (( KNEE )); then
    echo
    echo "Knee (Gatling \`KneeSimulation\`, open model, against the same router after the rounds): \`$knee_cmd\`"
    echo
    echo "**$knee_line**${knee_html:+ HTML report: \`$knee_html\`}"
    echo
    echo '```'
    printf '%s\n' "$knee_table"
    echo '```'
  fi
  if (( LATENCY )); then
    echo
    echo "Latency side by side (Gatling \`LatencySimulation\`, open model at half the router's median rate, simulator"
    echo "direct and router one after the other, after the rounds): \`$latency_cmd\`"
    echo
    echo "**$latency_line**"
    echo
    echo '```'
    printf '%s\n' "$latency_table"
    echo '```'
  fi
  if (( PGSTATS )); then
    echo
    echo "PostgreSQL per router round (\`--pg-stats\`: pg_stat_statements, pg_stat_wal, pg_stat_user_tables; from a reset"
    echo "before the round to the end of its drain; execution time is not CPU time, and commits are not in it):"
    echo
    for f in "$TMP"/pgstats-*.md; do [[ -f $f ]] && cat "$f"; done
  fi
} > "$report"

mkdir -p "$here/results"
# Smoke tests (--quick) are written as *-quick.md, which git ignores.
suffix=; (( QUICK )) && suffix=-quick
out=$here/results/bench-$(date -u +%Y-%m-%d-%H%M)$suffix.md
cp "$report" "$out"
cat "$report"
log "report written to ${out#"$root"/}"

if (( UPDATE_README )); then
  block=$TMP/readme-block.md
  {
    echo "<!-- bench:begin -->"
    echo "<!-- generated by load-tests/bench.sh --update-readme; do not edit by hand -->"
    echo "- \`$cmd\`, $when (commit \`$commit\`), on $(nproc) cores shared by everything (load average"
    echo "  $load_before before, $load_after after; $seed_note). Full report:"
    echo "  [load-tests/results/$(basename "$out")](load-tests/results/$(basename "$out"))."
    echo
    summary_table | sed 's/^/  /'
    if (( KNEE )); then
      echo
      echo "- Knee (Gatling \`KneeSimulation\`, open model, same router, after the rounds; \`--knee\`):"
      echo "  **${knee_line#KNEE: }**"
    fi
    if (( LATENCY )); then
      echo "- Latency at half the router's rate (Gatling \`LatencySimulation\`, open model, simulator direct and"
      echo "  router one after the other; \`--latency\`): **${latency_line#LATENCY: }**"
    fi
    echo "<!-- bench:end -->"
  } > "$block"
  grep -q '<!-- bench:begin -->' "$root/README.md" && grep -q '<!-- bench:end -->' "$root/README.md" \
    || die "README.md has no <!-- bench:begin --> / <!-- bench:end --> markers"
  awk -v blk="$block" '
    /<!-- bench:begin -->/ { while ((getline l < blk) > 0) print l; skip = 1; next }
    /<!-- bench:end -->/ { skip = 0; next }
    !skip { print }' "$root/README.md" > "$TMP/README.new"
  cp "$TMP/README.new" "$root/README.md"
  log "README.md benchmark block updated"
fi
log "done in ${total_seconds} s"

#!/usr/bin/env bash
# The backtest benchmark (issue 19): N stored charges (default 1,000,000, seeded by seed.sh) replayed
# by POST /admin/routing/backtest, ROUNDS times (default 3), with the median time.
#
#   load-tests/backtest.sh [N] [--rounds R] [--no-build] [--keep]
#
# It starts the router on the embedded default (its own PostgreSQL and the PSP simulators, a fresh
# data directory in a temp dir, a free loopback port), seeds N charges for merchant demo with
# load-tests/seed.sh (one every 17 ms back from now), then asks for a backtest of the whole seeded
# window with proposed rules that send USD to revio instead of the shipped rules' fatora (so every
# charge changes). Per round it reads the answer's charges and duration_ms, the wall time of the
# request (curl), and the router JVM's CPU time (utime+stime from /proc) and PostgreSQL's (the
# postmaster and its backends) over the request. Output: a Markdown report on stdout and in
# load-tests/results/backtest-<date>.md. Bounded: every call has a timeout, the whole script runs
# under `timeout` (BACKTEST_TIMEOUT, default 1800 s). Loopback only.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
N=1000000
ROUNDS=3
BUILD=1
KEEP=0
orig=("$@")
while (( $# )); do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) N=$1; shift ;;
    *) echo "backtest.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $N =~ ^[0-9]+$ ]] && (( N >= 1 && N <= 5000000 )) || { echo "backtest.sh: N must be in 1..5000000" >&2; exit 2; }
if [[ -z ${BACKTEST_INNER:-} ]]; then
  BACKTEST_INNER=1 exec timeout --kill-after=20 "${BACKTEST_TIMEOUT:-1800}" "$0" "${orig[@]}"
fi
log() { printf '[backtest %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
command -v psql >/dev/null || die "psql not found (apt-get install -y postgresql-client; seed.sh needs it)"
JAR=$root/target/payment-router.jar
if (( BUILD )); then (cd "$root" && timeout 900 mvn -q -B package -DskipTests >&2) || die "build failed"; fi
[[ -f $JAR ]] || die "$JAR missing"

TMP=$(mktemp -d /tmp/payrouter-backtest.XXXXXX)
RPID=
cleanup() {
  local rc=$?
  if [[ -n $RPID ]] && kill -0 "$RPID" 2>/dev/null; then
    kill -TERM "$RPID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$RPID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$RPID" 2>/dev/null || true
  fi
  if (( KEEP || rc != 0 )); then log "logs and data kept in $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

PORT=$(( 20000 + RANDOM % 12000 ))
mkdir -p "$TMP/router"
sed -e "s|^  port: 8080\b.*|  port: $PORT|" -e "s|^  data_dir: .*|  data_dir: $TMP/router/data|" \
    -e "s|^routing_file: .*|routing_file: $root/config/routing.yaml|" \
    "$root/config/router.yaml" > "$TMP/router/router.yaml"
grep -q "^  port: $PORT" "$TMP/router/router.yaml" || die "config/router.yaml changed shape"
env -u ROUTER_PORT -u ROUTER_DATABASE_URL java -Xmx256m -jar "$JAR" --config "$TMP/router/router.yaml" \
  > "$TMP/router/router.log" 2>&1 &
RPID=$!
RTR=http://127.0.0.1:$PORT
for _ in $(seq 1 240); do curl -fsS --max-time 2 -o /dev/null "$RTR/health/ready" 2>/dev/null && break; sleep 0.5; done
curl -fsS --max-time 2 -o /dev/null "$RTR/health/ready" || { tail -30 "$TMP/router/router.log" >&2; die "router not ready"; }
PG_PID=$(sed -n 1p "$TMP/router/data/pg/postmaster.pid")
log "router $RTR (pid $RPID, PostgreSQL pid $PG_PID); seeding $N charges"
t_seed=$(date +%s)
"$here/seed.sh" "$N" --data-dir "$TMP/router/data" --merchant demo >&2 || die "seeding failed"
seed_s=$(( $(date +%s) - t_seed ))

ticks() { # pid and descendants: utime+stime+cutime+cstime
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
    { i = length($0); while (i > 0 && substr($0, i, 1) != ")") i--
      split(substr($0, i + 2), f, " "); pid = $1 + 0; pp[pid] = f[2] + 0; t[pid] = f[12] + f[13] + f[14] + f[15] }
    END { s = 0; for (p in t) { q = p + 0; while (q > 1) { if (q == root) { s += t[p]; break } q = (q in pp) ? pp[q] : 0 } } print s }'
}
TCK=$(getconf CLK_TCK)
from=$(date -u -d "-$(( N * 17 / 1000 + 3600 )) seconds" +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%SZ)
body=$(cat <<EOF
{"from":"$from","to":"$to","merchant":"demo","max_charges":5000000,
 "rules":{"rules":[{"name":"usd-revio","when":{"currency":["USD"]},"strategy":"priority","providers":["revio","fatora"]},
                   {"name":"default","strategy":"priority","providers":["processout"]}],"failover":{"max_attempts":3}}}
EOF
)
rows=()
for r in $(seq 1 "$ROUNDS"); do
  r0=$(ticks "$RPID"); p0=$(ticks "$PG_PID")
  out=$(curl -sS --max-time 600 -o "$TMP/answer-$r.json" -w '%{http_code} %{time_total}' -X POST "$RTR/admin/routing/backtest" \
    -H 'Authorization: Bearer admin_test_demo' -H 'Content-Type: application/json' -d "$body") || die "backtest request failed"
  r1=$(ticks "$RPID"); p1=$(ticks "$PG_PID")
  read -r code wall <<<"$out"
  [[ $code == 200 ]] || { cat "$TMP/answer-$r.json" >&2; die "backtest answered $code"; }
  charges=$(sed -n 's/.*"charges":\([0-9]*\),"truncated".*/\1/p' "$TMP/answer-$r.json")
  changed=$(sed -n 's/.*"changed":\([0-9]*\).*/\1/p' "$TMP/answer-$r.json")
  ms=$(sed -n 's/.*"duration_ms":\([0-9]*\).*/\1/p' "$TMP/answer-$r.json")
  rows+=("$r $charges $changed $ms $wall $(( r1 - r0 )) $(( p1 - p0 ))")
  log "round $r: $charges charges replayed ($changed changed) in $ms ms (wall ${wall} s), router CPU $(awk -v t=$(( r1 - r0 )) -v k="$TCK" 'BEGIN { printf "%.1f", t / k }') s, PostgreSQL CPU $(awk -v t=$(( p1 - p0 )) -v k="$TCK" 'BEGIN { printf "%.1f", t / k }') s"
done
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med_ms=$(printf '%s\n' "${rows[@]}" | awk '{ print $4 }' | median)
mkdir -p "$here/results"
report=$here/results/backtest-$(date -u +%Y-%m-%d-%H%M).md
{
  echo "## Backtest benchmark $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "\`load-tests/backtest.sh ${orig[*]}\` — commit \`$(git -C "$root" rev-parse --short HEAD)\`, $(nproc) cores; $N charges seeded by seed.sh in ${seed_s} s;"
  echo "proposed rules send USD to revio (every charge changes). Median of $ROUNDS rounds: **$(( ${med_ms%.*} / 1000 )).$(( ${med_ms%.*} % 1000 / 100 )) s** for $N charges (target: 1 M in under 30 s)."
  echo
  echo "| round | charges | changed | duration_ms | wall s | router CPU s | PostgreSQL CPU s | charges/s |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
  for row in "${rows[@]}"; do
    awk -v k="$TCK" '{ printf "| %d | %d | %d | %d | %.2f | %.1f | %.1f | %.0f |\n", $1, $2, $3, $4, $5, $6 / k, $7 / k, ($4 > 0 ? $2 * 1000 / $4 : 0) }' <<<"$row"
  done
  echo
  echo "Answer of the last round (approval and fees):"
  echo
  echo '```json'
  python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(json.dumps({k: a[k] for k in ("charges","changed","before","after","transitions","approval","fees","duration_ms")}, indent=1)[:4000])' "$TMP/answer-$ROUNDS.json" 2>/dev/null || head -c 3000 "$TMP/answer-$ROUNDS.json"
  echo '```'
} > "$report"
cat "$report"
log "report written to ${report#"$root"/}"

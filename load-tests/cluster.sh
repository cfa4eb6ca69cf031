#!/usr/bin/env bash
# A fleet you can start and break, in one command (load-tests/README.md, "Cluster"):
#
#   load-tests/cluster.sh               # 3 routers in a Vert.x cluster (Hazelcast, TCP/IP join on loopback),
#                                       # production mode, behind HAProxy, on one external PostgreSQL, the PSP
#                                       # simulators standalone in the suite's JVM. The fleet chaos plan through
#                                       # the balancer (pauses past the lease, SIGKILL + restart, SIGTERM + restart,
#                                       # PostgreSQL restarts, merchants retrying failed charges, callbacks landing
#                                       # anywhere), plus shared changes made through r2 directly (not through the
#                                       # balancer): a routing change, paycore disabled then enabled, a merchant
#                                       # key revoked, each timed until every instance has it. Then every money
#                                       # check, the cluster's agreement, and the throughput phase: wrk through
#                                       # ONE instance vs ALL through HAProxy, interleaved, with CPU per charge.
#   load-tests/cluster.sh --ha          # the same on the Patroni tier of pg-ha.sh (restarts become a leader
#                                       # postmaster SIGKILL and a lost leader node, which then rejoins)
#   load-tests/cluster.sh --instances 2 # N instances (default 3)
#   load-tests/cluster.sh --short       # the fleet's short plan (no throughput phase unless --throughput)
#
# Exit 0 = no violation, 1 = violations, 2 = the run could not be carried out. Loopback only; bounded.
# Results: target/chaos-<ts>-fleet-cluster[-ha]/ (summary.txt, throughput.txt, wrk-*.txt, router logs).
# Knobs: THROUGHPUT_SECONDS (15), THROUGHPUT_ROUNDS (2), THROUGHPUT_CONNS (32); MVN_FLAGS="-o".
set -euo pipefail
cd "$(dirname "$0")/.."
command -v java >/dev/null || { echo "java not found (JDK 17 needed)" >&2; exit 2; }
command -v mvn >/dev/null || { echo "mvn not found" >&2; exit 2; }
short=0; ha=0; tp=1
for a in "$@"; do
  case "$a" in --short) short=1; tp=0 ;; --ha) ha=1 ;; esac
done
for a in "$@"; do [ "$a" = "--throughput" ] && tp=1; done
need=()
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
[ $tp = 1 ] && { command -v wrk >/dev/null 2>&1 || need+=(wrk); }
if [ $ha = 1 ]; then
  [ -x /usr/bin/patroni ] || need+=(patroni)
  [ -x /usr/bin/etcd ] || need+=(etcd-server)
  [ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql-15)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get install -y -q "${need[@]}" >/dev/null || { apt-get update -q >/dev/null && timeout 300 apt-get install -y -q "${need[@]}" >/dev/null; } \
    || { echo "could not install ${need[*]}" >&2; exit 2; }
  systemctl disable --now etcd patroni postgresql 2>/dev/null || service etcd stop 2>/dev/null || true
fi
mvn -q -B ${MVN_FLAGS:-} test-compile
mvn -q -B ${MVN_FLAGS:-} dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/chaos-classpath.txt >/dev/null
CP="target/test-classes:target/classes:$(cat target/chaos-classpath.txt)"
args=(--cluster "$@")
[ $tp = 1 ] && args+=(--throughput)
exec timeout -k 10 640 java -Xmx1g -cp "$CP" io.payrouter.chaos.ChaosRun "${args[@]}"

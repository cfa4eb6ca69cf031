#!/usr/bin/env bash
# A database tier that survives losing its primary, under load, in one command (load-tests/README.md,
# "PostgreSQL HA"):
#
#   load-tests/pg-ha.sh                # etcd (1 node) + 2 PostgreSQL 15 under Patroni (synchronous_mode)
#                                      # + HAProxy (TCP, to the leader by Patroni's GET /primary); 2 routers
#                                      # in production mode behind a second HAProxy, pointed at the first;
#                                      # 1,500 charges with the fleet's PSP faults; the leader's postmaster
#                                      # SIGKILLed (restarted in place), then the leader's whole node
#                                      # (standby promoted), then the lost node started again (it must
#                                      # rejoin as a replica). Then every money check against the PSP
#                                      # ledgers and the new primary.
#   load-tests/pg-ha.sh --instances 3  # the same with 3 routers
#
# Exit 0 = no violation, 1 = violations, 2 = the run could not be carried out.
# Loopback only; bounded (the run's own watchdog, then `timeout`). Results: target/chaos-<ts>-ha/
# (summary.txt, the Patroni/etcd/HAProxy configs and logs under ha/). MVN_FLAGS="-o" runs Maven offline.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v java >/dev/null || { echo "java not found (JDK 17 needed)" >&2; exit 2; }
command -v mvn >/dev/null || { echo "mvn not found" >&2; exit 2; }
need=()
[ -x /usr/bin/patroni ] || need+=(patroni)
[ -x /usr/bin/etcd ] || need+=(etcd-server)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql-15)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get install -y -q "${need[@]}" >/dev/null || { apt-get update -q >/dev/null && timeout 300 apt-get install -y -q "${need[@]}" >/dev/null; } \
    || { echo "could not install ${need[*]}" >&2; exit 2; }
  # the packages start their own services on the default ports; this script runs its own on free ports
  systemctl disable --now etcd patroni postgresql 2>/dev/null || service etcd stop 2>/dev/null || true
fi
mvn -q -B ${MVN_FLAGS:-} test-compile
mvn -q -B ${MVN_FLAGS:-} dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/chaos-classpath.txt >/dev/null
CP="target/test-classes:target/classes:$(cat target/chaos-classpath.txt)"
exec timeout -k 10 420 java -Xmx1g -cp "$CP" io.payrouter.chaos.ChaosRun --ha "$@"

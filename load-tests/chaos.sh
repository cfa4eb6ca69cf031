#!/usr/bin/env bash
# The money-safety chaos suite, full run, in one command (see load-tests/README.md, "Chaos suite"):
#
#   load-tests/chaos.sh            # >= 2,400 charges, 32 merchants, every PSP fault on, PostgreSQL
#                                  # restarted twice, the router SIGKILLed once, a PSP down 10 s;
#                                  # then every money check. Exit 0 = no violation, 1 = violations,
#                                  # 2 = the run could not be carried out.
#   load-tests/chaos.sh --short    # the CI variant (mvn -B verify runs it as ChaosSuiteTest)
#   load-tests/chaos.sh --fleet    # 3 routers in production mode (rehearsal setting, non-default
#                                  # simulator credentials) on ONE external PostgreSQL behind HAProxy:
#                                  # SIGSTOP past the lease, SIGKILL + restart, SIGTERM (drain) +
#                                  # restart, PostgreSQL restarts, merchants retrying failed charges;
#                                  # per-instance takeovers and fencing refusals. Needs haproxy.
#   load-tests/chaos.sh --fleet --short   # its CI variant (mvn -B verify runs it as FleetChaosTest)
#
# Loopback only. The run stops by itself (its own watchdog at 5 min; `timeout` is the last resort).
# Results: target/chaos-<timestamp>-<plan>/ (summary.txt, violations.txt, charges.jsonl, router logs,
# webhooks.csv and webhook-deliveries.csv: what the merchant's webhook receiver got, and the outbox).
# MVN_FLAGS="-o" runs Maven offline.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v java >/dev/null || { echo "java not found (JDK 17 needed)" >&2; exit 2; }
command -v mvn >/dev/null || { echo "mvn not found" >&2; exit 2; }
for a in "$@"; do
  if [ "$a" = "--fleet" ] && ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then
    echo "--fleet needs haproxy: apt-get install -y haproxy" >&2; exit 2
  fi
done
mvn -q -B ${MVN_FLAGS:-} test-compile
mvn -q -B ${MVN_FLAGS:-} dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/chaos-classpath.txt >/dev/null
CP="target/test-classes:target/classes:$(cat target/chaos-classpath.txt)"
exec timeout -k 10 320 java -Xmx1g -cp "$CP" io.payrouter.chaos.ChaosRun "$@"

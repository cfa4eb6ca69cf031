#!/usr/bin/env bash
# Runs the image Jib built (target/jib-image.tar) the way a container runtime would, without one:
# its layers unpacked in order into a root file system, /proc mounted, the image's Entrypoint, Env,
# WorkingDir and User (10001, not root) applied with chroot + setpriv, the host's loopback as its
# network. Against an external PostgreSQL 15 (Debian's, started here on a free port) and the PSP
# simulators standalone with this run's own credentials (production mode refuses the defaults):
# /health/ready must answer 200, a card is stored and charged, and the process must not be root.
#
#   src/container/smoke.sh [IMAGE.tar]    (after: mvn -B -Pcontainer -DskipTests package)
#
# Needs root (chroot, mount), Debian's postgresql-15, curl, python3. Loopback only; bounded.
set -euo pipefail
cd "$(dirname "$0")/../.."
image="${1:-target/jib-image.tar}"
[ -s "$image" ] || { echo "no $image: mvn -B -Pcontainer -DskipTests package first" >&2; exit 2; }
(( EUID == 0 )) || { echo "smoke.sh needs root (chroot, mount /proc)" >&2; exit 2; }
PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PGBIN/postgres" ] || { echo "needs Debian's postgresql-15 (apt-get install -y postgresql-15)" >&2; exit 2; }
[ -s target/payment-router.jar ] || { echo "needs target/payment-router.jar (the simulators run from it)" >&2; exit 2; }
work="$(mktemp -d /tmp/payrouter-smoke.XXXXXX)"
root="$work/rootfs"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [ -n "${pgdata:-}" ] && setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
  umount "$root/proc" 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== unpacking $image"
mkdir -p "$work/image" "$root"
tar -xf "$image" -C "$work/image"
python3 - "$work/image" "$root" "$work/run.env" <<'PY'
import json, os, sys, tarfile, shlex
img, root, envfile = sys.argv[1:4]
manifest = json.load(open(os.path.join(img, 'manifest.json')))[0]
config = json.load(open(os.path.join(img, manifest['Config'])))['config']
for layer in manifest['Layers']:
    with tarfile.open(os.path.join(img, layer)) as t:
        for m in t.getmembers():
            base = os.path.basename(m.name)
            if base.startswith('.wh.'):  # whiteout: a file the layer removes
                target = os.path.join(root, os.path.dirname(m.name), base[4:])
                os.system('rm -rf ' + shlex.quote(target))
                continue
            t.extract(m, root, numeric_owner=True)
with open(envfile, 'w') as f:
    f.write('ENTRYPOINT=%s\n' % shlex.quote(' '.join(shlex.quote(a) for a in config['Entrypoint'] + (config.get('Cmd') or []))))
    f.write('WORKDIR=%s\nIMAGE_USER=%s\n' % (shlex.quote(config.get('WorkingDir', '/')), shlex.quote(config.get('User', '0'))))
    f.write('IMAGE_ENV=%s\n' % shlex.quote(' '.join(shlex.quote(e) for e in config.get('Env', []))))
print('layers:', len(manifest['Layers']), 'user:', config.get('User'), 'workdir:', config.get('WorkingDir'))
PY
source "$work/run.env"
[ "$IMAGE_USER" != "0" ] && [ "$IMAGE_USER" != "root" ] || { echo "FAIL: the image runs as root" >&2; exit 1; }
mount -t proc proc "$root/proc"

echo "== external PostgreSQL 15"
pgdata="$work/pg"; pgport=$(free_port)
mkdir -p "$pgdata" && chown postgres:postgres "$pgdata" "$work"
setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/initdb" -D "$pgdata" -U postgres --auth=trust >/dev/null
setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/pg_ctl" -D "$pgdata" -l "$work/pg.log" \
  -o "-p $pgport -k $work -c listen_addresses=127.0.0.1" -w -t 30 start >/dev/null

echo "== simulators with this run's credentials"
rnd() { python3 -c 'import secrets; print(secrets.token_hex(12))'; }
declare -A C=([REVIO_SECRET_KEY]="revio_$(rnd)" [PAYCORE_ACCOUNT_ID]="paycore_$(rnd)" [PAYCORE_API_KEY]="pk_$(rnd)"
  [PAYCORE_CALLBACK_SECRET]="pcb_$(rnd)" [FATORA_API_KEY]="fatora_$(rnd)" [FATORA_WEBHOOK_SECRET]="fwh_$(rnd)"
  [DINTERO_CLIENT_ID]="dcid_$(rnd)" [DINTERO_CLIENT_SECRET]="dcs_$(rnd)" [DINTERO_SIGNATURE_SECRET]="dsig_$(rnd)"
  [PROCESSOUT_PROJECT_ID]="proj_$(rnd)" [PROCESSOUT_PROJECT_SECRET]="key_$(rnd)")
cat > "$work/sims.yaml" <<Y
revio: { secret_key: "${C[REVIO_SECRET_KEY]}", brand_id: "5c523a6d-cad0-462e-b9bb-79b16495f3b9" }
paycore: { account_id: "${C[PAYCORE_ACCOUNT_ID]}", api_key: "${C[PAYCORE_API_KEY]}", callback_secret: "${C[PAYCORE_CALLBACK_SECRET]}" }
fatora: { api_key: "${C[FATORA_API_KEY]}", webhook_secret: "${C[FATORA_WEBHOOK_SECRET]}" }
dintero: { account_id: "T11223344", client_id: "${C[DINTERO_CLIENT_ID]}", client_secret: "${C[DINTERO_CLIENT_SECRET]}", signature_secret: "${C[DINTERO_SIGNATURE_SECRET]}" }
processout: { project_id: "${C[PROCESSOUT_PROJECT_ID]}", project_secret: "${C[PROCESSOUT_PROJECT_SECRET]}" }
Y
simport=$(free_port)
java -Xmx256m -jar target/payment-router.jar simulators --port "$simport" --credentials "$work/sims.yaml" > "$work/sims.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$simport/_sim/fatora/faults" >/dev/null 2>&1 && break; sleep 0.2; done

echo "== the image's process: $ENTRYPOINT (user $IMAGE_USER, in $WORKDIR)"
port=$(free_port)
admin="admin_smoke_$(rnd)"; merchant="sk_smoke_$(rnd)"
envs=(); for k in "${!C[@]}"; do envs+=("$k=${C[$k]}"); done
uid="${IMAGE_USER%%:*}"; gid="${IMAGE_USER##*:}"
eval "imgenv=($IMAGE_ENV)"
env -i "${imgenv[@]}" "${envs[@]}" ROUTER_PORT="$port" SIMULATOR_URL="http://127.0.0.1:$simport" \
  ROUTER_DATABASE_URL="postgresql://postgres@127.0.0.1:$pgport/postgres" ROUTER_ADMIN_KEY="$admin" \
  ROUTER_DEMO_MERCHANT_KEY="$merchant" ROUTER_TOKEN_KEY="$(head -c32 /dev/urandom | base64)" \
  ROUTER_PUBLIC_URL="http://127.0.0.1:$port" ROUTER_HTTP_ALLOW_LOOPBACK_PUBLIC_URL=true PAYCORE_TEST_MODE=false \
  chroot --userspec="$uid:$gid" "$root" /bin/sh -c "cd $WORKDIR && exec $ENTRYPOINT" > "$work/router.log" 2>&1 &
pids+=($!)
ready=0
for _ in $(seq 1 150); do
  if curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.2
done
if [ $ready != 1 ]; then echo "FAIL: not ready within 30 s; its log:" >&2; tail -30 "$work/router.log" >&2; exit 1; fi
java_pid=$(pgrep -f "io.payrouter.Main" -n || true)
proc_uid=$(awk '/^Uid:/ {print $2}' "/proc/$java_pid/status" 2>/dev/null || echo "?")
echo "ready on :$port; its JVM (pid $java_pid) runs as uid $proc_uid; RSS $(awk '/^VmRSS:/ {print $2/1024 " MiB"}' "/proc/$java_pid/status" 2>/dev/null)"
[ "$proc_uid" = "$uid" ] || { echo "FAIL: the router runs as uid $proc_uid, not $uid" >&2; exit 1; }
curl -s "http://127.0.0.1:$port/health/ready"; echo
card=$(curl -s "http://127.0.0.1:$port/v1/cards" -H "Authorization: Bearer $merchant" -H 'Content-Type: application/json' \
  -d "{\"customer_reference\":\"smoke\",\"brand\":\"visa\",\"last4\":\"4242\",\"exp_month\":12,\"exp_year\":2030,\"issuer_country\":\"US\",\"tokens\":{\"fatora\":{\"card_token\":\"tok_smoke_fatora\"}}}")
card_id=$(echo "$card" | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])') || { echo "FAIL: card: $card" >&2; exit 1; }
charge=$(curl -s -w ' HTTP %{http_code}' "http://127.0.0.1:$port/v1/charges" -H "Authorization: Bearer $merchant" \
  -H "Idempotency-Key: smoke-$(rnd)" -H 'Content-Type: application/json' -d "{\"amount\":1999,\"currency\":\"USD\",\"card_id\":\"$card_id\"}")
echo "charge: $charge" | cut -c1-300
case "$charge" in *'"status":"succeeded"'*'HTTP 201') echo "PASS: the image ran as uid $uid against an external PostgreSQL and charged a card";;
  *) echo "FAIL: the charge did not succeed; router log:" >&2; tail -20 "$work/router.log" >&2; exit 1;; esac

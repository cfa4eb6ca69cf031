#!/usr/bin/env bash
# The container image's base, built here without a registry or a Docker daemon: Debian bookworm
# (minbase) with Debian's openjdk-17-jre-headless and ca-certificates, from Debian's own mirror by
# debootstrap, and a non-root user `payrouter` (uid/gid 10001). Written as a `docker save` tarball,
# which Jib takes as its base with `tar://` (the `container` Maven profile does, see README
# "Container image"). Where a registry is reachable, any JRE 17 image can be used instead:
# mvn -Pcontainer package -Djib.from.image=eclipse-temurin:17-jre
#
#   src/container/base-image.sh [OUT.tar]     (default target/base-image/payrouter-base.tar)
#
# Needs root (debootstrap, chroot). Takes 2-5 minutes the first time; reused while OUT exists.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-target/base-image/payrouter-base.tar}"
if [ -s "$out" ]; then echo "base image: $out (reused; delete it to rebuild)"; exit 0; fi
(( EUID == 0 )) || { echo "base-image.sh needs root (debootstrap, chroot)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed to write the image tarball" >&2; exit 2; }
if ! command -v debootstrap >/dev/null; then
  echo "installing debootstrap (Debian package)" >&2
  DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q debootstrap >/dev/null
fi
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="$(mktemp -d "${TMPDIR:-/tmp}/payrouter-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
echo "debootstrap bookworm (minbase + openjdk-17-jre-headless) from $mirror" >&2
timeout 1200 debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
  bookworm "$root" "$mirror" > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
# the non-root user the image runs as; no apt lists, caches or docs in the image
echo 'payrouter:x:10001:10001:payment router:/home/payrouter:/usr/sbin/nologin' >> "$root/etc/passwd"
echo 'payrouter:x:10001:' >> "$root/etc/group"
mkdir -p "$root/home/payrouter" && chown 10001:10001 "$root/home/payrouter"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
  "$root"/var/log/*.log "$root"/tmp/* 2>/dev/null || true
[ -x "$root/usr/bin/java" ] || { echo "no /usr/bin/java in the base" >&2; exit 1; }
# (java runs only with /proc mounted, as in any container runtime: not tried here)
mkdir -p "$(dirname "$out")"
tar --numeric-owner --xattrs -C "$root" -cf "$work/layer.tar" .
python3 - "$work/layer.tar" "$out" <<'PY'
import hashlib, json, os, sys, tarfile, datetime
layer, out = sys.argv[1], sys.argv[2]
h = hashlib.sha256()
with open(layer, 'rb') as f:
    for chunk in iter(lambda: f.read(1 << 20), b''):
        h.update(chunk)
diff_id = 'sha256:' + h.hexdigest()
created = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
config = {
    'architecture': 'amd64', 'os': 'linux', 'created': created,
    'config': {'Env': ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
                       'JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64', 'LANG=C.UTF-8']},
    'rootfs': {'type': 'layers', 'diff_ids': [diff_id]},
    'history': [{'created': created, 'created_by': 'src/container/base-image.sh: debootstrap bookworm minbase + openjdk-17-jre-headless'}],
}
cfg = json.dumps(config, separators=(',', ':')).encode()
cfg_name = hashlib.sha256(cfg).hexdigest() + '.json'
manifest = json.dumps([{'Config': cfg_name, 'RepoTags': ['payrouter-base:bookworm-jre17'], 'Layers': ['layer.tar']}]).encode()
tmp = out + '.part'
with tarfile.open(tmp, 'w') as t:
    for name, data in ((cfg_name, cfg), ('manifest.json', manifest)):
        import io
        info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 0
        t.addfile(info, io.BytesIO(data))
    t.add(layer, arcname='layer.tar')
os.replace(tmp, out)
print(f'base image: {out} ({os.path.getsize(out) // (1 << 20)} MiB, layer {diff_id[:19]})')
PY

#!/bin/bash
# bench/pull.sh - pull the same images from a local registry with hull, with
# skopeo copy + umoci unpack, and with podman pull, in one run; and the floors:
# gzip -dc | tar -x and the fastest decompressor (igzip; zstd for the zstd
# variant) | tar -x of the same blobs.  Store on tmpfs and on disk.  Prints
# times (median of $RUNS) and ratios; asserts nothing.
#
#   sudo bench/pull.sh                 # all images, tmpfs and disk
#   IMAGES="debian" WHERE=tmpfs RUNS=5 sudo bench/pull.sh
#
# Every method writes into a fresh directory of the same filesystem and ends
# with `sync -f` on it, so that on disk all pay for their writes alike (hull
# syncs each layer before it records it).  The images: debian (debootstrap
# minbase in 4 layers, gzip -6; cached in $HULL_TEST_CACHE), debian-zstd
# (the same layers, zstd -3), busybox (1 layer), many (20000 small files).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${HULL_BUILD:-$SRC/build}
HULL=${HULL:-$BUILD/cmd/hull/hull}
RUNS=${RUNS:-3}
IMAGES=${IMAGES:-"debian debian-zstd busybox many"}
WHERE=${WHERE:-"tmpfs disk"}
TMPFS_DIR=${TMPFS_DIR:-/dev/shm}
DISK_DIR=${DISK_DIR:-/var/tmp}

[ -x "$HULL" ] || { echo "bench/pull.sh: no hull at $HULL (build first)" >&2; exit 1; }
for t in skopeo umoci podman docker-registry igzip zstd jq; do
  command -v $t >/dev/null || { echo "bench/pull.sh: needs $t" >&2; exit 1; }
done

export IMG_TMP
IMG_TMP=$(mktemp -d /var/tmp/hull-bench.XXXXXX)
REG_PID=
cleanup() {
  set +e
  if [ -n "$REG_PID" ]; then
    kill "$REG_PID" 2>/dev/null
    wait "$REG_PID" 2>/dev/null
  fi
  for d in "$TMPFS_DIR"/hull-bench-run.* "$DISK_DIR"/hull-bench-run.*; do
    [ -d "$d" ] || continue
    awk -v t="$d" '$5 ~ "^"t {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
    rm -rf "$d"
  done
  rm -rf "$IMG_TMP"
}
trap cleanup EXIT
# shellcheck source=../tests/lib/images.bash
source "$SRC/tests/lib/images.bash"

# ---- a registry of our own
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT
mkdir -p "$IMG_TMP/registry"
cat >"$IMG_TMP/registry.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $IMG_TMP/registry}, delete: {enabled: true}}
http: {addr: $REG}
YML
docker-registry serve "$IMG_TMP/registry.yml" >"$IMG_TMP/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

# ---- images
echo "# building images..." >&2
L=$IMG_TMP/layers
mkdir -p "$L"
for img in $IMAGES; do
  case $img in
    debian) make_debian_layers "$L"; mkimage image "$IMG_TMP/oci" debian "$L"/{1,2,3,4}.tar ;;
    debian-zstd)
      [ -f "$L/1.tar" ] || make_debian_layers "$L"
      mkimage image "$IMG_TMP/oci" debian-zstd --compress zstd "$L"/{1,2,3,4}.tar ;;
    busybox) make_busybox_layer "$L/bb.tar"; mkimage image "$IMG_TMP/oci" busybox "$L/bb.tar" ;;
    many) make_many_files_layer "$L/many.tar" 20000; mkimage image "$IMG_TMP/oci" many "$L/many.tar" ;;
  esac
  skopeo copy -q --dest-tls-verify=false "oci:$IMG_TMP/oci:$img" "docker://$REG/bench/$img:1"
done
rm -rf "$L"

# blob files of an image (in the OCI layout), bottom first
blobs() {
  local m
  m=$(jq -r --arg t "$1" '.manifests[] | select(.annotations."org.opencontainers.image.ref.name" == $t) | .digest' "$IMG_TMP/oci/index.json")
  jq -r '.layers[].digest' "$IMG_TMP/oci/blobs/sha256/${m#sha256:}" | sed "s|^sha256:|$IMG_TMP/oci/blobs/sha256/|"
}

now() { date +%s.%N; }
div() {
  case "$1$2" in *n/a*) echo n/a ;; *) awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", (b > 0 ? a / b : 0)}' ;; esac
}
# run_method NAME BASE CMD...: median wall time of RUNS runs; each in a
# fresh $DEST under BASE; prints seconds
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() {
  local base=$1 fn=$2 img=$3 i t0 t1 times=()
  for i in $(seq "$RUNS"); do
    DEST=$(mktemp -d "$base/hull-bench-run.XXXXXX")
    sync -f "$DEST"
    t0=$(now)
    "$fn" "$img" >/dev/null 2>&1 || { echo "FAILED: $fn $img" >&2; echo 0; rm -rf "$DEST"; return; }
    sync -f "$DEST"
    t1=$(now)
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
    awk -v t="$DEST" '$5 ~ "^"t {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
    if [ "$fn" = m_podman ]; then
      podman --root "$DEST/storage" --runroot "$DEST/run" rmi -af >/dev/null 2>&1 || true
    fi
    rm -rf "$DEST"
  done
  printf '%s\n' "${times[@]}" | median
}

m_hull() { "$HULL" --root "$DEST/root" --runroot "$DEST/run" pull -q "$REG/bench/$1:1"; }
m_skopeo_umoci() {
  skopeo copy -q --src-tls-verify=false "docker://$REG/bench/$1:1" "oci:$DEST/oci:x" &&
    umoci unpack --image "$DEST/oci:x" "$DEST/bundle"
}
m_podman() {
  podman --root "$DEST/storage" --runroot "$DEST/run" --storage-driver overlay \
    pull -q --tls-verify=false "$REG/bench/$1:1"
}
m_gzip_tar() { local b; mkdir "$DEST/x"; for b in $(blobs "$1"); do gzip -dc "$b" | tar -C "$DEST/x" -xf -; done; }
m_fast_tar() {
  local b dec=igzip
  [[ $1 == *zstd* ]] && dec=zstd
  mkdir "$DEST/x"
  for b in $(blobs "$1"); do $dec -dc "$b" | tar -C "$DEST/x" -xf -; done
}

printf '%-7s %-12s %8s %8s %8s %8s %8s   %6s %6s %6s\n' where image hull sko+umo podman gz+tar \
  fast+tar umo/h h/fast h/gz
for where in $WHERE; do
  base=$TMPFS_DIR
  [ "$where" = disk ] && base=$DISK_DIR
  for img in $IMAGES; do
    h=$(measure "$base" m_hull "$img")
    p=$(measure "$base" m_podman "$img")
    f=$(measure "$base" m_fast_tar "$img")
    if [[ $img == *zstd* ]]; then
      # umoci and gzip cannot read zstd layers
      s=n/a g=n/a fastest=$f
    else
      s=$(measure "$base" m_skopeo_umoci "$img")
      g=$(measure "$base" m_gzip_tar "$img")
      fastest=$(printf '%s\n%s\n' "$g" "$f" | sort -n | head -1)
    fi
    printf '%-7s %-12s %8s %8s %8s %8s %8s   %6s %6s %6s\n' "$where" "$img" \
      "$h" "$s" "$p" "$g" "$f" "$(div "$s" "$h")" "$(div "$h" "$fastest")" "$(div "$h" "$g")"
  done
done
echo "# load: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on this machine skew the times)"

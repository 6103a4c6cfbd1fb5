#!/bin/bash
# bench/trust.sh - the cost of content trust: `hull pull` of a signed image
# with a sigstoreSigned policy (legacy .sig and bundle signatures) against
# the same pull with insecureAcceptAnything, from a local registry, into a
# fresh store on tmpfs each run (medians of interleaved runs).  Prints the medians and
# the ratios; asserts nothing.  Target (issue 13): at most 1.1x.
#
#   sudo bench/trust.sh                  # busybox (1 layer)
#   IMAGES="busybox debian" RUNS=30 sudo bench/trust.sh   # debian: 4 layers
#
# The signed pull costs: the .sig manifest and the payload blob (legacy),
# or the referrers lookup, the sha256-<hex> index, the artifact manifest and
# the bundle blob (bundle), and one ECDSA P-256 verification.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${HULL_BUILD:-$SRC/build}
HULL=${HULL:-$BUILD/cmd/hull/hull}
RUNS=${RUNS:-20}
TMPFS_DIR=${TMPFS_DIR:-/dev/shm}
[ -x "$HULL" ] || { echo "bench/trust.sh: no hull at $HULL (build first)" >&2; exit 1; }
for t in skopeo docker-registry openssl; do
  command -v $t >/dev/null || { echo "bench/trust.sh: needs $t" >&2; exit 1; }
done
HULL_TEST_CACHE=${HULL_TEST_CACHE:-/var/tmp/hull-test-cache}
IMAGES=${IMAGES:-busybox}

export IMG_TMP
IMG_TMP=$(mktemp -d "$TMPFS_DIR/hull-bench-trust.XXXXXX")
REG_PID=
cleanup() {
  set +e
  [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null && wait "$REG_PID" 2>/dev/null
  awk -v t="$IMG_TMP" '$5 ~ "^"t {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
  rm -rf "$IMG_TMP"
}
trap cleanup EXIT
# shellcheck source=../tests/lib/images.bash
source "$SRC/tests/lib/images.bash"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT
mkdir -p "$IMG_TMP/registry"
cat >"$IMG_TMP/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $IMG_TMP/registry}}
http: {addr: $REG}
YML
docker-registry serve "$IMG_TMP/registry.yml" >"$IMG_TMP/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

echo "# building and signing images..." >&2
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$IMG_TMP/k.pem" 2>/dev/null
openssl pkey -in "$IMG_TMP/k.pem" -pubout -out "$IMG_TMP/k.pub"
L=$IMG_TMP/layers
mkdir -p "$L"
for img in $IMAGES; do
  case $img in
    busybox) make_busybox_layer "$L/bb.tar"; mkimage image "$IMG_TMP/oci" busybox "$L/bb.tar" ;;
    debian) make_debian_layers "$L"; mkimage image "$IMG_TMP/oci" debian "$L"/{1,2,3,4}.tar ;;
  esac
  skopeo copy -q --dest-tls-verify=false "oci:$IMG_TMP/oci:$img" "docker://$REG/legacy/$img:1"
  skopeo copy -q --dest-tls-verify=false "oci:$IMG_TMP/oci:$img" "docker://$REG/bundle/$img:1"
  "$HULL" sign --key "$IMG_TMP/k.pem" "$REG/legacy/$img:1" >/dev/null
  "$HULL" sign --key "$IMG_TMP/k.pem" --format bundle "$REG/bundle/$img:1" >/dev/null
done
rm -rf "$L"
printf '{"default":[{"type":"insecureAcceptAnything"}]}' >"$IMG_TMP/none.json"
printf '{"default":[{"type":"reject"}],"transports":{"docker":{"%s":[{"type":"sigstoreSigned","keyPath":"%s"}]}}}' \
  "$REG" "$IMG_TMP/k.pub" >"$IMG_TMP/signed.json"

# Interleaved (unverified, legacy, bundle, unverified, ...): on a shared
# machine a load change then hits the three alike, which hyperfine's
# one-command-after-the-other runs do not ensure.
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
pull_ms() { # POLICY REF: one pull into a fresh store, in ms
  local S=$IMG_TMP/store t0 t1
  rm -rf "$S"
  t0=$(now)
  "$HULL" --root "$S/root" --runroot "$S/run" pull -q --signature-policy "$1" "$2" \
    >/dev/null 2>"$IMG_TMP/err" || { cat "$IMG_TMP/err" >&2; exit 1; }
  t1=$(now)
  echo $(((t1 - t0) / 1000))
}
printf '%-10s %12s %12s %12s %8s %8s\n' image unverified legacy bundle legacy/ bundle/
for img in $IMAGES; do
  : >"$IMG_TMP/u"; : >"$IMG_TMP/l"; : >"$IMG_TMP/b"
  for i in $(seq 3); do pull_ms "$IMG_TMP/signed.json" "$REG/legacy/$img:1" >/dev/null; done
  for i in $(seq "$RUNS"); do
    pull_ms "$IMG_TMP/none.json" "$REG/legacy/$img:1" >>"$IMG_TMP/u"
    pull_ms "$IMG_TMP/signed.json" "$REG/legacy/$img:1" >>"$IMG_TMP/l"
    pull_ms "$IMG_TMP/signed.json" "$REG/bundle/$img:1" >>"$IMG_TMP/b"
  done
  u=$(median <"$IMG_TMP/u") l=$(median <"$IMG_TMP/l") b=$(median <"$IMG_TMP/b")
  awk -v i="$img" -v u="$u" -v l="$l" -v b="$b" \
    'BEGIN {printf "%-10s %10.1fms %10.1fms %10.1fms %7.2fx %7.2fx\n", i, u/1000, l/1000, b/1000, l/u, b/u}'
done

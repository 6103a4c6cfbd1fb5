#!/bin/bash
# bench/cri.sh - time what kubelet asks of a node to start a pod: CRI
# RunPodSandbox + CreateContainer + StartContainer of a busybox `sleep`
# container, through containerd 1.6's CRI plugin with hullrt, crun and runc
# as the RuntimeClass handler (containerd's runc.v2 shim, BinaryName = the
# runtime), side by side; prints the medians and hullrt's ratios. The pods
# are stopped and removed after each run, untimed. A benchmark, not a test:
# it asserts nothing. Root.
#
#   bench/cri.sh [-n RUNS] [HANDLER...]        (handlers: hull crun runc)
#
# The setup is the cri-*.bats suites' (tests/lib/cri.bash): a private
# containerd, registry and CNI bridge inside a network namespace of its own,
# all removed at the end. hullrt is built optimised and stripped into
# build-release/ as the anchors ship (bench/runtime.sh does the same), unless
# RUNTIME names a binary. Target: hull <= 0.8x crun.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNS=20
HANDLERS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) RUNS=${2:?}; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) HANDLERS+=("$1") ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "bench/cri.sh: run as root" >&2; exit 1; }
[ ${#HANDLERS[@]} -gt 0 ] || HANDLERS=(hull crun runc)

REL=$(mktemp -d /tmp/hull-bench-cri.XXXXXX)
trap 'rm -rf "$REL"' EXIT
if [ -z "${RUNTIME:-}" ]; then
  ( cd "$SRC" &&
    { [ -f build-release/build.ninja ] || meson setup build-release --buildtype=release -Db_lto=true >/dev/null; } &&
    ninja -C build-release cmd/hullrt/hullrt >/dev/null ) || exit 1
  strip -o "$REL/hullrt" "$SRC/build-release/cmd/hullrt/hullrt"
  export RUNTIME=$REL/hullrt
fi

# tests/lib/cri.bash outside bats: its `load`, `skip` and fd 3
export HULL_SRC=$SRC HULL_BUILD=${HULL_BUILD:-$SRC/build}
export BATS_TEST_DIRNAME=$SRC/tests/integration
load() { source "$BATS_TEST_DIRNAME/$1.bash"; }
skip() { echo "bench/cri.sh: $*" >&2; exit 1; }
exec 3>&2
load ../lib/cri
[ -x "$HULL_BUILD/tests/pause/pause" ] || ninja -C "$HULL_BUILD" tests/pause/pause >/dev/null
trap 'cri_teardown; rm -rf "$REL"' EXIT
cri_setup || { echo "bench/cri.sh: setup failed" >&2; exit 1; }

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
declare -A MED ALL
# interleaved rounds, so that a change in the machine's load hits every
# handler alike
ROUNDS=4
PER=$(( (RUNS + ROUNDS - 1) / ROUNDS ))
for r in $(seq 1 $ROUNDS); do
  for h in "${HANDLERS[@]}"; do
    out=$(in_ns "${CRI_PY[@]}" --socket "$CL_DIR/c.sock" --gen "$CL_DIR/cri-py" bench -n "$PER" \
      --warmup $((r == 1 ? 2 : 0)) --handler "$h" --image "$CRI_BUSYBOX" --logdir "$CL_DIR/logs" --record "$CL_DIR/pods") ||
      { echo "bench: $h failed" >&2; continue; }
    ALL[$h]+="$out"$'\n'
  done
done
for h in "${HANDLERS[@]}"; do
  [ -n "${ALL[$h]:-}" ] || continue
  out=$(grep . <<<"${ALL[$h]}")
  MED[$h]=$(median <<<"$out")
  printf '%-6s median %6.1f ms  min %6.1f ms  (%s runs)\n' "$h" \
    "$(awk -v m="${MED[$h]}" 'BEGIN {print m * 1000}')" \
    "$(sort -n <<<"$out" | head -1 | awk '{print $1 * 1000}')" "$(wc -l <<<"$out")"
done
for a in crun runc; do
  [ -n "${MED[hull]:-}" ] && [ -n "${MED[$a]:-}" ] &&
    awk -v h="${MED[hull]}" -v x="${MED[$a]}" -v a=$a 'BEGIN {printf "hull/%s: %.2fx\n", a, h / x}'
done
exit 0

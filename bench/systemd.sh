#!/bin/bash
# bench/systemd.sh - time a system container's boot: from `run -d IMAGE
# /sbin/init` until `systemctl is-system-running` inside says running (or
# degraded), for hull and podman side by side, then `stop`. Prints the
# medians of boot and stop and hull's ratio. The image is the
# system-containers suite's (tests/lib/mksystemd-rootfs.sh, cached in
# $HULL_TEST_CACHE). A benchmark, not a test: it asserts nothing. Root.
#
#   bench/systemd.sh [-n RUNS] [hull] [podman]
#
# Private state for both (hull --root/--runroot, podman --root/--runroot in
# a temp dir), each in a network namespace of its own, all removed at the end.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNS=5
ENGINES=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) RUNS=${2:?}; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) ENGINES+=("$1") ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "bench/systemd.sh: run as root" >&2; exit 1; }
[ ${#ENGINES[@]} -gt 0 ] || ENGINES=(hull podman)
HULL=${HULL:-$SRC/build/cmd/hull/hull}
CACHE=${HULL_TEST_CACHE:-/var/tmp/hull-test-cache}
"$SRC/tests/lib/mksystemd-rootfs.sh" "$CACHE/systemd" >/dev/null || exit 1

W=$(mktemp -d /tmp/hull-bench-sd.XXXXXX)
cleanup() {
  for c in $(e_hull ps -aq 2>/dev/null); do e_hull rm -f "$c" >/dev/null 2>&1; done
  e_podman rm -f -a -t 0 >/dev/null 2>&1
  awk -v d="$W" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
  rm -rf "$W"
}
trap cleanup EXIT
touch "$W/netns"
unshare --net="$W/netns" true && nsenter --net="$W/netns" ip link set lo up

e_hull() { nsenter --net="$W/netns" "$HULL" --root "$W/h/root" --runroot "$W/h/run" "$@"; }
e_podman() {
  nsenter --net="$W/netns" podman --root "$W/p/root" --runroot "$W/p/run" --tmpdir "$W/p/tmp" \
    --cgroup-manager cgroupfs --events-backend none "$@"
}

booted() { [[ $("e_$1" exec "$2" systemctl is-system-running 2>/dev/null) =~ ^(running|degraded)$ ]]; }
now() { date +%s%N; }
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

declare -A BOOT STOP
for e in "${ENGINES[@]}"; do
  case $e in
    hull) e_hull import "$CACHE/systemd/rootfs.tar" sd >/dev/null || continue; img=sd ;;
    podman) e_podman import "$CACHE/systemd/rootfs.tar" localhost/sd >/dev/null 2>&1 || continue; img=localhost/sd ;;
    *) echo "bench: unknown engine \`$e\`" >&2; continue ;;
  esac
  boots="" stops=""
  for i in $(seq 1 "$RUNS"); do
    t0=$(now)
    "e_$e" run -d --network none --name "sd$i" "$img" /sbin/init >/dev/null || { echo "bench: $e run failed" >&2; break; }
    until booted "$e" "sd$i"; do
      [ $(( ($(now) - t0) / 1000000000 )) -lt 60 ] || { echo "bench: $e sd$i did not boot in 60 s" >&2; break; }
      sleep 0.05
    done
    t1=$(now)
    "e_$e" stop -t 30 "sd$i" >/dev/null
    t2=$(now)
    "e_$e" rm -f "sd$i" >/dev/null 2>&1
    boots+="$(( (t1 - t0) / 1000000 ))"$'\n'
    stops+="$(( (t2 - t1) / 1000000 ))"$'\n'
  done
  BOOT[$e]=$(median <<<"${boots%$'\n'}")
  STOP[$e]=$(median <<<"${stops%$'\n'}")
  printf '%-7s boot to running: median %6s ms   stop: median %6s ms   (%s runs)\n' \
    "$e" "${BOOT[$e]}" "${STOP[$e]}" "$RUNS"
done
[ -n "${BOOT[hull]:-}" ] && [ -n "${BOOT[podman]:-}" ] &&
  awk -v h="${BOOT[hull]}" -v p="${BOOT[podman]}" 'BEGIN {printf "boot hull/podman: %.2fx\n", h / p}'
exit 0

#!/bin/bash
# bench/net.sh - container networking, side by side; asserts nothing.
#
#   sudo bench/net.sh                   # both parts
#   PARTS=throughput SECS=10 sudo bench/net.sh
#
# 1. throughput: TCP (iperf3 from Debian, 1 stream, $SECS s) between two
#    containers on hull's default bridge, against the same between two plain
#    network namespaces joined by one veth pair (the floor: no bridge, no
#    rules).  iperf3 runs inside each container's network namespace
#    (nsenter on the namespace hull made): the network path is the
#    containers' (veth, bridge, veth, nftables hooks), not a copy of it.
# 2. setup: what `-p 18080:80` adds to `run --rm IMAGE true` over
#    `--network none`, for hull and for podman (netavark, a private podman
#    root), median of $RUNS (hyperfine).
#
# Everything runs inside a network namespace made for the benchmark: the
# bridges, veths and rules of both engines never touch the host's.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${HULL_BUILD:-$SRC/build}
HULL_BIN=${HULL:-$BUILD/cmd/hull/hull}
PROBE=${PROBE:-$BUILD/tests/probe/probe}
RUNS=${RUNS:-10}
SECS=${SECS:-5}
PARTS=${PARTS:-"throughput setup"}

[ -x "$HULL_BIN" ] || { echo "bench/net.sh: no hull at $HULL_BIN (build first)" >&2; exit 1; }
for t in iperf3 hyperfine podman jq; do
  command -v $t >/dev/null || { echo "bench/net.sh: needs $t" >&2; exit 1; }
done

export HULL_BUILD=$BUILD PROBE
# shellcheck source=../tests/lib/net.bash
source "$SRC/tests/lib/net.bash"
PODMAN_ROOT=""
cleanup() {
  set +e
  [ -n "$PODMAN_ROOT" ] && {
    innet podman --root "$PODMAN_ROOT/root" --runroot "$PODMAN_ROOT/run" rm -af >/dev/null 2>&1
    innet podman --root "$PODMAN_ROOT/root" --runroot "$PODMAN_ROOT/run" system reset -f >/dev/null 2>&1
    for m in $(awk -v t="$PODMAN_ROOT" '$5 ~ "^"t {print $5}' /proc/self/mountinfo | sort -r); do
      umount -l "$m"
    done
    rm -rf "$PODMAN_ROOT"
  }
  for n in hbench-a hbench-b; do [ -e "$NT/$n" ] && { umount "$NT/$n"; rm -f "$NT/$n"; }; done
  net_teardown_file
}
trap cleanup EXIT
net_setup_file

calc() { awk "BEGIN { print $1 }"; }
gbits() { jq '.end.sum_received.bits_per_second / 1e9' "$1"; }

if [[ " $PARTS " == *" throughput "* ]]; then
  echo "== TCP throughput, 1 stream, ${SECS}s (iperf3)"
  # the floor: two namespaces, one veth pair
  for n in hbench-a hbench-b; do touch "$NT/$n"; innet unshare --net="$NT/$n" true; done
  A="nsenter --net=$NT/hbench-a" B="nsenter --net=$NT/hbench-b"
  ip link add hbva netns "$NT/hbench-a" type veth peer name hbvb netns "$NT/hbench-b"
  $A ip addr add 192.168.250.1/30 dev hbva && $A ip link set hbva up && $A ip link set lo up
  $B ip addr add 192.168.250.2/30 dev hbvb && $B ip link set hbvb up && $B ip link set lo up
  $B iperf3 -s -1 -D -B 192.168.250.2 >/dev/null
  sleep 0.3
  $A iperf3 -c 192.168.250.2 -t "$SECS" -J >"$NT/veth.json"
  veth=$(gbits "$NT/veth.json")
  # two containers on hull's bridge
  sa=$(hull run -d bb:1 sleep 600)
  sb=$(hull run -d bb:1 sleep 600)
  ipb=$(hull exec "$sb" ip -o -4 addr show eth0 | awk '{print $4}' | cut -d/ -f1)
  nsenter --net="$NT/run/netns/$sb" iperf3 -s -1 -D -B "$ipb" >/dev/null
  sleep 0.3
  nsenter --net="$NT/run/netns/$sa" iperf3 -c "$ipb" -t "$SECS" -J >"$NT/hull.json"
  br=$(gbits "$NT/hull.json")
  hull rm -f "$sa" "$sb" >/dev/null
  printf '  veth pair between two namespaces   %8.2f Gbit/s\n' "$veth"
  printf '  hull bridge, container->container  %8.2f Gbit/s   (%.2fx the veth pair)\n' "$br" \
    "$(calc "$br / $veth")"
fi

if [[ " $PARTS " == *" setup "* ]]; then
  echo "== what -p adds to run --rm IMAGE true (median of $RUNS)"
  PODMAN_ROOT=$(mktemp -d /var/tmp/hull-bench-podman.XXXXXX)
  P="podman --root $PODMAN_ROOT/root --runroot $PODMAN_ROOT/run --cgroup-manager cgroupfs --events-backend none"
  innet $P load -i "$NT/img.tar" >/dev/null 2>&1
  H="$HULL_BIN --root $NT/root --runroot $NT/run"
  median() { jq '.results[0].median * 1000' "$1"; }
  hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$NT/h-none.json" \
    "nsenter --net=$NS $H run --rm --network none bb:1 true" >/dev/null
  hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$NT/h-p.json" \
    "nsenter --net=$NS $H run --rm -p 18080:80 bb:1 true" >/dev/null
  hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$NT/p-none.json" \
    "nsenter --net=$NS $P run --rm --network none localhost/bb:1 true" >/dev/null
  hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$NT/p-p.json" \
    "nsenter --net=$NS $P run --rm -p 18080:80 localhost/bb:1 true" >/dev/null
  hn=$(median "$NT/h-none.json") hp=$(median "$NT/h-p.json")
  pn=$(median "$NT/p-none.json") pp=$(median "$NT/p-p.json")
  hd=$(calc "$hp - $hn") pd=$(calc "$pp - $pn")
  printf '  hull   --network none %7.1f ms   -p %7.1f ms   added %6.1f ms\n' "$hn" "$hp" "$hd"
  printf '  podman --network none %7.1f ms   -p %7.1f ms   added %6.1f ms\n' "$pn" "$pp" "$pd"
  printf '  hull adds %.2fx what podman adds\n' "$(calc "$hd / $pd")"
fi

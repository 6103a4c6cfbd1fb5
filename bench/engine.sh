#!/bin/bash
# bench/engine.sh - the engine side by side with podman and crun (no
# assertions: numbers and ratios).
#
#   sudo bench/engine.sh [RUNS]          # default 30 runs per command
#
# 1. `hull run --rm --network none IMAGE true` against
#    `podman run --rm --network none IMAGE true` (a private podman root, the
#    same busybox-static rootfs imported into both) and `crun run` of a
#    bundle of that rootfs, with hyperfine in one run.  Targets: hull at most
#    0.15x podman's mean, at most 2.5x crun's.
# 2. Memory of the per-container monitor with 50 idle containers: the PSS
#    (proportional set size, smem-style, from /proc/PID/smaps_rollup) of
#    every hull-monitor against every conmon of `podman run -d`.  Target:
#    hull's at most half of conmon's.
# hull is timed as users get it, like the anchors: an optimised, stripped
# build (build-release/, made here; HULL_BUILD=DIR to time another build's
# binaries as they are).  N: containers for the memory part (default 50).
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-30}
N=${N:-50}
for t in hyperfine podman crun jq; do
  command -v "$t" >/dev/null || { echo "bench/engine.sh: $t is missing" >&2; exit 1; }
done

W=$(mktemp -d /tmp/hull-bench.XXXXXX)
# Run directories on a tmpfs for all three, as /run is on a normal host
# (hull's --runroot, podman's --runroot, crun's --root); stores on disk.
mkdir -p "$W/run" "$W/bin"
mount -t tmpfs -o mode=0755 hull-bench "$W/run"
if [ -n "${HULL_BUILD:-}" ]; then
  B=$HULL_BUILD
else
  B=build-release
  [ -f "$B/build.ninja" ] || meson setup "$B" --buildtype=release -Db_lto=true >/dev/null
  ninja -C "$B" cmd/hull/hull cmd/hull-monitor/hull-monitor cmd/hull-init/hull-init cmd/hull-cleanup/hull-cleanup >/dev/null ||
    { echo "bench/engine.sh: build failed" >&2; exit 1; }
fi
# hull finds hull-monitor and hull-init next to itself
for b in hull/hull hull-monitor/hull-monitor hull-init/hull-init hull-cleanup/hull-cleanup; do
  strip -o "$W/bin/${b#*/}" "$B/cmd/$b" 2>/dev/null || cp "$B/cmd/$b" "$W/bin/"
done
HULL=$W/bin/hull
echo "==> hull: $(du -k "$W/bin/hull" | cut -f1) kB, hull-monitor: $(du -k "$W/bin/hull-monitor" | cut -f1) kB, hull-init: $(du -k "$W/bin/hull-init" | cut -f1) kB"
H=("$HULL" --root "$W/hull" --runroot "$W/run/hull")
P=(podman --root "$W/podman" --runroot "$W/run/podman" --storage-driver overlay
   --cgroup-manager cgroupfs --events-backend file)
CR=(crun --root "$W/run/crun")
cleanup() {
  "${H[@]}" ps -aq 2>/dev/null | xargs -r "${H[@]}" rm -f >/dev/null 2>&1
  "${P[@]}" rm -af -t 0 >/dev/null 2>&1
  crun --root "$W/run/crun" delete -f bench-crun >/dev/null 2>&1
  "${P[@]}" system reset -f >/dev/null 2>&1
  awk -v d="$W" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf "$W"
}
trap cleanup EXIT

echo "==> preparing: a busybox-static rootfs, imported into hull and podman"
scripts/mkbundle.sh "$W/bundle" -- /bin/true >/dev/null
tar -C "$W/bundle/rootfs" -cf "$W/bb.tar" .
"${H[@]}" import "$W/bb.tar" bb >/dev/null
"${P[@]}" import "$W/bb.tar" localhost/bb:latest >/dev/null 2>&1
# no network namespace work in crun's run either (hull and podman: none)
jq '.process.terminal = false' "$W/bundle/config.json" >"$W/c.json" && mv "$W/c.json" "$W/bundle/config.json"
# warm everything once (and check that each works)
"${H[@]}" run --rm --network none bb true || { echo "hull run failed" >&2; exit 1; }
"${P[@]}" run --rm --network none localhost/bb true || { echo "podman run failed" >&2; exit 1; }
"${CR[@]}" run -b "$W/bundle" bench-crun || { echo "crun run failed" >&2; exit 1; }

echo "==> hull run vs podman run vs crun run ($RUNS runs each)"
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$W/run.json" \
  -n hull "$(printf '%q ' "${H[@]}") run --rm --network none bb true" \
  -n podman "$(printf '%q ' "${P[@]}") run --rm --network none localhost/bb true" \
  -n crun "$(printf '%q ' "${CR[@]}") run -b $W/bundle bench-crun" | grep -E '^(Benchmark|  Time)'
mean() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .mean' "$W/run.json"; }
median() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median' "$W/run.json"; }
hm=$(mean hull) pm=$(mean podman) cm=$(mean crun)
printf '  mean:   hull %.1f ms, podman %.1f ms, crun %.1f ms\n' \
  "$(echo "$hm * 1000" | bc -l)" "$(echo "$pm * 1000" | bc -l)" "$(echo "$cm * 1000" | bc -l)"
printf '  median: hull %.1f ms, podman %.1f ms, crun %.1f ms\n' \
  "$(echo "$(median hull) * 1000" | bc -l)" "$(echo "$(median podman) * 1000" | bc -l)" \
  "$(echo "$(median crun) * 1000" | bc -l)"
printf '  ratio hull/podman = %.3f (target <= 0.15)\n' "$(echo "$hm / $pm" | bc -l)"
printf '  ratio hull/crun   = %.2f (target <= 2.5)\n' "$(echo "$hm / $cm" | bc -l)"

# pss PID...: the sum of their PSS, kB
pss() {
  local p t=0 v
  for p in "$@"; do
    v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null)
    t=$((t + ${v:-0}))
  done
  echo "$t"
}

echo "==> monitor memory with $N idle containers each"
for i in $(seq 1 "$N"); do "${H[@]}" run -d --network none bb sleep 3600 >/dev/null; done
mons=()
for p in /proc/[0-9]*; do
  [ "$(cat "$p/comm" 2>/dev/null)" = hull-monitor ] || continue
  case "$(readlink "$p/cwd")" in "$W/run/hull"/*) mons+=("${p#/proc/}") ;; esac
done
hp=$(pss "${mons[@]}")
rss=$(for p in "${mons[@]}"; do awk '/^Rss:/ {print $2}' "/proc/$p/smaps_rollup"; done | awk '{s += $1} END {print s}')
echo "  hull-monitor: ${#mons[@]} processes, PSS total ${hp} kB, $((hp / ${#mons[@]})) kB each (RSS ${rss} kB total)"
"${H[@]}" ps -aq | xargs -r "${H[@]}" rm -f >/dev/null

for i in $(seq 1 "$N"); do "${P[@]}" run -d --network none localhost/bb sleep 3600 >/dev/null 2>&1; done
cons=()
for p in /proc/[0-9]*; do
  [ "$(cat "$p/comm" 2>/dev/null)" = conmon ] || continue
  tr '\0' ' ' <"$p/cmdline" | grep -q -- "$W/podman" && cons+=("${p#/proc/}")
done
cp_=$(pss "${cons[@]}")
rss=$(for p in "${cons[@]}"; do awk '/^Rss:/ {print $2}' "/proc/$p/smaps_rollup"; done | awk '{s += $1} END {print s}')
echo "  conmon:       ${#cons[@]} processes, PSS total ${cp_} kB, $((cp_ / ${#cons[@]})) kB each (RSS ${rss} kB total)"
printf '  ratio hull-monitor/conmon PSS = %.2f (target <= 0.5)\n' "$(echo "$hp / $cp_" | bc -l)"
"${P[@]}" rm -af -t 0 >/dev/null 2>&1

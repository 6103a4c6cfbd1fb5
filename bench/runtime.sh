#!/bin/bash
# bench/runtime.sh - time `RUNTIME run` of /bin/true in a busybox bundle for
# hullrt, crun and runc side by side, plus an `unshare` + `chroot` floor, and
# print the medians, the ratios hullrt/crun and hullrt/runc, binary sizes and
# peak RSS. A benchmark, not a test: it asserts nothing. Root.
#
#   bench/runtime.sh [-n RUNS] [--hullrt PATH] [RUNTIME...]
#
# Defaults: 100 runs; hullrt built optimised and stripped into build-release/
# (as the anchors ship); runtimes hullrt crun
# runc. Uses hyperfine when installed (else a date +%s%N loop), a fresh
# container id per run and a private --root. Target: hullrt <= 0.7x crun.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=100
HULLRT=
RTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) RUNS=${2:?}; shift ;;
    --hullrt) HULLRT=${2:?}; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) RTS+=("$1") ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "bench/runtime.sh: run as root" >&2; exit 1; }
[ ${#RTS[@]} -gt 0 ] || RTS=(hullrt crun runc)

W=$(mktemp -d /tmp/hull-bench.XXXXXX)
# (errexit holds in the trap too: a failing umount must not skip the rm)
trap 'umount -R "$W" 2>/dev/null || true; rm -rf "$W"' EXIT
scripts/mkbundle.sh "$W/b" -- /bin/true >/dev/null
# no rlimits (hullrt, crun and runc then all keep the caller's)
jq 'del(.process.rlimits)' "$W/b/config.json" >"$W/c" && mv "$W/c" "$W/b/config.json"

# hullrt as users get it, like the anchors: an optimised, stripped build
# (build-release/, made here unless --hullrt names a binary)
if [ -z "$HULLRT" ]; then
  [ -f build-release/build.ninja ] ||
    meson setup build-release --buildtype=release -Db_lto=true >/dev/null
  ninja -C build-release cmd/hullrt/hullrt >/dev/null
  strip -o "$W/hullrt" build-release/cmd/hullrt/hullrt
  HULLRT=$W/hullrt
fi

declare -A BIN
for r in "${RTS[@]}"; do
  case $r in
    hullrt) BIN[$r]=$(readlink -f "$HULLRT") ;;
    *) BIN[$r]=$(command -v "$r" || true) ;;
  esac
  [ -x "${BIN[$r]:-}" ] || { echo "bench: \`$r\` not found, skipped" >&2; unset "BIN[$r]"; }
done

# The command each runtime runs; $$ of the shell that hyperfine (or the loop)
# starts is a fresh container id each run.
cmd_for() {
  if [ "$1" = floor ]; then
    echo "unshare --mount --uts --ipc --net --pid --fork chroot $W/b/rootfs /bin/true"
  else
    echo "${BIN[$1]} --root $W/state-$1 run --bundle $W/b bench-\$\$"
  fi
}
NAMES=()
for r in "${RTS[@]}"; do [ -n "${BIN[$r]:-}" ] && NAMES+=("$r"); done
NAMES+=(floor)

# sanity: each must actually run
for n in "${NAMES[@]}"; do
  sh -c "$(cmd_for "$n")" || { echo "bench: \`$n\` failed to run /bin/true" >&2; exit 1; }
done

declare -A MED
if command -v hyperfine >/dev/null; then
  args=()
  for n in "${NAMES[@]}"; do args+=(-n "$n" "$(cmd_for "$n")"); done
  hyperfine -S sh --warmup 5 --runs "$RUNS" --export-json "$W/h.json" --style basic "${args[@]}" >&2
  for n in "${NAMES[@]}"; do
    MED[$n]=$(jq -r --arg n "$n" '.results[] | select(.command == $n) | .median * 1000' "$W/h.json")
  done
else
  for n in "${NAMES[@]}"; do
    c=$(cmd_for "$n")
    for ((i = 0; i < RUNS; i++)); do
      t0=$(date +%s%N); sh -c "$c"; t1=$(date +%s%N)
      echo $(( (t1 - t0) / 1000 ))
    done | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.3f\n", m / 1000}' >"$W/med"
    MED[$n]=$(cat "$W/med")
  done
fi

echo
printf '%-8s %12s %12s %14s\n' runtime "median ms" "binary KiB" "peak RSS KiB"
for n in "${NAMES[@]}"; do
  size=- rss=-
  if [ "$n" != floor ]; then
    size=$(( $(stat -L -c %s "${BIN[$n]}") / 1024 ))
    if [ -x /usr/bin/time ]; then
      rss=$(/usr/bin/time -f %M sh -c "exec $(cmd_for "$n")" 2>&1 >/dev/null | tail -n 1)
    fi
  fi
  printf '%-8s %12.2f %12s %14s\n' "$n" "${MED[$n]}" "$size" "$rss"
done
if [ -n "${MED[hullrt]:-}" ]; then
  for o in crun runc floor; do
    [ -n "${MED[$o]:-}" ] || continue
    awk -v o="$o" -v a="${MED[hullrt]}" -v b="${MED[$o]}" 'BEGIN {printf "hullrt/%s: %.2f\n", o, a / b}'
  done
  [ -n "${MED[crun]:-}" ] && awk -v a="${MED[hullrt]}" -v b="${MED[crun]}" \
    'BEGIN {printf "target hullrt <= 0.7x crun: %s\n", (a <= 0.7 * b) ? "met" : "not met"}'
fi

#!/bin/bash
# bench/confinement.sh - time `RUNTIME run` of /bin/true in a busybox bundle
# confined as an engine would confine it: a memory + pids + cpu limit, the
# default device rules, Docker's default capabilities and the engine's
# default seccomp profile (data/seccomp/default.json resolved for those
# capabilities). hullrt, crun and runc get the same config.json, side by side
# in one hyperfine run; prints the medians and hullrt/crun. A benchmark, not a
# test: it asserts nothing. Root.
#
#   bench/confinement.sh [-n RUNS] [--hullrt PATH] [RUNTIME...]
#
# Defaults: 100 runs; hullrt and the profile resolver from $HULL_BUILD
# (build/); runtimes hullrt crun runc (one that refuses the config is left
# out, saying why). A fresh container id per run and a private --root per
# runtime. Target (issue 3): hullrt <= 0.8x crun.
#
# crun compiles the seccomp profile with libseccomp on every run; hullrt
# compiles it once and then loads it from its cache (<root>/~seccomp-cache,
# filled by hyperfine's warmup runs); runc compiles on every run too.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=100
B=${HULL_BUILD:-build}
HULLRT=$B/cmd/hullrt/hullrt
RESOLVE=$B/tests/unit/seccomp/seccomp-resolve
RTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) RUNS=${2:?}; shift ;;
    --hullrt) HULLRT=${2:?}; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) RTS+=("$1") ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "bench/confinement.sh: run as root" >&2; exit 1; }
[ ${#RTS[@]} -gt 0 ] || RTS=(hullrt crun runc)
[ -x "$RESOLVE" ] || { echo "bench: no \`$RESOLVE\` (build first: ninja -C $B)" >&2; exit 1; }

W=$(mktemp -d /tmp/hull-bench.XXXXXX)
# (errexit holds in the trap too: a failing umount must not skip the rm)
trap 'umount -R "$W" 2>/dev/null || true; rm -rf "$W"' EXIT
scripts/mkbundle.sh "$W/b" -- /bin/true >/dev/null

# Docker's default capability set, and the default profile resolved for it
CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"]'
"$RESOLVE" --caps docker >"$W/seccomp.json"
# no rlimits (every runtime then keeps the caller's); 256 MiB (no swap on
# top), 100 pids, half a core
jq --argjson caps "$CAPS" --slurpfile sc "$W/seccomp.json" '
  del(.process.rlimits)
  | .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
  | .linux.seccomp = $sc[0]
  | .linux.resources.memory = {limit: 268435456, swap: 268435456}
  | .linux.resources.pids = {limit: 100}
  | .linux.resources.cpu = {shares: 1024, quota: 50000, period: 100000}' \
  "$W/b/config.json" >"$W/c" && mv "$W/c" "$W/b/config.json"

declare -A BIN
for r in "${RTS[@]}"; do
  case $r in
    hullrt) BIN[$r]=$(readlink -f "$HULLRT") ;;
    *) BIN[$r]=$(command -v "$r" || true) ;;
  esac
  [ -x "${BIN[$r]:-}" ] || { echo "bench: \`$r\` not found, skipped" >&2; unset "BIN[$r]"; }
done

# $$ of the shell that hyperfine starts is a fresh container id each run
cmd_for() { echo "${BIN[$1]} --root $W/state-$1 run --bundle $W/b bench-\$\$"; }

# sanity: each must run /bin/true with this config, and the same config
# with another command must show a seccomp filter in force
mkdir "$W/check"
jq --arg r "$W/b/rootfs" '.root.path = $r | .process.args = ["/bin/grep", "-q", "^Seccomp:.*2", "/proc/self/status"]' \
  "$W/b/config.json" >"$W/check/config.json"
NAMES=()
for r in "${RTS[@]}"; do
  [ -n "${BIN[$r]:-}" ] || continue
  if ! err=$(sh -c "$(cmd_for "$r")" 2>&1); then
    echo "bench: \`$r\` refuses this config, left out: $(echo "$err" | tail -n 1)" >&2
  elif ! "${BIN[$r]}" --root "$W/state-$r" run --bundle "$W/check" "check-$$" >/dev/null 2>&1; then
    echo "bench: \`$r\` runs the container without a seccomp filter, left out" >&2
  else
    NAMES+=("$r")
  fi
done
[ ${#NAMES[@]} -gt 0 ] || { echo "bench: no runtime to measure" >&2; exit 1; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each" >&2
args=()
for n in "${NAMES[@]}"; do args+=(-n "$n" "$(cmd_for "$n")"); done
hyperfine -S sh --warmup 5 --runs "$RUNS" --export-json "$W/h.json" --style basic "${args[@]}" >&2

declare -A MED
echo
printf '%-8s %10s %10s %10s %10s %10s %10s\n' runtime "median ms" "mean ms" "stddev" "min ms" "user ms" "sys ms"
for n in "${NAMES[@]}"; do
  jq -r --arg n "$n" '.results[] | select(.command == $n)
    | [.command, .median * 1000, .mean * 1000, .stddev * 1000, .min * 1000, .user * 1000, .system * 1000]
    | @tsv' "$W/h.json" |
    awk -F'\t' '{printf "%-8s %10.2f %10.2f %10.2f %10.2f %10.2f %10.2f\n", $1, $2, $3, $4, $5, $6, $7}'
  MED[$n]=$(jq -r --arg n "$n" '.results[] | select(.command == $n) | .median * 1000' "$W/h.json")
done
if [ -n "${MED[hullrt]:-}" ]; then
  for o in crun runc; do
    [ -n "${MED[$o]:-}" ] || continue
    awk -v o="$o" -v a="${MED[hullrt]}" -v b="${MED[$o]}" 'BEGIN {printf "hullrt/%s: %.2f\n", o, a / b}'
  done
  [ -n "${MED[crun]:-}" ] && awk -v a="${MED[hullrt]}" -v b="${MED[crun]}" \
    'BEGIN {printf "target hullrt <= 0.8x crun: %s\n", (a <= 0.8 * b) ? "met" : "not met"}'
fi
exit 0

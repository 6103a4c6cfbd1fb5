#!/bin/bash
# bench/scan.sh - hull scan with a loaded advisory database: one Debian
# image (a debootstrap'd bookworm minbase, the test suites' cached rootfs),
# then `scan --all` of N containers made from 10 images (the base plus 9
# images committed on it, each rewriting the dpkg database, as package
# upgrades do), against `scan --all` of the images alone: the difference
# divided by N is the cost of one more container.  A benchmark, not a
# test: it asserts nothing.  Root.
#
#   bench/scan.sh [-n RUNS] [-c CONTAINERS]
#
# Defaults: 20 runs, 100 containers.  The advisory database is generated:
# the Debian tracker's JSON shape with three CVEs for every source package
# of the image (fixed above its version, fixed below it, open) and 20000
# other packages with two releases each, about 40000 records in all.
# Goals (issue 14): one image <= 100 ms; --all of 100 containers <= 2 s.
# BENCH_KEEP=1 keeps the work directory (its path is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=20
N=100
B=${HULL_BUILD:-build}
while [ $# -gt 0 ]; do
  case "$1" in
    -n) RUNS=${2:?}; shift ;;
    -c) N=${2:?}; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "bench/scan.sh: unknown argument \`$1\`" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "bench/scan.sh: run as root" >&2; exit 1; }
HULL_BIN=$(realpath "$B/cmd/hull/hull")
[ -x "$HULL_BIN" ] || { echo "bench: no \`$HULL_BIN\` (build first: ninja -C $B)" >&2; exit 1; }

W=$(mktemp -d /tmp/hull-bench-scan.XXXXXX)
H=("$HULL_BIN" --root "$W/root" --runroot "$W/run")
cleanup() {
  "${H[@]}" ps -aq 2>/dev/null | xargs -r "${H[@]}" rm -f >/dev/null 2>&1 || true
  awk -v d="$W" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$W"
}
# BENCH_KEEP=1: leave the store for a closer look (removing it is then yours)
[ -n "${BENCH_KEEP:-}" ] && echo "  work directory: $W" || trap cleanup EXIT

# the Debian rootfs of the image suites (debootstrap, cached)
IMG_TMP=$W
source tests/lib/images.bash
echo "==> preparing: a Debian minbase image, 9 more on it, $N containers"
tarball=$(debian_rootfs_tar) || { echo "bench: no Debian rootfs (debootstrap failed)" >&2; exit 1; }
"${H[@]}" import "$tarball" deb0 >/dev/null
for i in $(seq 1 9); do
  # each image rewrites var/lib/dpkg/status in a layer of its own
  "${H[@]}" run --name "mk$i" --network none deb0 sh -c \
    "sed -i 's/^Version: \(.*\)$/Version: \1+bench$i/' /var/lib/dpkg/status" >/dev/null
  "${H[@]}" commit "mk$i" "deb$i" >/dev/null
  "${H[@]}" rm "mk$i" >/dev/null
done
for i in $(seq 1 "$N"); do
  "${H[@]}" create --name "c$i" --network none "deb$((i % 10))" true >/dev/null
done

python3 - "$W/root" "$W/tracker.json" <<'PY'
import json, os, random, sys
root, out = sys.argv[1], sys.argv[2]
# the source packages of the base image, from its layer's dpkg status
srcs = {}
for d in os.listdir(os.path.join(root, "layers")):
    p = os.path.join(root, "layers", d, "var/lib/dpkg/status")
    if not os.path.exists(p):
        continue
    for st in open(p, errors="replace").read().split("\n\n"):
        f = dict(l.split(": ", 1) for l in st.splitlines() if ": " in l and not l.startswith(" "))
        if "Package" not in f:
            continue
        s = f.get("Source", f["Package"]).split(" ")[0]
        v = f.get("Source", "").split("(")[-1].rstrip(")") if "(" in f.get("Source", "") else f["Version"]
        srcs[s] = v
    break
doc, n = {}, 0
def cve():
    global n
    n += 1
    return "CVE-%d-%05d" % (2000 + n % 25, n)
for s, v in srcs.items():
    doc[s] = {
        cve(): {"description": "fixed above", "releases": {"bookworm": {"status": "resolved", "fixed_version": v + ".1", "urgency": "high"}}},
        cve(): {"description": "fixed below", "releases": {"bookworm": {"status": "resolved", "fixed_version": "0.0.1-1", "urgency": "low"}}},
        cve(): {"description": "open", "releases": {"bookworm": {"status": "open", "urgency": "medium"}}},
    }
random.seed(1)
for i in range(20000):
    doc["filler%05d" % i] = {cve(): {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.%d-1" % i, "urgency": "medium"}, "bullseye": {"status": "open", "urgency": "low"}}}}
json.dump(doc, open(out, "w"))
print("  advisories: %d source packages of the image, %d CVEs" % (len(srcs), n))
PY
t0=$(date +%s.%N)
"${H[@]}" scan db import "$W/tracker.json"
printf '  import: %.2f s\n' "$(echo "$(date +%s.%N) - $t0" | bc -l)"
"${H[@]}" scan deb0 | grep '^Total'

echo "==> one image ($RUNS runs)"
hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$W/one.json" \
  -n "scan deb0" "$(printf '%q ' "${H[@]}") scan deb0" \
  -n "sbom deb0" "$(printf '%q ' "${H[@]}") sbom deb0" | grep -E '^(Benchmark|  Time)'

echo "==> scan --all: 10 images + $N containers, and the 10 images alone"
hyperfine -N --warmup 1 --runs "$((RUNS / 2 > 3 ? RUNS / 2 : 3))" --export-json "$W/all.json" \
  -n "all" "$(printf '%q ' "${H[@]}") scan --all --format json" | grep -E '^(Benchmark|  Time)'
"${H[@]}" ps -aq | xargs -r "${H[@]}" rm -f >/dev/null
hyperfine -N --warmup 1 --runs "$((RUNS / 2 > 3 ? RUNS / 2 : 3))" --export-json "$W/images.json" \
  -n "images" "$(printf '%q ' "${H[@]}") scan --all --format json" | grep -E '^(Benchmark|  Time)'

med() { jq -r '.results[0].median' "$1"; }
# CPU time (user + system): what the wall-clock figures are made of on an
# idle machine; on a loaded one the wall clock also counts waiting for a core
cpu() { jq -r --arg n "${2:-}" '[.results[] | select($n == "" or .command == $n)][0] | .user + .system' "$1"; }
one=$(jq -r '.results[] | select(.command == "scan deb0") | .median' "$W/one.json")
all=$(med "$W/all.json")
img=$(med "$W/images.json")
printf '  one image:                  %.1f ms (goal <= 100 ms)\n' "$(echo "$one * 1000" | bc -l)"
printf '  --all, %d containers:       %.1f ms (goal <= 2000 ms)\n' "$N" "$(echo "$all * 1000" | bc -l)"
printf '  --all, images only:         %.1f ms\n' "$(echo "$img * 1000" | bc -l)"
printf '  per extra container:        %.2f ms\n' "$(echo "($all - $img) * 1000 / $N" | bc -l)"
printf '  CPU (user+system): one image %.1f ms, --all %.1f ms, images only %.1f ms, %.2f ms per extra container\n' \
  "$(echo "$(cpu "$W/one.json" "scan deb0") * 1000" | bc -l)" "$(echo "$(cpu "$W/all.json") * 1000" | bc -l)" \
  "$(echo "$(cpu "$W/images.json") * 1000" | bc -l)" \
  "$(echo "($(cpu "$W/all.json") - $(cpu "$W/images.json")) * 1000 / $N" | bc -l)"
printf '  load average during the run: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

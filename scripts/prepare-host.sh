#!/bin/bash
# prepare-host.sh - make this host usable by the runtimes and clients the
# tests drive (crun, runc, podman+conmon, containerd). Root, idempotent.
#
# 1. Hybrid cgroups (v1 controllers + cgroup2 on /sys/fs/cgroup/unified):
#    crun 1.8 refuses to run while cgroup2 still owns a controller, so every
#    controller listed in unified/cgroup.controllers gets its own v1 hierarchy.
# 2. podman: when the bounding set lacks CAP_SYS_RESOURCE no runtime can raise
#    an rlimit above the inherited hard limit, but podman asks for 1048576
#    (nofile, nproc) by default; a containers.conf drop-in pins
#    default_ulimits to what this host allows. Without systemd as PID 1,
#    cgroup_manager=cgroupfs and events_logger=file.
#    The tests use a hermetic CONTAINERS_CONF of their own; this drop-in is
#    for people running podman by hand (README).
# 3. Print the facts the test suites depend on.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "prepare-host.sh: must run as root" >&2; exit 1; }
log() { [ -n "${QUIET:-}" ] || printf 'prepare-host: %s\n' "$*"; }

# ------------------------------------------------------------ 1. cgroups
if [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] &&
   [ -f /sys/fs/cgroup/unified/cgroup.controllers ]; then
  for c in $(cat /sys/fs/cgroup/unified/cgroup.controllers); do
    grep -q " /sys/fs/cgroup/$c cgroup " /proc/mounts && continue
    log "moving cgroup controller \`$c\` from cgroup2 to its own v1 hierarchy"
    mkdir -p "/sys/fs/cgroup/$c"
    mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" ||
      echo "prepare-host.sh: cannot mount v1 \`$c\`; crun may refuse this host" >&2
  done
fi

# ------------------------------------------------------------ 2. podman
# hull_ulimits prints the default_ulimits line this host allows (or nothing).
hull_ulimits() {
  local capbnd hn hu pm
  capbnd=$(awk '/^CapBnd:/{print $2}' /proc/self/status)
  (( (0x$capbnd >> 24) & 1 )) && return 0   # CAP_SYS_RESOURCE: no limit needed
  hn=$(ulimit -Hn); hu=$(ulimit -Hu); pm=$(cat /proc/sys/kernel/pid_max)
  [ "$hn" = unlimited ] && hn=1048576
  [ "$hu" = unlimited ] && hu=$pm
  (( hu > pm )) && hu=$pm
  (( hn > 1048576 )) && hn=1048576
  echo "default_ulimits = [\"nofile=$hn:$hn\", \"nproc=$hu:$hu\"]"
}
if [ "${1:-}" = --print-ulimits ]; then hull_ulimits; exit 0; fi

drop=/etc/containers/containers.conf.d/90-hull-host.conf
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
  echo "# written by hull scripts/prepare-host.sh"
  u=$(hull_ulimits); [ -n "$u" ] && printf '[containers]\n%s\n' "$u"
  if [ ! -d /run/systemd/system ]; then
    printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
  fi
} > "$tmp"
if [ "$(wc -l < "$tmp")" -gt 1 ]; then
  mkdir -p "${drop%/*}"
  cmp -s "$tmp" "$drop" || { install -m 0644 "$tmp" "$drop"; log "wrote $drop"; }
fi

# ------------------------------------------------------------ 3. facts
log "cgroups: $(stat -f -c %T /sys/fs/cgroup)$( [ -f /sys/fs/cgroup/unified/cgroup.controllers ] && echo ' (hybrid)'), systemd: $( [ -d /run/systemd/system ] && echo yes || echo no)"

#!/bin/bash
# mkbundle.sh - make an OCI bundle (config.json + rootfs/) from Debian's
# busybox-static, with no download: the image hull's quick start, tests and
# benchmarks run.
#
#   scripts/mkbundle.sh DIR [--probe FILE] [--tty] [--hostname NAME] [-- ARG...]
#
# rootfs/ holds /bin/busybox with its applets linked in /bin, a minimal
# /etc (passwd, group, hosts), the usual empty mount points and, with
# --probe, FILE copied to /probe. config.json follows `runc spec`'s defaults
# (pid, net, ipc, uts, mount namespaces; proc, /dev tmpfs, devpts, shm,
# mqueue, sysfs, cgroup mounts; masked and read-only paths; three
# capabilities; noNewPrivileges) with no ambient or inheritable capability,
# a writable root, no terminal (unless --tty) and ARGs (default: sh).
set -euo pipefail

usage() { sed -n '2,14p' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
DIR=$1; shift
PROBE="" TTY=false HOST=hull ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --probe) PROBE=${2:?}; shift ;;
    --tty) TTY=true ;;
    --hostname) HOST=${2:?}; shift ;;
    --) shift; ARGS=("$@"); break ;;
    *) usage ;;
  esac
  shift
done
[ ${#ARGS[@]} -gt 0 ] || ARGS=(sh)

BB=$(command -v busybox || true)
[ -n "$BB" ] || { echo "mkbundle.sh: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
# A dynamically linked busybox would need the host's libc in the rootfs.
if ! file -b "$BB" 2>/dev/null | grep -q 'statically linked' && ldd "$BB" >/dev/null 2>&1; then
  echo "mkbundle.sh: \`$BB\` is not static (install busybox-static)" >&2; exit 1
fi

R=$DIR/rootfs
mkdir -p "$R"/{bin,etc,proc,sys,dev,tmp,root,home/user,run,var/tmp}
chmod 1777 "$R/tmp" "$R/var/tmp"
cp "$BB" "$R/bin/busybox"
for a in $("$BB" --list); do
  [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"
done
ln -sfn bin "$R/sbin"
mkdir -p "$R/usr"; ln -sfn ../bin "$R/usr/bin"; ln -sfn ../bin "$R/usr/sbin"
cat > "$R/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
cat > "$R/etc/group" <<'GR'
root:x:0:
tty:x:5:
user:x:1000:
users:x:100:user
nogroup:x:65534:
GR
printf '127.0.0.1 localhost\n::1 localhost\n' > "$R/etc/hosts"
chown 1000:1000 "$R/home/user"
[ -n "$PROBE" ] && install -m 0755 "$PROBE" "$R/probe"

caps='["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]'
jq -n --argjson args "$(printf '%s\n' "${ARGS[@]}" | jq -R . | jq -s .)" \
  --argjson tty "$TTY" --arg host "$HOST" --argjson caps "$caps" '{
  ociVersion: "1.0.2",
  process: {
    terminal: $tty,
    user: {uid: 0, gid: 0},
    args: $args,
    env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "HOME=/root"],
    cwd: "/",
    capabilities: {bounding: $caps, effective: $caps, permitted: $caps},
    rlimits: [{type: "RLIMIT_NOFILE", hard: 1024, soft: 1024}],
    noNewPrivileges: true
  },
  root: {path: "rootfs", readonly: false},
  hostname: $host,
  mounts: [
    {destination: "/proc", type: "proc", source: "proc"},
    {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]},
    {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]},
    {destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]}
  ],
  linux: {
    resources: {devices: [{allow: false, access: "rwm"}]},
    namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}],
    maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
      "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}' > "$DIR/config.json"

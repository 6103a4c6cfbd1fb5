#!/bin/bash
# mksystemd-rootfs.sh DIR - a Debian rootfs with systemd for the system
# container tests: debootstrap --variant=minbase plus systemd, from the
# Debian mirror apt on this machine is configured with, as DIR/rootfs.tar.
# The tarball is a cache: when DIR/rootfs.tar exists nothing is done.
# Prints the seconds debootstrap took (0 when cached) on its last line.
set -euo pipefail
dir=${1:?usage: mksystemd-rootfs.sh DIR}
[ -s "$dir/rootfs.tar" ] && { echo 0; exit 0; }
mkdir -p "$dir"

# the mirror apt uses (deb822 .sources first, then one-line sources.list)
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
  /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -1)
[ -n "$mirror" ] || { echo "mksystemd-rootfs.sh: no Debian mirror in apt's sources" >&2; exit 1; }
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

work=$(mktemp -d "$dir/.work.XXXXXX")
# (debootstrap mounts /proc and /sys in the target while it works: a
# failed run may leave them, and rm must never walk into them)
cleanup() {
  awk -v d="$work/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
t0=$(date +%s)
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus "$suite" "$work/root" "$mirror" \
  >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
t1=$(date +%s)
# a test unit that the suite starts, and no machine-id (the engine gives one)
cat >"$work/root/etc/systemd/system/hulltest.service" <<'UNIT'
[Unit]
Description=hull system container test service

[Service]
Type=simple
ExecStart=/bin/sh -c 'echo hulltest-started >/run/hulltest.out; exec sleep infinity'
UNIT
: >"$work/root/etc/machine-id"
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
tar -C "$work/root" --numeric-owner -cf "$work/rootfs.tar" .
mv "$work/rootfs.tar" "$dir/rootfs.tar"
echo $((t1 - t0))

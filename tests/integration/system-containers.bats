#!/usr/bin/env bats
# System containers: `hull run --systemd=true|false|always` with a Debian
# image holding systemd (debootstrap --variant=minbase + systemd, made by
# tests/lib/mksystemd-rootfs.sh from apt's Debian mirror and cached in
# $HULL_TEST_CACHE, default /var/tmp/hull-test-cache: about 3 minutes the
# first time, nothing after). systemd boots as the container's pid 1, units
# start, `hull stop` halts it cleanly.

load ../lib/engine

setup_file() {
  command -v debootstrap >/dev/null || skip "debootstrap is not installed"
  local cache=${HULL_TEST_CACHE:-/var/tmp/hull-test-cache}
  "$HULL_SRC/tests/lib/mksystemd-rootfs.sh" "$cache/systemd" >"$BATS_FILE_TMPDIR/mk.log" 2>&1 ||
    { cat "$BATS_FILE_TMPDIR/mk.log" >&3; return 1; }
  echo "# systemd rootfs: debootstrap took $(tail -1 "$BATS_FILE_TMPDIR/mk.log") s (0: cached)" >&3
  engine_setup || return 1
  export TEST_DIR ROOT RUNROOT NS HULL_NET_PREFIX
  h import "$cache/systemd/rootfs.tar" sd >/dev/null || { echo "# import of the systemd image failed" >&3; return 1; }
}

teardown_file() { engine_teardown; }

teardown() {
  local id
  for id in $(all_ids); do h rm -f "$id" >/dev/null 2>&1; done
}

booted() { [[ $(h exec "$1" systemctl is-system-running 2>/dev/null) =~ ^(running|degraded)$ ]]; }

@test "--systemd takes true, false or always; anything else is refused and leaves nothing" {
  run h run --rm --systemd=maybe bb true
  assert_status nz
  assert_contains "$output" '`maybe`'
  assert_eq "$(head -1 <<<"$output")" "hull run: invalid --systemd \`maybe\` (true, false or always) (see 'hull run --help')"
  [ -z "$(all_ids)" ] || fail "a container was left: $(all_ids)"
  for v in true false always; do
    run h run --rm --systemd=$v bb true
    assert_status 0
  done
}

@test "systemd boots to running or degraded within 30 s, as pid 1, with what it needs" {
  id=$(hd run -d --name sys1 sd /sbin/init)
  wait_until 30 booted sys1 || fail "not booted in 30 s: $(h exec sys1 systemctl is-system-running 2>&1)" \
    "failed units: $(h exec sys1 systemctl --failed --no-legend 2>&1)"
  assert_eq "$(h exec sys1 cat /proc/1/comm)" systemd "pid 1"
  assert_eq "$(h exec sys1 systemd-detect-virt --container)" container-other "systemd's container detection"
  assert_eq "$(h exec sys1 sh -c 'tr "\0" "\n" </proc/1/environ | grep ^container=')" container=hull
  for m in /run /run/lock /tmp /var/log/journal; do
    assert_eq "$(h exec sys1 findmnt -n -o FSTYPE "$m")" tmpfs "$m"
  done
  assert_eq "$(h exec sys1 cat /etc/machine-id)" "${id:0:32}" machine-id
  # its own cgroup, seen as the root through a cgroup namespace, and
  # writable: systemd moved itself into init.scope below it
  assert_eq "$(h exec sys1 sh -c 'grep -E "name=systemd|^0::" /proc/1/cgroup | head -1 | cut -d: -f3')" /init.scope "pid 1's cgroup"
  h exec sys1 sh -c 'mkdir /sys/fs/cgroup/systemd/hull-probe 2>/dev/null || mkdir /sys/fs/cgroup/hull-probe' ||
    fail "the container's cgroup is not writable"
  if [ -d /sys/fs/cgroup/memory ]; then
    # v1: the resource controllers stay read-only
    run h exec sys1 sh -c 'echo 1 >/sys/fs/cgroup/memory/memory.limit_in_bytes'
    assert_status nz
  fi
  assert_eq "$(h inspect --format '{{.Config.StopSignal}}' sys1)" SIGRTMIN+3 StopSignal
  assert_eq "$(h inspect --format '{{.HostConfig.Systemd}}' sys1)" true
}

@test "a service unit starts; hull exec CTR systemctl works" {
  hd run -d --name sys2 sd /sbin/init >/dev/null
  wait_until 30 booted sys2 || fail "not booted in 30 s"
  run h exec sys2 systemctl start hulltest.service
  assert_status 0
  assert_eq "$(h exec sys2 systemctl is-active hulltest.service)" active
  assert_eq "$(h exec sys2 cat /run/hulltest.out)" hulltest-started
  assert_contains "$(h exec sys2 systemctl status --no-pager hulltest.service)" "hull system container test service"
  run h exec sys2 systemctl stop hulltest.service
  assert_status 0
  assert_eq "$(h exec sys2 systemctl is-active hulltest.service)" inactive
}

@test "hull stop halts systemd cleanly within the timeout and leaves nothing" {
  id=$(hd run -d --name sys3 sd /sbin/init)
  wait_until 30 booted sys3 || fail "not booted in 30 s"
  h exec sys3 systemctl start hulltest.service
  SECONDS=0
  run h stop --time 60 sys3
  assert_status 0
  # SIGRTMIN+3 is systemd's halt: units stop and it exits 0 long before
  # the timeout would have it killed (137)
  [ $SECONDS -lt 60 ] || fail "stop took ${SECONDS}s"
  assert_eq "$(exit_code_of sys3)" 0 "exit code"
  h rm sys3 >/dev/null
  assert_no_cgroup "$id"
  assert_nothing_left
}

@test "--systemd=always sets up a shell too; true with a shell and false with an init do not" {
  run h run --rm --systemd=always bb sh -c 'grep -E " /(run|tmp|run/lock) " /proc/mounts | cut -d" " -f2,3; echo container=$container'
  assert_status 0
  assert_contains "$output" "/run tmpfs"
  assert_contains "$output" "/run/lock tmpfs"
  assert_contains "$output" "/tmp tmpfs"
  assert_contains "$output" container=hull
  # a read-only root gets its machine-id bound (read-only) instead of written
  id=$(hd run -d --read-only --systemd=always bb sleep 60)
  assert_eq "$(h exec "$id" cat /etc/machine-id)" "${id:0:32}" machine-id
  assert_contains "$(h exec "$id" grep ' /etc/machine-id ' /proc/mounts)" " ro,"
  h rm -f "$id" >/dev/null
  run h run --rm bb sh -c 'grep -cE " /(run|tmp) tmpfs" /proc/mounts; echo container=$container'
  assert_eq "$output" "0
container=" "plain container"
  # an init with --systemd=false is an ordinary process: it gets none of it
  # (busybox's init stands in; it is not asked to boot anything)
  run h create --systemd=false --name noinit bb /sbin/init
  assert_status 0
  assert_eq "$(h inspect --format '{{.HostConfig.Systemd}}' noinit)" false
  assert_eq "$(h inspect --format '{{.Config.StopSignal}}' noinit)" "" StopSignal
  run h create --name yesinit bb /sbin/init
  assert_eq "$(h inspect --format '{{.Config.StopSignal}}' yesinit)" SIGRTMIN+3 StopSignal
}

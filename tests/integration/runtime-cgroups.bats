#!/usr/bin/env bats
# linux.cgroupsPath: the container is placed there in every hierarchy of
# this (hybrid) host, and the cgroup is removed on delete.
# (Resource limits are tested by the cgroup module's own suite.)

load ../lib/bundle

setup() {
  hull_setup
  CG=/hulltest-$ID/ct
  cfg '.linux.cgroupsPath = $p' --arg p "$CG"
  set_args /probe sleep 60
}
teardown() { hull_teardown; }

# v1 hierarchies mounted on this host (one per controller set), plus cgroup2.
v1_hierarchies() {
  awk '$3 == "cgroup" {print $2}' /proc/self/mounts | grep -v '/systemd$' || true
}
unified() { awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts; }

@test "the container is placed in cgroupsPath in every v1 hierarchy" {
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  n=0
  for h in $(v1_hierarchies); do
    ctrl=${h##*/}
    [ -d "$h$CG" ] || fail "no $h$CG"
    grep -qx "$pid" "$h$CG/cgroup.procs" || fail "pid $pid not in $h$CG/cgroup.procs"
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || skip "no cgroup v1 hierarchy on this host"
  # and /proc/PID/cgroup says so for the main controllers
  for c in pids memory cpu devices freezer; do
    grep -Eq "^[0-9]+:([a-z_,]*,)?$c(,[a-z_,]*)?:$CG\$" /proc/$pid/cgroup || fail "$c: $(grep ":$c" /proc/$pid/cgroup)"
  done
}

@test "on a hybrid host the container also gets cgroupsPath in the cgroup2 hierarchy" {
  u=$(unified)
  [ -n "$u" ] && [ "$u" != /sys/fs/cgroup ] || skip "not a hybrid host"
  [ "$(runtime_name)" != runc ] || skip "runc 1.1 leaves the unified hierarchy alone"
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  grep -qx "0::$CG" /proc/$pid/cgroup || fail "cgroup2: $(grep '^0::' /proc/$pid/cgroup)"
}

@test "processes forked in the container stay in its cgroup" {
  set_args sh -c 'sleep 100 & exec /probe sleep 100'
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  wait_until 5 eval '[ "$(marked_pids | wc -l)" -ge 2 ]'
  for p in $(marked_pids); do
    grep -q ":pids:$CG\$" /proc/$p/cgroup || fail "pid $p: $(grep pids /proc/$p/cgroup)"
  done
}

@test "exec'd processes join the container's cgroup" {
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  rt_detached exec -d --pid-file "$TEST_DIR/e.pid" "$ID" /probe sleep 30
  grep -q ":memory:$CG\$" /proc/$(cat "$TEST_DIR/e.pid")/cgroup
}

@test "delete removes the cgroup in every hierarchy" {
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  rt kill "$ID" KILL
  wait_until 5 status_is "$ID" stopped
  run rt delete "$ID"
  assert_status 0
  for h in $(v1_hierarchies) $(unified); do
    [ ! -d "$h$CG" ] || fail "$h$CG is still there"
  done
}

@test "delete --force of a running container removes the cgroup" {
  set_args sh -c 'sleep 100 & exec /probe sleep 100'
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  run rt delete --force "$ID"
  assert_status 0
  for h in $(v1_hierarchies) $(unified); do
    [ ! -d "$h$CG" ] || fail "$h$CG is still there"
  done
  [ -z "$(marked_pids)" ] || fail "processes left: $(marked_pids)"
}

@test "a relative cgroupsPath is accepted and removed on delete" {
  cfg '.linux.cgroupsPath = $p' --arg p "hulltest-$ID-rel"
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  grep -q ":pids:.*hulltest-$ID-rel\$" /proc/$pid/cgroup || fail "$(grep pids /proc/$pid/cgroup)"
  rt delete --force "$ID"
  [ -z "$(find /sys/fs/cgroup -maxdepth 6 -type d -name "hulltest-$ID-rel" 2>/dev/null)" ] || fail "cgroup left"
}

@test "run of a short-lived container removes its cgroup" {
  set_args /probe exit 0
  run rt run --bundle "$BUNDLE" "$ID"
  assert_status 0
  for h in $(v1_hierarchies) $(unified); do
    [ ! -d "$h$CG" ] || fail "$h$CG is still there"
  done
}

@test "pause and resume freeze and thaw the container" {
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  run rt pause "$ID"
  assert_status 0
  assert_eq "$(state_of "$ID")" paused
  pid=$(pid_of "$ID")
  wait_until 5 eval "grep -q '^State:.*(stopped\\|D\\|T)' /proc/$pid/status || [ \"\$(cat /sys/fs/cgroup/freezer$CG/freezer.state 2>/dev/null)\" = FROZEN ]"
  run rt resume "$ID"
  assert_status 0
  assert_eq "$(state_of "$ID")" running
}

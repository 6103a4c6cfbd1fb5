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

# mk_sub DIR...: make sub-cgroups below $CG in every hierarchy; a v1 cpuset
# child starts with no cpus and mems: copy them from its parent.
mk_sub() {
  local h d p
  for h in $(awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/self/mounts); do
    for d in "$@"; do
      mkdir -p "$h$CG/$d"
      if [ -f "$h$CG/$d/cpuset.cpus" ]; then
        p=$h$CG
        for x in ${d//\// }; do
          cat "$p/cpuset.cpus" >"$p/$x/cpuset.cpus"
          cat "$p/cpuset.mems" >"$p/$x/cpuset.mems"
          p=$p/$x
        done
      fi
    done
  done
}

# v1_cgroup_lines PID: the v1 lines of /proc/PID/cgroup (not name=, not 0::).
v1_cgroup_lines() { grep -v -e '^0::' -e ':name=' "/proc/$1/cgroup"; }

@test "exec joins the container's cgroup in every v1 hierarchy (and cgroup2 on a hybrid host)" {
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  rt_detached exec -d --pid-file "$TEST_DIR/e.pid" "$ID" /probe sleep 30
  epid=$(cat "$TEST_DIR/e.pid")
  [ -n "$(v1_cgroup_lines "$pid")" ] || skip "no cgroup v1 hierarchy on this host"
  assert_eq "$(v1_cgroup_lines "$epid")" "$(v1_cgroup_lines "$pid")" "v1 hierarchies of the exec'd process"
  if [ "$(runtime_name)" != runc ]; then
    assert_eq "$(grep '^0::' "/proc/$epid/cgroup")" "$(grep '^0::' "/proc/$pid/cgroup")" cgroup2
  fi
}

@test "exec --cgroup SUB runs the process in that existing sub-cgroup of every hierarchy" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 takes --cgroup as a path of its own"
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  mk_sub sub
  rt_detached exec -d --cgroup sub --pid-file "$TEST_DIR/e.pid" "$ID" /probe sleep 30
  epid=$(cat "$TEST_DIR/e.pid")
  for c in pids memory cpu freezer; do
    grep -Eq "^[0-9]+:([a-z_,]*,)?$c(,[a-z_,]*)?:$CG/sub\$" "/proc/$epid/cgroup" ||
      fail "$c: $(grep ":$c" "/proc/$epid/cgroup")"
  done
  grep -qx "$epid" "$(v1_hierarchies | grep '/pids$')$CG/sub/cgroup.procs"
}

@test "exec --cgroup CONTROLLER:SUB moves only that controller; the others stay" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 has no CONTROLLER: prefix"
  [ -n "$(v1_hierarchies)" ] || skip "no cgroup v1 hierarchy on this host"
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  h=$(v1_hierarchies | grep '/pids$')
  mkdir "$h$CG/only"
  rt_detached exec -d --cgroup pids:only --pid-file "$TEST_DIR/e.pid" "$ID" /probe sleep 30
  epid=$(cat "$TEST_DIR/e.pid")
  grep -q ":pids:$CG/only\$" "/proc/$epid/cgroup" || fail "pids: $(grep :pids /proc/$epid/cgroup)"
  grep -q ":memory:$CG\$" "/proc/$epid/cgroup" || fail "memory: $(grep :memory /proc/$epid/cgroup)"
}

@test "exec --cgroup of a missing or escaping sub-cgroup fails and runs nothing" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 runs the process elsewhere"
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  run rt exec --cgroup no-such-sub "$ID" /probe exit 0
  assert_status nz
  assert_contains "$output" "no-such-sub"
  mkdir -p "$(v1_hierarchies | grep '/pids$')/hulltest-$ID/outside"
  run rt exec --cgroup ../outside "$ID" /probe exit 0
  assert_status nz
  is_hullrt || return 0
  assert_contains "$output" "inside"
}

@test "a non-empty cgroupsPath: a warning, and the container runs there" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 says nothing"
  [ "$(runtime_name)" != runc ] || skip "runc 1.1 says nothing"
  h=$(v1_hierarchies | grep '/pids$')
  mkdir -p "$h$CG"
  sleep 60 3>&- &
  sp=$!
  echo "$sp" >>"$TEST_DIR/helpers.pids"
  echo "$sp" >"$h$CG/cgroup.procs"
  set_args /probe exit 0
  run rt run --bundle "$BUNDLE" "$ID"
  kill "$sp"
  assert_status 0
  assert_contains "$output" "not empty"
}

@test "a frozen cgroupsPath is refused, never hangs, and is left as it was" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 hangs in the frozen cgroup"
  [ "$(runtime_name)" != runc ] || skip "runc 1.1 hangs in the frozen cgroup"
  f=$(v1_hierarchies | grep '/freezer$')
  [ -n "$f" ] || skip "no v1 freezer"
  mkdir -p "$f$CG"
  echo FROZEN >"$f$CG/freezer.state"
  set_args /probe exit 0
  run rt run --bundle "$BUNDLE" "$ID"
  state=$(cat "$f$CG/freezer.state")
  echo THAWED >"$f$CG/freezer.state"
  [ "$status" -ne 124 ] || fail "the runtime hung"
  assert_error_mentions frozen
  assert_eq "$state" FROZEN "freezer state"
  # what the runtime made is gone; the frozen cgroup (not its own) stays
  run rt state "$ID"
  assert_status nz
  p=$(v1_hierarchies | grep '/pids$')
  [ ! -d "$p$CG" ] || fail "$p$CG left behind"
  [ -d "$f$CG" ] || fail "the frozen cgroup was removed"
  rmdir "$f$CG"
}

@test "delete --force removes the sub-cgroups the container made, with processes inside" {
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  mk_sub a/b
  rt_detached exec -d --pid-file "$TEST_DIR/e.pid" "$ID" /probe sleep 60
  epid=$(cat "$TEST_DIR/e.pid")
  # as if the container had moved it (a cgroup namespace with a writable mount)
  for h in $(v1_hierarchies); do echo "$epid" >"$h$CG/a/b/cgroup.procs"; done
  # a frozen sub-cgroup: runc 1.1 and crun 1.8 cannot delete then
  f=$(v1_hierarchies | grep '/freezer$')
  ! is_hullrt || [ -z "$f" ] || echo FROZEN >"$f$CG/a/freezer.state"
  run rt delete --force "$ID"
  assert_status 0
  for h in $(v1_hierarchies) $(unified); do
    [ ! -d "$h$CG" ] || fail "$h$CG is still there: $(find "$h$CG" -type d)"
  done
  wait_until 5 eval "! kill -0 $epid 2>/dev/null"
}

# assert_cg_gone ID: the runtime forgot ID and no hierarchy has $CG (the
# parent, named after the test, is the test's to remove).
assert_cg_gone() {
  run rt state "$1"
  assert_status nz
  local h
  for h in $(awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/self/mounts); do
    [ ! -d "$h$CG" ] || fail "$h$CG is still there"
  done
}

# in_private_mntns CMD: run CMD (a shell string) in a private mount namespace
# of its own, where the test may unmount cgroup hierarchies without the host
# (or another test) seeing it.
in_private_mntns() {
  timeout -k 5 "$RT_TIMEOUT" unshare -m --propagation private sh -c "$1" 3>&-
}

@test "a v1 hierarchy bound but mounted nowhere is skipped, never fatal" {
  h=$(v1_hierarchies | grep -E '/(hugetlb|blkio|net_cls|perf_event)$' | head -n 1)
  [ -n "$h" ] || skip "no spare v1 hierarchy to unmount"
  cfg '.mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "ro"]}]'
  set_args /probe cgroup
  run in_private_mntns "umount '$h' && '$RUNTIME' --root '$ROOT' run --bundle '$BUNDLE' '$ID'"
  assert_status 0
  assert_eq "$(kv cgroup.pids)" "$CG" "pids cgroup"
  assert_cg_gone "$ID"
}

@test "unified resources on a host with only v1 hierarchies are refused, leaving nothing" {
  u=$(unified)
  [ -n "$u" ] && [ "$u" != /sys/fs/cgroup ] || skip "not a hybrid host"
  cfg '.linux.resources.unified = {"pids.max": "10"}'
  set_args /probe exit 0
  run in_private_mntns "umount '$u' && '$RUNTIME' --root '$ROOT' run --bundle '$BUNDLE' '$ID'"
  assert_error_mentions unified
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 leaves its cgroup behind"
  assert_cg_gone "$ID"
}

#!/usr/bin/env bats
# linux.namespaces: each type created or joined by path; user namespace
# mappings; hostname and domainname; time namespace offsets.

load ../lib/bundle

setup() { hull_setup; }
teardown() { hull_teardown; }

host_ns() { stat -L -c %i "/proc/self/ns/$1"; }

# with_ns TYPE...: the namespaces list is exactly TYPE... (mount always)
with_ns() {
  cfg '.linux.namespaces = [$t[] | {type: .}]' --argjson t "$(printf '%s\n' "$@" | jq -R . | jq -s .)"
}

@test "default namespaces (pid, network, ipc, uts, mount) are new; cgroup, time, user are the host's" {
  run_ct /probe ns
  assert_status 0
  assert_ne "$(kv ns.pid)" "$(host_ns pid)" pid
  assert_ne "$(kv ns.net)" "$(host_ns net)" net
  assert_ne "$(kv ns.ipc)" "$(host_ns ipc)" ipc
  assert_ne "$(kv ns.uts)" "$(host_ns uts)" uts
  assert_ne "$(kv ns.mnt)" "$(host_ns mnt)" mnt
  assert_eq "$(kv ns.cgroup)" "$(host_ns cgroup)" cgroup
  assert_eq "$(kv ns.time)" "$(host_ns time)" time
  assert_eq "$(kv ns.user)" "$(host_ns user)" user
}

@test "without a namespace entry the host's namespace is kept" {
  with_ns mount pid
  cfg 'del(.hostname)'
  run_ct /probe ns
  assert_status 0
  assert_eq "$(kv ns.net)" "$(host_ns net)" net
  assert_eq "$(kv ns.ipc)" "$(host_ns ipc)" ipc
  assert_eq "$(kv ns.uts)" "$(host_ns uts)" uts
  assert_ne "$(kv ns.pid)" "$(host_ns pid)" pid
}

@test "pid namespace: the process is pid 1 and sees only its own processes" {
  run_ct sh -c '/probe pids; true'
  assert_eq "$(kv ppid)" 1 "ppid (sh is 1)"
  assert_eq "$(kv pids)" "1,$(kv pid)" "visible pids"
  run_ct /probe pids
  assert_eq "$(kv pid)" 1 pid
  assert_eq "$(kv pids)" 1 "visible pids"
}

@test "network namespace: only a loopback interface" {
  run_ct sh -c 'ls /sys/class/net'
  assert_status 0
  assert_eq "$(echo $output)" lo interfaces
}

@test "cgroup namespace: the container sees its cgroup as /" {
  cfg '.linux.namespaces += [{"type": "cgroup"}] | .linux.cgroupsPath = $p' --arg p "/$ID"
  run_ct /probe all
  assert_status 0
  assert_ne "$(kv ns.cgroup)" "$(host_ns cgroup)" cgroup
  assert_eq "$(kv cgroup.pids)" / "pids cgroup path"
}

@test "time namespace with offsets" {
  cfg '.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"monotonic": {"secs": 86400000, "nanosecs": 0}, "boottime": {"secs": 172800000, "nanosecs": 0}}'
  run_ct /probe all
  if [ "$status" -ne 0 ] && ! is_hullrt; then skip "time namespaces need spec 1.1+ (not in this runtime)"; fi
  assert_status 0
  assert_ne "$(kv ns.time)" "$(host_ns time)" time
  run_ct /probe clock
  host_mono=$(awk '{print int($1)}' /proc/uptime)
  [ "$(kv monotonic)" -ge 86400000 ] || fail "monotonic $(kv monotonic) has no offset"
  [ "$(kv boottime)" -ge 172800000 ] || fail "boottime $(kv boottime) has no offset"
}

@test "user namespace with uid/gid mappings" {
  cfg '.linux.namespaces += [{"type": "user"}]
       | .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
       | .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
       | .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
  set_args sh -c '/probe ids; /probe ns; echo "uidmap=$(echo $(cat /proc/self/uid_map))"; echo "gidmap=$(echo $(cat /proc/self/gid_map))"'
  run rt run --bundle "$BUNDLE" "$ID"
  assert_status 0
  assert_eq "$(kv uid)" 0 "uid inside"
  assert_ne "$(kv ns.user)" "$(host_ns user)" user
  assert_eq "$(kv uidmap)" "0 200000 65536" uid_map
  assert_eq "$(kv gidmap)" "0 200000 65536" gid_map
}

@test "user namespace: the process runs as the mapped host uid" {
  cfg '.linux.namespaces += [{"type": "user"}]
       | .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
       | .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
       | .mounts |= map(select(.destination != "/sys/fs/cgroup"))
       | .process.user = {"uid": 1000, "gid": 1000}'
  set_args /probe sleep 60
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  assert_eq "$(awk '/^Uid:/{print $2}' /proc/$pid/status)" 201000 "host uid"
  assert_eq "$(awk '/^Gid:/{print $2}' /proc/$pid/status)" 201000 "host gid"
}

@test "hostname and domainname" {
  cfg '.hostname = "box-one" | .domainname = "example.test"'
  run_ct /probe uts
  assert_status 0
  assert_eq "$(kv hostname)" box-one hostname
  # runc 1.1 ignores domainname (added in runc 1.2)
  [ "$(runtime_name)" = runc ] || assert_eq "$(kv domainname)" example.test domainname
  [ "$(hostname)" != box-one ] || fail "the host's name changed"
}

@test "hostname without a uts namespace is an error" {
  with_ns mount pid
  cfg '.hostname = "box-one"'
  set_args /probe uts
  run rt run --bundle "$BUNDLE" "$ID"
  assert_status nz
  [ "$(hostname)" != box-one ] || fail "the host's name changed"
  assert_nothing_left "$ID"
}

@test "namespaces joined by path: /proc/PID/ns of another container" {
  set_args /probe sleep 60
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  id2=$(new_id)
  cfg '.linux.namespaces = [{"type": "mount"}, {"type": "pid"},
       {"type": "network", "path": "/proc/\($p)/ns/net"},
       {"type": "ipc", "path": "/proc/\($p)/ns/ipc"},
       {"type": "uts", "path": "/proc/\($p)/ns/uts"}]' --arg p "$pid"
  cfg 'del(.hostname)'
  set_args /probe ns
  run rt run --bundle "$BUNDLE" "$id2"
  assert_status 0
  for ns in net ipc uts; do
    assert_eq "$(kv ns.$ns)" "$(stat -L -c %i /proc/$pid/ns/$ns)" "ns.$ns"
  done
  assert_ne "$(kv ns.pid)" "$(stat -L -c %i /proc/$pid/ns/pid)" "ns.pid (new)"
}

@test "namespaces joined by path: a bind-mounted network namespace" {
  touch "$TEST_DIR/netns"
  unshare --net="$TEST_DIR/netns" true
  want=$(stat -L -c %i "$TEST_DIR/netns")
  cfg '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = $p else . end]' --arg p "$TEST_DIR/netns"
  run_ct /probe ns
  assert_status 0
  assert_eq "$(kv ns.net)" "$want" ns.net
  umount "$TEST_DIR/netns"
}

@test "joining a pid namespace by path" {
  set_args /probe sleep 60
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  id2=$(new_id)
  cfg '.linux.namespaces = [.linux.namespaces[] | if .type == "pid" then .path = "/proc/\($p)/ns/pid" else . end]' --arg p "$pid"
  set_args /probe pids
  run rt run --bundle "$BUNDLE" "$id2"
  assert_status 0
  [ "$(kv pid)" -gt 1 ] || fail "pid $(kv pid): not in the first container's pid namespace"
  assert_contains ",$(kv pids)," ",1,"
}

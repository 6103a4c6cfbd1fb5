#!/usr/bin/env bats
# Configurations the runtime-spec allows and that runtimes get wrong: each
# runs here as the spec says, validated against crun (and runc) where they
# agree; what hull does beyond them skips for the anchors.

load ../lib/bundle

setup() { hull_setup; }
teardown() { hull_teardown; }

# userns HOSTID: a user namespace mapping 0-65535 to HOSTID-.
userns() {
  cfg '.linux.namespaces += [{"type": "user"}]
       | .linux.uidMappings = [{"containerID": 0, "hostID": $h, "size": 65536}]
       | .linux.gidMappings = [{"containerID": 0, "hostID": $h, "size": 65536}]' --argjson h "$1"
}

@test "create + start with a user namespace mapped to a non-root host uid" {
  userns 200000
  set_args sh -c 'echo started; /probe ids'
  rt_detached create --bundle "$BUNDLE" "$ID"
  out=$LAST_OUT
  assert_eq "$(state_of "$ID")" created status
  rt start "$ID"
  wait_until 10 grep -q '^uid=' "$out"
  assert_eq "$(kv uid "$(cat "$out")")" 0 "uid inside"
  assert_contains "$(cat "$out")" started
}

@test "user namespace: a bind source under a directory the container's root cannot search" {
  mkdir -p "$TEST_DIR/locked/shared"
  echo reachable >"$TEST_DIR/locked/shared/file"
  chmod 755 "$TEST_DIR/locked/shared"
  chmod 644 "$TEST_DIR/locked/shared/file"
  chmod 700 "$TEST_DIR/locked"
  echo single >"$TEST_DIR/locked/single"
  chmod 644 "$TEST_DIR/locked/single"
  # (mount points made beforehand: the container's root may not write the rootfs)
  mkdir -p "$BUNDLE/rootfs/mnt"
  touch "$BUNDLE/rootfs/single"
  userns 200000
  cfg '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", "ro"]},
                   {"destination": "/single", "type": "bind", "source": $f, "options": ["bind"]}]' \
    --arg s "$TEST_DIR/locked/shared" --arg f "$TEST_DIR/locked/single"
  run_ct sh -c 'cat /mnt/file /single; touch /mnt/x 2>/dev/null && echo rw || echo ro'
  assert_status 0
  assert_contains "$output" reachable
  assert_contains "$output" single
  assert_contains "$output" ro
}

@test "a joined user namespace: a bind source under a directory its root cannot search" {
  mkdir -p "$TEST_DIR/locked/shared"
  echo reachable >"$TEST_DIR/locked/shared/file"
  chmod 755 "$TEST_DIR/locked/shared"
  chmod 644 "$TEST_DIR/locked/shared/file"
  chmod 700 "$TEST_DIR/locked"
  mkdir -p "$BUNDLE/rootfs/mnt"
  cp -a "$BUNDLE" "$TEST_DIR/b2"
  userns 200000
  set_args /probe sleep 60
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  B=$TEST_DIR/b2
  jq '.linux.namespaces += [{"type": "user", "path": $u}]
      | .mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]
      | .process.args = ["sh", "-c", "cat /mnt/file; /probe ids"]' \
    --arg u "/proc/$pid/ns/user" --arg s "$TEST_DIR/locked/shared" "$B/config.json" >"$B/c.json"
  mv "$B/c.json" "$B/config.json"
  run rt run --bundle "$B" "$(new_id)"
  assert_status 0
  assert_contains "$output" reachable
  assert_eq "$(kv uid)" 0 "uid inside"
}

@test "rootfsPropagation unbindable makes the root unbindable" {
  cfg '.linux.rootfsPropagation = "unbindable"'
  run_ct sh -c 'awk '\''$5 == "/" {print "root=" $0}'\'' /proc/self/mountinfo'
  assert_status 0
  assert_contains "$(kv root)" unbindable
}

@test "a read-only /dev: the devices and /dev/pts are made, then /dev is read-only" {
  cfg '.mounts |= map(if .destination == "/dev" then .options += ["ro"] else . end)'
  run_ct sh -c 'ls /dev/pts/ptmx /dev/null >/dev/null && echo devs=ok; touch /dev/x 2>/dev/null && echo dev=rw || echo dev=ro; echo hi >/dev/null && echo null=ok'
  assert_status 0
  assert_eq "$(kv devs)" ok devices
  assert_eq "$(kv dev)" ro "/dev"
  assert_eq "$(kv null)" ok "writing /dev/null"
}

@test "a missing cwd on a read-only root is created before the root is made read-only" {
  cfg '.root.readonly = true | .process.cwd = "/does/not/exist"'
  run_ct sh -c 'echo "cwd=$(pwd)"; touch /x 2>/dev/null && echo root=rw || echo root=ro'
  assert_status 0
  assert_eq "$(kv cwd)" /does/not/exist cwd
  assert_eq "$(kv root)" ro root
}

@test "a masked directory is an empty read-only tmpfs" {
  mkdir -p "$BUNDLE/rootfs/secret"
  echo s >"$BUNDLE/rootfs/secret/file"
  cfg '.linux.maskedPaths += ["/secret"]'
  run_ct sh -c 'echo "ls=$(ls -A /secret | wc -l)"; touch /secret/x 2>/dev/null && echo w=yes || echo w=no; awk '\''$5 == "/secret" {print "m=" $6 " " $9}'\'' /proc/self/mountinfo'
  assert_status 0
  assert_eq "$(kv ls)" 0 "entries"
  assert_eq "$(kv w)" no "writable"
  assert_match "$(kv m)" '^ro,.* tmpfs$'
}

@test "a rootfs whose /proc is a symlink is refused, nothing is mounted where it points" {
  rmdir "$BUNDLE/rootfs/proc"
  mkdir -p "$BUNDLE/rootfs/elsewhere"
  ln -s /elsewhere "$BUNDLE/rootfs/proc"
  run_ct /probe exit 0
  assert_error_mentions "/proc"
  assert_nothing_left "$ID"
  [ -z "$(ls -A "$BUNDLE/rootfs/elsewhere")" ] || fail "something was made where /proc points"
}

@test "a rootfs whose /sys is a symlink is refused" {
  rmdir "$BUNDLE/rootfs/sys"
  mkdir -p "$BUNDLE/rootfs/elsewhere"
  ln -s elsewhere "$BUNDLE/rootfs/sys"
  run_ct /probe exit 0
  assert_error_mentions "/sys"
  assert_nothing_left "$ID"
}

@test "only some namespaces: a mount namespace alone, or with pid, network or ipc" {
  for ns in '[{"type": "mount"}]' '[{"type": "mount"}, {"type": "pid"}]' \
            '[{"type": "mount"}, {"type": "network"}]' '[{"type": "mount"}, {"type": "ipc"}]'; do
    ID=$(new_id)
    cfg '.linux.namespaces = $n | del(.hostname)' --argjson n "$ns"
    # sysfs and mqueue of namespaces we do not own come from the host's
    run_ct sh -c 'ls /sys/kernel >/dev/null && echo sys=ok; ls -d /dev/mqueue >/dev/null && echo mq=ok; /probe ids'
    assert_status 0
    assert_eq "$(kv sys)" ok "/sys with $ns"
    assert_eq "$(kv mq)" ok "/dev/mqueue with $ns"
    assert_eq "$(kv uid)" 0 "uid with $ns"
    assert_nothing_left "$ID"
  done
}

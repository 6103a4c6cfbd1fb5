#!/usr/bin/env bats
# An unprivileged user runs containers: a user namespace mapping its own
# uid, or ranges from /etc/subuid and /etc/subgid written through the setuid
# newuidmap/newgidmap helpers.

load ../lib/bundle

RL_USER=hullrl

setup_file() {
  command -v newuidmap >/dev/null || skip "newuidmap (package uidmap) is not installed"
  # A user of our own, removed again in teardown_file if we made it.
  if ! getent passwd "$RL_USER" >/dev/null; then
    useradd -M -s /bin/sh "$RL_USER"
    touch "$BATS_FILE_TMPDIR/made-user"
  fi
  local f start
  for f in /etc/subuid /etc/subgid; do
    if ! grep -q "^$RL_USER:" "$f" 2>/dev/null; then
      start=$(awk -F: 'BEGIN {m = 400000} {e = $2 + $3; if (e > m) m = e} END {print m}' "$f" 2>/dev/null)
      echo "$RL_USER:$start:65536" >>"$f"
      echo "$RL_USER:$start:65536" >"$BATS_FILE_TMPDIR/added${f//\//-}"
    fi
  done
}

teardown_file() {
  local f
  for f in /etc/subuid /etc/subgid; do
    if [ -f "$BATS_FILE_TMPDIR/added${f//\//-}" ]; then
      grep -vxF "$(cat "$BATS_FILE_TMPDIR/added${f//\//-}")" "$f" >"$f.hull-new" || true
      cat "$f.hull-new" >"$f" && rm -f "$f.hull-new"
    fi
  done
  if [ -f "$BATS_FILE_TMPDIR/made-user" ]; then
    pkill -9 -U "$RL_USER" 2>/dev/null
    userdel "$RL_USER" 2>/dev/null || true
  fi
}

setup() {
  hull_setup
  RL_UID=$(id -u "$RL_USER") RL_GID=$(id -g "$RL_USER")
  SUB_UID=$(awk -F: -v u="$RL_USER" '$1 == u {print $2; exit}' /etc/subuid)
  SUB_GID=$(awk -F: -v u="$RL_USER" '$1 == u {print $2; exit}' /etc/subgid)
  # The runtime binary where the user can reach it (the build tree may not be).
  RT_COPY=$TEST_DIR/runtime
  cp "$(readlink -f "$(command -v "$RUNTIME")")" "$RT_COPY"
  chmod 755 "$RT_COPY"
  mkdir -p "$TEST_DIR/xdg" "$ROOT"
  # What `spec --rootless` does: no cgroup mount, /sys bound from the host
  # (sysfs cannot be mounted without owning the network namespace's user ns),
  # no device cgroup rules.
  cfg '.linux.namespaces += [{"type": "user"}]
       | .mounts |= map(select(.destination != "/sys/fs/cgroup"))
       | .mounts |= map(if .destination == "/sys" then {destination: "/sys", type: "bind", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
       | del(.linux.resources)
       | .mounts |= map(if .type == "devpts" then .options -= ["gid=5"] else . end)'
}

teardown() {
  [ -n "${TEST_DIR:-}" ] || return 0
  for id in $(ls "$ROOT" 2>/dev/null); do urt delete --force "$id" >/dev/null 2>&1; done
  hull_teardown
}

# urt ARGS...: the runtime, run as the unprivileged user.
urt() {
  chown -R "$RL_USER:" "$TEST_DIR"
  timeout -k 5 "$RT_TIMEOUT" runuser -u "$RL_USER" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    HOME="$TEST_DIR" XDG_RUNTIME_DIR="$TEST_DIR/xdg" "$RT_COPY" --root "$ROOT" "$@" 3>&-
}

map_self() {
  cfg '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}]
       | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}]' \
    --argjson u "$RL_UID" --argjson g "$RL_GID"
}
map_ranges() {
  cfg '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": $su, "size": 65536}]
       | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}, {"containerID": 1, "hostID": $sg, "size": 65536}]' \
    --argjson u "$RL_UID" --argjson g "$RL_GID" --argjson su "$SUB_UID" --argjson sg "$SUB_GID"
}

@test "rootless: the user's own uid mapped to root" {
  map_self
  set_args sh -c '/probe ids; echo "uidmap=$(echo $(cat /proc/self/uid_map))"'
  run urt run --bundle "$BUNDLE" "$ID"
  assert_status 0
  assert_eq "$(kv uid)" 0 "uid inside"
  assert_eq "$(kv uidmap)" "0 $RL_UID 1" uid_map
}

@test "rootless: subordinate ranges through newuidmap/newgidmap" {
  map_ranges
  cfg '.process.user = {"uid": 1000, "gid": 1000}'
  set_args /probe sleep 60
  urt run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>"$TEST_DIR/err" || fail "$(cat "$TEST_DIR/err")"
  pid=$(urt state "$ID" | jq -r .pid)
  [ "$pid" -gt 0 ] || fail "no pid"
  assert_eq "$(awk '/^Uid:/{print $2}' /proc/$pid/status)" "$((SUB_UID + 999))" "host uid"
  assert_eq "$(awk '/^Gid:/{print $2}' /proc/$pid/status)" "$((SUB_GID + 999))" "host gid"
  assert_eq "$(echo $(cat /proc/$pid/uid_map))" "0 $RL_UID 1 1 $SUB_UID 65536" uid_map
  run urt delete --force "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "rootless: lifecycle and state as the user" {
  map_self
  set_args /probe sleep 60
  urt create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>"$TEST_DIR/err" || fail "$(cat "$TEST_DIR/err")"
  assert_eq "$(urt state "$ID" | jq -r .status)" created status
  urt start "$ID"
  assert_eq "$(urt state "$ID" | jq -r .status)" running status
  run urt kill "$ID" KILL
  assert_status 0
  wait_until 5 eval '[ "$(urt state "$ID" | jq -r .status)" = stopped ]'
  run urt delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "rootless: a mapping of a uid the user does not own is refused, nothing left" {
  cfg '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]
       | .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]'
  set_args /probe ids
  run urt run --bundle "$BUNDLE" "$ID"
  assert_status nz
  [ -n "$output" ] || fail "no error message"
  assert_nothing_left "$ID"
}

@test "rootless: spec --rootless makes a config the user can run" {
  mkdir "$TEST_DIR/s"
  chown "$RL_USER:" "$TEST_DIR/s"
  run urt spec --rootless --bundle "$TEST_DIR/s"
  assert_status 0
  jq -e '[.linux.namespaces[].type] | index("user") != null' "$TEST_DIR/s/config.json"
  # (crun 1.8 leaves the mappings for run time)
  [ "$(runtime_name)" = crun ] ||
    jq -e --argjson u "$RL_UID" '.linux.uidMappings[0].hostID == $u' "$TEST_DIR/s/config.json"
  cp -a "$BUNDLE/rootfs" "$TEST_DIR/s/rootfs"
  jq '.process.terminal = false | .process.args = ["/probe", "ids"]' "$TEST_DIR/s/config.json" >"$TEST_DIR/c" &&
    mv "$TEST_DIR/c" "$TEST_DIR/s/config.json"
  run urt run --bundle "$TEST_DIR/s" "$ID"
  assert_status 0
  assert_eq "$(kv uid)" 0 "uid inside"
}

#!/usr/bin/env bats
# The command line itself: --version, spec, features, global options.

load ../lib/bundle

setup() { hull_setup; }
teardown() { hull_teardown; }

@test "--version prints a version" {
  run rt --version
  assert_status 0
  assert_match "$output" "version [0-9]"
}

@test "spec writes a valid runtime-spec config.json in the bundle" {
  mkdir "$TEST_DIR/s"
  run rt spec --bundle "$TEST_DIR/s"
  assert_status 0
  c=$TEST_DIR/s/config.json
  jq -e '.ociVersion | test("^1\\.")' "$c"
  jq -e '.root.path == "rootfs"' "$c"
  jq -e '.process.args | length > 0' "$c"
  jq -e '[.linux.namespaces[].type] | (index("pid") != null and index("mount") != null)' "$c"
  jq -e '[.mounts[].destination] | index("/proc") != null' "$c"
}

@test "spec refuses to overwrite an existing config.json" {
  mkdir "$TEST_DIR/s"
  echo '{}' >"$TEST_DIR/s/config.json"
  run rt spec --bundle "$TEST_DIR/s"
  assert_status nz
  assert_eq "$(cat "$TEST_DIR/s/config.json")" "{}" "config.json"
}

@test "spec --rootless adds a user namespace with uid/gid mappings" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 leaves the mappings empty when run as root"
  mkdir "$TEST_DIR/s"
  run rt spec --rootless --bundle "$TEST_DIR/s"
  assert_status 0
  c=$TEST_DIR/s/config.json
  jq -e '[.linux.namespaces[].type] | index("user") != null' "$c"
  jq -e '.linux.uidMappings | length > 0' "$c"
  jq -e '.linux.gidMappings | length > 0' "$c"
  jq -e '[.linux.namespaces[].type] | index("network") == null' "$c"
}

@test "the config from spec runs (with a non-terminal process)" {
  mkdir "$TEST_DIR/s"
  rt spec --bundle "$TEST_DIR/s"
  cp -a "$BUNDLE/rootfs" "$TEST_DIR/s/rootfs"
  jq '.process.terminal = false | .process.args = ["/probe", "uts"]' "$TEST_DIR/s/config.json" >"$TEST_DIR/c" &&
    mv "$TEST_DIR/c" "$TEST_DIR/s/config.json"
  run rt run --bundle "$TEST_DIR/s" "$ID"
  assert_status 0
  assert_match "$(kv hostname)" "."
}

@test "features prints valid JSON naming namespaces, capabilities and mount options" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 has no features command"
  run rt features
  assert_status 0
  jq -e '.ociVersionMin and .ociVersionMax' <<<"$output"
  for ns in pid network ipc uts mount user cgroup; do
    jq -e --arg n "$ns" '.linux.namespaces | index($n) != null' <<<"$output"
  done
  jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") != null' <<<"$output"
  jq -e '.mountOptions | index("ro") != null and index("nosuid") != null' <<<"$output"
  jq -e '.hooks | index("prestart") != null and index("poststop") != null' <<<"$output"
}

@test "an unknown command fails" {
  run rt no-such-command
  assert_status nz
  assert_contains "$output" "no-such-command"
}

@test "--log with --log-format json writes JSON lines for errors" {
  run rt --log "$TEST_DIR/log.json" --log-format json state no-such-container
  assert_status nz
  [ -s "$TEST_DIR/log.json" ] || fail "nothing logged"
  tail -n 1 "$TEST_DIR/log.json" | jq -e '.level == "error" and (.msg | length > 0)'
}

@test "--systemd-cgroup on a host without systemd fails clearly or runs, never hangs" {
  [ ! -d /run/systemd/system ] || skip "this host runs systemd"
  cfg '.linux.cgroupsPath = $p' --arg p "system.slice:hull:$ID"
  set_args /probe exit 0
  run timeout 20 "$RUNTIME" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" "$ID"
  [ "$status" -ne 124 ] || fail "the runtime hung"
  if [ "$status" -ne 0 ]; then
    assert_match "$output" "[Ss]ystemd|[Dd][Bb]us|sd-bus|slice"
    assert_nothing_left "$ID"
  fi
}

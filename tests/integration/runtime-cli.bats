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

@test "spec: runc's default namespaces (no cgroup namespace added)" {
  mkdir "$TEST_DIR/s"
  rt spec --bundle "$TEST_DIR/s"
  assert_eq "$(jq -c '[.linux.namespaces[].type]' "$TEST_DIR/s/config.json")" \
    '["pid","network","ipc","uts","mount"]' namespaces
}

@test "exec exits with the process's status, and 255 when the runtime fails" {
  set_args /probe sleep 60
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  run rt exec "$ID" /probe exit 0
  assert_status 0
  for n in 1 7 126 127; do
    run rt exec "$ID" /probe exit $n
    assert_status $n
  done
  run rt exec "$ID" /no/such/binary
  assert_status 255
  run rt exec --cwd /no/such/dir "$ID" /probe exit 0
  assert_status 255
  run rt exec "$ID" /etc/passwd
  assert_status 255
  assert_eq "$(state_of "$ID")" running "after the failed execs"
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 exits 1 for an unknown container"
  run rt exec "$ID-nope" /probe exit 0
  assert_status 255
}

@test "--debug lines go to --log (text and json), not to stderr" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 logs no debug lines for run"
  set_args /probe exit 0
  run rt --debug --log "$TEST_DIR/log.txt" run --bundle "$BUNDLE" "$ID"
  assert_status 0
  assert_not_contains "$output" "debug"
  grep -q 'level=debug' "$TEST_DIR/log.txt" || fail "no debug line in: $(cat "$TEST_DIR/log.txt")"
  while read -r line; do
    assert_match "$line" '^time="[^"]+" level=[a-z]+ msg="'
  done <"$TEST_DIR/log.txt"
  run rt --debug --log "$TEST_DIR/log.json" --log-format json run --bundle "$BUNDLE" "$ID"
  assert_status 0
  assert_not_contains "$output" "debug"
  jq -e -s 'length > 0 and all(.level and .msg and .time) and any(.level == "debug")' \
    "$TEST_DIR/log.json" || fail "$(cat "$TEST_DIR/log.json")"
}

@test "list: runc's columns, aligned, one row per container sorted by id" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 names its columns NAME and BUNDLE PATH"
  set_args /probe sleep 60
  rt_detached create --bundle "$BUNDLE" "$ID-b"
  rt_detached run -d --bundle "$BUNDLE" "$ID-a-longer-name"
  run rt list
  assert_status 0
  mapfile -t lines <<<"$output"
  assert_eq "${#lines[@]}" 3 "lines"
  assert_eq "$(echo ${lines[0]})" "ID PID STATUS BUNDLE CREATED OWNER" header
  read -r id pid st bundle created owner <<<"${lines[1]}"
  assert_eq "$id" "$ID-a-longer-name" "first row"
  assert_eq "$pid" "$(pid_of "$ID-a-longer-name")" pid
  assert_eq "$st" running
  assert_eq "$bundle" "$BUNDLE"
  assert_match "$created" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$'
  assert_eq "$owner" "$(id -un)" owner
  assert_eq "$(echo ${lines[2]} | cut -d' ' -f1,3)" "$ID-b created" "second row"
  # every column starts where its header does
  for col in PID STATUS BUNDLE CREATED OWNER; do
    h=${lines[0]%%"$col"*}
    [[ ${lines[1]:${#h}-1:1} == " " && ${lines[1]:${#h}:1} != " " ]] || fail "column $col misaligned" "${lines[@]}"
  done
}

@test "checkpoint and restore without CRIU fail clearly and change nothing" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 has no checkpoint command"
  set_args /probe sleep 60
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  run rt --criu "$TEST_DIR/no-criu" checkpoint --image-path "$TEST_DIR/img" "$ID"
  assert_error_mentions "no-criu"
  assert_eq "$(state_of "$ID")" running "after the failed checkpoint"
  mkdir -p "$TEST_DIR/img"
  run rt --criu "$TEST_DIR/no-criu" restore --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID-r"
  assert_error_mentions "no-criu"
  run rt state "$ID-r"
  assert_status nz
  is_hullrt || return 0
  # the plain PATH lookup says what is missing
  run env PATH=/nonexistent "$RUNTIME" --root "$ROOT" checkpoint "$ID"
  assert_error_mentions CRIU "not installed"
}

@test "checkpoint where CRIU cannot dump fails naming the cause; the container runs on" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 has no checkpoint command"
  command -v criu >/dev/null || skip "criu is not installed"
  set_args /probe sleep 60
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  run rt checkpoint --image-path "$TEST_DIR/img" "$ID"
  if [ "$status" -ne 0 ]; then
    # (this kernel: "vdso: Unexpected rt vDSO area bounds")
    assert_contains "$output" criu
    is_hullrt && assert_contains "$output" "$TEST_DIR/img/dump.log"
    assert_eq "$(state_of "$ID")" running "after the failed dump"
    kill -0 "$pid"
  else
    # a host where CRIU works: the dump ended the container; restore brings it back
    run rt state "$ID"
    assert_status nz
    rt_detached restore -d --image-path "$TEST_DIR/img" --bundle "$BUNDLE" "$ID"
    assert_eq "$(state_of "$ID")" running "after restore"
  fi
}

#!/usr/bin/env bats
# exec: a plain argv, --process, --tty, --detach, --cwd, --env, --user, --cap,
# --pid-file, --preserve-fds; the exec'd process joins the container.

load ../lib/bundle

setup() {
  hull_setup
  set_args /probe sleep 120
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  wait_until 5 status_is "$ID" running
  CPID=$(pid_of "$ID")
}
teardown() { hull_teardown; }

@test "exec ARGV runs in the container's namespaces and prints to our stdout" {
  run rt exec "$ID" /probe ns
  assert_status 0
  for ns in pid mnt net ipc uts; do
    assert_eq "$(kv ns.$ns)" "$(stat -L -c %i /proc/$CPID/ns/$ns)" "ns.$ns"
  done
}

@test "exec propagates the exit status" {
  run rt exec "$ID" /probe exit 7
  assert_status 7
}

@test "exec inherits the container's process settings by default" {
  run rt exec "$ID" /probe env
  assert_contains "$output" "env.$MARK"
  run rt exec "$ID" /probe cwd
  assert_eq "$(kv cwd)" / cwd
}

@test "exec --cwd, --env, --user" {
  run rt exec --cwd /tmp --env FOO=bar --env BAZ=1 --user 1000:100 "$ID" /probe all
  assert_status 0
  assert_eq "$(kv cwd)" /tmp cwd
  assert_eq "$(kv uid)" 1000 uid
  assert_eq "$(kv gid)" 100 gid
  run rt exec --env FOO=bar "$ID" /probe env
  assert_contains "$output" "env.FOO=bar"
}

@test "exec --cap adds a capability" {
  run rt exec "$ID" /probe caps
  before=$(kv cap_eff)
  run rt exec --cap CAP_SYS_ADMIN "$ID" /probe caps
  assert_status 0
  after=$(kv cap_eff)
  assert_eq "$(( (0x$after >> 21) & 1 ))" 1 "CAP_SYS_ADMIN effective"
  assert_eq "$(( (0x$before >> 21) & 1 ))" 0 "CAP_SYS_ADMIN before"
}

@test "exec --process FILE" {
  jq -n --arg m "$MARK" '{"terminal": false, "user": {"uid": 1000, "gid": 1000},
    "args": ["/probe", "all"], "env": ["PATH=/bin", "X=from-process-json", $m], "cwd": "/home/user",
    "capabilities": {"bounding": ["CAP_KILL"], "permitted": ["CAP_KILL"], "effective": ["CAP_KILL"]},
    "noNewPrivileges": true}' >"$TEST_DIR/process.json"
  run rt exec --process "$TEST_DIR/process.json" "$ID"
  assert_status 0
  assert_eq "$(kv uid)" 1000 uid
  assert_eq "$(kv cwd)" /home/user cwd
  assert_eq "$(kv no_new_privs)" 1 no_new_privs
}

@test "exec --process with a malformed file fails clearly" {
  echo '{"args": ' >"$TEST_DIR/process.json"
  run rt exec --process "$TEST_DIR/process.json" "$ID"
  assert_error_mentions
  assert_eq "$(state_of "$ID")" running
}

@test "exec --detach --pid-file returns at once; the pid file names the process" {
  run rt_detached exec --detach --pid-file "$TEST_DIR/exec.pid" "$ID" /probe sleep 30
  assert_status 0
  pid=$(cat "$TEST_DIR/exec.pid")
  kill -0 "$pid"
  assert_eq "$(stat -L -c %i /proc/$pid/ns/pid)" "$(stat -L -c %i /proc/$CPID/ns/pid)" "pid ns"
  assert_eq "$(tr '\0' ' ' </proc/$pid/cmdline)" "/probe sleep 30 " cmdline
}

@test "exec --tty --console-socket gives the process a terminal" {
  start_recvtty etty
  run rt_detached exec --tty --detach --console-socket "$CONSOLE" "$ID" /probe tty
  assert_status 0
  wait_recvtty etty
  out=$(cat "$TTY_OUT")
  assert_eq "$(kv tty.0 "$out")" 1 tty.0
  assert_eq "$(kv tty.1 "$out")" 1 tty.1
}

@test "exec --preserve-fds passes fds 3.. to the process" {
  echo preserved-content >"$TEST_DIR/f3"
  run timeout 20 "$RUNTIME" --root "$ROOT" exec --preserve-fds 1 "$ID" /probe fds 3<"$TEST_DIR/f3" 4<"$TEST_DIR/f3"
  assert_status 0
  assert_eq "$(kv fds)" 0,1,2,3 fds
  assert_eq "$(kv fd.3)" "$TEST_DIR/f3" fd.3
}

@test "exec without --preserve-fds passes only 0, 1, 2" {
  run timeout 20 "$RUNTIME" --root "$ROOT" exec "$ID" /probe fds 3<"$TEST_DIR" 5<"$TEST_DIR"
  assert_status 0
  assert_eq "$(kv fds)" 0,1,2 fds
}

@test "exec into a stopped container fails" {
  rt kill "$ID" KILL
  wait_until 5 status_is "$ID" stopped
  run rt exec "$ID" /probe ids
  assert_error_mentions
}

@test "exec of a missing binary fails and the container keeps running" {
  run rt exec "$ID" /no/such/bin
  assert_status nz
  assert_eq "$(state_of "$ID")" running
}

@test "ps lists an exec'd process" {
  rt_detached exec --detach --pid-file "$TEST_DIR/exec.pid" "$ID" /probe sleep 30
  cfgpids=$(rt ps --format json "$ID")
  jq -e --argjson p "$(cat "$TEST_DIR/exec.pid")" 'index($p) != null' <<<"$cfgpids"
}

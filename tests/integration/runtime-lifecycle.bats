#!/usr/bin/env bats
# The container lifecycle as a client sees it: create/start/state/kill/delete,
# status transitions, run's exit status, run -d, --pid-file, ps, list.

load ../lib/bundle

setup() { hull_setup; }
teardown() { hull_teardown; }

@test "run: the container's output and exit status 0" {
  run_ct /probe ids
  assert_status 0
  assert_eq "$(kv uid)" 0 uid
}

@test "run: exit status propagates (0, 1, 42, 255)" {
  for n in 0 1 42 255; do
    ID=$(new_id)
    run_ct /probe exit $n
    assert_status $n
  done
}

@test "run: a container killed by a signal exits 128+signal" {
  set_args /probe sleep 60
  (rc=0; rt run --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null || rc=$?; echo $rc >"$TEST_DIR/rc") 3>&- &
  wait_until 10 status_is "$ID" running
  rt kill "$ID" KILL
  wait_until 10 test -s "$TEST_DIR/rc"
  assert_eq "$(cat "$TEST_DIR/rc")" 137 "exit status"
}

@test "run: a missing executable fails clearly and leaves nothing behind" {
  run_ct /no/such/binary
  assert_status nz
  assert_contains "$output" "/no/such/binary"
  assert_nothing_left "$ID"
}

@test "create, start, state, kill, delete: statuses created -> running -> stopped" {
  set_args /probe signals 60
  run rt_detached create --bundle "$BUNDLE" "$ID"
  assert_status 0
  run rt state "$ID"
  assert_status 0
  assert_eq "$(jq -r .status <<<"$output")" created status
  assert_eq "$(jq -r .id <<<"$output")" "$ID" id
  assert_eq "$(jq -r .bundle <<<"$output")" "$BUNDLE" bundle
  pid=$(jq -r .pid <<<"$output")
  [ "$pid" -gt 0 ] || fail "pid \`$pid\`"
  kill -0 "$pid"
  # created: the user process has not run yet
  out=$(last_out)
  [ ! -s "$out" ] || fail "the process ran before start: $(cat "$out")"
  run rt start "$ID"
  assert_status 0
  wait_until 5 grep -q '^ready=' "$out"
  wait_until 5 status_is "$ID" running
  assert_eq "$(pid_of "$ID")" "$pid" "pid after start"
  run rt kill "$ID" KILL
  assert_status 0
  wait_until 5 status_is "$ID" stopped
  run rt delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "state: ociVersion, id, status, pid, bundle and annotations" {
  cfg '.annotations = {"org.hull.test": "yes"}'
  set_args /probe sleep 60
  rt_detached create --bundle "$BUNDLE" "$ID"
  run rt state "$ID"
  assert_status 0
  jq -e '.ociVersion | type == "string"' <<<"$output"
  jq -e '.annotations["org.hull.test"] == "yes"' <<<"$output"
  jq -e '.pid > 0' <<<"$output"
}

@test "start runs the process; it exits and the container is stopped" {
  set_args /probe exit 3
  rt_detached create --bundle "$BUNDLE" "$ID"
  run rt start "$ID"
  assert_status 0
  wait_until 5 status_is "$ID" stopped
  run rt delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "start twice fails" {
  set_args /probe sleep 60
  rt_detached create --bundle "$BUNDLE" "$ID"
  rt start "$ID"
  run rt start "$ID"
  assert_status nz
}

@test "delete of a running container fails without --force, works with it" {
  set_args /probe sleep 60
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  wait_until 5 status_is "$ID" running
  pid=$(pid_of "$ID")
  run rt delete "$ID"
  assert_status nz
  kill -0 "$pid"
  run rt delete --force "$ID"
  assert_status 0
  wait_until 5 eval "! kill -0 $pid 2>/dev/null"
  assert_nothing_left "$ID"
}

@test "delete --force of a created container" {
  set_args /probe sleep 60
  rt_detached create --bundle "$BUNDLE" "$ID"
  run rt delete --force "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "run -d: returns at once, the container runs in the background" {
  set_args /probe sleep 60
  run rt_detached run -d --bundle "$BUNDLE" "$ID"
  assert_status 0
  assert_eq "$(state_of "$ID")" running
}

@test "--pid-file holds the container's host pid" {
  set_args /probe sleep 60
  run rt_detached create --bundle "$BUNDLE" --pid-file "$TEST_DIR/pid" "$ID"
  assert_status 0
  assert_eq "$(cat "$TEST_DIR/pid")" "$(pid_of "$ID")" "pid file"
  rt start "$ID"
  wait_until 5 status_is "$ID" running
  assert_eq "$(tr '\0' ' ' </proc/$(cat "$TEST_DIR/pid")/cmdline)" "/probe sleep 60 " cmdline
}

@test "run -d --pid-file" {
  set_args /probe sleep 60
  rt_detached run -d --pid-file "$TEST_DIR/pid" --bundle "$BUNDLE" "$ID"
  assert_eq "$(cat "$TEST_DIR/pid")" "$(pid_of "$ID")" "pid file"
}

@test "kill: signal names, SIG-prefixed names and numbers reach the process" {
  set_args /probe signals 30
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  wait_until 5 grep -q '^ready=' "$LAST_OUT"
  run rt kill "$ID" USR1
  assert_status 0
  run rt kill "$ID" SIGUSR2
  assert_status 0
  run rt kill "$ID" 1
  assert_status 0
  wait_until 5 grep -q '^signal=HUP' "$LAST_OUT"
  run cat "$LAST_OUT"
  assert_contains "$output" "signal=USR1"
  assert_contains "$output" "signal=USR2"
  assert_contains "$output" "signal=HUP"
}

@test "kill without a signal sends SIGTERM" {
  set_args /probe signals 30
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  wait_until 5 grep -q '^ready=' "$LAST_OUT"
  run rt kill "$ID"
  assert_status 0
  wait_until 5 status_is "$ID" stopped
  assert_contains "$(cat "$LAST_OUT")" "signal=TERM"
}

@test "kill --all reaches every process of the container" {
  cfg '.linux.cgroupsPath = $p' --arg p "/$ID"
  set_args sh -c 'sleep 100 & sleep 100 & exec /probe sleep 100'
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  wait_until 5 eval '[ "$(marked_pids | wc -l)" -ge 3 ]'
  run rt kill --all "$ID" KILL
  assert_status 0
  wait_until 5 eval '[ -z "$(marked_pids)" ]'
}

@test "ps --format json lists the container's host pids" {
  cfg '.linux.cgroupsPath = $p' --arg p "/$ID"
  set_args sh -c 'sleep 100 & exec /probe sleep 100'
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  wait_until 5 eval '[ "$(marked_pids | wc -l)" -ge 2 ]'
  run rt ps --format json "$ID"
  assert_status 0
  jq -e 'type == "array"' <<<"$output"
  assert_eq "$(jq -r 'sort | join(" ")' <<<"$output")" "$(marked_pids | sort -n | xargs | tr ' ' '\n' | jq -s -r 'sort | join(" ")')" pids
}

@test "ps --format table prints a header and the processes" {
  cfg '.linux.cgroupsPath = $p' --arg p "/$ID"
  set_args /probe sleep 100
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  run rt ps "$ID"
  assert_status 0
  assert_match "$(head -1 <<<"$output")" "PID"
  assert_contains "$output" "$(pid_of "$ID")"
}

@test "list shows containers with their status; -q only ids; --format json" {
  id2=$(new_id)
  set_args /probe sleep 60
  rt_detached create --bundle "$BUNDLE" "$ID"
  rt_detached run -d --bundle "$BUNDLE" "$id2"
  run rt list
  assert_status 0
  assert_match "$output" "$ID +[0-9]+ +created"
  assert_match "$output" "$id2 +[0-9]+ +running"
  run rt list -q
  assert_eq "$(sort <<<"$output" | xargs)" "$(printf '%s\n' "$ID" "$id2" | sort | xargs)"
  run rt list --format json
  assert_eq "$(jq -r --arg i "$id2" '.[] | select(.id == $i) | .status' <<<"$output")" running
}

@test "list with no container is empty" {
  run rt list -q
  assert_status 0
  assert_eq "$output" ""
}

@test "an existing id cannot be created again; the first one is untouched" {
  set_args /probe sleep 60
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  run rt_detached create --bundle "$BUNDLE" "$ID"
  assert_error_mentions "exists"
  is_hullrt && assert_contains "$output" "$ID"
  assert_eq "$(state_of "$ID")" running
  assert_eq "$(pid_of "$ID")" "$pid"
}

@test "delete of a created container without --force fails and leaves it untouched" {
  # runtime-spec: deleting a container that is not stopped MUST have no
  # effect and MUST fail; runc 1.1 and crun 1.8 kill and delete it
  is_hullrt || skip "runc 1.1 and crun 1.8 delete a created container"
  set_args /probe exit 3
  rt_detached create --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  run rt delete "$ID"
  assert_error_mentions "$ID" created
  assert_eq "$(state_of "$ID")" created "after the refused delete"
  kill -0 "$pid"
  rt start "$ID"
  wait_until 5 status_is "$ID" stopped
  rt delete "$ID"
  assert_nothing_left "$ID"
}

@test "LISTEN_FDS: socket activation fds pass through with LISTEN_PID of the process" {
  set_args /bin/sh -c "/probe fds; /probe env"
  # a listening socket as fd 3, with the variables systemd would set for us
  run timeout 20 python3 -c '
import os, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
env = dict(os.environ, LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
os.execve(sys.argv[1], sys.argv[1:], env)' "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
  assert_status 0
  assert_match "$(kv fd.3)" '^socket:'
  assert_eq "$(kv env.LISTEN_PID)" 1 LISTEN_PID
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 drops LISTEN_FDS"
  assert_eq "$(kv env.LISTEN_FDS)" 1 LISTEN_FDS
}

@test "LISTEN_FDS meant for another process (LISTEN_PID not ours) is ignored" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 passes the fds whatever LISTEN_PID says"
  set_args /bin/sh -c "/probe fds; /probe env"
  run env LISTEN_FDS=1 LISTEN_PID=1 "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$ID" 3</dev/null
  assert_status 0
  assert_eq "$(kv fd.3)" "" "fd 3 in the container"
  assert_eq "$(kv env.LISTEN_FDS)" "" LISTEN_FDS
}

@test "kill --all reaches processes left behind by an init that exited (no pid namespace)" {
  cfg '.linux.namespaces -= [{"type": "pid"}]'
  set_args /bin/sh -c '/probe sleep 60 >/dev/null 2>&1 & exit 0'
  rt_detached create --bundle "$BUNDLE" "$ID"
  rt start "$ID"
  wait_until 5 status_is "$ID" stopped
  wait_until 5 eval '[ -n "$(marked_pids)" ]'
  left=$(marked_pids)
  run rt kill "$ID" KILL
  assert_status nz
  run rt kill --all "$ID" KILL
  assert_status 0
  for p in $left; do wait_until 5 eval "! kill -0 $p 2>/dev/null"; done
  run rt delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

#!/usr/bin/env bats
# hull run/create/start/ps/logs/rm/inspect: the basic lifecycle, exit codes,
# and bad input that must leave nothing behind.

bats_require_minimum_version 1.5.0
load ../lib/engine

setup_file() { engine_setup_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "run in the foreground: output, exit status, --rm leaves nothing" {
  run h run --rm bb sh -c 'echo out; echo err >&2; exit 3'
  assert_status 3
  assert_contains "$output" out
  assert_contains "$output" err
  assert_nothing_left
}

@test "a command not found exits 127, permission denied 126" {
  run -127 h run --rm bb nosuchcommand
  assert_status 127
  assert_contains "$output" "nosuchcommand"
  run -126 h run --rm bb /etc/passwd
  assert_status 126
  assert_nothing_left
}

@test "run -d: ps shows it, logs has its output, rm -f removes everything" {
  run hd run -d --name web bb sh -c 'echo started; echo oops >&2; exec sleep 100'
  assert_status 0
  id=$output
  assert_match "$id" '^[0-9a-f]{64}$'
  wait_until 5 logs_have web oops
  run h ps
  assert_contains "$output" "web"
  assert_contains "$output" "${id:0:12}"
  assert_match "$output" "Up (Less than a second|[0-9]+ seconds?)"
  run h logs web
  assert_contains "$output" started
  run h inspect --format '{{.State.Status}} {{.State.Running}} {{.Name}}' web
  assert_eq "$output" "running true /web"
  run h rm web
  assert_status 1
  assert_contains "$output" "stop the container"
  run h rm -f "${id:0:5}"
  assert_status 0
  assert_nothing_left
  assert_no_cgroup "$id"
}

@test "a container that exits at once: exited, with its code, and rm works" {
  run hd run -d bb sh -c 'exit 5'
  assert_status 0
  id=$output
  wait_until 5 state_is "$id" exited
  assert_eq "$(exit_code_of "$id")" 5
  run h ps -a --filter status=exited --format '{{.ID}} {{.Status}}'
  assert_match "$output" "^${id:0:12} Exited \(5\)"
  run h ps -q
  assert_eq "$output" ""
  h rm "$id"
  assert_nothing_left
}

@test "create, then start; start of a running container is a no-op" {
  run hd create --name c1 bb sleep 100
  assert_status 0
  id=$output
  assert_eq "$(state_of c1)" created
  run h ps -a --format '{{.Names}} {{.Status}}'
  assert_eq "$output" "c1 Created"
  run h start c1
  assert_status 0
  assert_eq "$(state_of c1)" running
  run h start c1
  assert_status 0
  h rm -f c1
  assert_nothing_left
}

@test "names: generated ones are adjective_noun, a taken name is refused" {
  run hd create bb true
  id=$output
  name=$(h inspect --format '{{.Name}}' "$id")
  assert_match "$name" '^/[a-z]+_[a-z]+[0-9]*$'
  run hd create --name same bb true
  assert_status 0
  run hd create --name same bb true
  assert_status 125
  assert_contains "$output" "already in use"
  run h ps -aq
  assert_eq "$(echo "$output" | wc -l)" 2
  run hd create --name 'bad/name' bb true
  assert_status 125
  assert_contains "$output" "invalid container name"
  run h rename same other
  assert_status 0
  run h inspect --format '{{.Name}}' other
  assert_eq "$output" /other
  h rm "$id" other
  assert_nothing_left
}

@test "id prefixes: unique ones work, unknown ones are a clear error" {
  run hd create bb true
  id=$output
  run h inspect --format '{{.Id}}' "${id:0:4}"
  assert_eq "$output" "$id"
  run h rm nosuchcontainer
  assert_status 1
  assert_contains "$output" "no such container: \`nosuchcontainer\`"
  h rm "$id"
}

@test "bad input: unknown image, bad flags and values leave nothing behind" {
  run h run --rm nosuchimage true
  assert_status 125
  assert_contains "$output" "nosuchimage"
  run h run --memory lots bb true
  assert_status 125
  assert_contains "$output" "--memory \`lots\`"
  run h run --restart sometimes bb true
  assert_status 125
  assert_contains "$output" "restart policy \`sometimes\`"
  run h run --no-such-flag bb true
  assert_status 125
  run h run -v 'bad name:/x' bb true
  assert_status 125
  run h run -v /tmp:relative bb true
  assert_status 125
  assert_contains "$output" "absolute"
  run h run --network nosuch bb true
  assert_status 125
  assert_contains "$output" "network \`nosuch\` not found"
  run h run -p 80:80:80:80 bb true
  assert_status 125
  assert_contains "$output" "invalid port specification"
  run h run --rm --restart always bb true
  assert_status 125
  run h run --cap-add CAP_NOPE bb true
  assert_status 125
  assert_contains "$output" "CAP_NOPE"
  run h run --ulimit nofile=10:5 bb true
  assert_status 125
  run h run --health-interval 5x bb true
  assert_status 125
  run h run --mount type=bind,source=/nonexistent-hull,target=/x bb true
  assert_status 125
  assert_contains "$output" "/nonexistent-hull"
  assert_nothing_left
}

@test "run -d of a command not found: an error, exit 127, the container stays created" {
  run -127 hd run -d --name nf bb nosuchcommand
  assert_status 127
  assert_contains "$output" "nosuchcommand"
  assert_eq "$(state_of nf)" created
  assert_eq "$(exit_code_of nf)" 127
  h rm nf
  assert_nothing_left
}

@test "image in use: rmi refuses, after rm it works" {
  run hd create --name user bb true
  run h rmi bb
  assert_status nz
  assert_contains "$output" "in use"
  h rm user
  run h rmi bb
  assert_status 0
}

@test "run -d --rm is finished at its exit, before any other hull command" {
  run hd run -d --rm bb sh -c 'sleep 0.3; exit 2'
  assert_status 0
  id=$output
  # From here no hull command runs until the end: the monitor becomes the
  # engine's exit command (hull-cleanup), which removes the container.
  gone() { [ ! -e "$ROOT/containers/$id" ] && [ ! -e "$RUNROOT/containers/$id" ] && [ -z "$(monitor_pids)" ]; }
  wait_until 15 gone || fail "still there: $(ls "$ROOT/containers" "$RUNROOT/containers" 2>&1)"
  assert_nothing_left
}

@test "the attach socket refuses what it cannot read; the container runs on" {
  run hd run -d --name g bb sleep 100
  assert_status 0
  id=$output
  wait_until 5 test -S "$RUNROOT/containers/$id/attach"
  # a datagram of the old one-byte format asking for SIGKILL, a frame of
  # another protocol version asking the same, and bytes that are no frame
  (cd "$RUNROOT/containers/$id" && python3 -c '
import socket, struct
for d in (b"k\x09\x00\x00\x00",
          b"h\x09\x0b\x00" + struct.pack("<I", 9) + b"\x01" + struct.pack("<Ii", 4, 9),
          b"\x00" * 40):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect("attach")
    s.send(d)
    s.settimeout(5)
    assert s.recv(100) == b"", "the monitor answered"
    s.close()
')
  run h ps --filter name=g --format '{{.Status}}'
  assert_match "$output" "^Up "
  run cat "$RUNROOT/containers/$id/monitor.log"
  assert_contains "$output" "truncated: 5 bytes, the header alone is 8"
  assert_contains "$output" "protocol version 9, this build speaks 1"
  assert_contains "$output" "not a monitor message (bad magic 0x00)"
  run h stop -t 1 g
  assert_status 0
  run h ps -a --filter name=g --format '{{.Status}}'
  assert_match "$output" "^Exited "
  h rm g
}

@test "start -a: right after the exit, ps shows it exited with its code, and rm works" {
  id=$(h create bb sh -c 'echo hi; exit 4')
  run h start -a "$id"
  assert_status 4
  assert_contains "$output" hi
  # no wait: the monitor may still be finishing it, commands show the exit
  run h ps -a --format '{{.Status}}'
  assert_match "$output" "^Exited \(4\)"
  run h rm "$id"
  assert_status 0
  assert_nothing_left
}

#!/usr/bin/env bats
# The monitor: interactive tty through a real pty, logs that follow and
# rotate, exec, restart policies with back-off, health checks, stop with a
# timeout, --init, attach, pause.

bats_require_minimum_version 1.5.0
load ../lib/engine

setup_file() { engine_setup_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "interactive tty through a real pty: input, a terminal inside, exit status" {
  # script(1) gives hull a real terminal; the container sees one too
  run script -qec "$(printf '%q ' nsenter --net="$NS" "$HULL" --root "$ROOT" --runroot "$RUNROOT") run --rm -it bb sh -c 'tty; read x; echo got-\$x; exit 7'" /dev/null <<<"hello"
  assert_status 7
  assert_contains "$output" "/dev/pts/0"
  assert_contains "$output" "got-hello"
  assert_nothing_left
}

@test "run -i: stdin reaches the container, EOF closes it" {
  run h run --rm -i bb sh -c 'cat; echo done'  <<<"line one"
  assert_status 0
  assert_contains "$output" "line one"
  assert_contains "$output" "done"
}

@test "logs -f follows new output and ends when the container stops" {
  hd run -d --name f bb sh -c 'for i in 1 2 3 4 5; do echo tick $i; sleep 0.3; done' >/dev/null
  run h logs -f f
  assert_status 0
  for i in 1 2 3 4 5; do assert_contains "$output" "tick $i"; done
  run h logs --tail 2 f
  assert_eq "$output" "$(printf 'tick 4\ntick 5')"
  run h logs -t f
  assert_match "$output" "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z tick 1"
  # --since in the future shows nothing
  run h logs --since 2099-01-01T00:00:00Z f
  assert_eq "$output" ""
}

@test "the log rotates by size and logs reads across the rotated files" {
  hd run -d --name rot --log-opt max-size=2k --log-opt max-file=3 bb \
    sh -c 'i=0; while [ $i -lt 400 ]; do echo "line $i"; i=$((i+1)); done' >/dev/null
  wait_until 10 state_is rot exited
  dir=$ROOT/containers/$(h inspect --format '{{.Id}}' rot)
  [ -f "$dir/ctr.log.1" ] || fail "no rotated file: $(ls "$dir")"
  [ ! -f "$dir/ctr.log.3" ] || fail "more files than max-file: $(ls "$dir")"
  for f in "$dir"/ctr.log*; do
    [ "$(stat -c %s "$f")" -le 2048 ] || fail "$f is larger than max-size"
  done
  run h logs rot
  assert_contains "$output" "line 399"
  run h logs --tail 1 rot
  assert_eq "$output" "line 399"
}

@test "exec into a running container: output, exit status, user, env, workdir" {
  hd run -d --name ex bb sleep 100 >/dev/null
  run h exec ex sh -c 'echo in; exit 3'
  assert_status 3
  assert_eq "$output" in
  run h exec -u user -e A=b -w /tmp ex sh -c 'id -u; echo $A; pwd'
  assert_eq "$output" "$(printf '1000\nb\n/tmp')"
  run -127 h exec ex nosuchcommand
  assert_status 127
  run h exec -d ex sh -c 'echo detached > /tmp/d'
  assert_status 0
  wait_until 5 h exec ex test -f /tmp/d
  run h exec -i ex cat <<<"piped"
  assert_eq "$output" piped
}

@test "restart on-failure: restarted with back-off, up to the limit" {
  hd run -d --name rs --restart on-failure:3 bb sh -c 'awk "{printf \"%d\\n\", \$1 * 1000}" /proc/uptime >> /starts; exit 2' >/dev/null
  wait_until 15 state_is rs exited
  assert_eq "$(h inspect --format '{{.RestartCount}}' rs)" 3
  assert_eq "$(exit_code_of rs)" 2
  # four runs, further and further apart: 100 ms, 200 ms, 400 ms of back-off
  run sh -c "$(printf '%q ' "$HULL" --root "$ROOT" --runroot "$RUNROOT") cp rs:/starts - | tar -xO"
  assert_status 0
  mapfile -t t <<<"$output"
  assert_eq "${#t[@]}" 4
  d1=$(( t[1] - t[0] )) d2=$(( t[2] - t[1] )) d3=$(( t[3] - t[2] ))
  [ "$d1" -ge 100 ] && [ "$d2" -ge 200 ] && [ "$d3" -ge 400 ] || fail "intervals $d1 $d2 $d3 ms"
  [ "$d3" -gt "$d1" ] || fail "no back-off: $d1 $d2 $d3 ms"
  # exit 0 is not a failure: no restart
  hd run -d --name rs0 --restart on-failure bb true >/dev/null
  wait_until 10 state_is rs0 exited
  sleep 0.5
  assert_eq "$(h inspect --format '{{.RestartCount}}' rs0)" 0
}

@test "restart always: comes back after a crash, not after stop" {
  hd run -d --name ra --restart always bb sh -c 'sleep 0.3; exit 1' >/dev/null
  wait_until 10 sh -c "[ \$($(printf '%q ' "$HULL" --root "$ROOT" --runroot "$RUNROOT") inspect --format '{{.RestartCount}}' ra) -ge 2 ]"
  run h stop -t 1 ra
  assert_status 0
  assert_eq "$(state_of ra)" exited
  count=$(h inspect --format '{{.RestartCount}}' ra)
  sleep 1
  assert_eq "$(h inspect --format '{{.RestartCount}}' ra)" "$count"
  assert_eq "$(state_of ra)" exited
}

@test "a health check turns unhealthy; inspect shows the streak and outputs" {
  hd run -d --name hc --health-cmd 'test -f /tmp/ok && echo fine || { echo broken; exit 1; }' \
    --health-interval 200ms --health-retries 2 --health-timeout 2s bb \
    sh -c 'touch /tmp/ok; sleep 1.5; rm /tmp/ok; sleep 100' >/dev/null
  wait_until 10 sh -c "$(printf '%q ' "$HULL" --root "$ROOT" --runroot "$RUNROOT") inspect --format '{{.State.Health.Status}}' hc | grep -qx healthy"
  run h ps --format '{{.Status}}'
  assert_contains "$output" "(healthy)"
  wait_until 10 sh -c "$(printf '%q ' "$HULL" --root "$ROOT" --runroot "$RUNROOT") inspect --format '{{.State.Health.Status}}' hc | grep -qx unhealthy"
  run h inspect --format '{{.State.Health.FailingStreak}}' hc
  [ "$output" -ge 2 ] || fail "streak $output"
  run h inspect --format '{{json .State.Health.Log}}' hc
  assert_contains "$output" broken
  run h ps --format '{{.Status}}'
  assert_contains "$output" "(unhealthy)"
}

@test "a health check that hangs times out" {
  hd run -d --name ht --health-cmd 'sleep 10' --health-interval 200ms --health-timeout 300ms \
    --health-retries 1 bb sleep 100 >/dev/null
  wait_until 10 sh -c "$(printf '%q ' "$HULL" --root "$ROOT" --runroot "$RUNROOT") inspect --format '{{.State.Health.Status}}' ht | grep -qx unhealthy"
  run h inspect --format '{{json .State.Health.Log}}' ht
  assert_contains "$output" "exceeded timeout"
}

@test "stop: a container ignoring SIGTERM is killed after the timeout" {
  hd run -d --name st bb sh -c 'trap "" TERM; while true; do sleep 0.1; done' >/dev/null
  start=$(date +%s%N)
  run h stop -t 1 st
  assert_status 0
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  [ "$elapsed" -ge 900 ] || fail "stopped too early: $elapsed ms"
  [ "$elapsed" -lt 6000 ] || fail "stopped too late: $elapsed ms"
  assert_eq "$(exit_code_of st)" 137
  # one that does handle it stops at once, with its own status
  hd run -d --name st2 bb sh -c 'trap "exit 42" TERM; while true; do sleep 0.1; done' >/dev/null
  start=$(date +%s%N)
  h stop -t 10 st2
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  [ "$elapsed" -lt 3000 ] || fail "the handled TERM took $elapsed ms"
  assert_eq "$(exit_code_of st2)" 42
}

@test "--stop-signal and kill -s" {
  hd run -d --name ss --stop-signal USR1 bb sh -c 'trap "exit 11" USR1; while true; do sleep 0.1; done' >/dev/null
  h stop -t 5 ss
  assert_eq "$(exit_code_of ss)" 11
  hd run -d --name ks bb sh -c 'trap "echo got-hup" HUP; while true; do sleep 0.1; done' >/dev/null
  h kill -s HUP ks
  wait_until 5 logs_have ks got-hup
  assert_eq "$(state_of ks)" running
  h kill ks
  wait_until 5 state_is ks exited
  assert_eq "$(exit_code_of ks)" 137
  run h kill ks
  assert_status 1
  assert_contains "$output" "not running"
}

@test "--init reaps zombies and forwards signals" {
  # the shell makes orphans that exit: without an init they stay zombies
  hd run -d --name in --init bb sh -c '(sleep 0.1 &) ; (sleep 0.1 &); sleep 100' >/dev/null
  sleep 1
  run h exec in sh -c 'grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | wc -l'
  assert_eq "$output" 0
  run h exec in cat /proc/1/cmdline
  assert_contains "$output" "/dev/init"
  start=$(date +%s%N)
  h stop -t 10 in
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  [ "$elapsed" -lt 3000 ] || fail "SIGTERM not forwarded: $elapsed ms"
  # and without --init the zombies stay
  hd run -d --name noin bb sh -c '(sleep 0.1 &) ; (sleep 0.1 &); exec sleep 100' >/dev/null
  sleep 1
  run h exec noin sh -c 'grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | wc -l'
  [ "$output" -ge 1 ] || fail "expected zombies without --init, got $output"
}

@test "attach sees live output; pause and unpause" {
  hd run -d --name at bb sh -c 'sleep 0.5; echo after-attach; sleep 0.5; exit 4' >/dev/null
  run h attach at
  assert_status 4
  assert_contains "$output" after-attach
  hd run -d --name pa bb sh -c 'while true; do date +%s%N > /tmp/t; sleep 0.05; done' >/dev/null
  h pause pa
  assert_eq "$(state_of pa)" paused
  run h ps --format '{{.Status}}' --filter name=pa
  assert_contains "$output" "(Paused)"
  a=$(h exec pa cat /tmp/t 2>&1 || true)
  h unpause pa
  assert_eq "$(state_of pa)" running
  run h exec pa cat /tmp/t
  assert_status 0
}

@test "wait returns the exit code" {
  hd run -d --name w bb sh -c 'sleep 0.5; exit 9' >/dev/null
  run h wait w
  assert_eq "$output" 9
}

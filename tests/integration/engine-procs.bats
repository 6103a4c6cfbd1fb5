#!/usr/bin/env bats
# hull top, stats and system df: what the engine reports about a running
# container's processes, resources and disk (engine_top, engine_stats,
# engine_ctr_size), as a user sees it.

bats_require_minimum_version 1.5.0
load ../lib/engine

setup_file() { engine_setup_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "top: the container's processes and only those, ps options passed on" {
  hd run -d --network none --name tp bb sh -c 'sleep 301 & exec sleep 302'
  wait_until 5 state_is tp running
  # a process of the host that looks the same must not show
  sleep 303 &
  local host_pid=$!
  run -0 h top tp
  kill "$host_pid"
  assert_match "${lines[0]}" "PID"
  assert_contains "$output" "sleep 301"
  assert_contains "$output" "sleep 302"
  assert_not_contains "$output" "sleep 303"
  assert_eq "${#lines[@]}" 3
  # options after the container are ps's
  run -0 h top tp -o pid,args
  assert_match "${lines[0]}" "^ *PID +COMMAND"
  assert_contains "$output" "sleep 302"
  run -1 h top tp --no-such-ps-option
  assert_contains "$output" "ps failed"
  h rm -f tp
  run -1 h top tp
  assert_contains "$output" "no such container"
  assert_nothing_left
}

@test "top of a container that is not running is an error" {
  hd create --network none --name stopped bb true
  run -1 h top stopped
  assert_contains "$output" "is not running"
  h rm stopped
}

@test "stats --no-stream: the memory, pids and limit of a running container" {
  hd run -d --network none --memory 64m --name st bb sh -c 'sleep 311 & sleep 312 & exec sleep 313'
  wait_until 5 state_is st running
  run -0 h stats --no-stream --format json st
  assert_eq "$(jq -r .Name <<<"$output")" st
  assert_eq "$(jq -r .PIDs <<<"$output")" 3
  assert_match "$(jq -r .MemUsage <<<"$output")" '^[0-9.]+[KMG]?i?B / 64MiB$'
  run -0 h stats --no-stream
  assert_match "${lines[0]}" '^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT'
  assert_contains "$output" "st"
  h rm -f st
  assert_nothing_left
}

@test "system df counts what a container wrote" {
  hd run -d --network none --name du bb sh -c 'head -c 300000 /dev/zero > /big; exec sleep 321'
  wait_until 5 h exec du test -s /big
  run -0 h system df --format json
  size=$(jq -r 'select(.Type == "Containers") | .Size' <<<"$output")
  [ "$size" -ge 300000 ] || fail "containers' size $size, expected >= 300000" "$output"
  h rm -f du
  assert_nothing_left
}

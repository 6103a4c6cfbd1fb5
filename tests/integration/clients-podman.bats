#!/usr/bin/env bats
# Rootful podman (through conmon) drives the runtime, named by path, with
# private storage (--root/--runroot/--tmpdir) and a hermetic CONTAINERS_CONF.

load ../lib/clients
bats_require_minimum_version 1.5.0

setup_file() {
  command -v podman >/dev/null && command -v conmon >/dev/null || skip "podman is not installed"
  export RT; RT=$(client_runtime)
  export CL_DIR; CL_DIR=$(mktemp -d /tmp/hpd.XXXXXX)
  chmod 755 "$CL_DIR"
  # The runtime is registered under a name listed in runtime_supports_json,
  # so that conmon passes --log-format=json --log FILE as it does for crun.
  {
    echo "[containers]"
    "$HULL_SRC/scripts/prepare-host.sh" --print-ulimits
    echo "[engine]"
    if [ ! -d /run/systemd/system ]; then
      echo 'cgroup_manager = "cgroupfs"'
      echo 'events_logger = "file"'
    fi
    echo 'runtime = "hullrt"'
    echo 'runtime_supports_json = ["hullrt"]'
    echo "[engine.runtimes]"
    echo "hullrt = [\"$RT\"]"
  } >"$CL_DIR/containers.conf"
  export CONTAINERS_CONF=$CL_DIR/containers.conf
  make_rootfs_tar "$CL_DIR"
  P import -q --change 'CMD ["/bin/sh"]' "$CL_DIR/rootfs.tar" localhost/hulltest:latest >/dev/null
  export IMG=localhost/hulltest:latest
}

teardown_file() {
  [ -n "${CL_DIR:-}" ] && [ -d "$CL_DIR" ] || return 0
  P rm -fa -t 0 >/dev/null 2>&1
  P rmi -af >/dev/null 2>&1
  local p
  for p in $(pids_with_arg "$CL_DIR"); do kill -9 "$p" 2>/dev/null; done
  umount_under "$CL_DIR"
  rm -rf "$CL_DIR"
}

P() {
  timeout -k 5 "$CL_TIMEOUT" podman --root "$CL_DIR/root" --runroot "$CL_DIR/run" \
    --tmpdir "$CL_DIR/tmp" --storage-driver overlay "$@" 3>&-
}
NN="--network none"

@test "podman run --rm: output and exit status 0" {
  run P run --rm $NN "$IMG" echo hello-podman
  assert_status 0
  assert_eq "$output" hello-podman
}

@test "podman run: the exit status propagates" {
  run P run --rm $NN "$IMG" sh -c 'exit 3'
  assert_status 3
}

@test "podman run -i: stdin reaches the process" {
  run bash -c "echo stdin-ok | timeout 60 podman --root $CL_DIR/root --runroot $CL_DIR/run --tmpdir $CL_DIR/tmp --storage-driver overlay run --rm -i $NN $IMG sh -c 'read l; echo got:\$l'"
  assert_status 0
  assert_eq "$output" got:stdin-ok
}

@test "podman run -t: the process has a terminal (console socket)" {
  out=$(tty_run podman --root "$CL_DIR/root" --runroot "$CL_DIR/run" --tmpdir "$CL_DIR/tmp" --storage-driver overlay \
    run --rm -t $NN "$IMG" sh -c 'test -t 0 && test -t 1 && echo tty-ok')
  assert_contains "$out" tty-ok
}

@test "podman run -d, exec, exec -t, pause, unpause, stop, rm" {
  run P run -d --name hc-d $NN "$IMG" sleep 300
  assert_status 0
  run P exec hc-d echo exec-ok
  assert_status 0
  assert_eq "$output" exec-ok
  run P exec hc-d sh -c 'exit 4'
  assert_status 4
  out=$(tty_run podman --root "$CL_DIR/root" --runroot "$CL_DIR/run" --tmpdir "$CL_DIR/tmp" --storage-driver overlay \
    exec -t hc-d sh -c 'test -t 1 && echo exec-tty-ok')
  assert_contains "$out" exec-tty-ok
  run P pause hc-d
  assert_status 0
  assert_eq "$(P inspect -f '{{.State.Status}}' hc-d)" paused state
  run P unpause hc-d
  assert_status 0
  assert_eq "$(P inspect -f '{{.State.Status}}' hc-d)" running state
  pid=$(P inspect -f '{{.State.Pid}}' hc-d)
  run P stop -t 2 hc-d
  assert_status 0
  assert_eq "$(P inspect -f '{{.State.Status}}' hc-d)" exited state
  run P rm hc-d
  assert_status 0
  ! kill -0 "$pid" 2>/dev/null || fail "pid $pid still alive"
}

@test "podman kill sends the signal" {
  P run -d --name hc-k $NN "$IMG" sh -c 'trap "exit 7" USR1; while :; do sleep 0.1; done'
  run P kill -s USR1 hc-k
  assert_status 0
  wait_until 10 eval '[ "$(P inspect -f "{{.State.Status}}" hc-k)" = exited ]'
  assert_eq "$(P inspect -f '{{.State.ExitCode}}' hc-k)" 7 "exit code"
  P rm hc-k
}

@test "podman run with a user, a working directory and an environment" {
  run P run --rm $NN --user 1000:100 --workdir /tmp -e FOO=bar "$IMG" sh -c 'echo "$(id -u):$(id -g):$(pwd):$FOO"'
  assert_status 0
  assert_eq "$output" "1000:100:/tmp:bar"
}

@test "podman run --read-only and a volume" {
  mkdir -p "$CL_DIR/vol"
  echo from-host >"$CL_DIR/vol/f"
  run P run --rm $NN --read-only -v "$CL_DIR/vol:/vol:ro" "$IMG" sh -c 'cat /vol/f; touch /x 2>/dev/null && echo writable || echo read-only'
  assert_status 0
  assert_eq "$(echo $output)" "from-host read-only"
}

@test "a missing executable fails clearly (podman maps it to 127)" {
  run -127 P run --rm $NN "$IMG" /no/such/binary
  assert_contains "$output" "/no/such/binary"
}

@test "podman --runtime PATH uses the binary directly" {
  run P run --rm --runtime "$RT" $NN "$IMG" echo path-ok
  assert_status 0
  assert_eq "$output" path-ok
}

#!/usr/bin/env bats
# containerd 1.6 drives the runtime through containerd-shim-runc-v2 with
# `ctr run --runc-binary PATH` (runc.v1 options BinaryName: what the
# Kubernetes CRI plugin sets per RuntimeClass). The test starts its own
# containerd with a private configuration, socket and state.

load ../lib/clients

setup_file() {
  command -v containerd >/dev/null && command -v ctr >/dev/null || skip "containerd is not installed"
  export RT; RT=$(client_runtime)
  export CL_DIR; CL_DIR=$(mktemp -d /tmp/hcd.XXXXXX)
  chmod 755 "$CL_DIR"
  local D=$CL_DIR
  cat >"$D/config.toml" <<TOML
version = 2
root = "$D/root"
state = "$D/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$D/c.sock"
[ttrpc]
  address = "$D/c.sock.ttrpc"
[debug]
  address = "$D/debug.sock"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$D/opt"
TOML
  containerd --config "$D/config.toml" >"$D/containerd.log" 2>&1 3>&- &
  echo $! >"$D/containerd.pid"
  wait_until 20 ctr --address "$D/c.sock" version >/dev/null 2>&1 ||
    { cat "$D/containerd.log" >&3; return 1; }
  # An OCI image made locally from the busybox rootfs (no registry).
  make_rootfs_tar "$D"
  (
    cd "$D"
    umoci init --layout oci >/dev/null
    umoci new --image oci:latest >/dev/null
    umoci unpack --image oci:latest ub >/dev/null
    tar -C ub/rootfs -xf rootfs.tar
    umoci repack --image oci:latest ub >/dev/null
    umoci config --image oci:latest --config.cmd sh >/dev/null
    tar -C oci -cf oci.tar .
    rm -rf ub
  )
  ctr --address "$D/c.sock" images import --base-name localhost/hulltest "$D/oci.tar" >/dev/null
  export IMG=localhost/hulltest:latest
}

teardown_file() {
  [ -n "${CL_DIR:-}" ] && [ -d "$CL_DIR" ] || return 0
  local c p
  for c in $(C containers ls -q 2>/dev/null); do
    C task kill -s SIGKILL "$c" >/dev/null 2>&1
    sleep 0.2
    C task delete -f "$c" >/dev/null 2>&1
    C container rm "$c" >/dev/null 2>&1
  done
  # our shims only: matched on our private socket path
  local shims
  shims=$(pids_with_arg "$CL_DIR/c.sock")
  kill "$(cat "$CL_DIR/containerd.pid")" 2>/dev/null
  for p in $shims; do kill "$p" 2>/dev/null; done
  sleep 0.3
  for p in $(pids_with_arg "$CL_DIR"); do kill -9 "$p" 2>/dev/null; done
  umount_under "$CL_DIR"
  rm -rf "$CL_DIR"
}

C() { timeout -k 5 "$CL_TIMEOUT" ctr --address "$CL_DIR/c.sock" "$@" 3>&-; }
CR() { echo --fifo-dir "$CL_DIR/fifo" --runc-binary "$RT" --runc-root "$CL_DIR/runc"; }
newid() { echo "hc$RANDOM$RANDOM"; }

@test "ctr run --rm: output and exit status 0" {
  run C run --rm $(CR) "$IMG" "$(newid)" echo hello-ctr
  assert_status 0
  assert_eq "$output" hello-ctr
}

@test "ctr run: the exit status propagates" {
  run C run --rm $(CR) "$IMG" "$(newid)" sh -c 'exit 3'
  assert_status 3
}

@test "ctr run: stdin reaches the process" {
  # (ctr 1.6 does not close the task's stdin on EOF: read exactly one line)
  run bash -c "echo stdin-ok | timeout 60 ctr --address $CL_DIR/c.sock run --rm $(CR) $IMG $(newid) sh -c 'read l; echo got:\$l'"
  assert_status 0
  assert_eq "$output" got:stdin-ok
}

@test "ctr run -t: the process has a terminal (console socket)" {
  out=$(tty_run ctr --address "$CL_DIR/c.sock" run --rm -t $(CR) "$IMG" "$(newid)" sh -c 'test -t 0 && test -t 1 && echo tty-ok')
  assert_contains "$out" tty-ok
}

@test "ctr run -d, task exec, task ps, pause, resume, kill, delete" {
  id=$(newid)
  run C run -d $(CR) "$IMG" "$id" sleep 300
  assert_status 0
  run C task exec --fifo-dir "$CL_DIR/fifo" --exec-id e1 "$id" echo exec-ok
  assert_status 0
  assert_eq "$output" exec-ok
  run C task exec --fifo-dir "$CL_DIR/fifo" --exec-id e2 "$id" sh -c 'exit 5'
  assert_status 5
  run C task ps "$id"
  assert_status 0
  pid=$(C task ls | awk -v i="$id" '$1 == i {print $2}')
  assert_contains "$output" "$pid"
  run C task pause "$id"
  assert_status 0
  assert_eq "$(C task ls | awk -v i="$id" '$1 == i {print $3}')" PAUSED status
  run C task resume "$id"
  assert_status 0
  assert_eq "$(C task ls | awk -v i="$id" '$1 == i {print $3}')" RUNNING status
  run C task kill -s SIGKILL "$id"
  assert_status 0
  wait_until 10 eval "C task ls | grep -q \"^$id .*STOPPED\""
  run C task delete "$id"
  assert_status 0
  run C container rm "$id"
  assert_status 0
  ! kill -0 "$pid" 2>/dev/null || fail "pid $pid still alive"
}

@test "ctr task exec -t gives the exec'd process a terminal" {
  id=$(newid)
  C run -d $(CR) "$IMG" "$id" sleep 300
  out=$(tty_run ctr --address "$CL_DIR/c.sock" task exec -t --fifo-dir "$CL_DIR/fifo" --exec-id t1 "$id" sh -c 'test -t 1 && echo exec-tty-ok')
  assert_contains "$out" exec-tty-ok
  C task kill -s SIGKILL "$id"
  wait_until 10 eval "C task ls | grep -q \"^$id .*STOPPED\""
  C task delete "$id"
  C container rm "$id"
}

@test "ctr task kill SIGTERM stops a container that handles it" {
  id=$(newid)
  C run -d $(CR) "$IMG" "$id" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
  run C task kill "$id"
  assert_status 0
  wait_until 10 eval "C task ls | grep -q \"^$id .*STOPPED\""
  C task delete "$id"
  C container rm "$id"
}

@test "a missing executable fails the run and leaves no task" {
  id=$(newid)
  run C run --rm $(CR) "$IMG" "$id" /no/such/binary
  assert_status nz
  ! C task ls | grep -q "^$id " || fail "task left"
}

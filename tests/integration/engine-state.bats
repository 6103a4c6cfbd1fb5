#!/usr/bin/env bats
# State and reconciliation: a killed monitor, a wiped run directory (a
# reboot), 50 concurrent runs; limits read back from the cgroup files; cp,
# diff and commit.

bats_require_minimum_version 1.5.0
load ../lib/engine

setup_file() { engine_setup_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

monitor_pid_of() { # ID: the monitor holds RUNROOT/containers/ID as its cwd
  local p
  for p in $(monitor_pids); do
    [ "$(readlink "/proc/$p/cwd")" = "$RUNROOT/containers/$1" ] || continue
    [ "$(cat "/proc/$p/comm")" = hull-monitor ] && { echo "$p"; return 0; }
  done
  return 1
}

@test "a killed monitor: the container shows as exited, everything is cleaned, rm works" {
  id=$(hd run -d bb sleep 1000)
  mp=$(monitor_pid_of "$id")
  [ -n "$mp" ] || fail "no monitor for $id"
  init=$(h inspect --format '{{.State.Pid}}' "$id")
  kill -9 "$mp"
  run h ps -a --format '{{.ID}} {{.State}}'
  assert_eq "$output" "${id:0:12} exited"
  assert_eq "$(exit_code_of "$id")" 255
  run h inspect --format '{{.State.Error}}' "$id"
  assert_contains "$output" "monitor"
  # its processes, cgroup and root mount are gone
  # (gone, or a zombie of whatever adopted it)
  ! grep -qE '^State:\s+[RSD]' "/proc/$init/status" 2>/dev/null || fail "the container's init $init still runs"
  assert_no_cgroup "$id"
  ! grep -q "$id" /proc/self/mountinfo || fail "its root is still mounted"
  run h start "$id"
  assert_status 0
  assert_eq "$(state_of "$id")" running
  h rm -f "$id"
  assert_nothing_left
}

@test "a reboot (the run directory wiped): exited, and rm works" {
  id=$(hd run -d bb sleep 1000)
  mp=$(monitor_pid_of "$id")
  init=$(h inspect --format '{{.State.Pid}}' "$id")
  # what a reboot does: every process gone, /run empty, mounts gone
  kill -9 "$mp" "$init"
  sleep 0.2
  umount -l "$RUNROOT/containers/$id/rootfs" 2>/dev/null || true
  # (the network namespace bound under RUNROOT/netns too)
  for m in $(awk -v t="$RUNROOT/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  for c in $(cgroups_of "$id"); do rmdir "$c" 2>/dev/null || true; done
  rm -rf "$RUNROOT"
  run h ps -a --format '{{.ID}} {{.State}}'
  assert_eq "$output" "${id:0:12} exited"
  run h rm "$id"
  assert_status 0
  assert_nothing_left
}

@test "a CLI killed while running a container in the foreground leaves a working state" {
  nsenter --net="$NS" "$HULL" --root "$ROOT" --runroot "$RUNROOT" run --name fg bb sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
  cli=$!
  wait_until 10 state_is fg running
  kill -9 "$cli"
  wait "$cli" 2>/dev/null || true
  # the container lives on (its monitor is not the CLI)
  assert_eq "$(state_of fg)" running "state ($(cat "$RUNROOT"/containers/*/monitor.log))"
  run h stop -t 1 fg
  assert_status 0
  h rm fg
  assert_nothing_left
}

@test "50 concurrent run -d: all correct, then rm -f leaves nothing" {
  local i pids=()
  for i in $(seq 1 50); do
    hd run -d --name "c$i" -e "N=$i" bb sh -c 'echo "me $N"; exec sleep 1000' >"$TEST_DIR/id.$i" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fail "a run failed: $(cat "$TEST_DIR"/id.* | grep -v '^[0-9a-f]\{64\}$')"; done
  run h ps --format '{{.Names}}'
  assert_eq "$(echo "$output" | wc -l)" 50
  for i in $(seq 1 50); do
    id=$(cat "$TEST_DIR/id.$i")
    assert_match "$id" '^[0-9a-f]{64}$'
    assert_eq "$(h inspect --format '{{.Name}} {{.State.Status}}' "$id")" "/c$i running"
  done
  wait_until 10 logs_have c50 "me 50"
  run h logs c17
  assert_eq "$output" "me 17"
  # every name is unique and every id distinct
  assert_eq "$(cat "$TEST_DIR"/id.* | sort -u | wc -l)" 50
  ids=$(h ps -q --no-trunc)
  pids=()
  for i in $(seq 1 50); do h rm -f "c$i" >"$TEST_DIR/rm.$i" 2>&1 & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || fail "an rm -f failed: $(cat "$TEST_DIR"/rm.*)"; done
  assert_nothing_left
  for id in $ids; do assert_no_cgroup "$id"; done
}

@test "20 concurrent creates with one name: exactly one wins" {
  local i pids=()
  for i in $(seq 1 20); do
    hd create --name same bb true >"$TEST_DIR/res.$i" 2>&1 &
    pids+=($!)
  done
  local ok=0
  for p in "${pids[@]}"; do wait "$p" && ok=$((ok + 1)); done
  assert_eq "$ok" 1
  assert_eq "$(h ps -aq | wc -l)" 1
  grep -l "already in use" "$TEST_DIR"/res.* | wc -l | grep -qx 19 || fail "19 clear errors expected:" "$(cat "$TEST_DIR"/res.* | sort | uniq -c)"
}

@test "limits are applied: read back from the cgroup files" {
  id=$(hd run -d --memory 64m --cpus 0.5 --cpu-shares 512 --pids-limit 20 --cpuset-cpus 0 \
        --ulimit nofile=256:512 bb sleep 1000)
  cg=hull/$id
  mem=/sys/fs/cgroup/memory/$cg
  if [ -d "$mem" ]; then
    assert_eq "$(cat "$mem/memory.limit_in_bytes")" 67108864
    assert_eq "$(cat /sys/fs/cgroup/cpu/$cg/cpu.cfs_quota_us)" 50000
    assert_eq "$(cat /sys/fs/cgroup/cpu/$cg/cpu.cfs_period_us)" 100000
    assert_eq "$(cat /sys/fs/cgroup/cpu/$cg/cpu.shares)" 512
    assert_eq "$(cat /sys/fs/cgroup/pids/$cg/pids.max)" 20
    assert_eq "$(cat /sys/fs/cgroup/cpuset/$cg/cpuset.cpus)" 0
  else
    assert_eq "$(cat /sys/fs/cgroup/$cg/memory.max)" 67108864
    assert_eq "$(cat /sys/fs/cgroup/$cg/cpu.max)" "50000 100000"
    assert_eq "$(cat /sys/fs/cgroup/$cg/pids.max)" 20
  fi
  run h exec "$id" sh -c 'ulimit -n; ulimit -Hn'
  assert_eq "$output" "$(printf '256\n512')"
  # the pids limit holds inside
  run h exec "$id" sh -c 'for i in $(seq 1 40); do sleep 5 & done 2>&1; wait'
  assert_contains "$output" "fork"
  h rm -f "$id"
  assert_no_cgroup "$id"
}

@test "an OOM kill is recorded" {
  id=$(hd run -d --memory 8m bb sh -c 'x=a; while true; do x=$x$x; done')
  wait_until 20 state_is "$id" exited
  assert_eq "$(h inspect --format '{{.State.OOMKilled}} {{.State.ExitCode}}' "$id")" "true 137"
}

@test "default confinement: capabilities, seccomp, masked paths, read-only root" {
  run h run --rm bb sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; cat /proc/kcore | wc -c'
  assert_contains "$output" "CapEff:	00000000a80425fb"
  assert_match "$output" "Seccomp:	2"
  assert_contains "$output" "0"
  run h run --rm --cap-drop ALL --cap-add NET_ADMIN bb grep CapEff /proc/self/status
  assert_contains "$output" "0000000000001000"
  run h run --rm --read-only bb sh -c 'touch /x 2>&1; touch /dev/shm/ok && echo shm-ok'
  assert_contains "$output" "Read-only file system"
  assert_contains "$output" "shm-ok"
  run h run --rm --security-opt seccomp=unconfined bb grep Seccomp: /proc/self/status
  assert_match "$output" "Seccomp:	0"
  run h run --rm --network none bb sh -c 'ip -o link | wc -l; ping -c1 -W1 127.0.0.1 >/dev/null && echo lo-up'
  assert_contains "$output" "lo-up"
  run h run --rm -u user bb id -u
  assert_eq "$output" 1000
  run h run --rm -h myhost bb sh -c 'hostname; cat /etc/hostname; grep -c localhost /etc/hosts'
  assert_eq "$output" "$(printf 'myhost\nmyhost\n2')"
}

@test "cp in and out; a symlink in the container pointing outside stays inside" {
  outside=$TEST_DIR/outside
  mkdir -p "$outside"
  echo host-secret >"$outside/secret"
  id=$(hd run -d bb sh -c "mkdir -p /data $outside; echo inside > /data/f; chmod 640 /data/f; chown 1000:100 /data/f;
                           ln -s $outside /escape; ln -s $outside/secret /data/link; exec sleep 1000")
  wait_until 5 h exec "$id" test -L /data/link
  out=$TEST_DIR/out
  mkdir -p "$out"
  h cp "$id:/data" "$out/"
  assert_eq "$(cat "$out/data/f")" inside
  assert_eq "$(stat -c '%a %u %g' "$out/data/f")" "640 1000 100"
  # the symlink comes out as a symlink, not as the host file it names
  [ -L "$out/data/link" ] || fail "the link was followed"
  # reading through a symlink that points out: it resolves inside the root
  # (where the same path exists, empty)
  run h cp "$id:/escape/secret" "$out/s"
  assert_status nz
  assert_contains "$output" "secret"
  [ ! -e "$out/s" ] || fail "read the host's file: $(cat "$out/s")"
  run h cp "$id:/data/link" "$out/l2" -L
  [ ! -e "$out/l2" ] || [ "$(cat "$out/l2")" != host-secret ] || fail "-L followed the link out"
  # writing through it: the file lands in the container, not on the host
  echo from-host >"$TEST_DIR/newfile"
  h cp "$TEST_DIR/newfile" "$id:/escape/"
  [ ! -e "$outside/newfile" ] || fail "wrote through a symlink to the host"
  run h exec "$id" cat "$outside/newfile"
  assert_eq "$output" from-host
  # a tar on stdin, and one on stdout
  mkdir -p "$TEST_DIR/t/sub"; echo t1 >"$TEST_DIR/t/sub/x"
  tar -C "$TEST_DIR/t" -cf - sub | h cp - "$id:/data"
  run h exec "$id" cat /data/sub/x
  assert_eq "$output" t1
  run sh -c "$(printf '%q ' "$HULL" --root "$ROOT" --runroot "$RUNROOT") cp $id:/data/f - | tar -tv"
  assert_contains "$output" "1000/100"
  # a hostile tar: .. and absolute names are refused
  python3 - "$TEST_DIR/evil.tar" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    i = tarfile.TarInfo("../../evil"); i.size = 1
    t.addfile(i, io.BytesIO(b"x"))
EOF
  run h cp - "$id:/data" <"$TEST_DIR/evil.tar"
  assert_status nz
  assert_contains "$output" ".."
  # errors name what is missing
  run h cp "$id:/nonexistent" "$out/"
  assert_status nz
  assert_contains "$output" "/nonexistent"
}

@test "diff shows A/C/D; commit, then run the new image" {
  id=$(hd run -d bb sh -c 'mkdir /new; echo n > /new/f; rm /etc/group; echo c >> /etc/passwd; exec sleep 1000')
  wait_until 5 h exec "$id" test -f /new/f
  run h diff "$id"
  assert_contains "$output" "A /new"
  assert_contains "$output" "A /new/f"
  assert_contains "$output" "D /etc/group"
  assert_contains "$output" "C /etc/passwd"
  assert_contains "$output" "C /etc"
  assert_not_contains "$output" "/etc/resolv.conf"
  run h commit -m msg -a me -c 'CMD ["cat", "/new/f"]' -c 'ENV X=1' "$id" committed:v1
  assert_status 0
  assert_match "$output" '^sha256:[0-9a-f]{64}$'
  run h run --rm committed:v1
  assert_eq "$output" n
  run h run --rm committed:v1 sh -c 'echo $X; test -e /etc/group || echo no-group; tail -1 /etc/passwd'
  assert_eq "$output" "$(printf '1\nno-group\nc')"
  run h commit -c 'BOGUS x' "$id" x:y
  assert_status nz
  assert_contains "$output" "BOGUS"
  h rm -f "$id"
  h rmi committed:v1
}

@test "system df and prune" {
  hd create --name stopped bb true >/dev/null
  hd run -d --name running bb sleep 1000 >/dev/null
  run h system df
  assert_match "$output" "Containers +2 +1"
  run h system prune -f
  assert_contains "$output" "Deleted Containers"
  run h ps -a --format '{{.Names}}'
  assert_eq "$output" running
}

#!/usr/bin/env bats
# The container is hostile: it must not reach the runtime binary
# (CVE-2019-5736 class), host fds, or paths outside its rootfs through
# symlinks; it gets no capability it was not given; no_new_privs holds.

load ../lib/bundle

setup() { hull_setup; }
teardown() { hull_teardown; }

rt_bin() { readlink -f "$(command -v "$RUNTIME")"; }

# writable_exes: the write.PID=ok lines of the probe's exec-self/watch-exe
# output whose exe is not a file of the container's own rootfs.
writable_host_exes() {
  local line pid exe
  for line in $(printf '%s\n' "$1" | grep '^write\.[0-9]*=ok$'); do
    pid=${line#write.}; pid=${pid%%=*}
    exe=$(kv "exe.$pid" "$1")
    case "$exe" in /probe|/bin/busybox|/suid-probe) ;; *) echo "$pid:$exe" ;; esac
  done
}

@test "/proc/self/exe of the container process cannot be opened for writing" {
  run_ct /probe exec-self
  assert_status 0
  assert_eq "$(kv exe)" /probe exe
  assert_ne "$(kv self_write)" ok "write /proc/self/exe"
}

@test "#!/proc/self/exe entrypoint: the runtime binary is neither written nor reopened for writing" {
  before=$(file_sha "$(rt_bin)")
  printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/evil"
  chmod 755 "$BUNDLE/rootfs/evil"
  # The container's init watches for new processes (the runtime's process
  # joining for exec, then what /evil becomes) and grabs their exe.
  set_args /probe watch-exe 4
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  out=$LAST_OUT
  wait_until 5 grep -q '^watching=' "$out"
  for i in 1 2 3; do
    rt exec "$ID" /evil >/dev/null 2>&1 </dev/null || true
    rt exec "$ID" /probe ids >/dev/null 2>&1 </dev/null || true
  done
  wait_until 20 grep -q '^watched=' "$out"
  watch=$(cat "$out")
  [ -z "$(writable_host_exes "$watch")" ] || fail "reopened for writing: $(writable_host_exes "$watch")" "$watch"
  assert_eq "$(file_sha "$(rt_bin)")" "$before" "runtime binary sha256"
}

@test "#!/proc/self/exe as the container's own entrypoint leaves the runtime binary intact" {
  before=$(file_sha "$(rt_bin)")
  printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/evil"
  chmod 755 "$BUNDLE/rootfs/evil"
  set_args /evil
  rt run --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 || true
  assert_eq "$(file_sha "$(rt_bin)")" "$before" "runtime binary sha256"
  assert_nothing_left "$ID"
}

@test "an exec'd process cannot reopen another container process's runtime exe" {
  set_args /probe sleep 60
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  run rt exec "$ID" /probe exec-self
  assert_status 0
  [ -z "$(writable_host_exes "$output")" ] || fail "reopened for writing: $(writable_host_exes "$output")"
}

@test "no host fd reaches the container: only 0, 1, 2" {
  set_args /probe fds
  # fds the runtime inherits from its caller (as clients leave them around)
  run timeout 20 "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$ID" 3>&- 4<"$TEST_DIR" 5<"$BUNDLE/config.json" 7>"$TEST_DIR/w" 9</dev/null
  assert_status 0
  assert_eq "$(kv fds)" 0,1,2 fds
}

@test "no host fd reaches the container after create + start" {
  set_args /probe fds
  timeout 20 "$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$ID" \
    3>&- 4<"$TEST_DIR" 6<"$BUNDLE/config.json" </dev/null >"$TEST_DIR/out" 2>&1
  rt start "$ID"
  wait_until 5 grep -q '^fds=' "$TEST_DIR/out"
  assert_eq "$(kv fds "$(cat "$TEST_DIR/out")")" 0,1,2 fds
}

@test "--preserve-fds passes exactly the fds asked for" {
  set_args /probe fds
  run timeout 20 "$RUNTIME" --root "$ROOT" run --preserve-fds 2 --bundle "$BUNDLE" "$ID" 3<"$BUNDLE/config.json" 4<"$TEST_DIR" 5<"$TEST_DIR"
  assert_status 0
  assert_eq "$(kv fds)" 0,1,2,3,4 fds
  assert_eq "$(kv fd.3)" "$BUNDLE/config.json" fd.3
}

@test "the process's cwd is inside the rootfs" {
  cfg '.process.cwd = "/home/user"'
  run_ct sh -c '/probe cwd; ls /proc/self/cwd/..'
  assert_status 0
  assert_eq "$(kv cwd)" /home/user
  assert_contains "$output" "user"
}

@test "a cwd behind a symlink pointing outside stays inside the rootfs" {
  mkdir -p "$TEST_DIR/outside-cwd"
  touch "$TEST_DIR/outside-cwd/host-only-file"
  ln -s "$TEST_DIR/outside-cwd" "$BUNDLE/rootfs/cwd-link"
  cfg '.process.cwd = "/cwd-link"'
  run_ct sh -c 'ls -A .; echo end'
  # refused, or a directory inside the rootfs: never the host's
  assert_not_contains "$output" "host-only-file"
  if [ "$status" -eq 0 ]; then
    assert_contains "$output" "end"
  else
    assert_nothing_left "$ID"
  fi
}

@test "a symlink in the rootfs pointing a mount target outside is resolved inside the rootfs" {
  mkdir -p "$TEST_DIR/outside"
  ln -s "$TEST_DIR/outside" "$BUNDLE/rootfs/escape-abs"
  ln -s "../../../../../../../../..$TEST_DIR/outside" "$BUNDLE/rootfs/escape-rel"
  cfg '.mounts += [{"destination": "/escape-abs/m1", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
                   {"destination": "/escape-rel/m2", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
  set_args sh -c 'touch /escape-abs/m1/a /escape-rel/m2/b; /probe mounts; sleep 60'
  # The runtime either refuses (crun: the target does not exist inside) or
  # resolves the symlinks inside the rootfs (runc); it never goes outside.
  run rt_detached run -d --bundle "$BUNDLE" "$ID"
  [ -z "$(ls -A "$TEST_DIR/outside")" ] || fail "created outside the rootfs: $(ls -A "$TEST_DIR/outside")"
  ! grep -qF "$TEST_DIR/outside" /proc/self/mountinfo || fail "a mount landed on the host's path"
  if [ "$status" -ne 0 ]; then
    assert_nothing_left "$ID"
    return
  fi
  out=$(last_out)
  wait_until 5 grep -q '^mount=' "$out"
  [ -z "$(ls -A "$TEST_DIR/outside")" ] || fail "created outside the rootfs: $(ls -A "$TEST_DIR/outside")"
  assert_contains "$(cat "$out")" "mount=$TEST_DIR/outside/m1 type=tmpfs"
  assert_contains "$(cat "$out")" "mount=$TEST_DIR/outside/m2 type=tmpfs"
}

@test "a bind mount's destination symlink cannot redirect onto a host file" {
  echo host-secret >"$TEST_DIR/secret"
  echo replacement >"$TEST_DIR/replacement"
  ln -s "$TEST_DIR/secret" "$BUNDLE/rootfs/etc/link"
  cfg '.mounts += [{"destination": "/etc/link", "type": "bind", "source": $r, "options": ["bind", "ro"]}]' --arg r "$TEST_DIR/replacement"
  set_args sh -c 'cat /etc/link; sleep 60'
  # refusing is fine (hullrt), resolving inside the rootfs too (crun, runc)
  run rt_detached run -d --bundle "$BUNDLE" "$ID"
  assert_eq "$(cat "$TEST_DIR/secret")" host-secret "host file"
  ! grep -qF "$TEST_DIR/secret" /proc/self/mountinfo || fail "mounted over the host file"
  [ "$status" -eq 0 ] || assert_nothing_left "$ID"
}

@test "masked and read-only paths behind symlinks stay inside the rootfs" {
  mkdir -p "$TEST_DIR/hostdir"
  echo host >"$TEST_DIR/hostfile"
  ln -s "$TEST_DIR/hostfile" "$BUNDLE/rootfs/masked-link"
  ln -s "$TEST_DIR/hostdir" "$BUNDLE/rootfs/ro-link"
  cfg '.linux.maskedPaths += ["/masked-link"] | .linux.readonlyPaths += ["/ro-link"]'
  set_args /probe sleep 60
  run rt_detached run -d --bundle "$BUNDLE" "$ID"
  # the runtime may refuse or resolve inside; the host must not be touched
  assert_eq "$(cat "$TEST_DIR/hostfile")" host "host file"
  ! grep -qF -e "$TEST_DIR/hostfile" -e "$TEST_DIR/hostdir" /proc/self/mountinfo || fail "mounted on the host"
  touch "$TEST_DIR/hostdir/still-writable"
  if [ "$status" -eq 0 ]; then
    pid=$(pid_of "$ID")
    ! grep -qF -e " /masked-link " /proc/$pid/mountinfo || true
  fi
}

@test "no inheritable or ambient capability unless asked" {
  run_ct /probe caps
  assert_status 0
  assert_eq "$(kv cap_inh)" 0000000000000000 inheritable
  assert_eq "$(kv cap_amb)" 0000000000000000 ambient
}

@test "a non-root process gets no capability from an empty config" {
  cfg '.process.user = {"uid": 1000, "gid": 1000} | del(.process.capabilities)'
  run_ct /probe caps
  assert_status 0
  for s in cap_inh cap_prm cap_eff cap_amb; do
    assert_eq "$(kv $s)" 0000000000000000 $s
  done
}

@test "no_new_privs is set before exec: a setuid binary does not raise privileges" {
  cp "$PROBE" "$BUNDLE/rootfs/suid-probe"
  chown 0:0 "$BUNDLE/rootfs/suid-probe"
  chmod 4755 "$BUNDLE/rootfs/suid-probe"
  cfg '.process.user = {"uid": 1000, "gid": 1000} | .process.noNewPrivileges = true'
  run_ct /suid-probe ids
  assert_status 0
  assert_eq "$(kv euid)" 1000 "euid with no_new_privs"
  cfg '.process.noNewPrivileges = false'
  ID=$(new_id)
  run_ct /suid-probe ids
  assert_status 0
  assert_eq "$(kv euid)" 0 "euid without no_new_privs (the setuid bit works)"
}

@test "the container cannot see the runtime's state or the bundle" {
  run_ct sh -c "ls $ROOT $BUNDLE 2>&1; echo done"
  assert_contains "$output" "No such file"
  assert_contains "$output" "done"
}

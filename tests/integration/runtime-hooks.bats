#!/usr/bin/env bats
# hooks: prestart, createRuntime, createContainer, startContainer, poststart,
# poststop; the state on stdin; args, env; timeouts; failures.

load ../lib/bundle

setup() {
  hull_setup
  H=$TEST_DIR/hooks
  mkdir -p "$H"
  # The same absolute path inside the container (for the hooks that run in
  # the container's mount namespace) as on the host.
  cfg '.mounts += [{"destination": $h, "type": "bind", "source": $h, "options": ["bind"]}]' --arg h "$H"
}
teardown() { hull_teardown; }

# hook NAME: a hook of kind NAME that saves its stdin and appends to the order log.
hook() {
  cfg ".hooks.$1 += [\$h]" --argjson h "$(jq -n --arg n "$1" --arg d "$H" \
    '{path: "/bin/sh", args: ["sh", "-c", "cat > \($d)/\($n).json; echo \($n) >> \($d)/order"]}')"
}

@test "all six hooks run, in order, each with the container state on stdin" {
  for h in prestart createRuntime createContainer startContainer poststart poststop; do hook $h; done
  set_args /probe exit 0
  rt_detached create --bundle "$BUNDLE" "$ID"
  # runc 1.1 runs poststart at create time and crun 1.8 races poststart
  # with startContainer: the exact order is checked for hullrt only.
  if is_hullrt; then
    assert_eq "$(cat "$H/order" | xargs)" "prestart createRuntime createContainer" "after create"
  else
    assert_eq "$(head -n 3 "$H/order" | xargs)" "prestart createRuntime createContainer" "after create"
  fi
  rt start "$ID"
  wait_until 5 status_is "$ID" stopped
  if is_hullrt; then
    assert_eq "$(cat "$H/order" | xargs)" "prestart createRuntime createContainer startContainer poststart" "after start"
  else
    assert_eq "$(sort "$H/order" | xargs)" "createContainer createRuntime poststart prestart startContainer" "after start"
  fi
  rt delete "$ID"
  assert_eq "$(tail -n 1 "$H/order")" poststop "last, after delete"
  # crun 1.8 gives startContainer (run inside the container) bundle "/"
  all="prestart createRuntime createContainer poststart poststop"
  is_hullrt && all+=" startContainer"
  jq -e --arg id "$ID" '.id == $id' "$H/startContainer.json"
  for h in $all; do
    jq -e --arg id "$ID" --arg b "$BUNDLE" '.id == $id and .bundle == $b and (.ociVersion | length > 0)' "$H/$h.json" ||
      fail "$h: $(cat "$H/$h.json")"
  done
  # (crun 1.8 reports pid 0 to the hooks run in the container)
  withpid="prestart createRuntime poststart"
  is_hullrt && withpid+=" createContainer startContainer"
  for h in $withpid; do
    jq -e '.pid > 0' "$H/$h.json" || fail "$h: no pid: $(cat "$H/$h.json")"
  done
}

@test "run runs the hooks too, poststop included" {
  for h in prestart createRuntime poststart poststop; do hook $h; done
  set_args /probe exit 0
  run rt run --bundle "$BUNDLE" "$ID"
  assert_status 0
  assert_eq "$(cat "$H/order" | xargs)" "prestart createRuntime poststart poststop" order
}

@test "createRuntime runs in the host's namespaces, createContainer in the container's" {
  cfg '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "readlink /proc/self/ns/mnt > \($h)/cr.mnt"]}]
       | .hooks.createContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "readlink /proc/self/ns/mnt > \($h)/cc.mnt"]}]' --arg h "$H"
  set_args /probe sleep 30
  rt_detached create --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  assert_eq "$(cat "$H/cr.mnt")" "$(readlink /proc/self/ns/mnt)" "createRuntime mnt ns"
  assert_eq "$(cat "$H/cc.mnt")" "$(readlink /proc/$pid/ns/mnt)" "createContainer mnt ns"
}

@test "hook args and env are passed" {
  cfg '.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "echo \"$0 $1 $HOOKVAR\" > \($h)/args", "zero", "one"], "env": ["HOOKVAR=hv"]}]' --arg h "$H"
  set_args /probe exit 0
  run rt run --bundle "$BUNDLE" "$ID"
  assert_status 0
  assert_eq "$(cat "$H/args")" "zero one hv" "args and env"
}

@test "a hook that outlives its timeout is killed and create fails, leaving nothing" {
  cfg '.hooks.createRuntime = [{"path": "/bin/sleep", "args": ["sleep", "25"], "timeout": 1}]'
  set_args /probe exit 0
  run rt_detached create --bundle "$BUNDLE" "$ID"
  assert_status nz
  [ "$status" -ne 124 ] || fail "the runtime waited for the hook (no timeout)"
  assert_nothing_left "$ID"
}

@test "a failing prestart hook fails create with an error, leaving nothing" {
  cfg '.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]'
  set_args /probe exit 0
  run rt_detached create --bundle "$BUNDLE" "$ID"
  assert_error_mentions
  assert_nothing_left "$ID"
}

@test "a failing createContainer hook fails create, leaving nothing" {
  cfg '.hooks.createContainer = [{"path": "/bin/false"}]'
  set_args /probe exit 0
  run rt_detached create --bundle "$BUNDLE" "$ID"
  assert_status nz
  assert_nothing_left "$ID"
}

@test "a failing poststop hook does not make delete fail" {
  cfg '.hooks.poststop = [{"path": "/bin/sh", "args": ["sh", "-c", "cat >/dev/null; exit 1"]}]'
  set_args /probe exit 0
  rt_detached create --bundle "$BUNDLE" "$ID"
  rt start "$ID"
  wait_until 5 status_is "$ID" stopped
  run rt delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "a hook that does not read its stdin does not kill the runtime (SIGPIPE)" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 dies of SIGPIPE here"
  cfg '.hooks.poststop = [{"path": "/bin/false"}]'
  set_args /probe exit 0
  rt_detached create --bundle "$BUNDLE" "$ID"
  rt start "$ID"
  wait_until 5 status_is "$ID" stopped
  run rt delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "a hook path that does not exist fails create clearly" {
  cfg '.hooks.createRuntime = [{"path": "/no/such/hook"}]'
  set_args /probe exit 0
  run rt_detached create --bundle "$BUNDLE" "$ID"
  assert_status nz
  assert_nothing_left "$ID"
}

# record NAME: a hook of kind NAME that saves its stdin, cwd and environment.
record() {
  cfg ".hooks.$1 += [\$h]" --argjson h "$(jq -n --arg n "$1" --arg d "$H" \
    '{path: "/bin/sh", args: ["sh", "-c", "cat > \($d)/\($n).json; pwd > \($d)/\($n).cwd; env > \($d)/\($n).env"]}')"
}

@test "hooks read the statuses the spec names: created before start, running after, stopped at the end" {
  for h in prestart createRuntime poststart poststop; do record $h; done
  set_args /probe exit 0
  rt_detached create --bundle "$BUNDLE" "$ID"
  rt start "$ID"
  wait_until 5 status_is "$ID" stopped
  rt delete "$ID"
  assert_eq "$(jq -r .status "$H/poststop.json")" stopped poststop
  # runc 1.1 says "creating" to prestart and runs poststart before start
  # ("created"); runtime-spec and the runtime-tools suite want these:
  [ "$(runtime_name)" != runc ] || skip "runc 1.1: prestart creating, poststart created"
  assert_eq "$(jq -r .status "$H/prestart.json")" created prestart
  assert_eq "$(jq -r .status "$H/createRuntime.json")" created createRuntime
  assert_eq "$(jq -r .status "$H/poststart.json")" running poststart
}

@test "a hook without env gets the runtime's environment; one with env gets exactly that" {
  record prestart
  cfg '.hooks.poststop = [{"path": "/bin/sh", "args": ["sh", "-c", "env > \($h)/withenv.env"], "env": ["ONLY=this"]}]' --arg h "$H"
  set_args /probe exit 0
  HULL_HOOK_SEES=yes run rt run --bundle "$BUNDLE" "$ID"
  assert_status 0
  grep -qx HULL_HOOK_SEES=yes "$H/prestart.env" || fail "prestart env: $(cat "$H/prestart.env")"
  grep -q '^PATH=' "$H/prestart.env" || fail "no PATH in the prestart env"
  ! grep -q HULL_HOOK_SEES "$H/withenv.env" || fail "env given, yet ours leaked: $(cat "$H/withenv.env")"
  grep -qx ONLY=this "$H/withenv.env"
}

@test "hooks run in the bundle; createContainer in the rootfs, as runc runs it" {
  for h in prestart createRuntime createContainer poststart poststop; do record $h; done
  set_args /probe exit 0
  rt run --bundle "$BUNDLE" "$ID"
  for h in prestart createRuntime poststart poststop; do
    assert_eq "$(cat "$H/$h.cwd")" "$BUNDLE" "$h cwd"
  done
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 runs createContainer in the bundle"
  assert_eq "$(cat "$H/createContainer.cwd")" "$BUNDLE/rootfs" "createContainer cwd"
}

@test "a failing poststart hook is a warning: start succeeds and the container runs on" {
  [ "$(runtime_name)" != runc ] || skip "runc 1.1 fails create and kills the container"
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 fails start and kills the container"
  cfg '.hooks.poststart = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 7"]},
                           {"path": "/bin/sh", "args": ["sh", "-c", "echo second > \($h)/second"]}]' --arg h "$H"
  set_args /probe sleep 30
  rt_detached create --bundle "$BUNDLE" "$ID"
  run rt start "$ID"
  assert_status 0
  assert_contains "$output" "poststart"
  assert_eq "$(state_of "$ID")" running
  assert_eq "$(cat "$H/second")" second "the next hook ran"
}

@test "a failing poststart hook in run: the process still runs to its end and its status is returned" {
  [ "$(runtime_name)" = hullrt ] || skip "runc 1.1 and crun 1.8 fail run on a poststart error"
  cfg '.hooks.poststart = [{"path": "/bin/false"}]'
  set_args /probe exit 5
  run rt run --bundle "$BUNDLE" "$ID"
  assert_status 5
  assert_nothing_left "$ID"
}

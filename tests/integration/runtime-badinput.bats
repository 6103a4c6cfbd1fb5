#!/usr/bin/env bats
# Bad input: a clear error naming what is wrong, a non-zero exit status, and
# nothing left behind (state, files, mounts, cgroups, processes).

load ../lib/bundle

setup() {
  hull_setup
  cfg '.linux.cgroupsPath = $p' --arg p "/$ID"
  set_args /probe sleep 60
}
teardown() { hull_teardown; }

# names_it NEEDLE...: the error names what is wrong. runc and crun do not
# always say (runc: "unexpected EOF", "container does not exist"), hullrt must.
names_it() {
  assert_error_mentions
  if is_hullrt; then
    local n
    for n in "$@"; do assert_contains "$output" "$n"; done
  fi
}

# create_fails NEEDLE...: create and run must fail, name the problem, leave nothing.
create_fails() {
  run rt_detached create --bundle "$BUNDLE" "$ID"
  names_it "$@"
  assert_nothing_left "$ID"
  run rt_detached run --bundle "$BUNDLE" "$ID"
  names_it "$@"
  assert_nothing_left "$ID"
}

@test "malformed config.json (not JSON)" {
  echo '{"ociVersion": "1.0.2", "process": ' >"$BUNDLE/config.json"
  create_fails config.json
}

@test "config.json of the wrong type (an array)" {
  echo '[]' >"$BUNDLE/config.json"
  create_fails
}

@test "missing config.json" {
  rm "$BUNDLE/config.json"
  create_fails config.json
}

@test "missing rootfs" {
  rm -rf "$BUNDLE/rootfs"
  create_fails rootfs
}

@test "root.path names a file, not a directory" {
  cfg '.root.path = "config.json"'
  create_fails
}

@test "process.args empty" {
  cfg '.process.args = []'
  create_fails
}

@test "process.cwd relative" {
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 accepts a relative cwd (the spec says absolute)"
  cfg '.process.cwd = "relative/dir"'
  create_fails
}

@test "unknown namespace type" {
  cfg '.linux.namespaces += [{"type": "nosuchns"}]'
  create_fails nosuchns
}

@test "namespace path that does not exist" {
  cfg '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = "/proc/no/such/ns" else . end]'
  create_fails /proc/no/such/ns
}

@test "unknown capability" {
  is_hullrt || skip "crun ignores, runc warns; the spec says a value that cannot be mapped MUST be an error"
  cfg '.process.capabilities.bounding += ["CAP_NO_SUCH"]'
  create_fails CAP_NO_SUCH
}

@test "unknown rlimit" {
  cfg '.process.rlimits += [{"type": "RLIMIT_NO_SUCH", "soft": 1, "hard": 1}]'
  create_fails RLIMIT_NO_SUCH
}

@test "mount of an unknown filesystem type" {
  cfg '.mounts += [{"destination": "/x", "type": "nosuchfs", "source": "none"}]'
  create_fails
}

@test "bind mount of a missing source" {
  cfg '.mounts += [{"destination": "/x", "type": "bind", "source": $s, "options": ["bind"]}]' --arg s "$TEST_DIR/no-such-dir"
  create_fails no-such-dir
}

@test "a failing prestart hook fails create and leaves nothing" {
  cfg '.hooks.prestart = [{"path": "/bin/false"}]'
  create_fails
}

@test "unknown container id: state, start, kill, delete, exec, ps" {
  for cmd in state start kill delete ps; do
    run rt $cmd no-such-id
    names_it no-such-id
  done
  run rt exec no-such-id /probe ids
  names_it no-such-id
}

@test "invalid container ids are refused" {
  for bad in "../escape" "a/b" "" ".."; do
    run rt_detached create --bundle "$BUNDLE" "$bad"
    assert_status nz
  done
  [ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || fail "left in --root: $(ls -A "$ROOT")"
  [ ! -e "$TEST_DIR/escape" ] || fail "an id escaped --root"
}

@test "bad signal name or number: error, container untouched" {
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  sigs="999 -3"
  # crun 1.8 accepts any unknown name (and sends nothing)
  [ "$(runtime_name)" = crun ] || sigs+=" SIGNOPE NOPE"
  for sig in $sigs; do
    run rt kill "$ID" "$sig"
    names_it "$sig"
  done
  assert_eq "$(state_of "$ID")" running
}

@test "duplicate id: error, the first container is untouched" {
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  run rt_detached run --bundle "$BUNDLE" "$ID"
  assert_status nz
  assert_eq "$(state_of "$ID")" running
  assert_eq "$(pid_of "$ID")" "$pid"
  kill -0 "$pid"
}

@test "a missing executable: nothing left" {
  set_args /no/such/exe
  run rt run --bundle "$BUNDLE" "$ID"
  assert_error_mentions /no/such/exe
  assert_nothing_left "$ID"
}

@test "a cwd that does not exist in the rootfs: nothing left" {
  cfg '.process.cwd = "/no/such/cwd"'
  run rt run --bundle "$BUNDLE" "$ID"
  assert_status nz
  assert_nothing_left "$ID"
}

@test "a user namespace without mappings as root: error, nothing left" {
  cfg '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 0}]'
  create_fails
}

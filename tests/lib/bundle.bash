# bundle.bash - helpers for the runtime integration suites (bats).
#
#   load ../lib/bundle
#   setup()    { hull_setup; }      # private dirs, a fresh bundle in $BUNDLE
#   teardown() { hull_teardown; }   # delete --force, kill, umount, rmdir cgroups
#
# The runtime under test is $RUNTIME (default: the built hullrt); every call
# goes through `rt`, which adds a private --root and a timeout. Validate a test
# against the anchors first: RUNTIME=crun tests/run --no-deps runtime-x
#
# Containers run the static probe (/probe in the rootfs, tests/probe/probe.c)
# and the test reads its key=value lines with `kv KEY`.

HULL_SRC=${HULL_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
HULL_BUILD=${HULL_BUILD:-$HULL_SRC/build}
RUNTIME=${RUNTIME:-$HULL_BUILD/cmd/hullrt/hullrt}
PROBE=${PROBE:-$HULL_BUILD/tests/probe/probe}
RT_TIMEOUT=${RT_TIMEOUT:-30}

# runtime_name: crun, runc or hullrt (for the few runtime-specific checks).
runtime_name() {
  basename "$(readlink -f "$(command -v "$RUNTIME" || echo "$RUNTIME")")"
}
is_hullrt() { [[ $(runtime_name) == hullrt* ]]; }

# --------------------------------------------------------------- setup
hull_setup() {
  if ! command -v "$RUNTIME" >/dev/null 2>&1; then
    echo "# RUNTIME \`$RUNTIME\` not found (not built?)" >&3
    return 1
  fi
  [ -x "$PROBE" ] || { echo "# probe \`$PROBE\` not built" >&3; return 1; }
  # Short paths: a console socket path must fit in sun_path (108 bytes).
  TEST_DIR=$(mktemp -d /tmp/ht.XXXXXX)
  chmod 755 "$TEST_DIR"
  ROOT=$TEST_DIR/state
  BUNDLE=$TEST_DIR/b
  MARK=HULL_TEST_MARK=$TEST_DIR
  # Every container id of this test starts with $TOKEN, so that teardown
  # finds them all (ids made in $(...) subshells included).
  TOKEN=ht-${TEST_DIR##*.}
  local tpl=$BATS_FILE_TMPDIR/template
  if [ ! -f "$tpl/config.json" ]; then
    rm -rf "$tpl"
    "$HULL_SRC/scripts/mkbundle.sh" "$tpl" --hostname hulltest --probe "$PROBE" -- /probe >/dev/null
  fi
  cp -a "$tpl" "$BUNDLE"
  # Every container process carries $MARK in its environment, so teardown and
  # assert_nothing_left can find strays without knowing their pids.
  cfg '.process.env += [$m]' --arg m "$MARK"
  ID=$TOKEN-0
}

# new_id: a fresh container id (cleaned up by teardown).
new_id() { echo "$TOKEN-$RANDOM$RANDOM"; }

hull_teardown() {
  [ -n "${TEST_DIR:-}" ] && [ -d "$TEST_DIR" ] || return 0
  local id pid m
  for id in $(ls "$ROOT" 2>/dev/null | grep -- "^$TOKEN-"); do
    timeout -k 2 10 "$RUNTIME" --root "$ROOT" delete --force "$id" >/dev/null 2>&1
  done
  for pid in $(marked_pids; runtime_pids "($TOKEN-[0-9]+)"; cat "$TEST_DIR/helpers.pids" 2>/dev/null); do
    kill -9 "$pid" 2>/dev/null
  done
  # Mounts under the test dir (state dirs, bind-mounted namespaces), deepest first.
  awk -v d="$TEST_DIR" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -depth -type d -path "*$TOKEN*" \
    -exec rmdir {} \; 2>/dev/null
  rm -rf "$TEST_DIR"
}

# --------------------------------------------------------------- running
# rt ARGS...: the runtime under test with a private --root and a timeout.
# fd 3 (bats' own) is closed so that a container never holds it open.
rt() {
  timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$ROOT" "$@" 3>&-
}

# rt_detached ARGS...: for commands that leave a container process holding
# the runtime's stdio (create, run -d, exec -d): stdio goes to fresh files,
# so that bats' `run` does not wait for the container. Prints what the
# runtime wrote on stderr, returns its status. The container's stdout file
# is $LAST_OUT, or $(last_out) after `run rt_detached` (a subshell).
rt_detached() {
  LAST_OUT=$(mktemp "$TEST_DIR/out.XXXXXX")
  LAST_ERR=${LAST_OUT/out./err.}
  ln -sfn "$LAST_OUT" "$TEST_DIR/last.out"
  rt "$@" </dev/null >"$LAST_OUT" 2>"$LAST_ERR"
  local rc=$?
  cat "$LAST_ERR"
  return $rc
}
last_out() { readlink -f "$TEST_DIR/last.out"; }

# cfg FILTER [jq args...]: edit $BUNDLE/config.json with jq.
cfg() {
  local f=$1; shift
  jq "$@" "$f" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" &&
    mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}
# set_args ARG...: the container's process.args.
set_args() { cfg '.process.args = $a' --argjson a "$(printf '%s\n' "$@" | jq -R . | jq -s .)"; }

# run_ct ARG...: `run` the runtime's `run` with process.args ARG... in $BUNDLE
# as container $ID (output and status in $output / $status).
run_ct() {
  set_args "$@"
  run rt run --bundle "$BUNDLE" "$ID"
}

# kv KEY [TEXT]: the value of the first KEY=value line in TEXT (default $output).
kv() {
  printf '%s\n' "${2-$output}" | awk -v k="$1=" 'index($0, k) == 1 {print substr($0, length(k) + 1); exit}' | tr -d '\r'
}

# state_of ID: the status field of `state ID`.
state_of() { rt state "$1" 2>/dev/null | jq -r .status; }
pid_of() { rt state "$1" 2>/dev/null | jq -r .pid; }

# wait_until SECONDS CMD...: poll CMD until it succeeds.
wait_until() {
  local end=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.05
  done
}
status_is() { [ "$(state_of "$1")" = "$2" ]; }

# --------------------------------------------------------------- asserts
fail() { printf '# %s\n' "$@" >&2; return 1; }
assert_eq() { # ACTUAL EXPECTED [WHAT]
  [ "$1" = "$2" ] || fail "${3:-value}: expected \`$2\`, got \`$1\`" "output: ${output:-}"
}
assert_ne() { [ "$1" != "$2" ] || fail "${3:-value}: expected anything but \`$2\`"; }
assert_status() { # N (or "nz" for non-zero)
  if [ "$1" = nz ]; then
    [ "$status" -ne 0 ] || fail "expected a non-zero exit status, got 0" "output: $output"
  else
    [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status" "output: $output"
  fi
}
assert_contains() { # HAYSTACK NEEDLE
  [[ $1 == *"$2"* ]] || fail "expected to find \`$2\` in:" "$1"
}
assert_not_contains() {
  [[ $1 != *"$2"* ]] || fail "did not expect \`$2\` in:" "$1"
}
assert_match() { [[ $1 =~ $2 ]] || fail "expected a match for /$2/ in:" "$1"; }

# assert_one_line_error: $output (stderr of a failed runtime call) is a clear
# error: non-empty, and its last line names something (runtimes may log
# earlier lines; the clients read the last one).
assert_error_mentions() { # NEEDLE...
  assert_status nz
  [ -n "$output" ] || fail "no error message"
  local n
  for n in "$@"; do assert_contains "$output" "$n"; done
}

# --------------------------------------------------------------- leftovers
# marked_pids: processes carrying this test's $MARK in their environment.
# (One grep over all of /proc: the glob is expanded before grep exists, so
# grep never lists itself.)
marked_pids() {
  grep -lsxzF -- "$MARK" /proc/[0-9]*/environ 2>/dev/null | awk -F/ -v me=$$ '$3 != me {print $3}'
  return 0
}
# runtime_pids REGEX: processes with an argument matching ^REGEX$ (runtime
# helpers, whose command lines name the container id). Put REGEX in
# parentheses so that grep's own argument (listed too) does not match.
runtime_pids() {
  grep -lsxzE -- "$1" /proc/[0-9]*/cmdline 2>/dev/null | awk -F/ -v me=$$ '$3 != me {print $3}'
  return 0
}

# assert_nothing_left ID: the runtime left no trace of ID: it is unknown to
# `state`, nothing under --root names it, no mount mentions it or the bundle,
# no cgroup directory is named after it, no process of it is alive.
assert_nothing_left() {
  local id=$1 left=""
  if rt state "$id" >/dev/null 2>&1; then left+=" state:\`$id\` still known;"; fi
  if [ -d "$ROOT" ] && [ -n "$(find "$ROOT" -name "*$id*" 2>/dev/null)" ]; then
    left+=" files: $(find "$ROOT" -name "*$id*" | tr '\n' ' ');"
  fi
  if grep -F -e "$id" -e "$BUNDLE" /proc/self/mountinfo >/dev/null; then
    left+=" mounts: $(grep -F -e "$id" -e "$BUNDLE" /proc/self/mountinfo | awk '{print $5}' | tr '\n' ' ');"
  fi
  local cg
  cg=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "*$id*" 2>/dev/null || true)
  [ -z "$cg" ] || left+=" cgroups: $(echo $cg);"
  local p
  p=$(marked_pids; runtime_pids "($id)")
  [ -z "$p" ] || left+=" processes: $(for x in $p; do tr '\0' ' ' <"/proc/$x/cmdline"; echo -n "($x) "; done);"
  [ -z "$left" ] || fail "left behind by \`$id\`:$left"
}

# sha of a file (the runtime binary must never change).
file_sha() { sha256sum "$1" | cut -d' ' -f1; }

# --------------------------------------------------------------- console
# start_recvtty NAME [--input TEXT]: listen on $TEST_DIR/NAME.sock for a pty
# master (--console-socket); the terminal's output lands in $TEST_DIR/NAME.out.
# Sets CONSOLE (the socket path) and TTY_OUT.
start_recvtty() {
  local name=$1; shift
  CONSOLE=$TEST_DIR/$name.sock TTY_OUT=$TEST_DIR/$name.out
  python3 "$HULL_SRC/tests/lib/recvtty.py" "$CONSOLE" "$TTY_OUT" "$@" \
    </dev/null >/dev/null 2>"$TEST_DIR/$name.recvtty.err" 3>&- &
  echo $! >"$TEST_DIR/$name.recvtty.pid"
  echo $! >>"$TEST_DIR/helpers.pids"
  wait_until 10 test -S "$CONSOLE"
}
# wait_recvtty NAME: wait until the receiver saw the pty close.
wait_recvtty() {
  local pid
  pid=$(cat "$TEST_DIR/$1.recvtty.pid")
  wait_until 20 eval "! kill -0 $pid 2>/dev/null"
}

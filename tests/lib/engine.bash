# engine.bash - helpers for the engine suites (tests/integration/engine-*.bats).
#
#   load ../lib/engine
#   setup_file()    { engine_setup_file; }   # a busybox-static rootfs tarball, once
#   setup()         { engine_setup; }        # private --root/--runroot, image `bb` imported
#   teardown()      { engine_teardown; }     # rm -f everything, kill strays, umount, rmdir
#
# Every hull call goes through `h`, which adds the private --root/--runroot
# and a timeout.  The image `bb` is Debian's busybox-static with the probe
# (tests/probe) at /probe.

HULL_SRC=${HULL_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
HULL_BUILD=${HULL_BUILD:-$HULL_SRC/build}
HULL=${HULL:-$HULL_BUILD/cmd/hull/hull}
PROBE=${PROBE:-$HULL_BUILD/tests/probe/probe}
H_TIMEOUT=${H_TIMEOUT:-60}

engine_setup_file() {
  export BB_TAR=$BATS_FILE_TMPDIR/bb.tar
  if [ ! -f "$BB_TAR" ]; then
    local t=$BATS_FILE_TMPDIR/bundle
    "$HULL_SRC/scripts/mkbundle.sh" "$t" --probe "$PROBE" -- /bin/true >/dev/null
    tar -C "$t/rootfs" -cf "$BB_TAR" .
    rm -rf "$t"
  fi
}

engine_setup() {
  [ -x "$HULL" ] || { echo "# hull \`$HULL\` not built" >&3; return 1; }
  [ -f "${BB_TAR:-}" ] || engine_setup_file
  # short paths: socket paths are reached through /proc/self/fd anyway, but
  # messages stay readable
  TEST_DIR=$(mktemp -d /tmp/he.XXXXXX)
  chmod 755 "$TEST_DIR"
  ROOT=$TEST_DIR/root
  RUNROOT=$TEST_DIR/run
  # Every hull call runs in a network namespace of this test's own, with
  # link and table names no other suite uses: containers' bridges, veths and
  # nftables rules never touch the host's network, and go with the test.
  NS=$(mktemp /tmp/he-netns.XXXXXX)
  unshare --net="$NS" true || { echo "# cannot make a network namespace" >&3; return 1; }
  nsenter --net="$NS" ip link set lo up
  export HULL_NET_PREFIX=e$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n' | cut -c1-5)
  h import "$BB_TAR" bb >/dev/null || { echo "# import failed" >&3; return 1; }
}

# h ARGS...: hull with this test's state; fd 3 (bats') is not passed on,
# so that no container or monitor ever holds it.
h() {
  nsenter --net="$NS" timeout -k 5 "$H_TIMEOUT" "$HULL" --root "$ROOT" --runroot "$RUNROOT" "$@" 3>&-
}

# hd ARGS...: for `run -d`/`create`: stdio to files, so that nothing the
# monitor inherits could keep bats' pipes open.
hd() {
  local out err rc
  out=$(mktemp "$TEST_DIR/out.XXXXXX")
  err=${out/out./err.}
  rc=0
  h "$@" </dev/null >"$out" 2>"$err" || rc=$?
  cat "$out"
  cat "$err" >&2
  return $rc
}

# ids of every container of this test
all_ids() { h ps -aq --no-trunc 2>/dev/null; }

# monitor_pids: processes whose cwd is under this test's run root (monitors
# and their helpers live in RUNROOT/containers/<id>).
monitor_pids() {
  local p
  for p in /proc/[0-9]*; do
    case "$(readlink "$p/cwd" 2>/dev/null)" in
      "$RUNROOT"/*) echo "${p#/proc/}" ;;
    esac
  done
  return 0
}

# cgroups named after an id
cgroups_of() { find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -name "$1*" 2>/dev/null; }

engine_teardown() {
  [ -n "${TEST_DIR:-}" ] && [ -d "$TEST_DIR" ] || return 0
  local id p m ids
  ids=$(all_ids)
  for id in $ids; do h rm -f "$id" >/dev/null 2>&1; done
  for p in $(monitor_pids); do kill -9 "$p" 2>/dev/null; done
  for id in $ids; do
    for p in $(cgroups_of "$id"); do
      for x in $(cat "$p/cgroup.procs" 2>/dev/null); do kill -9 "$x" 2>/dev/null; done
    done
  done
  awk -v d="$TEST_DIR" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  for id in $ids; do
    cgroups_of "$id" | sort -r | while read -r p; do rmdir "$p" 2>/dev/null; done
  done
  rm -rf "$TEST_DIR"
  if [ -n "${NS:-}" ]; then
    umount "$NS" 2>/dev/null || umount -l "$NS" 2>/dev/null
    rm -f "$NS"
  fi
}

# --------------------------------------------------------------- waiting
wait_until() { # SECONDS CMD...
  local end=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.05
  done
}
state_of() { h inspect --format '{{.State.Status}}' "$1" 2>/dev/null; }
state_is() { [ "$(state_of "$1")" = "$2" ]; }
exit_code_of() { h inspect --format '{{.State.ExitCode}}' "$1"; }

# --------------------------------------------------------------- asserts
fail() { printf '# %s\n' "$@" >&2; return 1; }
assert_eq() { # ACTUAL EXPECTED [WHAT]
  [ "$1" = "$2" ] || fail "${3:-value}: expected \`$2\`, got \`$1\`" "output: ${output:-}"
}
assert_status() { # N or nz
  if [ "$1" = nz ]; then
    [ "$status" -ne 0 ] || fail "expected a non-zero exit status, got 0" "output: $output"
  else
    [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status" "output: $output"
  fi
}
assert_contains() { [[ $1 == *"$2"* ]] || fail "expected to find \`$2\` in:" "$1"; }
assert_not_contains() { [[ $1 != *"$2"* ]] || fail "did not expect \`$2\` in:" "$1"; }
assert_match() { [[ $1 =~ $2 ]] || fail "expected a match for /$2/ in:" "$1"; }

# assert_no_containers: no record, no container directory, no snapshot, no
# mount, no monitor, no runtime state.
assert_nothing_left() {
  local left=""
  [ -z "$(all_ids)" ] || left+=" records: $(all_ids | tr '\n' ' ');"
  [ -z "$(ls -A "$ROOT/containers" 2>/dev/null)" ] || left+=" dirs: $(ls "$ROOT/containers");"
  [ -z "$(ls -A "$ROOT/snapshots" 2>/dev/null)" ] || left+=" snapshots: $(ls "$ROOT/snapshots");"
  [ -z "$(ls -A "$RUNROOT/containers" 2>/dev/null)" ] || left+=" run dirs: $(ls -R "$RUNROOT/containers" | tr '\n' ' ');"
  [ -z "$(ls -A "$RUNROOT/runtime" 2>/dev/null | grep -v '^~')" ] || left+=" runtime: $(ls "$RUNROOT/runtime");"
  ! grep -qF "$TEST_DIR" /proc/self/mountinfo || left+=" mounts: $(grep -F "$TEST_DIR" /proc/self/mountinfo | awk '{print $5}' | tr '\n' ' ');"
  [ -z "$(monitor_pids)" ] || left+=" processes: $(monitor_pids | tr '\n' ' ');"
  [ -z "$left" ] || fail "left behind:$left"
}
assert_no_cgroup() { # ID
  local c
  c=$(cgroups_of "$1")
  [ -z "$c" ] || fail "cgroups left for $1: $c"
}
logs_have() { h logs "$1" 2>&1 | grep -q -- "$2"; } # CONTAINER TEXT

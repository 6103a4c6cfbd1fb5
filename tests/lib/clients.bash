# clients.bash - shared helpers for the real-client suites (podman, containerd).
# The runtime under test is $RUNTIME (see bundle.bash); the clients reach it
# by path, with private state under $CL_DIR, and everything is removed in
# teardown_file.

HULL_SRC=${HULL_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
HULL_BUILD=${HULL_BUILD:-$HULL_SRC/build}
RUNTIME=${RUNTIME:-$HULL_BUILD/cmd/hullrt/hullrt}
CL_TIMEOUT=${CL_TIMEOUT:-60}

fail() { printf '# %s\n' "$@" >&2; return 1; }
assert_eq() { [ "$1" = "$2" ] || fail "${3:-value}: expected \`$2\`, got \`$1\`" "output: ${output:-}"; }
assert_contains() { [[ $1 == *"$2"* ]] || fail "expected \`$2\` in:" "$1"; }
assert_status() {
  if [ "$1" = nz ]; then [ "$status" -ne 0 ] || fail "expected failure, got 0" "output: $output"
  else [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status" "output: $output"; fi
}
wait_until() {
  local end=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}

# client_runtime: the absolute path of $RUNTIME (clients want a path).
client_runtime() {
  local r
  r=$(command -v "$RUNTIME") || { echo "# RUNTIME \`$RUNTIME\` not found" >&3; return 1; }
  readlink -f "$r"
}

# make_rootfs_tar DIR: a busybox rootfs (scripts/mkbundle.sh) as DIR/rootfs.tar
make_rootfs_tar() {
  "$HULL_SRC/scripts/mkbundle.sh" "$1/img" >/dev/null
  tar -C "$1/img/rootfs" -cf "$1/rootfs.tar" .
}

# tty_run CMD...: run CMD under script(1) so that it has a terminal; prints
# what it printed, without carriage returns.
tty_run() {
  local cmd
  printf -v cmd '%q ' "$@"
  timeout -k 5 "$CL_TIMEOUT" script -qec "$cmd" /dev/null </dev/null 2>/dev/null | tr -d '\r'
}

# umount_under DIR: unmount everything mounted below DIR, deepest first.
umount_under() {
  awk -v d="$1/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
}
# pids_with_arg TEXT: processes whose command line contains TEXT (never ours).
pids_with_arg() {
  grep -lsaF -- "$1" /proc/[0-9]*/cmdline 2>/dev/null | awk -F/ -v me=$$ '$3 != me {print $3}'
  return 0
}

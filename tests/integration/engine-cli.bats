#!/usr/bin/env bats
# hull's command line itself: every verb and sub-verb (walked from the verb
# tables through the hidden `hull __verbs`) answers --help on stdout with
# exit 0, and refuses an unknown flag with exit 125 and one line naming it.
# Nothing here touches a store: --root/--runroot point at a directory that
# must still not exist at the end.

bats_require_minimum_version 1.5.0
load ../lib/engine

setup() {
  [ -x "$HULL" ] || { echo "# hull \`$HULL\` not built" >&3; return 1; }
  TEST_DIR=$(mktemp -d /tmp/hc.XXXXXX)
  ROOT=$TEST_DIR/root
  RUNROOT=$TEST_DIR/run
}

teardown() {
  rm -rf "$TEST_DIR"
}

hc() { "$HULL" --root "$ROOT" --runroot "$RUNROOT" "$@"; }

# verbs: every path of the tables, one a line ("network rm")
verbs() { hc __verbs; }

@test "__verbs lists the verbs and sub-verbs of the tables" {
  run -0 --separate-stderr hc __verbs
  for v in run ps images "image ls" "image unmount" "container inspect" "network rm" \
    "network inspect" "network prune" "volume rm" "volume prune" "volume inspect" "system df"; do
    grep -qx "$v" <<<"$output" || fail "\`$v\` is not listed" "$output"
  done
  # the internal ones stay out
  ! grep -qx "container cleanup" <<<"$output"
  ! grep -qx "__verbs" <<<"$output"
  [ "$(echo "$output" | wc -l)" -ge 60 ] || fail "only $(echo "$output" | wc -l) verbs"
}

@test "every verb and sub-verb: --help prints its usage on stdout and exits 0" {
  local n=0
  while read -r v; do
    # shellcheck disable=SC2086 # the path splits into words on purpose
    run -0 --separate-stderr hc $v --help
    assert_contains "${lines[0]}" "Usage:  hull $v"
    [ -z "$stderr" ] || fail "\`hull $v --help\` wrote to stderr:" "$stderr"
    [ "${#lines[@]}" -ge 2 ] || fail "\`hull $v --help\`: no summary" "$output"
    # -h is help too, except where an option owns it (run/create: --hostname)
    if ! grep -q -- '^  -h, ' <<<"$output"; then
      run -0 --separate-stderr hc $v -h
      assert_contains "${lines[0]}" "Usage:  hull $v"
    fi
    n=$((n + 1))
  done < <(verbs)
  [ "$n" -ge 60 ] || fail "walked only $n verbs"
  [ ! -e "$ROOT" ] && [ ! -e "$RUNROOT" ]
}

@test "every verb and sub-verb: an unknown flag exits 125 with one line naming it" {
  while read -r v; do
    # shellcheck disable=SC2086
    run -125 --separate-stderr hc $v --no-such-flag
    assert_eq "$output" "" "stdout of \`hull $v --no-such-flag\`"
    assert_eq "${#stderr_lines[@]}" 1 "lines of stderr of \`hull $v --no-such-flag\`"
    assert_contains "$stderr" "--no-such-flag"
    assert_contains "$stderr" "hull $v"
  done < <(verbs)
  [ ! -e "$ROOT" ] && [ ! -e "$RUNROOT" ]
}

@test "help columns line up: every option's help starts in the same column" {
  while read -r v; do
    # shellcheck disable=SC2086
    run -0 hc $v --help
    # option lines "  -x, --name VALUE   help": the help column of each
    # single-line entry; all must be equal (entries too long for the column
    # put their help on the next line, at the same column)
    cols=$(awk '/^Options:/ {o=1; next} /^$/ {o=0} o && /^  / {
        line=$0; if (sub(/^  +[^ ].*[^ ]   +/, "", line)) print length($0) - length(line) }' \
      <<<"$output" | sort -u | wc -l)
    [ "$cols" -le 1 ] || fail "\`hull $v --help\`: $cols help columns" "$output"
  done < <(verbs)
}

@test "flag errors: a missing value, a bad value, a bad boolean, too many arguments" {
  run -125 --separate-stderr hc ps --format
  assert_contains "$stderr" "--format"
  run -125 --separate-stderr hc stop -t soon c1
  assert_contains "$stderr" "soon"
  run -125 --separate-stderr hc rm --force=maybe c1
  assert_contains "$stderr" "maybe"
  run -125 --separate-stderr hc rm
  assert_contains "$stderr" "requires at least 1 argument"
  run -125 --separate-stderr hc network create a b
  assert_contains "$stderr" "requires exactly 1 argument"
  run -125 --separate-stderr hc image nosuch
  assert_contains "$stderr" "nosuch"
  run -125 --separate-stderr hc nosuchverb
  assert_contains "$stderr" "nosuchverb"
  run -125 --separate-stderr hc --no-such-global ps
  assert_contains "$stderr" "--no-such-global"
  [ ! -e "$ROOT" ] && [ ! -e "$RUNROOT" ]
}

@test "a group without a verb prints its help on stderr and exits 125" {
  for g in image container network volume system; do
    run -125 --separate-stderr hc $g
    assert_eq "$output" ""
    assert_contains "$stderr" "Usage:  hull $g COMMAND"
  done
  run -125 --separate-stderr hc
  assert_contains "$stderr" "Usage:  hull [OPTIONS] COMMAND"
}

@test "options of run stop at the image: the command's own flags are its own" {
  # parsing only: a missing image fails after the flags were taken apart
  run -125 --separate-stderr hc run --rm --no-such-flag bb
  assert_contains "$stderr" "--no-such-flag"
  run -0 hc --version
  assert_match "$output" "^hull version [0-9]"
}

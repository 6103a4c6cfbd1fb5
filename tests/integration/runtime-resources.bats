#!/usr/bin/env bats
# linux.resources as a user sees it: a memory leak is OOM-killed inside its
# container only, a fork bomb stops at the pids limit, a CPU quota caps a
# busy loop, `update` changes live limits, pause stops a busy container,
# `events` reports stats and OOM kills, device rules keep a block device out;
# on this (hybrid) host and on a pure cgroup v2 hierarchy mounted in a
# private mount namespace; bad values fail cleanly.
#
# Placement and removal of the cgroup are runtime-cgroups.bats' business, the
# writers' exact file contents the cgroup module's unit tests'; here each
# limit is shown to *work*. Every test runs against crun and runc too
# (RUNTIME=crun tests/run --no-deps --no-asan runtime-resources); where an
# anchor lacks a feature the test says so and skips.

load ../lib/bundle

setup() {
  hull_setup
  # Top level, so that the cpu test can outweigh the other top-level groups
  # of this shared machine (shares are relative among siblings).
  CG=/hulltest-$ID
  cfg '.linux.cgroupsPath = $p' --arg p "$CG"
  set_args /probe sleep 60
}
teardown() { v2_teardown; }

MiB=1048576

# v1 CTRL: the mount point of the v1 hierarchy holding CTRL ("" if none).
v1() {
  awk -v c="$1" '$3 == "cgroup" { n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $2; exit } }' /proc/self/mounts
}
# cgf CTRL FILE: the file FILE in the container's cgroup of CTRL's hierarchy.
cgf() { echo "$(v1 "$1")$CG/$2"; }
need_v1() {
  local c
  for c in "$@"; do
    [ -n "$(v1 "$c")" ] || skip "no cgroup v1 $c hierarchy on this host"
  done
}
# cpu_ns: the CPU time the container's cgroup has used, in ns.
cpu_ns() { cat "$(cgf cpuacct cpuacct.usage)"; }
now_ns() { date +%s%N; }

# limits JSON: linux.resources = JSON
limits() { cfg '.linux.resources = $r' --argjson r "$1"; }

# a second bundle (same rootfs), in $TEST_DIR/b2, without cgroupsPath: the
# runtime's default cgroup for ID (which contains the id: teardown finds it)
second_bundle() {
  mkdir -p "$TEST_DIR/b2"
  jq 'del(.linux.cgroupsPath) | del(.linux.resources) | .root.path = $r' \
    --arg r "$BUNDLE/rootfs" "$BUNDLE/config.json" >"$TEST_DIR/b2/config.json"
}

# has_events: crun 1.8 has no `events` command
has_events() { [ "$(runtime_name)" != crun ]; }

# bg_events ID FILE ARGS...: `events ARGS ID` in the background, into FILE
bg_events() {
  local id=$1 f=$2
  shift 2
  rt events "$@" "$id" >"$f" 2>&1 </dev/null &
  echo $! >>"$TEST_DIR/helpers.pids"
}

# ------------------------------------------------------------------ memory
@test "memory: allocating past the limit is OOM-killed: run exits 137; state says stopped; delete leaves nothing" {
  need_v1 memory
  limits "{\"memory\": {\"limit\": $((32 * MiB)), \"swap\": $((32 * MiB))}}"
  run_ct /probe alloc 256
  assert_status 137
  assert_contains "$output" alloc.mb=8
  assert_not_contains "$output" alloc=ok
  assert_nothing_left "$ID"
  # detached: the OOM-killed container is stopped, and a plain delete removes it
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  wait_until 10 status_is "$ID" stopped || fail "state: $(rt state "$ID")"
  run rt delete "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

@test "memory: an OOM kill stays in its container; events reports it; the host and a second container carry on" {
  need_v1 memory
  limits "{\"memory\": {\"limit\": $((32 * MiB)), \"swap\": $((32 * MiB))}}"
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  second_bundle
  id2=$(new_id)
  rt_detached run -d --bundle "$TEST_DIR/b2" "$id2"
  pid2=$(pid_of "$id2")
  if has_events; then bg_events "$ID" "$TEST_DIR/events" --interval 1s; fi
  sleep 0.3 # the stream has registered for OOM notifications

  run rt exec "$ID" /probe alloc 256
  assert_status 137
  assert_not_contains "$output" alloc=ok

  # only the allocating process died: both inits live and answer
  for c in "$ID:$pid" "$id2:$pid2"; do
    assert_eq "$(state_of "${c%%:*}")" running "state of ${c%%:*}"
    assert_eq "$(pid_of "${c%%:*}")" "${c#*:}" "pid of ${c%%:*}"
    run rt exec "${c%%:*}" /probe exit 7
    assert_status 7
  done
  # the kernel counted the kill in the limited cgroup, and the host's own
  # processes (this shell, its parent) were never candidates
  assert_eq "$(awk '$1 == "oom_kill" {print $2}' "$(cgf memory memory.oom_control)")" 1 "oom_kill of $CG"
  kill -0 $$ && kill -0 $PPID

  has_events || skip "crun has no events command (the OOM kill itself is shown above)"
  wait_until 5 grep -q '"type":"oom"' "$TEST_DIR/events" || fail "no oom event:" "$(cat "$TEST_DIR/events")"
  assert_eq "$(jq -r 'select(.type == "oom") | .id' "$TEST_DIR/events" | head -n 1)" "$ID" "oom event id"
  # runc's shape has no OOM counter (v1 memory.stat has none, and failcnt
  # stays 0 when memory+swap is limited too); the peak shows the limit hit
  run rt events --stats "$ID"
  assert_status 0
  assert_eq "$(jq .data.memory.usage.limit <<<"$output")" $((32 * MiB)) "memory.usage.limit"
  [ "$(jq .data.memory.usage.max <<<"$output")" -ge $((30 * MiB)) ] || fail "peak usage below the limit after an OOM kill" "$output"
  run rt events --stats "$id2"
  assert_status 0
  [ "$(jq .data.memory.usage.max <<<"$output")" -lt $((16 * MiB)) ] || fail "the second container's peak" "$output"
}

# -------------------------------------------------------------------- pids
@test "pids: a fork bomb stops at the limit with EAGAIN, stays inside, and delete ends it" {
  need_v1 pids
  limits '{"pids": {"limit": 32}}'
  before=$(ls -d /proc/[0-9]* | wc -l)
  set_args /probe forkbomb 60
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  wait_until 15 grep -q '^fork.error=' "$LAST_OUT" || fail "no report:" "$(cat "$LAST_OUT")"
  assert_eq "$(kv fork.error "$(cat "$LAST_OUT")")" EAGAIN "fork error in the container"
  assert_eq "$(cat "$(cgf pids pids.current)")" 32 pids.current
  assert_eq "$(cat "$(cgf pids pids.max)")" 32 pids.max
  # the bomb is 32 processes on the host, no more
  n=$(marked_pids | wc -l)
  [ "$n" -le 32 ] || fail "$n container processes on the host"
  [ $(( $(ls -d /proc/[0-9]* | wc -l) - before )) -lt 100 ] || fail "host process count grew by more than the bomb"
  # the host still forks
  run sh -c 'echo forked'
  assert_eq "$output" forked
  t0=$SECONDS
  run rt delete --force "$ID"
  assert_status 0
  [ $((SECONDS - t0)) -le 5 ] || fail "delete --force took $((SECONDS - t0)) s"
  assert_nothing_left "$ID"
}

# --------------------------------------------------------------------- cpu
@test "cpu: a quota of half a core holds a busy loop to about half a core" {
  need_v1 cpu cpuacct
  # many shares: on this shared machine the loop must not starve below
  # its quota because of other top-level groups
  limits '{"cpu": {"quota": 50000, "period": 100000, "shares": 262144}}'
  set_args /probe spin 0
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  sleep 0.3
  u0=$(cpu_ns) t0=$(now_ns)
  sleep 2
  u1=$(cpu_ns) t1=$(now_ns)
  cores=$(awk -v u=$((u1 - u0)) -v t=$((t1 - t0)) 'BEGIN {printf "%.2f", u / t}')
  echo "# $cores cores" >&3
  awk -v c="$cores" 'BEGIN {exit !(c >= 0.3 && c <= 0.7)}' || fail "busy loop used $cores cores under a 0.5 core quota"
  # the kernel says it throttled the group
  [ "$(awk '$1 == "nr_throttled" {print $2}' "$(cgf cpu cpu.stat)")" -gt 0 ] || fail "not throttled: $(cat "$(cgf cpu cpu.stat)")"
}

# ------------------------------------------------------------------ update
@test "update: runc's flags change memory, pids and cpu limits of a running container" {
  need_v1 memory pids cpu
  limits "{\"memory\": {\"limit\": $((256 * MiB))}, \"pids\": {\"limit\": 100}, \"cpu\": {\"quota\": 80000, \"period\": 100000}}"
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  m=64m # runc's sizes; crun 1.8 copies the text into JSON as it is
  [ "$(runtime_name)" != crun ] || m=$((64 * MiB))
  run rt update --memory $m --memory-swap $m --pids-limit 20 --cpu-quota 30000 --cpu-period 50000 --cpu-share 512 "$ID"
  assert_status 0
  assert_eq "$(cat "$(cgf memory memory.limit_in_bytes)")" $((64 * MiB)) memory.limit_in_bytes
  assert_eq "$(cat "$(cgf pids pids.max)")" 20 pids.max
  assert_eq "$(cat "$(cgf cpu cpu.cfs_quota_us)")" 30000 cpu.cfs_quota_us
  assert_eq "$(cat "$(cgf cpu cpu.cfs_period_us)")" 50000 cpu.cfs_period_us
  assert_eq "$(cat "$(cgf cpu cpu.shares)")" 512 cpu.shares
  # and in force: 64 MiB is not enough for 128
  run rt exec "$ID" /probe alloc 128
  assert_status 137
  run rt exec "$ID" /probe alloc 16
  assert_status 0
  assert_contains "$output" alloc=ok
  # -1: unlimited again
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 writes -1 as it is (pids.max refuses it, cpu.cfs_quota_us says ERANGE)"
  run rt update --memory -1 --memory-swap -1 --pids-limit -1 --cpu-quota -1 "$ID"
  assert_status 0
  assert_eq "$(cat "$(cgf pids pids.max)")" max pids.max
  assert_eq "$(cat "$(cgf cpu cpu.cfs_quota_us)")" -1 cpu.cfs_quota_us
  [ "$(cat "$(cgf memory memory.limit_in_bytes)")" -gt $((1 << 40)) ] || fail "memory still limited"
}

@test "update --resources -: linux.resources JSON on stdin, as containerd sends it" {
  need_v1 memory pids cpu
  limits '{"pids": {"limit": 100}}'
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  # containerd's shim marshals specs.LinuxResources (omitempty: no nulls)
  # and pipes it to `update --resources -`
  json='{"memory":{"limit":100663296,"swap":100663296},"cpu":{"shares":256,"quota":25000,"period":100000},"pids":{"limit":50}}'
  run rt update --resources - "$ID" <<<"$json"
  assert_status 0
  assert_eq "$(cat "$(cgf memory memory.limit_in_bytes)")" 100663296 memory.limit_in_bytes
  assert_eq "$(cat "$(cgf pids pids.max)")" 50 pids.max
  assert_eq "$(cat "$(cgf cpu cpu.cfs_quota_us)")" 25000 cpu.cfs_quota_us
  assert_eq "$(cat "$(cgf cpu cpu.shares)")" 256 cpu.shares
  # a file works the same
  echo '{"pids": {"limit": 40}}' >"$TEST_DIR/res.json"
  run rt update --resources "$TEST_DIR/res.json" "$ID"
  assert_status 0
  assert_eq "$(cat "$(cgf pids pids.max)")" 40 pids.max
  # what was not given stays
  assert_eq "$(cat "$(cgf cpu cpu.cfs_quota_us)")" 25000 "cpu.cfs_quota_us after a pids-only update"
}

@test "update: a pids limit lowered below the current count blocks new forks until raised" {
  need_v1 pids
  limits '{"pids": {"limit": 100}}'
  set_args /probe fork 5 60
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  wait_until 5 grep -q '^fork=5' "$LAST_OUT" || fail "$(cat "$LAST_OUT")"
  assert_eq "$(cat "$(cgf pids pids.current)")" 6 "pids.current (init + 5)"
  run rt update --pids-limit 3 "$ID"
  assert_status 0
  assert_eq "$(cat "$(cgf pids pids.max)")" 3 pids.max
  # the processes already there stay; an exec'd process joins (moving a
  # process into a cgroup is not limited) but cannot fork
  assert_eq "$(cat "$(cgf pids pids.current)")" 6 "pids.current above the new limit"
  run rt exec "$ID" /probe fork 1 0
  assert_status 0
  assert_eq "$(kv fork)" 0 "forks in the container"
  assert_eq "$(kv fork.error)" EAGAIN "fork error in the container"
  run rt update --pids-limit 20 "$ID"
  assert_status 0
  run rt exec "$ID" /probe fork 2 0
  assert_status 0
  assert_eq "$(kv fork)" 2 "forks after raising the limit"
}

@test "update: a memory limit below the usage is refused by the kernel, named, and nothing changes" {
  need_v1 memory
  limits "{\"memory\": {\"limit\": $((64 * MiB))}}"
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  run rt update --memory 4096 "$ID"
  assert_status nz
  if is_hullrt; then
    assert_contains "$output" linux.resources.memory.limit
    assert_eq "$(grep -c . <<<"$output")" 1 "lines of the error"
  fi
  assert_eq "$(cat "$(cgf memory memory.limit_in_bytes)")" $((64 * MiB)) "memory.limit_in_bytes after a refused update"
  assert_eq "$(state_of "$ID")" running
  assert_eq "$(pid_of "$ID")" "$pid"
}

# ------------------------------------------------------------ pause/resume
@test "pause stops a busy container (no CPU time, exec refused); resume restarts it" {
  need_v1 cpuacct
  set_args /probe spin 0
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  sleep 0.2
  run rt pause "$ID"
  assert_status 0
  assert_eq "$(state_of "$ID")" paused
  u0=$(cpu_ns)
  sleep 0.5
  u1=$(cpu_ns)
  [ $((u1 - u0)) -lt 10000000 ] || fail "a paused container used $(((u1 - u0) / 1000)) us of CPU in 0.5 s"
  run rt exec "$ID" /probe exit 0
  assert_status nz
  assert_eq "$(state_of "$ID")" paused "state after a refused exec"
  if [ "$(runtime_name)" != crun ]; then # crun 1.8 pauses a paused container again
    run rt pause "$ID"
    assert_status nz
  fi
  run rt resume "$ID"
  assert_status 0
  assert_eq "$(state_of "$ID")" running
  u0=$(cpu_ns)
  sleep 0.5
  u1=$(cpu_ns)
  [ $((u1 - u0)) -gt 100000000 ] || fail "a resumed busy loop used only $(((u1 - u0) / 1000)) us in 0.5 s"
  run rt exec "$ID" /probe exit 3
  assert_status 3
  # a paused container can be deleted with --force
  rt pause "$ID"
  run rt delete --force "$ID"
  assert_status 0
  assert_nothing_left "$ID"
}

# ------------------------------------------------------------------ events
@test "events --stats: runc's JSON shape" {
  has_events || skip "crun has no events command"
  limits "{\"memory\": {\"limit\": $((64 * MiB))}, \"pids\": {\"limit\": 50}}"
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  run rt events --stats "$ID"
  assert_status 0
  j=$output
  assert_eq "$(jq -r .type <<<"$j")" stats type
  assert_eq "$(jq -r .id <<<"$j")" "$ID" id
  # the sections and keys of runc's types.Stats
  for k in .data.cpu.usage.total .data.cpu.usage.user .data.cpu.usage.kernel \
    .data.cpu.throttling .data.memory.usage.usage .data.memory.usage.max \
    .data.memory.raw.rss .data.pids.current .data.blkio .data.hugetlb; do
    [ "$(jq "$k | type" <<<"$j")" != '"null"' ] || fail "no $k in:" "$j"
  done
  assert_eq "$(jq .data.memory.usage.limit <<<"$j")" $((64 * MiB)) memory.usage.limit
  assert_eq "$(jq .data.pids.limit <<<"$j")" 50 pids.limit
  [ "$(jq .data.pids.current <<<"$j")" -ge 1 ] || fail "pids.current" "$j"
  assert_eq "$(jq '.data.cpu.usage.percpu | length' <<<"$j")" "$(nproc)" "percpu entries"
  [ "$(jq .data.cpu.usage.total <<<"$j")" -gt 0 ] || fail "cpu.usage.total 0"
  assert_eq "$(jq '.data.hugetlb | keys | length' <<<"$j")" "$(ls -d /sys/kernel/mm/hugepages/hugepages-* | wc -l)" "hugetlb sizes"
}

@test "events --interval 1s streams stats and ends when the container exits" {
  has_events || skip "crun has no events command"
  set_args /probe sleep 2.5
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  t0=$(now_ns)
  RT_TIMEOUT=8 run rt events --interval 1s "$ID"
  t1=$(now_ns)
  if [ "$(runtime_name)" = runc ] && [ $(((t1 - t0) / 1000000)) -ge 7500 ]; then
    skip "runc 1.1's events does not end when the container exits"
  fi
  assert_status 0
  n=$(jq -r 'select(.type == "stats") | .id' <<<"$output" | grep -cx "$ID")
  [ "$n" -ge 2 ] && [ "$n" -le 4 ] || fail "$n stats events in 2.5 s at 1 s intervals" "$output"
  [ $(((t1 - t0) / 1000000)) -lt 4500 ] || fail "events ended $(((t1 - t0) / 1000000)) ms after start"
}

# ----------------------------------------------------------------- devices
# blockdev: MAJ MIN of a block device that this host lets root open for
# reading (some sandboxes deny their own disk even to root)
blockdev() {
  local d
  for d in /sys/block/*; do
    [ -r "$d/dev" ] || continue
    rm -f "$TEST_DIR/blk.try"
    mknod "$TEST_DIR/blk.try" b $(tr ':' ' ' <"$d/dev") || continue
    if [ "$("$PROBE" read "$TEST_DIR/blk.try")" = read=ok ]; then
      rm -f "$TEST_DIR/blk.try"
      tr ':' ' ' <"$d/dev"
      return 0
    fi
  done
  rm -f "$TEST_DIR/blk.try"
  return 1
}

@test "devices: a block device node in the rootfs cannot be opened unless a rule allows it" {
  need_v1 devices
  read -r maj min < <(blockdev) || skip "no block device that root may open on this host"
  mknod "$BUNDLE/rootfs/blk" b "$maj" "$min"
  mknod "$BUNDLE/rootfs/mem" c 1 1 # /dev/mem: not among the default devices
  run_ct sh -c '/probe read /blk; /probe read /mem; /probe read /dev/null; /probe write /dev/null'
  assert_status 0
  assert_eq "$(grep -c '^read=EPERM' <<<"$output")" 2 "denied opens"
  assert_eq "$(kv write)" ok "/dev/null (allowed by default) for writing"
  assert_eq "$(sed -n 3p <<<"$output")" read=ok "/dev/null for reading"
  # allowed for reading only: read works, write does not
  limits "{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"type\": \"b\", \"major\": $maj, \"minor\": $min, \"access\": \"r\"}]}"
  run_ct sh -c '/probe read /blk; /probe write /blk; /probe read /mem'
  assert_status 0
  assert_eq "$(output=$(sed -n 1p <<<"$output") kv read)" ok "read of the allowed block device"
  assert_eq "$(kv write)" EPERM "write of a device allowed for reading only"
  assert_eq "$(output=$(sed -n 3p <<<"$output") kv read)" EPERM "/mem, still denied"
}

# ------------------------------------------------------ blkio and hugetlb
@test "blockIO: throttles and the weight are written where the controller has them" {
  need_v1 blkio
  # any block device will do: the kernel takes a throttle for it
  read -r maj min < <(tr ':' ' ' <"$(ls -d /sys/block/* | head -n 1)/dev") || skip "no block device on this host"
  limits "{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 1048576}], \"throttleWriteIOPSDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 100}]}}"
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  assert_eq "$(cat "$(cgf blkio blkio.throttle.read_bps_device)")" "$maj:$min 1048576" read_bps_device
  assert_eq "$(cat "$(cgf blkio blkio.throttle.write_iops_device)")" "$maj:$min 100" write_iops_device
  rt delete --force "$ID"

  # the proportional weight: CFQ's blkio.weight, or BFQ's blkio.bfq.weight
  # (a leaf cgroup has it when the bfq scheduler is built, even if no disk
  # uses it now)
  limits '{"blockIO": {"weight": 300}}'
  run rt_detached run -d --bundle "$BUNDLE" "$ID"
  d=$(v1 blkio)$CG
  if [ -e "$d/blkio.weight" ]; then
    assert_status 0
    assert_eq "$(cat "$d/blkio.weight")" 300 blkio.weight
  elif [ -e "$d/blkio.bfq.weight" ]; then
    [ "$(runtime_name)" != crun ] || skip "crun 1.8 writes only blkio.weight (CFQ, gone since Linux 5.0)"
    assert_status 0
    assert_eq "$(awk '$1 == "default" {print $2; exit} NF == 1 {print $1}' "$d/blkio.bfq.weight")" 300 blkio.bfq.weight
  else
    skip "this kernel has neither CFQ nor BFQ: no proportional block I/O weight"
  fi
}

@test "hugepageLimits: written to the hugetlb controller, for each size the host has" {
  need_v1 hugetlb
  sizes=()
  for d in /sys/kernel/mm/hugepages/hugepages-*kB; do
    kb=${d##*-}; kb=${kb%kB}
    if [ $((kb % 1048576)) -eq 0 ]; then sizes+=("$((kb / 1048576))GB"); else sizes+=("$((kb / 1024))MB"); fi
  done
  [ ${#sizes[@]} -gt 0 ] || skip "no huge page sizes on this host"
  lim=$(printf '%s\n' "${sizes[@]}" | jq -R '{pageSize: ., limit: 0}' | jq -s -c .)
  # a limit of 4 pages of each size
  lim=$(jq -c 'map(.limit = 4 * (.pageSize | capture("(?<n>[0-9]+)(?<u>.B)") | (.n | tonumber) * (if .u == "GB" then 1073741824 else 1048576 end)))' <<<"$lim")
  limits "{\"hugepageLimits\": $lim}"
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  for i in "${!sizes[@]}"; do
    want=$(jq ".[$i].limit" <<<"$lim")
    assert_eq "$(cat "$(cgf hugetlb "hugetlb.${sizes[i]}.limit_in_bytes")")" "$want" "hugetlb.${sizes[i]}.limit_in_bytes"
  done
}

@test "unified on a hybrid host: written to the cgroup2 hierarchy" {
  u=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
  [ -n "$u" ] && [ "$u" != /sys/fs/cgroup ] || skip "not a hybrid host"
  is_hullrt || skip "crun and runc refuse linux.resources.unified unless the host is pure v2"
  limits '{"unified": {"cgroup.max.descendants": "3"}}'
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  assert_eq "$(cat "$u$CG/cgroup.max.descendants")" 3 cgroup.max.descendants
}

# ------------------------------------------------------------- pure cgroup v2
# A pure v2 host as a runtime sees it: a private mount namespace whose
# /sys/fs/cgroup is a fresh cgroup2 mount, held by a sleeping process; every
# runtime call enters it. The hierarchy is the host's own cgroup2 one (there
# is only one), which the test reads at $V2 from outside.
#
# On a hybrid host every controller is bound to a v1 hierarchy, so that
# cgroup2 holds none (cgroup.controllers is empty): what needs no controller
# is tested (placement, cgroup.freeze, cgroup.kill, the eBPF device filter,
# cpu.stat, unified files such as cgroup.max.descendants, the clear error for
# a limit whose controller is missing); memory, pids and cpu limits are
# tested only where cgroup2 has those controllers.
v2_setup() {
  grep -qw cgroup2 /proc/filesystems || skip "no cgroup2 in this kernel"
  V2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
  [ -n "$V2" ] || skip "cgroup2 is not mounted on this host (nothing to compare with)"
  # (in a subshell: not a job of this shell, which would report its kill)
  (unshare --mount --propagation private sh -c \
    'mount -t cgroup2 cgroup2 /sys/fs/cgroup && echo $$ >"$1.tmp" && mv "$1.tmp" "$1" && exec sleep 600' \
    sh "$TEST_DIR/v2.pid" </dev/null >/dev/null 2>"$TEST_DIR/v2.err" 3>&- &)
  wait_until 5 test -e "$TEST_DIR/v2.pid" || fail "cannot mount cgroup2 in a mount namespace: $(cat "$TEST_DIR/v2.err")"
  V2NS=$(cat "$TEST_DIR/v2.pid")
  echo "$V2NS" >>"$TEST_DIR/helpers.pids"
  # (entering a mount namespace moves to its root: the runtime's path must be absolute)
  V2RT=$(readlink -f "$(command -v "$RUNTIME")")
  rt() { timeout -k 5 "$RT_TIMEOUT" nsenter -t "$V2NS" -m -- "$V2RT" --root "$ROOT" "$@" 3>&-; }
}
v2_controllers() { cat "$V2/cgroup.controllers"; }
need_v2_controllers() {
  local c
  for c in "$@"; do
    grep -qw "$c" "$V2/cgroup.controllers" ||
      skip "cgroup2 here has no $c controller (cgroup.controllers: \`$(v2_controllers)\`): on a hybrid host the controllers belong to the v1 hierarchies"
  done
}
v2_teardown() {
  # delete from inside the namespace, where the runtime finds the cgroup
  local id
  if [ -n "${V2NS:-}" ]; then
    for id in $(ls "$ROOT" 2>/dev/null | grep -- "^$TOKEN-"); do
      rt delete --force "$id" >/dev/null 2>&1
    done
  fi
  hull_teardown
}
# v2_run ARGS...: `run rt_detached ARGS`, which must succeed, except for
# crun's need of a privilege this host does not give
v2_run() {
  run rt_detached "$@"
  [[ $output != *RLIM_MEMLOCK* ]] || skip "crun 1.8 raises RLIMIT_MEMLOCK for its eBPF device program, and this host's bounding set has no CAP_SYS_RESOURCE"
  assert_status 0
}

@test "cgroup v2: placement, pause and resume through cgroup.freeze, delete --force through the cgroup" {
  v2_setup
  set_args sh -c 'sleep 100 & exec /probe spin 0'
  v2_run run -d --bundle "$BUNDLE" "$ID"
  pid=$(pid_of "$ID")
  grep -qx "0::$CG" /proc/$pid/cgroup || fail "cgroup2: $(grep '^0::' /proc/$pid/cgroup)"
  wait_until 5 eval '[ "$(wc -l <"$V2$CG/cgroup.procs")" -eq 2 ]' || fail "cgroup.procs: $(cat "$V2$CG/cgroup.procs")"
  run rt pause "$ID"
  assert_status 0
  assert_eq "$(state_of "$ID")" paused
  assert_eq "$(awk '$1 == "frozen" {print $2}' "$V2$CG/cgroup.events")" 1 "cgroup.events frozen"
  u0=$(awk '$1 == "usage_usec" {print $2}' "$V2$CG/cpu.stat")
  sleep 0.5
  u1=$(awk '$1 == "usage_usec" {print $2}' "$V2$CG/cpu.stat")
  [ $((u1 - u0)) -lt 10000 ] || fail "a frozen container used $((u1 - u0)) us of CPU in 0.5 s"
  run rt resume "$ID"
  assert_status 0
  assert_eq "$(state_of "$ID")" running
  assert_eq "$(awk '$1 == "frozen" {print $2}' "$V2$CG/cgroup.events")" 0 "cgroup.events frozen"
  run rt delete --force "$ID"
  assert_status 0
  [ ! -d "$V2$CG" ] || fail "$V2$CG is still there"
  assert_nothing_left "$ID"
}

@test "cgroup v2: device rules are enforced by an eBPF program" {
  v2_setup
  read -r maj min < <(blockdev) || skip "no block device that root may open on this host"
  mknod "$BUNDLE/rootfs/blk" b "$maj" "$min"
  set_args sh -c '/probe read /blk; /probe read /dev/null'
  v2_run run --bundle "$BUNDLE" "$ID"
  output=$(cat "$(last_out)")
  assert_eq "$(sed -n 1p <<<"$output")" read=EPERM "the block device, denied by default"
  assert_eq "$(sed -n 2p <<<"$output")" read=ok /dev/null
  limits "{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"type\": \"b\", \"major\": $maj, \"minor\": $min, \"access\": \"r\"}]}"
  set_args sh -c '/probe read /blk; /probe write /blk'
  v2_run run --bundle "$BUNDLE" "$ID"
  output=$(cat "$(last_out)")
  assert_eq "$(sed -n 1p <<<"$output")" read=ok "the block device allowed for reading"
  assert_eq "$(sed -n 2p <<<"$output")" write=EPERM "... and not for writing"
}

@test "cgroup v2: events --stats reads cpu.stat; unified values are written as given" {
  v2_setup
  limits '{"unified": {"cgroup.max.descendants": "3"}}'
  set_args /probe spin 0
  v2_run run -d --bundle "$BUNDLE" "$ID"
  assert_eq "$(cat "$V2$CG/cgroup.max.descendants")" 3 cgroup.max.descendants
  has_events || skip "crun has no events command"
  sleep 0.3
  run rt events --stats "$ID"
  assert_status 0
  [ "$(jq .data.cpu.usage.total <<<"$output")" -gt 20000000 ] || fail "cpu.usage.total of a busy loop after 0.3 s" "$output"
}

@test "cgroup v2: a limit whose controller cgroup2 lacks fails, naming it, and leaves nothing" {
  v2_setup
  ! grep -qw memory "$V2/cgroup.controllers" || skip "cgroup2 here has the memory controller"
  cfg '.linux.resources = {"memory": {"limit": 67108864}}'
  run rt_detached run --bundle "$BUNDLE" "$ID"
  assert_status nz
  if is_hullrt; then
    assert_contains "$output" '`linux.resources.memory.limit`: the memory controller is not available'
  fi
  [ ! -d "$V2$CG" ] || is_hullrt || skip "$(runtime_name) leaves $V2$CG behind"
  [ ! -d "$V2$CG" ] || fail "$V2$CG is left"
  anchor_leaves "$ID"
}

@test "cgroup v2: memory, pids and cpu limits work" {
  v2_setup
  need_v2_controllers memory pids cpu
  limits "{\"memory\": {\"limit\": $((32 * MiB)), \"swap\": $((32 * MiB))}, \"pids\": {\"limit\": 10}, \"cpu\": {\"quota\": 50000, \"period\": 100000}}"
  v2_run run -d --bundle "$BUNDLE" "$ID"
  assert_eq "$(cat "$V2$CG/memory.max")" $((32 * MiB)) memory.max
  assert_eq "$(cat "$V2$CG/pids.max")" 10 pids.max
  assert_eq "$(cat "$V2$CG/cpu.max")" "50000 100000" cpu.max
  run rt exec "$ID" /probe alloc 256
  assert_status 137
  [ "$(awk '$1 == "oom_kill" {print $2}' "$V2$CG/memory.events")" -ge 1 ] || fail "memory.events: $(cat "$V2$CG/memory.events")"
  run rt exec "$ID" /probe fork 20 0
  assert_eq "$(kv fork.error)" EAGAIN "fork past pids.max"
  run rt update --pids-limit 20 "$ID"
  assert_status 0
  assert_eq "$(cat "$V2$CG/pids.max")" 20 "pids.max after update"
}

# ---------------------------------------------------------------- bad input
# bad_limit JSON NEEDLE...: create and run fail naming NEEDLE (hullrt; the
# anchors' messages vary), and leave no state, process or cgroup in any
# hierarchy (the default cgroup path holds the id)
bad_limit() {
  local j=$1
  shift
  cfg 'del(.linux.cgroupsPath) | .linux.resources = $r' --argjson r "$j"
  for verb in create run; do
    run rt_detached $verb --bundle "$BUNDLE" "$ID"
    if ! is_hullrt && [ "$status" -eq 0 ]; then
      skip "$(runtime_name) accepts $j"
    fi
    assert_status nz
    [ -n "$output" ] || fail "$verb: no error message"
    if is_hullrt; then
      local n
      for n in "$@"; do assert_contains "$output" "$n"; done
      assert_eq "$(grep -c . <<<"$output")" 1 "lines of the error"
    fi
    anchor_leaves "$ID"
  done
}

# anchor_leaves ID: assert_nothing_left, except that what crun or runc leave
# behind is their bug, reported as a skip (teardown removes it)
anchor_leaves() {
  if is_hullrt; then
    assert_nothing_left "$1"
  else
    assert_nothing_left "$1" 2>"$TEST_DIR/left" || skip "$(runtime_name) $(sed -n 's/^# //p' "$TEST_DIR/left" | head -n 1)"
  fi
}

@test "bad input: an unknown unified key" {
  is_hullrt || skip "crun and runc refuse unified on a v1 or hybrid host whatever the key"
  bad_limit '{"unified": {"memory.no_such_file": "1"}}' 'linux.resources.unified' memory.no_such_file
}

@test "bad input: cpu shares 1 (below 2)" {
  bad_limit '{"cpu": {"shares": 1}}' 'linux.resources.cpu.shares'
}

@test "bad input: a negative cpu quota other than -1" {
  bad_limit '{"cpu": {"quota": -5, "period": 100000}}' 'linux.resources.cpu.quota'
}

@test "bad input: swappiness 200" {
  bad_limit '{"memory": {"swappiness": 200}}' 'linux.resources.memory.swappiness'
}

@test "bad input: a malformed seccomp object" {
  cfg '.linux.resources = {"pids": {"limit": 10}} | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {"names": ["getpid"]}}'
  cfg 'del(.linux.cgroupsPath)'
  for verb in create run; do
    run rt_detached $verb --bundle "$BUNDLE" "$ID"
    if ! is_hullrt && [ "$status" -eq 0 ]; then
      skip "$(runtime_name) accepts syscalls as an object"
    fi
    assert_status nz
    if is_hullrt; then
      assert_contains "$output" 'linux.seccomp.syscalls'
      assert_eq "$(grep -c . <<<"$output")" 1 "lines of the error"
    fi
    anchor_leaves "$ID"
  done
}

@test "bad input: a memory limit below what the kernel accepts" {
  # v1 refuses (EBUSY) a limit below what the cgroup already uses; the first
  # pages the runtime charges to the new cgroup are above 4 KiB
  bad_limit '{"memory": {"limit": 4096}}' 'linux.resources.memory.limit'
}

@test "update: memory reservation and cpuset flags; Intel RDT flags refused clearly without resctrl" {
  need_v1 memory cpuset
  rt_detached run -d --bundle "$BUNDLE" "$ID"
  m=32m
  [ "$(runtime_name)" != crun ] || m=$((32 * MiB))
  run rt update --memory-reservation $m --cpuset-cpus 0 --cpuset-mems 0 "$ID"
  assert_status 0
  assert_eq "$(cat "$(cgf memory memory.soft_limit_in_bytes)")" $((32 * MiB)) memory.soft_limit_in_bytes
  assert_eq "$(cat "$(cgf cpuset cpuset.cpus)")" 0 cpuset.cpus
  assert_eq "$(cat "$(cgf cpuset cpuset.mems)")" 0 cpuset.mems
  [ ! -d /sys/fs/resctrl/info ] || skip "this host has resctrl"
  [ "$(runtime_name)" != crun ] || skip "crun 1.8 has no Intel RDT flags"
  run rt update --l3-cache-schema "L3:0=f" "$ID"
  assert_error_mentions "l3 cache schema is not enabled"
  run rt update --mem-bw-schema "MB:0=50" "$ID"
  assert_error_mentions "memory bandwidth schema is not enabled"
  assert_eq "$(state_of "$ID")" running
}

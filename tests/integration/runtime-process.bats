#!/usr/bin/env bats
# process.*: user, groups, umask, cwd, env, capabilities, rlimits,
# noNewPrivileges, oomScoreAdj, scheduler, ioPriority, terminal.

load ../lib/bundle

setup() { hull_setup; }
teardown() { hull_teardown; }

# cap_mask CAP...: the hex mask /proc/self/status prints for these caps.
cap_mask() {
  local m=0 c n
  for c in "$@"; do
    case $c in
      CAP_CHOWN) n=0 ;; CAP_DAC_OVERRIDE) n=1 ;; CAP_FOWNER) n=3 ;; CAP_KILL) n=5 ;;
      CAP_SETGID) n=6 ;; CAP_SETUID) n=7 ;; CAP_NET_BIND_SERVICE) n=10 ;;
      CAP_NET_RAW) n=13 ;; CAP_SYS_CHROOT) n=18 ;; CAP_SYS_ADMIN) n=21 ;;
      CAP_SYS_NICE) n=23 ;; CAP_MKNOD) n=27 ;; CAP_AUDIT_WRITE) n=29 ;;
      *) echo "cap_mask: add $c" >&2; return 1 ;;
    esac
    m=$((m | (1 << n)))
  done
  printf '%016x\n' $m
}

@test "process.user uid/gid and additionalGids" {
  cfg '.process.user = {"uid": 1000, "gid": 100, "additionalGids": [5, 65534]}'
  run_ct /probe ids
  assert_status 0
  assert_eq "$(kv uid)" 1000 uid
  assert_eq "$(kv euid)" 1000 euid
  assert_eq "$(kv gid)" 100 gid
  assert_eq "$(kv groups | tr , '\n' | sort -n | xargs)" "5 65534" groups
}

@test "root with no additionalGids has no supplementary groups" {
  run_ct /probe ids
  assert_eq "$(kv groups)" "" groups
}

@test "process.user.umask" {
  cfg '.process.user.umask = 63'
  run_ct /probe umask
  assert_eq "$(kv umask)" 0077 umask
}

@test "default umask is 0022" {
  run_ct /probe umask
  assert_eq "$(kv umask)" 0022 umask
}

@test "process.cwd, created if missing" {
  cfg '.process.cwd = "/home/user"'
  run_ct /probe cwd
  assert_eq "$(kv cwd)" /home/user cwd
  cfg '.process.cwd = "/new/dir"'
  ID=$(new_id)
  run_ct /probe cwd
  assert_status 0
  assert_eq "$(kv cwd)" /new/dir cwd
}

@test "process.env is the whole environment" {
  cfg '.process.env = ["A=1", "B=two words", "PATH=/bin", $m]' --arg m "$MARK"
  run_ct /probe env
  assert_status 0
  # runc and crun add HOME when it is missing; nothing else may appear
  assert_eq "$(grep '^env\.' <<<"$output" | grep -vc '^env\.HOME=')" 4 "number of variables"
  assert_contains "$output" "env.A=1"
  assert_contains "$output" "env.B=two words"
}

@test "process.args are passed verbatim" {
  run_ct /bin/echo "a b" '$HOME' '*'
  assert_eq "$output" 'a b $HOME *'
}

@test "the five capability sets are set as asked" {
  cfg '.process.capabilities = {
    "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SYS_CHROOT"],
    "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
    "effective": ["CAP_CHOWN", "CAP_KILL"],
    "inheritable": ["CAP_KILL", "CAP_NET_RAW"],
    "ambient": ["CAP_KILL"]}'
  cfg '.process.noNewPrivileges = false'
  run_ct /probe caps
  assert_status 0
  assert_eq "$(kv cap_bnd)" "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_RAW CAP_SYS_CHROOT)" bounding
  assert_eq "$(kv cap_inh)" "$(cap_mask CAP_KILL CAP_NET_RAW)" inheritable
  assert_eq "$(kv cap_amb)" "$(cap_mask CAP_KILL)" ambient
  # uid 0: execve gives root every capability of the bounding set
  # (the kernel's "root has full file capabilities" rule)
  assert_eq "$(kv cap_prm)" "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_RAW CAP_SYS_CHROOT)" permitted
  assert_eq "$(kv cap_eff)" "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_RAW CAP_SYS_CHROOT)" effective
}

@test "a non-root user keeps exactly the capabilities asked" {
  cfg '.process.user = {"uid": 1000, "gid": 1000}'
  cfg '.process.capabilities = {
    "bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
    "permitted": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
    "effective": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
    "inheritable": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
    "ambient": ["CAP_NET_BIND_SERVICE", "CAP_KILL"]}'
  run_ct /probe caps
  assert_eq "$(kv cap_eff)" "$(cap_mask CAP_NET_BIND_SERVICE CAP_KILL)" effective
  assert_eq "$(kv cap_prm)" "$(cap_mask CAP_NET_BIND_SERVICE CAP_KILL)" permitted
  assert_eq "$(kv cap_amb)" "$(cap_mask CAP_NET_BIND_SERVICE CAP_KILL)" ambient
}

@test "a non-root user without ambient capabilities has none effective" {
  cfg '.process.user = {"uid": 1000, "gid": 1000}'
  cfg '.process.capabilities = {"bounding": ["CAP_KILL"], "permitted": ["CAP_KILL"], "effective": ["CAP_KILL"]}'
  run_ct /probe caps
  assert_eq "$(kv cap_eff)" 0000000000000000 effective
  assert_eq "$(kv cap_prm)" 0000000000000000 permitted
  assert_eq "$(kv cap_bnd)" "$(cap_mask CAP_KILL)" bounding
}

@test "rlimits are applied (soft and hard)" {
  cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456},
                           {"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
                           {"type": "RLIMIT_NPROC", "soft": 200, "hard": 300},
                           {"type": "RLIMIT_STACK", "soft": 4194304, "hard": 8388608}]'
  run_ct /probe rlimits
  assert_eq "$(kv rlimit.nofile)" 123:456 nofile
  assert_eq "$(kv rlimit.core)" 0:0 core
  assert_eq "$(kv rlimit.nproc)" 200:300 nproc
  assert_eq "$(kv rlimit.stack)" 4194304:8388608 stack
}

@test "noNewPrivileges true sets no_new_privs" {
  cfg '.process.noNewPrivileges = true'
  run_ct /probe caps
  assert_eq "$(kv no_new_privs)" 1 no_new_privs
}

@test "noNewPrivileges false leaves it unset" {
  cfg '.process.noNewPrivileges = false'
  run_ct /probe caps
  assert_eq "$(kv no_new_privs)" 0 no_new_privs
}

@test "oomScoreAdj" {
  cfg '.process.oomScoreAdj = 789'
  run_ct /probe oom
  assert_eq "$(kv oom_score_adj)" 789 oom_score_adj
}

@test "scheduler: SCHED_IDLE, and SCHED_BATCH with a nice value" {
  is_hullrt || skip "process.scheduler (spec 1.2) is not in crun 1.8 or runc 1.1"
  cfg '.process.scheduler = {"policy": "SCHED_IDLE"}'
  run_ct /probe sched
  assert_status 0
  assert_eq "$(kv sched_policy)" SCHED_IDLE policy
  cfg '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
  ID=$(new_id)
  run_ct /probe sched
  assert_status 0
  assert_eq "$(kv sched_policy)" SCHED_BATCH policy
  assert_eq "$(kv nice)" 7 nice
}

@test "scheduler: SCHED_FIFO with a priority" {
  is_hullrt || skip "process.scheduler (spec 1.2) is not in crun 1.8 or runc 1.1"
  # (real-time policies need CAP_SYS_NICE; give it so the runtime's order of
  # setscheduler and capability drop does not matter)
  # With RT group scheduling (cgroup v1 cpu.rt_runtime_us), a new cgroup has
  # no real-time budget and every real-time policy fails with EPERM.
  [ ! -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "RT group scheduling: a new cpu cgroup gets no real-time budget"
  cfg '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 5}
       | .process.capabilities[] += ["CAP_SYS_NICE"]'
  run_ct /probe sched
  assert_eq "$(kv sched_policy)" SCHED_FIFO policy
  assert_eq "$(kv sched_priority)" 5 priority
}

@test "an invalid scheduler priority fails clearly and leaves nothing" {
  is_hullrt || skip "process.scheduler (spec 1.2) is not in crun 1.8 or runc 1.1"
  cfg '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 1000}'
  set_args /probe sched
  run rt run --bundle "$BUNDLE" "$ID"
  assert_error_mentions
  assert_match "$output" "[Ss]ched|priority|SCHED_FIFO"
  assert_nothing_left "$ID"
}

@test "ioPriority class and level" {
  is_hullrt || skip "process.ioPriority (spec 1.2) is not in crun 1.8 or runc 1.1"
  cfg '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
  run_ct /probe ioprio
  assert_status 0
  assert_eq "$(kv ioprio_class)" IOPRIO_CLASS_IDLE class
  cfg '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
  ID=$(new_id)
  run_ct /probe ioprio
  assert_eq "$(kv ioprio_class)" IOPRIO_CLASS_BE class
  assert_eq "$(kv ioprio_level)" 6 level
}

@test "without a terminal, the container's stdio is the runtime's" {
  set_args /probe tty
  run rt run --bundle "$BUNDLE" "$ID"
  assert_eq "$(kv tty.0)" 0 tty.0
  assert_eq "$(kv tty.1)" 0 tty.1
  set_args sh -c 'read l; echo "got:$l"'
  out=$(echo hello-stdin | rt run --bundle "$BUNDLE" "$(new_id)")
  assert_eq "$out" "got:hello-stdin" stdin
  set_args sh -c 'echo to-stderr >&2'
  out=$(rt run --bundle "$BUNDLE" "$(new_id)" 2>&1 >/dev/null)
  assert_eq "$out" "to-stderr" stderr
}

@test "terminal: --console-socket receives a pty master; the process has a tty on 0, 1, 2" {
  cfg '.process.terminal = true'
  set_args /probe tty
  start_recvtty tty
  # (runc refuses --console-socket with a foreground run: create + start)
  run rt_detached create --console-socket "$CONSOLE" --bundle "$BUNDLE" "$ID"
  assert_status 0
  rt start "$ID"
  wait_recvtty tty
  assert_eq "$(kv fds "$(cat "$TTY_OUT.meta")")" 1 "fds received"
  out=$(cat "$TTY_OUT")
  assert_eq "$(kv tty.0 "$out")" 1 tty.0
  assert_eq "$(kv tty.1 "$out")" 1 tty.1
  assert_eq "$(kv tty.2 "$out")" 1 tty.2
  assert_match "$(kv ttyname "$out")" "^/dev/pts/[0-9]+$"
}

@test "terminal: input written to the pty master reaches the process" {
  cfg '.process.terminal = true'
  set_args sh -c 'read l; echo "got:$l"'
  start_recvtty tty --input $'typed-line\n'
  run rt_detached create --console-socket "$CONSOLE" --bundle "$BUNDLE" "$ID"
  assert_status 0
  rt start "$ID"
  wait_recvtty tty
  assert_contains "$(cat "$TTY_OUT")" "got:typed-line"
}

@test "terminal: consoleSize sets the window size" {
  cfg '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 111}'
  set_args stty size
  start_recvtty tty
  rt_detached create --console-socket "$CONSOLE" --bundle "$BUNDLE" "$ID"
  rt start "$ID"
  wait_recvtty tty
  assert_contains "$(cat "$TTY_OUT")" "33 111"
}

@test "terminal true without --console-socket fails clearly" {
  cfg '.process.terminal = true'
  set_args /probe tty
  run rt_detached create --bundle "$BUNDLE" "$ID"
  assert_error_mentions
  assert_nothing_left "$ID"
}

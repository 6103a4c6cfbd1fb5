#!/usr/bin/env bats
# runtime-seccomp.bats - linux.seccomp as a runtime user sees it: a container
# whose profile denies a syscall gets the errno the profile says, actions and
# argument conditions apply, the notify listener reaches its agent, the
# engine's default profile (resolved by hull for Docker's capabilities)
# denies what Docker's does, and a malformed profile is refused cleanly.
#
# The runtime is $RUNTIME (default: hullrt from $HULL_BUILD); the same file
# runs against crun or runc to check the expectations themselves.

SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
B=${HULL_BUILD:-build}
[[ $B = /* ]] || B=$SRC/$B
RUNTIME=${RUNTIME:-$B/cmd/hullrt/hullrt}
PROBE=$B/tests/probe/probe
RESOLVE=$B/tests/unit/seccomp/seccomp-resolve

setup() {
  [ "$(id -u)" = 0 ] || skip "needs root"
  [ -x "$RUNTIME" ] || skip "no runtime at $RUNTIME"
  [ -x "$PROBE" ] || skip "no probe at $PROBE"
  T=$(mktemp -d /tmp/hull-bats-seccomp.XXXXXX)
  ROOT=$T/state
  ID=hull-seccomp-$$-$BATS_TEST_NUMBER
  mkdir -p "$T/bundle/rootfs/tmp"
  cp "$PROBE" "$T/bundle/rootfs/probe"
  (cd "$T/bundle" && "$RUNTIME" spec) || return 1
  # a spec every runtime reads; no terminal
  jq '.ociVersion = "1.0.2" | .process.terminal = false' "$T/bundle/config.json" >"$T/c" &&
    mv "$T/c" "$T/bundle/config.json"
}

teardown() {
  [ -n "${AGENT:-}" ] && kill "$AGENT" 2>/dev/null
  [ -n "${T:-}" ] || return 0
  "$RUNTIME" --root "$ROOT" delete -f "$ID" >/dev/null 2>&1 || true
  rm -rf "$T"
}

# all_caps: the container gets every capability, so that an EPERM can only
# come from seccomp
all_caps() {
  local names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)
  local bnd n list=()
  bnd=0x$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
  for n in "${!names[@]}"; do
    (((bnd >> n) & 1)) && list+=("CAP_${names[n]}")   # what this host can give
  done
  local caps
  caps=$(printf '%s\n' "${list[@]}" | jq -R . | jq -s -c .)
  jq --argjson c "$caps" '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}' \
    "$T/bundle/config.json" >"$T/c" && mv "$T/c" "$T/bundle/config.json"
}

# with_seccomp JSON ARGS...: config.json runs /probe ARGS with linux.seccomp
with_seccomp() {
  local sc=$1
  shift
  local args
  args=$(printf '%s\n' /probe "$@" | jq -R . | jq -s -c .)
  jq --argjson sc "$sc" --argjson a "$args" '.linux.seccomp = $sc | .process.args = $a' \
    "$T/bundle/config.json" >"$T/c" && mv "$T/c" "$T/bundle/config.json"
}

run_container() {
  run timeout 60 "$RUNTIME" --root "$ROOT" run -b "$T/bundle" "$ID"
  "$RUNTIME" --root "$ROOT" delete -f "$ID" >/dev/null 2>&1 || true
}

# probe_syscall PROFILE NAME ARGS... -> $output has syscall.NAME=...
probe_syscall() {
  local sc=$1
  shift
  with_seccomp "$sc" syscall "$@"
  run_container
}

@test "a denied syscall fails with the profile's errnoRet; others run" {
  sc='{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["keyctl"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}'
  probe_syscall "$sc" keyctl
  [ "$status" -eq 0 ]
  [ "$output" = "syscall.keyctl=EACCES" ]
  probe_syscall "$sc" getpid
  [ "$status" -eq 0 ]
  [ "$output" = "syscall.getpid=0" ]
}

@test "defaultErrnoRet applies to every syscall not listed" {
  # allow what a static program needs: the default profile's plain allow
  # list, and arch_prctl (x86_64's TLS setup; arch-conditional there)
  allow=$(jq -c '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW" and .includes == null
                  and .excludes == null and .args == null) | .names[]] + ["arch_prctl"]' \
    "$SRC/data/seccomp/default.json")
  sc=$(jq -n -c --argjson n "$allow" \
    '{defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 95,
      syscalls: [{names: $n, action: "SCMP_ACT_ALLOW"}]}')
  probe_syscall "$sc" keyctl
  [ "$status" -eq 0 ]
  [ "$output" = "syscall.keyctl=EOPNOTSUPP" ]
}

@test "argument conditions: personality(0xffffffff) only" {
  sc='{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":4294967295,"op":"SCMP_CMP_NE"}]}]}'
  probe_syscall "$sc" personality 0xffffffff
  [ "$output" = "syscall.personality=0" ]
  probe_syscall "$sc" personality 8
  [ "$output" = "syscall.personality=EPERM" ]
}

@test "SCMP_ACT_KILL_PROCESS ends the container with SIGSYS" {
  probe_syscall '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["keyctl"],"action":"SCMP_ACT_KILL_PROCESS"}]}' keyctl
  [ "$status" -eq $((128 + 31)) ]
  [ "$output" = "" ]
}

@test "unknown syscall names are skipped, the rest of the rule applies" {
  probe_syscall '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["hull_no_such_call","keyctl"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}' keyctl
  [ "$status" -eq 0 ]
  [ "$output" = "syscall.keyctl=EPERM" ]
}

@test "SCMP_ACT_NOTIFY: the agent gets the listener and the container process state" {
  [[ "$RUNTIME" != *crun ]] || skip "crun 1.8 connects to listenerPath but sends nothing"
  cat >"$T/agent.py" <<'EOF'
import errno, fcntl, json, socket, struct, sys
path, out = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(30)
conn, _ = srv.accept()
conn.settimeout(30)
msg, fds, _, _ = socket.recv_fds(conn, 65536, 1)
while True:  # the state may come in several pieces; fds only with the first
    try:
        state = json.loads(msg)
        break
    except ValueError:
        more = conn.recv(65536)
        if not more:
            sys.exit("no complete state: %r" % msg)
        msg += more
notif = bytearray(80)                       # struct seccomp_notif
fcntl.ioctl(fds[0], 0xC0502100, notif)      # SECCOMP_IOCTL_NOTIF_RECV
nid, pid, _, nr = struct.unpack_from("=QIIi", notif)
resp = bytearray(struct.pack("=QqiI", nid, 0, -errno.EXDEV, 0))
fcntl.ioctl(fds[0], 0xC0182101, resp)       # SECCOMP_IOCTL_NOTIF_SEND
state["notified_nr"] = nr
json.dump(state, open(out, "w"))
EOF
  python3 "$T/agent.py" "$T/agent.sock" "$T/agent.json" &
  AGENT=$!
  for _ in $(seq 100); do [ -S "$T/agent.sock" ] && break; sleep 0.05; done
  sc=$(jq -n -c --arg p "$T/agent.sock" \
    '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p, listenerMetadata: "hello",
      syscalls: [{names: ["keyctl"], action: "SCMP_ACT_NOTIFY"}]}')
  probe_syscall "$sc" keyctl
  [ "$status" -eq 0 ]
  [ "$output" = "syscall.keyctl=EXDEV" ]       # the agent's answer
  wait "$AGENT"
  AGENT=
  run jq -r '[.fds[0], .metadata, .state.id, .state.status, (.pid > 0),
              .notified_nr] | map(tostring) | join(" ")' "$T/agent.json"
  [ "$output" = "seccompFd hello $ID creating true 250" ]   # 250: keyctl on x86_64
}

@test "the default profile with Docker's capabilities denies what Docker's denies" {
  [ -x "$RESOLVE" ] || skip "no seccomp-resolve"
  [ "$(uname -m)" = x86_64 ] || skip "syscall numbers below are x86_64's"
  sc=$("$RESOLVE" --caps docker)
  all_caps
  check() {
    probe_syscall "$sc" "$@"
    echo "$* -> $output"
  }
  check getpid;                 [ "$output" = "syscall.getpid=0" ]
  check keyctl;                 [ "$output" = "syscall.keyctl=EPERM" ]
  check unshare 0x10000000;     [ "$output" = "syscall.unshare=EPERM" ]   # CLONE_NEWUSER
  check mount;                  [ "$output" = "syscall.mount=EPERM" ]
  check clone3;                 [ "$output" = "syscall.clone3=ENOSYS" ]
  check socket 40 1 0;          [ "$output" = "syscall.socket=EPERM" ]    # AF_VSOCK
  check personality 0xffffffff; [ "$output" = "syscall.personality=0" ]
  check personality 0x400000;   [ "$output" = "syscall.personality=EPERM" ]
  check reboot;                 [ "$output" = "syscall.reboot=EPERM" ]
}

@test "the default profile with CAP_SYS_ADMIN allows namespaces and mounts" {
  [ -x "$RESOLVE" ] || skip "no seccomp-resolve"
  sc=$("$RESOLVE" --caps docker,CAP_SYS_ADMIN)
  all_caps
  probe_syscall "$sc" unshare 0x00020000   # CLONE_NEWNS: reaches the kernel
  [ "$output" = "syscall.unshare=0" ]
}

@test "a malformed profile is refused with the key named, and nothing is left" {
  with_seccomp '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["keyctl"],"action":"SCMP_ACT_FOO"}]}' getpid
  run "$RUNTIME" --root "$ROOT" run -b "$T/bundle" "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *SCMP_ACT_FOO* ]]
  if [[ "$RUNTIME" == */hullrt ]]; then
    [[ "$output" == *'`linux.seccomp.syscalls[0].action`: unknown action `SCMP_ACT_FOO`'* ]]
  fi
  run "$RUNTIME" --root "$ROOT" state "$ID"
  [ "$status" -ne 0 ]
  run "$RUNTIME" --root "$ROOT" list -q
  [ "$output" = "" ]
}

# start_agent SOCKET [ARGS...]: tests/lib/seccomp-agent.py on SOCKET, states
# in $T/agent/state.N.json
start_agent() {
  mkdir -p "$T/agent"
  python3 "$SRC/tests/lib/seccomp-agent.py" "$1" "$T/agent" "${@:2}" 3>&- &
  AGENT=$!
  for _ in $(seq 100); do [ -e "$T/agent/ready" ] && return 0; sleep 0.05; done
  return 1
}
# notify_profile SOCKET NAMES...: allow all, notify NAMES
notify_profile() {
  local names
  names=$(printf '%s\n' "${@:2}" | jq -R . | jq -s -c .)
  jq -n -c --arg p "$1" --argjson n "$names" \
    '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p, syscalls: [{names: $n, action: "SCMP_ACT_NOTIFY"}]}'
}
skip_crun_notify() {
  [[ "$RUNTIME" != *crun ]] || skip "crun 1.8 connects to listenerPath but sends nothing"
}

@test "SCMP_ACT_NOTIFY on close: the agent has the listener before the init can trap itself" {
  skip_crun_notify
  start_agent "$T/agent.sock" --answer keyctl=EXDEV
  probe_syscall "$(notify_profile "$T/agent.sock" close keyctl)" keyctl
  [ "$status" -ne 124 ] || { echo "# the runtime hung"; return 1; }
  [ "$status" -eq 0 ]
  [ "$output" = "syscall.keyctl=EXDEV" ]
}

@test "exec with SCMP_ACT_NOTIFY rules: the exec'd process's own listener reaches the agent" {
  skip_crun_notify
  start_agent "$T/agent.sock" --answer keyctl=EXDEV
  with_seccomp "$(notify_profile "$T/agent.sock" keyctl)" sleep 60
  "$RUNTIME" --root "$ROOT" run -d -b "$T/bundle" "$ID" </dev/null >/dev/null 2>&1
  run timeout 30 "$RUNTIME" --root "$ROOT" exec "$ID" /probe syscall keyctl
  [ "$status" -eq 0 ]
  [ "$output" = "syscall.keyctl=EXDEV" ]
  [ -f "$T/agent/state.1.json" ]
  jq -e --arg id "$ID" '.state.id == $id and .pid > 0 and .fds == ["seccompFd"]' "$T/agent/state.1.json"
}

@test "SCMP_ACT_NOTIFY with startContainer hooks: create, start and the hook all go through" {
  skip_crun_notify
  start_agent "$T/agent.sock" --answer keyctl=EXDEV
  with_seccomp "$(notify_profile "$T/agent.sock" close keyctl)" syscall keyctl
  jq '.hooks.startContainer = [{"path": "/probe", "args": ["probe", "exit", "0"]}]' \
    "$T/bundle/config.json" >"$T/c" && mv "$T/c" "$T/bundle/config.json"
  timeout 30 "$RUNTIME" --root "$ROOT" create -b "$T/bundle" "$ID" </dev/null >"$T/out" 2>"$T/err"
  run timeout 30 "$RUNTIME" --root "$ROOT" start "$ID"
  [ "$status" -eq 0 ] || { echo "# start: $output"; return 1; }
  for _ in $(seq 100); do grep -q keyctl "$T/out" && break; sleep 0.05; done
  [ "$(cat "$T/out")" = "syscall.keyctl=EXDEV" ] || { echo "# out: $(cat "$T/out" "$T/err")"; return 1; }
}

@test "SCMP_ACT_NOTIFY without a listenerPath is refused, leaving nothing" {
  [[ "$RUNTIME" != *crun ]] || skip "crun 1.8 runs it (the syscall then fails)"
  sc='{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["keyctl"],"action":"SCMP_ACT_NOTIFY"}]}'
  probe_syscall "$sc" keyctl
  [ "$status" -ne 0 ]
  [ "$status" -ne 124 ]
  ! "$RUNTIME" --root "$ROOT" state "$ID" >/dev/null 2>&1
  [[ "$RUNTIME" != *hullrt ]] || [[ "$output" == *listenerPath* ]]
}

@test "a listenerPath nobody listens on fails create clearly, leaving nothing" {
  probe_syscall "$(notify_profile "$T/nobody.sock" keyctl)" keyctl
  [ "$status" -ne 0 ]
  [ "$status" -ne 124 ]
  [[ "$output" == *nobody.sock* ]]
  ! "$RUNTIME" --root "$ROOT" state "$ID" >/dev/null 2>&1
  [ -z "$(ls "$ROOT" 2>/dev/null | grep -v '^~')" ]
}

@test "an abstract listenerPath (@name) reaches an agent on the abstract socket" {
  skip_crun_notify
  name="@hull-agent-$$-$RANDOM"
  start_agent "$name" --answer keyctl=EXDEV
  probe_syscall "$(notify_profile "$name" keyctl)" keyctl
  [ "$status" -eq 0 ]
  [ "$output" = "syscall.keyctl=EXDEV" ]
}

@test "SCMP_ACT_NOTIFY on sendmsg (needed for the handover) is refused clearly" {
  [[ "$RUNTIME" == *hullrt ]] || skip "runc and crun refuse other syscalls (write) or none"
  probe_syscall "$(notify_profile "$T/agent.sock" sendmsg)" keyctl
  [ "$status" -ne 0 ]
  [[ "$output" == *sendmsg* ]]
}

@test "an agent that dies after taking the listener: notified syscalls fail with ENOSYS, no hang" {
  skip_crun_notify
  start_agent "$T/agent.sock" --die
  probe_syscall "$(notify_profile "$T/agent.sock" keyctl)" keyctl
  [ "$status" -ne 124 ] || { echo "# the runtime hung"; return 1; }
  [ "$status" -eq 0 ]
  [ "$output" = "syscall.keyctl=ENOSYS" ]
}

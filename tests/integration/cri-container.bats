#!/usr/bin/env bats
# Containers of a pod through containerd's CRI plugin with the RuntimeClass
# handler $CRI_HANDLER (default `hull`; `CRI_HANDLER=runc` validates the
# tests): exec, statuses, OOM, resource updates, seccomp, read-only roots,
# kubelet's cgroup layout, user namespaces (tests/lib/cri.bash).

load ../lib/cri

setup_file() {
  cri_setup
  export POD; POD=$(cri_pod ctrs)
}
teardown_file() { cri_teardown; }

# running NAME [JQ]: a started container of the shared pod; prints its id.
running() {
  local c
  c=$(cri_ctr "$POD" "$@") || return 1
  cri_start "$c" || return 1
  echo "$c"
}

# exited CTR: wait until the container has exited (30 s at most).
exited() { wait_until 30 eval "[ \"\$(cri_status $1 | jq -r .state)\" = CONTAINER_EXITED ]"; }

@test "ExecSync: stdout, stderr and the exit code of the command" {
  c=$(running ex)
  run cri_exec "$c" sh -c 'echo out-$((6 * 7)); echo err-text >&2; exit 3'
  assert_status 3
  assert_eq "$output" out-42
  assert_eq "$(cat "$CL_DIR/exec.err")" err-text stderr
  run cri_exec "$c" /no/such/binary
  assert_status nz
  # the command runs as the container's process does: same root, same user
  assert_eq "$(cri_exec "$c" id -u)" 0
  assert_eq "$(cri_exec "$c" readlink /proc/self/ns/mnt)" "$(cri_exec "$c" readlink /proc/1/ns/mnt)"
}

@test "ExecSync: a command that outlives its timeout is stopped" {
  c=$(running slow)
  SECONDS=0
  run cri ExecSync "{\"container_id\":\"$c\",\"cmd\":[\"sleep\",\"60\"],\"timeout\":2}"
  assert_status nz
  assert_contains "$output" DEADLINE
  [ $SECONDS -lt 30 ] || fail "timeout not enforced (${SECONDS}s)"
}

@test "Exec: the streaming server runs the command and reports its exit code" {
  c=$(running stream)
  run cri Exec "$(jq -nc --arg c "$c" '{container_id: $c, cmd: ["sh", "-c", "echo streamed-out; echo streamed-err >&2; exit 4"], stdout: true, stderr: true}')"
  assert_status 0
  url=$(jq -r .url <<<"$output")
  assert_contains "$url" http://127.0.0.1:
  run in_ns "${CRI_PY[@]}" exec-stream "$url"
  assert_status 4
  assert_contains "$output" streamed-out
  assert_contains "$output" streamed-err
  # the URL is single-use
  run in_ns "${CRI_PY[@]}" exec-stream "$url"
  assert_status nz
}

@test "ContainerStatus: exit codes, Completed and Error reasons, timestamps" {
  # (they live a moment: containerd stamps started_at after the runtime's
  # `start` returns, so a process that exits at once can finish "before")
  ok=$(running done0 '.command = ["sleep", "0.5"]')
  bad=$(running done5 '.command = ["sh", "-c", "sleep 0.5; exit 5"]')
  exited "$ok" || fail "container did not exit"
  exited "$bad" || fail "container did not exit"
  st=$(cri_status "$ok")
  assert_eq "$(jq -r .exit_code <<<"$st")" 0
  assert_eq "$(jq -r .reason <<<"$st")" Completed
  [ "$(jq -r .finished_at <<<"$st")" -ge "$(jq -r .started_at <<<"$st")" ] || fail "finished before started: $st"
  [ "$(jq -r .started_at <<<"$st")" -gt 0 ] || fail "no start time: $st"
  st=$(cri_status "$bad")
  assert_eq "$(jq -r .exit_code <<<"$st")" 5
  assert_eq "$(jq -r .reason <<<"$st")" Error
  # what the container wrote went to the pod's log directory (CRI log format)
  log=$(cri PodSandboxStatus "{\"pod_sandbox_id\":\"$POD\"}" | jq -r .status.metadata.uid)
  c=$(running logger '.command = ["sh", "-c", "echo to-the-log"]')
  exited "$c"
  assert_contains "$(cat "$CL_DIR/logs/$log/logger.log")" "stdout F to-the-log"
}

@test "ContainerStatus: a container over its memory limit is OOMKilled" {
  c=$(running oom '.command = ["sh", "-c", "echo start; tail /dev/zero"] | .linux.resources.memory_limit_in_bytes = 33554432')
  exited "$c" || fail "the memory hog still runs"
  st=$(cri_status "$c")
  assert_eq "$(jq -r .reason <<<"$st")" OOMKilled
  assert_eq "$(jq -r .exit_code <<<"$st")" 137
}

@test "UpdateContainerResources: the container sees the new memory limit and CPU quota" {
  c=$(running upd '.linux.resources.memory_limit_in_bytes = 67108864 | .linux.resources.cpu_period = 100000 | .linux.resources.cpu_quota = 50000')
  assert_eq "$(cg_seen "$c" memory)" 67108864
  assert_eq "$(cg_seen "$c" quota)" 50000
  run cri UpdateContainerResources "$(jq -nc --arg c "$c" '{container_id: $c, linux: {memory_limit_in_bytes: 100663296, cpu_period: 100000, cpu_quota: 20000, cpu_shares: 256}}')"
  assert_status 0
  assert_eq "$(cg_seen "$c" memory)" 100663296
  assert_eq "$(cg_seen "$c" quota)" 20000
  assert_eq "$(cg_seen "$c" shares)" "$(shares_seen 256)"
  # ContainerStatus (verbose) reports the new resources in the spec
  run cri ContainerStatus "{\"container_id\":\"$c\",\"verbose\":true}"
  assert_eq "$(jq -r '.info.info | fromjson | .runtimeSpec.linux.resources.memory.limit' <<<"$output")" 100663296
}

@test "cgroup parents as kubelet's cgroupfs driver lays them out: kubepods/burstable/pod<uid>/<id>" {
  c=$(running cgp '.linux.resources.memory_limit_in_bytes = 50331648')
  cg=$(cat "$CL_DIR/pods/$POD.cgroup")
  [[ $cg == kubepods/burstable/pod* ]] || fail "pod cgroup \`$cg\`"
  for ctl in memory cpu pids; do
    [ -d "$(cg_dir $ctl "$cg/$c")" ] || fail "no $ctl cgroup $cg/$c"
    [ -d "$(cg_dir $ctl "$cg/$POD")" ] || fail "no $ctl cgroup for the sandbox"
  done
  if cri_cgv2; then
    assert_eq "$(cat "$(cg_dir memory "$cg/$c")/memory.max")" 50331648
  else
    assert_eq "$(cat "$(cg_dir memory "$cg/$c")/memory.limit_in_bytes")" 50331648
  fi
  pid=$(cat "$CL_DIR/state/io.containerd.runtime.v2.task/k8s.io/$c/init.pid")
  grep -qx "$pid" "$(cg_dir memory "$cg/$c")/cgroup.procs" || fail "pid $pid not in $cg/$c"
  assert_contains "$(cat /proc/"$pid"/cgroup)" ":/$cg/$c"
}

@test "seccomp RuntimeDefault filters the container, Unconfined does not" {
  d=$(running sdef '.linux.security_context.seccomp = {profile_type: "RuntimeDefault"}')
  u=$(running sunc '.linux.security_context.seccomp = {profile_type: "Unconfined"}')
  assert_eq "$(cri_exec "$d" sh -c 'grep ^Seccomp: /proc/self/status | cut -f2')" 2 "mode under RuntimeDefault"
  assert_eq "$(cri_exec "$u" sh -c 'grep ^Seccomp: /proc/self/status | cut -f2')" 0 "mode under Unconfined"
  # the default profile refuses unshare(CLONE_NEWUSER) to a container without
  # CAP_SYS_ADMIN; unconfined, the kernel allows it
  run cri_exec "$d" unshare -U true
  assert_status nz
  run cri_exec "$u" unshare -U true
  assert_status 0
}

@test "a read-only root filesystem: writes fail, the pod's writable mounts stay writable" {
  c=$(running ro '.linux.security_context.readonly_rootfs = true')
  run cri_exec "$c" touch /newfile
  assert_status nz
  assert_contains "$(cat "$CL_DIR/exec.err")" "Read-only file system"
  assert_contains "$(cri_exec "$c" cat /proc/self/mountinfo | awk '$5 == "/"')" " ro"
  cri_exec "$c" touch /dev/shm/ok || fail "/dev/shm not writable"
  w=$(running rw)
  cri_exec "$w" touch /newfile || fail "a writable root refused a write"
}

@test "user namespaces (hostUsers: false): kubelet's mappings reach the container, or containerd says it does not support them" {
  upod=$(cri_pod userns '.linux.security_context.namespace_options.userns_options = {mode: "POD", uids: [{host_id: 200000, container_id: 0, length: 65536}], gids: [{host_id: 200000, container_id: 0, length: 65536}]}')
  c=$(cri_ctr "$upod" u '.linux.security_context.namespace_options.userns_options = {mode: "POD", uids: [{host_id: 200000, container_id: 0, length: 65536}], gids: [{host_id: 200000, container_id: 0, length: 65536}]}')
  cri_start "$c"
  map=$(cri_exec "$c" cat /proc/self/uid_map | tr -s ' ')
  if [[ $map == " 0 0 4294967295" ]]; then
    cri_rmpod "$upod"
    skip "containerd $(containerd --version | awk '{print $3}') ignores userns_options (CRI user namespaces need containerd 1.7)"
  fi
  assert_eq "$map" " 0 200000 65536" uid_map
  cri_rmpod "$upod"
}

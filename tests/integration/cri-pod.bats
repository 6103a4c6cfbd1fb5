#!/usr/bin/env bats
# Pods through containerd's CRI plugin as kubelet drives them: the runtime
# is the RuntimeClass handler $CRI_HANDLER (default `hull`: containerd's
# runc.v2 shim with BinaryName = the built hullrt). `CRI_HANDLER=runc`
# validates the tests. Everything runs in a private containerd inside a
# network namespace of the file's own (tests/lib/cri.bash).

load ../lib/cri

setup_file() { cri_setup; }
teardown_file() { cri_teardown; }

@test "Version and Status: the CRI plugin answers, runtime and network are ready" {
  run cri Version '{"version":"v1"}'
  assert_status 0
  assert_eq "$(jq -r .runtime_name <<<"$output")" containerd
  assert_eq "$(jq -r .runtime_api_version <<<"$output")" v1
  run cri Status
  assert_status 0
  assert_eq "$(jq -r '.status.conditions[] | select(.type == "RuntimeReady") | .status' <<<"$output")" true
  assert_eq "$(jq -r '.status.conditions[] | select(.type == "NetworkReady") | .status' <<<"$output")" true
}

@test "PullImage from the test registry; ImageStatus and ListImages show it" {
  run cri PullImage "{\"image\":{\"image\":\"$CRI_BUSYBOX\"}}"
  assert_status 0
  ref=$(jq -r .image_ref <<<"$output")
  assert_contains "$ref" sha256:
  run cri ImageStatus "{\"image\":{\"image\":\"$CRI_BUSYBOX\"}}"
  assert_status 0
  assert_eq "$(jq -r .image.id <<<"$output")" "$ref"
  assert_contains "$(jq -r '.image.repo_digests[]' <<<"$output")" "$(cat "$CL_DIR/img/bb.digest")"
  run cri ListImages
  assert_status 0
  assert_contains "$(jq -r '.images[].repo_tags[]' <<<"$output")" "$CRI_BUSYBOX"
  run cri PullImage '{"image":{"image":"127.0.0.1:5000/hulltest/absent:1"}}'
  assert_status nz
  assert_contains "$output" "not found"
}

@test "RunPodSandbox with the handler: ready, a pod IP, the pause process run by that runtime" {
  pod=$(cri_pod sb1)
  run cri PodSandboxStatus "{\"pod_sandbox_id\":\"$pod\"}"
  assert_status 0
  assert_eq "$(jq -r .status.state <<<"$output")" SANDBOX_READY
  assert_eq "$(jq -r .status.runtime_handler <<<"$output")" "$CRI_HANDLER"
  assert_eq "$(jq -r .status.metadata.name <<<"$output")" sb1
  ip=$(jq -r .status.network.ip <<<"$output")
  [[ $ip == 10.88.0.* ]] || fail "pod IP \`$ip\` not from the CNI range"
  # the runtime of the handler holds the sandbox's state (its --root)
  [ -d "$CL_DIR/rt/$CRI_HANDLER/k8s.io/$pod" ] || fail "no state of \`$pod\` under the $CRI_HANDLER root"
  # the pause process is alive and is the pod's pid 1
  pid=$(cat "$CL_DIR/state/io.containerd.runtime.v2.task/k8s.io/$pod/init.pid")
  assert_eq "$(tr '\0' ' ' </proc/"$pid"/cmdline)" "/pause " "pause cmdline"
  # the bridge and the pod's veth live in the test's namespace, not the host's
  in_ns ip link show hcri0 >/dev/null || fail "no bridge in the test namespace"
  ! ip link show hcri0 >/dev/null 2>&1 || fail "bridge hcri0 leaked to the host namespace"
  run cri_rmpod "$pod"
  assert_status 0
}

@test "an unknown runtime handler is refused and leaves no sandbox" {
  run cri RunPodSandbox '{"config":{"metadata":{"name":"nohandler","uid":"u-nohandler","namespace":"hulltest"}},"runtime_handler":"no-such-handler"}'
  assert_status nz
  assert_contains "$output" no-such-handler
  run cri ListPodSandbox
  [ "$(jq '[.items[] | select(.metadata.name == "nohandler")] | length' <<<"$output")" = 0 ] ||
    fail "a sandbox was left: $output"
}

@test "two containers share the pod's network, IPC and UTS namespaces; one shares the PID namespace" {
  pod=$(cri_pod shared)
  a=$(cri_ctr "$pod" a)
  b=$(cri_ctr "$pod" b '.linux.security_context.namespace_options.pid = "POD"')
  cri_start "$a"
  cri_start "$b"
  for ns in net ipc uts; do
    na=$(cri_exec "$a" readlink /proc/self/ns/$ns)
    nb=$(cri_exec "$b" readlink /proc/self/ns/$ns)
    [ -n "$na" ] && [ "$na" = "$nb" ] || fail "$ns namespaces differ: \`$na\` vs \`$nb\`"
  done
  assert_eq "$(cri_exec "$a" hostname)" shared hostname
  # the same IP on eth0 in both, the pod's
  podip=$(cri PodSandboxStatus "{\"pod_sandbox_id\":\"$pod\"}" | jq -r .status.network.ip)
  assert_contains "$(cri_exec "$a" ip -4 addr show eth0)" "$podip"
  assert_contains "$(cri_exec "$b" ip -4 addr show eth0)" "$podip"
  # IPC: a message queue made in one is seen by the other (SysV shm via ipcs)
  cri_exec "$a" sh -c 'echo shared-ipc >/dev/shm/marker' || fail "write /dev/shm"
  assert_eq "$(cri_exec "$b" cat /dev/shm/marker)" shared-ipc "/dev/shm of the pod"
  # PID: b sees the pause process as pid 1 and a's sleep; a sees only itself
  assert_eq "$(cri_exec "$b" cat /proc/1/cmdline | tr '\0' ' ')" "/pause " "pid 1 in b"
  assert_eq "$(cri_exec "$a" cat /proc/1/cmdline | tr '\0' ' ')" "sleep 3600 " "pid 1 in a"
  pa=$(cri_exec "$a" readlink /proc/self/ns/pid)
  pb=$(cri_exec "$b" readlink /proc/self/ns/pid)
  [ "$pa" != "$pb" ] || fail "a and b share a PID namespace"
  assert_contains "$(cri_exec "$b" ps -o args)" /pause
  [[ "$(cri_exec "$a" ps -o args)" != */pause* ]] || fail "a sees the pod's processes: $(cri_exec "$a" ps -o pid,args)"
  run cri_rmpod "$pod"
  assert_status 0
}

@test "pods reach each other over the CNI bridge, and nothing off the machine" {
  p1=$(cri_pod web)
  p2=$(cri_pod client)
  srv=$(cri_ctr "$p1" srv '.command = ["sh", "-c", "mkdir -p /www && echo pod-to-pod >/www/index.html && exec httpd -f -p 8080 -h /www"]')
  cli=$(cri_ctr "$p2" cli)
  cri_start "$srv"
  cri_start "$cli"
  ip1=$(cri PodSandboxStatus "{\"pod_sandbox_id\":\"$p1\"}" | jq -r .status.network.ip)
  # (busybox-static's wget crashes in a root without NSS files: nc it is)
  get="printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 $ip1 8080"
  wait_until 10 eval "cri_exec $cli sh -c \"\$get\" | grep -q pod-to-pod" ||
    fail "pod \`$p2\` cannot reach \`$ip1:8080\`: $(cat "$CL_DIR/exec.err")"
  assert_eq "$(cri_exec "$cli" sh -c "$get" | tail -1)" pod-to-pod
  # the pods' only routes are the bridge's subnet
  run cri_exec "$cli" ip route
  assert_eq "$output" "$(printf '10.88.0.0/24 dev eth0 scope link  src %s ' "$(cri PodSandboxStatus "{\"pod_sandbox_id\":\"$p2\"}" | jq -r .status.network.ip)")" routes
  run cri_exec "$cli" sh -c 'echo x | nc -w 2 192.0.2.1 80'
  assert_status nz
  assert_contains "$(cat "$CL_DIR/exec.err")" "unreachable"
  cri_rmpod "$p1"
  cri_rmpod "$p2"
}

@test "ListPodSandbox and ListContainers, with filters" {
  p1=$(cri_pod list1)
  p2=$(cri_pod list2 '.labels.extra = "yes"')
  c1=$(cri_ctr "$p1" c1)
  c2=$(cri_ctr "$p2" c2)
  cri_start "$c2"
  run cri ListPodSandbox
  ids=$(jq -r '.items[].id' <<<"$output")
  assert_contains "$ids" "$p1"
  assert_contains "$ids" "$p2"
  run cri ListPodSandbox '{"filter":{"label_selector":{"extra":"yes"}}}'
  assert_eq "$(jq -r '.items[].id' <<<"$output")" "$p2" "label filter"
  assert_eq "$(jq -r '.items[0].runtime_handler' <<<"$output")" "$CRI_HANDLER"
  run cri ListContainers "{\"filter\":{\"pod_sandbox_id\":\"$p1\"}}"
  assert_eq "$(jq -r '.containers[].id' <<<"$output")" "$c1" "pod filter"
  assert_eq "$(jq -r '.containers[0].state' <<<"$output")" CONTAINER_CREATED
  run cri ListContainers '{"filter":{"state":{"state":"CONTAINER_RUNNING"}}}'
  assert_contains "$(jq -r '.containers[].id' <<<"$output")" "$c2"
  [[ "$(jq -r '.containers[].id' <<<"$output")" != *"$c1"* ]] || fail "created container listed as running"
  cri_rmpod "$p1"
  cri_rmpod "$p2"
  run cri ListPodSandbox '{"filter":{"label_selector":{"hulltest":"1"}}}'
  ids=$(jq -r '.items[].id' <<<"$output")
  [[ $ids != *"$p1"* && $ids != *"$p2"* ]] || fail "removed pods still listed: $ids"
}

@test "StopContainer sends SIGTERM, then RemoveContainer; the container is gone" {
  pod=$(cri_pod stopper)
  c=$(cri_ctr "$pod" term '.command = ["sh", "-c", "trap \"exit 7\" TERM; while :; do sleep 0.1; done"]')
  cri_start "$c"
  assert_eq "$(cri_status "$c" | jq -r .state)" CONTAINER_RUNNING
  run cri StopContainer "{\"container_id\":\"$c\",\"timeout\":10}"
  assert_status 0
  st=$(cri_status "$c")
  assert_eq "$(jq -r .state <<<"$st")" CONTAINER_EXITED
  assert_eq "$(jq -r .exit_code <<<"$st")" 7 "exit code after SIGTERM"
  # a container that ignores SIGTERM is killed after the grace period
  k=$(cri_ctr "$pod" stubborn '.command = ["sh", "-c", "trap \"\" TERM; while :; do sleep 0.1; done"]')
  cri_start "$k"
  run cri StopContainer "{\"container_id\":\"$k\",\"timeout\":1}"
  assert_status 0
  st=$(cri_status "$k")
  assert_eq "$(jq -r .exit_code <<<"$st")" 137 "exit code after SIGKILL"
  run cri RemoveContainer "{\"container_id\":\"$c\"}"
  assert_status 0
  run cri ContainerStatus "{\"container_id\":\"$c\"}"
  assert_status nz
  assert_contains "$output" NOT_FOUND
  [ ! -e "$CL_DIR/rt/$CRI_HANDLER/k8s.io/$c" ] || fail "runtime state of \`$c\` left"
  cri_rmpod "$pod"
}

@test "StopPodSandbox and RemovePodSandbox leave no process, state, mount, netns or cgroup" {
  pod=$(cri_pod gone)
  c=$(cri_ctr "$pod" g)
  cri_start "$c"
  pid=$(cat "$CL_DIR/state/io.containerd.runtime.v2.task/k8s.io/$c/init.pid")
  kill -0 "$pid" || fail "container process not running"
  cg=$(cat "$CL_DIR/pods/$pod.cgroup")
  netns=$(cri_netns "$pod")
  ip=$(cri PodSandboxStatus "{\"pod_sandbox_id\":\"$pod\"}" | jq -r .status.network.ip)
  [ -e "$CL_DIR/cni-ipam/hulltest/$ip" ] || fail "no host-local lease for \`$ip\`"
  [ -n "$netns" ] && grep -q " $netns " /proc/self/mountinfo || fail "pod netns \`$netns\` not mounted"
  [ -d "$(cg_dir memory "$cg/$c")" ] || fail "no container cgroup under $cg"
  run cri StopPodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
  assert_status 0
  assert_eq "$(cri PodSandboxStatus "{\"pod_sandbox_id\":\"$pod\"}" | jq -r .status.state)" SANDBOX_NOTREADY
  assert_eq "$(cri_status "$c" | jq -r .state)" CONTAINER_EXITED
  # StopPodSandbox is idempotent
  run cri StopPodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
  assert_status 0
  run cri RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
  assert_status 0
  ! kill -0 "$pid" 2>/dev/null || fail "process $pid still alive"
  for id in "$pod" "$c"; do
    [ ! -e "$CL_DIR/rt/$CRI_HANDLER/k8s.io/$id" ] || fail "runtime state of \`$id\` left"
    [ ! -e "$CL_DIR/state/io.containerd.runtime.v2.task/k8s.io/$id" ] || fail "shim state of \`$id\` left"
    ! grep -q "$id" /proc/self/mountinfo || fail "mount of \`$id\` left"
    [ ! -d "$(cg_dir memory "$cg/$id")" ] || fail "cgroup of \`$id\` left"
  done
  ! grep -q " $netns " /proc/self/mountinfo || fail "the pod netns is still mounted"
  [ ! -e "$netns" ] || fail "the pod netns \`$netns\` is left"
  [ ! -e "$CL_DIR/cni-ipam/hulltest/$ip" ] || fail "the address \`$ip\` was not released"
  run cri RemovePodSandbox "{\"pod_sandbox_id\":\"$pod\"}"
  assert_status 0
}

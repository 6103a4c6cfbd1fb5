# cri.bash - a private containerd with its CRI plugin for the cri-*.bats
# suites, driven over its gRPC socket by tests/lib/cri.py as kubelet would.
#
#   cri_setup       (setup_file) a network namespace of the test's own, a
#                   registry on 127.0.0.1:5000 inside it holding the pause and
#                   busybox test images, CNI (bridge + host-local + loopback)
#                   and containerd with RuntimeClass handlers `hull` (the
#                   built hullrt), `runc` and `crun`, all inside that
#                   namespace; state under $CL_DIR
#   cri_teardown    (teardown_file) pods, containerd, shims, registry,
#                   mounts, cgroups, the namespace and $CL_DIR go
#
#   cri METHOD [JSON]      one CRI call; prints the response as JSON
#   cri_pod NAME [JQ]      RunPodSandbox with handler $CRI_HANDLER -> pod id;
#                          JQ edits the PodSandboxConfig (also kept in
#                          $CL_DIR/pods/ID.json for CreateContainer)
#   cri_ctr POD NAME [JQ]  CreateContainer (busybox, `sleep 3600`) -> id
#   cri_exec CTR CMD...    ExecSync; prints stdout, returns the exit code
#
# The handler under test is $CRI_HANDLER (default `hull`; `runc` or `crun`
# validate the tests). Nothing is routed off the machine: the namespace has
# no link but the bridge the CNI plugin makes, and no masquerading.

load ../lib/clients

CRI_HANDLER=${CRI_HANDLER:-hull}
CRI_PY=(/usr/bin/python3 "$HULL_SRC/tests/lib/cri.py")
CRI_REG=127.0.0.1:5000
CRI_BUSYBOX=$CRI_REG/hulltest/busybox:1
CRI_PAUSE=$CRI_REG/hulltest/pause:1
PAUSE_BIN=${PAUSE_BIN:-$HULL_BUILD/tests/pause/pause}

# in_ns CMD...: run CMD in the test's network namespace.
in_ns() { nsenter --net="$CRI_NS" "$@"; }

cri() {
  timeout -k 5 "$CL_TIMEOUT" nsenter --net="$CRI_NS" \
    "${CRI_PY[@]}" --socket "$CL_DIR/c.sock" --gen "$CL_DIR/cri-py" call "$@" 3>&-
}

# cri_image DIR TAG ROOTFS CMD-JSON: an OCI layout of one layer from ROOTFS.
cri_image() {
  local dir=$1 tag=$2 root=$3 cmd=$4
  mkdir -p "$dir/blobs/sha256"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$dir/layer.tar" .
  local diffid layer lsize config csize manifest msize
  diffid=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
  gzip -n -c "$dir/layer.tar" >"$dir/layer.tar.gz"
  layer=$(sha256sum "$dir/layer.tar.gz" | cut -d' ' -f1)
  lsize=$(stat -c %s "$dir/layer.tar.gz")
  mv "$dir/layer.tar.gz" "$dir/blobs/sha256/$layer"
  rm -f "$dir/layer.tar"
  printf '{"architecture":"amd64","os":"linux","config":{"Cmd":%s,"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$cmd" "$diffid" >"$dir/config.json"
  config=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
  csize=$(stat -c %s "$dir/config.json")
  mv "$dir/config.json" "$dir/blobs/sha256/$config"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config" "$csize" "$layer" "$lsize" >"$dir/manifest.json"
  manifest=$(sha256sum "$dir/manifest.json" | cut -d' ' -f1)
  msize=$(stat -c %s "$dir/manifest.json")
  mv "$dir/manifest.json" "$dir/blobs/sha256/$manifest"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest" "$msize" "$tag" >"$dir/index.json"
  echo "sha256:$manifest" >"$dir.digest"
}

cri_setup() {
  command -v containerd >/dev/null || skip "containerd is not installed"
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] ||
    skip "containernetworking-plugins is not installed"
  /usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null || skip "python3-grpcio / python3-grpc-tools missing"
  command -v docker-registry >/dev/null && command -v skopeo >/dev/null || skip "docker-registry or skopeo missing"
  [ -x "$PAUSE_BIN" ] || { echo "# no pause program at $PAUSE_BIN (build first)" >&3; return 1; }
  export RT; RT=$(client_runtime) || return 1
  export CL_DIR; CL_DIR=$(mktemp -d /tmp/hcri.XXXXXX)
  chmod 755 "$CL_DIR"
  # the namespace is a bind mount under $CL_DIR (not /run/netns, which
  # other programs on the machine manage)
  export CRI_NS=$CL_DIR/netns
  touch "$CRI_NS"
  unshare --net="$CRI_NS" true || return 1
  in_ns ip link set lo up
  local D=$CL_DIR
  mkdir -p "$D/pods" "$D/reg" "$D/net.d" "$D/certs.d/$CRI_REG"

  # the registry, inside the namespace
  cat >"$D/reg.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $D/reg
http:
  addr: $CRI_REG
  secret: hull-cri-test
YAML
  in_ns env -u REGISTRY_AUTH_FILE docker-registry serve "$D/reg.yml" >"$D/reg.log" 2>&1 3>&- &
  echo $! >"$D/reg.pid"
  wait_until 10 in_ns bash -c "exec 4<>/dev/tcp/127.0.0.1/5000" 2>/dev/null ||
    { cat "$D/reg.log" >&3; return 1; }

  # the images: pause (the static program alone) and busybox (all applets)
  mkdir -p "$D/img/pause.root" "$D/img/bb.root/bin" "$D/img/bb.root/tmp" "$D/img/bb.root/etc"
  cp "$PAUSE_BIN" "$D/img/pause.root/pause"
  cp /bin/busybox "$D/img/bb.root/bin/busybox"
  local a
  for a in $(/bin/busybox --list); do
    [ "$a" = busybox ] || ln -s busybox "$D/img/bb.root/bin/$a"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$D/img/bb.root/etc/passwd"
  echo 'root:x:0:' >"$D/img/bb.root/etc/group"
  cri_image "$D/img/pause" 1 "$D/img/pause.root" '["/pause"]'
  cri_image "$D/img/bb" 1 "$D/img/bb.root" '["sh"]'
  in_ns skopeo copy --quiet --dest-tls-verify=false "oci:$D/img/pause:1" "docker://$CRI_PAUSE" 3>&- &&
    in_ns skopeo copy --quiet --dest-tls-verify=false "oci:$D/img/bb:1" "docker://$CRI_BUSYBOX" 3>&- ||
    return 1
  cat >"$D/certs.d/$CRI_REG/hosts.toml" <<TOML
server = "http://$CRI_REG"
[host."http://$CRI_REG"]
  capabilities = ["pull", "resolve"]
TOML

  # CNI: a bridge inside the namespace, addresses from host-local (kept
  # under $CL_DIR), no masquerading: pods reach each other and nothing else
  cat >"$D/net.d/10-hulltest.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "hulltest",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "hcri0",
      "isGateway": true,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "10.88.0.0/24"}]],
        "dataDir": "$D/cni-ipam"
      }
    }
  ]
}
JSON

  # containerd with the CRI plugin. restrict_oom_score_adj: the sandbox asks
  # for oom_score_adj -998, which needs CAP_SYS_RESOURCE; this host's
  # bounding set lacks it, so every runtime would be refused.
  local h
  {
    cat <<TOML
version = 2
root = "$D/root"
state = "$D/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$D/c.sock"
[ttrpc]
  address = "$D/c.sock.ttrpc"
[debug]
  address = "$D/debug.sock"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$D/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$CRI_PAUSE"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$D/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$D/certs.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
TOML
    for h in hull runc crun; do
      local bin=$h
      [ $h = hull ] && bin=$RT
      cat <<TOML
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$h]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$h.options]
        BinaryName = "$(command -v "$bin")"
        Root = "$D/rt/$h"
        SystemdCgroup = false
TOML
    done
  } >"$D/config.toml"
  in_ns containerd --config "$D/config.toml" >"$D/containerd.log" 2>&1 3>&- &
  echo $! >"$D/containerd.pid"
  wait_until 30 eval 'cri Version >/dev/null 2>&1' || { tail -20 "$D/containerd.log" >&3; return 1; }
}

cri_teardown() {
  [ -n "${CL_DIR:-}" ] && [ -d "$CL_DIR" ] || return 0
  local p
  if [ -S "$CL_DIR/c.sock" ]; then
    for p in $(cri ListPodSandbox 2>/dev/null | jq -r '.items[].id'); do
      cri StopPodSandbox "{\"pod_sandbox_id\":\"$p\"}" >/dev/null 2>&1
      cri RemovePodSandbox "{\"pod_sandbox_id\":\"$p\"}" >/dev/null 2>&1
    done
  fi
  local shims
  shims=$(pids_with_arg "$CL_DIR/c.sock")
  kill "$(cat "$CL_DIR/containerd.pid")" 2>/dev/null
  [ -f "$CL_DIR/reg.pid" ] && kill "$(cat "$CL_DIR/reg.pid")" 2>/dev/null
  for p in $shims; do kill "$p" 2>/dev/null; done
  sleep 0.3
  for p in $(pids_with_arg "$CL_DIR"); do kill -9 "$p" 2>/dev/null; done
  umount_under "$CL_DIR"
  # the pods' cgroups (kubelet makes and removes kubepods/burstable/pod<uid>)
  local d
  for d in "$CL_DIR"/pods/*.cgroup; do
    [ -f "$d" ] || continue
    find /sys/fs/cgroup/*/"$(cat "$d")" /sys/fs/cgroup/"$(cat "$d")" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  for d in /sys/fs/cgroup/*/kubepods/burstable /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods/burstable \
    /sys/fs/cgroup/kubepods; do
    rmdir "$d" 2>/dev/null
  done
  rm -rf "$CL_DIR"
}

# cri_pod NAME [JQ]: run a pod sandbox with handler $CRI_HANDLER; prints its
# id. The pod's cgroup parent is kubepods/burstable/pod<uid> as kubelet's
# cgroupfs driver lays it out.
cri_pod() {
  local name=$1 jqf=${2:-.} uid cfg id
  uid=$(cat /proc/sys/kernel/random/uuid)
  cfg=$(jq -nc --arg n "$name" --arg u "$uid" '{
      metadata: {name: $n, uid: $u, namespace: "hulltest", attempt: 0},
      hostname: $n, log_directory: "'"$CL_DIR"'/logs/\($u)",
      labels: {"hulltest": "1", "app": $n},
      linux: {cgroup_parent: "/kubepods/burstable/pod\($u)",
              security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"}}}
    }' | jq -c "$jqf") || return 1
  mkdir -p "$CL_DIR/logs/$uid"
  id=$(cri RunPodSandbox "$(jq -nc --argjson c "$cfg" --arg h "$CRI_HANDLER" '{config: $c, runtime_handler: $h}')" |
    jq -r .pod_sandbox_id) || return 1
  [ -n "$id" ] && [ "$id" != null ] || return 1
  printf '%s' "$cfg" >"$CL_DIR/pods/$id.json"
  printf '%s' "kubepods/burstable/pod$uid" >"$CL_DIR/pods/$id.cgroup"
  echo "$id"
}

# cri_ctr POD NAME [JQ]: create a busybox container (`sleep 3600`) in POD.
cri_ctr() {
  local pod=$1 name=$2 jqf=${3:-.} cfg
  # kubelet's IfNotPresent pull policy
  if [ "$(cri ImageStatus "{\"image\":{\"image\":\"$CRI_BUSYBOX\"}}" | jq -r .image)" = null ]; then
    cri PullImage "{\"image\":{\"image\":\"$CRI_BUSYBOX\"}}" >/dev/null || return 1
  fi
  cfg=$(jq -nc --arg n "$name" --arg i "$CRI_BUSYBOX" '{
      metadata: {name: $n, attempt: 0}, image: {image: $i},
      command: ["sleep", "3600"], log_path: "\($n).log",
      labels: {"hulltest": "1"},
      linux: {security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"}}}
    }' | jq -c "$jqf") || return 1
  cri CreateContainer "$(jq -nc --arg p "$pod" --argjson c "$cfg" --slurpfile s "$CL_DIR/pods/$pod.json" \
    '{pod_sandbox_id: $p, config: $c, sandbox_config: $s[0]}')" | jq -r .container_id
}

cri_start() { cri StartContainer "{\"container_id\":\"$1\"}" >/dev/null; }

# cri_exec CTR CMD...: ExecSync; stdout is printed, stderr goes to
# $CL_DIR/exec.err, the status is the command's exit code.
cri_exec() {
  local c=$1 out
  shift
  # (`--args --`: jq would take a `-c` among the arguments as its own option)
  out=$(cri ExecSync "$(jq -nc --arg c "$c" '{container_id: $c, cmd: $ARGS.positional, timeout: 30}' --args -- "$@")") ||
    return 255
  jq -r '.stdout' <<<"$out" | base64 -d
  jq -r '.stderr' <<<"$out" | base64 -d >"$CL_DIR/exec.err"
  return "$(jq -r .exit_code <<<"$out")"
}

# cri_status CTR: ContainerStatus's status object.
# cg_dir CTL PATH: the host directory of cgroup PATH for controller CTL
# (v1: one hierarchy per controller; v2: one tree).
cri_cgv2() { [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; }
cg_dir() { if cri_cgv2; then echo "/sys/fs/cgroup/$2"; else echo "/sys/fs/cgroup/$1/$2"; fi; }

# cg_seen CTR memory|quota|shares: the limit as the container sees it in its
# own /sys/fs/cgroup (v2 values converted to v1's: cpu.max's quota, and
# cpu.weight back to shares as runc converts them)
cg_seen() {
  if cri_cgv2; then
    case $2 in
      memory) cri_exec "$1" cat /sys/fs/cgroup/memory.max ;;
      quota) cri_exec "$1" cat /sys/fs/cgroup/cpu.max | cut -d' ' -f1 ;;
      shares) cri_exec "$1" cat /sys/fs/cgroup/cpu.weight ;;
    esac
  else
    case $2 in
      memory) cri_exec "$1" cat /sys/fs/cgroup/memory/memory.limit_in_bytes ;;
      quota) cri_exec "$1" cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us ;;
      shares) cri_exec "$1" cat /sys/fs/cgroup/cpu/cpu.shares ;;
    esac
  fi
}
# shares_seen SHARES: what cg_seen reports for cpu_shares SHARES
shares_seen() { if cri_cgv2; then echo $((1 + (($1 - 2) * 9999) / 262142)); else echo "$1"; fi; }

cri_status() { cri ContainerStatus "{\"container_id\":\"$1\"}" | jq -c .status; }

# cri_netns POD: the path of the pod's network namespace.
cri_netns() {
  cri PodSandboxStatus "{\"pod_sandbox_id\":\"$1\",\"verbose\":true}" |
    jq -r '.info.info | fromjson | .runtimeSpec.linux.namespaces[] | select(.type == "network") | .path'
}

# cri_rmpod POD: StopPodSandbox + RemovePodSandbox (what kubelet does).
cri_rmpod() {
  cri StopPodSandbox "{\"pod_sandbox_id\":\"$1\"}" >/dev/null &&
    cri RemovePodSandbox "{\"pod_sandbox_id\":\"$1\"}" >/dev/null
}

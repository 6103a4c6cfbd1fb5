#!/usr/bin/env bats
# The root filesystem and mounts: root.readonly, rootfsPropagation, every
# mount type and option, devices, maskedPaths, readonlyPaths, sysctl,
# --no-pivot.

load ../lib/bundle

setup() { hull_setup; mkdir -p "$TEST_DIR/src"; echo data >"$TEST_DIR/src/file"; }
teardown() { hull_teardown; }

# mount_line DEST: the probe's mount= line for DEST (last one wins, like the kernel).
mount_line() { printf '%s\n' "$output" | grep "^mount=$1 " | tail -n 1; }
# opt_in LINE OPT: OPT is one of the per-mount (opts=) or super (super=) options.
has_opt() {
  local opts
  opts=$(sed -E 's/.* opts=([^ ]*) super=([^ ]*) .*/\1,\2/' <<<"$1")
  [[ ",$opts," == *",$2,"* ]] || fail "no \`$2\` in: $1"
}
lacks_opt() {
  local opts
  opts=$(sed -E 's/.* opts=([^ ]*) super=([^ ]*) .*/\1,\2/' <<<"$1")
  [[ ",$opts," != *",$2,"* ]] || fail "unexpected \`$2\` in: $1"
}
add_mount() { cfg '.mounts += [$m]' --argjson m "$1"; }

@test "root.readonly: / is read-only, mounts on it stay writable" {
  cfg '.root.readonly = true'
  run_ct sh -c '/probe write /; /probe write /dev/shm; /probe mounts'
  assert_status 0
  assert_eq "$(sed -n 1p <<<"$output")" write=EROFS "write /"
  assert_eq "$(sed -n 2p <<<"$output")" write=ok "write /dev/shm"
  has_opt "$(mount_line /)" ro
}

@test "root.readonly false: / is writable" {
  run_ct /probe write /
  assert_eq "$(kv write)" ok
}

@test "the container's / is the bundle's rootfs (pivot_root) and the host is not reachable" {
  run_ct sh -c 'ls /; /probe mounts'
  assert_status 0
  assert_contains "$output" "probe"
  [ -z "$(grep -F "mount=$HULL_SRC" <<<"$output")" ] || fail "host paths mounted"
  assert_not_contains "$output" "mount=/work "
}

@test "--no-pivot runs the container with chroot-like root" {
  run rt_detached create --no-pivot --bundle "$BUNDLE" "$ID"
  assert_status 0
  set_args /probe ids
  run rt start "$ID"
  assert_status 0
  rt delete --force "$ID"
  set_args /probe write /
  ID=$(new_id)
  run rt run --no-pivot --bundle "$BUNDLE" "$ID"
  assert_status 0
  assert_eq "$(kv write)" ok
}

@test "bind mount read-only" {
  add_mount "$(jq -n --arg s "$TEST_DIR/src" '{destination: "/data", type: "bind", source: $s, options: ["rbind", "ro"]}')"
  run_ct sh -c '/probe write /data/file; /probe read /data/file; /probe mounts'
  assert_eq "$(sed -n 1p <<<"$output")" write=EROFS write
  assert_eq "$(sed -n 2p <<<"$output")" read=ok read
  has_opt "$(mount_line /data)" ro
  echo data >"$TEST_DIR/expect"
  cmp "$TEST_DIR/src/file" "$TEST_DIR/expect"
}

@test "bind mount read-write, nosuid, nodev, noexec" {
  cp "$BUNDLE/rootfs/bin/busybox" "$TEST_DIR/src/bb"
  add_mount "$(jq -n --arg s "$TEST_DIR/src" '{destination: "/data", type: "bind", source: $s, options: ["bind", "rw", "nosuid", "nodev", "noexec"]}')"
  run_ct sh -c '/probe write /data; /probe mounts; /data/bb true && echo exec=ok || echo exec=denied'
  assert_eq "$(kv write)" ok write
  line=$(mount_line /data)
  has_opt "$line" nosuid
  has_opt "$line" nodev
  has_opt "$line" noexec
  assert_eq "$(kv exec)" denied exec
}

@test "bind mount of a single file" {
  echo single >"$TEST_DIR/one"
  add_mount "$(jq -n --arg s "$TEST_DIR/one" '{destination: "/etc/one", type: "bind", source: $s, options: ["bind", "ro"]}')"
  run_ct cat /etc/one
  assert_status 0
  assert_eq "$output" single
}

@test "bind mount destination created if missing, nested" {
  add_mount "$(jq -n --arg s "$TEST_DIR/src" '{destination: "/a/b/c", type: "bind", source: $s, options: ["bind"]}')"
  run_ct cat /a/b/c/file
  assert_status 0
  assert_eq "$output" data
}

@test "rbind takes submounts along, bind does not" {
  mkdir -p "$TEST_DIR/src/sub"
  mount -t tmpfs -o size=1m tmpfs "$TEST_DIR/src/sub"
  echo in-sub >"$TEST_DIR/src/sub/x"
  add_mount "$(jq -n --arg s "$TEST_DIR/src" '{destination: "/r", type: "bind", source: $s, options: ["rbind"]}')"
  add_mount "$(jq -n --arg s "$TEST_DIR/src" '{destination: "/b", type: "bind", source: $s, options: ["bind"]}')"
  run_ct sh -c 'echo r=$(cat /r/sub/x 2>/dev/null); echo b=$(cat /b/sub/x 2>/dev/null)'
  umount "$TEST_DIR/src/sub"
  assert_eq "$(kv r)" in-sub rbind
  assert_eq "$(kv b)" "" bind
}

@test "tmpfs with size, mode, nosuid, nodev, noexec" {
  add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "size=2m", "mode=1770"]}'
  run_ct sh -c '/probe mounts; /probe stat /scratch; /probe write /scratch'
  line=$(mount_line /scratch)
  assert_contains "$line" "type=tmpfs"
  has_opt "$line" nosuid
  has_opt "$line" nodev
  has_opt "$line" noexec
  has_opt "$line" size=2048k
  assert_eq "$(kv stat)" "dir 1770 0 0 0:0" stat
  assert_eq "$(kv write)" ok write
}

@test "proc, sysfs (ro), mqueue, devpts, shm and cgroup mounts of the default config" {
  run_ct /probe mounts
  assert_status 0
  assert_contains "$(mount_line /proc)" "type=proc"
  assert_contains "$(mount_line /sys)" "type=sysfs"
  has_opt "$(mount_line /sys)" ro
  assert_contains "$(mount_line /dev/mqueue)" "type=mqueue"
  assert_contains "$(mount_line /dev/pts)" "type=devpts"
  has_opt "$(mount_line /dev/pts)" newinstance 2>/dev/null || has_opt "$(mount_line /dev/pts)" ptmxmode=666
  assert_contains "$(mount_line /dev/shm)" "type=tmpfs"
  assert_match "$(printf '%s\n' "$output" | grep '^mount=/sys/fs/cgroup')" "type=(cgroup|cgroup2|tmpfs)"
}

@test "the proc mount shows the container's pid namespace" {
  run_ct sh -c 'ls /proc | grep -c "^[0-9]"'
  assert_status 0
  [ "$output" -le 3 ] || fail "$output processes visible"
}

@test "cgroup mount (read-only) shows the container's own cgroup" {
  cfg '.linux.cgroupsPath = $p' --arg p "/$ID"
  run_ct sh -c '/probe write /sys/fs/cgroup/pids/cgroup.procs; ls /sys/fs/cgroup'
  assert_status 0
  assert_match "$output" "write=(EROFS|EACCES)"
  assert_contains "$output" "pids"
}

@test "mount propagation flags: a private mount does not propagate back, rshared does" {
  mkdir -p "$TEST_DIR/shared"
  mount --bind "$TEST_DIR/shared" "$TEST_DIR/shared"
  mount --make-shared "$TEST_DIR/shared"
  add_mount "$(jq -n --arg s "$TEST_DIR/shared" '{destination: "/sh", type: "bind", source: $s, options: ["rbind", "rshared"]}')"
  cfg '.linux.rootfsPropagation = "shared"'
  cfg '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
  set_args sh -c 'mkdir -p /sh/m && mount -t tmpfs -o size=1m tmpfs /sh/m && touch /sh/m/from-container && /probe mounts'
  run rt run --bundle "$BUNDLE" "$ID"
  assert_status 0
  assert_contains "$(mount_line /sh)" "shared:"
  [ -e "$TEST_DIR/shared/m/from-container" ] || fail "the mount did not propagate to the host"
  umount "$TEST_DIR/shared/m"
  umount "$TEST_DIR/shared"
}

@test "rootfsPropagation private: mounts made by the host later do not appear" {
  cfg '.linux.rootfsPropagation = "private"'
  run_ct /probe mounts
  assert_status 0
  assert_contains "$(mount_line /)" "prop=private"
}

@test "rootfsPropagation slave" {
  cfg '.linux.rootfsPropagation = "slave"'
  run_ct /probe mounts
  assert_status 0
  assert_match "$(mount_line /)" "prop=(master:|private)"
}

@test "default devices exist with the right modes" {
  run_ct sh -c 'for d in null zero full random urandom tty; do echo "$d=$(/probe stat /dev/$d)"; done; ls -la /dev/ptmx /dev/fd /dev/stdin'
  assert_status 0
  assert_eq "$(kv null)" "stat=char 0666 0 0 1:3" null
  assert_eq "$(kv zero)" "stat=char 0666 0 0 1:5" zero
  assert_eq "$(kv full)" "stat=char 0666 0 0 1:7" full
  assert_eq "$(kv random)" "stat=char 0666 0 0 1:8" random
  assert_eq "$(kv urandom)" "stat=char 0666 0 0 1:9" urandom
  assert_eq "$(kv tty)" "stat=char 0666 0 0 5:0" tty
  assert_contains "$output" "/dev/ptmx"
  assert_contains "$output" "/dev/fd"
}

@test "default devices work: /dev/null, /dev/zero, /dev/urandom" {
  run_ct sh -c 'echo x >/dev/null && head -c 4 /dev/zero | od -An -tx1 && head -c 8 /dev/urandom | wc -c'
  assert_status 0
  assert_contains "$output" "00 00 00 00"
  assert_contains "$output" "8"
}

@test "linux.devices: a device node with its type, numbers, mode and owner" {
  cfg '.linux.devices = [{"path": "/dev/mydev", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 1000, "gid": 100}]
       | .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
  run_ct sh -c '/probe stat /dev/mydev; echo hi >/dev/mydev && echo written=yes'
  assert_status 0
  assert_eq "$(kv stat)" "char 0666 1000 100 1:3" stat
  assert_eq "$(kv written)" yes
}

@test "maskedPaths: files read as empty, directories as empty" {
  cfg '.linux.maskedPaths += ["/etc/hosts", "/home"]'
  # (/proc/keys and /proc/timer_list are in the default maskedPaths and exist here)
  run_ct sh -c 'echo "keys=$(wc -c </proc/keys)"; echo "timer=$(cat /proc/timer_list | wc -c)"; echo "hosts=$(cat /etc/hosts | wc -c)"; echo "home=$(ls -A /home | wc -l)"; /probe stat /proc/keys'
  assert_status 0
  assert_eq "$(kv keys)" 0 /proc/keys
  assert_eq "$(kv timer)" 0 /proc/timer_list
  assert_eq "$(kv hosts)" 0 /etc/hosts
  assert_eq "$(kv home)" 0 /home
  # a masked file is /dev/null bound over it
  assert_match "$(kv stat)" "^char .* 1:3$"
}

@test "readonlyPaths: read-only but readable" {
  cfg '.linux.readonlyPaths += ["/home/user"] | .process.noNewPrivileges = true'
  run_ct sh -c '/probe write /proc/sys/kernel/domainname; /probe write /home/user; /probe read /proc/sys/kernel/ostype'
  assert_status 0
  assert_eq "$(sed -n 1p <<<"$output")" write=EROFS "/proc/sys"
  assert_eq "$(sed -n 2p <<<"$output")" write=EROFS "/home/user"
  assert_eq "$(sed -n 3p <<<"$output")" read=ok "read /proc/sys/kernel/ostype"
}

@test "maskedPaths and readonlyPaths that do not exist are ignored" {
  cfg '.linux.maskedPaths += ["/no/such/path"] | .linux.readonlyPaths += ["/no/such/ro"]'
  run_ct /probe ids
  assert_status 0
}

@test "sysctl: namespaced keys are set inside, the host is untouched" {
  host_before=$(cat /proc/sys/net/ipv4/ip_forward)
  cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "12345678", "net.ipv4.ping_group_range": "0 0"}'
  run_ct sh -c 'echo "fwd=$(cat /proc/sys/net/ipv4/ip_forward)"; echo "shmmax=$(cat /proc/sys/kernel/shmmax)"'
  assert_status 0
  assert_eq "$(kv fwd)" 1 ip_forward
  assert_eq "$(kv shmmax)" 12345678 shmmax
  assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_before" "host ip_forward"
}

@test "sysctl: a key outside the container's namespaces is refused" {
  cfg '.linux.sysctl = {"kernel.pid_max": "1000"}'
  before=$(cat /proc/sys/kernel/pid_max)
  set_args /probe ids
  run rt run --bundle "$BUNDLE" "$ID"
  assert_status nz
  assert_eq "$(cat /proc/sys/kernel/pid_max)" "$before" "host pid_max"
  assert_nothing_left "$ID"
}

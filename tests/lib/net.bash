# net.bash - helpers for the network and volume suites (net-*.bats,
# volume-*.bats).
#
# Every suite runs hull inside a network namespace of its own ($NS, a file
# bound by unshare): the bridges, veths, nftables table and forwarding
# setting it makes never touch the host's, and the addresses the tests
# reach are in that namespace only (its loopback and the containers').
#
#   net_setup_file / net_teardown_file   $NT (temp dir), $NS, the image bb:1
#   hull ARGS...        the hull under test, private root, inside $NS
#   innet CMD...        a command inside $NS (the "host" of the containers)
#   nft_tables          the nftables tables in $NS (libnftables via python)
#   our_links           veths in $NS named with our prefix
#   net_leftovers       what a container's network could leave behind
#
# The image bb:1: busybox (sh, httpd, wget, nc...) and the probe, EXPOSE
# 80/tcp 53/udp, VOLUME /data with /data/seed = "from-image".

HULL_SRC=${HULL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HULL_BUILD=${HULL_BUILD:-$HULL_SRC/build}
HULL_BIN=${HULL_BIN:-$HULL_BUILD/cmd/hull/hull}
PROBE=${PROBE:-$HULL_BUILD/tests/probe/probe}

net_setup_file() {
  NT=$(mktemp -d /tmp/hull-net.XXXXXX)
  NS=$NT/ns
  touch "$NS"
  unshare --net="$NS" true
  nsenter --net="$NS" ip link set lo up
  # names no other suite uses: bridges h<5 hex>0.., veths h<5 hex>v..
  HULL_NET_PREFIX=h$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n' | cut -c1-5)
  HULL_NET_SUBNET=10.88.0.0/16
  export NT NS HULL_NET_PREFIX HULL_NET_SUBNET
  local l=$NT/layer
  mkdir -p "$l/bin" "$l/etc" "$l/tmp" "$l/data" "$l/www"
  cp /bin/busybox "$l/bin/busybox"
  cp "$PROBE" "$l/bin/probe"
  for a in sh ls cat echo true false sleep nc httpd wget hostname ip ping mkdir rm id \
           touch grep cut head stat timeout; do
    ln -s busybox "$l/bin/$a"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$l/etc/passwd"
  echo 'root:x:0:' >"$l/etc/group"
  echo from-image >"$l/data/seed"
  mkdir -p "$l/data/sub" && echo deep >"$l/data/sub/file" && ln -s /etc/passwd "$l/data/link"
  echo hello-www >"$l/www/index.html"
  chmod 1777 "$l/tmp"
  tar --numeric-owner -C "$l" -cf "$NT/bb.tar" .
  python3 "$HULL_SRC/tests/lib/mkimage.py" image "$NT/layout" bb:1 --compress none \
    --expose 80/tcp --expose 53/udp --volume /data "$NT/bb.tar" >/dev/null
  tar -C "$NT/layout" -cf "$NT/img.tar" .
  hull load -i "$NT/img.tar" >/dev/null
}

net_teardown_file() {
  [ -n "${NT:-}" ] && [ -d "$NT" ] || return 0
  local ids
  ids=$(hull ps -aq 2>/dev/null) && [ -n "$ids" ] && hull rm -f $ids >/dev/null 2>&1
  hull network prune >/dev/null 2>&1
  hull volume prune -f >/dev/null 2>&1
  local m
  for m in $(awk -v t="$NT" '$5 ~ "^"t {print $5}' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf "$NT"
}

hull() {
  nsenter --net="$NS" "$HULL_BIN" --root "$NT/root" --runroot "$NT/run" "$@"
}

innet() {
  nsenter --net="$NS" "$@"
}

nft_tables() {
  innet python3 - <<'PY'
import ctypes
n = ctypes.CDLL("libnftables.so.1")
n.nft_ctx_new.restype = ctypes.c_void_p
n.nft_ctx_get_output_buffer.restype = ctypes.c_char_p
c = ctypes.c_void_p(n.nft_ctx_new(0))
n.nft_ctx_buffer_output(c)
n.nft_run_cmd_from_buffer(c, b"list tables")
print(n.nft_ctx_get_output_buffer(c).decode(), end="")
PY
}

# veths of ours (bridges stay while their network exists, as Docker's)
our_links() {
  innet ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^${HULL_NET_PREFIX}v" || true
}

# Prints what is left of container networks (empty: nothing).
net_leftovers() {
  our_links
  nft_tables | grep " $HULL_NET_PREFIX\$" || true
  ls "$NT/run/netns" 2>/dev/null || true
  grep -c "$NT/run/netns" /proc/self/mountinfo | grep -v '^0$' || true
  python3 - "$NT/root/hull.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (c,) in db.execute("SELECT ctr_id FROM net_attach"):
    print("lease", c)
for (p,) in db.execute("SELECT host_port FROM net_ports"):
    print("port", p)
PY
}

# retry CMD...: run CMD until it succeeds, at most 50 times 0.1 s apart (a
# server in a container just started may not listen yet); its output and
# status as `run` gives them.
retry() {
  local i
  for i in $(seq 1 50); do
    if output=$("$@" 2>&1); then
      status=0
      return 0
    fi
    sleep 0.1
  done
  status=1
  return 0
}

# images.bash - helpers for the image suites (image-*.bats).
#
#   images_setup_file / images_teardown_file   private $IMG_TMP, store in it
#   hull ARGS...                    the hull under test, on the private store
#   mkimage ARGS...                 tests/lib/mkimage.py (OCI layouts, layers)
#   fscompare A B                   tests/lib/fscompare.py
#   make_busybox_layer OUT.tar      busybox-static + a few applet links
#   make_many_files_layer OUT N     N small files in 100 directories
#   make_debian_layers DIR          4 layer tars of a debootstrap'd minbase,
#                                   the rootfs cached in $HULL_TEST_CACHE
#   store_listing                   blobs/layers/tmp of the store, for "nothing
#                                   left behind" checks
#
# Everything is created under $IMG_TMP; teardown unmounts what is mounted
# there (hull image mount) and removes it.

HULL_SRC=${HULL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HULL_BUILD=${HULL_BUILD:-$HULL_SRC/build}
HULL_BIN=${HULL_BIN:-$HULL_BUILD/cmd/hull/hull}
HULL_TEST_CACHE=${HULL_TEST_CACHE:-/var/tmp/hull-test-cache}

images_setup_file() {
  IMG_TMP=$(mktemp -d /tmp/hull-images.XXXXXX)
  export IMG_TMP
}

images_unmount_all() {
  local m
  # deepest first
  for m in $(awk -v t="$IMG_TMP" '$5 ~ "^"t {print $5}' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
}

images_teardown_file() {
  [ -n "${IMG_TMP:-}" ] && [ -d "$IMG_TMP" ] || return 0
  images_registry_stop
  images_unmount_all
  rm -rf "$IMG_TMP"
}

hull() {
  "$HULL_BIN" --root "$IMG_TMP/root" --runroot "$IMG_TMP/run" "$@"
}

mkimage() {
  python3 "$HULL_SRC/tests/lib/mkimage.py" "$@"
}

fscompare() {
  python3 "$HULL_SRC/tests/lib/fscompare.py" "$@"
}

make_busybox_layer() {
  local out=$1 d
  d=$(mktemp -d "$IMG_TMP/bb.XXXXXX")
  mkdir -p "$d/bin" "$d/etc" "$d/tmp" "$d/root"
  cp /bin/busybox "$d/bin/busybox"
  for a in sh ls cat echo true false mkdir rm sleep; do ln -s busybox "$d/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$d/etc/passwd"
  chmod 1777 "$d/tmp"
  tar --numeric-owner -C "$d" -cf "$out" .
  rm -rf "$d"
}

make_many_files_layer() {
  local out=$1 n=$2 d
  d=$(mktemp -d "$IMG_TMP/many.XXXXXX")
  python3 - "$d" "$n" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    sub = os.path.join(root, "data", "d%03d" % (i % 100))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "f%06d" % i), "w") as f:
        f.write("file %d\n" % i)
PY
  tar --numeric-owner -C "$d" -cf "$out" .
  rm -rf "$d"
}

# The Debian minbase rootfs, made once (debootstrap uses the configured apt
# mirror) and kept as a tar in the cache.
debian_rootfs_tar() {
  local cache=$HULL_TEST_CACHE/debian-rootfs.tar
  if [ ! -s "$cache" ]; then
    mkdir -p "$HULL_TEST_CACHE"
    local d
    d=$(mktemp -d "$HULL_TEST_CACHE/debootstrap.XXXXXX")
    if ! debootstrap --variant=minbase bookworm "$d" >"$d.log" 2>&1; then
      rm -rf "$d"
      return 1
    fi
    tar --numeric-owner --xattrs --xattrs-include='*' -C "$d" -cf "$cache.tmp" . &&
      mv "$cache.tmp" "$cache"
    rm -rf "$d" "$d.log"
  fi
  echo "$cache"
}

# Four layers: the system outside usr/, usr/lib, usr/share, the rest of usr/.
make_debian_layers() {
  local out=$1 tarball d
  tarball=$(debian_rootfs_tar) || return 1
  d=$(mktemp -d "$IMG_TMP/debian.XXXXXX")
  tar --numeric-owner --xattrs --xattrs-include='*' -C "$d" -xf "$tarball"
  local t=(--numeric-owner --xattrs --xattrs-include='*' -C "$d")
  tar "${t[@]}" --exclude=./usr -cf "$out/1.tar" .
  tar "${t[@]}" -cf "$out/2.tar" ./usr/lib
  tar "${t[@]}" -cf "$out/3.tar" ./usr/share
  tar "${t[@]}" --exclude=./usr/lib --exclude=./usr/share -cf "$out/4.tar" ./usr
  rm -rf "$d"
}

store_listing() {
  (cd "$IMG_TMP/root" && find blobs layers tmp -mindepth 1 -maxdepth 2 2>/dev/null | sort)
}

# A plain-HTTP registry on 127.0.0.1, from the registry suites' fixtures
# (tests/lib/registry.bash).
#   images_registry_start   -> $REG (host:port); stopped by images_teardown_file
# shellcheck source=registry.bash
source "$HULL_SRC/tests/lib/registry.bash"

images_registry_start() {
  registry_setup
  registry_start_plain REG
  export REG
}

images_registry_stop() {
  registry_teardown
}

# The registry's own file for a blob (to corrupt it in tests).
registry_blob_file() {
  local d=${1#sha256:}
  echo "$REG_TMP/REG.storage/docker/registry/v2/blobs/sha256/${d:0:2}/$d/data"
}

# skopeo copy from an OCI layout to the registry (plain HTTP).
push_layout() {
  skopeo copy -q --dest-tls-verify=false "${@:3}" "oci:$1" "docker://$REG/$2"
}

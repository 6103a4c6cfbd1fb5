#!/usr/bin/env bats
# hull pull / push against the real CNCF registry on 127.0.0.1: root
# filesystems identical to umoci's, platforms, shared layers, push read back
# by skopeo, bad registries (corrupt, truncated, oversized blobs, malformed
# manifests, hostile layers), concurrency and kill -9.

load ../lib/images

setup_file() {
  images_setup_file
  images_registry_start
  local L=$IMG_TMP/l
  mkdir -p "$L"
  make_busybox_layer "$L/bb.tar"
  mkimage image "$IMG_TMP/oci" busybox "$L/bb.tar"
  push_layout "$IMG_TMP/oci:busybox" t/busybox:1

  # overwrites, deletions, opaque directories, links, devices, xattrs, owners
  mkimage layer "$L/m1.tar" d:etc f:etc/passwd=root:x:0:0 d:a d:a/b f:a/b/file=bfile \
    f:a/keep=keep f:a/suid=s m:4755 o:1000,1000 h:a/hl=a/keep l:a/sym=../etc/passwd \
    c:a/null=1,3 p:a/fifo d:o f:o/x=x f:o/y=y f:a/xa=x x:user.test=hello d:r f:r/file=1
  mkimage layer "$L/m2.tar" f:etc/passwd=changed f:a/.wh.keep= d:o f:o/.wh..wh..opq= f:o/z=z \
    d:n f:n/new=new
  mkimage layer "$L/m3.tar" f:a/.wh.b= f:r/.wh.file= d:r/file f:r/file/inner=i
  mkimage image "$IMG_TMP/oci" multi "$L/bb.tar" "$L/m1.tar" "$L/m2.tar" "$L/m3.tar"
  push_layout "$IMG_TMP/oci:multi" t/multi:1

  make_many_files_layer "$L/many.tar" 5000
  mkimage image "$IMG_TMP/oci" many "$L/bb.tar" "$L/many.tar"
  push_layout "$IMG_TMP/oci:many" t/many:1
  # zstd layers (umoci cannot read them: compared with the gzip twin)
  mkimage image "$IMG_TMP/oci" multi-zstd --compress zstd "$L/bb.tar" "$L/m1.tar" "$L/m2.tar" "$L/m3.tar"
  push_layout "$IMG_TMP/oci:multi-zstd" t/multi-zstd:1

  mkimage layer "$L/amd64.tar" f:arch=amd64
  mkimage layer "$L/arm64.tar" f:arch=arm64
  mkimage image "$IMG_TMP/oci" amd "$L/bb.tar" "$L/amd64.tar"
  mkimage image "$IMG_TMP/oci" arm --arch arm64 --variant v8 "$L/bb.tar" "$L/arm64.tar"
  mkimage index "$IMG_TMP/oci" multiarch amd arm
  push_layout "$IMG_TMP/oci:multiarch" t/multiarch:1 --multi-arch all
}

teardown_file() {
  images_teardown_file
}

teardown() {
  images_unmount_all
}

# compare_with_umoci TAG REF: hull's root of REF vs umoci unpack of TAG (of
# the layout in $IMG_TMP/oci)
compare_with_umoci() {
  local tag=$1 ref=$2 mp
  rm -rf "$IMG_TMP/bundle-$tag"
  umoci unpack --image "$IMG_TMP/oci:$tag" "$IMG_TMP/bundle-$tag" >/dev/null
  mp=$(hull image mount "$ref")
  run fscompare "$IMG_TMP/bundle-$tag/rootfs" "$mp"
  echo "$output"
  hull image unmount "$ref"
  rm -rf "$IMG_TMP/bundle-$tag"
  [ "$status" -eq 0 ]
}

@test "pull: progress lines, then the image is listed with its digest" {
  run hull pull "$REG/t/busybox:1"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Trying to pull $REG/t/busybox:1"* ]]
  [[ "$output" == *"Pull complete"* ]]
  [[ "$output" == *"Image: $REG/t/busybox:1"* ]]
  run hull images --digests
  [[ "$output" == *"$REG/t/busybox"*"1"*"sha256:"* ]]
  run hull pull -q "$REG/t/busybox:1"
  [ "$status" -eq 0 ]
  [ "$output" = "$REG/t/busybox:1" ]
}

@test "pulled root filesystems are identical to umoci unpack" {
  hull pull -q "$REG/t/multi:1"
  compare_with_umoci multi "$REG/t/multi:1"
  hull pull -q "$REG/t/many:1"
  compare_with_umoci many "$REG/t/many:1"
  hull pull -q "$REG/t/multi-zstd:1"
  compare_with_umoci multi "$REG/t/multi-zstd:1"
}

@test "a Debian minbase in 4 layers pulls identical to umoci unpack" {
  command -v debootstrap >/dev/null || skip "debootstrap not installed"
  mkdir -p "$IMG_TMP/deb"
  make_debian_layers "$IMG_TMP/deb" || skip "debootstrap failed (no package mirror?)"
  mkimage image "$IMG_TMP/oci" debian "$IMG_TMP/deb"/{1,2,3,4}.tar
  rm -rf "$IMG_TMP/deb"
  push_layout "$IMG_TMP/oci:debian" t/debian:1
  hull pull -q "$REG/t/debian:1"
  compare_with_umoci debian "$REG/t/debian:1"
  hull rmi "$REG/t/debian:1"
}

@test "layers shared between images are fetched and unpacked once" {
  rm -rf "$IMG_TMP/root"
  hull pull -q "$REG/t/busybox:1"
  [ "$(ls "$IMG_TMP/root/layers" | wc -l)" -eq 1 ]
  run hull pull "$REG/t/multi:1"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Already exists"* ]]
  [ "$(ls "$IMG_TMP/root/layers" | wc -l)" -eq 4 ]
  # busybox's layer stays while multi uses it
  hull rmi "$REG/t/busybox:1"
  [ "$(ls "$IMG_TMP/root/layers" | wc -l)" -eq 4 ]
}

@test "platform selection from an index" {
  hull pull -q "$REG/t/multiarch:1"
  mp=$(hull image mount "$REG/t/multiarch:1")
  [ "$(cat "$mp/arch")" = amd64 ]
  hull image unmount "$REG/t/multiarch:1"
  hull rmi "$REG/t/multiarch:1"
  hull pull -q --platform linux/arm64 "$REG/t/multiarch:1"
  [ "$(hull image inspect "$REG/t/multiarch:1" | jq -r '.[0].Architecture')" = arm64 ]
  mp=$(hull image mount "$REG/t/multiarch:1")
  [ "$(cat "$mp/arch")" = arm64 ]
  hull image unmount "$REG/t/multiarch:1"
  run hull pull --platform linux/s390x "$REG/t/multiarch:1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no image for platform \`linux/s390x\` (available: linux/amd64, linux/arm64/v8)"* ]]
  run hull pull --platform 'linux/../x' "$REG/t/multiarch:1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"invalid platform"* ]]
}

@test "pull by digest records the repo digest and no tag" {
  digest=$(skopeo inspect --tls-verify=false "docker://$REG/t/busybox:1" | jq -r .Digest)
  run hull pull -q "$REG/t/busybox@$digest"
  [ "$status" -eq 0 ]
  run hull image inspect "$REG/t/busybox@$digest"
  [ "$status" -eq 0 ]
  [[ "$(echo "$output" | jq -r '.[0].RepoDigests[]')" == *"$REG/t/busybox@$digest"* ]]
}

@test "push: blobs mounted across repositories, read back identical by skopeo" {
  hull pull -q "$REG/t/multi:1"
  hull tag "$REG/t/multi:1" "$REG/pushed/multi:2"
  run hull push "$REG/pushed/multi:2"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Mounted"* ]]
  [[ "$output" == *"Digest: sha256:"* ]]
  # a fresh repository without anything to mount from: uploads
  hull import "$IMG_TMP/l/bb.tar" "$REG/fresh/imported:1" >/dev/null
  run hull push "$REG/fresh/imported:1"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Pushed"* ]]
  rm -rf "$IMG_TMP/back"
  skopeo copy -q --src-tls-verify=false "docker://$REG/pushed/multi:2" "oci:$IMG_TMP/back:x"
  umoci unpack --image "$IMG_TMP/back:x" "$IMG_TMP/back-bundle" >/dev/null
  mp=$(hull image mount "$REG/t/multi:1")
  run fscompare "$IMG_TMP/back-bundle/rootfs" "$mp"
  echo "$output"
  [ "$status" -eq 0 ]
  rm -rf "$IMG_TMP/back" "$IMG_TMP/back-bundle"
  # push to a new name given on the command line
  run hull push -q "$REG/t/multi:1" "$REG/renamed/multi:3"
  [ "$status" -eq 0 ]
  skopeo inspect --tls-verify=false "docker://$REG/renamed/multi:3" >/dev/null
  # an image whose layers the store holds in another compression (they came
  # with t/multi): pushed and saved with the blobs the store has
  run hull pull "$REG/t/multi-zstd:1"
  [[ "$output" == *"Already exists"* ]]
  run hull push -q "$REG/t/multi-zstd:1" "$REG/regz/multi:1"
  echo "$output"
  [ "$status" -eq 0 ]
  rm -rf "$IMG_TMP/back"
  skopeo copy -q --src-tls-verify=false "docker://$REG/regz/multi:1" "oci:$IMG_TMP/back:x"
  umoci unpack --image "$IMG_TMP/back:x" "$IMG_TMP/back-bundle" >/dev/null
  mp=$(hull image mount "$REG/t/multi-zstd:1")
  run fscompare "$IMG_TMP/back-bundle/rootfs" "$mp"
  hull image unmount "$REG/t/multi-zstd:1"
  [ "$status" -eq 0 ]
  rm -rf "$IMG_TMP/back" "$IMG_TMP/back-bundle"
  hull save --format oci-archive -o "$IMG_TMP/z.tar" "$REG/t/multi-zstd:1"
  hull save -o "$IMG_TMP/zd.tar" "$REG/t/multi-zstd:1"
  rm -f "$IMG_TMP/z.tar" "$IMG_TMP/zd.tar"
}

# make_unique NAME: a small image with a layer of its own (its blobs are
# shared with nothing else in the registry); prints its manifest json path
make_unique() {
  local name=$1
  mkimage layer "$IMG_TMP/l/$name.tar" f:unique="$name-$RANDOM$RANDOM" f:pad="$(head -c 20000 /dev/urandom | base64 -w0)"
  mkimage image "$IMG_TMP/oci" "$name" "$IMG_TMP/l/$name.tar"
  push_layout "$IMG_TMP/oci:$name" "bad/$name:1"
}

layer_digest() {
  skopeo inspect --raw --tls-verify=false "docker://$REG/bad/$1:1" | jq -r '.layers[0].digest'
}

@test "corrupt, truncated and oversized blobs: clear errors, nothing in the store" {
  hull pull -q "$REG/t/busybox:1"
  before=$(store_listing)
  make_unique corrupt
  f=$(registry_blob_file "$(layer_digest corrupt)")
  size=$(stat -c %s "$f")
  printf 'XXXX' | dd of="$f" bs=1 seek=100 conv=notrunc status=none
  run hull pull "$REG/bad/corrupt:1"
  echo "$output"
  [ "$status" -eq 1 ]
  # the decompressor may notice before the digest does: a damaged deflate
  # stream, or an intact one whose trailer CRC no longer matches
  [[ "$output" == *"digest mismatch"* || "$output" == *"gzip: corrupt compressed data"* ||
     "$output" == *"gzip: checksum mismatch"* ]]

  make_unique truncated
  f=$(registry_blob_file "$(layer_digest truncated)")
  truncate -s 1000 "$f"
  run hull pull "$REG/bad/truncated:1"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"truncated"* || "$output" == *"unexpected end"* ]]

  make_unique oversized
  f=$(registry_blob_file "$(layer_digest oversized)")
  head -c 5000 /dev/urandom >>"$f"
  run hull pull "$REG/bad/oversized:1"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"larger than"* || "$output" == *"digest mismatch"* ]]

  [ "$(store_listing)" = "$before" ]
  run hull images
  [[ "$output" != *bad/* ]]
}

@test "malformed manifests and hostile layers from a registry are refused" {
  hull pull -q "$REG/t/busybox:1"
  before=$(store_listing)
  # the real registry refuses to serve a broken manifest: a fake one does
  python3 "$HULL_SRC/tests/lib/fake-registry.py" "$IMG_TMP/fake" >"$IMG_TMP/fake.port" &
  fake_pid=$!
  for _ in $(seq 50); do [ -s "$IMG_TMP/fake.port" ] && break; sleep 0.1; done
  FAKE=127.0.0.1:$(cat "$IMG_TMP/fake.port")
  for doc in '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":"no","layers":[]}' \
             '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"' \
             '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:../../../etc/passwd","size":10},"layers":[]}' \
             '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":-5},"layers":[]}'; do
    mkdir -p "$IMG_TMP/fake/v2/bad/m/manifests"
    printf '%s' "$doc" >"$IMG_TMP/fake/v2/bad/m/manifests/1"
    run hull pull "$FAKE/bad/m:1"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"manifest"* ]]
  done
  kill $fake_pid
  wait $fake_pid || true

  mkimage layer "$IMG_TMP/l/evil.tar" l:link=/etc f:link/pwned=x
  mkimage image "$IMG_TMP/oci" evil "$IMG_TMP/l/bb.tar" "$IMG_TMP/l/evil.tar"
  push_layout "$IMG_TMP/oci:evil" bad/evil:1
  run hull pull "$REG/bad/evil:1"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"entry \`link/pwned\`: path goes through a symlink"* ]]
  [ ! -e /etc/pwned ]
  mkimage layer "$IMG_TMP/l/evil2.tar" f:../../../tmp/hull-pwned=x
  mkimage image "$IMG_TMP/oci" evil2 "$IMG_TMP/l/evil2.tar"
  push_layout "$IMG_TMP/oci:evil2" bad/evil2:1
  run hull pull "$REG/bad/evil2:1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"path escapes the layer"* ]]
  [ ! -e /tmp/hull-pwned ]
  # the busybox layer the evil image shares was already there: kept, nothing added
  [ "$(store_listing)" = "$before" ]
  run hull pull "$REG/nosuch/image:1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"not found"* || "$output" == *"unknown"* ]]
}

@test "concurrent pulls of one image; pull during rmi" {
  rm -rf "$IMG_TMP/root"
  for i in 1 2 3; do hull pull -q "$REG/t/many:1" >"$IMG_TMP/p.$i" 2>&1 & done
  wait
  for i in 1 2 3; do [ "$(cat "$IMG_TMP/p.$i")" = "$REG/t/many:1" ]; done
  [ "$(ls "$IMG_TMP/root/layers" | wc -l)" -eq 2 ]
  for i in 1 2 3; do
    hull rmi "$REG/t/many:1" >/dev/null 2>&1 &
    hull pull -q "$REG/t/many:1" >/dev/null 2>&1 &
    wait
  done
  hull pull -q "$REG/t/many:1"
  compare_with_umoci many "$REG/t/many:1"
}

@test "kill -9 during a pull leaves a working store" {
  rm -rf "$IMG_TMP/root"
  hull pull -q "$REG/t/busybox:1"
  for delay in 0.1 0.3; do
    "$HULL_BIN" --root "$IMG_TMP/root" pull -q "$REG/t/many:1" >/dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null || true
    wait $pid || true
    run hull images
    [ "$status" -eq 0 ]
    [[ "$output" == *t/busybox* ]]
    [ -z "$(ls "$IMG_TMP/root/tmp")" ]
  done
  hull pull -q "$REG/t/many:1"
  compare_with_umoci many "$REG/t/many:1"
}

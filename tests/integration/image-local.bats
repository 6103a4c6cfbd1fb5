#!/usr/bin/env bats
# The image store without a registry: import/export, names, inspect,
# history, rmi/prune, save/load with podman, hostile layers, concurrency and
# crash safety.

load ../lib/images

setup_file() {
  images_setup_file
  make_busybox_layer "$IMG_TMP/bb.tar"
}

teardown_file() {
  images_teardown_file
}

teardown() {
  images_unmount_all
}

@test "import a rootfs tarball, list it, export it back identical" {
  run hull import "$IMG_TMP/bb.tar" local/bb:1
  [ "$status" -eq 0 ]
  [[ "$output" == sha256:* ]]
  id=$output
  run hull images
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "REPOSITORY"*"TAG"*"IMAGE ID"*"CREATED"*"SIZE" ]]
  [[ "$output" == *"local/bb"*"1"*"${id:7:12}"* ]]
  run hull images -q
  [ "$output" = "${id:7:12}" ]
  hull export -o "$IMG_TMP/out.tar" local/bb:1
  mkdir "$IMG_TMP/a" "$IMG_TMP/b"
  tar -C "$IMG_TMP/a" -xf "$IMG_TMP/bb.tar"
  tar -C "$IMG_TMP/b" -xf "$IMG_TMP/out.tar"
  run fscompare "$IMG_TMP/a" "$IMG_TMP/b"
  echo "$output"
  [ "$status" -eq 0 ]
  # gzip and zstd tarballs give the same layer (same diff id)
  gzip -c "$IMG_TMP/bb.tar" >"$IMG_TMP/bb.tar.gz"
  zstd -q -c "$IMG_TMP/bb.tar" >"$IMG_TMP/bb.tar.zst"
  hull import "$IMG_TMP/bb.tar.gz" local/bb:gz
  hull import - local/bb:zst <"$IMG_TMP/bb.tar.zst"
  run hull image inspect local/bb:gz local/bb:zst
  [ "$(echo "$output" | jq -r '.[0].RootFS.Layers[0]')" = "$(echo "$output" | jq -r '.[1].RootFS.Layers[0]')" ]
  [ "$(ls "$IMG_TMP/root/layers" | wc -l)" -eq 1 ]
}

@test "images --format json, inspect and history" {
  hull import -c 'CMD ["/bin/sh","-c","echo hi"]' -c 'ENV A=b' -m "from a test" "$IMG_TMP/bb.tar" local/meta:1
  run hull images --format json
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq -r 'select(.Repository == "local/meta") | .Tag')" = "1" ]
  run hull image inspect local/meta:1
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq -r '.[0].Config.Cmd | join(" ")')" = "/bin/sh -c echo hi" ]
  [ "$(echo "$output" | jq -r '.[0].Config.Env[0]')" = "A=b" ]
  [ "$(echo "$output" | jq -r '.[0].RepoTags[0]')" = "local/meta:1" ]
  [ "$(echo "$output" | jq -r '.[0].Os')" = "linux" ]
  run hull history local/meta:1
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == IMAGE*CREATED*"CREATED BY"*SIZE*COMMENT ]]
  [[ "${lines[1]}" == *"from a test"* ]]
  run hull image inspect nosuch:image
  [ "$status" -eq 1 ]
  [[ "$output" == *"image \`nosuch:image\` not found"* ]]
}

@test "tag, rmi of one name keeps the image, rmi of the last name deletes it" {
  id=$(hull import "$IMG_TMP/bb.tar" local/tagme:1)
  hull tag local/tagme:1 local/tagme:2
  hull tag "${id:7:12}" other/name:x
  run hull rmi "${id:7:12}"
  [ "$status" -eq 1 ]
  [[ "$output" == *"must be forced"* ]]
  run hull rmi local/tagme:1
  [ "$status" -eq 0 ]
  [ "$output" = "Untagged: local/tagme:1" ]
  hull image inspect local/tagme:2 >/dev/null
  run hull rmi -f "${id:7:12}"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Deleted: $id"* ]]
  run hull image inspect local/tagme:2
  [ "$status" -eq 1 ]
}

@test "rmi and prune collect layers and blobs no image uses" {
  rm -rf "$IMG_TMP/root"
  hull import "$IMG_TMP/bb.tar" gc/a:1 >/dev/null
  make_many_files_layer "$IMG_TMP/many.tar" 500
  hull import "$IMG_TMP/many.tar" gc/b:1 >/dev/null
  [ "$(ls "$IMG_TMP/root/layers" | wc -l)" -eq 2 ]
  hull rmi gc/b:1
  [ "$(ls "$IMG_TMP/root/layers" | wc -l)" -eq 1 ]
  # dangling: an image whose name moved to another
  hull import "$IMG_TMP/many.tar" gc/a:1 >/dev/null
  run hull images
  [[ "$output" == *"<none>"* ]]
  run hull image prune
  [ "$status" -eq 0 ]
  [[ "$output" == *"deleted: sha256:"* ]]
  [ "$(ls "$IMG_TMP/root/layers" | wc -l)" -eq 1 ]
  run hull image prune -a
  [ "$(ls "$IMG_TMP/root/layers" | wc -l)" -eq 0 ]
  [ "$(ls "$IMG_TMP/root/blobs/sha256" | wc -l)" -eq 0 ]
  [ -z "$(ls "$IMG_TMP/root/tmp")" ]
}

@test "save and load round trip, both formats, with podman both ways" {
  command -v podman >/dev/null || skip "podman not installed"
  hull import -c 'CMD ["/bin/echo","saved"]' "$IMG_TMP/bb.tar" localhost/save/me:1 >/dev/null
  id=$(hull image inspect localhost/save/me:1 | jq -r '.[0].Id')
  export PODMAN_ROOT=$IMG_TMP/podman
  p() { podman --root "$PODMAN_ROOT/storage" --runroot "$PODMAN_ROOT/run" --storage-driver vfs "$@"; }
  for fmt in docker-archive oci-archive; do
    hull save --format $fmt -o "$IMG_TMP/$fmt.tar" localhost/save/me:1
    # hull -> hull
    hull rmi localhost/save/me:1 >/dev/null
    run hull load -i "$IMG_TMP/$fmt.tar"
    [ "$status" -eq 0 ]
    [ "$output" = "Loaded image: localhost/save/me:1" ]
    [ "$(hull image inspect localhost/save/me:1 | jq -r '.[0].Id')" = "$id" ]
    # hull -> podman -> hull
    run p load -i "$IMG_TMP/$fmt.tar"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(p image inspect localhost/save/me:1 --format '{{.Id}}')" = "${id:7}" ]
    rm -f "$IMG_TMP/p-$fmt.tar"
    p save --format $fmt -o "$IMG_TMP/p-$fmt.tar" localhost/save/me:1
    hull rmi localhost/save/me:1 >/dev/null
    run hull load -i "$IMG_TMP/p-$fmt.tar"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(hull image inspect localhost/save/me:1 | jq -r '.[0].Id')" = "$id" ]
    p rmi -f localhost/save/me:1 >/dev/null 2>&1 || true
  done
  # the loaded image's root is the imported tarball
  mp=$(hull image mount localhost/save/me:1)
  mkdir -p "$IMG_TMP/orig"
  tar -C "$IMG_TMP/orig" -xf "$IMG_TMP/bb.tar"
  run fscompare "$IMG_TMP/orig" "$mp"
  echo "$output"
  [ "$status" -eq 0 ]
  hull image unmount localhost/save/me:1
  rm -rf "$PODMAN_ROOT"
}

@test "load refuses hostile or broken archives and leaves nothing" {
  rm -rf "$IMG_TMP/root"
  hull import "$IMG_TMP/bb.tar" local/bb:1 >/dev/null
  hull save -o "$IMG_TMP/good.tar" local/bb:1
  hull rmi local/bb:1 >/dev/null
  before=$(store_listing)
  printf 'not a tar at all' >"$IMG_TMP/junk.tar"
  run hull load -i "$IMG_TMP/junk.tar"
  [ "$status" -eq 1 ]
  [[ "$output" == *"not a tar archive"* || "$output" == *"corrupt archive"* ]]
  mkdir -p "$IMG_TMP/evil"
  echo x >"$IMG_TMP/evil/x"
  tar -C "$IMG_TMP/evil" -cf "$IMG_TMP/evil.tar" --transform 's,^x$,../../escape,' x
  run hull load -i "$IMG_TMP/evil.tar"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unexpected name"* ]]
  [ ! -e "$IMG_TMP/escape" ]
  # a docker archive whose layer does not match the config's diff id
  mkdir "$IMG_TMP/tamper"
  tar -C "$IMG_TMP/tamper" -xf "$IMG_TMP/good.tar"
  layer=$(ls "$IMG_TMP/tamper"/*.tar)
  echo extra >"$IMG_TMP/tamper/extra"
  tar -C "$IMG_TMP/tamper" -rf "$layer" extra
  tar -C "$IMG_TMP/tamper" -cf "$IMG_TMP/tampered.tar" manifest.json $(cd "$IMG_TMP/tamper" && ls *.json *.tar | grep -v manifest.json)
  run hull load -i "$IMG_TMP/tampered.tar"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"digest mismatch"* ]]
  [ "$(store_listing)" = "$before" ]
}

@test "hostile layers are refused with a clear error and leave nothing in the store" {
  before=$(store_listing)
  mkimage layer "$IMG_TMP/h1.tar" f:../../etc/pwned=x
  run hull import "$IMG_TMP/h1.tar" evil:1
  [ "$status" -eq 1 ]
  [[ "$output" == *"entry \`../../etc/pwned\`: path escapes the layer"* ]]
  mkimage layer "$IMG_TMP/h2.tar" l:link=/etc f:link/pwned=x
  run hull import "$IMG_TMP/h2.tar" evil:2
  [ "$status" -eq 1 ]
  [[ "$output" == *"entry \`link/pwned\`: path goes through a symlink"* ]]
  [ ! -e /etc/pwned ]
  mkimage layer "$IMG_TMP/h3.tar" h:hl=../../../etc/shadow
  run hull import "$IMG_TMP/h3.tar" evil:3
  [ "$status" -eq 1 ]
  [[ "$output" == *"hardlink target escapes the layer"* ]]
  mkimage layer "$IMG_TMP/h4.tar" h:hl=/etc/shadow
  run hull import "$IMG_TMP/h4.tar" evil:4
  [ "$status" -eq 1 ]
  [[ "$output" == *"entry \`hl\`: hardlink target"* ]]
  # absolute names land inside the layer
  mkimage layer "$IMG_TMP/h5.tar" f:/abs/file=x
  run hull import "$IMG_TMP/h5.tar" ok:abs
  [ "$status" -eq 0 ]
  mp=$(hull image mount ok:abs)
  [ -f "$mp/abs/file" ]
  hull image unmount ok:abs
  hull rmi ok:abs >/dev/null
  # huge counts: limited
  make_many_files_layer "$IMG_TMP/many2.tar" 300
  HULL_LAYER_MAX_ENTRIES=100 run hull import "$IMG_TMP/many2.tar" evil:5
  [ "$status" -eq 1 ]
  [[ "$output" == *"more than 100 entries"* ]]
  printf 'garbage' | gzip >"$IMG_TMP/h6.tar.gz"
  run hull import "$IMG_TMP/h6.tar.gz" evil:6
  [ "$status" -eq 1 ]
  [ "$(store_listing)" = "$before" ]
  run hull images
  [[ "$output" != *evil* ]]
}

@test "concurrent imports of one layer unpack it once; rmi during import is safe" {
  rm -rf "$IMG_TMP/root"
  make_many_files_layer "$IMG_TMP/conc.tar" 3000
  for i in 1 2 3 4; do hull import "$IMG_TMP/conc.tar" conc/x:$i >"$IMG_TMP/conc.$i" 2>&1 & done
  wait
  for i in 1 2 3 4; do [[ "$(cat "$IMG_TMP/conc.$i")" == sha256:* ]]; done
  [ "$(ls "$IMG_TMP/root/layers" | wc -l)" -eq 1 ]
  # removing while others add the same layer: the store stays consistent
  for i in 1 2 3; do
    hull import "$IMG_TMP/conc.tar" conc/y:$i >/dev/null 2>&1 &
    hull rmi -f conc/x:$i >/dev/null 2>&1 &
  done
  wait
  for i in 1 2 3; do
    mp=$(hull image mount conc/y:$i)
    [ -f "$mp/data/d042/f000042" ]
    hull image unmount conc/y:$i
  done
}

@test "kill -9 in the middle of an import leaves a working store" {
  rm -rf "$IMG_TMP/root"
  hull import "$IMG_TMP/bb.tar" crash/base:1 >/dev/null
  make_many_files_layer "$IMG_TMP/big.tar" 20000
  for delay in 0.05 0.2 0.5; do
    # the binary itself in the background, so that $! is its pid
    "$HULL_BIN" --root "$IMG_TMP/root" import "$IMG_TMP/big.tar" crash/big:1 >/dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null || true
    wait $pid || true
    # the store still works, and what the dead process left is cleaned
    run hull images
    [ "$status" -eq 0 ]
    [[ "$output" == *crash/base* ]]
    [ -z "$(ls "$IMG_TMP/root/tmp")" ]
  done
  run hull import "$IMG_TMP/big.tar" crash/big:1
  [ "$status" -eq 0 ]
  mp=$(hull image mount crash/big:1)
  [ "$(find "$mp/data" -type f | wc -l)" -eq 20000 ]
  hull image unmount crash/big:1
}

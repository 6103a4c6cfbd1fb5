#!/usr/bin/env bats
# Volumes through `hull run`: named volumes filled from the image on first
# use, shared and surviving containers, anonymous volumes from the image's
# VOLUME, read-only mounts, bind mounts, in-use removal refused, bad input.

load ../lib/net

setup_file() {
  net_setup_file
}

teardown_file() {
  net_teardown_file
}

teardown() {
  local ids
  ids=$(hull ps -aq 2>/dev/null) && [ -n "$ids" ] && hull rm -f -v $ids >/dev/null 2>&1
  hull volume prune -a >/dev/null 2>&1
  true
}

@test "a named volume is filled from the image on first use, written by one container and read by the next" {
  run hull run --rm -v data1:/data bb:1 sh -c 'cat /data/seed /data/sub/file; echo written >/data/new'
  [ "$status" -eq 0 ]
  [ "$output" = "from-image
deep" ]
  # the image's symlink is copied as a symlink, not followed
  run hull run --rm -v data1:/data bb:1 sh -c 'cat /data/new; ls -l /data/link'
  [[ "${lines[0]}" = written ]]
  [[ "$output" == *"/data/link -> /etc/passwd"* ]]
  mp=$(hull volume inspect data1 | jq -r '.[0].Mountpoint')
  [ "$mp" = "$NT/root/volumes/data1/_data" ]
  [ "$(cat "$mp/new")" = written ]
  # emptied by a container, it is not filled again
  hull run --rm -v data1:/data bb:1 sh -c 'rm -rf /data/* /data/.[!.]*' || true
  run hull run --rm -v data1:/data bb:1 ls -A /data
  [ -z "$output" ]
}

@test "two running containers share a volume; data survives their removal" {
  hull volume create shared
  hull run -d --name w -v shared:/s bb:1 sh -c 'echo from-w >/s/f; sleep 60'
  run hull run --rm --mount type=volume,source=shared,target=/t,readonly bb:1 sh -c 'for i in $(seq 50); do [ -f /t/f ] && break; sleep 0.1; done; cat /t/f; touch /t/x'
  [ "${lines[0]}" = from-w ]
  [[ "$output" == *"Read-only file system"* ]]
  hull rm -f w
  run hull run --rm -v shared:/s bb:1 cat /s/f
  [ "$output" = from-w ]
}

@test "the image's VOLUME gets an anonymous volume, removed by rm -v" {
  before=$(hull volume ls -q | wc -l)
  hull run -d --name anon bb:1 sleep 60
  [ "$(hull volume ls -q | wc -l)" -eq $((before + 1)) ]
  run hull exec anon cat /data/seed
  [ "$output" = from-image ]
  hull rm -f -v anon
  [ "$(hull volume ls -q | wc -l)" -eq "$before" ]
}

@test "a volume in use cannot be removed; unused ones are pruned" {
  hull run -d --name user -v busy:/b bb:1 sleep 60
  run hull volume rm busy
  [ "$status" -ne 0 ]
  [[ "$output" == *"volume \`busy\` is in use by container"* ]]
  # stopped, still a user (as Docker)
  hull stop -t 0 user >/dev/null
  run hull volume rm busy
  [ "$status" -ne 0 ]
  hull rm user
  run hull volume rm busy
  [ "$status" -eq 0 ]
  hull volume create keep
  run hull volume prune -a
  [[ "$output" == *keep* ]]
  run hull volume ls -q
  [ -z "$output" ]
}

@test "bind mounts: -v /host:/path[:ro] and --mount type=bind" {
  mkdir -p "$NT/host"
  echo on-host >"$NT/host/h"
  run hull run --rm -v "$NT/host:/h:ro" bb:1 sh -c 'cat /h/h; touch /h/x'
  [ "${lines[0]}" = on-host ]
  [[ "$output" == *"Read-only file system"* ]]
  hull run --rm --mount "type=bind,source=$NT/host,target=/h" bb:1 sh -c 'echo back >/h/back'
  [ "$(cat "$NT/host/back")" = back ]
}

@test "bad input: a clear error, nothing left behind" {
  run hull run --rm --mount "type=bind,source=$NT/missing,target=/m" bb:1 true
  [ "$status" -ne 0 ]
  [[ "$output" == *"$NT/missing"* ]]
  run hull run --rm -v 'bad name:/x' bb:1 true
  [ "$status" -ne 0 ]
  run hull run --rm --mount type=volume,source=../x,target=/x bb:1 true
  [ "$status" -ne 0 ]
  [[ "$output" == *"invalid volume name"* ]]
  run hull volume create 'a/b'
  [ "$status" -ne 0 ]
  [[ "$output" == *"invalid volume name \`a/b\`"* ]]
  run hull volume rm nosuch
  [[ "$output" == *"no such volume: \`nosuch\`"* ]]
  run hull ps -aq
  [ -z "$output" ]
  run hull volume ls -q
  [ -z "$output" ]
}

#!/usr/bin/env bats
# lib/registry's client against the real registry (docker-registry) over plain
# HTTP, directly and through a misbehaving proxy (tests/lib/registry-proxy.py):
# manifests, blobs verified while streaming, resumed downloads, retries,
# uploads, mounts, mirrors.  Driven through tests/unit/registry/registry-tool.

load ../lib/registry.bash

setup_file() {
  registry_setup
  registry_start_plain PLAIN
  head -c 3000000 /dev/urandom >"$REG_TMP/random.bin"
  registry_make_image "$REG_TMP/img" v1 "$REG_TMP/random.bin"
  registry_push "$REG_TMP/img" v1 "$PLAIN/test/busybox:v1" --dest-tls-verify=false
  registry_push "$REG_TMP/img" v1 "$PLAIN/test/busybox:v2" --dest-tls-verify=false
}

teardown_file() {
  registry_teardown
}

setup() {
  B=${HULL_BUILD:-build}
  [[ "$B" == /* ]] || B=$REG_SRC/$B
  TOOL=$B/tests/unit/registry/registry-tool
  # shellcheck disable=SC1091
  source "$REG_TMP/img.digests"
  BLOB=$REG_TMP/img/blobs/sha256
  OUT=$(mktemp -d "$REG_TMP/out.XXXXXX")
}

teardown() {
  registry_stop PROXY
  rm -rf "$OUT"
}

@test "ping: the registry answers; a closed port fails at once" {
  run "$TOOL" ping "$PLAIN"
  [ "$status" -eq 0 ]
  port=$(registry_free_port)
  SECONDS=0
  run "$TOOL" ping "127.0.0.1:$port"
  [ "$status" -eq 1 ]
  [[ "$output" == *"\`127.0.0.1:$port\`: "*"Couldn't connect to server"* ]]
  [ "$SECONDS" -lt 5 ]
}

@test "manifest by tag and by digest: exact bytes, media type, digest" {
  run "$TOOL" manifest "$PLAIN/test/busybox:v1" "$OUT/m"
  [ "$status" -eq 0 ]
  [ "$output" = "application/vnd.oci.image.manifest.v1+json $manifest $manifest_size" ]
  cmp "$OUT/m" "$BLOB/${manifest#sha256:}"
  run "$TOOL" manifest "$PLAIN/test/busybox@$manifest"
  [ "$status" -eq 0 ]
  [ "$output" = "application/vnd.oci.image.manifest.v1+json $manifest $manifest_size" ]
}

@test "HEAD manifest; unknown tag and repository" {
  run "$TOOL" head "$PLAIN/test/busybox:v1"
  [ "$status" -eq 0 ]
  [ "$output" = "$manifest application/vnd.oci.image.manifest.v1+json $manifest_size" ]
  run "$TOOL" head "$PLAIN/test/busybox:nope"
  [ "$output" = absent ]
  run "$TOOL" manifest "$PLAIN/test/busybox:nope"
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: \`$PLAIN/test/busybox:nope\`: manifest unknown (404)" ]
  run "$TOOL" manifest "$PLAIN/no/such:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == "registry-tool: \`$PLAIN/no/such:v1\`: "*"(404)" ]]
}

@test "tags list" {
  run "$TOOL" tags "$PLAIN/test/busybox"
  [ "$status" -eq 0 ]
  [[ "$(echo "$output" | sort | tr '\n' ' ')" == "v1 v2 "* ]]
}

@test "blob: streamed, verified, identical" {
  run "$TOOL" blob "$PLAIN/test/busybox" "$layer" "$layer_size" "$OUT/layer"
  [ "$status" -eq 0 ]
  cmp "$OUT/layer" "$BLOB/${layer#sha256:}"
  run "$TOOL" exists "$PLAIN/test/busybox" "$layer"
  [ "$output" = "present $layer_size" ]
  run "$TOOL" exists "$PLAIN/test/busybox" "sha256:$(printf x | sha256sum | cut -d' ' -f1)"
  [ "$output" = absent ]
}

@test "blobs in parallel threads on one client" {
  # a second image in the same repository: four blobs at once
  head -c 2000000 /dev/urandom >"$OUT/random2.bin"
  registry_make_image "$OUT/img2" v3 "$OUT/random2.bin"
  registry_push "$OUT/img2" v3 "$PLAIN/test/busybox:v3" --dest-tls-verify=false
  local l2 c2
  l2=$(sed -n 's/^layer=//p' "$OUT/img2.digests")
  c2=$(sed -n 's/^config=//p' "$OUT/img2.digests")
  run "$TOOL" blobs "$PLAIN/test/busybox" "$OUT" "$layer:$layer_size" "$config:$config_size" \
    "$l2:$(stat -c %s "$OUT/img2/blobs/sha256/${l2#sha256:}")" \
    "$c2:$(stat -c %s "$OUT/img2/blobs/sha256/${c2#sha256:}")"
  [ "$status" -eq 0 ]
  for d in "$layer" "$config"; do
    cmp "$OUT/${d#sha256:}" "$BLOB/${d#sha256:}"
  done
  for d in "$l2" "$c2"; do
    cmp "$OUT/${d#sha256:}" "$OUT/img2/blobs/sha256/${d#sha256:}"
  done
}

@test "blob: unknown digest, invalid digest" {
  missing="sha256:$(printf missing | sha256sum | cut -d' ' -f1)"
  run "$TOOL" blob "$PLAIN/test/busybox" "$missing" 7 "$OUT/x"
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: blob \`$missing\`: blob unknown to registry (404)" ]
  [ ! -e "$OUT/x" ]
  run "$TOOL" blob "$PLAIN/test/busybox" "sha256:ABC" 7 "$OUT/x"
  [ "$status" -eq 1 ]
  [[ "$output" == *"invalid digest \`sha256:ABC\`"* ]]
}

@test "blob bigger than its descriptor: aborted early; smaller: truncated" {
  run "$TOOL" blob "$PLAIN/test/busybox" "$layer" 1000 "$OUT/x"
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: blob \`$layer\`: larger than its descriptor size, 1000 bytes (the registry sends $layer_size)" ]
  [ ! -e "$OUT/x" ]
  run "$TOOL" blob "$PLAIN/test/busybox" "$layer" $((layer_size + 10)) "$OUT/x"
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: blob \`$layer\`: truncated (got $layer_size of $((layer_size + 10)) bytes)" ]
}

@test "a registry that drops the connection mid-blob: resumed with Range, verified" {
  registry_start_proxy PROXY "$PLAIN" cut 100000 1
  run "$TOOL" --retry-ms 50 blob "$PROXY/test/busybox" "$layer" "$layer_size" "$OUT/layer"
  [ "$status" -eq 0 ]
  cmp "$OUT/layer" "$BLOB/${layer#sha256:}"
  grep -q "GET /v2/test/busybox/blobs/$layer range=-" "$REG_TMP/PROXY.requests"
  grep -q "GET /v2/test/busybox/blobs/$layer range=bytes=100000-" "$REG_TMP/PROXY.requests"
}

@test "cut three times in a row: still resumed and verified" {
  registry_start_proxy PROXY "$PLAIN" cut 700000 3
  run "$TOOL" --retry-ms 50 blob "$PROXY/test/busybox" "$layer" "$layer_size" "$OUT/layer"
  [ "$status" -eq 0 ]
  cmp "$OUT/layer" "$BLOB/${layer#sha256:}"
  [ "$(grep -c "blobs/$layer range=bytes=" "$REG_TMP/PROXY.requests")" -eq 3 ]
}

@test "cut and no retries allowed: truncated error, nothing kept" {
  registry_start_proxy PROXY "$PLAIN" cut 100000 1
  run "$TOOL" --retries 0 blob "$PROXY/test/busybox" "$layer" "$layer_size" "$OUT/layer"
  [ "$status" -eq 1 ]
  [[ "$output" == "registry-tool: blob \`$layer\`: truncated (got 100000 of $layer_size bytes): "* ]]
  [ ! -e "$OUT/layer" ]
}

@test "resuming an earlier partial download, from a registry that ignores Range" {
  head -c 500000 "$BLOB/${layer#sha256:}" >"$OUT/layer"
  registry_start_proxy PROXY "$PLAIN" norange
  run "$TOOL" blob "$PROXY/test/busybox" "$layer" "$layer_size" "$OUT/layer" 500000
  [ "$status" -eq 0 ]
  cmp "$OUT/layer" "$BLOB/${layer#sha256:}"
  # a partial file that is wrong is caught by the digest
  head -c 500000 /dev/zero >"$OUT/bad"
  run "$TOOL" blob "$PLAIN/test/busybox" "$layer" "$layer_size" "$OUT/bad" 500000
  [ "$status" -eq 1 ]
  [[ "$output" == *"blob \`$layer\`: digest mismatch (got sha256:"* ]]
}

@test "a blob whose content does not match its digest is rejected" {
  registry_start_proxy PROXY "$PLAIN" corrupt 0 100
  run "$TOOL" blob "$PROXY/test/busybox" "$layer" "$layer_size" "$OUT/layer"
  [ "$status" -eq 1 ]
  [[ "$output" == "registry-tool: blob \`$layer\`: digest mismatch (got sha256:"*")" ]]
  [ ! -e "$OUT/layer" ]
}

@test "a truncated blob is rejected" {
  registry_start_proxy PROXY "$PLAIN" truncate 1000 100
  run "$TOOL" blob "$PROXY/test/busybox" "$layer" "$layer_size" "$OUT/layer"
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: blob \`$layer\`: truncated (got $((layer_size - 1000)) of $layer_size bytes)" ]
  [ ! -e "$OUT/layer" ]
}

@test "an oversized blob is aborted" {
  registry_start_proxy PROXY "$PLAIN" oversize 5000 100
  run "$TOOL" blob "$PROXY/test/busybox" "$layer" "$layer_size" "$OUT/layer"
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: blob \`$layer\`: larger than its descriptor size, $layer_size bytes (the registry sends $((layer_size + 5000)))" ]
}

@test "malformed manifest JSON: clear error" {
  registry_start_proxy PROXY "$PLAIN" manifest-junk
  run "$TOOL" manifest "$PROXY/test/busybox:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == "registry-tool: \`$PROXY/test/busybox:v1\`: malformed manifest: invalid JSON"* ]]
}

@test "schema1 manifests are refused" {
  registry_start_proxy PROXY "$PLAIN" schema1
  run "$TOOL" manifest "$PROXY/test/busybox:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == "registry-tool: schema1 manifests are not supported: \`$PROXY/test/busybox:v1\`"* ]]
}

@test "a manifest whose registry digest disagrees with its content" {
  registry_start_proxy PROXY "$PLAIN" manifest-digest
  run "$TOOL" manifest "$PROXY/test/busybox:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"digest mismatch: the registry says sha256:000"* ]]
}

@test "503 with Retry-After is retried" {
  registry_start_proxy PROXY "$PLAIN" 503 0 1
  run "$TOOL" manifest "$PROXY/test/busybox:v1"
  [ "$status" -eq 0 ]
  [ "$(grep -c "GET /v2/test/busybox/manifests/v1" "$REG_TMP/PROXY.requests")" -eq 2 ]
  registry_stop PROXY
  # a registry that keeps failing: an error after the retries
  registry_start_proxy PROXY "$PLAIN" 503 0 100
  run "$TOOL" --retries 2 --retry-ms 10 manifest "$PROXY/test/busybox:v2"
  [ "$status" -eq 1 ]
  [[ "$output" == *"(503)" ]]
}

@test "push: upload, exists, cross-repository mount, chunked and streamed uploads" {
  head -c 2500000 /dev/urandom >"$OUT/blob1"
  d1=sha256:$(sha256sum "$OUT/blob1" | cut -d' ' -f1)
  run "$TOOL" push-blob "$PLAIN/push/a" "$OUT/blob1"
  [ "$status" -eq 0 ]
  [ "$output" = "uploaded $d1" ]
  run "$TOOL" push-blob "$PLAIN/push/a" "$OUT/blob1"
  [ "$output" = "existed $d1" ]
  run "$TOOL" push-blob "$PLAIN/push/b" "$OUT/blob1" push/a
  [ "$output" = "mounted $d1" ]
  run "$TOOL" blob "$PLAIN/push/b" "$d1" 2500000 "$OUT/back"
  [ "$status" -eq 0 ]
  cmp "$OUT/blob1" "$OUT/back"

  head -c 2500000 /dev/urandom >"$OUT/blob2"
  d2=sha256:$(sha256sum "$OUT/blob2" | cut -d' ' -f1)
  run "$TOOL" --chunk-size 1000000 push-blob "$PLAIN/push/c" "$OUT/blob2"
  [ "$output" = "uploaded $d2" ]
  run "$TOOL" blob "$PLAIN/push/c" "$d2" 2500000 "$OUT/back2"
  cmp "$OUT/blob2" "$OUT/back2"

  head -c 100000 /dev/urandom >"$OUT/blob3"
  d3=sha256:$(sha256sum "$OUT/blob3" | cut -d' ' -f1)
  run "$TOOL" push-blob-stream "$PLAIN/push/c" "$OUT/blob3"
  [ "$output" = "uploaded $d3" ]
  run "$TOOL" exists "$PLAIN/push/c" "$d3"
  [ "$output" = "present 100000" ]
}

@test "push a manifest; skopeo reads back the same image" {
  for b in "$config" "$layer"; do
    run "$TOOL" push-blob "$PLAIN/pushed/img" "$BLOB/${b#sha256:}" test/busybox
    [ "$status" -eq 0 ]
    [ "$output" = "mounted $b" ]
  done
  run "$TOOL" put-manifest "$PLAIN/pushed/img:t1" "$BLOB/${manifest#sha256:}" \
    application/vnd.oci.image.manifest.v1+json
  [ "$status" -eq 0 ]
  [ "$output" = "$manifest" ]
  run skopeo inspect --raw --tls-verify=false "docker://$PLAIN/pushed/img:t1"
  [ "$status" -eq 0 ]
  [ "$(printf %s "$output" | sha256sum | cut -d' ' -f1)" = "${manifest#sha256:}" ]
  # by digest: the content must match
  run "$TOOL" put-manifest "$PLAIN/pushed/img@sha256:$(printf 0%.0s {1..64})" \
    "$BLOB/${manifest#sha256:}" application/vnd.oci.image.manifest.v1+json
  [ "$status" -eq 1 ]
  [[ "$output" == *"the content's digest is $manifest" ]]
}

@test "short names resolve through the search registries" {
  printf '{"unqualified-search-registries":["%s","docker.io"]}' "$PLAIN" >"$OUT/reg.json"
  HULL_REGISTRIES_CONF=$OUT/reg.json run "$TOOL" resolve busybox:v1
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "$PLAIN/busybox:v1 $PLAIN/busybox:v1" ]
  [ "${lines[1]}" = "docker.io/library/busybox:v1 busybox:v1" ]
  run "$TOOL" resolve "Bad/Name"
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: invalid reference \`Bad/Name\`: repository name must be lowercase" ]
}

@test "mirrors are tried first; a mirror without the image falls back to the registry" {
  registry_start_proxy PROXY "$PLAIN" norange
  printf '{"registries":{"%s/test":{"mirrors":["%s/test"]},"blocked.example":{"blocked":true}}}' \
    "$PLAIN" "$PROXY" >"$OUT/reg.json"
  run "$TOOL" --registries-conf "$OUT/reg.json" open "$PLAIN/test/busybox:v1"
  [ "$status" -eq 0 ]
  [ "$output" = "$PROXY/test/busybox $manifest" ]
  grep -q "GET /v2/test/busybox/manifests/v1" "$REG_TMP/PROXY.requests"
  # the mirror maps to another path where nothing is: the registry serves it
  printf '{"registries":{"%s/test":{"mirrors":["%s/elsewhere"]}}}' "$PLAIN" "$PROXY" >"$OUT/reg.json"
  run "$TOOL" --registries-conf "$OUT/reg.json" open "$PLAIN/test/busybox:v1"
  [ "$status" -eq 0 ]
  [ "$output" = "$PLAIN/test/busybox $manifest" ]
  grep -q "GET /v2/elsewhere/busybox/manifests/v1" "$REG_TMP/PROXY.requests"
  printf '{"registries":{"blocked.example":{"blocked":true}}}' >"$OUT/reg.json"
  run "$TOOL" --registries-conf "$OUT/reg.json" open blocked.example/x:1
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: registry \`blocked.example\` is blocked in \`$OUT/reg.json\`" ]
}

#!/usr/bin/env bats
# Registry authentication against the real registry: TLS with a private CA
# and htpasswd (bcrypt) basic auth, bearer tokens from a token server of our
# own (tests/lib/token-server.py); `hull login` / `hull logout` and auth.json.

load ../lib/registry.bash

setup_file() {
  registry_setup
  registry_start_tls_basic TLS alice 'secret one'
  registry_start_token TOK bob secret2
  # tokens: the first one grants nothing (a refresh is needed); only
  # "access_token" in replies; anonymous pulls allowed
  registry_start_token TOK2 carol secret3 --bad-first 1 --bad-user carol \
    --field access_token --anonymous-pull --user dave:secret4
  registry_make_image "$REG_TMP/img" v1
  registry_push "$REG_TMP/img" v1 "$TLS/test/busybox:v1" \
    --dest-cert-dir "$REG_TMP/certs.d/$TLS" --dest-creds 'alice:secret one'
  registry_push "$REG_TMP/img" v1 "$TOK/test/busybox:v1" --dest-tls-verify=false \
    --dest-creds bob:secret2
  registry_push "$REG_TMP/img" v1 "$TOK2/test/busybox:v1" --dest-tls-verify=false \
    --dest-creds dave:secret4
}

teardown_file() {
  registry_teardown
}

setup() {
  B=${HULL_BUILD:-build}
  [[ "$B" == /* ]] || B=$REG_SRC/$B
  TOOL=$B/tests/unit/registry/registry-tool
  HULL=$B/cmd/hull/hull
  # shellcheck disable=SC1091
  source "$REG_TMP/img.digests"
  T=$(mktemp -d "$REG_TMP/t.XXXXXX")
  # never the real auth files of whoever runs the tests
  export REGISTRY_AUTH_FILE=$T/auth.json XDG_RUNTIME_DIR=$T/run HOME=$T/home
  export HULL_CERTS_DIRS=$REG_TMP/certs.d
  : >"$REG_TMP/TOK.tokens"
  : >"$REG_TMP/TOK2.tokens"
}

teardown() {
  registry_stop STORE
  registry_stop FRONT
  rm -rf "$T"
}

@test "TLS: an untrusted certificate fails with a clear TLS error" {
  printf '{"registries":{"%s":{"insecure":false}}}' "$TLS" >"$T/reg.json"
  HULL_CERTS_DIRS=$T/none run "$TOOL" --registries-conf "$T/reg.json" ping "$TLS"
  [ "$status" -eq 1 ]
  [[ "$output" == "registry-tool: \`$TLS\`: TLS: SSL certificate problem: "*"(add the registry's CA certificate to a certs.d directory, e.g. /etc/hull/certs.d/$TLS/ca.crt)" ]]
  # --tls-verify=true overrides a loopback registry's default insecurity too
  HULL_CERTS_DIRS=$T/none run "$TOOL" --tls-verify=true ping "$TLS"
  [ "$status" -eq 1 ]
  [[ "$output" == *"TLS: SSL certificate problem"* ]]
}

@test "TLS: the CA from certs.d (or --cert-dir) is trusted" {
  printf '{"registries":{"%s":{"insecure":false}}}' "$TLS" >"$T/reg.json"
  run "$TOOL" --registries-conf "$T/reg.json" ping "$TLS"
  [ "$status" -eq 0 ]
  HULL_CERTS_DIRS=$T/none run "$TOOL" --tls-verify=true --cert-dir "$REG_TMP/certs.d/$TLS" ping "$TLS"
  [ "$status" -eq 0 ]
  # a certs.d entry that is not a certificate is an error of its own
  mkdir -p "$T/bad/$TLS" && echo junk >"$T/bad/$TLS/ca.crt"
  HULL_CERTS_DIRS=$T/bad run "$TOOL" ping "$TLS"
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: registry \`$TLS\`: CA file \`$T/bad/$TLS/ca.crt\` holds no PEM certificate" ]
}

@test "TLS client certificates from certs.d (*.cert + *.key)" {
  registry_start_tls_client MTLS
  run "$TOOL" --tls-verify=true ping "$MTLS"
  [ "$status" -eq 0 ]
  # without the client certificate the handshake is refused
  mkdir -p "$T/nocert/$MTLS"
  cp "$REG_TMP/certs.d/$MTLS/ca.crt" "$T/nocert/$MTLS/"
  HULL_CERTS_DIRS=$T/nocert run "$TOOL" --tls-verify=true ping "$MTLS"
  [ "$status" -eq 1 ]
  [[ "$output" == "registry-tool: \`$MTLS\`: "* ]]
  # a certificate without its key is refused before any connection
  cp "$REG_TMP/certs.d/$MTLS/client.cert" "$T/nocert/$MTLS/"
  HULL_CERTS_DIRS=$T/nocert run "$TOOL" --tls-verify=true ping "$MTLS"
  [ "$status" -eq 1 ]
  [[ "$output" == *"client certificate \`$T/nocert/$MTLS/client.cert\` has no key"* ]]
  registry_stop MTLS
}

@test "basic auth over TLS: no credentials, wrong password, right password" {
  run "$TOOL" --tls-verify=true manifest "$TLS/test/busybox:v1"
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: \`$TLS\`: unauthorized: authentication required (401)" ]
  run "$TOOL" --tls-verify=true -u alice -p wrong manifest "$TLS/test/busybox:v1"
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: \`$TLS\`: unauthorized: incorrect username or password (401)" ]
  run "$TOOL" --tls-verify=true -u alice -p 'secret one' manifest "$TLS/test/busybox:v1"
  [ "$status" -eq 0 ]
  [[ "$output" == *" $manifest $manifest_size" ]]
}

@test "hull login: wrong password refused, nothing saved" {
  run "$HULL" login -u alice -p wrong --tls-verify=true "$TLS"
  [ "$status" -eq 1 ]
  [[ "$output" == *"hull: login: \`$TLS\`: unauthorized: incorrect username or password (401)"* ]]
  [ ! -e "$REGISTRY_AUTH_FILE" ]
}

@test "hull login saves 0600 credentials that the client then uses; logout removes them" {
  run bash -c "printf 'secret one\n' | '$HULL' login -u alice --password-stdin '$TLS'"
  [ "$status" -eq 0 ]
  [ "$output" = "Login Succeeded!" ]
  [ "$(stat -c %a "$REGISTRY_AUTH_FILE")" = 600 ]
  [ "$(jq -r --arg k "$TLS" '.auths[$k].auth' "$REGISTRY_AUTH_FILE" | base64 -d)" = "alice:secret one" ]
  run "$HULL" login --get-login "$TLS"
  [ "$output" = alice ]
  # the saved credentials are what the client uses
  run "$TOOL" blob "$TLS/test/busybox" "$layer" "$layer_size" "$T/layer"
  [ "$status" -eq 0 ]
  cmp "$T/layer" "$REG_TMP/img/blobs/sha256/${layer#sha256:}"
  # podman reads the same file
  run skopeo inspect --raw --authfile "$REGISTRY_AUTH_FILE" --cert-dir "$REG_TMP/certs.d/$TLS" \
    "docker://$TLS/test/busybox:v1"
  [ "$status" -eq 0 ]

  run "$HULL" logout "$TLS"
  [ "$status" -eq 0 ]
  [ "$output" = "Removed login credentials for $TLS" ]
  run "$TOOL" manifest "$TLS/test/busybox:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unauthorized: authentication required (401)" ]]
  run "$HULL" logout "$TLS"
  [ "$status" -eq 1 ]
  [[ "$output" == *"logout: not logged in to \`$TLS\`"* ]]
}

@test "hull login: --authfile, https:// spelling, the default file, logout --all" {
  run "$HULL" login -u alice -p 'secret one' --authfile "$T/other.json" "https://$TLS/v2/"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Login Succeeded!"* ]]
  jq -e --arg k "$TLS" '.auths[$k].auth' "$T/other.json" >/dev/null
  run "$TOOL" --authfile "$T/other.json" manifest "$TLS/test/busybox:v1"
  [ "$status" -eq 0 ]

  unset REGISTRY_AUTH_FILE
  run "$HULL" login -u bob -p secret2 "$TOK"
  [ "$status" -eq 0 ]
  jq -e --arg k "$TOK" '.auths[$k].auth' "$XDG_RUNTIME_DIR/containers/auth.json" >/dev/null
  # other keys of the file survive hull's writes
  jq '. + {"credHelpers":{"x.example":"pass"}}' "$XDG_RUNTIME_DIR/containers/auth.json" >"$T/tmp.json"
  mv "$T/tmp.json" "$XDG_RUNTIME_DIR/containers/auth.json"
  run "$HULL" logout --all
  [ "$status" -eq 0 ]
  [ "$(jq -c .auths "$XDG_RUNTIME_DIR/containers/auth.json")" = "{}" ]
  [ "$(jq -r '.credHelpers["x.example"]' "$XDG_RUNTIME_DIR/containers/auth.json")" = pass ]
}

@test "hull login: usage errors" {
  run "$HULL" login -p x --password-stdin -u a "$TLS"
  [ "$status" -eq 125 ]
  run "$HULL" login -u a -p b "bad host"
  [ "$status" -eq 1 ]
  [[ "$output" == *"invalid registry \`bad host\`"* ]]
  run "$HULL" logout a b
  [ "$status" -eq 125 ]
}

@test "bearer: anonymous refused, wrong password, credentials; one token per scope" {
  run "$TOOL" manifest "$TOK/test/busybox:v1"
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: \`$TOK\`: unauthorized: authentication required (401)" ]
  run "$TOOL" -u bob -p nope manifest "$TOK/test/busybox:v1"
  [ "$status" -eq 1 ]
  [ "$output" = "registry-tool: \`$TOK\`: unauthorized: incorrect username or password (token server returned 401)" ]
  : >"$REG_TMP/TOK.tokens"
  run "$TOOL" -u bob -p secret2 blobs "$TOK/test/busybox" "$T" "$layer:$layer_size" "$config:$config_size"
  [ "$status" -eq 0 ]
  cmp "$T/${layer#sha256:}" "$REG_TMP/img/blobs/sha256/${layer#sha256:}"
  # one token for the pull scope (the ping needs none), shared by the threads
  [ "$(cat "$REG_TMP/TOK.tokens")" = "user=bob scope=repository:test/busybox:pull status=200" ]
}

@test "bearer: push asks for pull,push; a mount also for pull on the source" {
  head -c 10000 /dev/urandom >"$T/blob"
  d=sha256:$(sha256sum "$T/blob" | cut -d' ' -f1)
  run "$TOOL" -u bob -p secret2 push-blob "$TOK/team/a" "$T/blob"
  [ "$status" -eq 0 ]
  [ "$output" = "uploaded $d" ]
  grep -qx "user=bob scope=repository:team/a:pull,push status=200" "$REG_TMP/TOK.tokens"
  run "$TOOL" -u bob -p secret2 push-blob "$TOK/team/b" "$T/blob" team/a
  [ "$output" = "mounted $d" ]
  grep -qx "user=bob scope=repository:team/b:pull,push repository:team/a:pull status=200" \
    "$REG_TMP/TOK.tokens"
}

@test "bearer: a token the registry refuses is fetched again; access_token replies" {
  # TOK2's first token for carol grants nothing: the registry says 401, the client
  # drops the token, gets a new one and succeeds
  run "$TOOL" -u carol -p secret3 manifest "$TOK2/test/busybox:v1"
  [ "$status" -eq 0 ]
  [[ "$output" == *" $manifest $manifest_size" ]]
  [ "$(grep -c "user=carol scope=repository:test/busybox:pull status=200" "$REG_TMP/TOK2.tokens")" -eq 2 ]
  # anonymous pulls allowed there
  run "$TOOL" manifest "$TOK2/test/busybox:v1"
  [ "$status" -eq 0 ]
  grep -q "user=- scope=repository:test/busybox:pull status=200" "$REG_TMP/TOK2.tokens"
  # but not anonymous pushes
  run "$TOOL" push-blob-stream "$TOK2/test/busybox" "$REG_TMP/img.digests"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unauthorized"* ]]
}

@test "hull login against a bearer-token registry" {
  run "$HULL" login -u bob -p wrong "$TOK"
  [ "$status" -eq 1 ]
  [[ "$output" == *"login: \`$TOK\`: unauthorized: incorrect username or password (token server returned 401)"* ]]
  [ ! -e "$REGISTRY_AUTH_FILE" ]
  run "$HULL" login -u bob -p secret2 "$TOK"
  [ "$status" -eq 0 ]
  run "$TOOL" manifest "$TOK/test/busybox:v1"
  [ "$status" -eq 0 ]
  grep -q "user=bob scope=repository:test/busybox:pull status=200" "$REG_TMP/TOK.tokens"
}

@test "a blob redirect to another host goes there without the registry's credentials" {
  # FRONT is the token registry, except that blobs are redirected to STORE
  # (another origin, serving the same blobs without auth, as blob storage)
  registry_start_plain PLAIN2
  registry_push "$REG_TMP/img" v1 "$PLAIN2/test/busybox:v1" --dest-tls-verify=false
  registry_start_proxy STORE "$PLAIN2" pass
  registry_start_proxy FRONT "$TOK" redirect 0 1 "$STORE"
  run "$TOOL" -u bob -p secret2 blob "$FRONT/test/busybox" "$layer" "$layer_size" "$T/layer"
  [ "$status" -eq 0 ]
  cmp "$T/layer" "$REG_TMP/img/blobs/sha256/${layer#sha256:}"
  grep -q "GET /v2/test/busybox/blobs/$layer range=- auth=Bearer" "$REG_TMP/FRONT.requests"
  grep -q "GET /v2/test/busybox/blobs/$layer range=- auth=-" "$REG_TMP/STORE.requests"
  run grep -c "auth=Bearer\|auth=Basic" "$REG_TMP/STORE.requests"
  [ "$output" = 0 ]
  registry_stop PLAIN2
}

@test "hull --registries-conf: login without a registry goes to the first search registry" {
  printf '{"unqualified-search-registries":["%s"]}' "$TLS" >"$T/reg.json"
  run "$HULL" --registries-conf "$T/reg.json" login -u alice -p 'secret one'
  [ "$status" -eq 0 ]
  jq -e --arg k "$TLS" '.auths[$k].auth' "$REGISTRY_AUTH_FILE" >/dev/null
  run "$HULL" --registries-conf "$T/missing.json" logout
  [ "$status" -eq 1 ]
  [[ "$output" == *"registries configuration: open \`$T/missing.json\`: No such file or directory"* ]]
}

@test "a malformed auth file: fine where no credentials are needed, named where they are" {
  echo '{"auths": [' >"$REGISTRY_AUTH_FILE"
  registry_start_plain PLAIN3
  run "$TOOL" ping "$PLAIN3"
  [ "$status" -eq 0 ]
  run "$TOOL" manifest "$TLS/test/busybox:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == "registry-tool: auth file \`$REGISTRY_AUTH_FILE\`: invalid JSON"* ]]
  registry_stop PLAIN3
}

# registry.bash - test registries for the integration suites.
#
# Starts the real CNCF registry (docker-registry) on 127.0.0.1 with a free
# port, in three flavours, plus the helpers around it:
#
#   registry_setup                 temp dir $REG_TMP (call from setup_file)
#   registry_start_plain NAME      plain HTTP, no auth           -> $NAME=127.0.0.1:PORT
#   registry_start_tls_basic NAME USER PASS
#                                  TLS (own CA) + htpasswd (bcrypt) -> $NAME
#                                  CA in $REG_TMP/certs.d/127.0.0.1:PORT/ca.crt
#   registry_start_tls_client NAME TLS, no auth, but a client certificate
#                                  signed by the CA is required; certs.d gets
#                                  ca.crt + client.cert + client.key
#   registry_start_token NAME USER PASS [token-server options...]
#                                  bearer tokens from tests/lib/token-server.py
#                                  -> $NAME, token log in $REG_TMP/NAME.tokens
#   registry_start_proxy NAME UPSTREAM MODE [BYTES [TIMES [TARGET]]]
#                                  tests/lib/registry-proxy.py -> $NAME,
#                                  request log in $REG_TMP/NAME.requests
#   registry_stop NAME             stop one (registry, token server or proxy)
#   registry_teardown              stop everything, remove $REG_TMP (teardown_file)
#
#   registry_make_image DIR TAG [FILE...]  an OCI layout: busybox-static plus FILEs
#   registry_push DIR TAG DEST [skopeo options...]   skopeo copy oci:DIR:TAG docker://DEST
#
# Each started process is recorded as $REG_TMP/pids/NAME (one pid); they are
# all killed by pid, never by name.  Everything lives in $REG_TMP.

REG_SRC=${HULL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

registry_setup() {
  REG_TMP=$(mktemp -d /tmp/hull-registry.XXXXXX)
  mkdir -p "$REG_TMP/pids" "$REG_TMP/certs.d"
  export REG_TMP
}

registry_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# registry_wait_port PORT PIDFILE: until something listens (10 s at most).
registry_wait_port() {
  local port=$1 pidfile=$2 i
  for i in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "registry.bash: process of $pidfile died: $(head -3 "${pidfile%/pids/*}/$(basename "$pidfile").log" 2>/dev/null)" >&2
      return 1
    fi
    sleep 0.05
  done
  echo "registry.bash: nothing listens on $port" >&2
  return 1
}

# _registry_run NAME PORT CONFIG: start docker-registry with CONFIG.
_registry_run() {
  local name=$1 port=$2 config=$3
  # the registry reads REGISTRY_* variables as configuration (REGISTRY_AUTH_FILE,
  # which tests set for the clients, would become auth.file): drop them all
  local unset=() v
  for v in $(compgen -e | grep '^REGISTRY_'); do unset+=(-u "$v"); done
  env "${unset[@]}" docker-registry serve "$config" >"$REG_TMP/$name.log" 2>&1 &
  echo $! >"$REG_TMP/pids/$name"
  registry_wait_port "$port" "$REG_TMP/pids/$name"
}

# _registry_config NAME PORT EXTRA: the common part of a registry config.
_registry_config() {
  local name=$1 port=$2
  mkdir -p "$REG_TMP/$name.storage"
  cat <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $REG_TMP/$name.storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: hull-test-secret-$name
YAML
}

registry_start_plain() {
  local name=$1 port
  port=$(registry_free_port)
  _registry_config "$name" "$port" >"$REG_TMP/$name.yml"
  _registry_run "$name" "$port" "$REG_TMP/$name.yml" || return 1
  printf -v "$name" '%s' "127.0.0.1:$port"
  export "${name?}"
}

# registry_make_ca: a CA and a server certificate for 127.0.0.1 / localhost.
registry_make_ca() {
  local d=$REG_TMP/ca
  [ -f "$d/server.crt" ] && return 0
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=hull test CA" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null || return 1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null || return 1
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
    -CAcreateserial -days 2 -extfile "$d/ext" -out "$d/server.crt" 2>/dev/null
}

registry_start_tls_basic() {
  local name=$1 user=$2 pass=$3 port
  registry_make_ca || return 1
  port=$(registry_free_port)
  htpasswd -Bbn "$user" "$pass" >"$REG_TMP/$name.htpasswd" || return 1
  {
    _registry_config "$name" "$port"
    cat <<YAML
  tls:
    certificate: $REG_TMP/ca/server.crt
    key: $REG_TMP/ca/server.key
auth:
  htpasswd:
    realm: hull-test
    path: $REG_TMP/$name.htpasswd
YAML
  } >"$REG_TMP/$name.yml"
  mkdir -p "$REG_TMP/certs.d/127.0.0.1:$port"
  cp "$REG_TMP/ca/ca.crt" "$REG_TMP/certs.d/127.0.0.1:$port/ca.crt"
  _registry_run "$name" "$port" "$REG_TMP/$name.yml" || return 1
  printf -v "$name" '%s' "127.0.0.1:$port"
  export "${name?}"
}

registry_start_tls_client() {
  local name=$1 port d=$REG_TMP/ca
  registry_make_ca || return 1
  port=$(registry_free_port)
  if [ ! -f "$d/client.crt" ]; then
    openssl req -newkey rsa:2048 -nodes -subj "/CN=hull test client" \
      -keyout "$d/client.key" -out "$d/client.csr" 2>/dev/null || return 1
    printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >"$d/client.ext"
    openssl x509 -req -in "$d/client.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
      -CAcreateserial -days 2 -extfile "$d/client.ext" -out "$d/client.crt" 2>/dev/null || return 1
  fi
  {
    _registry_config "$name" "$port"
    cat <<YAML
  tls:
    certificate: $d/server.crt
    key: $d/server.key
    clientcas:
      - $d/ca.crt
YAML
  } >"$REG_TMP/$name.yml"
  local cd=$REG_TMP/certs.d/127.0.0.1:$port
  mkdir -p "$cd"
  cp "$d/ca.crt" "$cd/ca.crt"
  cp "$d/client.crt" "$cd/client.cert"
  cp "$d/client.key" "$cd/client.key"
  _registry_run "$name" "$port" "$REG_TMP/$name.yml" || return 1
  printf -v "$name" '%s' "127.0.0.1:$port"
  export "${name?}"
}

registry_start_token() {
  local name=$1 user=$2 pass=$3 port tport
  shift 3
  port=$(registry_free_port)
  tport=$(registry_free_port)
  local d=$REG_TMP/$name.token
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=hull test token signer" \
    -keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null || return 1
  printf '%s:%s\n' "$user" "$pass" >"$d/users"
  : >"$REG_TMP/$name.tokens"
  python3 "$REG_SRC/tests/lib/token-server.py" --port "$tport" --key "$d/key.pem" \
    --cert "$d/cert.pem" --issuer hull-test-issuer --service hull-test-registry \
    --users "$d/users" --log "$REG_TMP/$name.tokens" "$@" >"$REG_TMP/$name.token.log" 2>&1 &
  echo $! >"$REG_TMP/pids/$name.token"
  registry_wait_port "$tport" "$REG_TMP/pids/$name.token" || return 1
  {
    _registry_config "$name" "$port"
    cat <<YAML
auth:
  token:
    realm: http://127.0.0.1:$tport/token
    service: hull-test-registry
    issuer: hull-test-issuer
    rootcertbundle: $d/cert.pem
YAML
  } >"$REG_TMP/$name.yml"
  _registry_run "$name" "$port" "$REG_TMP/$name.yml" || return 1
  printf -v "$name" '%s' "127.0.0.1:$port"
  export "${name?}"
}

registry_start_proxy() {
  local name=$1 upstream=$2 mode=$3 bytes=${4:-1000} times=${5:-1} target=${6:-} port
  port=$(registry_free_port)
  : >"$REG_TMP/$name.requests"
  python3 "$REG_SRC/tests/lib/registry-proxy.py" --port "$port" --upstream "$upstream" \
    --log "$REG_TMP/$name.requests" --mode "$mode" --bytes "$bytes" --times "$times" \
    ${target:+--target "$target"} >"$REG_TMP/$name.log" 2>&1 &
  echo $! >"$REG_TMP/pids/$name"
  registry_wait_port "$port" "$REG_TMP/pids/$name" || return 1
  printf -v "$name" '%s' "127.0.0.1:$port"
  export "${name?}"
}

registry_stop() {
  local f
  for f in "$REG_TMP/pids/$1" "$REG_TMP/pids/$1.token"; do
    [ -f "$f" ] || continue
    local pid
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

registry_teardown() {
  [ -n "${REG_TMP:-}" ] && [ -d "$REG_TMP" ] || return 0
  local f
  for f in "$REG_TMP"/pids/*; do
    [ -f "$f" ] && registry_stop "$(basename "$f")"
  done
  rm -rf "$REG_TMP"
}

# registry_make_image DIR TAG [FILE...]: an OCI image layout with one
# gzip layer holding busybox-static as /bin/sh and /bin/busybox plus FILEs
# (copied to /data/). Deterministic: the same inputs give the same digests.
registry_make_image() {
  local dir=$1 tag=$2
  shift 2
  local root=$dir.rootfs
  rm -rf "$root" && mkdir -p "$root/bin" "$root/data" "$dir/blobs/sha256"
  cp /bin/busybox "$root/bin/busybox"
  ln -sf busybox "$root/bin/sh"
  local f
  for f in "$@"; do cp "$f" "$root/data/"; done
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$dir/layer.tar" .
  local diffid layer lsize
  diffid=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
  gzip -n -c "$dir/layer.tar" >"$dir/layer.tar.gz"
  layer=$(sha256sum "$dir/layer.tar.gz" | cut -d' ' -f1)
  lsize=$(stat -c %s "$dir/layer.tar.gz")
  mv "$dir/layer.tar.gz" "$dir/blobs/sha256/$layer"
  rm -f "$dir/layer.tar"
  printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$diffid" >"$dir/config.json"
  local config csize
  config=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
  csize=$(stat -c %s "$dir/config.json")
  mv "$dir/config.json" "$dir/blobs/sha256/$config"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config" "$csize" "$layer" "$lsize" >"$dir/manifest.json"
  local manifest msize
  manifest=$(sha256sum "$dir/manifest.json" | cut -d' ' -f1)
  msize=$(stat -c %s "$dir/manifest.json")
  mv "$dir/manifest.json" "$dir/blobs/sha256/$manifest"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest" "$msize" "$tag" >"$dir/index.json"
  rm -rf "$root"
  # for the tests: what was made
  printf 'manifest=sha256:%s\nmanifest_size=%s\nconfig=sha256:%s\nconfig_size=%s\nlayer=sha256:%s\nlayer_size=%s\n' \
    "$manifest" "$msize" "$config" "$csize" "$layer" "$lsize" >"$dir.digests"
}

registry_push() {
  local dir=$1 tag=$2 dest=$3
  shift 3
  skopeo copy --quiet "$@" "oci:$dir:$tag" "docker://$dest" >/dev/null
}

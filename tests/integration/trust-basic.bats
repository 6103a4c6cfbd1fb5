#!/usr/bin/env bats
# Content trust against the real CNCF registry on 127.0.0.1: hull key
# generate, hull sign in both formats (cosign's .sig tag; a Sigstore bundle
# referrer through the sha256-<hex> tag, as this registry has no referrers
# API), hull verify, signatures checked independently with openssl, every
# bad case made here with openssl and curl, and policy.json on pull and run.

load ../lib/images

setup_file() {
  images_setup_file
  images_registry_start
  registry_make_image "$IMG_TMP/oci" app
  registry_make_image "$IMG_TMP/oci2" app2 /etc/hostname
  push_layout "$IMG_TMP/oci:app" t/app:1
  push_layout "$IMG_TMP/oci2:app2" t/app:2
  hull images >/dev/null # the store exists: "nothing stored" compares listings
  # keys: hull's (cosign's encrypted format) and two plain PKCS#8 keys
  # openssl can sign with, for the signatures the tests craft themselves
  HULL_PASSWORD=pw "$HULL_BIN" key generate --output-key-prefix "$IMG_TMP/k" 2>/dev/null
  for n in g x; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$IMG_TMP/$n.pem"
    openssl pkey -in "$IMG_TMP/$n.pem" -pubout -out "$IMG_TMP/$n.pub"
  done
}

teardown_file() {
  images_teardown_file
}

# ---- helpers

fail() { printf '# %s\n' "$@" >&2; return 1; }
assert_status() { [ "$status" -eq "$1" ] || fail "exit status $status, expected $1:" "$output"; }
assert_contains() { [[ $1 == *"$2"* ]] || fail "expected \`$2\` in:" "$1"; }
# exactly one line of output (the error), naming the reason
assert_one_line() {
  [ "${#lines[@]}" -eq 1 ] || fail "expected one line, got ${#lines[@]}:" "$output"
  assert_contains "$output" "$1"
}

digest_of() { # REPO:TAG -> sha256:...
  curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REG/v2/${1%%:*}/manifests/${1#*:}" | sha256sum | sed 's/^/sha256:/; s/ .*//'
}

put_blob() { # REPO FILE -> digest
  local repo=$1 f=$2 d loc
  d=sha256:$(sha256sum "$f" | cut -d' ' -f1)
  loc=$(curl -fsS -X POST -D - -o /dev/null "http://$REG/v2/$repo/blobs/uploads/" |
    tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
  [[ $loc == http* ]] || loc="http://$REG$loc"
  [[ $loc == *\?* ]] && loc="$loc&digest=$d" || loc="$loc?digest=$d"
  curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$f" "$loc" >/dev/null
  echo "$d"
}

put_manifest() { # REPO REF FILE [MEDIATYPE]
  curl -fsS -X PUT -H "Content-Type: ${4:-application/vnd.oci.image.manifest.v1+json}" \
    --data-binary @"$3" "http://$REG/v2/$1/manifests/$2" >/dev/null
}

payload() { # IDENTITY DIGEST -> a simple-signing payload
  printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' "$1" "$2"
}

osign() { openssl dgst -sha256 -sign "$1" -out "$3" "$2"; } # KEY IN OUT: DER ECDSA

# push_sig REPO DIGEST PAYLOADFILE SIGFILE [SIZE]: a .sig manifest with one
# layer (SIZE: the size the descriptor claims)
push_sig() {
  local repo=$1 dg=$2 p=$3 s=$4 pd size cd
  pd=$(put_blob "$repo" "$p")
  size=${5:-$(stat -c %s "$p")}
  printf '{}' >"$BATS_TEST_TMPDIR/cfg"
  cd=$(put_blob "$repo" "$BATS_TEST_TMPDIR/cfg")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"%s","size":%s,"annotations":{"dev.cosignproject.cosign/signature":"%s"}}]}' \
    "$cd" "$pd" "$size" "$(base64 -w0 "$s")" >"$BATS_TEST_TMPDIR/m.json"
  put_manifest "$repo" "sha256-${dg#sha256:}.sig" "$BATS_TEST_TMPDIR/m.json"
}

# push_bundle REPO DIGEST STATEMENTFILE KEY [SUBJECTDIGEST]: a DSSE bundle
# signed by openssl over the PAE, as an artifact listed in the sha256-<hex> tag
push_bundle() {
  local repo=$1 dg=$2 st=$3 key=$4 subj=${5:-$2} t=$BATS_TEST_TMPDIR bd bs cd md ms
  local type=application/vnd.in-toto+json
  { printf 'DSSEv1 %s %s %s ' "${#type}" "$type" "$(stat -c %s "$st")"; cat "$st"; } >"$t/pae"
  osign "$key" "$t/pae" "$t/pae.sig"
  printf '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":""}},"dsseEnvelope":{"payload":"%s","payloadType":"%s","signatures":[{"sig":"%s","keyid":""}]}}' \
    "$(base64 -w0 "$st")" "$type" "$(base64 -w0 "$t/pae.sig")" >"$t/bundle"
  bd=$(put_blob "$repo" "$t/bundle")
  bs=$(stat -c %s "$t/bundle")
  printf '{}' >"$t/empty"
  cd=$(put_blob "$repo" "$t/empty")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","digest":"%s","size":%s}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1}}' \
    "$cd" "$bd" "$bs" "$subj" >"$t/bm.json"
  md=sha256:$(sha256sum "$t/bm.json" | cut -d' ' -f1)
  ms=$(stat -c %s "$t/bm.json")
  put_manifest "$repo" "$md" "$t/bm.json"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json"}]}' \
    "$md" "$ms" >"$t/idx.json"
  put_manifest "$repo" "sha256-${dg#sha256:}" "$t/idx.json" application/vnd.oci.image.index.v1+json
}

statement() { # NAME DIGEST [PREDICATETYPE]
  printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"%s","digest":{"sha256":"%s"}}],"predicateType":"%s","predicate":{}}' \
    "$1" "${2#sha256:}" "${3:-https://sigstore.dev/cosign/sign/v1}"
}

# a fresh repository holding the app image (each bad case gets its own)
fresh() { push_layout "$IMG_TMP/oci:app" "$1:1"; }

policy() { # FILE SCOPE REQUIREMENT-JSON: reject by default, REQ for SCOPE
  printf '{"default":[{"type":"reject"}],"transports":{"docker":{"%s":[%s]}}}' "$2" "$3" >"$1"
}

# the pull is refused with one line naming REASON, and nothing is stored
assert_pull_refused() { # IMAGE POLICY REASON
  local before
  before=$(store_listing)
  run hull pull -q --signature-policy "$2" "$1"
  [ "$status" -ne 0 ] || fail "pull of $1 was accepted"
  assert_one_line "$3"
  assert_contains "$output" "rejected by policy"
  [ "$(store_listing)" = "$before" ] || fail "the store changed:" "$(store_listing)"
  run hull image inspect "$1"
  [ "$status" -ne 0 ] || fail "$1 is in the store"
}

# ---- keys

@test "key generate: cosign's encrypted format and a PEM public key, never overwritten" {
  head -1 "$IMG_TMP/k.key" | grep -qx -- '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----'
  sed '1d;$d' "$IMG_TMP/k.key" | tr -d '\n' | base64 -d >"$BATS_TEST_TMPDIR/env.json"
  run jq -c '[.kdf.name, .kdf.params, .cipher.name, (keys|sort)]' "$BATS_TEST_TMPDIR/env.json"
  assert_status 0
  [ "$output" = '["scrypt",{"N":32768,"r":8,"p":1},"nacl/secretbox",["cipher","ciphertext","kdf"]]' ] ||
    fail "envelope: $output"
  [ "$(jq -r .kdf.salt "$BATS_TEST_TMPDIR/env.json" | base64 -d | wc -c)" = 32 ]
  [ "$(jq -r .cipher.nonce "$BATS_TEST_TMPDIR/env.json" | base64 -d | wc -c)" = 24 ]
  # the PKCS#8 key plus secretbox's 16-byte tag
  [ "$(jq -r .ciphertext "$BATS_TEST_TMPDIR/env.json" | base64 -d | wc -c)" = $((138 + 16)) ]
  run openssl pkey -pubin -in "$IMG_TMP/k.pub" -noout -text
  assert_status 0
  assert_contains "$output" "NIST CURVE: P-256"
  [ "$(stat -c %a "$IMG_TMP/k.key")" = 600 ]
  # not overwritten; a wrong password is one clear line
  HULL_PASSWORD=pw run "$HULL_BIN" key generate --output-key-prefix "$IMG_TMP/k"
  assert_status 1
  assert_one_line "exists already"
  HULL_PASSWORD=nope run hull sign --key "$IMG_TMP/k.key" "$REG/t/app:1"
  assert_status 1
  assert_one_line "wrong password"
  # no password and no terminal: says how to give one
  run env -u HULL_PASSWORD -u COSIGN_PASSWORD setsid "$HULL_BIN" sign --key "$IMG_TMP/k.key" "$REG/t/app:1" </dev/null
  assert_status 1
  assert_contains "$output" "HULL_PASSWORD"
}

# ---- signing and verifying

@test "sign --format legacy: the .sig manifest, appending keeps earlier signatures; verify" {
  fresh t/leg
  local d
  d=$(digest_of t/leg:1)
  HULL_PASSWORD=pw run hull sign --key "$IMG_TMP/k.key" -a team=blue "$REG/t/leg:1"
  assert_status 0
  assert_contains "$output" "sha256-${d#sha256:}.sig"
  COSIGN_PASSWORD=pw run hull sign --key "$IMG_TMP/g.pem" "$REG/t/leg:1"
  assert_status 0
  run curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REG/v2/t/leg/manifests/sha256-${d#sha256:}.sig"
  assert_status 0
  [ "$(jq -r '[.layers[].mediaType] | unique | .[]' <<<"$output")" = application/vnd.dev.cosign.simplesigning.v1+json ]
  [ "$(jq '.layers | length' <<<"$output")" = 2 ] || fail "layers: $output"

  # each signature checks with openssl over the exact payload blob
  local i pd
  for i in 0 1; do
    pd=$(jq -r ".layers[$i].digest" <<<"$output")
    jq -r ".layers[$i].annotations[\"dev.cosignproject.cosign/signature\"]" <<<"$output" |
      base64 -d >"$BATS_TEST_TMPDIR/sig$i"
    curl -fsS "http://$REG/v2/t/leg/blobs/$pd" >"$BATS_TEST_TMPDIR/payload$i"
  done
  openssl dgst -sha256 -verify "$IMG_TMP/k.pub" -signature "$BATS_TEST_TMPDIR/sig0" "$BATS_TEST_TMPDIR/payload0"
  openssl dgst -sha256 -verify "$IMG_TMP/g.pub" -signature "$BATS_TEST_TMPDIR/sig1" "$BATS_TEST_TMPDIR/payload1"
  [ "$(jq -r '.critical.image["docker-manifest-digest"]' "$BATS_TEST_TMPDIR/payload0")" = "$d" ]
  [ "$(jq -r '.critical.identity["docker-reference"]' "$BATS_TEST_TMPDIR/payload0")" = "$REG/t/leg:1" ]
  [ "$(jq -r '.optional.team' "$BATS_TEST_TMPDIR/payload0")" = blue ]

  run hull verify --key "$IMG_TMP/k.pub" "$REG/t/leg:1"
  assert_status 0
  assert_contains "$output" "legacy signature (sha256-${d#sha256:}.sig layer 1)"
  assert_contains "$output" "\"docker-manifest-digest\":\"$d\""
  run hull verify --key "$IMG_TMP/g.pub" -a team=blue "$REG/t/leg:1"
  assert_status 1
  assert_one_line "annotation \`team=blue\` not in the signature"
  run hull verify --key "$IMG_TMP/k.pub" -a team=blue "$REG/t/leg@$d"
  assert_status 0
}

@test "sign --format bundle: an OCI 1.1 artifact with subject in the sha256-<hex> index; verify" {
  fresh t/bun
  local d
  d=$(digest_of t/bun:1)
  HULL_PASSWORD=pw run hull sign --key "$IMG_TMP/k.key" --format bundle "$REG/t/bun:1"
  assert_status 0
  run curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "http://$REG/v2/t/bun/manifests/sha256-${d#sha256:}"
  assert_status 0
  local md
  md=$(jq -r '.manifests[0].digest' <<<"$output")
  [ "$(jq -r '.manifests[0].artifactType' <<<"$output")" = application/vnd.dev.sigstore.bundle.v0.3+json ]
  run curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/t/bun/manifests/$md"
  [ "$(jq -r '.subject.digest' <<<"$output")" = "$d" ]
  [ "$(jq -r '.config.mediaType' <<<"$output")" = application/vnd.oci.empty.v1+json ]
  curl -fsS "http://$REG/v2/t/bun/blobs/$(jq -r '.layers[0].digest' <<<"$output")" >"$BATS_TEST_TMPDIR/b"
  # the DSSE signature checks with openssl over the PAE of the statement
  local type st
  type=$(jq -r .dsseEnvelope.payloadType "$BATS_TEST_TMPDIR/b")
  jq -r .dsseEnvelope.payload "$BATS_TEST_TMPDIR/b" | base64 -d >"$BATS_TEST_TMPDIR/st"
  jq -r '.dsseEnvelope.signatures[0].sig' "$BATS_TEST_TMPDIR/b" | base64 -d >"$BATS_TEST_TMPDIR/sig"
  { printf 'DSSEv1 %s %s %s ' "${#type}" "$type" "$(stat -c %s "$BATS_TEST_TMPDIR/st")"; cat "$BATS_TEST_TMPDIR/st"; } >"$BATS_TEST_TMPDIR/pae"
  openssl dgst -sha256 -verify "$IMG_TMP/k.pub" -signature "$BATS_TEST_TMPDIR/sig" "$BATS_TEST_TMPDIR/pae"
  [ "$(jq -r .predicateType "$BATS_TEST_TMPDIR/st")" = https://sigstore.dev/cosign/sign/v1 ]
  [ "$(jq -r '.subject[0].digest.sha256' "$BATS_TEST_TMPDIR/st")" = "${d#sha256:}" ]

  run hull verify --key "$IMG_TMP/k.pub" "$REG/t/bun:1"
  assert_status 0
  assert_contains "$output" "bundle signature (bundle $md)"
  # a second bundle is added to the index, not replacing the first
  run hull sign --key "$IMG_TMP/g.pem" --format bundle "$REG/t/bun:1"
  assert_status 0
  run curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REG/v2/t/bun/manifests/sha256-${d#sha256:}"
  [ "$(jq '.manifests | length' <<<"$output")" = 2 ]
  run hull verify --key "$IMG_TMP/g.pub" "$REG/t/bun:1"
  assert_status 0
}

@test "sign --recursive: the index and each manifest it lists" {
  local L=$BATS_TEST_TMPDIR idx child n=0
  make_busybox_layer "$L/bb.tar"
  mkimage layer "$L/a.tar" f:arch=amd64
  mkimage layer "$L/b.tar" f:arch=arm64
  mkimage image "$L/oci" amd "$L/bb.tar" "$L/a.tar"
  mkimage image "$L/oci" arm --arch arm64 --variant v8 "$L/bb.tar" "$L/b.tar"
  mkimage index "$L/oci" multi amd arm
  push_layout "$L/oci:multi" t/multi:1 --multi-arch all
  run hull sign --recursive --key "$IMG_TMP/g.pem" "$REG/t/multi:1"
  assert_status 0
  [ "$(grep -c '^Signed ' <<<"$output")" = 3 ] || fail "$output"
  idx=$(curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REG/v2/t/multi/manifests/1")
  run hull verify --key "$IMG_TMP/g.pub" "$REG/t/multi:1"
  assert_status 0
  for child in $(jq -r '.manifests[].digest' <<<"$idx"); do
    run hull verify --key "$IMG_TMP/g.pub" "$REG/t/multi@$child"
    assert_status 0
    assert_contains "$output" "\"docker-manifest-digest\":\"$child\""
    n=$((n + 1))
  done
  [ "$n" = 2 ]
  # a policy pull checks the index the tag names, then takes this platform
  policy "$BATS_TEST_TMPDIR/p.json" "$REG/t/multi" "{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/g.pub\"}"
  run hull pull -q --signature-policy "$BATS_TEST_TMPDIR/p.json" "$REG/t/multi:1"
  assert_status 0
}

@test "bundles are found through the referrers API where the registry has it" {
  local d
  fresh t/ref
  fresh t/ref-none
  d=$(digest_of t/ref:1)
  hull sign --key "$IMG_TMP/g.pem" --format bundle "$REG/t/ref:1" >/dev/null
  # the proxy answers the referrers API (from the tag index) and 404 for the tag
  registry_start_proxy API "$REG" referrers
  run hull verify --key "$IMG_TMP/g.pub" "$API/t/ref:1"
  assert_status 0
  assert_contains "$output" "bundle signature"
  grep -q "^GET /v2/t/ref/referrers/$d?artifactType=application/vnd.dev.sigstore.bundle.v0.3%2Bjson " \
    "$REG_TMP/API.requests" || fail "no referrers request:" "$(cat "$REG_TMP/API.requests")"
  ! grep -q "manifests/sha256-${d#sha256:} " "$REG_TMP/API.requests" || fail "the tag schema was used"
  # an empty referrers list: no signature
  run hull verify --key "$IMG_TMP/g.pub" "$API/t/ref-none:1"
  assert_status 1
  assert_one_line "no signature found"
  registry_stop API
}

@test "verify: an unsigned image and a signature by another key fail with one line" {
  fresh t/uns
  run hull verify --key "$IMG_TMP/k.pub" "$REG/t/uns:1"
  assert_status 1
  assert_one_line "no signature found"
  run hull sign --key "$IMG_TMP/x.pem" "$REG/t/uns:1"
  assert_status 0
  run hull verify --key "$IMG_TMP/g.pub" "$REG/t/uns:1"
  assert_status 1
  assert_one_line "signature does not verify with \`$IMG_TMP/g.pub\`"
}

# ---- bad signatures, each made here; refused by verify and by the policy

@test "bad legacy signatures: tampered, other key, replayed digest, P1363, wrong fields, sizes" {
  local t=$BATS_TEST_TMPDIR d d2 pol=$BATS_TEST_TMPDIR/p.json
  d2=$(digest_of t/app:2)

  # tampered: the payload changed after it was signed
  fresh t/bad-tamper; d=$(digest_of t/bad-tamper:1)
  payload "$REG/t/bad-tamper:1" "$d" >"$t/p"; osign "$IMG_TMP/g.pem" "$t/p" "$t/s"
  sed -i 's/bad-tamper:1/bad-tamper:2/' "$t/p"
  push_sig t/bad-tamper "$d" "$t/p" "$t/s"
  run hull verify --key "$IMG_TMP/g.pub" "$REG/t/bad-tamper:1"
  assert_status 1
  assert_one_line "does not verify"
  policy "$pol" "$REG/t" "{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/g.pub\"}"
  assert_pull_refused "$REG/t/bad-tamper:1" "$pol" "does not verify"

  # another key
  fresh t/bad-key; d=$(digest_of t/bad-key:1)
  payload "$REG/t/bad-key:1" "$d" >"$t/p"; osign "$IMG_TMP/x.pem" "$t/p" "$t/s"
  push_sig t/bad-key "$d" "$t/p" "$t/s"
  assert_pull_refused "$REG/t/bad-key:1" "$pol" "does not verify with"

  # replay: a good signature of app:2's digest, stored for this image
  fresh t/bad-replay; d=$(digest_of t/bad-replay:1)
  payload "$REG/t/bad-replay:1" "$d2" >"$t/p"; osign "$IMG_TMP/g.pem" "$t/p" "$t/s"
  push_sig t/bad-replay "$d" "$t/p" "$t/s"
  run hull verify --key "$IMG_TMP/g.pub" "$REG/t/bad-replay:1"
  assert_status 1
  assert_one_line "signed digest $d2 is not the image's $d"
  assert_pull_refused "$REG/t/bad-replay:1" "$pol" "signed digest $d2 is not the image's $d"

  # the right signature as raw r||s (IEEE P1363) instead of DER
  fresh t/bad-p1363; d=$(digest_of t/bad-p1363:1)
  payload "$REG/t/bad-p1363:1" "$d" >"$t/p"; osign "$IMG_TMP/g.pem" "$t/p" "$t/s"
  python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
i = 2
def integer(i):
    n = d[i + 1]
    v = d[i + 2:i + 2 + n].lstrip(b"\0").rjust(32, b"\0")
    return v, i + 2 + n
r, i = integer(i)
s, i = integer(i)
open(sys.argv[2], "wb").write(r + s)' "$t/s" "$t/raw"
  [ "$(stat -c %s "$t/raw")" = 64 ]
  push_sig t/bad-p1363 "$d" "$t/p" "$t/raw"
  run hull verify --key "$IMG_TMP/g.pub" "$REG/t/bad-p1363:1"
  assert_status 1
  assert_one_line "not DER-encoded ECDSA (64 bytes, raw r||s is not accepted)"
  assert_pull_refused "$REG/t/bad-p1363:1" "$pol" "not DER-encoded"

  # signed payloads with a capitalised field, an extra field, a wrong type
  fresh t/bad-field; d=$(digest_of t/bad-field:1)
  payload "$REG/t/bad-field:1" "$d" | sed 's/"critical"/"Critical"/' >"$t/p"
  osign "$IMG_TMP/g.pem" "$t/p" "$t/s"
  push_sig t/bad-field "$d" "$t/p" "$t/s"
  run hull verify --key "$IMG_TMP/g.pub" "$REG/t/bad-field:1"
  assert_status 1
  assert_one_line "unknown field \`Critical\`"
  assert_pull_refused "$REG/t/bad-field:1" "$pol" "unknown field \`Critical\`"
  payload "$REG/t/bad-field:1" "$d" | sed 's/"type":/"extra":1,"type":/' >"$t/p"
  osign "$IMG_TMP/g.pem" "$t/p" "$t/s"
  push_sig t/bad-field "$d" "$t/p" "$t/s"
  assert_pull_refused "$REG/t/bad-field:1" "$pol" "unknown field \`extra\`"
  payload "$REG/t/bad-field:1" "$d" | sed 's/cosign container image signature/Cosign container image signature/' >"$t/p"
  osign "$IMG_TMP/g.pem" "$t/p" "$t/s"
  push_sig t/bad-field "$d" "$t/p" "$t/s"
  assert_pull_refused "$REG/t/bad-field:1" "$pol" "type \`Cosign container image signature\`"

  # a payload descriptor claiming 10 MB is refused before anything is fetched
  fresh t/bad-huge; d=$(digest_of t/bad-huge:1)
  payload "$REG/t/bad-huge:1" "$d" >"$t/p"; osign "$IMG_TMP/g.pem" "$t/p" "$t/s"
  push_sig t/bad-huge "$d" "$t/p" "$t/s" 10485760
  assert_pull_refused "$REG/t/bad-huge:1" "$pol" "size 10485760 out of range"
  # a signature manifest bigger than 256 KiB
  python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
m["annotations"] = {"pad": "x" * 300000}
open(sys.argv[1], "w").write(json.dumps(m))' "$t/m.json"
  put_manifest t/bad-huge "sha256-${d#sha256:}.sig" "$t/m.json"
  assert_pull_refused "$REG/t/bad-huge:1" "$pol" "larger than 262144"
  # 65 signature layers, more than hull looks at
  python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
del m["annotations"]
m["layers"] = m["layers"] * 65
open(sys.argv[1], "w").write(json.dumps(m))' "$t/m.json"
  put_manifest t/bad-huge "sha256-${d#sha256:}.sig" "$t/m.json"
  assert_pull_refused "$REG/t/bad-huge:1" "$pol" "65 signatures, more than 64"
}

@test "bad signatures through a proxy: a truncated signature manifest and payload" {
  local t=$BATS_TEST_TMPDIR d pol=$BATS_TEST_TMPDIR/p.json
  fresh t/bad-trunc; d=$(digest_of t/bad-trunc:1)
  payload "$REG/t/bad-trunc:1" "$d" >"$t/p"; osign "$IMG_TMP/g.pem" "$t/p" "$t/s"
  push_sig t/bad-trunc "$d" "$t/p" "$t/s"
  run hull verify --key "$IMG_TMP/g.pub" "$REG/t/bad-trunc:1"
  assert_status 0
  registry_start_proxy CUT "$REG" sig-manifest-cut 100
  policy "$pol" "$CUT/t" "{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/g.pub\"}"
  assert_pull_refused "$CUT/t/bad-trunc:1" "$pol" "malformed"
  registry_stop CUT
  # the payload blob cut short (the first blob fetched is the payload)
  registry_start_proxy TRUNC "$REG" truncate 20 100
  policy "$pol" "$TRUNC/t" "{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/g.pub\"}"
  assert_pull_refused "$TRUNC/t/bad-trunc:1" "$pol" "truncated"
  registry_stop TRUNC
}

@test "bad bundles: wrong subject, wrong predicateType, tampered statement" {
  local t=$BATS_TEST_TMPDIR d d2 pol=$BATS_TEST_TMPDIR/p.json
  d2=$(digest_of t/app:2)
  policy "$pol" "$REG/t" "{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/g.pub\"}"

  fresh t/bb-ok; d=$(digest_of t/bb-ok:1)
  statement "$REG/t/bb-ok" "$d" >"$t/st"
  push_bundle t/bb-ok "$d" "$t/st" "$IMG_TMP/g.pem"
  run hull verify --key "$IMG_TMP/g.pub" "$REG/t/bb-ok:1"
  assert_status 0
  assert_contains "$output" "bundle signature"

  # an artifact whose subject is another manifest, listed under this digest
  fresh t/bb-subj; d=$(digest_of t/bb-subj:1)
  statement "$REG/t/bb-subj" "$d" >"$t/st"
  push_bundle t/bb-subj "$d" "$t/st" "$IMG_TMP/g.pem" "$d2"
  run hull verify --key "$IMG_TMP/g.pub" "$REG/t/bb-subj:1"
  assert_status 1
  assert_one_line "subject $d2 is not the image's $d"
  assert_pull_refused "$REG/t/bb-subj:1" "$pol" "subject $d2 is not the image's $d"

  # a properly signed statement of another predicate type
  fresh t/bb-pred; d=$(digest_of t/bb-pred:1)
  statement "$REG/t/bb-pred" "$d" https://slsa.dev/provenance/v1 >"$t/st"
  push_bundle t/bb-pred "$d" "$t/st" "$IMG_TMP/g.pem"
  assert_pull_refused "$REG/t/bb-pred:1" "$pol" "predicateType \`https://slsa.dev/provenance/v1\`"

  # a statement for app:2's digest replayed here
  fresh t/bb-replay; d=$(digest_of t/bb-replay:1)
  statement "$REG/t/bb-replay" "$d2" >"$t/st"
  push_bundle t/bb-replay "$d" "$t/st" "$IMG_TMP/g.pem"
  assert_pull_refused "$REG/t/bb-replay:1" "$pol" "signed digest $d2 is not the image's $d"
}

# ---- policy.json

@test "policy: sigstoreSigned accepts a signed pull (keyPath, keyPaths, keyData), rejects others" {
  local pol=$BATS_TEST_TMPDIR/p.json d
  fresh t/pol
  HULL_PASSWORD=pw hull sign --key "$IMG_TMP/k.key" "$REG/t/pol:1" >/dev/null
  fresh t/pol-unsigned
  policy "$pol" "$REG/t/pol" "{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/k.pub\"}"
  run hull pull --signature-policy "$pol" "$REG/t/pol:1"
  assert_status 0
  assert_contains "$output" "Signature verified: policy \`$pol\` (scope \`$REG/t/pol\`): legacy signature by \`$IMG_TMP/k.pub\`"
  hull rmi "$REG/t/pol:1" >/dev/null
  # the default (reject) applies to the unsigned repository
  assert_pull_refused "$REG/t/pol-unsigned:1" "$pol" "(default): reject"

  policy "$pol" "$REG/t/pol" "{\"type\":\"sigstoreSigned\",\"keyPaths\":[\"$IMG_TMP/g.pub\",\"$IMG_TMP/k.pub\"]}"
  run hull pull -q --signature-policy "$pol" "$REG/t/pol:1"
  assert_status 0
  hull rmi "$REG/t/pol:1" >/dev/null
  policy "$pol" "$REG/t/pol" "{\"type\":\"sigstoreSigned\",\"keyData\":\"$(base64 -w0 "$IMG_TMP/k.pub")\"}"
  run hull pull -q --signature-policy "$pol" "$REG/t/pol:1"
  assert_status 0
  hull rmi "$REG/t/pol:1" >/dev/null
  policy "$pol" "$REG/t/pol" "{\"type\":\"sigstoreSigned\",\"keyData\":\"$(base64 -w0 "$IMG_TMP/g.pub")\"}"
  assert_pull_refused "$REG/t/pol:1" "$pol" "does not verify with \`keyData\`"
  # a bundle-only image is accepted through its referrer
  fresh t/pol-bundle
  hull sign --key "$IMG_TMP/g.pem" --format bundle "$REG/t/pol-bundle:1" >/dev/null
  policy "$pol" "$REG/t/pol-bundle" "{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/g.pub\"}"
  run hull pull --signature-policy "$pol" "$REG/t/pol-bundle:1"
  assert_status 0
  assert_contains "$output" "bundle signature by"
}

@test "policy: signedIdentity kinds (by tag, by digest, matchRepository, exact*, remapIdentity)" {
  local pol=$BATS_TEST_TMPDIR/p.json d t=$BATS_TEST_TMPDIR
  local key="\"keyPath\":\"$IMG_TMP/g.pub\""
  fresh t/id
  d=$(digest_of t/id:1)
  # signed as t/id:1
  hull sign --key "$IMG_TMP/g.pem" "$REG/t/id:1" >/dev/null
  push_layout "$IMG_TMP/oci:app" t/id:other
  # matchRepoDigestOrExact: the tag must match; by digest the repository does
  policy "$pol" "$REG/t/id" "{\"type\":\"sigstoreSigned\",$key}"
  assert_pull_refused "$REG/t/id:other" "$pol" "signed identity \`$REG/t/id:1\` does not match \`$REG/t/id:other\` (matchRepoDigestOrExact)"
  run hull pull -q --signature-policy "$pol" "$REG/t/id@$d"
  assert_status 0
  hull rmi "$REG/t/id@$d" >/dev/null 2>&1 || hull rmi "$d" >/dev/null 2>&1 || true
  # matchRepository: any tag of the repository
  policy "$pol" "$REG/t/id" "{\"type\":\"sigstoreSigned\",$key,\"signedIdentity\":{\"type\":\"matchRepository\"}}"
  run hull pull -q --signature-policy "$pol" "$REG/t/id:other"
  assert_status 0
  hull rmi "$REG/t/id:other" >/dev/null
  # matchExact, exactReference, exactRepository
  policy "$pol" "$REG/t/id" "{\"type\":\"sigstoreSigned\",$key,\"signedIdentity\":{\"type\":\"matchExact\"}}"
  assert_pull_refused "$REG/t/id:other" "$pol" "(matchExact)"
  policy "$pol" "$REG/t/id" "{\"type\":\"sigstoreSigned\",$key,\"signedIdentity\":{\"type\":\"exactReference\",\"dockerReference\":\"$REG/t/id:1\"}}"
  run hull pull -q --signature-policy "$pol" "$REG/t/id:other"
  assert_status 0
  hull rmi "$REG/t/id:other" >/dev/null
  policy "$pol" "$REG/t/id" "{\"type\":\"sigstoreSigned\",$key,\"signedIdentity\":{\"type\":\"exactRepository\",\"dockerRepository\":\"$REG/t/elsewhere\"}}"
  assert_pull_refused "$REG/t/id:1" "$pol" "does not match \`$REG/t/elsewhere\` (exactRepository)"

  # a mirror holding the image and the original's signature (identity t/id:1)
  fresh mirror/id
  payload "$REG/t/id:1" "$d" >"$t/p"; osign "$IMG_TMP/g.pem" "$t/p" "$t/s"
  push_sig mirror/id "$d" "$t/p" "$t/s"
  policy "$pol" "$REG/mirror" "{\"type\":\"sigstoreSigned\",$key}"
  assert_pull_refused "$REG/mirror/id:1" "$pol" "does not match \`$REG/mirror/id:1\`"
  policy "$pol" "$REG/mirror" "{\"type\":\"sigstoreSigned\",$key,\"signedIdentity\":{\"type\":\"remapIdentity\",\"prefix\":\"$REG/mirror\",\"signedPrefix\":\"$REG/t\"}}"
  run hull pull -q --signature-policy "$pol" "$REG/mirror/id:1"
  assert_status 0
}

@test "policy: malformed, unknown keys, keyless and Rekor requirements are refused with one line" {
  local pol=$BATS_TEST_TMPDIR/p.json
  fresh t/pbad
  printf '{"default":[{"type":"insecureAcceptAnything"}' >"$pol"
  assert_policy_error() {
    local before
    before=$(store_listing)
    run hull pull -q --signature-policy "$pol" "$REG/t/pbad:1"
    [ "$status" -ne 0 ] || fail "accepted"
    assert_one_line "$1"
    [ "$(store_listing)" = "$before" ] || fail "the store changed"
  }
  assert_policy_error "malformed JSON"
  printf '{"default":[{"type":"insecureAcceptAnything","keyPath":"/x"}]}' >"$pol"
  assert_policy_error "unknown field \`keyPath\`"
  printf '{"default":[{"type":"InsecureAcceptAnything"}]}' >"$pol"
  assert_policy_error "unknown requirement type \`InsecureAcceptAnything\`"
  printf '{"default":[{"type":"reject"}],"default":[{"type":"insecureAcceptAnything"}]}' >"$pol"
  assert_policy_error "duplicate key \`default\`"
  run hull pull -q --signature-policy "$BATS_TEST_TMPDIR/none.json" "$REG/t/pbad:1"
  assert_status 1
  assert_one_line "none.json"
  policy "$pol" "$REG/t/pbad" '{"type":"sigstoreSigned","fulcio":{"caPath":"/ca","oidcIssuer":"https://x","subjectEmail":"a@b"}}'
  assert_pull_refused "$REG/t/pbad:1" "$pol" "keyless (fulcio) requirements are not supported"
  policy "$pol" "$REG/t/pbad" "{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/g.pub\",\"rekorPublicKeyPath\":\"/r.pub\"}"
  assert_pull_refused "$REG/t/pbad:1" "$pol" "Rekor transparency-log requirements are not supported"
  policy "$pol" "$REG/t/pbad" '{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.gpg"}'
  assert_pull_refused "$REG/t/pbad:1" "$pol" "signedBy (GPG simple signing) requirements are not supported"
}

@test "policy on run and create: a signed image runs, an unsigned one is refused and nothing is left" {
  local pol=$BATS_TEST_TMPDIR/p.json
  fresh t/run
  fresh t/run-unsigned
  hull sign --key "$IMG_TMP/g.pem" "$REG/t/run:1" >/dev/null
  policy "$pol" "$REG/t/run" "{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/g.pub\"}"
  run hull run --rm --network none --signature-policy "$pol" "$REG/t/run:1" /bin/sh -c 'echo signed-and-running'
  assert_status 0
  assert_contains "$output" "signed-and-running"
  assert_contains "$output" "Signature verified"
  local before
  before=$(store_listing)
  run hull run --rm --network none --signature-policy "$pol" "$REG/t/run-unsigned:1" /bin/sh -c 'echo ran'
  assert_status 125
  assert_contains "$output" "rejected by policy"
  [[ $output != *ran$'\n'* ]] || fail "it ran"
  run hull create --network none --signature-policy "$pol" "$REG/t/run-unsigned:1"
  assert_status 125
  assert_contains "$output" "(default): reject"
  [ "$(store_listing)" = "$before" ] || fail "the store changed"
  run hull ps -a -q
  [ -z "$output" ] || fail "containers left: $output"
  # --pull=always checks the policy even when the image is in the store
  policy "$pol" "$REG/t/run" "{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/x.pub\"}"
  run hull run --rm --pull always --network none --signature-policy "$pol" "$REG/t/run:1" /bin/sh -c 'echo ran'
  assert_status 125
  assert_contains "$output" "does not verify with"
}

# ---- load: the policy on archives (docker-archive / oci-archive transports)

# sign_archive IN OUT KEY [DIGEST]: a copy of the OCI archive IN with a
# cosign legacy signature manifest (as `cosign save` stores it: an extra
# image in index.json) signed by KEY for DIGEST (default: the image's own)
sign_archive() {
  local in=$1 out=$2 key=$3 d=$BATS_TEST_TMPDIR/lay dg img name pd cd md
  rm -rf "$d" && mkdir -p "$d" && tar -C "$d" -xf "$in"
  img=$(jq -r '.manifests[0].digest' "$d/index.json")
  name=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$d/index.json")
  dg=${4:-$img}
  payload "$name" "$dg" >"$BATS_TEST_TMPDIR/pl"
  osign "$key" "$BATS_TEST_TMPDIR/pl" "$BATS_TEST_TMPDIR/pl.sig"
  pd=$(sha256sum "$BATS_TEST_TMPDIR/pl" | cut -d' ' -f1)
  cp "$BATS_TEST_TMPDIR/pl" "$d/blobs/sha256/$pd"
  printf '{}' >"$BATS_TEST_TMPDIR/cfg"
  cd=$(sha256sum "$BATS_TEST_TMPDIR/cfg" | cut -d' ' -f1)
  cp "$BATS_TEST_TMPDIR/cfg" "$d/blobs/sha256/$cd"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":2},"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"sha256:%s","size":%s,"annotations":{"dev.cosignproject.cosign/signature":"%s"}}]}' \
    "$cd" "$pd" "$(stat -c %s "$BATS_TEST_TMPDIR/pl")" "$(base64 -w0 "$BATS_TEST_TMPDIR/pl.sig")" >"$BATS_TEST_TMPDIR/sm"
  md=$(sha256sum "$BATS_TEST_TMPDIR/sm" | cut -d' ' -f1)
  cp "$BATS_TEST_TMPDIR/sm" "$d/blobs/sha256/$md"
  jq -c --arg d "sha256:$md" --argjson s "$(stat -c %s "$BATS_TEST_TMPDIR/sm")" --arg t "sha256-${img#sha256:}.sig" \
    '.manifests += [{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":$d,"size":$s,"annotations":{"org.opencontainers.image.ref.name":$t}}]' \
    "$d/index.json" >"$d/index.new" && mv "$d/index.new" "$d/index.json"
  (cd "$d" && tar -cf "$out" oci-layout index.json blobs)
}

# archive_policy FILE TRANSPORT SCOPE REQUIREMENT-JSON: reject by default
archive_policy() {
  printf '{"default":[{"type":"reject"}],"transports":{"%s":{"%s":[%s]}}}' "$2" "$3" "$4" >"$1"
}

# the load is refused with one line naming REASON and the image, nothing stored
assert_load_refused() { # ARCHIVE POLICY REASON
  local before
  before=$(store_listing)
  run hull load -q --signature-policy "$2" -i "$1"
  assert_status 1
  assert_one_line "$3"
  assert_contains "$output" "rejected by policy"
  assert_contains "$output" "$REG/t/load:1"
  [ "$(store_listing)" = "$before" ] || fail "the store changed:" "$(store_listing)"
  run hull image inspect "$REG/t/load:1"
  [ "$status" -ne 0 ] || fail "the image is in the store"
}

@test "load: the policy is checked for each image of an archive before anything is stored" {
  local a=$BATS_TEST_TMPDIR/arch pol=$BATS_TEST_TMPDIR/p.json acc='{"type":"insecureAcceptAnything"}'
  mkdir -p "$a"
  a=$(realpath "$a") # scopes name real paths
  fresh t/load
  hull pull -q "$REG/t/load:1" >/dev/null
  hull save --format oci-archive -o "$a/plain.tar" "$REG/t/load:1"
  hull save -o "$a/docker.tar" "$REG/t/load:1"
  sign_archive "$a/plain.tar" "$a/signed.tar" "$IMG_TMP/g.pem"
  sign_archive "$a/plain.tar" "$a/other-key.tar" "$IMG_TMP/x.pem"
  local other
  other=sha256:$(printf x | sha256sum | cut -d' ' -f1)
  sign_archive "$a/plain.tar" "$a/replay.tar" "$IMG_TMP/g.pem" "$other"
  hull rmi "$REG/t/load:1" >/dev/null
  local signed="{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/g.pub\"}"

  # reject: the archive's own path is the most specific oci-archive scope
  printf '{"default":[%s],"transports":{"oci-archive":{"%s":[{"type":"reject"}]}}}' "$acc" "$a/plain.tar" >"$pol"
  assert_load_refused "$a/plain.tar" "$pol" "(oci-archive scope \`$a/plain.tar\`): reject"
  # no transport entry: the global default
  printf '{"default":[{"type":"reject"}]}' >"$pol"
  assert_load_refused "$a/plain.tar" "$pol" "(default): reject"
  # sigstoreSigned on a directory above the archive
  archive_policy "$pol" oci-archive "$a" "$signed"
  assert_load_refused "$a/plain.tar" "$pol" "no signature found"
  assert_load_refused "$a/other-key.tar" "$pol" "does not verify with"
  assert_load_refused "$a/replay.tar" "$pol" "signed digest $other is not the image's"
  # a docker archive has no place for signatures
  archive_policy "$pol" docker-archive "" "$signed"
  assert_load_refused "$a/docker.tar" "$pol" "docker archive cannot carry signatures"

  # accepted: the image is there, the signature manifest is not an image
  local n0
  n0=$(hull images | wc -l)
  archive_policy "$pol" oci-archive "$a" "$signed"
  run hull load --signature-policy "$pol" -i "$a/signed.tar"
  assert_status 0
  assert_contains "$output" "Signature verified"
  assert_contains "$output" "Loaded image: $REG/t/load:1"
  [ "$(hull images | wc -l)" -eq $((n0 + 1)) ] || fail "expected one image more:" "$(hull images)"
  [[ $(hull images) != *.sig* ]] || fail "the signature was loaded as an image:" "$(hull images)"
  hull image inspect "$REG/t/load:1" >/dev/null
  hull rmi "$REG/t/load:1" >/dev/null
  # insecureAcceptAnything for the transport: the unsigned archive loads
  archive_policy "$pol" oci-archive "" "$acc"
  run hull load -q --signature-policy "$pol" -i "$a/plain.tar"
  assert_status 0
  hull image inspect "$REG/t/load:1" >/dev/null
  hull rmi "$REG/t/load:1" >/dev/null
  archive_policy "$pol" docker-archive "" "$acc"
  run hull load -q --signature-policy "$pol" -i "$a/docker.tar"
  assert_status 0
  hull image inspect "$REG/t/load:1" >/dev/null
}

@test "load: archive scopes are read strictly" {
  local pol=$BATS_TEST_TMPDIR/p.json
  printf '{"default":[{"type":"reject"}],"transports":{"docker-archive":{"/x.tar":[{"type":"reject"}]}}}' >"$pol"
  run hull load --signature-policy "$pol" -i /dev/null
  assert_status 1
  assert_one_line 'docker-archive scope `/x.tar`: only the default scope'
  printf '{"default":[{"type":"reject"}],"transports":{"oci-archive":{"rel/x.tar":[{"type":"reject"}]}}}' >"$pol"
  run hull load --signature-policy "$pol" -i /dev/null
  assert_status 1
  assert_one_line 'oci-archive scope `rel/x.tar`: must be an absolute'
}

# ---- other clients

@test "skopeo (containers/image): its policy verifies hull's legacy signatures, and hull verifies its" {
  local pol=$BATS_TEST_TMPDIR/p.json
  fresh t/sko
  hull sign --key "$IMG_TMP/g.pem" "$REG/t/sko:1" >/dev/null
  mkdir -p "$BATS_TEST_TMPDIR/rd"
  printf 'docker:\n  %s:\n    use-sigstore-attachments: true\n' "$REG" >"$BATS_TEST_TMPDIR/rd/r.yaml"
  policy "$pol" "$REG/t/sko" "{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/g.pub\"}"
  run skopeo --policy "$pol" --registries.d "$BATS_TEST_TMPDIR/rd" copy --src-tls-verify=false \
    "docker://$REG/t/sko:1" "dir:$BATS_TEST_TMPDIR/out"
  if [[ $output == *"sigstore disabled"* ]]; then
    skip "this skopeo is built without sigstore support ($output)"
  fi
  assert_status 0
  policy "$pol" "$REG/t/sko" "{\"type\":\"sigstoreSigned\",\"keyPath\":\"$IMG_TMP/x.pub\"}"
  run skopeo --policy "$pol" --registries.d "$BATS_TEST_TMPDIR/rd" copy --src-tls-verify=false \
    "docker://$REG/t/sko:1" "dir:$BATS_TEST_TMPDIR/out2"
  [ "$status" -ne 0 ]

  # and the other way: skopeo signs with hull's key file (cosign's
  # encrypted format), hull verifies
  echo pw >"$BATS_TEST_TMPDIR/pass"
  run skopeo copy --src-tls-verify=false --dest-tls-verify=false \
    --sign-by-sigstore-private-key "$IMG_TMP/k.key" --sign-passphrase-file "$BATS_TEST_TMPDIR/pass" \
    "docker://$REG/t/sko:1" "docker://$REG/t/sko-signed:1"
  assert_status 0
  run hull verify --key "$IMG_TMP/k.pub" "$REG/t/sko-signed:1"
  assert_status 0
}

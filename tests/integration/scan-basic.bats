#!/usr/bin/env bats
# hull sbom / hull scan / hull scan db: images the tests make (a Debian-style
# image with packages at versions chosen here, a distroless-style image, an
# Alpine-style one, a layered image whose later layer upgrades and purges),
# advisories written here in each format (OSV, the Debian tracker's JSON,
# Alpine secdb), exact findings and non-findings; a running container whose
# package database changes under it (drift).

bats_require_minimum_version 1.5.0
load ../lib/engine
source "$BATS_TEST_DIRNAME/../lib/registry.bash"

setup_file() { engine_setup_file; }
setup() {
  engine_setup
  ADV=$TEST_DIR/adv
  mkdir -p "$ADV"
}
teardown() {
  [ -n "${REG_TMP:-}" ] && registry_teardown
  engine_teardown
}

# ------------------------------------------------------------ fixtures

stanza() { # NAME VERSION [SOURCE] [STATUS]
  printf 'Package: %s\nStatus: %s\nPriority: optional\nArchitecture: amd64\n' "$1" "${4:-install ok installed}"
  [ -n "${3:-}" ] && printf 'Source: %s\n' "$3"
  printf 'Version: %s\nDescription: test package %s\n a continuation line\n\n' "$2" "$1"
}

# A busybox root with Debian 12's os-release and a dpkg database.
make_debian_tar() { # OUT.tar
  local d=$TEST_DIR/debroot
  rm -rf "$d" && mkdir -p "$d" && tar -C "$d" -xf "$BB_TAR"
  mkdir -p "$d/etc" "$d/var/lib/dpkg" "$d/usr/lib/python3/dist-packages/requests-2.25.0.dist-info" \
    "$d/srv/app/node_modules/lodash"
  printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' >"$d/etc/os-release"
  echo 12.5 >"$d/etc/debian_version"
  {
    stanza libssl3 3.0.11-1~deb12u1 openssl
    stanza openssl 3.0.11-1~deb12u2
    stanza libc6 2.36-9+b1 'glibc (2.36-9)'
    stanza zlib1g 1:1.2.13.dfsg-1 zlib
    stanza oldpkg 1.0-1 '' 'deinstall ok config-files'
    stanza curl 7.88.1-10+deb12u5 '' 'hold ok installed'
  } >"$d/var/lib/dpkg/status"
  printf 'Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\n\nRequests\n' \
    >"$d/usr/lib/python3/dist-packages/requests-2.25.0.dist-info/METADATA"
  echo '{"name":"lodash","version":"4.17.20","license":"MIT"}' >"$d/srv/app/node_modules/lodash/package.json"
  tar -C "$d" -cf "$1" .
}

make_distroless_tar() { # OUT.tar
  local d=$TEST_DIR/dlroot
  rm -rf "$d" && mkdir -p "$d/etc" "$d/var/lib/dpkg/status.d"
  printf 'ID=debian\nVERSION_ID="12"\n' >"$d/etc/os-release"
  printf 'Package: libssl3\nVersion: 3.0.11-1~deb12u1\nSource: openssl\nArchitecture: amd64\n' \
    >"$d/var/lib/dpkg/status.d/libssl3"
  printf 'Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n' >"$d/var/lib/dpkg/status.d/tzdata"
  printf 'ignored md5sums\n' >"$d/var/lib/dpkg/status.d/tzdata.md5sums"
  tar -C "$d" -cf "$1" .
}

make_alpine_tar() { # OUT.tar
  local d=$TEST_DIR/alroot
  rm -rf "$d" && mkdir -p "$d/etc" "$d/lib/apk/db"
  printf 'ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n' >"$d/etc/os-release"
  echo 3.19.1 >"$d/etc/alpine-release"
  printf 'C:Q1x=\nP:libcrypto3\nV:3.1.4-r2\nA:x86_64\no:openssl\nL:Apache-2.0\n\nP:libssl3\nV:3.1.4-r3\nA:x86_64\no:openssl\n\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\no:musl\n\n' \
    >"$d/lib/apk/db/installed"
  tar -C "$d" -cf "$1" .
}

write_advisories() {
  mkdir -p "$ADV/osv"
  # OSV, Debian:12: openssl fixed in ~deb12u2 (so libssl3 ~deb12u1 is hit,
  # openssl ~deb12u2 is not); Debian:11 only: must not apply to 12
  cat >"$ADV/osv/DSA-5532-1.json" <<'EOF'
{"id":"DSA-5532-1","aliases":["CVE-2023-5363"],"modified":"2023-10-24T00:00:00Z",
 "summary":"openssl: incorrect cipher key and IV length processing",
 "affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},
   "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.11-1~deb12u2"}]}],
   "ecosystem_specific":{"urgency":"high"}},
  {"package":{"ecosystem":"Debian:11","name":"curl"},
   "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"9.0"}]}]}]}
EOF
  # OSV list: PyPI, npm (two ranges, a last_affected), one withdrawn
  cat >"$ADV/osv/lang.json" <<'EOF'
[{"id":"GHSA-j8r2-6x86-q33q","aliases":["CVE-2023-32681"],"modified":"x",
  "database_specific":{"severity":"MODERATE"},"summary":"Requests leaks Proxy-Authorization",
  "affected":[{"package":{"ecosystem":"PyPI","name":"Requests"},
   "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.3.0"},{"fixed":"2.31.0"}]}]}]},
 {"id":"GHSA-35jh-r3h4-6jhm","aliases":["CVE-2021-23337"],"modified":"x",
  "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
  "affected":[{"package":{"ecosystem":"npm","name":"lodash"},
   "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.21"}]},
             {"type":"SEMVER","events":[{"introduced":"5.0.0"},{"last_affected":"5.0.1"}]}]}]},
 {"id":"GHSA-gone","withdrawn":"2024-01-01T00:00:00Z","modified":"x",
  "affected":[{"package":{"ecosystem":"npm","name":"lodash"},"versions":["4.17.20"]}]}]
EOF
  # the Debian tracker: glibc fixed (binNMU'd libc6 matched on 2.36-9),
  # unimportant, open; zlib never affected; curl open
  cat >"$ADV/tracker.json" <<'EOF'
{"glibc":{
  "CVE-2023-4911":{"description":"Looney Tunables","releases":{
    "bookworm":{"status":"resolved","fixed_version":"2.36-9+deb12u3","urgency":"high"},
    "bullseye":{"status":"resolved","fixed_version":"2.31-13+deb11u7","urgency":"high"}}},
  "CVE-2010-4756":{"description":"glob DoS","releases":{"bookworm":{"status":"open","urgency":"unimportant"}}}},
 "zlib":{"CVE-2018-25032":{"releases":{"bookworm":{"status":"resolved","fixed_version":"0","urgency":"high"}}}},
 "curl":{"CVE-2024-2398":{"description":"HTTP/2 push leak","releases":{
    "bookworm":{"status":"open","urgency":"medium"}}}}}
EOF
  cat >"$ADV/alpine-v3.19-main.json" <<'EOF'
{"distroversion":"v3.19","reponame":"main","urlprefix":"x","apkurl":"x",
 "packages":[{"pkg":{"name":"openssl","secfixes":{
   "3.1.4-r3":["CVE-2023-6129"],"3.1.4-r1":["CVE-2023-5678"],"0":["CVE-2022-0001"]}}},
  {"pkg":{"name":"musl","secfixes":{"1.2.2_pre2-r0":["CVE-2020-28928"]}}}]}
EOF
}

vulns() { # ARGS...: "PkgName VulnerabilityID Status FixedVersion" lines, sorted
  h scan --format json "$@" | jq -r '[.] | flatten | .[].Results[].Vulnerabilities[] |
    "\(.PkgName) \(.VulnerabilityID) \(.Status) \(.FixedVersion)"' | sort
}

# ------------------------------------------------------------ sbom

@test "sbom: dpkg (installed and held only, Source, epochs), Python and npm packages" {
  make_debian_tar "$TEST_DIR/deb.tar"
  h import "$TEST_DIR/deb.tar" deb >/dev/null
  run h sbom deb
  assert_status 0
  assert_contains "$output" "OS: debian 12 12.5"
  assert_match "$output" "deb +libc6 +2.36-9\+b1 +glibc 2.36-9 "
  assert_match "$output" "deb +libssl3 +3.0.11-1~deb12u1 +openssl 3.0.11-1~deb12u1 "
  assert_match "$output" "deb +zlib1g +1:1.2.13.dfsg-1 +zlib 1:1.2.13.dfsg-1 "
  assert_match "$output" "python +requests +2.25.0 "
  assert_match "$output" "npm +lodash +4.17.20 +- +srv/app/node_modules/lodash/package.json"
  assert_not_contains "$output" oldpkg
  run h sbom --format cyclonedx deb
  assert_status 0
  assert_eq "$(jq -r .bomFormat <<<"$output")" CycloneDX
  assert_eq "$(jq -r '.components[] | select(.name=="zlib1g") | .purl' <<<"$output")" \
    "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12"
  assert_eq "$(jq '.components | length' <<<"$output")" 8 "components (OS + 7 packages)"
  run h sbom --format spdx deb
  assert_status 0
  assert_eq "$(jq -r .spdxVersion <<<"$output")" SPDX-2.3
  assert_eq "$(jq '[.packages[] | select(.name=="requests")] | length' <<<"$output")" 1
  run h sbom --format xml deb
  assert_status 125
  assert_contains "$output" "unknown format \`xml\`"
  run h sbom nosuchthing
  assert_status 1
  assert_contains "$output" "no such image or container: \`nosuchthing\`"
}

@test "sbom: distroless status.d, Alpine installed (origin), a corrupt database reported" {
  make_distroless_tar "$TEST_DIR/dl.tar"
  make_alpine_tar "$TEST_DIR/al.tar"
  h import "$TEST_DIR/dl.tar" dl >/dev/null
  h import "$TEST_DIR/al.tar" al >/dev/null
  run h sbom dl
  assert_status 0
  assert_match "$output" "deb +libssl3 +3.0.11-1~deb12u1 +openssl 3.0.11-1~deb12u1 +var/lib/dpkg/status.d/libssl3"
  assert_match "$output" "deb +tzdata +2024a-0\+deb12u1 "
  assert_not_contains "$output" md5sums
  run h sbom al
  assert_status 0
  assert_contains "$output" "OS: alpine 3.19.1"
  assert_match "$output" "apk +libcrypto3 +3.1.4-r2 +openssl 3.1.4-r2 +lib/apk/db/installed"
  assert_match "$output" "apk +musl +1.2.4_git20230717-r4 "
  # a truncated stanza and a bad version: one line each, the rest still read
  local d=$TEST_DIR/bad
  mkdir -p "$d/etc" "$d/var/lib/dpkg"
  printf 'ID=debian\nVERSION_ID=12\n' >"$d/etc/os-release"
  printf 'Package: good\nStatus: install ok installed\nVersion: 1.0\n\nPackage: bad\nStatus: install ok installed\nVersion: not-a-version\n\nPackage: trunc\nStatus: install ok inst' >"$d/var/lib/dpkg/status"
  tar -C "$d" -cf "$TEST_DIR/bad.tar" .
  h import "$TEST_DIR/bad.tar" bad >/dev/null
  run --separate-stderr h sbom bad
  assert_status 0
  assert_match "$output" "deb +good +1.0 "
  assert_contains "$stderr" "var/lib/dpkg/status:5: package \`bad\`: invalid version \`not-a-version\`"
  assert_not_contains "$output" trunc
}

# ------------------------------------------------------------ the database

@test "scan db: import of every format, status, and a failed import changes nothing" {
  run h scan deb
  assert_status 1
  assert_contains "$output" "no advisory database"
  write_advisories
  run h scan db import "$ADV/osv" "$ADV/tracker.json" "$ADV/alpine-v3.19-main.json"
  assert_status 0
  assert_contains "$output" "Imported 4 files"
  run h scan db status
  assert_status 0
  assert_contains "$output" "Schema:      1"
  assert_contains "$output" "(1 withdrawn)"
  assert_contains "$output" "debian-tracker  Debian:11  1  1"
  assert_contains "$output" "debian-tracker  Debian:12  3  3"
  assert_contains "$output" "osv  Debian:11  1  1"
  assert_contains "$output" "alpine-secdb  Alpine:v3.19  3  3"
  assert_contains "$output" "osv  npm  1  2"
  local before=$output
  cp "$ROOT/scan/advisories.db" "$TEST_DIR/db.before"
  # a good file and a broken one: all or nothing
  echo '{"id":"OSV-X","modified":"x","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"fixd":"1"}]}]}]}' >"$TEST_DIR/broken.json"
  echo '{"id":"OSV-Y","modified":"x","affected":[{"package":{"ecosystem":"npm","name":"b"},"versions":["1.0.0"]}]}' >"$TEST_DIR/fine.json"
  run h scan db import "$TEST_DIR/fine.json" "$TEST_DIR/broken.json"
  assert_status 1
  assert_contains "$output" "broken.json"
  assert_contains "$output" "\`affected[0].ranges[0].events[0]\`: unknown event \`fixd\`"
  cmp "$ROOT/scan/advisories.db" "$TEST_DIR/db.before" || fail "the database changed"
  [ ! -e "$ROOT/scan/advisories.db.new" ] || fail "temporary database left behind"
  run h scan db import "$TEST_DIR/nonexistent.json"
  assert_status 1
  echo '{"hello":"world"}' >"$TEST_DIR/other.json"
  run h scan db import "$TEST_DIR/other.json"
  assert_status 1
  assert_contains "$output" "not an OSV, Debian tracker or Alpine secdb document"
  run h scan db status
  assert_eq "$(grep -v Updated <<<"$output")" "$(grep -v Updated <<<"$before")" "status"
  # age: a limit shorter than the database's age is a warning
  touch -d '3 days ago' "$ROOT/scan/advisories.db"
  sleep 1
  run h scan db status --max-age 0s
  assert_status 1
  assert_contains "$output" "warning: the advisory database is"
  run h scan db status --max-age 1d
  assert_status 0
}

# ------------------------------------------------------------ matching

@test "scan: exact findings and non-findings of a Debian-style image, with languages" {
  make_debian_tar "$TEST_DIR/deb.tar"
  h import "$TEST_DIR/deb.tar" deb >/dev/null
  write_advisories
  h scan db import "$ADV/osv" "$ADV/tracker.json" "$ADV/alpine-v3.19-main.json" >/dev/null
  run vulns deb
  assert_status 0
  # not: openssl (fixed version installed), zlib (never affected), curl's
  # Debian:11 advisory, the withdrawn lodash one, glibc's unimportant one
  assert_eq "$output" "curl CVE-2024-2398 affected 
libc6 CVE-2023-4911 fixed 2.36-9+deb12u3
libssl3 CVE-2023-5363 fixed 3.0.11-1~deb12u2
lodash CVE-2021-23337 fixed 4.17.21
requests CVE-2023-32681 fixed 2.31.0"
  run h scan --format json deb
  local v
  v=$(jq -c '.Results[] | select(.Class=="os-pkgs") | .Vulnerabilities[] | select(.PkgName=="libssl3") |
     [.VulnerabilityID, .AdvisoryID, .Aliases, .InstalledVersion, .Severity, .SrcName, .Drift]' <<<"$output")
  assert_eq "$v" '["CVE-2023-5363","DSA-5532-1",["DSA-5532-1"],"3.0.11-1~deb12u1","HIGH","openssl",false]'
  assert_eq "$(jq -r '.Results[0].Target + " " + .Results[0].Type' <<<"$output")" \
    "docker.io/library/deb:latest (debian 12) debian"
  assert_eq "$(jq -r '[.Results[].Class] | join(",")' <<<"$output")" "os-pkgs,lang-pkgs,lang-pkgs"
  assert_eq "$(jq -r '.Results[] | select(.Type=="node-pkg") | .Vulnerabilities[0].Severity' <<<"$output")" HIGH
  # unimportant: shown on request, as will_not_fix
  run vulns --show-unimportant deb
  assert_contains "$output" "libc6 CVE-2010-4756 will_not_fix "
  # severity, --ignore-unfixed, --exit-code
  run vulns deb --severity HIGH,CRITICAL
  assert_eq "$output" "libc6 CVE-2023-4911 fixed 2.36-9+deb12u3
libssl3 CVE-2023-5363 fixed 3.0.11-1~deb12u2
lodash CVE-2021-23337 fixed 4.17.21"
  run vulns --ignore-unfixed deb
  assert_not_contains "$output" curl
  run h scan --exit-code 3 deb
  assert_status 3
  assert_contains "$output" "Total: 5 (CRITICAL: 0, HIGH: 3, MEDIUM: 2, LOW: 0, UNKNOWN: 0)"
  run h scan --exit-code 3 --severity CRITICAL deb
  assert_status 0
  run h scan --severity BAD deb
  assert_status 125
  # sarif and cyclonedx
  run h scan --format sarif deb
  assert_eq "$(jq -r '.version + " " + (.runs[0].results | length | tostring)' <<<"$output")" "2.1.0 5"
  assert_eq "$(jq -r '[.runs[0].results[].ruleId] | sort | join(",")' <<<"$output")" \
    "CVE-2021-23337,CVE-2023-32681,CVE-2023-4911,CVE-2023-5363,CVE-2024-2398"
  run h scan --format cyclonedx deb
  assert_eq "$(jq -r '.vulnerabilities[] | select(.id=="CVE-2023-5363") | .affects[0].ref' <<<"$output")" \
    "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12"
}

@test "scan: an ignore file and OpenVEX suppress findings with their reason" {
  make_debian_tar "$TEST_DIR/deb.tar"
  h import "$TEST_DIR/deb.tar" deb >/dev/null
  write_advisories
  h scan db import "$ADV/osv" "$ADV/tracker.json" >/dev/null
  printf '# no HTTP/2 in this image\nCVE-2024-2398\n' >"$TEST_DIR/ignore"
  cat >"$TEST_DIR/vex.json" <<'EOF'
{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","author":"test","timestamp":"2024-01-01T00:00:00Z","version":1,
 "statements":[{"vulnerability":{"name":"DSA-5532-1"},"products":[{"@id":"pkg:deb/debian/libssl3"}],
   "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},
  {"vulnerability":{"name":"CVE-2023-4911"},"products":[{"@id":"pkg:deb/debian/libc6@9.9"}],"status":"not_affected",
   "justification":"component_not_present"}]}
EOF
  run vulns --ignorefile "$TEST_DIR/ignore" --vex "$TEST_DIR/vex.json" deb
  # libc6's statement names another version: the finding stays
  assert_eq "$output" "libc6 CVE-2023-4911 fixed 2.36-9+deb12u3
lodash CVE-2021-23337 fixed 4.17.21
requests CVE-2023-32681 fixed 2.31.0"
  run h scan --format json --ignorefile "$TEST_DIR/ignore" --vex "$TEST_DIR/vex.json" deb
  assert_eq "$(jq -c '[.Results[0].ModifiedFindings[] | [.Finding.VulnerabilityID, .Status, .Statement]] | sort' <<<"$output")" \
    '[["CVE-2023-5363","not_affected","vulnerable_code_not_in_execute_path"],["CVE-2024-2398","ignored","no HTTP/2 in this image"]]'
  run h scan --ignorefile "$TEST_DIR/ignore" deb
  assert_contains "$output" "Suppressed: 1"
  echo '{"statements":[{"vulnerability":"CVE-1"}]}' >"$TEST_DIR/badvex.json"
  run h scan --vex "$TEST_DIR/badvex.json" deb
  assert_status 1
  assert_contains "$output" "statements[0].status"
}

@test "scan: distroless and Alpine images, each release its own advisories" {
  make_distroless_tar "$TEST_DIR/dl.tar"
  make_alpine_tar "$TEST_DIR/al.tar"
  h import "$TEST_DIR/dl.tar" dl >/dev/null
  h import "$TEST_DIR/al.tar" al >/dev/null
  write_advisories
  h scan db import "$ADV" >/dev/null
  run vulns dl
  assert_eq "$output" "libssl3 CVE-2023-5363 fixed 3.0.11-1~deb12u2"
  # libcrypto3 r2: r1's fix is in, r3's is not; libssl3 r3 has both; musl's
  # fix predates its version
  run vulns al
  assert_eq "$output" "libcrypto3 CVE-2023-6129 fixed 3.1.4-r3"
  # the same database seen from Alpine 3.18: nothing applies
  local d=$TEST_DIR/al318
  mkdir -p "$d" && tar -C "$d" -xf "$TEST_DIR/al.tar"
  printf 'ID=alpine\nVERSION_ID=3.18.6\n' >"$d/etc/os-release"
  echo 3.18.6 >"$d/etc/alpine-release"
  tar -C "$d" -cf "$TEST_DIR/al318.tar" .
  h import "$TEST_DIR/al318.tar" al318 >/dev/null
  run vulns al318
  assert_eq "$output" ""
  # an unknown OS: said, not guessed
  d=$TEST_DIR/unknown
  mkdir -p "$d" && tar -C "$d" -xf "$TEST_DIR/dl.tar"
  printf 'ID=plan9\nVERSION_ID=4\n' >"$d/etc/os-release"
  tar -C "$d" -cf "$TEST_DIR/unknown.tar" .
  h import "$TEST_DIR/unknown.tar" unknown >/dev/null
  run --separate-stderr h scan unknown
  assert_status 0
  assert_contains "$output" "Total: 0"
  assert_contains "$stderr" "unknown OS release (plan9 4): its packages were not matched"
}

# ------------------------------------------------------------ layers and containers

@test "scan: a later layer that upgrades, purges and whites out wins (hull commit)" {
  make_debian_tar "$TEST_DIR/deb.tar"
  h import "$TEST_DIR/deb.tar" deb >/dev/null
  write_advisories
  h scan db import "$ADV/osv" "$ADV/tracker.json" >/dev/null
  # upgrade libssl3, purge curl, remove the npm package: a new layer
  run h run --name upgrader deb sh -c '
    sed -i "s/^Version: 3.0.11-1~deb12u1$/Version: 3.0.11-1~deb12u2/" /var/lib/dpkg/status &&
    sed -i "/^Package: curl$/,/^$/s/^Status: .*/Status: purge ok not-installed/" /var/lib/dpkg/status &&
    rm -rf /srv/app/node_modules/lodash'
  assert_status 0
  h commit upgrader deb:2 >/dev/null
  run h history deb:2
  assert_status 0
  run vulns deb:2
  assert_eq "$output" "libc6 CVE-2023-4911 fixed 2.36-9+deb12u3
requests CVE-2023-32681 fixed 2.31.0"
  run h sbom deb:2
  assert_not_contains "$output" curl
  assert_not_contains "$output" lodash
  assert_match "$output" "libssl3 +3.0.11-1~deb12u2 "
  # the first image is unchanged
  run vulns deb
  assert_contains "$output" "libssl3 CVE-2023-5363"
}

@test "scan: a running container's drift, found and then fixed by an upgrade" {
  make_debian_tar "$TEST_DIR/deb.tar"
  h import "$TEST_DIR/deb.tar" deb >/dev/null
  write_advisories
  h scan db import "$ADV/osv" "$ADV/tracker.json" >/dev/null
  run hd run -d --name live deb sleep 300
  assert_status 0
  run h scan --format json live
  assert_eq "$(jq '[.Results[].Vulnerabilities[] | select(.Drift)] | length' <<<"$output")" 0
  assert_eq "$(jq -r .ArtifactType <<<"$output")" container
  assert_eq "$(jq -r .Metadata.ImageID <<<"$output")" "$(h image inspect deb | jq -r '.[0].Id')"
  # "install" a vulnerable package in the running container
  h exec live sh -c 'printf "Package: libssl-dev\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1~deb12u1\nArchitecture: amd64\n\n" >> /var/lib/dpkg/status'
  run h scan --format json live
  assert_eq "$(jq -c '[.Results[].Vulnerabilities[] | select(.Drift) | [.PkgName, .VulnerabilityID, .FixedVersion]]' <<<"$output")" \
    '[["libssl-dev","CVE-2023-5363","3.0.11-1~deb12u2"]]'
  run h sbom live
  assert_match "$output" "deb +libssl-dev +3.0.11-1~deb12u1 .* yes"
  assert_match "$output" "deb +libssl3 +3.0.11-1~deb12u1 .* -"
  # upgrade it: the finding is gone, the image's own ones stay
  h exec live sh -c 'sed -i "/^Package: libssl-dev$/,/^$/s/^Version: .*/Version: 3.0.11-1~deb12u2/" /var/lib/dpkg/status'
  run vulns live
  assert_not_contains "$output" libssl-dev
  assert_contains "$output" "libssl3 CVE-2023-5363 fixed"
  # a stopped container is scanned the same way
  h stop -t 1 live >/dev/null
  run vulns live
  assert_not_contains "$output" libssl-dev
  assert_contains "$output" "libssl3 CVE-2023-5363"
}

@test "scan --all: every image and container in one pass" {
  make_debian_tar "$TEST_DIR/deb.tar"
  make_alpine_tar "$TEST_DIR/al.tar"
  h import "$TEST_DIR/deb.tar" deb >/dev/null
  h import "$TEST_DIR/al.tar" al >/dev/null
  write_advisories
  h scan db import "$ADV" >/dev/null
  h create --name c1 deb true >/dev/null
  h create --name c2 deb true >/dev/null
  run h scan --all --format json
  assert_status 0
  assert_eq "$(jq -r '[.[] | .ArtifactName + "=" + (([.Results[].Vulnerabilities[]] | length) | tostring)] | sort | join(" ")' <<<"$output")" \
    "c1=5 c2=5 docker.io/library/al:latest=1 docker.io/library/bb:latest=0 docker.io/library/deb:latest=5"
  run h scan --all deb
  assert_status 125
  # what the last scans found, per image and container, without scanning
  run h scan summary
  assert_status 0
  assert_match "$output" "c1 +container +[0-9]+ seconds ago +C:0 H:3 M:2 L:0 U:0"
  assert_match "$output" "docker.io/library/al:latest +image +[0-9]+ seconds ago +C:0 H:0 M:0 L:0 U:1"
  h create --name c3 al true >/dev/null
  run h scan summary
  assert_match "$output" "c3 +container +never +-"
  # a container that cannot be read: one error line, the others reported
  local id
  id=$(h inspect --format '{{.Id}}' c3)
  rm -rf "$ROOT/snapshots/$id/upper"
  run --separate-stderr h scan --all --format json
  assert_status 1
  assert_contains "$stderr" "hull: error: container \`c3\`: open layer"
  assert_eq "$(jq -r '[.[].ArtifactName] | sort | join(" ")' <<<"$output")" \
    "c1 c2 docker.io/library/al:latest docker.io/library/bb:latest docker.io/library/deb:latest"
}

@test "ps and images --vulns: the last scan's counts, without scanning again" {
  make_debian_tar "$TEST_DIR/deb.tar"
  h import "$TEST_DIR/deb.tar" deb >/dev/null
  write_advisories
  h scan db import "$ADV/osv" "$ADV/tracker.json" >/dev/null
  h create --name vc deb true >/dev/null
  # opt-in: the default listings are unchanged
  run h images deb
  assert_not_contains "$output" VULNERABILITIES
  run h ps -a --filter name=vc
  assert_not_contains "$output" VULNERABILITIES
  run h ps -a --filter name=vc --format json
  assert_eq "$(jq -r 'has("Vulnerabilities")' <<<"$output")" false
  # never scanned: -
  run h images --vulns deb
  assert_status 0
  assert_match "${lines[0]}" "^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE +VULNERABILITIES$"
  assert_match "${lines[1]}" "^deb +latest +[0-9a-f]{12} .* -$"
  run h ps -a --vulns --filter name=vc
  assert_status 0
  assert_match "${lines[0]}" "^CONTAINER ID +IMAGE +COMMAND .* NAMES +VULNERABILITIES$"
  assert_match "${lines[1]}" " vc +-$"
  # scan the image and the container: the listings show what the scan reported
  run h scan --format json deb vc
  assert_status 0
  local want_img want_ctr
  counts='.Results | [.[].Vulnerabilities // [] | .[].Severity] as $s |
    "C:\([$s[] | select(.=="CRITICAL")] | length) H:\([$s[] | select(.=="HIGH")] | length) M:\([$s[] | select(.=="MEDIUM")] | length) L:\([$s[] | select(.=="LOW")] | length) U:\([$s[] | select(.=="UNKNOWN")] | length)"'
  want_img=$(jq -r ".[] | select(.ArtifactName == \"docker.io/library/deb:latest\") | $counts" <<<"$output")
  want_ctr=$(jq -r ".[] | select(.ArtifactName == \"vc\") | $counts" <<<"$output")
  assert_eq "$want_img" "C:0 H:3 M:2 L:0 U:0"
  assert_eq "$want_ctr" "C:0 H:3 M:2 L:0 U:0"
  # without the advisory database: nothing is scanned again
  rm -f "$ROOT/scan/advisories.db"
  run h images --vulns deb
  assert_status 0
  assert_match "${lines[1]}" "^deb +latest +[0-9a-f]{12} .* $want_img$"
  run h images --vulns bb
  assert_match "${lines[1]}" "^bb +latest .* -$"
  run h ps -a --vulns --filter name=vc
  assert_status 0
  assert_match "${lines[1]}" " vc +$want_ctr$"
  # the field in templates and JSON
  run h images --format '{{.Repository}}:{{.Tag}} {{.Vulnerabilities}}' deb
  assert_eq "$output" "deb:latest $want_img"
  run h images --vulns --format json deb
  assert_eq "$(jq -r .Vulnerabilities <<<"$output")" "$want_img"
  run h images --vulns --format table deb
  assert_match "${lines[0]}" "^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE +VULNERABILITIES$"
  assert_match "${lines[1]}" " $want_img$"
  run h ps -a --filter name=vc --format '{{.Names}} {{.Vulnerabilities}}'
  assert_eq "$output" "vc $want_ctr"
  run h ps -a --filter name=vc --format 'table {{.Names}}\t{{.Vulnerabilities}}'
  assert_match "${lines[0]}" "^NAMES +VULNERABILITIES$"
  # the default table's empty PORTS cell keeps NAMES and VULNERABILITIES in place
  run h ps -a --vulns --filter name=vc --format table
  assert_match "${lines[1]}" " vc +$want_ctr$"
  assert_eq "$(awk 'NR == 1 { print index($0, "NAMES") } NR == 2 { print index($0, " vc ") + 1 }' <<<"$output" | uniq | wc -l)" 1
  run h ps -a --vulns --filter name=vc --format json
  assert_eq "$(jq -r .Vulnerabilities <<<"$output")" "$want_ctr"
  # a container of the image that was never scanned itself
  h create --name vc2 deb true >/dev/null
  run h ps -a --vulns --filter name=vc2
  assert_match "${lines[1]}" " vc2 +-$"
}

@test "scan db push/pull: the database as an OCI artifact through a registry" {
  registry_setup
  # the registry listens in this test's network namespace, where hull runs
  REG=$(nsenter --net="$NS" bash -c "source '$BATS_TEST_DIRNAME/../lib/registry.bash'; REG_TMP='$REG_TMP'; registry_start_plain REG >&2; echo \$REG")
  [ -n "$REG" ] || fail "registry did not start"
  write_advisories
  h scan db import "$ADV" >/dev/null
  run h scan db push "$REG/hull/advisories:today"
  assert_status 0
  assert_match "$output" "^Pushed $REG/hull/advisories:today: sha256:[0-9a-f]{64}$"
  local pushed=${output##* }
  # the manifest says what it is
  run nsenter --net="$NS" python3 -c 'import sys, urllib.request as u
r = u.Request(sys.argv[1], headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
print(u.urlopen(r).read().decode())' "http://$REG/v2/hull/advisories/manifests/today"
  assert_status 0
  assert_eq "$(jq -r '.artifactType + " " + .layers[0].mediaType + " " + .annotations["io.hull.scan.db.schema"]' <<<"$output")" \
    "application/vnd.hull.scan.advisories.v1 application/vnd.hull.scan.advisories.db.v1.sqlite3 1"
  # another store pulls it: the same file, the same findings
  h2() { nsenter --net="$NS" timeout 60 "$HULL" --root "$TEST_DIR/root2" --runroot "$TEST_DIR/run2" "$@"; }
  run h2 scan db pull "$REG/hull/advisories:today"
  assert_status 0
  assert_eq "$output" "Pulled $REG/hull/advisories:today: $pushed"
  cmp "$ROOT/scan/advisories.db" "$TEST_DIR/root2/scan/advisories.db" || fail "pulled database differs"
  # not an advisory database, or no such tag: an error, the database kept
  h push bb "$REG/hull/bb:1" >/dev/null 2>&1
  run h2 scan db pull "$REG/hull/bb:1"
  assert_status 1
  assert_contains "$output" "is not a hull advisory database"
  run h2 scan db pull "$REG/hull/advisories:nope"
  assert_status 1
  assert_contains "$output" "manifest unknown"
  cmp "$ROOT/scan/advisories.db" "$TEST_DIR/root2/scan/advisories.db" || fail "database changed"
  [ ! -e "$TEST_DIR/root2/scan/advisories.db.new" ] || fail "temporary file left behind"
}

@test "sbom of a debootstrap'd Debian minbase lists what dpkg-query lists" {
  local tarball
  tarball=$(source "$BATS_TEST_DIRNAME/../lib/images.bash" && debian_rootfs_tar) ||
    skip "no Debian rootfs (debootstrap failed)"
  h import "$tarball" debmin >/dev/null
  mkdir -p "$TEST_DIR/adm"
  tar -C "$TEST_DIR/adm" -xf "$tarball" ./var/lib/dpkg/status
  # installed (or held) packages: binary, source, source version
  dpkg-query --admindir="$TEST_DIR/adm/var/lib/dpkg" -W \
    -f='${db:Status-Abbrev} ${Package} ${source:Package} ${source:Version} ${Version}\n' |
    awk '$1 ~ /^[ih]i/ {print $2, $3, $4, $5}' | sort >"$TEST_DIR/dpkg.txt"
  h sbom --format cyclonedx debmin | jq -r '.components[] | select(.type == "library") |
    (.properties | map({(.name): .value}) | add) as $p |
    "\(.name) \($p["hull:SrcName"] // .name) \($p["hull:SrcVersion"] // .version) \(.version)"' |
    sort >"$TEST_DIR/ours.txt"
  [ "$(wc -l <"$TEST_DIR/dpkg.txt")" -gt 50 ] || fail "dpkg-query listed too few packages"
  diff "$TEST_DIR/dpkg.txt" "$TEST_DIR/ours.txt" || fail "hull sbom and dpkg-query differ"
}

#!/bin/bash
# deps.sh - install, as root on Debian 12, every package needed to build and
# test hull. Idempotent and quiet: it asks apt only for what is missing.
#
#   sudo scripts/deps.sh            # install what is missing
#   scripts/deps.sh --list          # print the package list
#   scripts/deps.sh --check         # exit 1 (listing them) if some are missing
#
# Other engineers: append packages to the list that fits (one line each is
# fine); keep them Debian 12 package names.
set -euo pipefail

PKGS=(
  # build
  meson ninja-build pkg-config gcc clang libclang-rt-14-dev
  libseccomp-dev libjson-c-dev libcurl4-openssl-dev libssl-dev
  libarchive-dev libzstd-dev zlib1g-dev libisal-dev libsqlite3-dev
  libnftables-dev libmnl-dev
  libsodium-dev
  # test harness and in-container tools
  busybox-static bats jq iproute2 procps util-linux bsdutils python3 openssl
  time hyperfine iperf3
  # runtimes and real clients to compare with and to drive hullrt
  crun runc conmon podman containerd skopeo umoci buildah
  catatonit fuse-overlayfs slirp4netns netavark aardvark-dns passt iptables
  uidmap
  criu
  # images and registries
  docker-registry apache2-utils debootstrap isal
  # Kubernetes CRI tests: CNI plugins and the project's gRPC test client
  containernetworking-plugins python3-grpcio python3-grpc-tools
)

case "${1:-}" in
  --list) printf '%s\n' "${PKGS[@]}"; exit 0 ;;
  --check|"") ;;
  -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
  *) echo "deps.sh: unknown argument \`$1\`" >&2; exit 2 ;;
esac

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "${1:-}" = --check ]; then
  echo "deps.sh: missing packages: ${missing[*]}" >&2
  exit 1
fi
[ "$(id -u)" = 0 ] || { echo "deps.sh: must run as root to install: ${missing[*]}" >&2; exit 1; }

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}" >/dev/null

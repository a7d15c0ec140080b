#!/usr/bin/env bash
# Installs the Debian 12 packages omnia needs to build, test and run, when any is missing.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  librocksdb-dev prometheus-cpp-dev libroaring-dev libssl-dev libsodium-dev nettle-dev libxlsxwriter-dev
  libgtest-dev libgmock-dev libcli11-dev libxml2-utils curl unzip libreoffice-calc-nogui prometheus
  python3-yaml
  # Europe/Rome for every date users see (absl reads /usr/share/zoneinfo).
  tzdata
  # RDF: serd/sord, not raptor2, whose -dev package needs libcurl4-gnutls-dev and so removes
  # prometheus-cpp-dev (it needs libcurl4-openssl-dev).
  libcpp-httplib-dev zlib1g-dev nlohmann-json3-dev libxml2-dev libserd-dev libsord-dev python3-rdflib nginx
  # The portal's browser tests: headless Chromium loads every page.
  chromium
)
# Intel's multi-buffer crypto (pseudonyms' HMAC, several at once) exists for x86-64 only; the
# build uses it when present.
[ "$(dpkg --print-architecture)" = amd64 ] && packages+=(libipsec-mb-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"

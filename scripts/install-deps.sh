#!/usr/bin/env bash
# Installs the Debian 12 packages amapiano needs to build, test and benchmark. Idempotent: installs
# only what is missing, and does nothing (not even apt-get update) when everything is present.
#
#   scripts/install-deps.sh            # build + test dependencies
#   scripts/install-deps.sh --runtime  # only what the release binary needs at run time
set -euo pipefail

runtime_packages=(libsndfile1 libebur128-1 libavformat59 libavcodec59 libswresample4 libfftw3-single3 libsqlite3-0 libsodium23 libssl3 libpq5 libcurl4 libpugixml1v5)
build_packages=(
  build-essential cmake ninja-build pkg-config git
  nlohmann-json3-dev libcli11-dev libsndfile1-dev libebur128-dev
  libavformat-dev libavcodec-dev libavutil-dev libswresample-dev libfftw3-dev libsqlite3-dev libsodium-dev libssl-dev libpq-dev libcurl4-openssl-dev libpugixml-dev libboost1.74-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  clang-format
)
# Independent checkers used by the tests and benchmarks (never linked into the product).
test_packages=(python3 python3-mido sox aubio-tools ffmpeg clang wrk postgresql python3-botocore python3-psycopg2)

if [[ "${1:-}" == "--runtime" ]]; then
  wanted=("${runtime_packages[@]}")
else
  wanted=("${runtime_packages[@]}" "${build_packages[@]}" "${test_packages[@]}")
  # Node.js runs the Essentia reference (essentia.js from npm); Debian's nodejs is fine if none is installed.
  command -v node >/dev/null 2>&1 || wanted+=(nodejs)
  command -v npm >/dev/null 2>&1 || wanted+=(npm)
fi

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#wanted[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

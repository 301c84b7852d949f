#!/usr/bin/env bash
# Installs the Debian 12 packages amapiano needs to build, test and benchmark. Idempotent: installs
# only what is missing, and does nothing (not even apt-get update) when everything is present.
#
#   scripts/install-deps.sh            # build + test dependencies (what `make` and CI use)
#   scripts/install-deps.sh --build    # runtime + build only: the container image's build stage
#   scripts/install-deps.sh --runtime  # only what the release binary needs at run time: the image's
#                                      # runtime stage (deploy/Dockerfile)
#   scripts/install-deps.sh --runtime --list   # print the packages of a set, install nothing
set -euo pipefail

# The shared libraries the binary links (tests/deploy/container_test.py checks this list against the
# release binary's NEEDED entries), CA certificates for TLS to S3 and PostgreSQL, and curl for the
# container's HEALTHCHECK.
runtime_packages=(libsndfile1 libebur128-1 libavformat59 libavcodec59 libavutil57 libswresample4 libfftw3-single3 libsqlite3-0 libsodium23 libssl3 libpq5 libcurl4 libpugixml1v5 ca-certificates curl)
build_packages=(
  build-essential cmake ninja-build pkg-config git
  nlohmann-json3-dev libcli11-dev libsndfile1-dev libebur128-dev
  libavformat-dev libavcodec-dev libavutil-dev libswresample-dev libfftw3-dev libsqlite3-dev libsodium-dev libssl-dev libpq-dev libcurl4-openssl-dev libpugixml-dev libboost1.74-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  clang-format
)
# Independent checkers used by the tests and benchmarks (never linked into the product).
test_packages=(python3 python3-mido python3-yaml sox aubio-tools ffmpeg clang wrk postgresql python3-botocore python3-psycopg2 binutils)

mode=all
list_only=false
for arg in "$@"; do
  case "$arg" in
    --runtime) mode=runtime ;;
    --build) mode=build ;;
    --list) list_only=true ;;
    *) echo "install-deps: unknown option $arg (use --runtime, --build, --list)" >&2; exit 2 ;;
  esac
done

case "$mode" in
  runtime) wanted=("${runtime_packages[@]}") ;;
  build) wanted=("${runtime_packages[@]}" "${build_packages[@]}") ;;
  *)
    wanted=("${runtime_packages[@]}" "${build_packages[@]}" "${test_packages[@]}")
    # Node.js runs the Essentia reference (essentia.js from npm); Debian's nodejs is fine if none is installed.
    command -v node >/dev/null 2>&1 || wanted+=(nodejs)
    command -v npm >/dev/null 2>&1 || wanted+=(npm)
    ;;
esac

if [[ "$list_only" == true ]]; then
  printf '%s\n' "${wanted[@]}"
  exit 0
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

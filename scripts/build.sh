#!/usr/bin/env bash
# Configures and builds amapiano with CMake + Ninja: the one build recipe behind `make build`,
# `make build-asan` and the container image (deploy/Dockerfile), so a build CI passes is the build the
# image runs.
#
#   scripts/build.sh release BUILD_DIR   # optimised, with tests and benchmarks (make build)
#   scripts/build.sh asan BUILD_DIR      # ASan + UBSan, with tests (make build-asan)
#   scripts/build.sh image BUILD_DIR     # optimised binary only, no tests or benchmarks (the image)
#
# JOBS (default: the number of cores) sets the build's parallelism.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -ne 2 ]]; then
  echo "usage: scripts/build.sh release|asan|image BUILD_DIR" >&2
  exit 2
fi
profile="$1"
dir="$2"
case "$profile" in
  release) flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DAMAPIANO_SANITIZE=ON -DAMAPIANO_BUILD_BENCH=OFF) ;;
  image) flags=(-DCMAKE_BUILD_TYPE=Release -DAMAPIANO_BUILD_TESTS=OFF -DAMAPIANO_BUILD_BENCH=OFF) ;;
  *) echo "scripts/build.sh: unknown profile '$profile' (release, asan or image)" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G Ninja "${flags[@]}"
cmake --build "$dir" -j "${JOBS:-$(nproc)}"

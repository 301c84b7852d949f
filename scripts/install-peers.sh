#!/usr/bin/env bash
# Installs the test and measurement peers from npm (never committed, never linked into the product).
# Idempotent: each part installs only when its node_modules is missing.
#   bench/peers                essentia.js, the reference analyser for tempo and key
#   tests/support/s3rver       s3rver (@20minutes/s3rver, pinned in its package-lock.json), the
#                              S3-compatible server the S3 object store tests run against
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

cd "$root/bench/peers"
if [[ -f node_modules/essentia.js/package.json ]]; then
  echo "install-peers: essentia.js present"
else
  npm install --no-audit --no-fund --loglevel=error
fi

cd "$root/tests/support/s3rver"
if [[ -f node_modules/@20minutes/s3rver/package.json ]]; then
  echo "install-peers: s3rver present"
else
  npm ci --no-audit --no-fund --loglevel=error
fi

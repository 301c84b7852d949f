#!/usr/bin/env bash
# Installs the measurement peers from npm into bench/peers/node_modules (never committed, never
# linked into the product): essentia.js, the reference analyser for tempo and key. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../bench/peers"
if [[ -f node_modules/essentia.js/package.json ]]; then
  echo "install-peers: essentia.js present"
  exit 0
fi
npm install --no-audit --no-fund --loglevel=error

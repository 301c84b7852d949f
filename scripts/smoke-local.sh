#!/usr/bin/env bash
# Starts `amapiano serve` on a free loopback port with a throwaway data dir, runs `amapiano smoke` against
# it (the post-deploy check of deploy/RUNBOOK.md), then drains the service with SIGTERM. Exit: smoke's.
#
#   scripts/smoke-local.sh build/amapiano          # what `make smoke` and CI run
set -euo pipefail
bin="${1:?usage: scripts/smoke-local.sh AMAPIANO_BIN}"
work="$(mktemp -d)"
log="$work/serve.log"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" || echo "smoke-local: the service exited $? after SIGTERM" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT
"$bin" serve --host 127.0.0.1 --port 0 --data-dir "$work/data" --workers 2 2>"$log" &
pid=$!
port=""
for _ in $(seq 300); do
  port="$(grep -o '"event":"listening".*"port":[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  [[ -n "$port" ]] && break
  kill -0 "$pid" 2>/dev/null || { echo "smoke-local: the service did not start:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$port" ]] || { echo "smoke-local: no listening line in 30 s" >&2; cat "$log" >&2; exit 1; }
"$bin" smoke "http://127.0.0.1:$port"

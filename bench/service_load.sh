#!/usr/bin/env bash
# Load figures for `amapiano serve`: wrk against two authenticated read routes, then the generation burst.
#
#   bench/service_load.sh [AMAPIANO_BIN]        (default <repo>/build/amapiano)
#
# Starts the server on a free loopback port (--port 0, learnt from the "listening" log line) with a temp
# data dir and --rate-limit-per-minute 0, signs up a user, makes one short track (a 20 s generation) and
# keeps its job id, then runs wrk (Debian's /usr/bin/wrk; 2 threads, 64 connections, 15 s, --latency,
# bench/wrk_auth.lua for the bearer token) against GET /api/v1/tracks and GET /api/v1/jobs/{id}, then
# bench/generation_burst.py (100 x 30 s generations, 10 clients), stops the server and prints a table.
# WRK_SECONDS, WRK_CONNECTIONS, WRK_THREADS, BURST_JOBS, BURST_CLIENTS override the defaults.
# SERVICE_BACKEND=postgres-s3 runs the same on the production stores: a throwaway PostgreSQL cluster and
# s3rver (tests/integration/backends.py) instead of the embedded SQLite + directory.
# A benchmark: it prints figures and fails only on errors (server not starting, failed jobs), not on timing.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$root/build/amapiano}
if [[ ! -x $bin ]]; then
  echo "usage: $0 [AMAPIANO_BIN]   ($bin is not an executable)" >&2
  exit 2
fi
bin=$(realpath "$bin")
py=/usr/bin/python3
wrk=$(command -v wrk || echo /usr/bin/wrk)
if [[ ! -x $wrk ]]; then
  echo "wrk not found: apt-get install wrk" >&2
  exit 2
fi
seconds=${WRK_SECONDS:-15}
connections=${WRK_CONNECTIONS:-64}
threads=${WRK_THREADS:-2}
burst_jobs=${BURST_JOBS:-100}
burst_clients=${BURST_CLIENTS:-10}

work=$(mktemp -d)
server_pid=
stores_pid=
backend=${SERVICE_BACKEND:-sqlite}
cleanup() {
  if [[ -n $stores_pid ]]; then
    kill -TERM "$stores_pid" 2>/dev/null
    wait "$stores_pid" 2>/dev/null
  fi
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the stores -----------------------------------------------------------------------------------------
case $backend in
  sqlite) ;;
  postgres-s3)
    "$py" "$root/tests/integration/backends.py" "$work/stores" "$work/stores.env" bench &
    stores_pid=$!
    for _ in $(seq 600); do [[ -f $work/stores.env ]] && break; kill -0 "$stores_pid" 2>/dev/null || break; sleep 0.1; done
    if [[ ! -f $work/stores.env ]]; then
      echo "the production stores did not start" >&2
      exit 1
    fi
    set -a
    # shellcheck disable=SC1091
    source "$work/stores.env"
    set +a
    ;;
  *) echo "SERVICE_BACKEND must be sqlite or postgres-s3" >&2; exit 2 ;;
esac

# --- start the server -----------------------------------------------------------------------------------
"$bin" serve --host 127.0.0.1 --port 0 --data-dir "$work/data" --workers 2 --rate-limit-per-minute 0 \
  --log-level info 2>"$work/server.log" >/dev/null &
server_pid=$!
port=
for _ in $(seq 300); do
  port=$("$py" - "$work/server.log" <<'PY'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if isinstance(e, dict) and e.get("event") == "listening":
        print(e["port"])
        break
PY
)
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $port ]]; then
  echo "the server did not log 'listening' within 30 s; its stderr:" >&2
  tail -n 20 "$work/server.log" >&2
  exit 1
fi
base=http://127.0.0.1:$port
echo "server: $bin serve on $base (pid $server_pid, data $work/data, stores: $backend)"

# --- a user, a track and its job ------------------------------------------------------------------------
read -r token job_id < <("$py" - "$base" <<'PY'
import http.client, json, sys, time, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
def call(method, path, body=None, token=None):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    h = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        h["Authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, json.loads(data) if data else None
s, b = call("POST", "/api/v1/auth/signup", {"email": "bench@example.com", "password": "bench password 1",
                                            "display_name": "Bench"})
if s != 201:
    sys.exit(f"signup answered {s}: {b}")
token = b["token"]
s, b = call("POST", "/api/v1/generations", {"seconds": 20, "seed": 1}, token)
if s != 202:
    sys.exit(f"generation answered {s}: {b}")
job = b["job"]["id"]
deadline = time.time() + 120
while time.time() < deadline:
    s, b = call("GET", f"/api/v1/jobs/{job}", token=token)
    if s == 200 and b["status"] in ("succeeded", "failed"):
        break
    time.sleep(0.1)
if s != 200 or b["status"] != "succeeded":
    sys.exit(f"the setup generation did not succeed: {s} {b}")
print(token, job)
PY
)
if [[ -z ${job_id:-} ]]; then
  echo "setup failed (signup or the first generation); server log tail:" >&2
  tail -n 20 "$work/server.log" >&2
  exit 1
fi
echo "user bench@example.com, track from job $job_id"

# --- wrk --------------------------------------------------------------------------------------------------
declare -A result
status=0
run_wrk() {  # name path
  local name=$1 path=$2 out=$work/wrk-$1.txt
  echo
  echo "== wrk -t$threads -c$connections -d${seconds}s --latency GET $path"
  AMAPIANO_TOKEN=$token "$wrk" -t"$threads" -c"$connections" -d"${seconds}s" --latency \
    -s "$root/bench/wrk_auth.lua" "$base$path" >"$out" 2>&1
  local rc=$?
  grep -v '^WRK_JSON' "$out"
  local json
  json=$(sed -n 's/^WRK_JSON //p' "$out")
  if [[ $rc -ne 0 || -z $json ]]; then
    echo "wrk failed ($rc)" >&2
    status=1
    result[$name]="-"
    return
  fi
  result[$name]=$json
}
run_wrk tracks /api/v1/tracks
run_wrk job "/api/v1/jobs/$job_id"

# --- the generation burst ---------------------------------------------------------------------------------
echo
echo "== bench/generation_burst.py: $burst_jobs x 30 s generations, $burst_clients clients"
"$py" "$root/bench/generation_burst.py" "$base" "$token" --jobs "$burst_jobs" --clients "$burst_clients" \
  >"$work/burst.txt" 2>&1
burst_rc=$?
grep -v '^BURST_JSON' "$work/burst.txt"
burst_json=$(sed -n 's/^BURST_JSON //p' "$work/burst.txt")
[[ $burst_rc -ne 0 ]] && status=1

# --- stop the server --------------------------------------------------------------------------------------
kill -TERM "$server_pid"
stop_rc=0
wait "$server_pid" || stop_rc=$?
server_pid=
echo
echo "server stopped (exit $stop_rc); request log lines: $(grep -c '"event":"request"' "$work/server.log" || true)"
[[ $stop_rc -ne 0 ]] && status=1

# --- the table --------------------------------------------------------------------------------------------
"$py" - "${result[tracks]}" "${result[job]}" "${burst_json:--}" "$connections" "$threads" "$seconds" <<'PY'
import json, sys
def load(s):
    try:
        return json.loads(s)
    except ValueError:
        return None
tracks, job, burst = (load(s) for s in sys.argv[1:4])
conns, threads, secs = sys.argv[4:7]
rows = [("test", "throughput", "p50", "p90 / p95", "p99", "errors")]
for name, r in ((f"GET /api/v1/tracks (wrk {threads}t {conns}c {secs}s)", tracks),
                (f"GET /api/v1/jobs/{{id}} (wrk {threads}t {conns}c {secs}s)", job)):
    if r is None:
        rows.append((name, "-", "-", "-", "-", "wrk failed"))
        continue
    sock = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
    rows.append((name, f"{r['rps']:.0f} req/s", f"{r['p50_ms']:.2f} ms", f"{r['p90_ms']:.2f} ms (p90)",
                 f"{r['p99_ms']:.2f} ms", f"non-2xx {r['non2xx']}, socket {sock}"))
if burst is None:
    rows.append(("generation burst", "-", "-", "-", "-", "burst failed"))
else:
    rows.append((f"generation burst ({burst['jobs']} x 30 s, {burst['mode']})", f"{burst['jobs_per_s']:.2f} jobs/s",
                 f"{burst['p50_s']:.2f} s", f"{burst['p95_s']:.2f} s (p95)", f"{burst['p99_s']:.2f} s",
                 f"failed {burst['failures']}; goal p95 < 3 s: {burst['goal_p95_lt_3s']}"))
w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
print()
for i, r in enumerate(rows):
    print("  ".join(c.ljust(w[j]) for j, c in enumerate(r)).rstrip())
    if i == 0:
        print("  ".join("-" * x for x in w))
PY
exit $status

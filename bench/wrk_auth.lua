-- wrk script for bench/service_load.sh: every request carries Authorization: Bearer $AMAPIANO_TOKEN,
-- and the run ends with one machine-readable line:
--   WRK_JSON {"requests":N,"seconds":S,"rps":R,"p50_ms":..,"p90_ms":..,"p99_ms":..,"max_ms":..,
--             "non2xx":N,"connect_errors":N,"read_errors":N,"write_errors":N,"timeouts":N}
-- (non2xx is wrk's status error count: responses with a status of 400 or more.)
--
--   AMAPIANO_TOKEN=... wrk -t2 -c64 -d15s --latency -s bench/wrk_auth.lua http://127.0.0.1:PORT/api/v1/tracks

local token = os.getenv("AMAPIANO_TOKEN")
if token == nil or token == "" then
  io.stderr:write("wrk_auth.lua: set AMAPIANO_TOKEN\n")
  os.exit(2)
end
wrk.headers["Authorization"] = "Bearer " .. token

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,' ..
    '"max_ms":%.3f,"non2xx":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout))
end

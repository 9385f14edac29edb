-- wrk script for bench/run.sh: optional method/body/auth from the environment,
-- and one machine-readable line at the end:
--   WRK_JSON {"requests":..,"rps":..,"p50_us":..,"p99_us":..,"non2xx":..,...}
-- No request()/response() callbacks, so wrk stays on its fast C path.
-- "non2xx" is wrk's status error count (responses with status >= 400); no
-- endpoint measured here answers 1xx or 3xx.

local method = os.getenv("WRK_METHOD")
if method and method ~= "" then wrk.method = method end
local body = os.getenv("WRK_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local auth = os.getenv("WRK_AUTH")
if auth and auth ~= "" then wrk.headers["Authorization"] = auth end

done = function(summary, latency, requests)
  local e = summary.errors
  -- latency quantiles, so run.sh can merge several slices of one case into one distribution
  local q = {}
  for i = 1, 190 do q[#q + 1] = latency:percentile(i * 0.5) end          -- 0.5 .. 95
  for i = 951, 999 do q[#q + 1] = latency:percentile(i * 0.1) end        -- 95.1 .. 99.9
  local secs = summary.duration / 1e6
  local rps = 0
  if secs > 0 then rps = summary.requests / secs end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_s":%.3f,"bytes":%d,"rps":%.2f,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"non2xx":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,' ..
    '"q":[%s]}\n',
    summary.requests, secs, summary.bytes, rps,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, e.status, e.connect, e.read, e.write, e.timeout, table.concat(q, ",")))
end

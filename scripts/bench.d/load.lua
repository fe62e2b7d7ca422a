-- load.lua - the wrk script of scripts/bench.d/load: a viewer's mixed read
-- load rotating GET /api/v1/images, /api/v1/images/{id}, /api/v1/scans and
-- /healthz. Arguments (after --): the viewer token and a comma-separated
-- list of image ids. done() prints one machine-readable line:
--   LOAD requests errors p50_us p99_us max_us non2xx
local token, ids, n = "", {}, 0

function init(args)
  token = args[1] or ""
  for id in string.gmatch(args[2] or "1", "[^,]+") do
    ids[#ids + 1] = id
  end
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  n = n + 1
  local k = n % 4
  if k == 0 then
    return wrk.format("GET", "/api/v1/images?limit=50")
  elseif k == 1 then
    return wrk.format("GET", "/api/v1/images/" .. ids[(n % #ids) + 1])
  elseif k == 2 then
    return wrk.format("GET", "/api/v1/scans?limit=50")
  end
  return wrk.format("GET", "/healthz")
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LOAD %d %d %d %d %d %d\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, e.status))
end

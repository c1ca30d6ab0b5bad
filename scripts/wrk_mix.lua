-- Cycles through a mix of pages and prints one machine-readable line at the end, like
-- wrk_report.lua. The paths come from WRK_PATHS_FILE (one a line: hundreds of listing
-- addresses are too long for an environment variable) or else WRK_PATHS (separated by
-- spaces). WRK_BODY (a form body) makes every request a POST of it.
local paths = {}
local file_name = os.getenv("WRK_PATHS_FILE")
if file_name and file_name ~= "" then
  for line in io.lines(file_name) do
    if line ~= "" then table.insert(paths, line) end
  end
else
  for path in string.gmatch(os.getenv("WRK_PATHS") or "/", "%S+") do
    table.insert(paths, path)
  end
end

-- Each thread starts at its own place in the list, so that the threads do not ask for the
-- same page at the same moment.
local threads = {}
function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

local counter = 0
statuses = {}  -- responses other than 200, by status (global: done() reads it per thread)

function init(args)
  counter = math.floor((thread_number or 0) * #paths * 0.618) % #paths
end

local method, body, headers = "GET", nil, {}
if (os.getenv("WRK_BODY") or "") ~= "" then
  method, body = "POST", os.getenv("WRK_BODY")
  headers["Content-Type"] = "application/x-www-form-urlencoded"
end

request = function()
  counter = counter + 1
  return wrk.format(method, paths[(counter % #paths) + 1], headers, body)
end

function response(status, headers, body)
  if status ~= 200 then statuses[status] = (statuses[status] or 0) + 1 end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      counted[status] = (counted[status] or 0) + n
    end
  end
  local named = {}
  for status, n in pairs(counted) do table.insert(named, status .. "=" .. n) end
  table.sort(named)
  io.write(string.format(
    "RESULT rps=%.1f p50=%.2f p95=%.2f p99=%.2f requests=%d errors=%d non2xx=%d "
      .. "connect=%d read=%d write=%d timeout=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, errors, summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  -- On a line of its own, so that readers of the RESULT line (loadtest.py) still find only
  -- numbers there.
  io.write("STATUSES " .. table.concat(named, " ") .. "\n")
end

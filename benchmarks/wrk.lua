-- wrk script shared by every scenario (benchmarks/run.py sets the environment):
--   BENCH_AUTH         the Authorization header's value
--   BENCH_METHOD       GET (default) or POST
--   BENCH_BODIES       for POST: a file with one JSON body per line; each request takes one
--                      at random (one line: the same body every time)
-- Each thread counts the status codes it sees; done() prints one line
--   BENCH_RESULT {"requests": …, "seconds": …, "p50_ms": …, "p99_ms": …, "statuses": {…}, …}
-- for run.py to read.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
  table.insert(threads, thread)
end

local method = os.getenv("BENCH_METHOD") or "GET"
local headers = { ["Authorization"] = os.getenv("BENCH_AUTH"), ["Content-Type"] = "application/json" }
local bodies = {}
statuses = {}

function init(args)
  math.randomseed(os.time() * 1000 + (thread_number or 0))
  local path = os.getenv("BENCH_BODIES")
  if path and path ~= "" then
    for line in io.lines(path) do
      if line ~= "" then table.insert(bodies, line) end
    end
  end
end

function request()
  if #bodies == 0 then
    return wrk.format(method, nil, headers, nil)
  end
  return wrk.format(method, nil, headers, bodies[math.random(#bodies)])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do
      merged[status] = (merged[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(merged) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "seconds": %.6f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, ' ..
    '"mean_ms": %.3f, "max_ms": %.3f, "socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end

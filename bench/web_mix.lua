-- wrk script for bench_web.py: each request a random path from the file named after `--`, in the order the
-- number after it seeds (a new one each run), and the figures printed as one JSON line at the end (latency in
-- microseconds from wrk, converted to milliseconds).
local paths = {}

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  math.randomseed(tonumber(args[2] or "7"))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.3f, "errors": %d, "p50_ms": %.1f, "p95_ms": %.1f, "max_ms": %.1f}\n',
    summary.requests, summary.duration / 1e6, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000))
end

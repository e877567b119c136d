-- wrk script: each request asks for a path picked at random from a file of paths (one a
-- line), optionally with a session cookie; prints one JSON line like stats.lua.
-- Usage: wrk ... -s bench/mixed.lua http://host:port -- paths.txt [cookie]
local counter = 0
local threads = {}

setup = function(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

init = function(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if args[2] and #args[2] > 0 then wrk.headers["Cookie"] = args[2] end
  math.randomseed(os.time() * 1000 + id)
end

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"rps": %.1f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "errors": %d, "requests": %d}\n',
    summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout,
    summary.requests))
end

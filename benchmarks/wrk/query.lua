-- wrk script: the read API's routes in turn, over the simulator's data (season 2025, day 1; resorts 1..10).
local n = 0
request = function()
  n = n + 1
  local resort = (n % 10) + 1
  local skier = math.random(1, 100000)
  local kind = n % 5
  local path
  if kind == 0 then
    path = "/resorts/" .. resort .. "/seasons/2025/day/1/skiers"
  elseif kind == 1 then
    path = "/skiers/" .. resort .. "/seasons/2025/days/1/skiers/" .. skier
  elseif kind == 2 then
    path = "/skiers/" .. skier .. "/vertical?resort=" .. resort
  elseif kind == 3 then
    path = "/resorts/" .. resort .. "/seasons/2025/day/1/lifts"
  else
    path = "/resorts/" .. resort .. "/seasons/2025/day/1/top-skiers?limit=10"
  end
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
      summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end

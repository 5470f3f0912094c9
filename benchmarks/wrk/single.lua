-- wrk script: the Upic single POST; the producer assigns each ride a UUIDv7.
wrk.method = "POST"
wrk.path = "/skiers/3/seasons/2025/days/17/skiers/4242"
wrk.body = '{"time": 217, "liftID": 21}'
wrk.headers["Content-Type"] = "application/json"
-- With API keys on (scripts/bench-producer's "secured" producer): the key from the environment.
local key = os.getenv("LIFTLINE_API_KEY")
if key then
  wrk.headers["Authorization"] = "Bearer " .. key
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
      summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end

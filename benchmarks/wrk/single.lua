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

-- The RESULT line: result.lua, beside this script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "result.lua")

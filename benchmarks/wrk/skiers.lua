-- wrk script: the Upic single POST of single.lua, each for a random one of 100,000 skiers at resort 3 on day 17,
-- so that what a worker stores of it is a resort's day, not one skier-day's ledger growing by every POST.
wrk.method = "POST"
wrk.body = '{"time": 217, "liftID": 21}'
wrk.headers["Content-Type"] = "application/json"

request = function()
  return wrk.format(nil, "/skiers/3/seasons/2025/days/17/skiers/" .. math.random(1, 100000))
end

-- The RESULT line: result.lua, beside this script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "result.lua")

-- wrk script: one read route over the simulator's data (season 2025, day 1; resorts 1..10, skiers 1..100000).
--   wrk ... -s route.lua URL -- ROUTE    ROUTE: skiers, skier-day, vertical, lifts, top-season, top-day, health
local route = "skiers"
init = function(args)
  if args[1] then
    route = args[1]
  end
end

local n = 0
request = function()
  n = n + 1
  local resort = (n % 10) + 1
  local skier = math.random(1, 100000)
  local path
  if route == "skiers" then
    path = "/resorts/" .. resort .. "/seasons/2025/day/1/skiers"
  elseif route == "skier-day" then
    path = "/skiers/" .. resort .. "/seasons/2025/days/1/skiers/" .. skier
  elseif route == "vertical" then
    path = "/skiers/" .. skier .. "/vertical?resort=" .. resort
  elseif route == "lifts" then
    path = "/resorts/" .. resort .. "/seasons/2025/day/1/lifts"
  elseif route == "top-season" then
    path = "/resorts/" .. resort .. "/seasons/2025/top-skiers?limit=10"
  elseif route == "top-day" then
    path = "/resorts/" .. resort .. "/seasons/2025/day/1/top-skiers?limit=10"
  else
    path = "/health/live"
  end
  return wrk.format("GET", path)
end

-- The RESULT line: result.lua, beside this script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "result.lua")

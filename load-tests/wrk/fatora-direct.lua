-- wrk script: the Fatora simulator's charge call, POST /fatora/v1/payments/collect-payment, as the
-- router's Fatora connector sends it (api_key header, card_token, order_id, decimal amount). Used
-- by bench.sh against the simulator directly and through nginx: the same request the router makes
-- for each charge, without the router.
--
--   wrk -t2 -c64 -d15s --latency -s wrk/fatora-direct.lua http://127.0.0.1:8099 [-- run-id [path-prefix]]
--
-- order_id is "<run>-<thread>-<counter>" (Fatora does not de-duplicate it; unique anyway). Amounts
-- are approved ones (see charge.lua). At the end it prints the same summary lines as charge.lua:
-- HTTP statuses, the `status` of the payments (SUCCESS expected) and socket errors.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  math.random(); math.random()
  run = args[1] or string.format("dir%d%06d", os.time() % 100000, math.random(0, 999999))
  path = (args[2] or "/fatora") .. "/v1/payments/collect-payment"
  headers = {
    ["api_key"] = os.getenv("FATORA_API_KEY") or "fatora_sim_api_key",
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
  }
  statuses = {}
  outcomes = {}
end

local bad = { [51] = true, [5] = true, [54] = true, [59] = true, [91] = true, [96] = true, [77] = true }

local function approved_amount()
  while true do
    local a = math.random(1000, 9999)
    if not bad[a % 100] then return a end
  end
end

function request()
  local id = run .. "-" .. tid .. "-" .. counter
  counter = counter + 1
  local a = approved_amount()
  local body = string.format('{"card_token":"tok_bench_1","order_id":"%s","amount":%d.%02d}',
    id, math.floor(a / 100), a % 100)
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 200 and status < 300 then
    local s = body:match('"status":"(%a+)"') or "?"
    outcomes[s] = (outcomes[s] or 0) + 1
  end
end

function done(summary, latency, requests)
  local st, oc = {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses") or {}) do st[k] = (st[k] or 0) + v end
    for k, v in pairs(t:get("outcomes") or {}) do oc[k] = (oc[k] or 0) + v end
  end
  local line = "HTTP statuses:"
  for k, v in pairs(st) do line = line .. " " .. k .. "=" .. v end
  print(line)
  line = "charge status:"
  for k, v in pairs(oc) do line = line .. " " .. k .. "=" .. v end
  print(line)
  print(string.format("socket errors: connect=%d read=%d write=%d timeout=%d",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end

-- wrk script: POST /v1/charges with a unique Idempotency-Key on every request.
--
--   wrk -t2 -c64 -d8s --latency -s wrk/charge.lua http://127.0.0.1:8080 -- card_XXX [run-id]
--
-- The card id comes from the first script argument (after "--") or the CARD_ID environment
-- variable; the merchant key from MERCHANT_KEY (default sk_test_demo). Keys are
-- "<run>-<thread>-<counter>": the run part is the optional second argument, else a random value
-- seeded from the clock and the thread id, so reruns never replay keys stored by earlier runs
-- (the router keeps keys for 24 h; a reused key with another body would get 422).
-- Amounts are in 1000..9999 and never end in 51, 05, 54, 59, 91, 96 or 77 (the PSP simulators'
-- decline / fault / slow / pending triggers), so every charge should be approved at once.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  card_id = args[1] or os.getenv("CARD_ID")
  if card_id == nil or card_id == "" then
    error("card id missing: wrk ... -s charge.lua URL -- card_XXX   (or CARD_ID=card_XXX)")
  end
  local key = os.getenv("MERCHANT_KEY") or "sk_test_demo"
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  math.random(); math.random()
  run = args[2] or string.format("wrk%d%06d", os.time() % 100000, math.random(0, 999999))
  headers = {
    ["Authorization"] = "Bearer " .. key,
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
  local key = run .. "-" .. tid .. "-" .. counter
  counter = counter + 1
  headers["Idempotency-Key"] = key
  local body = string.format(
    '{"amount":%d,"currency":"USD","card_id":"%s","merchant_reference":"%s"}',
    approved_amount(), card_id, key)
  return wrk.format("POST", "/v1/charges", headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 or status == 202 then
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

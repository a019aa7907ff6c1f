--[[
  reserved-money: the money frozen in a page of accounts, summed by currency, for the scrape of
  /metrics (src/balance/reserved-money.ts). One call per page rather than a command per account,
  so that a scrape costs Redis and the server little however many sessions are open. Reads only.

  KEYS     account hashes (acct:{m}): their `resv:money` and `currency`; all in one slot, so
           on one Redis only (in a cluster the caller reads the accounts one by one)

  Returns  a flat list: currency, sum of `resv:money`, currency, sum...; the sums as integer
           strings (money is integers of minor units)
]]

local sums, order = {}, {}
for i = 1, #KEYS do
  local fields = redis.call('HMGET', KEYS[i], 'resv:money', 'currency')
  local amount = tonumber(fields[1])
  if amount and amount > 0 then
    local currency = fields[2] or ''
    if not sums[currency] then
      sums[currency] = 0
      order[#order + 1] = currency
    end
    sums[currency] = sums[currency] + amount
  end
end

local out = {}
for _, currency in ipairs(order) do
  out[#out + 1] = currency
  out[#out + 1] = string.format('%.0f', sums[currency])
end
return out

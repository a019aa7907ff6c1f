-- The exporter (src/export/) finds the accounts with ledger entries or CDRs to export in the
-- sorted sets '<prefix>{export}:pending:ledger' and '<prefix>{export}:pending:cdr', member the
-- MSISDN, score the time of the oldest entry not exported (NX keeps the oldest), so that it
-- needs no SCAN. In a Redis Cluster those sets lie in another slot and Redis refuses the
-- command: pcall keeps the script going, and the exporter finds a cluster's streams by SCAN.

-- Marks the account of `stream` ('<prefix><kind>:{<msisdn>}', `marker` '<kind>:{') in the set
-- '<prefix>' .. `pending`, from the time of the entry `id` ('<ms>-<seq>') on, unless it is marked
-- already. Plain finds: a pattern anchored on '(.*)' backtracks over the whole key.
local function mark_unexported(stream, marker, pending, id)
  local at = string.find(stream, marker, 1, true)
  if at and string.byte(stream, -1) == 125 then -- '}'
    redis.pcall('ZADD', string.sub(stream, 1, at - 1) .. pending, 'NX',
      string.sub(id, 1, string.find(id, '-', 1, true) - 1), string.sub(stream, at + #marker, -2))
  end
end

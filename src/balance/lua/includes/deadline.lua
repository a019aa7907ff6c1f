--- @include "integers"

-- The deadline of the request a freezing call serves (ms since the epoch), read from the ARGV
-- after the tiers: past it the client has given up on its answer (the Tx timer of RFC 4006
-- §13 ran out, and the server answered 5012), so money frozen or charged now would wait for
-- Tcc or be charged for a service refused. It is compared with Redis's own clock, the moment
-- the call runs, not with the caller's: a call queued behind a stalled Redis is the case.
-- Returns the deadline (0: none) and the index after it, or nil and the error. Absent, as
-- from a caller that passes nothing after the tiers, it is none.
local function parse_deadline(argv, i)
  local deadline = argv[i]
  if deadline == nil then
    return 0, i
  end
  if not is_uint(deadline) then
    return nil, 'deadlineMs: a non-negative integer'
  end
  return tonumber(deadline), i + 1
end

-- How many ms Redis's clock is past the deadline, 0 when it is not (or there is none). TIME
-- makes the call non-deterministic: scripts replicate their effects (by default since Redis 5,
-- always since Redis 7, functions too), so replicas apply what the call wrote, not the call.
local function ms_past_deadline(deadline)
  if deadline == 0 then
    return 0
  end
  local t = redis.call('TIME')
  local late = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - deadline
  return late > 0 and late or 0
end

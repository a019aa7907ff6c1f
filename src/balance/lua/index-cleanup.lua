--[[
  index-cleanup: drop or re-score entries of the global reservation index, each only if its score
  is still the one the caller saw. A different score means that a newer apply or settle wrote
  the entry (always before making its reservation), and that entry must stay.

  KEYS[1]  resv-index (global sorted set: '<msisdn>|<ratingGroup>|<sessionId>' -> expiry ms)
  ARGV     triples: member, score seen, new score ('' to remove the entry)

  Returns  {removed, rescored}
]]

local removed, rescored = 0, 0
for i = 1, #ARGV - 2, 3 do
  local member, seen, new = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local score = redis.call('ZSCORE', KEYS[1], member)
  if score and tonumber(score) == tonumber(seen) then
    if new == '' then
      removed = removed + redis.call('ZREM', KEYS[1], member)
    else
      redis.call('ZADD', KEYS[1], new, member)
      rescored = rescored + 1
    end
  end
end
return { removed, rescored }

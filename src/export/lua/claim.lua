--[[
  claim: the exporter takes accounts to export from the pending set (docs/export.md). An account
  moves to the claimed set, keeping the time of its oldest entry not exported, and stays there
  until its entries are in a synced file and its cursor is stored: a crash in between leaves it
  claimed, and the next leader takes it again. Only on one Redis (a cluster has no pending set).

  KEYS[1]  {export}:pending:<kind>   KEYS[2]  {export}:claimed:<kind>
  ARGV[1]  how many accounts at most   ARGV[2]  only those pending since at most this time (ms)
  Returns the claimed accounts, oldest first, at most ARGV[1]: {msisdn, ...}
]]
local limit = tonumber(ARGV[1])
local taken = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[2], 'BYSCORE', 'LIMIT', 0, limit, 'WITHSCORES')
for i = 1, #taken, 2 do
  redis.call('ZADD', KEYS[2], 'NX', taken[i + 1], taken[i])
  redis.call('ZREM', KEYS[1], taken[i])
end
return redis.call('ZRANGE', KEYS[2], 0, limit - 1)

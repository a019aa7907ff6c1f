--[[
  unlock: gives a number's lock back, only when it still holds the caller's token.

  KEYS[1]  vpn:{vpn}:lock:<msisdn>
  ARGV[1]  token

  Returns a count, not a VpnScriptCode: nothing waits on it, a lock not given back expires
    1  released
    0  not held by this token (it expired, or another request holds it)
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0

--[[
  record: writes what a charge of a number's functional fee (or an activation without one)
  decided, but only while the caller still holds the number's lock, so that two requests never
  record over each other.

  KEYS[1]  vpn:{vpn}:lock:<msisdn>   the lock, holding the caller's token
  KEYS[2]  vpn:{vpn}:activations     hash msisdn -> JSON activation
  KEYS[3]  vpn:{vpn}:fee-seq         hash msisdn -> '<YYYY-MM>:<n>'
  ARGV[1]  token
  ARGV[2]  msisdn
  ARGV[3]  the activation, JSON ('' leaves it as it is)
  ARGV[4]  the fee sequence ('' leaves it as it is)

  Returns {code}; the codes are VpnScriptCode's (src/vpn/script-codes.ts)
     0 OK         recorded
  Refusals, nothing written
    -9 LOCK_LOST  the lock expired or another request took it
]]
--- @include "codes"

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return { LOCK_LOST }
end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
end
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
end
return { OK }

--[[
  unregister: a number leaves a VPN group. Leaving the group it belongs to ends its VPN function
  too (only a belonging member has one, ZTE S302), so its activation is deleted in the same step.

  KEYS[1]  vpn:{vpn}:short:<group>   hash short number -> msisdn
  KEYS[2]  vpn:{vpn}:member:<msisdn> hash group id -> JSON {shortNumber, identity, display}
  KEYS[3]  vpn:{vpn}:activations     hash msisdn -> JSON activation
  KEYS[4]  vpn:{vpn}:lock:<msisdn>   held while the number's fee is charged
  ARGV[1]  group id
  ARGV[2]  msisdn

  Returns {code, details...}; the codes are VpnScriptCode's (src/vpn/script-codes.ts)
     0 OK                {code, identity, activationDeleted (0 or 1)}
  Refusals, nothing changed
    -7 MEMBER_NOT_FOUND  {code}
    -8 BUSY              {code}  a fee of the number is being charged: its activation must
                                 not vanish meanwhile
]]
--- @include "codes"

local group_id, msisdn = ARGV[1], ARGV[2]

local stored = redis.call('HGET', KEYS[2], group_id)
if not stored then
  return { MEMBER_NOT_FOUND }
end
if redis.call('EXISTS', KEYS[4]) == 1 then
  return { BUSY }
end
local entry = cjson.decode(stored)
redis.call('HDEL', KEYS[2], group_id)
if redis.call('HGET', KEYS[1], entry.shortNumber) == msisdn then
  redis.call('HDEL', KEYS[1], entry.shortNumber)
end
local deleted = 0
if entry.identity == 'belongs' then
  deleted = redis.call('HDEL', KEYS[3], msisdn)
end
return { OK, entry.identity, deleted }

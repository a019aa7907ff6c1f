--[[
  put-group: creates a VPN group or changes one (ZTE S201). The extension length of a group
  with members cannot change (their short numbers would no longer fit), and maxMembers cannot
  go below the number of members.

  KEYS[1]  vpn:{vpn}:groups          hash group id -> JSON group
  KEYS[2]  vpn:{vpn}:short:<group>   hash short number -> msisdn (its length: the member count)
  ARGV[1]  group id
  ARGV[2]  the group, JSON
  ARGV[3]  its extension length
  ARGV[4]  its maxMembers

  Returns {code, details...}; the codes are VpnScriptCode's (src/vpn/script-codes.ts)
      0 OK                       {code, created (0 or 1)}
  Refusals, nothing changed
    -10 EXTENSION_LENGTH_LOCKED  {code, members, storedExtensionLength}
    -11 MAX_MEMBERS_BELOW_COUNT  {code, members}
]]
--- @include "codes"

local members = redis.call('HLEN', KEYS[2])
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored and members > 0 then
  local old = tonumber(cjson.decode(stored).extensionLength)
  if old ~= tonumber(ARGV[3]) then
    return { EXTENSION_LENGTH_LOCKED, members, old }
  end
end
if members > tonumber(ARGV[4]) then
  return { MAX_MEMBERS_BELOW_COUNT, members }
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if stored then
  return { OK, 0 }
end
return { OK, 1 }

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

  Returns
    {0, created (0 or 1)}
  Refusals, nothing changed
    {-1, members, storedExtensionLength}  EXTENSION_LENGTH_LOCKED
    {-2, members}                         MAX_MEMBERS_BELOW_COUNT
]]
local members = redis.call('HLEN', KEYS[2])
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored and members > 0 then
  local old = tonumber(cjson.decode(stored).extensionLength)
  if old ~= tonumber(ARGV[3]) then
    return { -1, members, old }
  end
end
if members > tonumber(ARGV[4]) then
  return { -2, members }
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if stored then
  return { 0, 0 }
end
return { 0, 1 }

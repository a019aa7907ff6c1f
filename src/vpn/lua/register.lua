--[[
  register: a number becomes a member of a VPN group (ZTE US20120057507 FIG. 2, S203-S211),
  every rule checked and the membership written in one atomic step.

  KEYS[1]  vpn:{vpn}:groups          hash group id -> JSON group
  KEYS[2]  vpn:{vpn}:short:<group>   hash short number -> msisdn (its length: the member count)
  KEYS[3]  vpn:{vpn}:member:<msisdn> hash group id -> JSON {shortNumber, identity, display}
  ARGV[1]  group id
  ARGV[2]  msisdn
  ARGV[3]  short number (digits)
  ARGV[4]  identity: 'belongs' or 'joins'
  ARGV[5]  the entry to store, JSON {shortNumber, identity, display}
  ARGV[6]  '1': the same entry already stored is a success that changes nothing; '0': a refusal

  The caller has checked, before, that a belonging number is a prepaid account (the account
  lives in another slot).

  Returns {code, details...}; the codes are VpnScriptCode's (src/vpn/script-codes.ts)
     0 OK                   {code}  registered
     1 UNCHANGED            {code}  already registered with exactly this entry (only with
                                    ARGV[6] = '1'), nothing changed
  Refusals, nothing changed
    -1 GROUP_NOT_FOUND      {code}
    -2 SHORT_NUMBER_LENGTH  {code, extensionLength}
    -3 ALREADY_MEMBER       {code, storedEntry}   the number is in the group already
    -4 SHORT_NUMBER_TAKEN   {code, holderMsisdn}
    -5 GROUP_FULL           {code, maxMembers}
    -6 BELONGS_ELSEWHERE    {code, otherGroup}    a number belongs to one group only
]]
--- @include "codes"

local group_id, msisdn, short, identity, entry = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local raw_group = redis.call('HGET', KEYS[1], group_id)
if not raw_group then
  return { GROUP_NOT_FOUND }
end
local group = cjson.decode(raw_group)
if string.len(short) ~= tonumber(group.extensionLength) then
  return { SHORT_NUMBER_LENGTH, tonumber(group.extensionLength) }
end

local stored = redis.call('HGET', KEYS[3], group_id)
if stored then
  if ARGV[6] == '1' and stored == entry then
    return { UNCHANGED }
  end
  return { ALREADY_MEMBER, stored }
end

local holder = redis.call('HGET', KEYS[2], short)
if holder then
  return { SHORT_NUMBER_TAKEN, holder }
end

if redis.call('HLEN', KEYS[2]) >= tonumber(group.maxMembers) then
  return { GROUP_FULL, tonumber(group.maxMembers) }
end

if identity == 'belongs' then
  local others = redis.call('HGETALL', KEYS[3])
  for i = 1, #others, 2 do
    if cjson.decode(others[i + 1]).identity == 'belongs' then
      return { BELONGS_ELSEWHERE, others[i] }
    end
  end
end

redis.call('HSET', KEYS[2], short, msisdn)
redis.call('HSET', KEYS[3], group_id, entry)
return { OK }

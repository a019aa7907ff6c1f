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

  Returns
    {0}  registered
    {1}  already registered with exactly this entry (only with ARGV[6] = '1'), nothing changed
  Refusals, nothing changed
    {-1}                    GROUP_NOT_FOUND
    {-2, extensionLength}   SHORT_NUMBER_LENGTH
    {-3, storedEntry}       ALREADY_MEMBER (the number is in the group already)
    {-4, holderMsisdn}      SHORT_NUMBER_TAKEN
    {-5, maxMembers}        GROUP_FULL
    {-6, otherGroup}        BELONGS_ELSEWHERE (a number belongs to one group only)
]]
local group_id, msisdn, short, identity, entry = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local raw_group = redis.call('HGET', KEYS[1], group_id)
if not raw_group then
  return { -1 }
end
local group = cjson.decode(raw_group)
if string.len(short) ~= tonumber(group.extensionLength) then
  return { -2, tonumber(group.extensionLength) }
end

local stored = redis.call('HGET', KEYS[3], group_id)
if stored then
  if ARGV[6] == '1' and stored == entry then
    return { 1 }
  end
  return { -3, stored }
end

local holder = redis.call('HGET', KEYS[2], short)
if holder then
  return { -4, holder }
end

if redis.call('HLEN', KEYS[2]) >= tonumber(group.maxMembers) then
  return { -5, tonumber(group.maxMembers) }
end

if identity == 'belongs' then
  local others = redis.call('HGETALL', KEYS[3])
  for i = 1, #others, 2 do
    if cjson.decode(others[i + 1]).identity == 'belongs' then
      return { -6, others[i] }
    end
  end
end

redis.call('HSET', KEYS[2], short, msisdn)
redis.call('HSET', KEYS[3], group_id, entry)
return { 0 }

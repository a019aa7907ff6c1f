--[[
  leader: the lock of the one instance that exports. 'renew' extends it only while it holds this
  instance's token; 'release' deletes it only then. Acquiring is SET NX PX, no script.

  KEYS[1]  {export}:leader   ARGV[1] 'renew' | 'release'   ARGV[2] token   ARGV[3] ttl (ms)
  Returns 1 when the lock was this instance's, else 0.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
  return 0
end
if ARGV[1] == 'renew' then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
else
  redis.call('DEL', KEYS[1])
end
return 1

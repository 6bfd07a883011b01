-- Takes the lease when nobody holds it, or extends it when the caller already does.
-- KEYS: 1 the lease; ARGV: 1 the caller's node id, 2 ttl ms. Returns 1 when the caller holds it.
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0

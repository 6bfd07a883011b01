-- Gives the lease up, only if the caller still holds it (never someone else's).
-- KEYS: 1 the lease; ARGV: 1 the caller's node id. Returns 1 when it was released.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0

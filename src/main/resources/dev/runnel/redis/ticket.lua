-- Stores a one-time ticket under its digest, for ttl ms. A subject may hold at most cap outstanding
-- tickets: its set scores each ticket by its expiry, and expired ones leave the count here.
--
-- KEYS: 1 the ticket, 2 the subject's set (any key when there is no subject: untouched)
-- ARGV: 1 the grant (stored as is), 2 ttl ms, 3 cap, 4 subject given ('1' | '0'), 5 the digest
-- Returns 'issued' | 'full' | 'exists'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
if ARGV[4] == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%d', now))
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
    return 'full'
  end
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ttl) then
  return 'exists'
end
if ARGV[4] == '1' then
  -- Scored 2 ms past the ticket's own expiry: TIME and the key clock may differ by a millisecond, and
  -- the count must not let a ticket go while it can still be redeemed.
  redis.call('ZADD', KEYS[2], string.format('%d', now + ttl + 2), ARGV[5])
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 'issued'

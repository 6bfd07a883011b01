-- Registers or refreshes a node for ttl ms by Redis's clock, and forgets (at most 100 per call) the
-- nodes whose time ran out: they stopped refreshing, having died or lost Redis.
--
-- KEYS: 1 the index (sorted set: node -> when it expires), 2 what each node said (hash: node -> "<time>\n<about>")
-- ARGV: 1 the node, 2 what it says about itself, 3 ttl ms
-- Returns 1
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now), 'LIMIT', 0, 100)
if #gone > 0 then
  redis.call('ZREM', KEYS[1], unpack(gone))
  redis.call('HDEL', KEYS[2], unpack(gone))
end
redis.call('ZADD', KEYS[1], string.format('%d', now + ttl), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], string.format('%d', now) .. '\n' .. ARGV[2])
-- Both keys outlive the longest-lived node, and no more: once every node is gone, so are they.
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < ttl then
    redis.call('PEXPIRE', key, ttl)
  end
end
return 1

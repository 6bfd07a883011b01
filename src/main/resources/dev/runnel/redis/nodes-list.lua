-- The nodes whose time has not run out (by Redis's clock), at most ARGV[1] of them.
--
-- KEYS: 1 the index (sorted set: node -> when it expires), 2 what each node said (hash: node -> "<time>\n<about>")
-- ARGV: 1 the most to answer
-- Returns {Redis's time ms, how many are alive, node, said, node, said, …}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local after = '(' .. string.format('%d', now)
local answer = {string.format('%d', now), redis.call('ZCOUNT', KEYS[1], after, '+inf')}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], after, '+inf', 'LIMIT', 0, tonumber(ARGV[1]))) do
  local said = redis.call('HGET', KEYS[2], node)
  if said then
    answer[#answer + 1] = node
    answer[#answer + 1] = said
  end
end
return answer

-- Where the shared log stands, after dropping what has aged out (a quiet log is trimmed here, since
-- no publish does it): the range a cursor may resume from.
--
-- KEYS: 1 epoch, 2 meta, 3 log, 4 index
-- ARGV: 1 epoch the caller reads, 2 max events, 3 max bytes, 4 max age ms
-- Returns {'position', head, oldest} | {'epoch', current epoch or ''}
local current = redis.call('GET', KEYS[1])
if current ~= ARGV[1] then
  return {'epoch', current or ''}
end
local head = tonumber(redis.call('HGET', KEYS[2], 'head') or '0')
local oldest = trim(KEYS[2], KEYS[3], KEYS[4], head, 0, tonumber(ARGV[2]), tonumber(ARGV[3]),
    now_millis() - tonumber(ARGV[4]))
return {'position', head, oldest}

-- Appends one event to the shared log: the sequencer. Atomic: the epoch check, the idempotency check,
-- the finite topic's end, the state key cap, the sequence, the stream entry, the state hash or the
-- finite record, and the trimming happen together or not at all.
--
-- KEYS: 1 epoch, 2 meta, 3 log, 4 index, 5 the topic's state hash or finite record (any key for a
--       stream topic: untouched), 6 the idempotency key (any key when there is none: untouched)
-- ARGV: 1 epoch the caller writes to, 2 kind (stream | state | finite), 3 topic, 4 event ('' for the
--       default), 5 data, 6 state key ('' unless state), 7 final ('1' | '0'), 8 idempotency key given
--       ('1' | '0'), 9 max events, 10 max bytes, 11 max age ms, 12 retention ms (idempotency keys and
--       finite records), 13 max keys of a state topic (0: no cap)
-- Returns {'appended', seq, time} | {'duplicate', seq, time} | {'ended', end seq} | {'full', cap}
--       | {'epoch', current epoch or ''}
local current = redis.call('GET', KEYS[1])
if current ~= ARGV[1] then
  return {'epoch', current or ''}
end
if ARGV[8] == '1' then
  local seen = redis.call('GET', KEYS[6])
  if seen then
    local sep = string.find(seen, ':', 1, true)
    return {'duplicate', tonumber(string.sub(seen, 1, sep - 1)), tonumber(string.sub(seen, sep + 1))}
  end
end
local kind = ARGV[2]
if kind == 'finite' then
  local ended = redis.call('HGET', KEYS[5], 'end')
  if ended then
    return {'ended', tonumber(ended)}
  end
elseif kind == 'state' then
  local cap = tonumber(ARGV[13])
  if cap > 0 and redis.call('HEXISTS', KEYS[5], ARGV[6]) == 0 and redis.call('HLEN', KEYS[5]) >= cap then
    return {'full', cap}
  end
end
local time = now_millis()
local seq = redis.call('HINCRBY', KEYS[2], 'head', 1)
local fields = {'t', string.format('%d', time), 'p', ARGV[3], 'd', ARGV[5]}
if ARGV[4] ~= '' then
  fields[#fields + 1] = 'e'
  fields[#fields + 1] = ARGV[4]
end
if kind == 'state' then
  fields[#fields + 1] = 'k'
  fields[#fields + 1] = ARGV[6]
end
if ARGV[7] == '1' then
  fields[#fields + 1] = 'f'
  fields[#fields + 1] = '1'
end
redis.call('XADD', KEYS[3], string.format('%d-0', seq), unpack(fields))
-- What the event costs Redis, roughly: its strings and a fixed overhead per entry.
local size = #ARGV[3] + #ARGV[4] + #ARGV[5] + #ARGV[6] + 64
redis.call('RPUSH', KEYS[4], string.format('%d:%d', time, size))
if kind == 'state' then
  redis.call('HSET', KEYS[5], ARGV[6], string.format('%d\n%d\n', seq, time) .. ARGV[4] .. '\n' .. ARGV[5])
elseif kind == 'finite' then
  local s = string.format('%d', seq)
  redis.call('HSETNX', KEYS[5], 'first', s)
  redis.call('HSET', KEYS[5], 'last', s)
  if ARGV[7] == '1' then
    redis.call('HSET', KEYS[5], 'end', s)
  end
  redis.call('PEXPIRE', KEYS[5], ARGV[12])
end
if ARGV[8] == '1' then
  redis.call('SET', KEYS[6], string.format('%d:%d', seq, time), 'PX', ARGV[12])
end
trim(KEYS[2], KEYS[3], KEYS[4], seq, size, tonumber(ARGV[9]), tonumber(ARGV[10]), time - tonumber(ARGV[11]))
return {'appended', seq, time}

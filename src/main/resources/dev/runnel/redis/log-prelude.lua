-- Shared by the log's scripts (prepended to each). Integers go through string.format('%d'), never
-- tostring: Lua 5.1 would print a large sequence as 1e+14.

-- Redis's clock in milliseconds: one clock for every node's events.
local function now_millis()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Adds `added` bytes to the log's total, then drops entries from the front while it holds more than
-- max_count events, more than max_bytes, or events older than oldest_time. The index list holds
-- "<time>:<size>" per held event, oldest first, so the decision needs no read of the events themselves.
-- The meta hash's "oldest" is the logical start of the log; the stream itself is trimmed by whole nodes
-- (MINID ~, and only when the start crosses a hundred: a node holds 100 entries by default), so it may
-- keep a few older entries, which readers ignore. At most 1000 events per call: the work per publish
-- stays bounded, and a log over its bounds shrinks over the next calls. The count and byte bounds never
-- drop the newest event (a single event larger than max_bytes is still delivered and replayable); age does.
local function trim(meta, log, index, head, added, max_count, max_bytes, oldest_time)
  local stored = redis.call('HMGET', meta, 'oldest', 'bytes')
  local start = tonumber(stored[1] or '1')
  local oldest = start
  local bytes = tonumber(stored[2] or '0') + added
  local dropped = 0
  while head - oldest + 1 > 0 and dropped < 1000 do
    local front = redis.call('LINDEX', index, 0)
    if not front then
      break
    end
    local sep = string.find(front, ':', 1, true)
    local time = tonumber(string.sub(front, 1, sep - 1))
    local size = tonumber(string.sub(front, sep + 1))
    local held = head - oldest + 1
    if time < oldest_time or (held > 1 and (held > max_count or bytes > max_bytes)) then
      redis.call('LPOP', index)
      bytes = bytes - size
      oldest = oldest + 1
      dropped = dropped + 1
    else
      break
    end
  end
  if dropped > 0 or added > 0 then
    redis.call('HSET', meta, 'oldest', string.format('%d', oldest), 'bytes', string.format('%d', bytes))
  end
  if math.floor(oldest / 100) > math.floor(start / 100) or (dropped > 0 and oldest > head) then
    redis.call('XTRIM', log, 'MINID', '~', string.format('%d-0', oldest))
  end
  return oldest
end

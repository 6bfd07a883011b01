-- Opens or renews the log's epoch. The epoch is created once: when none exists (a new Redis, or one
-- that lost its data) the candidate becomes it. A caller that proved the log lost events it had seen
-- names the epoch it knew; if that is still current, the candidate replaces it. Either way every
-- caller gets the one current epoch back, so racing nodes agree.
--
-- KEYS: 1 epoch
-- ARGV: 1 the epoch the caller knew to have lost data ('' to only open), 2 a fresh candidate
-- Returns the current epoch.
local current = redis.call('GET', KEYS[1])
if current == false or (ARGV[1] ~= '' and current == ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2])
  return ARGV[2]
end
return current

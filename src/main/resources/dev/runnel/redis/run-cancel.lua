-- Asks the node that runs a task or an answer to stop it: marks the run, if it is registered.
-- KEYS: 1 the run. Returns 1 when the run exists.
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'cancel', '1')
  return 1
end
return 0

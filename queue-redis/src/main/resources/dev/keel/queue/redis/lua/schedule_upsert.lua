-- ---------------------------------------------------------------------------------------------
-- schedule_upsert: store schedules by name, atomically.
-- ARGV[3] = '1' to delete every stored schedule not named here, ARGV[4] = n, then 4 per schedule:
-- name, spec, trigger, nextFireAt µs (used for a new schedule and for a changed trigger).
-- Names are unique in a request (checked by the caller).
-- Returns {created, updated, unchanged, removed}, lists of names (removed in name order).
local remove_others = ARGV[3] == '1'
local n = tonumber(ARGV[4])
local now_text = fmt(now_us())
local all = P .. 'schedules'
local due = P .. 'schedules:due'
local created, updated, unchanged, removed = {}, {}, {}, {}
local named = {}
for i = 0, n - 1 do
  local b = 5 + i * 4
  local name, spec, trigger, next_us = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
  named[name] = true
  local sk = schedule_key(name)
  local old = redis.call('HMGET', sk, 'spec', 'trigger', 'version', 'paused')
  if not old[1] then
    redis.call('HSET', sk, 'spec', spec, 'trigger', trigger, 'version', '1', 'paused', '0',
      'next', next_us, 'updated', now_text)
    redis.call('ZADD', all, 0, name)
    redis.call('ZADD', due, next_us, name)
    created[#created + 1] = name
  elseif old[1] == spec then
    unchanged[#unchanged + 1] = name
  else
    redis.call('HSET', sk, 'spec', spec, 'trigger', trigger,
      'version', tostring(tonumber(old[3]) + 1), 'updated', now_text)
    if old[2] ~= trigger then
      redis.call('HSET', sk, 'next', next_us)
      if old[4] ~= '1' then
        redis.call('ZADD', due, next_us, name)
      end
    end
    updated[#updated + 1] = name
  end
end
if remove_others then
  for _, name in ipairs(redis.call('ZRANGE', all, 0, -1)) do
    if not named[name] then
      redis.call('DEL', schedule_key(name))
      redis.call('ZREM', all, name)
      redis.call('ZREM', due, name)
      removed[#removed + 1] = name
    end
  end
end
return {created, updated, unchanged, removed}

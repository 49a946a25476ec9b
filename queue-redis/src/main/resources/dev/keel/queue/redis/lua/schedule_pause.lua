-- ---------------------------------------------------------------------------------------------
-- schedule_pause: pause (ARGV[4] = '1') or resume ('0', with ARGV[5] = the new nextFireAt µs)
-- the schedule named ARGV[3]. Returns {} if there is none, else {changed (1/0), record...}.
local name, pause, next_us = ARGV[3], ARGV[4] == '1', ARGV[5]
local sk = schedule_key(name)
local paused = redis.call('HGET', sk, 'paused')
if not paused then
  return {}
end
local changed = 0
if pause and paused ~= '1' then
  redis.call('HSET', sk, 'paused', '1', 'updated', fmt(now_us()))
  redis.call('ZREM', P .. 'schedules:due', name)
  changed = 1
elseif not pause and paused == '1' then
  redis.call('HSET', sk, 'paused', '0', 'next', next_us, 'updated', fmt(now_us()))
  redis.call('ZADD', P .. 'schedules:due', next_us, name)
  changed = 1
end
return {changed, schedule_record(name)}

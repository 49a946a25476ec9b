-- ---------------------------------------------------------------------------------------------
-- schedule_remove: delete one schedule (never its jobs). ARGV[3] = name. Returns 1 if it existed.
local name = ARGV[3]
local existed = redis.call('DEL', schedule_key(name))
redis.call('ZREM', P .. 'schedules', name)
redis.call('ZREM', P .. 'schedules:due', name)
return existed

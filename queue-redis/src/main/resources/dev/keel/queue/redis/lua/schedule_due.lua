-- ---------------------------------------------------------------------------------------------
-- schedule_due: the unpaused schedules whose next fire time has come, earliest first (ties by
-- name), at most ARGV[3]; from the sorted set of unpaused schedules, so O(due + log n).
-- Returns {now µs, next fire time µs of the first schedule not due ('' = none), record...}.
local now = now_us()
local now_text = fmt(now)
local due = P .. 'schedules:due'
local names = redis.call('ZRANGEBYSCORE', due, '-inf', now_text, 'LIMIT', 0, tonumber(ARGV[3]))
local later = redis.call('ZRANGEBYSCORE', due, '(' .. now_text, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
local out = {now_text, later[2] and fmt(tonumber(later[2])) or ''}
for _, name in ipairs(names) do
  out[#out + 1] = schedule_record(name)
end
return out

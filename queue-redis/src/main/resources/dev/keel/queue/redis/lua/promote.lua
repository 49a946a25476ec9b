-- promote: move scheduled jobs that are due into their ready sets and wake their queues.
-- ARGV[3] = limit.
-- Returns {promoted, ms until the next scheduled job is due (-1 if none)}.
local now = now_us()
local promoted = promote(now, tonumber(ARGV[3]))
flush()
local next_due = redis.call('ZRANGE', P .. 'scheduled', 0, 0, 'WITHSCORES')
local wait_ms = -1
if #next_due > 0 then
  wait_ms = math.max(0, math.ceil((tonumber(next_due[2]) - now) / 1000))
end
return {promoted, wait_ms}

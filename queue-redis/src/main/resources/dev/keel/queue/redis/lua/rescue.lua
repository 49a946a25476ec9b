-- rescue: RUNNING jobs whose lease expired become PENDING (runAt = now, lastError "lease
-- expired") if they have attempts left, else FAILED with that error. Their lease is cleared, so
-- the old owner is fenced out. A job with step records (field hs) has 2 attempts more
-- (RescueRequest.EXTRA_RUNS_WITH_STEPS): core uses them only to compensate and fail it.
-- ARGV[3] = limit.
-- Returns {retriedIds, failedIds}.
local limit = tonumber(ARGV[3])
local now = now_us()
local running = P .. 'running'
local expired = redis.call('ZRANGEBYSCORE', running, '-inf', fmt(now), 'LIMIT', 0, limit)
local retried, failed = {}, {}
for _, id in ipairs(expired) do
  redis.call('ZREM', running, id)
  local jk = job_key(id)
  local flat = redis.call('HGETALL', jk)
  if #flat > 0 then
    local j = to_map(flat)
    if j['state'] == 'RUNNING' then
      local extra = 0
      if j['hs'] then
        extra = 2
      end
      if tonumber(j['attempt']) < tonumber(j['maxAttempts']) + extra then
        redis.call('HSET', jk, 'state', 'PENDING', 'runAt', fmt(now),
          'errorMessage', 'lease expired', 'errorStackTrace', '')
        clear_lease(jk)
        count(j['tenant'], j['type'], j['queue'], 'RUNNING', 'PENDING')
        place_pending(id, j['queue'], j['type'], j['tenant'], tonumber(j['priority']), now, now)
        retried[#retried + 1] = id
      else
        make_terminal(jk, j, 'FAILED', now, 'lease expired', '')
        failed[#failed + 1] = id
      end
    end
  end
end
flush()
return {retried, failed}

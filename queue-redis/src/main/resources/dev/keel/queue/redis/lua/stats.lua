-- stats: the figures behind a health snapshot, from counters and indexes.
-- ARGV[3] = tenant ('' = all), ARGV[4] = failed window in us.
-- Returns {now, counts HGETALL, stuck, failedInWindow, oldest due runAt ('' if none)}.
local tenant, window = ARGV[3], tonumber(ARGV[4])
local now = now_us()
-- Due scheduled jobs count as due PENDING jobs: promote them first so the due index sees them.
promote(now, 1000)
flush()

local function tenant_of(id)
  return redis.call('HGET', job_key(id), 'tenant')
end

local running, failed_registry = P .. 'running', P .. 'finished:FAILED'
local since = fmt(now - window)
local stuck, failed
if tenant == '' then
  stuck = redis.call('ZCOUNT', running, '-inf', fmt(now))
  failed = redis.call('ZCOUNT', failed_registry, since, '+inf')
else
  -- Both sets are small in a healthy system (expired leases, failures of one window).
  stuck, failed = 0, 0
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', running, '-inf', fmt(now))) do
    if tenant_of(id) == tenant then
      stuck = stuck + 1
    end
  end
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', failed_registry, since, '+inf')) do
    local _, t = string.match(member, '^([^|]+)|([^|]+)|')
    if t == tenant then
      failed = failed + 1
    end
  end
end

local tenants = {tenant}
if tenant == '' then
  tenants = redis.call('SMEMBERS', P .. 'tenants')
end
local oldest = nil
for _, t in ipairs(tenants) do
  local head = redis.call('ZRANGE', P .. 'due:' .. t, 0, 0, 'WITHSCORES')
  if #head > 0 and (oldest == nil or tonumber(head[2]) < oldest) then
    oldest = tonumber(head[2])
  end
end
local oldest_text = ''
if oldest then
  oldest_text = fmt(oldest)
end
return {fmt(now), redis.call('HGETALL', P .. 'counts'), stuck, failed, oldest_text}

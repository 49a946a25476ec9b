-- stats: the figures behind a health snapshot, from counters and indexes.
-- ARGV[3] = tenant ('' = all), ARGV[4] = failed window in us.
-- Returns {now, counts HGETALL, stuck, failedInWindow, oldest due runAt ('' if none),
-- qcounts HGETALL, finished in window as {type, STATE, n, type, STATE, n, ...}}.
local tenant, window = ARGV[3], tonumber(ARGV[4])
local now = now_us()
-- Due scheduled jobs count as due PENDING jobs: promote them first so the due index sees them.
promote(now, 1000)
flush()

-- The counters by queue (P..'qcounts') came later than those by type: a namespace written before
-- them (P..'qcounts:built' missing) has them rebuilt from the job hashes once, here. Every
-- transition keeps them from then on.
if redis.call('EXISTS', P .. 'qcounts:built') == 0 then
  local qcounts = P .. 'qcounts'
  local totals = {}
  for _, t in ipairs(redis.call('SMEMBERS', P .. 'tenants')) do
    local listed, lo = P .. 'jobs:' .. t, '-'
    while true do
      local ids = redis.call('ZRANGEBYLEX', listed, lo, '+', 'LIMIT', 0, 1000)
      for _, id in ipairs(ids) do
        local f = redis.call('HMGET', job_key(id), 'state', 'queue')
        if f[1] and f[2] then
          local field = t .. '|' .. f[2] .. '|' .. f[1]
          totals[field] = (totals[field] or 0) + 1
        end
      end
      if #ids < 1000 then
        break
      end
      lo = '(' .. ids[#ids]
    end
  end
  redis.call('DEL', qcounts)
  for field, n in pairs(totals) do
    redis.call('HSET', qcounts, field, n)
  end
  redis.call('SET', P .. 'qcounts:built', '1')
end

local function tenant_of(id)
  return redis.call('HGET', job_key(id), 'tenant')
end

local running, failed_registry = P .. 'running', P .. 'finished:FAILED'
local since_us = now - window
local since = fmt(since_us)
local stuck
if tenant == '' then
  stuck = redis.call('ZCOUNT', running, '-inf', fmt(now))
else
  -- Small in a healthy system: expired leases only.
  stuck = 0
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', running, '-inf', fmt(now))) do
    if tenant_of(id) == tenant then
      stuck = stuck + 1
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
-- Finished within the window, by type and outcome; each job counts once, by its latest finish
-- (a re-driven job left finished:FAILED and its minute's count). From the per-minute counts
-- (P..'fin:'..minute) when they cover the window: the minutes after the window's first are summed
-- (60 hashes for an hour) and only that first, partial minute is ranged in finished:<STATE>.
-- Otherwise (a window longer than the counts are kept, or reaching back before they were written)
-- every finished:<STATE> set is ranged by finishedAt over the whole window.
local by_type = {}
local failed = 0
local function add_finished(t, jtype, state, n)
  if tenant == '' or t == tenant then
    local key = jtype .. '|' .. state
    by_type[key] = (by_type[key] or 0) + n
    if state == 'FAILED' then
      failed = failed + n
    end
  end
end
local range_to = nil
local start = tonumber(redis.call('GET', P .. 'fin:start') or '')
local first = math.floor(since_us / FIN_BUCKET_US)
local last = math.floor(now / FIN_BUCKET_US)
if start and since_us >= start and (last - first) * FIN_BUCKET_US < (FIN_TTL_S - 3600) * 1000000 then
  range_to = fmt((first + 1) * FIN_BUCKET_US)
  for bucket = first + 1, last do
    local flat = redis.call('HGETALL', P .. 'fin:' .. fmt(bucket))
    for i = 1, #flat, 2 do
      local t, jtype, state = string.match(flat[i], '^([^|]+)|([^|]+)|([A-Z]+)$')
      add_finished(t, jtype, state, tonumber(flat[i + 1]))
    end
  end
end
for _, state in ipairs({'SUCCEEDED', 'FAILED', 'CANCELLED'}) do
  each_scored_after(P .. 'finished:' .. state, since, function(member)
    local _, t, jtype = parse_finished_member(member)
    add_finished(t, jtype, state, 1)
  end, range_to)
end
if tenant == '' then
  -- Exact and cheap for all tenants, whatever the window.
  failed = redis.call('ZCOUNT', failed_registry, '(' .. since, '+inf')
end
if failed < 0 then
  failed = 0
end
local finished = {}
for key, n in pairs(by_type) do
  -- A minute's count that went back to 0 (its job was re-driven or pruned) is no figure; below 0
  -- (a job an older version finished, re-driven or pruned by this one) it is none either.
  if n > 0 then
    local jtype, state = string.match(key, '^(.+)|([A-Z]+)$')
    finished[#finished + 1] = jtype
    finished[#finished + 1] = state
    finished[#finished + 1] = n
  end
end

return {fmt(now), redis.call('HGETALL', P .. 'counts'), stuck, failed, oldest_text,
  redis.call('HGETALL', P .. 'qcounts'), finished}

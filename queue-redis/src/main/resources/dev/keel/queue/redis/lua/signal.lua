-- signal: store a signal on a job and wake the job if it is suspended waiting for it.
-- ARGV[3] = tenant, ARGV[4] = jobId, ARGV[5] = name, ARGV[6] = payload.
-- A job of the tenant that is PENDING, RUNNING or FAILED keeps the first signal of each name in
-- signals:<id> as '<arrival n>:<sentAt us>:<payload>' (n = 1, 2, ...: signals leave only with the
-- job, so the hash's length counts arrivals). A PENDING job with `awaiting` set (suspend) is made
-- due now when the signal is the one it awaits or a control signal ('keel:...') other than a
-- children signal ('keel:children:...'); a blocked job never has `awaiting`, so a signal never
-- releases it.
-- Returns {'NOT_FOUND'}, or {outcome, state after} with outcome FINISHED, DUPLICATE or STORED.
local tenant, id, name, payload = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local jk = job_key(id)
local f = redis.call('HMGET', jk, 'state', 'tenant', 'awaiting', 'hs', 'queue', 'type', 'priority',
  'runAt')
local state = f[1]
if not state or f[2] ~= tenant then
  return {'NOT_FOUND'}
end
if state == 'SUCCEEDED' or state == 'CANCELLED' then
  return {'FINISHED', state}
end
local sk = signals_key(id)
if redis.call('HEXISTS', sk, name) == 1 then
  return {'DUPLICATE', state}
end
local now = now_us()
redis.call('HSET', sk, name, (redis.call('HLEN', sk) + 1) .. ':' .. fmt(now) .. ':' .. payload)
if not f[4] then
  redis.call('HSET', jk, 'hs', '1')
end
if state == 'FAILED' then
  -- A failed job's hash carries the finished-job TTL: its signals expire with it.
  local ttl = redis.call('PTTL', jk)
  if ttl > 0 then
    redis.call('PEXPIRE', sk, ttl)
  end
end
local awaiting = f[3]
if state == 'PENDING' and awaiting and ((awaiting ~= '' and awaiting == name) or wakes_any(name)) then
  wake_suspended(id, jk, {queue = f[5], type = f[6], tenant = tenant, priority = f[7], runAt = f[8]},
    now)
end
flush()
return {'STORED', state}

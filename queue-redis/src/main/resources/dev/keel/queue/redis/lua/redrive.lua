-- redrive: a FAILED job of this tenant gets another run: PENDING, attempt 0, runAt = now,
-- finishedAt cleared, lastError kept. Any other state is left as it is.
-- ARGV[3] = tenant, ARGV[4] = jobId.
-- Returns {} if no such job in the tenant, else {changed (1/0), HGETALL of the job after}.
local tenant, id = ARGV[3], ARGV[4]
local jk = job_key(id)
local flat = redis.call('HGETALL', jk)
if #flat == 0 then
  return {}
end
local j = to_map(flat)
if j['tenant'] ~= tenant then
  return {}
end
if j['state'] ~= 'FAILED' then
  return {0, flat}
end
local now = now_us()
redis.call('PERSIST', jk)
if j['hs'] then
  -- Steps and signals got the finished-job TTL with the hash; the job lives on with them.
  redis.call('PERSIST', steps_key(id))
  redis.call('PERSIST', signals_key(id))
end
-- The member as written now, and as written before the queue was part of it.
redis.call('ZREM', P .. 'finished:FAILED', finished_member(id, tenant, j['type'], j['queue']),
  id .. '|' .. tenant .. '|' .. j['type'])
if j['finishedAt'] then
  fin_count(tonumber(j['finishedAt']), tenant, j['type'], 'FAILED', -1)
end
redis.call('HSET', jk, 'state', 'PENDING', 'attempt', 0, 'runAt', fmt(now))
redis.call('HDEL', jk, 'finishedAt')
count(tenant, j['type'], j['queue'], 'FAILED', 'PENDING')
-- The job takes its idempotency key back unless another job holds it by now.
local key = j['idempotencyKey']
if key then
  local ik = idem_key(tenant, key)
  local holder = redis.call('GET', ik)
  if not holder or holder == id or redis.call('EXISTS', job_key(holder)) == 0 then
    redis.call('SET', ik, id)
  end
end
place_pending(id, j['queue'], j['type'], tenant, tonumber(j['priority']), now, now)
-- A member of a batch still open counts as active again, so the batch waits for it.
local b = j['batchId']
if b and redis.call('EXISTS', batch_key(b)) == 1 and not redis.call('HGET', batch_key(b), 'completedAt') then
  redis.call('SADD', P .. 'bactive:' .. b, id)
end
flush()
return {1, redis.call('HGETALL', jk)}

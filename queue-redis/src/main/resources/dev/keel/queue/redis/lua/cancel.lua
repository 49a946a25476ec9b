-- cancel: a PENDING or RUNNING job of this tenant becomes CANCELLED (lease cleared, so its worker
-- is fenced out); a terminal job is left as it is.
-- ARGV[3] = tenant, ARGV[4] = jobId, ARGV[5] = reason.
-- Returns {} if no such job in the tenant, else {changed (1/0), HGETALL of the job after}.
local tenant, id, reason = ARGV[3], ARGV[4], ARGV[5]
local jk = job_key(id)
local flat = redis.call('HGETALL', jk)
if #flat == 0 then
  return {}
end
local j = to_map(flat)
if j['tenant'] ~= tenant then
  return {}
end
if j['state'] ~= 'PENDING' and j['state'] ~= 'RUNNING' then
  return {0, flat}
end
local now = now_us()
if j['state'] == 'PENDING' then
  unplace_pending(id, j['queue'], j['type'], tenant)
else
  redis.call('ZREM', P .. 'running', id)
end
make_terminal(jk, j, 'CANCELLED', now, reason, '')
flush()
return {1, redis.call('HGETALL', jk)}

-- heartbeat: extend every lease still held to now + lease duration and set heartbeatAt.
-- ARGV[3] = lease duration in us, then (jobId, leaseToken) pairs.
-- Returns 1 (extended) or 0 (lease lost) per pair.
local lease_us = tonumber(ARGV[3])
local now = now_us()
local expires = fmt(now + lease_us)
local out = {}
for i = 4, #ARGV, 2 do
  local id = ARGV[i]
  local jk = job_key(id)
  local f = redis.call('HMGET', jk, 'state', 'leaseToken', 'concurrencyKey', 'leaseExpiresAt')
  -- A keyed job's expired lease gave its slot away (the claim no longer counts it): not renewed.
  if f[1] == 'RUNNING' and f[2] == ARGV[i + 1]
      and (not f[3] or tonumber(f[4]) > now) then
    redis.call('HSET', jk, 'leaseExpiresAt', expires, 'heartbeatAt', fmt(now))
    redis.call('ZADD', P .. 'running', expires, id)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out

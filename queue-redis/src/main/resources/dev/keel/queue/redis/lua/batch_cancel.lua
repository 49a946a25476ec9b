-- batch_cancel: every PENDING member of a batch of this tenant (blocked or not) becomes
-- CANCELLED; running members keep running. ARGV[3] = tenant, ARGV[4] = batch id,
-- ARGV[5] = reason. Returns {} if there is no such batch, else {'FOUND', cancelled ids...}.
local tenant, bid, reason = ARGV[3], ARGV[4], ARGV[5]
if redis.call('HGET', batch_key(bid), 'tenant') ~= tenant then
  return {}
end
local now = now_us()
-- Closed to new members from now on (the first cancel's time is kept).
redis.call('HSETNX', batch_key(bid), 'cancelledAt', fmt(now))
local out = {'FOUND'}
local fields = {'id', 'tenant', 'type', 'queue', 'state', 'idempotencyKey', 'idempotencyWindowMs',
  'blocked', 'hs'}
for _, m in ipairs(redis.call('SMEMBERS', P .. 'bactive:' .. bid)) do
  local jk = job_key(m)
  local v = redis.call('HMGET', jk, unpack(fields))
  if v[5] == 'PENDING' then
    local j = {}
    for k, f in ipairs(fields) do
      if v[k] then
        j[f] = v[k]
      end
    end
    unplace_pending(m, j['queue'], j['type'], j['tenant'])
    make_terminal(jk, j, 'CANCELLED', now, reason, '')
    out[#out + 1] = m
  end
end
flush()
return out

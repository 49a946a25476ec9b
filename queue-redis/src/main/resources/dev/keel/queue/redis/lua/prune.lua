-- prune: delete up to `limit` terminal jobs whose finishedAt is older than their state's
-- retention, with their index entries, counters, idempotency keys, concurrency-key entries, step
-- records and signals.
-- ARGV[3..5] = retention in us for SUCCEEDED, FAILED, CANCELLED; ARGV[6] = limit.
-- Returns the number of jobs deleted.
local now = now_us()
local remaining = tonumber(ARGV[6])
local states = {'SUCCEEDED', 'FAILED', 'CANCELLED'}
local deleted = 0
for s = 1, 3 do
  if remaining <= 0 then
    break
  end
  local state = states[s]
  local registry = P .. 'finished:' .. state
  local cutoff = now - tonumber(ARGV[2 + s])
  local scored = redis.call('ZRANGEBYSCORE', registry, '-inf', fmt(cutoff), 'WITHSCORES', 'LIMIT', 0,
    remaining)
  for m = 1, #scored, 2 do
    local member = scored[m]
    local id, tenant, jtype, queue = parse_finished_member(member)
    local jk = job_key(id)
    local f = redis.call('HMGET', jk, 'state', 'idempotencyKey', 'queue', 'concurrencyKey')
    queue = queue or f[3] or nil
    -- A job re-driven since has left the registry already; this guards a stale member.
    if f[1] == false or f[1] == state then
      if f[2] then
        local ik = idem_key(tenant, f[2])
        if redis.call('GET', ik) == id then
          redis.call('DEL', ik)
        end
      end
      if f[4] then
        -- claim drops it too, but only when the key is claimed again: a key's last jobs leave here.
        redis.call('SREM', P .. 'ckey:' .. f[4], id)
      end
      -- Its step records and signals go with it (a job's hash may have expired before them).
      redis.call('DEL', jk, steps_key(id), signals_key(id))
      redis.call('ZREM', P .. 'jobs:' .. tenant, id)
      count(tenant, jtype, queue, state, nil)
      fin_count(tonumber(scored[m + 1]), tenant, jtype, state, -1)
      deleted = deleted + 1
    end
    redis.call('ZREM', registry, member)
  end
  remaining = remaining - #scored / 2
end
flush()
return deleted

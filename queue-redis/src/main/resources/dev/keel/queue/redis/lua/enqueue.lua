-- enqueue: insert a batch of jobs as PENDING, all or nothing, resolving idempotency keys.
-- ARGV[3] = number of jobs; then 14 arguments per job:
--   id, type, queue, tenant, payload, priority, maxAttempts, runAtUs ('' = now + delay), delayUs,
--   timeout ('' = none), idempotencyKey ('' = none), idempotencyWindowMs ('' = while active),
--   traceparent ('' = none), metadata JSON ('' = none)
-- Returns {id, created (1/0), state} per job, flattened, or {'CONFLICT', tenant, key, holderId}
-- having written nothing.
local n = tonumber(ARGV[3])
local W = 14
local now = now_us()

-- Pass 1 decides every job without writing, so a conflict anywhere leaves the request unwritten.
local results = {}
local claimed_keys = {}
for i = 0, n - 1 do
  local b = 4 + i * W
  local id, tenant, payload, key = ARGV[b], ARGV[b + 3], ARGV[b + 4], ARGV[b + 10]
  local existing = redis.call('HGET', job_key(id), 'state')
  if existing then
    -- The same request sent again (a client retry after a lost reply): report, do not insert.
    results[i + 1] = {id, '1', existing}
  elseif key ~= '' then
    local ik = idem_key(tenant, key)
    local holder = claimed_keys[ik]
    if not holder then
      local hid = redis.call('GET', ik)
      if hid then
        local h = redis.call('HMGET', job_key(hid), 'payload', 'state', 'idempotencyWindowMs')
        local active = h[2] == 'PENDING' or h[2] == 'RUNNING'
        -- A finished holder still holds the key only under a window policy (the key's TTL).
        if h[2] and (active or h[3]) then
          holder = {hid, h[1], h[2]}
        end
      end
    end
    if holder then
      if holder[2] ~= payload then
        return {'CONFLICT', tenant, key, holder[1]}
      end
      results[i + 1] = {holder[1], '0', holder[3]}
    else
      results[i + 1] = {id, '1', 'PENDING', true}
      claimed_keys[ik] = {id, payload, 'PENDING'}
    end
  else
    results[i + 1] = {id, '1', 'PENDING', true}
  end
end

-- Pass 2 writes. Optional fields are arguments 9..13 of a job; empty ones are not stored.
local OPTIONAL_FIELDS = {'timeout', 'idempotencyKey', 'idempotencyWindowMs', 'traceparent', 'metadata'}
local now_text = fmt(now)
local known_queues, known_tenants = {}, {}
for i = 0, n - 1 do
  local r = results[i + 1]
  if r[4] then
    local b = 4 + i * W
    local id, jtype, queue, tenant = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
    local priority = tonumber(ARGV[b + 5])
    local run_at
    if ARGV[b + 7] ~= '' then
      run_at = tonumber(ARGV[b + 7])
    else
      run_at = now + tonumber(ARGV[b + 8])
    end
    local jk = job_key(id)
    local f = {'id', id, 'type', jtype, 'queue', queue, 'tenant', tenant, 'payload', ARGV[b + 4],
      'priority', ARGV[b + 5], 'state', 'PENDING', 'attempt', '0', 'maxAttempts', ARGV[b + 6],
      'runAt', fmt(run_at), 'createdAt', now_text}
    for k, field in ipairs(OPTIONAL_FIELDS) do
      local value = ARGV[b + 8 + k]
      if value ~= '' then
        f[#f + 1] = field
        f[#f + 1] = value
      end
    end
    redis.call('HSET', jk, unpack(f))
    redis.call('ZADD', P .. 'jobs:' .. tenant, 0, id)
    if ARGV[b + 10] ~= '' then
      local ik = idem_key(tenant, ARGV[b + 10])
      redis.call('SET', ik, id)
    end
    if not known_queues[queue] then
      redis.call('SADD', P .. 'queues', queue)
      known_queues[queue] = true
    end
    if not known_tenants[tenant] then
      redis.call('SADD', P .. 'tenants', tenant)
      known_tenants[tenant] = true
    end
    count(tenant, jtype, nil, 'PENDING')
    place_pending(id, queue, jtype, tenant, priority, run_at, now)
  end
end
flush()

local out = {}
for i = 1, n do
  local r = results[i]
  out[#out + 1] = r[1]
  out[#out + 1] = r[2]
  out[#out + 1] = r[3]
end
return out

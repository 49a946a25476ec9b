-- enqueue: insert a batch of jobs as PENDING, all or nothing, resolving idempotency keys.
-- ARGV[3] = number of jobs n, ARGV[4] = number of profiles p; then 11 arguments per profile:
--   type, queue, tenant, priority, maxAttempts, runAtUs ('' = now + delay), delayUs,
--   timeout ('' = none), idempotencyWindowMs ('' = while active), traceparent ('' = none),
--   metadata JSON ('' = none)
-- then 4 arguments per job: id, payload, idempotencyKey ('' = none), profile number (1-based).
-- (Jobs of a bulk enqueue share a few profiles, so a batch sends ~4 arguments per job, not 14.)
-- Returns {id, created (1/0), state} per job, flattened, or {'CONFLICT', tenant, key, holderId}
-- having written nothing.
local n = tonumber(ARGV[3])
local PROFILE_BASE = 5
local PW = 11
local JOB_BASE = PROFILE_BASE + tonumber(ARGV[4]) * PW
local W = 4

-- The first argument of job i's profile (0-based i).
local function profile(i)
  return PROFILE_BASE + (tonumber(ARGV[JOB_BASE + i * W + 3]) - 1) * PW
end
local now = now_us()

-- Most requests are new: one EXISTS per 500 ids says so, and only a request that was sent before
-- (a client retry after a lost reply) looks its jobs up one by one.
local resent = false
for first = 0, n - 1, 500 do
  local keys = {}
  for i = first, math.min(n - 1, first + 499) do
    keys[#keys + 1] = job_key(ARGV[JOB_BASE + i * W])
  end
  if redis.call('EXISTS', unpack(keys)) > 0 then
    resent = true
    break
  end
end

-- Pass 1 decides every job without writing, so a conflict anywhere leaves the request unwritten.
local results = {}
local claimed_keys = {}
for i = 0, n - 1 do
  local b = JOB_BASE + i * W
  local id, payload, key = ARGV[b], ARGV[b + 1], ARGV[b + 2]
  local tenant = ARGV[profile(i) + 2]
  local existing = resent and redis.call('HGET', job_key(id), 'state')
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

-- Pass 2 writes. Empty optional fields are not stored.
-- Additions to sorted sets are gathered per key and written with one ZADD per 500 members: a
-- batch of one queue, type and tenant touches three sets, and a call per job and set was most
-- of the script's time.
local zsets = {}
local function zadd_later(key, score, member)
  local members = zsets[key]
  if not members then
    members = {}
    zsets[key] = members
  end
  members[#members + 1] = score
  members[#members + 1] = member
end
local now_text = fmt(now)
local known_queues, known_tenants = {}, {}
for i = 0, n - 1 do
  local r = results[i + 1]
  if r[4] then
    local b = JOB_BASE + i * W
    local pb = profile(i)
    local id, key = ARGV[b], ARGV[b + 2]
    local jtype, queue, tenant = ARGV[pb], ARGV[pb + 1], ARGV[pb + 2]
    local priority = tonumber(ARGV[pb + 3])
    local run_at
    if ARGV[pb + 5] ~= '' then
      run_at = tonumber(ARGV[pb + 5])
    else
      run_at = now + tonumber(ARGV[pb + 6])
    end
    local jk = job_key(id)
    local f = {'id', id, 'type', jtype, 'queue', queue, 'tenant', tenant, 'payload', ARGV[b + 1],
      'priority', ARGV[pb + 3], 'state', 'PENDING', 'attempt', '0', 'maxAttempts', ARGV[pb + 4],
      'runAt', fmt(run_at), 'createdAt', now_text}
    local optional = {
      'timeout', ARGV[pb + 7], 'idempotencyKey', key, 'idempotencyWindowMs', ARGV[pb + 8],
      'traceparent', ARGV[pb + 9], 'metadata', ARGV[pb + 10]}
    for k = 1, #optional, 2 do
      if optional[k + 1] ~= '' then
        f[#f + 1] = optional[k]
        f[#f + 1] = optional[k + 1]
      end
    end
    redis.call('HSET', jk, unpack(f))
    zadd_later(P .. 'jobs:' .. tenant, '0', id)
    if key ~= '' then
      redis.call('SET', idem_key(tenant, key), id)
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
    place_pending(id, queue, jtype, tenant, priority, run_at, now, zadd_later)
  end
end
for key, members in pairs(zsets) do
  for first = 1, #members, 1000 do
    redis.call('ZADD', key, unpack(members, first, math.min(#members, first + 999)))
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

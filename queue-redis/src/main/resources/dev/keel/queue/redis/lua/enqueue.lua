-- enqueue: insert a batch of jobs as PENDING, all or nothing, resolving idempotency keys.
-- ARGV[3] = number of jobs n, ARGV[4] = number of profiles p; then 19 arguments per profile:
--   type, queue, tenant, priority, maxAttempts, runAtUs ('' = now + delay), delayUs,
--   timeout ('' = none), idempotencyWindowMs ('' = while active), traceparent ('' = none),
--   metadata JSON ('' = none), concurrencyKey ('' = none), concurrencyLimit ('' = none),
--   batchId, dependsOn (comma-separated ids), depFail, callbackOf, cbSuccess, blocked ('1')
-- then 4 arguments per job: id, payload, idempotencyKey ('' = none), profile number (1-based);
-- then, optionally, the number of new batches and 5 arguments per batch: id, tenant,
-- maxRunning, onSuccess job ('' = none), onComplete job ('' = none).
-- (Jobs of a bulk enqueue share a few profiles, so a batch sends ~4 arguments per job, not 14.)
-- Returns {'CREATED'} when every job was inserted under its own id as PENDING, else
-- {id, created (1/0), state} per job, flattened, or {'CONFLICT', tenant, key, holderId} or
-- {'INVALID', field, rule} (a batch or dependency that does not exist) having written nothing.
--
-- Everything a job's profile decides (due time, ready score, key names, optional fields) is worked
-- out once per profile, so the per-job work is one HSET and a few table appends: on a 2-core
-- machine string formatting and concatenation in Lua cost about as much as the HSET itself.
local n = tonumber(ARGV[3])
local np = tonumber(ARGV[4])
local PROFILE_BASE = 5
local PW = PROFILE_WIDTH
local JOB_BASE = PROFILE_BASE + np * PW
local W = 4
local now = now_us()
local now_text = fmt(now)

local profiles = read_profiles(PROFILE_BASE, np, now)

-- Most requests are new: one EXISTS per 500 ids says so, and only a request that was sent before
-- (a client retry after a lost reply) looks its jobs up one by one.
-- (The job keys built for it are kept for pass 2.)
local job_keys = {}
for i = 0, n - 1 do
  job_keys[i + 1] = job_key(ARGV[JOB_BASE + i * W])
end
local resent = false
for first = 1, n, 500 do
  if redis.call('EXISTS', unpack(job_keys, first, math.min(n, first + 499))) > 0 then
    resent = true
    break
  end
end

-- Pass 1 decides every job without writing, so a conflict anywhere leaves the request unwritten.
-- results[i] stays nil for a job inserted under its own id (the common case); otherwise it holds
-- {id, created, state, insert?}.
local results = {}
local all_created = true
local claimed_keys = {}
for i = 0, n - 1 do
  local b = JOB_BASE + i * W
  local key = ARGV[b + 2]
  if resent or key ~= '' then
    local id, payload = ARGV[b], ARGV[b + 1]
    local tenant = profiles[tonumber(ARGV[b + 3])].tenant
    local stored = resent and redis.call('HMGET', job_keys[i + 1], 'state', 'tenant', 'payload')
    local existing = stored and stored[1]
    if existing and (stored[2] ~= tenant or stored[3] ~= payload) then
      -- Not this request sent again: an id chosen by the caller (JobRequest.withId) is taken.
      return {'INVALID', 'id', 'is already the id of a stored job: an id chosen with'
        .. ' JobRequest.withId must be new (nothing of the request was written)'}
    end
    if existing then
      -- The same request sent again (a client retry after a lost reply): report, do not insert.
      results[i + 1] = {id, '1', existing}
      all_created = false
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
        all_created = false
      else
        claimed_keys[ik] = {id, payload, 'PENDING'}
      end
    end
  end
end

-- Links: the batches joined must exist in the job's tenant and be open, the dependencies must
-- exist in it (or be in this request). Checked per profile, before anything is written.
local BATCH_BASE = JOB_BASE + n * W
local nb = tonumber(ARGV[BATCH_BASE] or '0')
local linked = nb > 0
for _, pr in ipairs(profiles) do
  if pr.batch_id or pr.depends_on or pr.callback_of then
    linked = true
  end
end
if linked then
  local new_batches, in_request = {}, {}
  for k = 0, nb - 1 do
    new_batches[ARGV[BATCH_BASE + 1 + k * 5]] = true
  end
  for i = 0, n - 1 do
    in_request[ARGV[JOB_BASE + i * W]] = profiles[tonumber(ARGV[JOB_BASE + i * W + 3])].tenant
  end
  for _, pr in ipairs(profiles) do
    if pr.batch_id and not new_batches[pr.batch_id] then
      local b = redis.call('HMGET', batch_key(pr.batch_id), 'tenant', 'completedAt', 'cancelledAt')
      if b[1] ~= pr.tenant then
        return {'INVALID', 'batchId', 'names no batch ' .. pr.batch_id .. ' in tenant ' .. pr.tenant}
      end
      if b[2] then
        return {'INVALID', 'batchId', 'names batch ' .. pr.batch_id .. ', which is already complete'}
      end
      if b[3] then
        return {'INVALID', 'batchId', 'names batch ' .. pr.batch_id .. ', which was cancelled'}
      end
    end
    for _, dep in ipairs(split_ids(pr.depends_on)) do
      local t = in_request[dep] or redis.call('HGET', job_key(dep), 'tenant')
      if t ~= pr.tenant then
        return {'INVALID', 'dependsOn', 'names no job ' .. dep .. ' in tenant ' .. pr.tenant}
      end
    end
  end
  for k = 0, nb - 1 do
    local a = BATCH_BASE + 1 + k * 5
    local bk = batch_key(ARGV[a])
    if redis.call('EXISTS', bk) == 0 then
      local f = {'id', ARGV[a], 'tenant', ARGV[a + 1], 'maxRunning', ARGV[a + 2], 'createdAt',
        now_text}
      if ARGV[a + 3] ~= '' then
        f[#f + 1] = 'onSuccess'
        f[#f + 1] = ARGV[a + 3]
      end
      if ARGV[a + 4] ~= '' then
        f[#f + 1] = 'onComplete'
        f[#f + 1] = ARGV[a + 4]
      end
      redis.call('HSET', bk, unpack(f))
      redis.call('SADD', P .. 'batches:open', ARGV[a])
    end
  end
end

-- Pass 2 writes. Empty optional fields are not stored. Additions to sorted sets are gathered per
-- profile and written with one ZADD per 500 members.
for i = 0, n - 1 do
  if not results[i + 1] then
    local b = JOB_BASE + i * W
    local id, payload, key = ARGV[b], ARGV[b + 1], ARGV[b + 2]
    local pr = profiles[tonumber(ARGV[b + 3])]
    write_new_job(job_keys[i + 1], id, payload, key, pr, now, now_text)
  end
end
-- After every job is written, so that a dependency later in the request is marked too. A job of
-- the request resolved to an existing job by its idempotency key: its dependents wait for that one.
if linked then
  local resolved_to = {}
  for i = 0, n - 1 do
    local r = results[i + 1]
    if r and r[1] ~= ARGV[JOB_BASE + i * W] then
      resolved_to[ARGV[JOB_BASE + i * W]] = r[1]
    end
  end
  for i = 0, n - 1 do
    if not results[i + 1] then
      local b = JOB_BASE + i * W
      write_links(ARGV[b], profiles[tonumber(ARGV[b + 3])], resolved_to)
    end
  end
end

finish_profiles(profiles)
flush()

if all_created then
  return {'CREATED'}
end
local out = {}
for i = 0, n - 1 do
  local r = results[i + 1]
  if r then
    out[#out + 1] = r[1]
    out[#out + 1] = r[2]
    out[#out + 1] = r[3]
  else
    out[#out + 1] = ARGV[JOB_BASE + i * W]
    out[#out + 1] = '1'
    out[#out + 1] = 'PENDING'
  end
end
return out

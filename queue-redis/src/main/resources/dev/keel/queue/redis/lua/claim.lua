-- claim: lease up to `limit` due PENDING jobs matching the filters, chosen globally across the
-- requested queues (and, within a queue, its job types) by priority, then run-at, then id.
-- ARGV[3] = owner, ARGV[4] = lease duration in us, ARGV[5] = limit, ARGV[6] = tenant ('' = any),
-- then: nQueues, queues..., nInclude, includeTypes..., nExclude, excludeTypes..., then a random
-- token base; the n-th claimed job's lease token is base .. '.' .. n.
-- Returns {now, leaseExpiresAt, job 1, job 2, ...} in claim order, each job the HGETALL array of
-- its hash as it was before the claim: the claim itself set state RUNNING, attempt + 1,
-- startedAt = heartbeatAt = now, leaseOwner = owner, leaseToken = base .. '.' .. n and
-- leaseExpiresAt, which the caller lays over it. (One HGETALL per job instead of a look-up before
-- and a read-back after the write.)
local owner = ARGV[3]
local lease_us = tonumber(ARGV[4])
local limit = tonumber(ARGV[5])
local tenant = ARGV[6]
local pos = 7
local function read_list()
  local count_ = tonumber(ARGV[pos])
  local list = {}
  for i = 1, count_ do
    list[i] = ARGV[pos + i]
  end
  pos = pos + count_ + 1
  return list
end
local queues = read_list()
local include = read_list()
local exclude = read_list()
local token_base = ARGV[pos]

local now = now_us()
promote(now, 1000)

-- Concurrency keys: a candidate with a key is chosen only while fewer than its limit of the key's
-- jobs hold an unexpired lease. P .. 'ckey:' .. key holds the ids of the jobs this script leased
-- under the key; a member counts while its score in the running registry (the lease expiry) is
-- still ahead of now, and a member that left the registry (finished, cancelled, rescued) is
-- dropped here, so no other script has to maintain the set.
local key_running = {}
local function running_of(ck)
  local running = key_running[ck]
  if running == nil then
    running = 0
    local sk = P .. 'ckey:' .. ck
    for _, member in ipairs(redis.call('SMEMBERS', sk)) do
      local expires = redis.call('ZSCORE', P .. 'running', member)
      if not expires then
        redis.call('SREM', sk, member)
      elseif tonumber(expires) > now then
        running = running + 1
      end
    end
    key_running[ck] = running
  end
  return running
end

-- A due job whose key is full is parked: moved from its ready set to P .. 'cpark:' .. key (same
-- score), and the key listed in P .. 'cparked', so that later claims do not walk past it (a key
-- with thousands of waiting jobs would otherwise cost every claim thousands of reads). Each claim
-- first gives every parked key its free slots back: that many of its first parked jobs return to
-- their ready sets. A parked job that is no longer PENDING (cancelled) is dropped then.
for _, ck in ipairs(redis.call('SMEMBERS', P .. 'cparked')) do
  local pk = P .. 'cpark:' .. ck
  local head = redis.call('ZRANGE', pk, 0, 0)
  local room = 0
  if head[1] then
    local limit = tonumber(redis.call('HGET', job_key(head[1]), 'concurrencyLimit')) or 1
    room = limit - running_of(ck)
  end
  -- Members that are no longer PENDING do not use up the room: read on until it is filled.
  while room > 0 do
    local back = redis.call('ZRANGE', pk, 0, room - 1, 'WITHSCORES')
    if #back == 0 then
      break
    end
    for k = 1, #back, 2 do
      local id = back[k]
      local f = redis.call('HMGET', job_key(id), 'state', 'queue', 'type')
      if f[1] == 'PENDING' then
        redis.call('ZADD', ready_key(f[2], f[3]), back[k + 1], id)
        register_type(f[2], f[3])
        room = room - 1
      end
      redis.call('ZREM', pk, id)
    end
  end
  if redis.call('EXISTS', pk) == 0 then
    redis.call('SREM', P .. 'cparked', ck)
  end
end

local function key_has_room(ck, limit)
  return running_of(ck) < limit
end

local parks = {}


if #queues == 0 then
  queues = redis.call('SMEMBERS', P .. 'queues')
end
local excluded = {}
for _, t in ipairs(exclude) do
  excluded[t] = true
end

-- One source per (queue, type) ready set; each is read lazily in chunks.
local sources = {}
for _, q in ipairs(queues) do
  local types = include
  if #types == 0 then
    types = redis.call('SMEMBERS', P .. 'types:' .. q)
  end
  for _, t in ipairs(types) do
    if not excluded[t] then
      sources[#sources + 1] = {key = ready_key(q, t), queue = q, type = t, buf = {}, i = 1, off = 0,
        done = false, taken = 0}
    end
  end
end

local CHUNK = math.max(limit, 32)
local function head(s)
  if s.i > #s.buf then
    if s.done then
      return nil
    end
    local r = redis.call('ZRANGE', s.key, s.off, s.off + CHUNK - 1, 'WITHSCORES')
    s.off = s.off + CHUNK
    s.buf = {}
    for k = 1, #r, 2 do
      s.buf[#s.buf + 1] = {r[k], tonumber(r[k + 1])}
    end
    s.i = 1
    if #s.buf < CHUNK then
      s.done = true
    end
    if #s.buf == 0 then
      return nil
    end
  end
  return s.buf[s.i]
end

-- Selection reads only; the ready sets are changed afterwards so chunk offsets stay valid.
local chosen, strays = {}, {}
-- Parking is bounded too, so that one claim after a burst of jobs of a full key does not read them
-- all in one script call (which would hold Redis for as long): 4,096 parked jobs cost the script a
-- few milliseconds, and the next claims park the rest. Until then, jobs behind such a burst wait
-- for those claims (a poll interval each when the claim comes back short).
local MAX_PARKS = limit + 4096
while #chosen < limit and #parks < MAX_PARKS do
  local best, best_source = nil, nil
  for _, s in ipairs(sources) do
    local h = head(s)
    if h and (best == nil or h[2] < best[2] or (h[2] == best[2] and h[1] < best[1])) then
      best, best_source = h, s
    end
  end
  if best == nil then
    break
  end
  best_source.i = best_source.i + 1
  local jk = job_key(best[1])
  if tenant == '' then
    local flat = redis.call('HGETALL', jk)
    local state, job_tenant, attempt, ck, climit
    for k = 1, #flat, 2 do
      local field = flat[k]
      if field == 'state' then
        state = flat[k + 1]
      elseif field == 'tenant' then
        job_tenant = flat[k + 1]
      elseif field == 'attempt' then
        attempt = flat[k + 1]
      elseif field == 'concurrencyKey' then
        ck = flat[k + 1]
      elseif field == 'concurrencyLimit' then
        climit = tonumber(flat[k + 1])
      end
    end
    if state ~= 'PENDING' then
      strays[#strays + 1] = {best_source, best[1]}
    elseif ck == nil or key_has_room(ck, climit) then
      if ck then
        key_running[ck] = key_running[ck] + 1
      end
      chosen[#chosen + 1] = {best[1], best_source, job_tenant, tonumber(attempt), flat, ck}
    else
      parks[#parks + 1] = {best_source, best[1], best[2], ck}
    end
  else
    -- A tenant's claim may pass over many jobs of other tenants: look at the tenant alone first.
    local f = redis.call('HMGET', jk, 'state', 'tenant', 'attempt', 'concurrencyKey',
      'concurrencyLimit')
    if f[1] ~= 'PENDING' then
      strays[#strays + 1] = {best_source, best[1]}
    elseif f[2] == tenant then
      if not f[4] or key_has_room(f[4], tonumber(f[5])) then
        if f[4] then
          key_running[f[4]] = key_running[f[4]] + 1
        end
        chosen[#chosen + 1] = {best[1], best_source, f[2], tonumber(f[3]), nil, f[4]}
      else
        parks[#parks + 1] = {best_source, best[1], best[2], f[4]}
      end
    end
  end
end

-- Sorted-set changes are gathered and written in a few commands (lib's zrem_later/zadd_later)
-- before the registry check below, which must see them.
for _, s in ipairs(strays) do
  zrem_later(s[1].key, s[2])
end
for _, pj in ipairs(parks) do
  zrem_later(pj[1].key, pj[2])
  zadd_later(P .. 'cpark:' .. pj[4], fmt(pj[3]), pj[2])
  redis.call('SADD', P .. 'cparked', pj[4])
  pj[1].taken = pj[1].taken + 1
end

local out = {}
local expires_text = fmt(now + lease_us)
local now_text = fmt(now)
out[1] = now_text
out[2] = expires_text
for n, c in ipairs(chosen) do
  local id, s, job_tenant, attempt, flat, ck = c[1], c[2], c[3], c[4], c[5], c[6]
  local jk = job_key(id)
  zrem_later(s.key, id)
  s.taken = s.taken + 1
  zrem_later(P .. 'due:' .. job_tenant, id)
  if not flat then
    flat = redis.call('HGETALL', jk)
  end
  redis.call('HSET', jk, 'state', 'RUNNING', 'attempt', attempt + 1,
    'startedAt', now_text, 'heartbeatAt', now_text, 'leaseOwner', owner,
    'leaseToken', token_base .. '.' .. n, 'leaseExpiresAt', expires_text)
  zadd_later(P .. 'running', expires_text, id)
  -- A suspended job that runs again (its delay passed, or a signal woke it) no longer waits for a
  -- signal: only the next suspend sets `awaiting` again.
  for k = 1, #flat, 2 do
    if flat[k] == 'awaiting' then
      redis.call('HDEL', jk, 'awaiting')
      break
    end
  end
  if ck then
    redis.call('SADD', P .. 'ckey:' .. ck, id)
  end
  count(job_tenant, s.type, s.queue, 'PENDING', 'RUNNING')
  out[n + 2] = flat
end
write_sorted_sets()

-- A type leaves its queue's registry once its ready set is empty, so claims do not keep
-- visiting dead sets; the next insert registers it again.
for _, s in ipairs(sources) do
  if (s.taken > 0 or (s.done and s.off == CHUNK and #s.buf == 0))
      and redis.call('ZCARD', s.key) == 0 then
    redis.call('SREM', P .. 'types:' .. s.queue, s.type)
  end
end
flush()
return out

-- resolve: release or end the blocked jobs whose wait is decided, cascading, in one atomic step.
-- ARGV[3] = sweep limit ('' = no sweep), ARGV[4] = number of ended jobs e, then e ids, then the
-- number of batches b, then b batch ids.
-- Returns {released ids..., '|', cancelled ids..., '|', failed ids..., '|', completed batch ids...}.
local now = now_us()
local sweep = ARGV[3] ~= '' and tonumber(ARGV[3]) or nil
local ne = tonumber(ARGV[4])
local ended, batches, batch_seen = {}, {}, {}
local function add_batch(id)
  if not batch_seen[id] then
    batch_seen[id] = true
    batches[#batches + 1] = id
  end
end
for i = 1, ne do
  ended[#ended + 1] = ARGV[4 + i]
end
local nb = tonumber(ARGV[5 + ne])
for i = 1, nb do
  add_batch(ARGV[5 + ne + i])
end
local released, cancelled, failed, completed = {}, {}, {}, {}

local END_FIELDS = {'id', 'tenant', 'type', 'queue', 'state', 'idempotencyKey',
  'idempotencyWindowMs', 'blocked', 'priority', 'dependsOn', 'depFail', 'hs'}
local function job_fields(id)
  local v = redis.call('HMGET', job_key(id), unpack(END_FIELDS))
  if not v[1] then
    return nil
  end
  local j = {}
  for k, f in ipairs(END_FIELDS) do
    if v[k] then
      j[f] = v[k]
    end
  end
  return j
end

-- Drops one edge: id no longer waits for dep.
local function drop_edge(id, dep)
  local dk = P .. 'deps:' .. dep
  redis.call('SREM', dk, id)
  redis.call('SREM', P .. 'wdeps:' .. id, dep)
  if redis.call('SCARD', dk) == 0 then
    redis.call('SREM', P .. 'waitedfor', dep)
  end
end

-- Drops every edge of a decided job (or of one no longer blocked, or gone).
local function drop_edges(id)
  for _, dep in ipairs(redis.call('SMEMBERS', P .. 'wdeps:' .. id)) do
    drop_edge(id, dep)
  end
  redis.call('DEL', P .. 'wdeps:' .. id)
end

local function release(id, j)
  redis.call('HDEL', job_key(id), 'blocked')
  redis.call('HSET', job_key(id), 'runAt', fmt(now))
  place_pending(id, j['queue'], j['type'], j['tenant'], tonumber(j['priority']), now, now)
  released[#released + 1] = id
end

local function finish_blocked(id, j, state, message)
  make_terminal(job_key(id), j, state, now, message, '')
  if state == 'FAILED' then
    failed[#failed + 1] = id
  else
    cancelled[#cancelled + 1] = id
  end
  ended[#ended + 1] = id
end

-- A blocked job with dependencies, reached through its dependency via: released, ended, or left
-- waiting. A dependency seen SUCCEEDED is crossed off (its edge dropped), so a success still
-- counts after that job is pruned.
local function decide(id, via)
  local j = job_fields(id)
  if not j or j['state'] ~= 'PENDING' or j['blocked'] ~= '1' then
    drop_edge(id, via)
    drop_edges(id)
    return
  end
  local all_ok = true
  for _, dep in ipairs(redis.call('SMEMBERS', P .. 'wdeps:' .. id)) do
    local s = redis.call('HGET', job_key(dep), 'state')
    if s == 'SUCCEEDED' then
      drop_edge(id, dep)
    elseif not s or s == 'FAILED' or s == 'CANCELLED' then
      local why = 'dependency ' .. dep .. (s and (' ended ' .. s) or ' no longer exists')
        .. ', so this job will not run'
      finish_blocked(id, j, j['depFail'] == 'fail' and 'FAILED' or 'CANCELLED', why)
      drop_edges(id)
      return
    else
      all_ok = false
    end
  end
  if all_ok then
    release(id, j)
    drop_edges(id)
  end
end

local function callback(id, cancel_reason)
  if not id then
    return
  end
  local j = job_fields(id)
  if not j or j['state'] ~= 'PENDING' or j['blocked'] ~= '1' then
    return
  end
  if cancel_reason then
    finish_blocked(id, j, 'CANCELLED', cancel_reason)
  else
    release(id, j)
  end
end

-- Whether a batch still has an active member; members seen ended are dropped from its active set
-- on the way, so a later check starts after them.
local function has_active(bid)
  local ak = P .. 'bactive:' .. bid
  for _, m in ipairs(redis.call('SMEMBERS', ak)) do
    local s = redis.call('HGET', job_key(m), 'state')
    if s and not is_terminal(s) then
      return true
    end
    redis.call('SREM', ak, m)
  end
  return false
end

-- An open batch whose members all ended: completed with its counts, callbacks decided.
local function complete(bid)
  local bk = batch_key(bid)
  local b = redis.call('HMGET', bk, 'id', 'completedAt', 'onSuccess', 'onComplete')
  if not b[1] or b[2] or has_active(bid) then
    return
  end
  local counts = {}
  for _, m in ipairs(redis.call('SMEMBERS', P .. 'bmembers:' .. bid)) do
    local s = redis.call('HGET', job_key(m), 'state')
    if s then
      counts[s] = (counts[s] or 0) + 1
    end
  end
  redis.call('HSET', bk, 'completedAt', fmt(now), 'counts', cjson.encode(counts))
  redis.call('SREM', P .. 'batches:open', bid)
  redis.call('ZADD', P .. 'batches:done', fmt(now), bid)
  completed[#completed + 1] = bid
  callback(b[4], nil)
  local bad = (counts['FAILED'] or 0) + (counts['CANCELLED'] or 0)
  if bad == 0 then
    callback(b[3], nil)
  else
    callback(b[3], 'batch ' .. bid .. ' did not fully succeed: ' .. (counts['FAILED'] or 0)
      .. ' FAILED, ' .. (counts['CANCELLED'] or 0) .. ' CANCELLED')
  end
end

if sweep then
  local n = 0
  for _, dep in ipairs(redis.call('SMEMBERS', P .. 'waitedfor')) do
    if n >= sweep then
      break
    end
    local s = redis.call('HGET', job_key(dep), 'state')
    if not s or is_terminal(s) then
      ended[#ended + 1] = dep
      n = n + 1
    end
  end
  n = 0
  for _, bid in ipairs(redis.call('SMEMBERS', P .. 'batches:open')) do
    if n >= sweep then
      break
    end
    if not has_active(bid) then
      add_batch(bid)
      n = n + 1
    end
  end
end

local rounds = 0
while (#ended > 0 or #batches > 0) and rounds < 100000 do
  rounds = rounds + 1
  local id = table.remove(ended)
  if id then
    local f = redis.call('HMGET', job_key(id), 'state', 'batchId')
    if not f[1] or is_terminal(f[1]) then
      if f[2] then
        add_batch(f[2])
      end
      for _, w in ipairs(redis.call('SMEMBERS', P .. 'deps:' .. id)) do
        decide(w, id)
      end
    end
  else
    local bid = table.remove(batches)
    batch_seen[bid] = nil
    complete(bid)
  end
end
flush()

local out = {}
for _, list in ipairs({released, cancelled, failed, completed}) do
  for _, id in ipairs(list) do
    out[#out + 1] = id
  end
  out[#out + 1] = '|'
end
return out

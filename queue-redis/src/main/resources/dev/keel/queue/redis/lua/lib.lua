-- Shared helpers. The loader prepends this file to every operation script, so each operation
-- stays one self-contained script (one EVALSHA) while the key layout is written down once.
--
-- Calling convention of every script:
--   KEYS[1] = the namespace's routing key "{ns}:queues"; every other key shares its hash tag,
--             so the whole namespace lives in one cluster slot and every script is single-slot.
--   ARGV[1] = the key prefix "{ns}:"
--   ARGV[2] = TTL in ms put on a finished job's hash as a backstop to prune (0 = none)
--   ARGV[3..] the operation's own arguments.
-- Times are microseconds since the epoch from Redis TIME, never from the caller.

local P = ARGV[1]
local FINISHED_TTL_MS = tonumber(ARGV[2])
local MIN_PRIORITY = -100
-- One priority band of the ready score: 2^42 ms (about 139 years) of run-at time.
local BAND = 4398046511104
local WAKEUP_CHANNEL = P .. 'wakeup'
local SCHEDULE_CHANGED = '#scheduled'

-- Lua's default number formatting keeps 14 digits; microsecond times need 16. A batch formats
-- the same time (its `now`) once per job, so the last result is kept.
local last_fmt_n, last_fmt_s
local function fmt(n)
  if n ~= last_fmt_n then
    last_fmt_n, last_fmt_s = n, string.format('%.0f', n)
  end
  return last_fmt_s
end

local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function job_key(id)
  return P .. 'job:' .. id
end

-- '|' never occurs in queue, type or tenant names, so these compound keys are unambiguous.
local function ready_key(queue, jtype)
  return P .. 'ready:' .. queue .. '|' .. jtype
end

local function idem_key(tenant, key)
  return P .. 'idem:' .. tenant .. '|' .. key
end

-- A job's durable step records (field = step name) and signals (field = signal name); both are
-- deleted with the job and get its TTL when it finishes (see make_terminal). The job hash carries
-- hs = '1' once either may exist, so that the scripts ending a job touch them only then.
local function steps_key(id)
  return P .. 'steps:' .. id
end

local function signals_key(id)
  return P .. 'signals:' .. id
end

-- Names Keel itself uses for signals (SignalRequest.CONTROL_PREFIX): cancel or compensate.
local CONTROL_PREFIX = 'keel:'

local function is_control(name)
  return string.sub(name, 1, #CONTROL_PREFIX) == CONTROL_PREFIX
end

-- Children signals (SignalRequest.CHILDREN_PREFIX) end one children step and are never deleted:
-- they wake only a suspend awaiting exactly them, not any suspend as cancel and compensate do.
local CHILDREN_PREFIX = 'keel:children:'

local function wakes_any(name)
  return is_control(name) and string.sub(name, 1, #CHILDREN_PREFIX) ~= CHILDREN_PREFIX
end

local function to_map(flat)
  local m = {}
  for i = 1, #flat, 2 do
    m[flat[i]] = flat[i + 1]
  end
  return m
end

-- Ready order is priority, then run-at (ms), then id: ties in a zset are ordered by member, and
-- ids are UUIDv7 strings whose lexicographic order is their time order.
local function ready_score(priority, run_at_us)
  local ms = math.floor(run_at_us / 1000)
  if ms < 0 then
    ms = 0
  elseif ms >= BAND then
    ms = BAND - 1
  end
  return (priority - MIN_PRIORITY) * BAND + ms
end

-- Effects gathered during a script and applied once at its end by flush(), so a batch of
-- thousands of jobs costs one counter update per (tenant, type, state) and per (tenant, queue,
-- state), and one message per queue.
local wake = {}
local schedule_changed = false
local count_deltas = {}
local queue_count_deltas = {}
local registered_types = {}

-- Jobs finished per minute: hash P..'fin:'..minute (minute = finishedAt µs / 60 s), field
-- tenant|type|STATE, so stats sums an hour's window from 60 small hashes instead of ranging over
-- every job that finished in it. Kept FIN_TTL_S; P..'fin:start' is the finish time from which the
-- buckets are complete (0: from the start; a namespace written before them: the next minute).
local FIN_BUCKET_US = 60000000
local FIN_TTL_S = 90000
local fin_deltas = {}
local fin_started = false

local function fin_count(finished_us, tenant, jtype, state, n)
  if not fin_started then
    fin_started = true
    local marker = P .. 'fin:start'
    if redis.call('EXISTS', marker) == 0 then
      local start = 0
      for _, s in ipairs({'SUCCEEDED', 'FAILED', 'CANCELLED'}) do
        if redis.call('ZCARD', P .. 'finished:' .. s) > 0 then
          start = (math.floor(now_us() / FIN_BUCKET_US) + 1) * FIN_BUCKET_US
        end
      end
      redis.call('SET', marker, string.format('%.0f', start))
    end
  end
  local bucket = string.format('%.0f', math.floor(finished_us / FIN_BUCKET_US))
  local d = fin_deltas[bucket]
  if not d then
    d = {}
    fin_deltas[bucket] = d
  end
  local field = tenant .. '|' .. jtype .. '|' .. state
  d[field] = (d[field] or 0) + n
end

local function add_delta(deltas, field, n)
  deltas[field] = (deltas[field] or 0) + n
end

-- Moves n jobs (default 1) of a tenant, type and queue from one state to another (either may be
-- nil) in the counters by type (P..'counts') and by queue (P..'qcounts'). A nil queue (a pruned
-- job of an older layout whose hash already expired) leaves the queue counters alone.
local function count(tenant, jtype, queue, from, to, n)
  n = n or 1
  local prefix = tenant .. '|' .. jtype .. '|'
  local qprefix = queue and (tenant .. '|' .. queue .. '|')
  if from then
    add_delta(count_deltas, prefix .. from, -n)
    if qprefix then
      add_delta(queue_count_deltas, qprefix .. from, -n)
    end
  end
  if to then
    add_delta(count_deltas, prefix .. to, n)
    if qprefix then
      add_delta(queue_count_deltas, qprefix .. to, n)
    end
  end
end

-- Sorted-set changes that nothing in the running script reads again (or not before it calls
-- write_sorted_sets()) are gathered per key and made with one command per 500 members instead of
-- one per job.
local zadds, zrems = {}, {}

-- The list gathered for key in one of those tables.
local function gathered(changes, key)
  local members = changes[key]
  if not members then
    members = {}
    changes[key] = members
  end
  return members
end

local function zadd_later(key, score, member)
  local members = gathered(zadds, key)
  members[#members + 1] = score
  members[#members + 1] = member
end

local function zrem_later(key, member)
  local members = gathered(zrems, key)
  members[#members + 1] = member
end

-- ZADD of {score, member, score, member, ...}, 500 members a command.
local function zadd_many(key, score_members)
  for first = 1, #score_members, 1000 do
    redis.call('ZADD', key, unpack(score_members, first, math.min(#score_members, first + 999)))
  end
end

-- Makes the gathered sorted-set changes now, for a script that reads the sets afterwards.
local function write_sorted_sets()
  for key, members in pairs(zrems) do
    for first = 1, #members, 500 do
      redis.call('ZREM', key, unpack(members, first, math.min(#members, first + 499)))
    end
  end
  for key, members in pairs(zadds) do
    zadd_many(key, members)
  end
  zadds, zrems = {}, {}
end

-- Every script that counts, wakes or defers a sorted-set write ends with flush(), also on an
-- early return after writing.
local function flush()
  write_sorted_sets()
  local counts = P .. 'counts'
  for field, delta in pairs(count_deltas) do
    if delta ~= 0 then
      redis.call('HINCRBY', counts, field, delta)
    end
  end
  local qcounts = P .. 'qcounts'
  for field, delta in pairs(queue_count_deltas) do
    if delta ~= 0 then
      redis.call('HINCRBY', qcounts, field, delta)
    end
  end
  for bucket, deltas in pairs(fin_deltas) do
    local key = P .. 'fin:' .. bucket
    -- An expired bucket is not brought back by a late decrement (prune, re-drive).
    local exists = redis.call('EXISTS', key) == 1
    local written = false
    for field, delta in pairs(deltas) do
      if delta > 0 or (delta < 0 and exists) then
        redis.call('HINCRBY', key, field, delta)
        written = true
      end
    end
    if written and not exists then
      redis.call('EXPIRE', key, FIN_TTL_S)
    end
  end
  fin_deltas = {}
  for queue, _ in pairs(wake) do
    redis.call('PUBLISH', WAKEUP_CHANNEL, queue)
  end
  if schedule_changed then
    redis.call('PUBLISH', WAKEUP_CHANNEL, SCHEDULE_CHANGED)
  end
end

-- Records that a queue has ready jobs of a type (claims look for ready sets through it).
local function register_type(queue, jtype)
  local qt = queue .. '|' .. jtype
  if not registered_types[qt] then
    redis.call('SADD', P .. 'types:' .. queue, jtype)
    registered_types[qt] = true
  end
end

-- Puts a PENDING job where claims find it: the ready set of its queue and type if it is due,
-- otherwise the scheduled set from which promote() moves it once due. (enqueue does the due case
-- for a whole batch at once.)
local function place_pending(id, queue, jtype, tenant, priority, run_at, now)
  if run_at <= now then
    redis.call('ZADD', ready_key(queue, jtype), fmt(ready_score(priority, run_at)), id)
    redis.call('ZADD', P .. 'due:' .. tenant, fmt(run_at), id)
    register_type(queue, jtype)
    wake[queue] = true
  else
    local scheduled = P .. 'scheduled'
    redis.call('ZADD', scheduled, fmt(run_at), id)
    -- Only a new earliest entry moves the promoters' next wake-up.
    if redis.call('ZRANGE', scheduled, 0, 0)[1] == id then
      schedule_changed = true
    end
  end
end

local function unplace_pending(id, queue, jtype, tenant)
  redis.call('ZREM', ready_key(queue, jtype), id)
  redis.call('ZREM', P .. 'due:' .. tenant, id)
  redis.call('ZREM', P .. 'scheduled', id)
end

-- Moves up to limit scheduled jobs that are due into their ready sets.
local function promote(now, limit)
  local scheduled = P .. 'scheduled'
  local due = redis.call('ZRANGEBYSCORE', scheduled, '-inf', fmt(now), 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    redis.call('ZREM', scheduled, id)
    local f = redis.call('HMGET', job_key(id), 'state', 'queue', 'type', 'tenant', 'priority', 'runAt')
    if f[1] == 'PENDING' then
      place_pending(id, f[2], f[3], f[4], tonumber(f[5]), tonumber(f[6]), now)
    end
  end
  return #due
end

local function clear_lease(jk)
  redis.call('HDEL', jk, 'leaseOwner', 'leaseToken', 'leaseExpiresAt')
end

-- Under whileActive the key is freed when the job finishes; under a window it is kept for the
-- window (a Redis TTL measured from finishedAt).
local function release_idempotency(id, tenant, key, window_ms)
  if not key then
    return
  end
  local ik = idem_key(tenant, key)
  if redis.call('GET', ik) ~= id then
    return
  end
  if window_ms then
    redis.call('PEXPIRE', ik, window_ms)
  else
    redis.call('DEL', ik)
  end
end

-- The member of a finished registry carries tenant, type and queue so that prune can clean the
-- indexes and counters even when the job hash already expired through its TTL backstop. (Members
-- written before the queue counters existed end after the type: see parse_finished_member.)
local function finished_member(id, tenant, jtype, queue)
  return id .. '|' .. tenant .. '|' .. jtype .. '|' .. queue
end

-- id, tenant, type and queue of a finished member; queue is nil for a member of the older layout
-- `id|tenant|type`.
local function parse_finished_member(member)
  local id, tenant, jtype, queue = string.match(member, '^([^|]+)|([^|]+)|([^|]+)|?([^|]*)$')
  if queue == '' then
    queue = nil
  end
  return id, tenant, jtype, queue
end

-- Ends a job that the caller already took out of ready, scheduled and running.
-- j: map of the job's fields before the change.
local function make_terminal(jk, j, state, now, error_message, error_trace)
  local id, tenant, jtype = j['id'], j['tenant'], j['type']
  if error_message then
    redis.call('HSET', jk, 'state', state, 'finishedAt', fmt(now),
      'errorMessage', error_message, 'errorStackTrace', error_trace or '')
  else
    redis.call('HSET', jk, 'state', state, 'finishedAt', fmt(now))
  end
  clear_lease(jk)
  if j['blocked'] then
    redis.call('HDEL', jk, 'blocked')
  end
  zadd_later(P .. 'finished:' .. state, fmt(now), finished_member(id, tenant, jtype, j['queue']))
  fin_count(now, tenant, jtype, state, 1)
  count(tenant, jtype, j['queue'], j['state'], state)
  release_idempotency(id, tenant, j['idempotencyKey'], j['idempotencyWindowMs'])
  if FINISHED_TTL_MS > 0 then
    redis.call('PEXPIRE', jk, FINISHED_TTL_MS)
    -- Steps and signals expire with the hash (j must carry 'hs': FENCED_FIELDS, HGETALL, ...).
    if j['hs'] then
      redis.call('PEXPIRE', steps_key(id), FINISHED_TTL_MS)
      redis.call('PEXPIRE', signals_key(id), FINISHED_TTL_MS)
    end
  end
end

-- The fields fenced changes need (never the payload, which may be large).
local FENCED_FIELDS = {'state', 'leaseToken', 'id', 'tenant', 'type', 'queue', 'priority', 'runAt',
  'attempt', 'maxAttempts', 'idempotencyKey', 'idempotencyWindowMs', 'batchId', 'hd', 'hs'}

-- Reads a fenced job: its fields if it is RUNNING with this lease token, else nil.
local function fenced_job(jk, token)
  local values = redis.call('HMGET', jk, unpack(FENCED_FIELDS))
  if values[1] ~= 'RUNNING' or values[2] ~= token then
    return nil
  end
  local j = {}
  for i, field in ipairs(FENCED_FIELDS) do
    if values[i] then
      j[field] = values[i]
    end
  end
  return j
end

-- A job that the caller took out of running (fields j from fenced_job) goes back to PENDING,
-- due at run_at, after the caller set its state, runAt and attempt: the tail of every finish
-- that does not end the job, of snooze() and so of suspend.
local function requeue(jk, j, run_at, now)
  clear_lease(jk)
  count(j['tenant'], j['type'], j['queue'], 'RUNNING', 'PENDING')
  place_pending(j['id'], j['queue'], j['type'], j['tenant'], tonumber(j['priority']), run_at, now)
end

-- Finish.Snooze, and suspend: a RUNNING job (fields j from fenced_job) becomes PENDING, due at
-- now + delay_us, with its attempt given back and its lease cleared. It leaves running, and with
-- it any concurrency-key slot (a key counts its jobs that are in running).
local function snooze(jk, j, delay_us, now)
  zrem_later(P .. 'running', j['id'])
  local run_at = now + delay_us
  redis.call('HSET', jk, 'state', 'PENDING', 'runAt', fmt(run_at),
    'attempt', math.max(0, tonumber(j['attempt']) - 1))
  requeue(jk, j, run_at, now)
end

-- The names of job id's stored control signals.
local function control_signals(id)
  local out = {}
  for _, name in ipairs(redis.call('HKEYS', signals_key(id))) do
    if is_control(name) then
      out[#out + 1] = name
    end
  end
  return out
end

-- Ends the suspension of PENDING job id (hash jk; j: its queue, type, tenant, priority, runAt):
-- awaiting cleared, and a job still waiting in the scheduled set is made due now and placed in
-- its ready set (waking its queue at flush), as promote would. A job already due is in its ready
-- set (or parked under its concurrency key) and stays there.
local function wake_suspended(id, jk, j, now)
  redis.call('HDEL', jk, 'awaiting')
  if redis.call('ZREM', P .. 'scheduled', id) == 1 then
    local run_at = math.min(tonumber(j['runAt']), now)
    redis.call('HSET', jk, 'runAt', fmt(run_at))
    place_pending(id, j['queue'], j['type'], j['tenant'], tonumber(j['priority']), run_at, now)
  end
end

-- ---------------------------------------------------------------------------------------------

-- ---------------------------------------------------------------------------------------------
-- Inserting new jobs, shared by enqueue and schedule_fire so a fired job is an enqueued job.

-- Reads np job profiles of PROFILE_WIDTH arguments each from ARGV[base..] (the layout of enqueue.lua):
-- type, queue, tenant, priority, maxAttempts, runAtUs ('' = now + delay), delayUs, timeout,
-- idempotencyWindowMs, traceparent, metadata JSON ('' = none for the last four).
-- Everything a job's profile decides (due time, ready score, optional fields) is worked out once
-- per profile, so the per-job work is one HSET and a few table appends.
-- Arguments per job profile in enqueue.lua's layout (JobHashes.enqueueArgs).
local PROFILE_WIDTH = 19

local function read_profiles(base, np, now)
  local profiles = {}
  for p = 1, np do
    local a = base + (p - 1) * PROFILE_WIDTH
    local pr = {type = ARGV[a], queue = ARGV[a + 1], tenant = ARGV[a + 2], priority = ARGV[a + 3],
      maxAttempts = ARGV[a + 4], created = 0}
    if ARGV[a + 5] ~= '' then
      pr.run_at = tonumber(ARGV[a + 5])
    else
      pr.run_at = now + tonumber(ARGV[a + 6])
    end
    -- Links (batch, dependencies, callback): a blocked job is placed nowhere until released, and
    -- shows its creation time as runAt.
    if ARGV[a + 13] ~= '' then
      pr.batch_id = ARGV[a + 13]
    end
    if ARGV[a + 14] ~= '' then
      pr.depends_on = ARGV[a + 14]
    end
    if ARGV[a + 16] ~= '' then
      pr.callback_of = ARGV[a + 16]
    end
    pr.blocked = ARGV[a + 18] == '1'
    if pr.blocked then
      pr.run_at = now
    end
    pr.run_at_text = fmt(pr.run_at)
    pr.due = pr.run_at <= now and not pr.blocked
    if pr.due then
      pr.ready_score = fmt(ready_score(tonumber(pr.priority), pr.run_at))
      pr.ready = {}
      pr.due_members = {}
    end
    pr.listed = {}
    local optional = {}
    local names = {'timeout', 'idempotencyWindowMs', 'traceparent', 'metadata', 'concurrencyKey',
      'concurrencyLimit', 'batchId', 'dependsOn', 'depFail', 'callbackOf', 'cbSuccess', 'blocked'}
    for k, offset in ipairs({7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}) do
      if ARGV[a + offset] ~= '' then
        optional[#optional + 1] = names[k]
        optional[#optional + 1] = ARGV[a + offset]
      end
    end
    pr.optional = optional
    profiles[p] = pr
  end
  return profiles
end

-- Writes one new PENDING job of profile pr (key '' = no idempotency key). Empty optional fields
-- are not stored. Additions to sorted sets are gathered on the profile for finish_profiles().
local function write_new_job(jk, id, payload, key, pr, now, now_text)
  if key == '' and #pr.optional == 0 then
    redis.call('HSET', jk, 'id', id, 'type', pr.type, 'queue', pr.queue, 'tenant', pr.tenant,
      'payload', payload, 'priority', pr.priority, 'state', 'PENDING', 'attempt', '0',
      'maxAttempts', pr.maxAttempts, 'runAt', pr.run_at_text, 'createdAt', now_text)
  else
    local f = {'id', id, 'type', pr.type, 'queue', pr.queue, 'tenant', pr.tenant,
      'payload', payload, 'priority', pr.priority, 'state', 'PENDING', 'attempt', '0',
      'maxAttempts', pr.maxAttempts, 'runAt', pr.run_at_text, 'createdAt', now_text}
    if key ~= '' then
      f[#f + 1] = 'idempotencyKey'
      f[#f + 1] = key
      redis.call('SET', idem_key(pr.tenant, key), id)
    end
    for k = 1, #pr.optional do
      f[#f + 1] = pr.optional[k]
    end
    redis.call('HSET', jk, unpack(f))
  end
  pr.created = pr.created + 1
  local listed = pr.listed
  listed[#listed + 1] = '0'
  listed[#listed + 1] = id
  if pr.due then
    local ready, due_members = pr.ready, pr.due_members
    ready[#ready + 1] = pr.ready_score
    ready[#ready + 1] = id
    due_members[#due_members + 1] = pr.run_at_text
    due_members[#due_members + 1] = id
  elseif not pr.blocked then
    place_pending(id, pr.queue, pr.type, pr.tenant, tonumber(pr.priority), pr.run_at, now)
  end
end

-- The per-profile writes of the jobs write_new_job() made: listing, ready sets, registries and
-- counters, one command per 500 members. The caller ends with flush().
local function finish_profiles(profiles)
  local known_queues, known_tenants = {}, {}
  for _, pr in ipairs(profiles) do
    if pr.created > 0 then
      zadd_many(P .. 'jobs:' .. pr.tenant, pr.listed)
      if pr.due then
        -- What place_pending does for one due job, done for the profile's jobs at once.
        zadd_many(ready_key(pr.queue, pr.type), pr.ready)
        zadd_many(P .. 'due:' .. pr.tenant, pr.due_members)
        register_type(pr.queue, pr.type)
        wake[pr.queue] = true
      end
      if not known_queues[pr.queue] then
        redis.call('SADD', P .. 'queues', pr.queue)
        known_queues[pr.queue] = true
      end
      if not known_tenants[pr.tenant] then
        redis.call('SADD', P .. 'tenants', pr.tenant)
        known_tenants[pr.tenant] = true
      end
      count(pr.tenant, pr.type, pr.queue, nil, 'PENDING', pr.created)
    end
  end
end

-- ---------------------------------------------------------------------------------------------
-- Recurring schedules: hash P..'schedule:'..name (spec, trigger, version, paused '1'/'0', next
-- µs, lastFire µs, lastJob, lastTenant, updated µs), P..'schedules' (every name, score 0, paged by
-- name) and P..'schedules:due' (unpaused names scored by next fire time).

local function schedule_key(name)
  return P .. 'schedule:' .. name
end

local SCHEDULE_FIELDS = {'spec', 'trigger', 'version', 'paused', 'next', 'lastFire', 'lastJob',
  'lastTenant', 'updated'}

-- A stored schedule as the flat reply the backend parses: name, the fields above ('' when not
-- set), then the last job's current state ('' when there is none or it was pruned); nil if absent.
local function schedule_record(name)
  local v = redis.call('HMGET', schedule_key(name), unpack(SCHEDULE_FIELDS))
  if not v[1] then
    return nil
  end
  local out = {name}
  for i = 1, #SCHEDULE_FIELDS do
    out[#out + 1] = v[i] or ''
  end
  local state = ''
  if v[7] then
    state = redis.call('HGET', job_key(v[7]), 'state') or ''
  end
  out[#out + 1] = state
  return out
end

-- ---------------------------------------------------------------------------------------------
-- Named locks: the maintenance lock keeps its key P..'maintenance'; every other name (the
-- operations console's 'ops') is P..'lock:'..name, a lock of its own.

local function lock_key(name)
  if name == 'maintenance' then
    return P .. 'maintenance'
  end
  return P .. 'lock:' .. name
end

-- ---------------------------------------------------------------------------------------------
-- Operations data: alerts (hash P..'alert:'..id with id rule subject tenant state openedAt
-- updatedAt version body; no tenant field = null), P..'alerts' (every id, score 0, paged by
-- ZREVRANGEBYLEX: ids are UUIDv7 strings, so lexicographic order is time order),
-- P..'alerts:state:'..STATE (the ids in that state, likewise), P..'alerts:active' (field
-- active_field(rule, subject) -> id of the one alert that is not RESOLVED) and
-- P..'alerts:resolved-at' (RESOLVED ids scored by updatedAt, for prune).

local function alert_key(id)
  return P .. 'alert:' .. id
end

-- Rule and subject in one field without a separator that either could contain.
local function active_field(rule, subject)
  return #rule .. ':' .. rule .. subject
end

local ALERT_FIELDS = {'id', 'rule', 'subject', 'tenant', 'state', 'openedAt', 'updatedAt',
  'version', 'body'}

-- A stored alert as the flat reply the backend parses: the fields above ('' for no tenant), then
-- '1' if it has a tenant, else '0'; nil if there is no such alert.
local function alert_record(id)
  local v = redis.call('HMGET', alert_key(id), unpack(ALERT_FIELDS))
  if not v[1] then
    return nil
  end
  local has_tenant = '1'
  if not v[4] then
    v[4] = ''
    has_tenant = '0'
  end
  v[#ALERT_FIELDS + 1] = has_tenant
  return v
end

-- Calls fn(member) for every member of sorted set key whose score is above min_exclusive, in
-- score order, 1,000 at a time: the range is read in pages by score, so neither the script's
-- memory nor a page's cost grows with the range. Members tied on the page's last score are
-- skipped by count on the next page (a script sees no changes from others in between).
local function each_scored_after(key, min_exclusive, fn, max_exclusive)
  local lo, skip = '(' .. min_exclusive, 0
  local hi = max_exclusive and ('(' .. max_exclusive) or '+inf'
  while true do
    local page = redis.call('ZRANGEBYSCORE', key, lo, hi, 'WITHSCORES', 'LIMIT', skip, 1000)
    for i = 1, #page, 2 do
      fn(page[i])
    end
    if #page < 2000 then
      return
    end
    local last = page[#page]
    local tied = 0
    for i = #page, 2, -2 do
      if page[i] ~= last then
        break
      end
      tied = tied + 1
    end
    if lo == last then
      skip = skip + tied
    else
      lo, skip = last, tied
    end
  end
end

-- ---------------------------------------------------------------------------------------------
-- Links: batches and dependencies (KEYS.md). A blocked job is PENDING with field blocked = '1' and
-- sits in no ready or scheduled set. P..'deps:'..id: the blocked jobs waiting for job id, which
-- is listed in P..'waitedfor' while that set is not empty (and carries hd = '1', so its finish
-- names it for resolution). P..'batch:'..id: tenant, maxRunning, onSuccess, onComplete,
-- createdAt, completedAt, counts; P..'bmembers:'..id every member, P..'bactive:'..id the members
-- not yet seen ended; P..'batches:open' the open batch ids.

local function batch_key(id)
  return P .. 'batch:' .. id
end

local function split_ids(text)
  local out = {}
  if text then
    for id in string.gmatch(text, '[^,]+') do
      out[#out + 1] = id
    end
  end
  return out
end

local function is_terminal(state)
  return state == 'SUCCEEDED' or state == 'FAILED' or state == 'CANCELLED'
end

-- Records what new jobs of an enqueue are tied to: a member joins its batch's sets, a dependent's
-- edges are written (P..'wdeps:'..id: the dependencies it still waits for) and the job it waits
-- for is marked. resolved_to maps jobs of the request that resolved to existing ones.
local function write_links(id, pr, resolved_to)
  if pr.batch_id then
    redis.call('SADD', P .. 'bmembers:' .. pr.batch_id, id)
    redis.call('SADD', P .. 'bactive:' .. pr.batch_id, id)
  end
  for _, dependency in ipairs(split_ids(pr.depends_on)) do
    local dep = resolved_to[dependency] or dependency
    redis.call('SADD', P .. 'deps:' .. dep, id)
    redis.call('SADD', P .. 'waitedfor', dep)
    redis.call('SADD', P .. 'wdeps:' .. id, dep)
    local dk = job_key(dep)
    if redis.call('EXISTS', dk) == 1 then
      redis.call('HSET', dk, 'hd', '1')
    end
  end
end

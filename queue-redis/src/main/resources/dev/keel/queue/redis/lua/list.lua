-- list: one page of a tenant's jobs in id order, filtered by states, type and queue.
-- ARGV[3] = tenant, ARGV[4] = after id ('' = from the start), ARGV[5] = limit,
-- ARGV[6] = type ('' = any), ARGV[7] = queue ('' = any), ARGV[8] = scan budget (jobs examined
-- at most by one call of the id walk), ARGV[9..] = states (none = any).
-- Returns {resume, HGETALL of each job...}: resume is '' when the page is complete (full, or no
-- more jobs match), else the id to continue the walk after (the budget ran out first) with the
-- jobs still missing from the page.
--
-- Two ways of reading, so that one call stays short and Redis keeps serving workers while a
-- filter matches few of many jobs kept:
--  * a state filter without SUCCEEDED, whose indexes hold few members (finished:FAILED,
--    finished:CANCELLED, running, due:<tenant> and scheduled; at most FINISHED_LIMIT finished
--    members, whose filter needs no job read, and INDEX_LIMIT others): read
--    those members, sort the candidates by id and fetch the page. finished members carry tenant,
--    type and queue, so they are filtered without reading the job;
--  * else walk jobs:<tenant> in id order from the cursor, reading three fields of each job,
--    and stop after the scan budget with a resume cursor.
local tenant, after, limit, jtype, queue = ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7]
local budget = tonumber(ARGV[8])
local INDEX_LIMIT = 20000
local FINISHED_LIMIT = 50000
local states = {}
local any_state = true
for i = 9, #ARGV do
  states[ARGV[i]] = true
  any_state = false
end

local function wanted(state, t, ty, q)
  return (any_state or states[state]) and t == tenant and (jtype == '' or ty == jtype)
      and (queue == '' or q == queue)
end

local out = {''}

if not any_state and not states['SUCCEEDED'] then
  local finished_sets, id_sets = {}, {}
  for _, s in ipairs({'FAILED', 'CANCELLED'}) do
    if states[s] then
      finished_sets[#finished_sets + 1] = P .. 'finished:' .. s
    end
  end
  if states['RUNNING'] then
    id_sets[#id_sets + 1] = P .. 'running'
  end
  if states['PENDING'] then
    id_sets[#id_sets + 1] = P .. 'due:' .. tenant
    id_sets[#id_sets + 1] = P .. 'scheduled'
  end
  local finished_members, members = 0, 0
  for _, key in ipairs(finished_sets) do
    finished_members = finished_members + redis.call('ZCARD', key)
  end
  for _, key in ipairs(id_sets) do
    members = members + redis.call('ZCARD', key)
  end
  if finished_members <= FINISHED_LIMIT and members <= INDEX_LIMIT then
    local candidates, seen = {}, {}
    local function add(id)
      if (after == '' or id > after) and not seen[id] then
        seen[id] = true
        candidates[#candidates + 1] = id
      end
    end
    for _, key in ipairs(finished_sets) do
      for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
        local id, t, ty, q = parse_finished_member(member)
        -- A member of the older layout has no queue: the job's own field decides below.
        if t == tenant and (jtype == '' or ty == jtype) and (queue == '' or q == nil or q == queue) then
          add(id)
        end
      end
    end
    for _, key in ipairs(id_sets) do
      for _, id in ipairs(redis.call('ZRANGE', key, 0, -1)) do
        add(id)
      end
    end
    table.sort(candidates)
    for _, id in ipairs(candidates) do
      -- Four fields decide; the whole job (payload included) is read only for the page.
      local jk = job_key(id)
      local f = redis.call('HMGET', jk, 'state', 'tenant', 'type', 'queue')
      if f[1] and wanted(f[1], f[2], f[3], f[4]) then
        out[#out + 1] = redis.call('HGETALL', jk)
        if #out > limit then
          break
        end
      end
    end
    return out
  end
end

local index = P .. 'jobs:' .. tenant
local from = '-'
if after ~= '' then
  from = '(' .. after
end
local CHUNK = math.min(math.max(limit, 100), budget)
local examined = 0
while true do
  local ids = redis.call('ZRANGEBYLEX', index, from, '+', 'LIMIT', 0, CHUNK)
  for _, id in ipairs(ids) do
    examined = examined + 1
    local jk = job_key(id)
    local f = redis.call('HMGET', jk, 'state', 'type', 'queue')
    if f[1] and wanted(f[1], tenant, f[2], f[3]) then
      out[#out + 1] = redis.call('HGETALL', jk)
      if #out > limit then
        return out
      end
    end
    if examined >= budget then
      out[1] = id
      return out
    end
  end
  if #ids < CHUNK then
    return out
  end
  from = '(' .. ids[#ids]
end

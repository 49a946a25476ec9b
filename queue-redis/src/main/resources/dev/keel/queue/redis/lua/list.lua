-- list: one page of a tenant's jobs in id order, filtered by states, type and queue.
-- ARGV[3] = tenant, ARGV[4] = after id ('' = from the start), ARGV[5] = limit,
-- ARGV[6] = type ('' = any), ARGV[7] = queue ('' = any), ARGV[8..] = states (none = any).
-- Returns one HGETALL array per job.
local tenant, after, limit, jtype, queue = ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7]
local states = {}
local any_state = true
for i = 8, #ARGV do
  states[ARGV[i]] = true
  any_state = false
end
local index = P .. 'jobs:' .. tenant
local from = '-'
if after ~= '' then
  from = '(' .. after
end
local out = {}
local CHUNK = math.max(limit, 100)
while #out < limit do
  local ids = redis.call('ZRANGEBYLEX', index, from, '+', 'LIMIT', 0, CHUNK)
  for _, id in ipairs(ids) do
    local flat = redis.call('HGETALL', job_key(id))
    if #flat > 0 then
      local j = to_map(flat)
      if (any_state or states[j['state']]) and (jtype == '' or j['type'] == jtype)
          and (queue == '' or j['queue'] == queue) then
        out[#out + 1] = flat
        if #out >= limit then
          break
        end
      end
    end
  end
  if #ids < CHUNK then
    break
  end
  from = '(' .. ids[#ids]
end
return out

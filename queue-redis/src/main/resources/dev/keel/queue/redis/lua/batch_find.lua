-- batch_find: a batch of this tenant with its members by state (live while open, as stored once
-- completed). ARGV[3] = tenant, ARGV[4] = batch id.
-- Returns {} if none, else {HGETALL of the batch..., '|', state, count, state, count...}.
local tenant, bid = ARGV[3], ARGV[4]
local flat = redis.call('HGETALL', batch_key(bid))
if #flat == 0 then
  return {}
end
local b = to_map(flat)
if b['tenant'] ~= tenant then
  return {}
end
local out = flat
out[#out + 1] = '|'
if b['completedAt'] then
  for s, c in pairs(cjson.decode(b['counts'])) do
    out[#out + 1] = s
    out[#out + 1] = tostring(c)
  end
else
  local counts = {}
  for _, m in ipairs(redis.call('SMEMBERS', P .. 'bmembers:' .. bid)) do
    local s = redis.call('HGET', job_key(m), 'state')
    if s then
      counts[s] = (counts[s] or 0) + 1
    end
  end
  for s, c in pairs(counts) do
    out[#out + 1] = s
    out[#out + 1] = tostring(c)
  end
end
return out

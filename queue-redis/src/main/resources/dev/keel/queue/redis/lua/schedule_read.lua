-- ---------------------------------------------------------------------------------------------
-- schedule_read: ARGV[3] = 'find' with ARGV[4] = name → {record} or {};
-- 'list' with ARGV[4] = exclusive start name ('' = first), ARGV[5] = limit
-- → {more (1/0), record, record, ...} in name order (byte order: ZRANGEBYLEX).
if ARGV[3] == 'find' then
  local r = schedule_record(ARGV[4])
  if r then
    return {r}
  end
  return {}
end
local limit = tonumber(ARGV[5])
local from = ARGV[4] == '' and '-' or '(' .. ARGV[4]
local names = redis.call('ZRANGEBYLEX', P .. 'schedules', from, '+', 'LIMIT', 0, limit + 1)
local out = {#names > limit and 1 or 0}
for i = 1, math.min(#names, limit) do
  out[#out + 1] = schedule_record(names[i])
end
return out

-- alert_read: find one alert, or list a page of them newest first (id descending).
-- ARGV[3] = 'find', ARGV[4] = id: returns {} or {alert_record}.
-- ARGV[3] = 'list', ARGV[4] = before ('' = from the newest), ARGV[5] = limit, ARGV[6] = '1' for
-- every tenant, then nStates, states..., nTenants, tenants...: returns the page's alert_records.
-- Without states the page walks P..'alerts'; with states it merges their P..'alerts:state:*'
-- sets (disjoint), reading each from the cursor in chunks. Alerts of other tenants (and, when
-- tenants are given, those without one) are passed over.
if ARGV[3] == 'find' then
  local record = alert_record(ARGV[4])
  if record then
    return {record}
  end
  return {}
end

local before, limit, any_tenant = ARGV[4], tonumber(ARGV[5]), ARGV[6] == '1'
local pos = 7
local states = {}
for i = 1, tonumber(ARGV[pos]) do
  states[i] = ARGV[pos + i]
end
pos = pos + #states + 1
local tenants = {}
for i = 1, tonumber(ARGV[pos]) do
  tenants[ARGV[pos + i]] = true
end

local start = '+'
if before ~= '' then
  start = '(' .. before
end
local CHUNK = math.max(limit, 16)
local sources = {}
if #states == 0 then
  sources[1] = {key = P .. 'alerts'}
else
  for i, s in ipairs(states) do
    sources[i] = {key = P .. 'alerts:state:' .. s}
  end
end
for _, s in ipairs(sources) do
  s.max, s.buf, s.i, s.done = start, {}, 1, false
end

local function head(s)
  if s.i > #s.buf then
    if s.done then
      return nil
    end
    s.buf = redis.call('ZREVRANGEBYLEX', s.key, s.max, '-', 'LIMIT', 0, CHUNK)
    s.i = 1
    if #s.buf < CHUNK then
      s.done = true
    end
    if #s.buf == 0 then
      return nil
    end
    s.max = '(' .. s.buf[#s.buf]
  end
  return s.buf[s.i]
end

local out = {}
while #out < limit do
  local best, best_source = nil, nil
  for _, s in ipairs(sources) do
    local h = head(s)
    if h and (best == nil or h > best) then
      best, best_source = h, s
    end
  end
  if best == nil then
    break
  end
  best_source.i = best_source.i + 1
  local record = alert_record(best)
  if record and (any_tenant or (record[10] == '1' and tenants[record[4]])) then
    out[#out + 1] = record
  end
end
return out

-- steps_save: store step records on a RUNNING job, fenced by its lease token: all or none.
-- ARGV[3] = jobId, ARGV[4] = leaseToken, then 3 arguments per step: name, seq, body.
-- Each record is stored in steps:<id> under its name (replacing an earlier one) as
-- '<seq>:<updatedAt us>:<body>'.
-- Returns {0} (lease lost, nothing written) or {1, names of the job's control signals...}.
local id, token = ARGV[3], ARGV[4]
local jk = job_key(id)
local f = redis.call('HMGET', jk, 'state', 'leaseToken', 'hs')
if f[1] ~= 'RUNNING' or f[2] ~= token then
  return {0}
end
local prefix = ':' .. fmt(now_us()) .. ':'
local fields = {}
for i = 5, #ARGV, 3 do
  fields[#fields + 1] = ARGV[i]
  fields[#fields + 1] = ARGV[i + 1] .. prefix .. ARGV[i + 2]
end
redis.call('HSET', steps_key(id), unpack(fields))
if not f[3] then
  redis.call('HSET', jk, 'hs', '1')
end
local out = {1}
for _, name in ipairs(control_signals(id)) do
  out[#out + 1] = name
end
return out

-- progress: store progress for RUNNING jobs, each fenced by its lease token.
-- Per update 4 arguments: jobId, leaseToken, percent, message.
-- Returns 1 (stored) or 0 (lease lost) per update.
local out = {}
for i = 3, #ARGV, 4 do
  local jk = job_key(ARGV[i])
  local f = redis.call('HMGET', jk, 'state', 'leaseToken')
  if f[1] == 'RUNNING' and f[2] == ARGV[i + 1] then
    redis.call('HSET', jk, 'progressPercent', ARGV[i + 2], 'progressMessage', ARGV[i + 3])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out

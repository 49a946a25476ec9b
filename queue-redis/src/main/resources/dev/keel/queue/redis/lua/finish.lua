-- finish: apply a batch of fenced finishes; each applies only while its job is RUNNING with the
-- given lease token, and clears the lease when it does.
-- Per finish 6 arguments: kind (SUCCEED, RETRY, FAIL, SNOOZE, CANCEL, RELEASE), jobId, leaseToken,
-- delayUs, errorMessage, errorStackTrace.
-- Returns 1 (applied), 2 (applied, and the job ended while others wait for it: a batch member or
-- a job with dependents, to be resolved) or 0 (lease lost) per finish.
local KINDS = {SUCCEED = true, RETRY = true, FAIL = true, SNOOZE = true, CANCEL = true,
  RELEASE = true}
-- An unknown kind refuses the whole batch before anything is written.
for i = 3, #ARGV, 6 do
  if not KINDS[ARGV[i]] then
    return redis.error_reply('unknown finish kind ' .. ARGV[i])
  end
end
local now = now_us()
local out = {}
for i = 3, #ARGV, 6 do
  local kind, id, token = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local jk = job_key(id)
  local j = fenced_job(jk, token)
  if j == nil then
    out[#out + 1] = 0
  elseif kind == 'SNOOZE' then
    -- The same code as suspend's (lib.lua), so the two give a job back alike.
    snooze(jk, j, tonumber(ARGV[i + 3]), now)
    out[#out + 1] = 1
  else
    zrem_later(P .. 'running', id)
    local applied = 1
    if kind == 'SUCCEED' or kind == 'FAIL' or kind == 'CANCEL' then
      if kind == 'SUCCEED' then
        make_terminal(jk, j, 'SUCCEEDED', now, nil, nil)
      elseif kind == 'FAIL' then
        make_terminal(jk, j, 'FAILED', now, ARGV[i + 4], ARGV[i + 5])
      else
        make_terminal(jk, j, 'CANCELLED', now, ARGV[i + 4], '')
      end
      if j['batchId'] or j['hd'] then
        applied = 2
      end
    elseif kind == 'RETRY' then
      local run_at = now + tonumber(ARGV[i + 3])
      redis.call('HSET', jk, 'state', 'PENDING', 'runAt', fmt(run_at),
        'errorMessage', ARGV[i + 4], 'errorStackTrace', ARGV[i + 5])
      requeue(jk, j, run_at, now)
    else -- RELEASE
      redis.call('HSET', jk, 'state', 'PENDING', 'attempt', tonumber(j['attempt']) - 1)
      requeue(jk, j, tonumber(j['runAt']), now)
    end
    out[#out + 1] = applied
  end
end
flush()
return out

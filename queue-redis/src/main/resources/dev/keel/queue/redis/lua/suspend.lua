-- suspend: a RUNNING job, fenced by its lease token, is snoozed (lib.lua's snooze, as
-- Finish.Snooze: PENDING due at now + delay, attempt given back, lease cleared, out of running)
-- and remembers in `awaiting` the signal it waits for ('' = none). If that signal, or any
-- control signal other than a children signal (lib.lua's wakes_any), is already stored, it is due
-- now instead and `awaiting` stays unset.
-- ARGV[3] = jobId, ARGV[4] = leaseToken, ARGV[5] = delay in us, ARGV[6] = awaited signal.
-- Returns 1 (applied) or 0 (lease lost).
local id, token, delay_us, awaited = ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local jk = job_key(id)
local j = fenced_job(jk, token)
if j == nil then
  return 0
end
local now = now_us()
local due_now = awaited ~= '' and redis.call('HEXISTS', signals_key(id), awaited) == 1
if not due_now then
  for _, name in ipairs(control_signals(id)) do
    if wakes_any(name) then
      due_now = true
      break
    end
  end
end
if due_now then
  snooze(jk, j, 0, now)
else
  redis.call('HSET', jk, 'awaiting', awaited)
  snooze(jk, j, delay_us, now)
end
flush()
return 1

-- ---------------------------------------------------------------------------------------------
-- schedule_fire: fire schedules, each checked and applied on its own inside this one script.
-- ARGV[3] = number of fires f; then 7 per fire: name, expected version, expected nextFireAt µs,
-- new nextFireAt µs, lastFireAt µs ('' when no jobs), overlap (SKIP, WAIT or ALLOW), number of
-- jobs; then the fires' jobs in enqueue.lua's layout (n, profiles, 4 per job), fire after fire.
-- A fire whose schedule is missing, paused, of another version or another next fire time is
-- STALE and writes nothing; one whose last job is PENDING or RUNNING is SKIPPED_OVERLAP (next
-- fire time moved) or WAITING_OVERLAP (nothing written) unless overlap is ALLOW; otherwise its
-- jobs are inserted as enqueue would insert them and the schedule moves on: FIRED.
-- Returns one kind per fire.
local nf = tonumber(ARGV[3])
local FIRE_BASE = 4
local JOBS_AT = FIRE_BASE + nf * 7
local np = tonumber(ARGV[JOBS_AT + 1])
local JOB_BASE = JOBS_AT + 2 + np * PROFILE_WIDTH
local now = now_us()
local now_text = fmt(now)
local profiles = read_profiles(JOBS_AT + 2, np, now)
local due = P .. 'schedules:due'
local kinds = {}
local job = 0
for i = 0, nf - 1 do
  local a = FIRE_BASE + i * 7
  local name, version, expected, next_us = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  local last_fire, overlap, njobs = ARGV[a + 4], ARGV[a + 5], tonumber(ARGV[a + 6])
  local sk = schedule_key(name)
  local s = redis.call('HMGET', sk, 'version', 'paused', 'next', 'lastJob')
  local kind
  if not s[1] or s[1] ~= version or s[2] == '1' or s[3] ~= expected then
    kind = 'STALE'
  else
    local busy = false
    if njobs > 0 and overlap ~= 'ALLOW' and s[4] then
      local state = redis.call('HGET', job_key(s[4]), 'state')
      busy = state == 'PENDING' or state == 'RUNNING'
    end
    if busy and overlap == 'WAIT' then
      kind = 'WAITING_OVERLAP'
    elseif busy then
      redis.call('HSET', sk, 'next', next_us)
      redis.call('ZADD', due, next_us, name)
      kind = 'SKIPPED_OVERLAP'
    else
      local last_id, last_tenant
      for j = job, job + njobs - 1 do
        local b = JOB_BASE + j * 4
        local id = ARGV[b]
        local pr = profiles[tonumber(ARGV[b + 3])]
        write_new_job(job_key(id), id, ARGV[b + 1], '', pr, now, now_text)
        last_id, last_tenant = id, pr.tenant
      end
      if last_id then
        redis.call('HSET', sk, 'next', next_us, 'lastFire', last_fire, 'lastJob', last_id,
          'lastTenant', last_tenant)
      else
        redis.call('HSET', sk, 'next', next_us)
      end
      redis.call('ZADD', due, next_us, name)
      kind = 'FIRED'
    end
  end
  job = job + njobs
  kinds[#kinds + 1] = kind
end
finish_profiles(profiles)
flush()
return kinds

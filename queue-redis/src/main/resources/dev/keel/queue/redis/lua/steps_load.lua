-- steps_load: a job's step records and signals, read together.
-- ARGV[3] = tenant, ARGV[4] = jobId.
-- Returns {} if no such job in the tenant, else {HGETALL steps:<id>, HGETALL signals:<id>}
-- (values '<seq>:<updatedAt us>:<body>' and '<arrival n>:<sentAt us>:<payload>').
local tenant, id = ARGV[3], ARGV[4]
if redis.call('HGET', job_key(id), 'tenant') ~= tenant then
  return {}
end
return {redis.call('HGETALL', steps_key(id)), redis.call('HGETALL', signals_key(id))}

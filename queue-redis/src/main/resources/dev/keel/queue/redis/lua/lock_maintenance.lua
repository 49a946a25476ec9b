-- lock_maintenance: take or renew one of the namespace's named locks for an owner.
-- ARGV[3] = owner, ARGV[4] = ttl in ms, ARGV[5] = lock name ('maintenance' for the maintenance
-- lock; each name is a lock of its own). Returns 1 if the owner holds the lock until now + ttl.
local lock = lock_key(ARGV[5])
local holder = redis.call('GET', lock)
if holder == false or holder == ARGV[3] then
  redis.call('SET', lock, ARGV[3], 'PX', ARGV[4])
  return 1
end
return 0

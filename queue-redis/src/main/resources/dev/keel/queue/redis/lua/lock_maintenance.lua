-- lock_maintenance: take or renew the namespace's maintenance lock for an owner.
-- ARGV[3] = owner, ARGV[4] = ttl in ms. Returns 1 if the owner holds the lock until now + ttl.
local lock = P .. 'maintenance'
local holder = redis.call('GET', lock)
if holder == false or holder == ARGV[3] then
  redis.call('SET', lock, ARGV[3], 'PX', ARGV[4])
  return 1
end
return 0

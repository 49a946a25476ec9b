-- unlock_maintenance: give a named lock up if this owner holds it.
-- ARGV[3] = owner, ARGV[4] = lock name. Returns 1 if it was released.
local lock = lock_key(ARGV[4])
if redis.call('GET', lock) == ARGV[3] then
  redis.call('DEL', lock)
  return 1
end
return 0

-- unlock_maintenance: give the maintenance lock up if this owner holds it.
-- ARGV[3] = owner. Returns 1 if it was released.
local lock = P .. 'maintenance'
if redis.call('GET', lock) == ARGV[3] then
  redis.call('DEL', lock)
  return 1
end
return 0

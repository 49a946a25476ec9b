-- alert_prune: delete up to `limit` RESOLVED alerts whose updatedAt is older than the retention,
-- oldest first (P..'alerts:resolved-at'). Active alerts are never in that set.
-- ARGV[3] = retention in us, ARGV[4] = limit. Returns the number deleted.
local now = now_us()
local resolved = P .. 'alerts:resolved-at'
local ids = redis.call('ZRANGEBYSCORE', resolved, '-inf', '(' .. fmt(now - tonumber(ARGV[3])),
  'LIMIT', 0, tonumber(ARGV[4]))
for _, id in ipairs(ids) do
  redis.call('DEL', alert_key(id))
  redis.call('ZREM', P .. 'alerts', id)
  redis.call('ZREM', P .. 'alerts:state:RESOLVED', id)
  redis.call('ZREM', resolved, id)
end
return #ids

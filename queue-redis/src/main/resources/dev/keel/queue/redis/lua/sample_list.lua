-- sample_list: the newest `limit` samples taken within `since` before now, newest first (the
-- backend reverses them). Each member is at us .. '|' .. body.
-- ARGV[3] = since in us, ARGV[4] = limit.
local now = now_us()
return redis.call('ZREVRANGEBYSCORE', P .. 'samples', '+inf', '(' .. fmt(now - tonumber(ARGV[3])),
  'LIMIT', 0, tonumber(ARGV[4]))

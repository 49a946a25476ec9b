-- sample_write: store one sample stamped with now in P..'samples' (score = now us, member =
-- now us .. '|' .. body) and delete at most 1,000 samples older than keep, oldest first.
-- ARGV[3] = body, ARGV[4] = keep in us. Returns now in us.
local now = now_us()
local samples = P .. 'samples'
local now_text = fmt(now)
redis.call('ZADD', samples, now_text, now_text .. '|' .. ARGV[3])
local expired = redis.call('ZCOUNT', samples, '-inf', '(' .. fmt(now - tonumber(ARGV[4])))
if expired > 0 then
  redis.call('ZREMRANGEBYRANK', samples, 0, math.min(expired, 1000) - 1)
end
return now_text

-- Takes permits from one token bucket, timed by this Redis server's clock.
-- The same algorithm as TokenBucket.java; keep them in step.
--
-- KEYS[1]  the bucket, a hash {level, last}
-- ARGV[1]  capacity (tokens)
-- ARGV[2]  refill tokens per period
-- ARGV[3]  period in microseconds
-- ARGV[4]  permits wanted
-- Returns {allowed (1|0), whole tokens remaining, wait in microseconds (0 when allowed)}.
--
-- Fixed point: one token is `period` units and every microsecond adds `refill` units. Limit keeps
-- capacity * period <= 2^52, so every value here is an integer a Lua double holds exactly, and a
-- quotient of two of them rounds up or down exactly.

-- TIME is non-deterministic: before Redis 5 a script must replicate its effects, not itself.
if redis.replicate_commands then
  redis.replicate_commands()
end

local capacity = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local permits = tonumber(ARGV[4])
local full = capacity * period

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])

local level = full
local last = now
local stored = redis.call('HMGET', KEYS[1], 'level', 'last')
if stored[1] and stored[2] then
  -- min: the limit may have shrunk since the bucket was written
  level = math.min(tonumber(stored[1]), full)
  last = tonumber(stored[2])
  -- a clock that went backwards (failover to a replica) refills nothing and keeps `last`
  if now > last then
    local missing = full - level
    local elapsed = now - last
    -- compare before multiplying, as elapsed * refill may be far above 2^53 after a long idle
    if elapsed >= math.ceil(missing / refill) then
      level = full
    else
      level = level + elapsed * refill
    end
    last = now
  end
end

local need = permits * period
if level < need then
  -- a denial writes nothing: refill is linear, so the stored state still yields the same level
  return {0, math.floor(level / period), math.ceil((need - level) / refill)}
end

level = level - need
-- '%.0f' prints the exact integer; a plain number argument could be formatted in exponent form
redis.call('HSET', KEYS[1], 'level', string.format('%.0f', level), 'last', string.format('%.0f', last))
-- forget the bucket once it would be full again: a missing bucket is a full one
local fullInMicros = math.ceil((full - level) / refill)
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(fullInMicros / 1000)))
return {1, math.floor(level / period), 0}

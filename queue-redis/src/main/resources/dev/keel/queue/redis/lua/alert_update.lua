-- alert_update: compare-and-set of an alert's state and body. Applies only while its version is
-- the expected one and it is not RESOLVED (a resolved alert is never changed again); the version
-- goes up by one and updatedAt becomes now. Resolving frees the rule and subject for a new alert.
-- ARGV[3] = id, ARGV[4] = expected version, ARGV[5] = new state, ARGV[6] = body.
-- Returns {} if there is no such alert, else {changed (1/0), alert_record after}.
local id, expected, state, body = ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local ak = alert_key(id)
local a = redis.call('HMGET', ak, 'state', 'version', 'rule', 'subject')
if not a[1] then
  return {}
end
if a[1] == 'RESOLVED' or tonumber(a[2]) ~= expected then
  return {0, alert_record(id)}
end
local now = fmt(now_us())
redis.call('HSET', ak, 'state', state, 'body', body, 'version', tonumber(a[2]) + 1,
  'updatedAt', now)
if state ~= a[1] then
  redis.call('ZREM', P .. 'alerts:state:' .. a[1], id)
  redis.call('ZADD', P .. 'alerts:state:' .. state, 0, id)
end
if state == 'RESOLVED' then
  local active, field = P .. 'alerts:active', active_field(a[3], a[4])
  if redis.call('HGET', active, field) == id then
    redis.call('HDEL', active, field)
  end
  redis.call('ZADD', P .. 'alerts:resolved-at', now, id)
end
return {1, alert_record(id)}

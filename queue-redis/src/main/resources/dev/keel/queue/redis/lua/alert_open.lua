-- alert_open: store a new OPEN alert unless one that is not RESOLVED exists for its rule and
-- subject (the P..'alerts:active' index), in which case that one is returned unchanged. One
-- script, so racing opens from any number of nodes make one alert.
-- ARGV[3] = id, ARGV[4] = rule, ARGV[5] = subject, ARGV[6] = '1' if it has a tenant, ARGV[7] =
-- tenant, ARGV[8] = body.
-- Returns {created (1/0), alert_record}, or an error if the id is taken by another alert.
local id, rule, subject, has_tenant, tenant, body =
  ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local active = P .. 'alerts:active'
local field = active_field(rule, subject)
local existing = redis.call('HGET', active, field)
if existing then
  local record = alert_record(existing)
  if record then
    return {0, record}
  end
end
local ak = alert_key(id)
if redis.call('EXISTS', ak) == 1 then
  return redis.error_reply('alert id ' .. id .. ' is taken by another alert; ids must be fresh')
end
local now = fmt(now_us())
redis.call('HSET', ak, 'id', id, 'rule', rule, 'subject', subject, 'state', 'OPEN',
  'openedAt', now, 'updatedAt', now, 'version', '1', 'body', body)
if has_tenant == '1' then
  redis.call('HSET', ak, 'tenant', tenant)
end
redis.call('ZADD', P .. 'alerts', 0, id)
redis.call('ZADD', P .. 'alerts:state:OPEN', 0, id)
redis.call('HSET', active, field, id)
return {1, alert_record(id)}

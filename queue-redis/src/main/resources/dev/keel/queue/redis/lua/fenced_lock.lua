-- fenced_lock: take, renew or release a fenced lock (QueueBackend.acquireLock / renewLock /
-- releaseLock). P .. 'flock:' .. name is a hash {last, holder, expires}: last is the greatest token
-- ever given for the name and is never deleted, so tokens only grow; holder and expires (µs on
-- Redis TIME) are present while someone holds it.
-- ARGV[3] = 'acquire', 'renew' or 'release', ARGV[4] = name, ARGV[5] = holder,
-- ARGV[6] = token (renew, release), ARGV[7] = lease in µs (acquire, renew).
-- Returns {held (1/0), token, expires µs ('' = free)}; for release {1/0 freed, '0', ''}.
local op, name, holder = ARGV[3], ARGV[4], ARGV[5]
local k = P .. 'flock:' .. name
local now = now_us()
local f = redis.call('HMGET', k, 'last', 'holder', 'expires')
local last = tonumber(f[1]) or 0
local live = f[2] and tonumber(f[3]) > now
if op == 'acquire' then
  if live and f[2] ~= holder then
    return {0, '0', f[3]}
  end
  local token = last
  if not live then
    token = last + 1
  end
  local expires = fmt(now + tonumber(ARGV[7]))
  redis.call('HSET', k, 'last', fmt(token), 'holder', holder, 'expires', expires)
  return {1, fmt(token), expires}
end
local mine = live and f[2] == holder and f[1] == ARGV[6]
if op == 'renew' then
  if not mine then
    return {0, '0', live and f[3] or ''}
  end
  local expires = fmt(now + tonumber(ARGV[7]))
  redis.call('HSET', k, 'expires', expires)
  return {1, f[1], expires}
end
if not mine then
  return {0, '0', ''}
end
redis.call('HDEL', k, 'holder', 'expires')
return {1, '0', ''}

-- batch_prune: delete up to `limit` completed batches whose completion is older than the
-- retention (the longest job retention, so a batch outlives its members), with their sets.
-- ARGV[3] = retention in us, ARGV[4] = limit. Returns the number of batches deleted.
local cutoff = now_us() - tonumber(ARGV[3])
local done = P .. 'batches:done'
local old = redis.call('ZRANGEBYSCORE', done, '-inf', fmt(cutoff), 'LIMIT', 0, tonumber(ARGV[4]))
for _, bid in ipairs(old) do
  redis.call('DEL', batch_key(bid), P .. 'bmembers:' .. bid, P .. 'bactive:' .. bid)
  redis.call('ZREM', done, bid)
end
return #old

/**
 * Token-bucket rate limiting keyed by string.
 *
 * <p>{@link dev.keel.ratelimit.RateLimiter} is the one interface; {@link
 * dev.keel.ratelimit.LocalRateLimiter} keeps buckets in process memory, {@link
 * dev.keel.ratelimit.RedisRateLimiter} shares them through Redis (one Lua round trip per decision,
 * timed by the Redis clock), and {@link dev.keel.ratelimit.FallbackRateLimiter} puts an explicit
 * {@link dev.keel.ratelimit.FallbackPolicy} in front of Redis for when it is unreachable. A {@link
 * dev.keel.ratelimit.Limit} is a capacity (the burst) plus a refill rate; every decision is exact
 * integer arithmetic in microseconds, so nothing drifts. Everything under {@code internal} is not
 * API.
 */
package dev.keel.ratelimit;

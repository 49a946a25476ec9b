package dev.keel.ratelimit;

import dev.keel.ratelimit.internal.Arguments;
import dev.keel.ratelimit.internal.BlockingAcquire;
import dev.keel.ratelimit.internal.LuaScript;
import dev.keel.ratelimit.internal.Micros;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Token buckets in Redis, shared by every process using the same key prefix: a cluster-wide limit.
 *
 * <p>Each decision is one round trip: an EVALSHA of {@code token_bucket.lua} (an EVAL, which also
 * caches the script, when the server answers NOSCRIPT after a restart or failover). The script
 * reads the time with Redis {@code TIME}, so clients' clocks do not matter, and computes in integer
 * microseconds. A bucket is a hash at {@code {prefix}:rl:<key>} that expires once it would be full
 * again. All keys of one prefix share the hash tag {@code {prefix}}, like every Keel namespace, so
 * they live in one slot on Redis Cluster.
 *
 * <p>Works with any {@link UnifiedJedis}: {@code RedisClient} or {@code RedisClusterClient}.
 * Configure short timeouts (for example 100–250 ms socket and connection timeouts) and put a {@link
 * FallbackRateLimiter} in front, so that an unreachable Redis costs one short timeout, not one per
 * request.
 *
 * <pre>{@code
 * RedisClient jedis = RedisClient.builder().hostAndPort("127.0.0.1", 6379)
 *     .clientConfig(DefaultJedisClientConfig.builder()
 *         .connectionTimeoutMillis(200).socketTimeoutMillis(200).build())
 *     .build();
 * RateLimiter limiter = RedisRateLimiter.builder(jedis, Limit.perSecond(100)).keyPrefix("shop").build();
 * }</pre>
 *
 * <p>Every Redis failure surfaces as {@link RateLimiterUnavailableException}.
 */
public final class RedisRateLimiter implements RateLimiter {
  private static final LuaScript SCRIPT = LuaScript.load("token_bucket.lua");

  private final UnifiedJedis jedis;
  private final Limit limit;
  private final String keyPrefix;
  private final List<String> limitArgs;
  private final BlockingAcquire blocking;

  private RedisRateLimiter(Builder builder) {
    this.jedis = builder.jedis;
    this.limit = builder.limit;
    String prefix = builder.keyPrefix == null ? Builder.DEFAULT_PREFIX : builder.keyPrefix;
    this.keyPrefix = "{" + prefix + "}:rl:";
    this.limitArgs =
        List.of(
            Long.toString(limit.capacity()),
            Long.toString(limit.refillTokens()),
            Long.toString(limit.refillPeriodMicros()));
    InstantSource clock = builder.clock == null ? InstantSource.system() : builder.clock;
    Sleeper sleeper = builder.sleeper == null ? Sleeper.system() : builder.sleeper;
    this.blocking = new BlockingAcquire(clock, sleeper);
  }

  /** A builder for buckets following {@code limit}, stored through {@code jedis}. */
  public static Builder builder(UnifiedJedis jedis, Limit limit) {
    return new Builder(Arguments.required("jedis", jedis), Arguments.required("limit", limit));
  }

  @Override
  public Decision tryAcquire(String key, int permits) {
    Arguments.check(key, permits, limit);
    List<String> keys = List.of(redisKey(key));
    List<String> args =
        List.of(limitArgs.get(0), limitArgs.get(1), limitArgs.get(2), Integer.toString(permits));
    Object reply;
    try {
      reply = run(keys, args);
    } catch (JedisException e) {
      throw new RateLimiterUnavailableException(
          "Redis rate limiter could not decide for key '" + key + "': " + e.getMessage(), e);
    }
    return decode(reply);
  }

  @Override
  public boolean acquire(String key, int permits, Duration timeout) throws InterruptedException {
    return blocking.acquire(this, key, permits, timeout);
  }

  @Override
  public Limit limit() {
    return limit;
  }

  /** The Redis key holding {@code key}'s bucket. */
  public String redisKey(String key) {
    Arguments.checkKey(key);
    return keyPrefix + key;
  }

  @Override
  public String toString() {
    return "RedisRateLimiter[" + keyPrefix + "*, " + limit + "]";
  }

  private Object run(List<String> keys, List<String> args) {
    try {
      return jedis.evalsha(SCRIPT.sha1(), keys, args);
    } catch (JedisNoScriptException e) {
      // The server lost its script cache (restart, failover, SCRIPT FLUSH). EVAL runs the script
      // and caches it on the node that owns the key, so the next call is an EVALSHA again.
      return jedis.eval(SCRIPT.source(), keys, args);
    }
  }

  private static Decision decode(Object reply) {
    if (!(reply instanceof List<?> values) || values.size() != 3) {
      throw new IllegalStateException("unexpected reply from " + SCRIPT.name() + ": " + reply);
    }
    boolean allowed = ((Long) values.get(0)) == 1L;
    long remaining = (Long) values.get(1);
    long waitMicros = (Long) values.get(2);
    return allowed
        ? Decision.allow(remaining)
        : Decision.deny(remaining, Micros.toDuration(waitMicros));
  }

  /** Options of a {@link RedisRateLimiter}; each may be set once. */
  public static final class Builder {
    static final String DEFAULT_PREFIX = "keel";
    private static final int MAX_PREFIX_LENGTH = 64;

    private final UnifiedJedis jedis;
    private final Limit limit;
    private String keyPrefix;
    private InstantSource clock;
    private Sleeper sleeper;

    private Builder(UnifiedJedis jedis, Limit limit) {
      this.jedis = jedis;
      this.limit = limit;
    }

    /**
     * The namespace of the keys, default {@code keel}; becomes the hash tag {@code {prefix}}.
     * Limiters that should share buckets use the same prefix (and the same limit).
     */
    public Builder keyPrefix(String keyPrefix) {
      Arguments.notYetSet("keyPrefix", this.keyPrefix);
      Arguments.required("keyPrefix", keyPrefix);
      if (keyPrefix.isBlank()) {
        throw new RateLimitException("keyPrefix", "must not be blank");
      }
      if (keyPrefix.length() > MAX_PREFIX_LENGTH) {
        throw new RateLimitException(
            "keyPrefix",
            "must be at most " + MAX_PREFIX_LENGTH + " characters, was " + keyPrefix.length());
      }
      if (keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
        throw new RateLimitException(
            "keyPrefix", "must not contain '{' or '}' (it becomes the hash tag), was " + keyPrefix);
      }
      this.keyPrefix = keyPrefix;
      return this;
    }

    /**
     * The clock {@link #acquire} measures its timeout on; default the system clock. Buckets are
     * always timed by Redis.
     */
    public Builder clock(InstantSource clock) {
      Arguments.notYetSet("clock", this.clock);
      this.clock = Arguments.required("clock", clock);
      return this;
    }

    /** How {@link #acquire} waits; default a real sleep. */
    public Builder sleeper(Sleeper sleeper) {
      Arguments.notYetSet("sleeper", this.sleeper);
      this.sleeper = Arguments.required("sleeper", sleeper);
      return this;
    }

    /** Builds the limiter; does not contact Redis. */
    public RedisRateLimiter build() {
      return new RedisRateLimiter(this);
    }
  }
}

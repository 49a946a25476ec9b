package dev.keel.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.keel.ratelimit.internal.Arguments;
import dev.keel.ratelimit.internal.BlockingAcquire;
import dev.keel.ratelimit.internal.BucketState;
import dev.keel.ratelimit.internal.Micros;
import dev.keel.ratelimit.internal.TokenBucket;
import java.time.Duration;
import java.time.InstantSource;

/**
 * Token buckets in this process's memory, for limits that are per node or for tests.
 *
 * <p>Buckets live in a bounded Caffeine cache. A bucket is dropped as soon as it would be full
 * again, which loses nothing (a new bucket starts full). Each decision runs inside the cache's
 * atomic {@code compute} for its key, so concurrent callers on one key are serialized by that key's
 * entry lock and never by a lock shared with other keys. If more than {@code maximumKeys} keys are
 * active at once, the least recently used bucket is evicted early and its debt is forgiven: size
 * the cache above the number of keys active within one {@link Limit#timeToFill()}.
 *
 * <pre>{@code
 * RateLimiter limiter = LocalRateLimiter.builder(Limit.perMinute(5)).build();
 * }</pre>
 */
public final class LocalRateLimiter implements RateLimiter {
  private final Limit limit;
  private final TokenBucket bucket;
  private final InstantSource clock;
  private final Cache<String, BucketState> buckets;
  private final BlockingAcquire blocking;

  private LocalRateLimiter(Builder builder) {
    this.limit = builder.limit;
    this.bucket = new TokenBucket(limit);
    this.clock = builder.clock == null ? InstantSource.system() : builder.clock;
    Sleeper sleeper = builder.sleeper == null ? Sleeper.system() : builder.sleeper;
    this.blocking = new BlockingAcquire(clock, sleeper);
    long maximumKeys =
        builder.maximumKeys == null ? Builder.DEFAULT_MAXIMUM_KEYS : builder.maximumKeys;
    InstantSource ticks = clock;
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(maximumKeys)
            // Caffeine measures expiry on our clock, so a manual clock in a test expires buckets.
            .ticker(() -> Micros.now(ticks) * 1_000L)
            .expireAfter(new UntilFull())
            .build();
  }

  /** A builder for buckets following {@code limit}. */
  public static Builder builder(Limit limit) {
    return new Builder(Arguments.required("limit", limit));
  }

  @Override
  public Decision tryAcquire(String key, int permits) {
    Arguments.check(key, permits, limit);
    long now = Micros.now(clock);
    Decision[] decision = new Decision[1];
    buckets
        .asMap()
        .compute(
            key,
            (k, state) -> {
              TokenBucket.Outcome outcome = bucket.take(state, now, permits);
              decision[0] = outcome.decision();
              return outcome.next();
            });
    return decision[0];
  }

  @Override
  public boolean acquire(String key, int permits, Duration timeout) throws InterruptedException {
    return blocking.acquire(this, key, permits, timeout);
  }

  @Override
  public Limit limit() {
    return limit;
  }

  /** About how many buckets are held now (expired ones may linger until the next maintenance). */
  public long trackedKeys() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  @Override
  public String toString() {
    return "LocalRateLimiter[" + limit + "]";
  }

  /** Expires each bucket at the instant it would be full again. */
  private final class UntilFull implements Expiry<String, BucketState> {
    @Override
    public long expireAfterCreate(String key, BucketState state, long currentTime) {
      return nanosUntilFull(state, currentTime);
    }

    @Override
    public long expireAfterUpdate(
        String key, BucketState state, long currentTime, long currentDuration) {
      return nanosUntilFull(state, currentTime);
    }

    @Override
    public long expireAfterRead(
        String key, BucketState state, long currentTime, long currentDuration) {
      return currentDuration;
    }

    private long nanosUntilFull(BucketState state, long currentTimeNanos) {
      return Math.max(0, bucket.fullAt(state) * 1_000L - currentTimeNanos);
    }
  }

  /** Options of a {@link LocalRateLimiter}; each may be set once. */
  public static final class Builder {
    static final long DEFAULT_MAXIMUM_KEYS = 100_000;

    private final Limit limit;
    private InstantSource clock;
    private Sleeper sleeper;
    private Long maximumKeys;

    private Builder(Limit limit) {
      this.limit = limit;
    }

    /** The clock buckets refill by; default the system clock. */
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

    /** The most buckets kept at once (least recently used evicted first); default 100,000. */
    public Builder maximumKeys(long maximumKeys) {
      Arguments.notYetSet("maximumKeys", this.maximumKeys);
      if (maximumKeys < 1) {
        throw new RateLimitException("maximumKeys", "must be at least 1, was " + maximumKeys);
      }
      this.maximumKeys = maximumKeys;
      return this;
    }

    /** Builds the limiter. */
    public LocalRateLimiter build() {
      return new LocalRateLimiter(this);
    }
  }
}

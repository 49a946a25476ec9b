package dev.keel.ratelimit;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * A token-bucket limit: a bucket holds at most {@code capacity} tokens (the burst) and gains {@code
 * refillTokens} tokens every {@code refillPeriod}, continuously (one token every {@code
 * refillPeriod / refillTokens}). A new or idle bucket is full. Over any interval of length {@code
 * t}, a limiter grants at most {@code capacity + refillTokens × t / refillPeriod} permits per key.
 *
 * <pre>{@code
 * Limit.perMinute(5)                  // 5 at once, then one every 12 s
 * Limit.perSecond(10).withBurst(20)   // 20 at once, then 10 per second
 * Limit.of(3, Duration.ofMillis(500)) // 3 every half second
 * }</pre>
 *
 * <p>Limiters compute in integers: one token is {@code refillPeriod} in microseconds units, and
 * every microsecond adds {@code refillTokens} units. To keep that exact (also in Redis, whose Lua
 * numbers are doubles) the period must be a whole number of microseconds and {@code capacity ×
 * refillPeriod in µs} at most {@value #MAX_UNITS}.
 *
 * @param capacity the most tokens a bucket holds: the largest burst and the largest request
 * @param refillTokens how many tokens arrive per {@code refillPeriod}
 * @param refillPeriod the period over which {@code refillTokens} arrive
 */
public record Limit(long capacity, long refillTokens, Duration refillPeriod) {

  /** The largest capacity or refill token count. */
  public static final long MAX_TOKENS = 1_000_000_000L;

  /** Bound on {@code capacity × refillPeriod in µs}: 2^52, exact in a double. */
  public static final long MAX_UNITS = 1L << 52;

  /**
   * Validates the limit.
   *
   * @throws RateLimitException naming the field when a count is outside {@code 1..}{@value
   *     #MAX_TOKENS}, the period is null, not positive or not a whole number of microseconds, or
   *     the product bound is exceeded
   */
  public Limit {
    checkTokens("capacity", capacity);
    checkTokens("refillTokens", refillTokens);
    if (refillPeriod == null) {
      throw new RateLimitException("refillPeriod", "must not be null");
    }
    if (refillPeriod.isNegative() || refillPeriod.isZero()) {
      throw new RateLimitException("refillPeriod", "must be positive, was " + refillPeriod);
    }
    if (refillPeriod.getNano() % 1_000 != 0) {
      throw new RateLimitException(
          "refillPeriod", "must be a whole number of microseconds, was " + refillPeriod);
    }
    long periodMicros;
    try {
      periodMicros =
          Math.multiplyExact(refillPeriod.getSeconds(), 1_000_000L)
              + refillPeriod.getNano() / 1_000;
    } catch (ArithmeticException e) {
      throw new RateLimitException("refillPeriod", "is too long, was " + refillPeriod);
    }
    if (periodMicros > MAX_UNITS / capacity) {
      throw new RateLimitException(
          "capacity",
          "× refillPeriod in microseconds must not exceed 2^52, was "
              + capacity
              + " × "
              + periodMicros
              + " µs; use a shorter period or a smaller capacity");
    }
  }

  /** {@code n} tokens per second, burst {@code n}. */
  public static Limit perSecond(long n) {
    return of(n, Duration.ofSeconds(1));
  }

  /** {@code n} tokens per minute, burst {@code n}. */
  public static Limit perMinute(long n) {
    return of(n, Duration.ofMinutes(1));
  }

  /** {@code n} tokens per hour, burst {@code n}. */
  public static Limit perHour(long n) {
    return of(n, Duration.ofHours(1));
  }

  /** {@code tokens} per {@code period}, burst {@code tokens}. */
  public static Limit of(long tokens, Duration period) {
    checkTokens("tokens", tokens);
    return new Limit(tokens, tokens, period);
  }

  /** The same refill rate with a different capacity (burst), larger or smaller than the rate. */
  public Limit withBurst(long burst) {
    checkTokens("burst", burst);
    return new Limit(burst, refillTokens, refillPeriod);
  }

  /**
   * This limit's share for one of {@code nodes} equal nodes: capacity divided by {@code nodes}
   * (rounded down, at least 1) and the refill rate divided by {@code nodes} exactly (by lengthening
   * the period when the token count does not divide). Used as the local fallback of a cluster-wide
   * limit.
   *
   * @throws RateLimitException if {@code nodes < 1} or the result is out of bounds
   */
  public Limit dividedAmong(int nodes) {
    if (nodes < 1) {
      throw new RateLimitException("nodes", "must be at least 1, was " + nodes);
    }
    long shareCapacity = Math.max(1, capacity / nodes);
    if (refillTokens % nodes == 0) {
      return new Limit(shareCapacity, refillTokens / nodes, refillPeriod);
    }
    return new Limit(shareCapacity, refillTokens, refillPeriod.multipliedBy(nodes));
  }

  /** The refill period in microseconds: the value of one token in the fixed-point arithmetic. */
  public long refillPeriodMicros() {
    return refillPeriod.getSeconds() * 1_000_000L + refillPeriod.getNano() / 1_000;
  }

  /** How long an empty bucket takes to become full again. */
  public Duration timeToFill() {
    long units = capacity * refillPeriodMicros();
    return Duration.of((units + refillTokens - 1) / refillTokens, ChronoUnit.MICROS);
  }

  private static void checkTokens(String field, long value) {
    if (value < 1 || value > MAX_TOKENS) {
      throw new RateLimitException(field, "must be between 1 and " + MAX_TOKENS + ", was " + value);
    }
  }
}

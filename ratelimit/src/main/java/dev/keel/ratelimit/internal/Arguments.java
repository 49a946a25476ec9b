package dev.keel.ratelimit.internal;

import dev.keel.ratelimit.Limit;
import dev.keel.ratelimit.RateLimitException;
import dev.keel.ratelimit.RateLimiter;
import java.time.Duration;

/** The argument checks every limiter runs before touching a bucket. */
public final class Arguments {
  private Arguments() {}

  /** Checks a key and the permit count against the limit. */
  public static void check(String key, int permits, Limit limit) {
    checkKey(key);
    if (permits < 1) {
      throw new RateLimitException("permits", "must be at least 1, was " + permits);
    }
    if (permits > limit.capacity()) {
      throw new RateLimitException(
          "permits",
          "must not exceed the limit's capacity "
              + limit.capacity()
              + " (it could never be granted), was "
              + permits);
    }
  }

  /** Checks a bucket key: not null, not blank, not longer than the maximum. */
  public static void checkKey(String key) {
    if (key == null) {
      throw new RateLimitException("key", "must not be null");
    }
    if (key.isBlank()) {
      throw new RateLimitException("key", "must not be blank");
    }
    if (key.length() > RateLimiter.MAX_KEY_LENGTH) {
      throw new RateLimitException(
          "key",
          "must be at most " + RateLimiter.MAX_KEY_LENGTH + " characters, was " + key.length());
    }
  }

  /** Checks an acquire timeout: not null, not negative. */
  public static void checkTimeout(Duration timeout) {
    if (timeout == null) {
      throw new RateLimitException("timeout", "must not be null");
    }
    if (timeout.isNegative()) {
      throw new RateLimitException("timeout", "must not be negative, was " + timeout);
    }
  }

  /** Refuses a null builder option. */
  public static <T> T required(String field, T value) {
    if (value == null) {
      throw new RateLimitException(field, "must not be null");
    }
    return value;
  }

  /** Refuses a builder option set twice, the way Caffeine's builder does. */
  public static void notYetSet(String field, Object current) {
    if (current != null) {
      throw new RateLimitException(field, "was already set to " + current);
    }
  }
}

package dev.keel.ratelimit;

import java.time.Duration;

/**
 * The outcome of one {@link RateLimiter#tryAcquire} call.
 *
 * @param allowed whether the permits were granted (and consumed)
 * @param remaining whole tokens left in the bucket after this decision
 * @param waitTime zero when allowed; when denied, the exact time (microsecond precision) until the
 *     bucket holds enough tokens for the same request if nobody else takes any; always positive
 *     when denied
 */
public record Decision(boolean allowed, long remaining, Duration waitTime) {

  /**
   * Validates the combination. (The component is {@code waitTime}, not {@code wait}, because {@code
   * wait()} is final in {@link Object}.)
   *
   * @throws RateLimitException if remaining is negative, wait is null or negative, an allowed
   *     decision has a wait, or a denied one has none
   */
  public Decision {
    if (remaining < 0) {
      throw new RateLimitException("remaining", "must not be negative, was " + remaining);
    }
    if (waitTime == null) {
      throw new RateLimitException("waitTime", "must not be null");
    }
    if (allowed && !waitTime.isZero()) {
      throw new RateLimitException("waitTime", "must be zero when allowed, was " + waitTime);
    }
    if (!allowed && (waitTime.isZero() || waitTime.isNegative())) {
      throw new RateLimitException("waitTime", "must be positive when denied, was " + waitTime);
    }
  }

  /** A grant leaving {@code remaining} whole tokens. */
  public static Decision allow(long remaining) {
    return new Decision(true, remaining, Duration.ZERO);
  }

  /** A denial: {@code remaining} whole tokens are left, enough arrive after {@code waitTime}. */
  public static Decision deny(long remaining, Duration waitTime) {
    return new Decision(false, remaining, waitTime);
  }
}

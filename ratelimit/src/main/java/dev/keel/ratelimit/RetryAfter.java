package dev.keel.ratelimit;

import java.util.Objects;

/** Converts a {@link Decision} into an HTTP {@code Retry-After} value. */
public final class RetryAfter {
  private RetryAfter() {}

  /**
   * The decision's wait rounded up to whole seconds: 0 when allowed, otherwise at least 1 (a client
   * told "retry after 0 s" would retry at once and be denied again). 1 µs gives 1, exactly 1 s
   * gives 1, 1.000001 s gives 2.
   */
  public static long seconds(Decision decision) {
    Objects.requireNonNull(decision, "decision");
    if (decision.allowed()) {
      return 0;
    }
    long seconds = decision.waitTime().getSeconds() + (decision.waitTime().getNano() > 0 ? 1 : 0);
    return Math.max(1, seconds);
  }
}

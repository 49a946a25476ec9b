package dev.keel.queue;

import java.time.Duration;

/**
 * Decides how long to wait before the next attempt after a failed one. Whether another attempt
 * happens at all is decided by the job's maxAttempts.
 */
@FunctionalInterface
public interface RetryPolicy {

  /**
   * @param failedAttempt the attempt that just failed, 1 for the first
   * @return the delay before the next attempt, not negative
   */
  Duration delayAfter(int failedAttempt);

  /** Base 1 s, factor 2, cap 1 h, jitter ±25 %: the default. */
  static RetryPolicy defaultPolicy() {
    return ExponentialBackoff.DEFAULT;
  }
}

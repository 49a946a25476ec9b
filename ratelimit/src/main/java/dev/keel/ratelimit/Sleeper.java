package dev.keel.ratelimit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How {@link RateLimiter#acquire} waits. Injected next to the clock so that tests can advance a
 * manual clock instead of sleeping.
 */
@FunctionalInterface
public interface Sleeper {

  /**
   * Blocks for about {@code duration}.
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;

  /** Sleeps the calling thread for real. */
  static Sleeper system() {
    return duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());
  }
}

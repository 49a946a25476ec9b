package dev.keel.ratelimit.internal;

import dev.keel.ratelimit.Decision;
import dev.keel.ratelimit.RateLimiter;
import dev.keel.ratelimit.Sleeper;
import java.time.Duration;
import java.time.InstantSource;

/**
 * The bounded wait behind every {@link RateLimiter#acquire}: try, sleep the announced wait, retry.
 */
public final class BlockingAcquire {
  private final InstantSource clock;
  private final Sleeper sleeper;

  /** Waits measured on {@code clock}, spent in {@code sleeper}. */
  public BlockingAcquire(InstantSource clock, Sleeper sleeper) {
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** See {@link RateLimiter#acquire}. */
  public boolean acquire(RateLimiter limiter, String key, int permits, Duration timeout)
      throws InterruptedException {
    Arguments.checkTimeout(timeout);
    long start = Micros.now(clock);
    long budget = Micros.ceilOf(timeout);
    while (true) {
      Decision decision = limiter.tryAcquire(key, permits);
      if (decision.allowed()) {
        return true;
      }
      long left = budget - (Micros.now(clock) - start);
      // Tokens only arrive by refill, so a wait past the deadline cannot end in a grant: give up
      // now instead of sleeping for nothing.
      if (Micros.ceilOf(decision.waitTime()) > left) {
        return false;
      }
      sleeper.sleep(decision.waitTime());
    }
  }
}

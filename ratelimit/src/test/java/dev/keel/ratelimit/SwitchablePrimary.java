package dev.keel.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a limiter, counting the calls that reach it; while "down" every call fails as an
 * unreachable Redis would.
 */
final class SwitchablePrimary implements RateLimiter {
  private final RateLimiter delegate;
  final AtomicInteger calls = new AtomicInteger();
  volatile boolean down;

  SwitchablePrimary(RateLimiter delegate) {
    this.delegate = delegate;
  }

  @Override
  public Decision tryAcquire(String key, int permits) {
    calls.incrementAndGet();
    if (down) {
      throw new RateLimiterUnavailableException(
          "primary is down", new java.net.ConnectException("Connection refused"));
    }
    return delegate.tryAcquire(key, permits);
  }

  @Override
  public boolean acquire(String key, int permits, Duration timeout) {
    throw new UnsupportedOperationException("the fallback limiter implements acquire itself");
  }

  @Override
  public Limit limit() {
    return delegate.limit();
  }

  @Override
  public String toString() {
    return "SwitchablePrimary";
  }
}

package dev.keel.ratelimit;

import java.time.Duration;

/**
 * A token-bucket rate limiter: one bucket per key, all with the same {@link #limit()}.
 *
 * <p>Guarantee: over any interval of length {@code t}, the permits granted for one key never exceed
 * {@code capacity + refillTokens × t / refillPeriod}, under any concurrency. A denied request
 * consumes nothing. Implementations are thread-safe.
 *
 * <p>Keys are non-blank strings of at most {@value #MAX_KEY_LENGTH} characters; permits are between
 * 1 and the limit's capacity (a larger request could never be granted). Bad input throws {@link
 * RateLimitException} before anything is consumed.
 */
public interface RateLimiter {

  /** The longest key accepted, in characters. */
  int MAX_KEY_LENGTH = 256;

  /**
   * Takes {@code permits} tokens from {@code key}'s bucket if it holds that many, without waiting.
   *
   * @return allowed with the tokens left, or denied with the exact wait until enough tokens arrive
   * @throws RateLimitException if the key or the permit count is invalid
   * @throws RateLimiterUnavailableException if the limiter's store cannot answer
   */
  Decision tryAcquire(String key, int permits);

  /**
   * Takes {@code permits} tokens from {@code key}'s bucket, waiting for them up to {@code timeout}.
   * Returns {@code false} at once, without waiting, when the tokens cannot arrive within the time
   * left; otherwise sleeps the announced wait and tries again (other callers may take the tokens
   * first).
   *
   * @return true if the permits were granted within the timeout
   * @throws RateLimitException if the key, the permit count or the timeout (null or negative) is
   *     invalid
   * @throws RateLimiterUnavailableException if the limiter's store cannot answer
   * @throws InterruptedException if interrupted while waiting; nothing was taken then
   */
  boolean acquire(String key, int permits, Duration timeout) throws InterruptedException;

  /** The limit every bucket of this limiter follows. */
  Limit limit();
}

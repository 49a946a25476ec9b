package dev.keel.ratelimit;

/**
 * The limiter's store (Redis) could not give a decision: connection refused or lost, a timeout, a
 * cluster or server error. Nothing is known about whether the permits were consumed. {@link
 * FallbackRateLimiter} catches exactly this type and applies its {@link FallbackPolicy}.
 */
public class RateLimiterUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, for which key
   * @param cause the client's exception
   */
  public RateLimiterUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.keel.ratelimit;

import java.util.Objects;

/**
 * Bad input to a rate limiter or to a {@link Limit}: a null, blank or too long key, a permit count
 * outside {@code 1..capacity}, a negative timeout, an invalid limit or builder option. Thrown
 * before anything is consumed or written; {@link #field()} names the offending argument.
 */
public class RateLimitException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  /**
   * Creates the exception.
   *
   * @param field the name of the argument or option that is wrong
   * @param message the rule it breaks, and the value it had
   */
  public RateLimitException(String field, String message) {
    super(Objects.requireNonNull(field, "field") + " " + message);
    this.field = field;
  }

  /** The name of the argument or option that was rejected, e.g. {@code "permits"}. */
  public String field() {
    return field;
  }
}

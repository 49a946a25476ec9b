package dev.keel.queue.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * The samples taken within {@code since} before backend now, oldest first, at most {@code limit}
 * (the newest ones when there are more).
 */
public record SampleListRequest(Duration since, int limit) {
  public static final int MAX_LIMIT = 10_000;

  public SampleListRequest {
    Objects.requireNonNull(since, "since");
    if (since.isNegative() || since.isZero()) {
      throw new IllegalArgumentException("since must be positive");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
  }
}

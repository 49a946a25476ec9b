package dev.keel.queue.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Delete up to {@code limit} RESOLVED alerts whose {@code updatedAt} is older than {@code
 * resolvedRetention} (backend clock). Active alerts are never deleted.
 */
public record AlertPruneRequest(Duration resolvedRetention, int limit) {
  public AlertPruneRequest {
    Objects.requireNonNull(resolvedRetention, "resolvedRetention");
    if (resolvedRetention.isNegative()) {
      throw new IllegalArgumentException("resolvedRetention must not be negative");
    }
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
  }
}

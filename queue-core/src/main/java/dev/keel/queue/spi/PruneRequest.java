package dev.keel.queue.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Delete up to {@code limit} terminal jobs whose finishedAt is older than their state's retention
 * (on the backend's clock). Backends delete in bounded batches and never hold a long transaction.
 */
public record PruneRequest(
    Duration succeededRetention, Duration failedRetention, Duration cancelledRetention, int limit) {
  public PruneRequest {
    Objects.requireNonNull(succeededRetention, "succeededRetention");
    Objects.requireNonNull(failedRetention, "failedRetention");
    Objects.requireNonNull(cancelledRetention, "cancelledRetention");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
  }
}

package dev.keel.queue.spi;

import java.util.List;
import java.util.UUID;

/** Jobs made PENDING again, and jobs that had no attempt left and became FAILED. */
public record RescueResult(List<UUID> retried, List<UUID> failed) {
  public RescueResult {
    retried = List.copyOf(retried);
    failed = List.copyOf(failed);
  }

  public int total() {
    return retried.size() + failed.size();
  }
}

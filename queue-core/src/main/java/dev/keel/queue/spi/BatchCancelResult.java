package dev.keel.queue.spi;

import java.util.Set;
import java.util.UUID;

/**
 * What {@link QueueBackend#cancelBatch} did.
 *
 * @param found whether the batch exists in the tenant
 * @param cancelled the members that were PENDING (blocked or not) and are now CANCELLED
 */
public record BatchCancelResult(boolean found, Set<UUID> cancelled) {
  public BatchCancelResult {
    cancelled = Set.copyOf(cancelled);
  }
}

package dev.keel.queue.spi;

import java.util.Set;
import java.util.UUID;

/**
 * What {@link QueueBackend#resolveBlocked} changed, cascades included.
 *
 * @param released blocked jobs now claimable
 * @param cancelled blocked jobs now CANCELLED (a dependency failed, or an on-success callback of a
 *     batch that did not fully succeed)
 * @param failed blocked jobs now FAILED (a dependency failed under {@link
 *     dev.keel.queue.DependencyFailure#FAIL})
 * @param completedBatches batches now COMPLETED
 */
public record ResolveResult(
    Set<UUID> released, Set<UUID> cancelled, Set<UUID> failed, Set<UUID> completedBatches) {
  public static final ResolveResult NONE =
      new ResolveResult(Set.of(), Set.of(), Set.of(), Set.of());

  public ResolveResult {
    released = Set.copyOf(released);
    cancelled = Set.copyOf(cancelled);
    failed = Set.copyOf(failed);
    completedBatches = Set.copyOf(completedBatches);
  }

  public boolean isEmpty() {
    return released.isEmpty()
        && cancelled.isEmpty()
        && failed.isEmpty()
        && completedBatches.isEmpty();
  }
}

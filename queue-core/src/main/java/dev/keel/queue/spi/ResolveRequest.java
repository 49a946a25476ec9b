package dev.keel.queue.spi;

import java.util.Set;
import java.util.UUID;

/**
 * Release or end the blocked jobs whose wait is decided. See {@link QueueBackend#resolveBlocked}.
 *
 * @param ended jobs that ended (or may have): their dependents and their batches are looked at
 * @param batches batches to look at as well (one whose members all resolved to existing jobs, a
 *     cancelled one)
 * @param sweep also look for anything decided that was missed (a node stopped between a job's end
 *     and its resolution), at most {@code limit} dependencies and batches
 * @param limit bound for the sweep
 */
public record ResolveRequest(Set<UUID> ended, Set<UUID> batches, boolean sweep, int limit) {
  public ResolveRequest {
    ended = Set.copyOf(ended);
    batches = batches == null ? Set.of() : Set.copyOf(batches);
    if (sweep && limit < 1) {
      throw new IllegalArgumentException("limit must be positive for a sweep, was " + limit);
    }
  }

  public static ResolveRequest of(Set<UUID> ended) {
    return new ResolveRequest(ended, Set.of(), false, 0);
  }

  /** A sweep of at most {@code limit} dependencies and batches. */
  public static ResolveRequest sweep(int limit) {
    return new ResolveRequest(Set.of(), Set.of(), true, limit);
  }
}

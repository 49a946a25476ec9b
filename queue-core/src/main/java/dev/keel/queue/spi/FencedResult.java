package dev.keel.queue.spi;

import java.util.Set;
import java.util.UUID;

/**
 * The outcome of a fenced change on several leases: each job is either in {@code applied} (the job
 * was RUNNING with that token and was changed) or in {@code lost} (it was not, and nothing was
 * changed).
 *
 * <p>{@code toResolve}: applied jobs that ended (SUCCEEDED, FAILED, CANCELLED) and that other jobs
 * may be waiting for: they have dependents or belong to a batch. Core passes them to {@link
 * QueueBackend#resolveBlocked}. A backend that cannot tell may list every ended job.
 */
public record FencedResult(Set<UUID> applied, Set<UUID> lost, Set<UUID> toResolve) {
  public FencedResult {
    applied = Set.copyOf(applied);
    lost = Set.copyOf(lost);
    toResolve = toResolve == null ? Set.of() : Set.copyOf(toResolve);
  }

  /** A result with nothing to resolve. */
  public FencedResult(Set<UUID> applied, Set<UUID> lost) {
    this(applied, lost, Set.of());
  }

  public boolean isApplied(UUID jobId) {
    return applied.contains(jobId);
  }

  public boolean isLost(UUID jobId) {
    return lost.contains(jobId);
  }
}

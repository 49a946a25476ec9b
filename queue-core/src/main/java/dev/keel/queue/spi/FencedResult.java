package dev.keel.queue.spi;

import java.util.Set;
import java.util.UUID;

/**
 * The outcome of a fenced change on several leases: each job is either in {@code applied} (the job
 * was RUNNING with that token and was changed) or in {@code lost} (it was not, and nothing was
 * changed).
 */
public record FencedResult(Set<UUID> applied, Set<UUID> lost) {
  public FencedResult {
    applied = Set.copyOf(applied);
    lost = Set.copyOf(lost);
  }

  public boolean isApplied(UUID jobId) {
    return applied.contains(jobId);
  }

  public boolean isLost(UUID jobId) {
    return lost.contains(jobId);
  }
}

package dev.keel.queue;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A batch's progress, from {@link JobClient#batch}. While OPEN the counts are read live; once
 * COMPLETED they are the counts stored when it completed, so they stay after the members are
 * pruned.
 *
 * @param counts members by state (states without members are absent)
 * @param onSuccessJob the callback job released only if every member succeeded, or null
 * @param onCompleteJob the callback job released when every member ended, or null
 * @param maxRunning the cap on members running at once, or 0 for none
 * @param cancelledAt when {@link JobClient#cancelBatch} closed it to new members, or null
 */
public record BatchStatus(
    UUID id,
    String tenant,
    BatchState state,
    Map<JobState, Long> counts,
    Instant createdAt,
    Instant completedAt,
    UUID onSuccessJob,
    UUID onCompleteJob,
    int maxRunning,
    Instant cancelledAt) {

  public BatchStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(state, "state");
    Map<JobState, Long> copy = new EnumMap<>(JobState.class);
    if (counts != null) {
      counts.forEach(
          (s, n) -> {
            if (n != null && n > 0) {
              copy.put(s, n);
            }
          });
    }
    counts = java.util.Collections.unmodifiableMap(copy);
  }

  /** Members in {@code s}. */
  public long count(JobState s) {
    return counts.getOrDefault(s, 0L);
  }

  /** All members. */
  public long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** True once COMPLETED with every member SUCCEEDED. */
  public boolean succeeded() {
    return state == BatchState.COMPLETED && count(JobState.SUCCEEDED) == total();
  }
}

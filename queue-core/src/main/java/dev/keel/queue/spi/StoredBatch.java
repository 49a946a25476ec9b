package dev.keel.queue.spi;

import dev.keel.queue.JobState;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A batch as the backend keeps it.
 *
 * @param completedAt null while open
 * @param counts members by state: live while open, as stored at completion once completed
 * @param cancelledAt when {@link QueueBackend#cancelBatch} was called on it, or null; a cancelled
 *     batch takes no new members
 */
public record StoredBatch(
    UUID id,
    String tenant,
    int maxRunning,
    UUID onSuccessJob,
    UUID onCompleteJob,
    Instant createdAt,
    Instant completedAt,
    Map<JobState, Long> counts,
    Instant cancelledAt) {
  public StoredBatch {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(createdAt, "createdAt");
    counts = counts == null ? Map.of() : Map.copyOf(counts);
  }
}

package dev.keel.queue.spi;

import java.util.List;
import java.util.Objects;

/**
 * One or more jobs to insert atomically: either all are written (or resolved to existing jobs by
 * idempotency key) or none is. A single enqueue is a batch of one.
 *
 * <p>{@code batches} are created in the same atomic write, before the jobs: members name them in
 * {@link dev.keel.queue.JobLinks#batchId()}, callbacks in {@link
 * dev.keel.queue.JobLinks#callbackOf()}. A member naming a batch not in the request joins an
 * existing one, which must exist in the member's tenant, still be open and not be cancelled; a
 * job's dependencies must exist in its tenant or be in the request. Otherwise the backend throws
 * {@link dev.keel.queue.InvalidJobException} naming {@code batchId} or {@code dependsOn} and writes
 * nothing.
 */
public record EnqueueRequest(List<NewJob> jobs, List<NewBatch> batches) {
  public EnqueueRequest {
    jobs = List.copyOf(Objects.requireNonNull(jobs, "jobs"));
    batches = batches == null ? List.of() : List.copyOf(batches);
  }

  /** Jobs without new batches. */
  public EnqueueRequest(List<NewJob> jobs) {
    this(jobs, List.of());
  }

  /** True if some job has links (batch, dependencies, callback) or a batch is created. */
  public boolean hasLinks() {
    if (!batches.isEmpty()) {
      return true;
    }
    for (NewJob j : jobs) {
      if (!j.links().isNone()) {
        return true;
      }
    }
    return false;
  }

  public static EnqueueRequest of(NewJob job) {
    return new EnqueueRequest(List.of(job));
  }
}

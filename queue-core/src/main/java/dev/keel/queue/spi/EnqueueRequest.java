package dev.keel.queue.spi;

import java.util.List;
import java.util.Objects;

/**
 * One or more jobs to insert atomically: either all are written (or resolved to existing jobs by
 * idempotency key) or none is. A single enqueue is a batch of one.
 */
public record EnqueueRequest(List<NewJob> jobs) {
  public EnqueueRequest {
    jobs = List.copyOf(Objects.requireNonNull(jobs, "jobs"));
  }

  public static EnqueueRequest of(NewJob job) {
    return new EnqueueRequest(List.of(job));
  }
}

package dev.keel.queue.spi;

import java.util.Objects;

/**
 * Cancel a PENDING or RUNNING job from outside its worker: it becomes CANCELLED with finishedAt set
 * and its lease cleared, so the worker's next heartbeat or finish reports the lease lost. A
 * terminal job is left unchanged.
 */
public record CancelRequest(JobRef job, String reason) {
  public CancelRequest {
    Objects.requireNonNull(job, "job");
    reason = Objects.requireNonNullElse(reason, "cancelled");
  }
}

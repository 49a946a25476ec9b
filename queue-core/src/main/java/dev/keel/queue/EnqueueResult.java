package dev.keel.queue;

import java.util.Objects;
import java.util.UUID;

/**
 * The result of enqueueing one job.
 *
 * @param id the new job's id, or the existing job's id when an idempotency key matched
 * @param created false if an existing job was returned for the idempotency key
 * @param state the job's state as of the call
 */
public record EnqueueResult(UUID id, boolean created, JobState state) {
  public EnqueueResult {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
  }
}

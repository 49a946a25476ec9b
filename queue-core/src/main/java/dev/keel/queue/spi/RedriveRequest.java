package dev.keel.queue.spi;

import java.util.Objects;

/**
 * Give a FAILED job another run: PENDING, attempt 0, runAt = backend now, finishedAt cleared,
 * lastError kept. Any other state is left unchanged.
 */
public record RedriveRequest(JobRef job) {
  public RedriveRequest {
    Objects.requireNonNull(job, "job");
  }
}

package dev.keel.queue;

import java.util.Objects;
import java.util.UUID;

/**
 * Proof that a worker holds a job: issued by a claim, checked by every later change. A change made
 * with a lease whose token no longer matches the job (because the lease expired and the job was
 * rescued, or the job was cancelled) changes nothing and is reported as "lease lost".
 *
 * @param jobId the job
 * @param attempt the attempt this lease started
 * @param owner the worker id that claimed it
 * @param token a random token unique to this claim; the fence
 */
public record Lease(UUID jobId, int attempt, String owner, String token) {
  public Lease {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(token, "token");
  }
}

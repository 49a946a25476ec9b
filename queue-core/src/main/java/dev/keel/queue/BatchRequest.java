package dev.keel.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Many jobs enqueued as one batch, atomically, with optional callbacks and a cap on how many
 * members run at once. Immutable; each {@code with…} method returns a copy. See {@link
 * JobClient#enqueueBatch}.
 *
 * <pre>{@code
 * BatchResult batch = client.enqueueBatch(
 *     BatchRequest.of(chunks)                       // List<JobRequest<?>>
 *         .withMaxRunning(10)
 *         .onComplete(JobRequest.of("report.summary", new Summary(day))));
 * }</pre>
 *
 * <p>All members and callbacks share one tenant. A member that resolves to an existing job by its
 * idempotency key does not join the batch.
 */
public final class BatchRequest {
  private final List<JobRequest<?>> jobs;
  private final int maxRunning;
  private final JobRequest<?> onSuccess;
  private final JobRequest<?> onComplete;

  private BatchRequest(
      List<JobRequest<?>> jobs, int maxRunning, JobRequest<?> onSuccess, JobRequest<?> onComplete) {
    this.jobs = jobs;
    this.maxRunning = maxRunning;
    this.onSuccess = onSuccess;
    this.onComplete = onComplete;
  }

  /** A batch of these jobs (at least one), without callbacks or cap. */
  public static BatchRequest of(List<? extends JobRequest<?>> jobs) {
    return new BatchRequest(jobs == null ? null : new ArrayList<>(jobs), 0, null, null);
  }

  /**
   * At most {@code n} members RUNNING at once, cluster-wide (1 to {@link
   * Limits#MAX_CONCURRENCY_LIMIT}); members added later by {@link JobRequest#inBatch} keep to it
   * too. Members then cannot carry their own concurrency key.
   */
  public BatchRequest withMaxRunning(int n) {
    return new BatchRequest(jobs, n, onSuccess, onComplete);
  }

  /** A job released once, when every member SUCCEEDED; cancelled if any did not. */
  public BatchRequest onSuccess(JobRequest<?> callback) {
    return new BatchRequest(
        jobs, maxRunning, Objects.requireNonNull(callback, "onSuccess"), onComplete);
  }

  /** A job released once, when every member ended, whatever the outcome. */
  public BatchRequest onComplete(JobRequest<?> callback) {
    return new BatchRequest(
        jobs, maxRunning, onSuccess, Objects.requireNonNull(callback, "onComplete"));
  }

  public List<JobRequest<?>> jobs() {
    return jobs == null ? null : java.util.Collections.unmodifiableList(jobs);
  }

  public int maxRunning() {
    return maxRunning;
  }

  public JobRequest<?> onSuccess() {
    return onSuccess;
  }

  public JobRequest<?> onComplete() {
    return onComplete;
  }
}

package dev.keel.queue.steps;

import dev.keel.queue.JobRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The child jobs of a {@code ctx.children(name, children, resultType)} step: enqueued once, as one
 * batch, and waited for until every one of them ended.
 *
 * <p>Children run in the parent's tenant (a request without a tenant gets it; one naming another
 * tenant is refused) and, unless a request names a queue, in the parent's queue. They may not carry
 * an idempotency key: the step itself makes them happen once.
 */
public final class Children {
  private final List<JobRequest<?>> jobs;
  private final int maxRunning;

  private Children(List<JobRequest<?>> jobs, int maxRunning) {
    this.jobs = jobs;
    this.maxRunning = maxRunning;
  }

  /** These jobs (1 to {@link StepLimits#MAX_CHILDREN}), without a cap on how many run at once. */
  public static Children of(List<? extends JobRequest<?>> jobs) {
    return new Children(jobs == null ? null : new ArrayList<>(jobs), 0);
  }

  /**
   * At most {@code n} of the children RUNNING at once, cluster-wide (enforced in the claim like a
   * concurrency key); the children then cannot carry a concurrency key of their own.
   */
  public Children withMaxRunning(int n) {
    return new Children(jobs, n);
  }

  public List<JobRequest<?>> jobs() {
    return jobs == null ? null : List.copyOf(jobs);
  }

  /** 0 for no cap. */
  public int maxRunning() {
    return maxRunning;
  }
}

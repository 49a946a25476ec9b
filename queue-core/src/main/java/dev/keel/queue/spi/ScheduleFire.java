package dev.keel.queue.spi;

import dev.keel.queue.recurring.OverlapPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Fire one schedule, atomically: only if it is stored with {@code expectedVersion} and {@code
 * expectedNextFireAt} and is not paused (otherwise another node fired it first, or it changed:
 * {@link ScheduleFireOutcome.Kind#STALE}, nothing written). Then, unless {@code overlap} forbids it
 * because the schedule's last job is still PENDING or RUNNING, insert {@code jobs} (as an enqueue
 * would) and set {@code nextFireAt}, and — when {@code jobs} is not empty — {@code lastFireAt} and
 * the last job (the last of {@code jobs}). Under {@link OverlapPolicy#SKIP} a busy last job means:
 * no job, {@code nextFireAt} set; under {@link OverlapPolicy#WAIT}: nothing changes.
 *
 * <p>This compare-and-set is what makes every fire time produce exactly one job with any number of
 * schedulers: whichever fire of a given {@code expectedNextFireAt} commits first moves {@code
 * nextFireAt} on, and every other one is stale.
 *
 * @param jobs jobs for the fire times being fired, without idempotency keys; may be empty (the fire
 *     times are skipped)
 * @param nextFireAt the schedule's next regular fire time after this fire
 * @param lastFireAt the latest fire time of {@code jobs}; null when {@code jobs} is empty
 */
public record ScheduleFire(
    String name,
    long expectedVersion,
    Instant expectedNextFireAt,
    List<NewJob> jobs,
    Instant nextFireAt,
    Instant lastFireAt,
    OverlapPolicy overlap) {

  public ScheduleFire {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(expectedNextFireAt, "expectedNextFireAt");
    jobs = List.copyOf(Objects.requireNonNull(jobs, "jobs"));
    Objects.requireNonNull(nextFireAt, "nextFireAt");
    Objects.requireNonNull(overlap, "overlap");
    if (jobs.isEmpty() != (lastFireAt == null)) {
      throw new IllegalArgumentException("lastFireAt must be set exactly when jobs are fired");
    }
    for (NewJob job : jobs) {
      if (job.idempotencyKey() != null) {
        throw new IllegalArgumentException("jobs of a schedule fire carry no idempotency key");
      }
    }
  }
}

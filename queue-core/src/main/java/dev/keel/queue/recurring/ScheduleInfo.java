package dev.keel.queue.recurring;

import dev.keel.queue.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A stored schedule as every node sees it.
 *
 * @param nextFireTimes the next {@value #NEXT_FIRE_TIMES} regular fire times, the first of which
 *     may already be due; empty while paused
 * @param lastFireAt the latest fire time that created a job, or null
 * @param lastJobId the job created for {@code lastFireAt}, or null
 * @param lastJobTenant that job's tenant (to look it up with the job client), or null
 * @param lastJobState that job's state now; null if there is no such job or it was pruned
 * @param version grows by one with every change of the stored declaration
 * @param updatedAt when an upsert, pause or resume last changed it (backend clock)
 */
public record ScheduleInfo(
    String name,
    ScheduleTrigger trigger,
    String jobType,
    String queue,
    String tenant,
    MisfirePolicy misfire,
    Duration misfireWindow,
    OverlapPolicy overlap,
    boolean paused,
    List<Instant> nextFireTimes,
    Instant lastFireAt,
    UUID lastJobId,
    String lastJobTenant,
    JobState lastJobState,
    long version,
    Instant updatedAt) {

  /** How many upcoming fire times {@link #nextFireTimes()} lists. */
  public static final int NEXT_FIRE_TIMES = 5;

  public ScheduleInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(trigger, "trigger");
    nextFireTimes = List.copyOf(nextFireTimes);
  }
}

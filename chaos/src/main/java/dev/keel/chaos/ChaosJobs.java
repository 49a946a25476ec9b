package dev.keel.chaos;

import dev.keel.queue.JobHandler;
import dev.keel.queue.JobType;
import java.util.Map;

/** The one job type of the suite, registered the same way by the workers and the test's node. */
public final class ChaosJobs {
  /** The job type's name. */
  public static final String TYPE = "chaos.work";

  /** The queue of the jobs enqueued with idempotency keys during the faults. */
  public static final String IDEMPOTENT_QUEUE = "idem";

  /**
   * Attempts per job. A rescue uses an attempt; a job unlucky enough to be on a killed worker many
   * times in the long form must not run out, or it would end FAILED through no fault of Keel.
   */
  public static final int MAX_ATTEMPTS = 100;

  private ChaosJobs() {}

  /** The type with {@code handler}. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static JobType<Map> type(JobHandler<Map> handler) {
    return JobType.of(TYPE, Map.class, handler).withMaxAttempts(MAX_ATTEMPTS);
  }
}

package dev.keel.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The state of the queue at one moment, with a verdict. When the backend does not answer, {@code
 * backendReachable} is false, {@code backendError} says why (secrets masked), the figures are empty
 * and the snapshot is unhealthy.
 *
 * @param problems one line per broken threshold; empty when healthy
 * @param stuck RUNNING jobs whose lease expired
 * @param failedLastHour jobs that became FAILED in the last hour
 * @param oldestDueAge how long the oldest due PENDING job has waited
 * @param recentDurations handler run times measured in this process
 */
public record HealthSnapshot(
    boolean healthy,
    List<String> problems,
    String backend,
    boolean backendReachable,
    String backendError,
    Instant measuredAt,
    Map<JobState, Long> counts,
    Map<String, Map<JobState, Long>> countsByType,
    long stuck,
    long failedLastHour,
    Optional<Duration> oldestDueAge,
    RecentDurations recentDurations) {

  public HealthSnapshot {
    problems = List.copyOf(problems);
    counts = Map.copyOf(counts);
    countsByType = Map.copyOf(countsByType);
  }

  /** Jobs in {@code state} (0 if none). */
  public long count(JobState state) {
    return counts.getOrDefault(state, 0L);
  }

  /** Summary of recent handler durations in this process. */
  public record RecentDurations(long count, Duration p50, Duration p99, Duration max) {
    public static final RecentDurations NONE =
        new RecentDurations(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);
  }
}

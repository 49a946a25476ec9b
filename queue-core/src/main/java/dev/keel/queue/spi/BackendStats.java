package dev.keel.queue.spi;

import dev.keel.queue.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Figures for health, measured on the backend's clock at {@code measuredAt}.
 *
 * @param countsByState every state present, jobs in it
 * @param countsByType type → state → jobs
 * @param stuck RUNNING jobs whose lease expired and were not rescued yet
 * @param failedInWindow jobs that became FAILED within the requested window
 * @param oldestDueAge how long the oldest due PENDING job has been due; empty if none is due
 * @param countsByQueue queue → state → jobs
 * @param finishedInWindowByType type → SUCCEEDED / FAILED / CANCELLED → jobs that finished so
 *     within the requested window (a job retried since counts once, by its latest finish)
 */
public record BackendStats(
    Instant measuredAt,
    Map<JobState, Long> countsByState,
    Map<String, Map<JobState, Long>> countsByType,
    long stuck,
    long failedInWindow,
    Optional<Duration> oldestDueAge,
    Map<String, Map<JobState, Long>> countsByQueue,
    Map<String, Map<JobState, Long>> finishedInWindowByType) {
  public BackendStats {
    countsByState = Map.copyOf(countsByState);
    countsByType = copyNested(countsByType);
    countsByQueue = copyNested(countsByQueue);
    finishedInWindowByType = copyNested(finishedInWindowByType);
  }

  /** Figures of a backend that breaks counts down by type only. */
  public BackendStats(
      Instant measuredAt,
      Map<JobState, Long> countsByState,
      Map<String, Map<JobState, Long>> countsByType,
      long stuck,
      long failedInWindow,
      Optional<Duration> oldestDueAge) {
    this(
        measuredAt,
        countsByState,
        countsByType,
        stuck,
        failedInWindow,
        oldestDueAge,
        Map.of(),
        Map.of());
  }

  private static Map<String, Map<JobState, Long>> copyNested(Map<String, Map<JobState, Long>> m) {
    if (m == null) {
      return Map.of();
    }
    Map<String, Map<JobState, Long>> copy = new java.util.HashMap<>();
    m.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
    return Map.copyOf(copy);
  }
}

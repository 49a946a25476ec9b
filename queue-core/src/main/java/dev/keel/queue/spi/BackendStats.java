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
 */
public record BackendStats(
    Instant measuredAt,
    Map<JobState, Long> countsByState,
    Map<String, Map<JobState, Long>> countsByType,
    long stuck,
    long failedInWindow,
    Optional<Duration> oldestDueAge) {
  public BackendStats {
    countsByState = Map.copyOf(countsByState);
    countsByType = Map.copyOf(countsByType);
  }
}

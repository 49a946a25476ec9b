package dev.keel.queue.internal;

import dev.keel.queue.HealthSnapshot;
import dev.keel.queue.HealthThresholds;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.StatsRequest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds {@link HealthSnapshot}s and judges them against thresholds. */
public final class HealthService {
  private static final Logger log = LoggerFactory.getLogger(HealthService.class);
  private final QueueBackend backend;
  private final InstantSource clock;
  private final HealthThresholds thresholds;
  private final DurationRecorder durations;

  public HealthService(
      QueueBackend backend,
      InstantSource clock,
      HealthThresholds thresholds,
      DurationRecorder durations) {
    this.backend = backend;
    this.clock = clock;
    this.thresholds = thresholds;
    this.durations = durations;
  }

  public HealthSnapshot snapshot() {
    String name = backend.capabilities().name();
    BackendStats stats;
    try {
      backend.ping();
      stats = backend.stats(new StatsRequest(null, Duration.ofHours(1)));
    } catch (RuntimeException e) {
      // Health reports the failure instead of throwing: a health endpoint must answer "down".
      log.warn("Health check: backend {} unreachable", name, e);
      return new HealthSnapshot(
          false,
          List.of("backend " + name + " unreachable: " + e.getMessage()),
          name,
          false,
          String.valueOf(e.getMessage()),
          clock.instant(),
          Map.of(),
          Map.of(),
          0,
          0,
          Optional.empty(),
          durations.summary());
    }
    List<String> problems = new ArrayList<>();
    if (stats.stuck() > thresholds.maxStuck()) {
      problems.add(
          stats.stuck()
              + " jobs stuck in RUNNING with an expired lease (max "
              + thresholds.maxStuck()
              + ")");
    }
    if (stats.failedInWindow() > thresholds.maxFailedLastHour()) {
      problems.add(
          stats.failedInWindow()
              + " jobs failed in the last hour (max "
              + thresholds.maxFailedLastHour()
              + ")");
    }
    if (stats.oldestDueAge().isPresent()
        && stats.oldestDueAge().get().compareTo(thresholds.maxOldestDueAge()) > 0) {
      problems.add(
          "oldest due job has waited "
              + stats.oldestDueAge().get()
              + " (max "
              + thresholds.maxOldestDueAge()
              + ")");
    }
    return new HealthSnapshot(
        problems.isEmpty(),
        problems,
        name,
        true,
        null,
        stats.measuredAt(),
        stats.countsByState(),
        stats.countsByType(),
        stats.stuck(),
        stats.failedInWindow(),
        stats.oldestDueAge(),
        durations.summary());
  }
}

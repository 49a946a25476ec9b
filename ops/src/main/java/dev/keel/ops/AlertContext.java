package dev.keel.ops;

import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.StatsRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What rules read during one evaluation. Figures come from the backend; each window's stats are
 * fetched once per evaluation however many rules ask.
 */
public final class AlertContext {
  private final QueueBackend backend;
  private final Instant now;
  private final Map<Duration, BackendStats> stats = new HashMap<>();

  AlertContext(QueueBackend backend, Instant now) {
    this.backend = backend;
    this.now = now;
  }

  /** The console's clock at the start of the evaluation. */
  public Instant now() {
    return now;
  }

  /**
   * The backend's figures for every tenant, with {@code finishedInWindowByType} and {@code
   * failedInWindow} counted over {@code window}.
   */
  public BackendStats stats(Duration window) {
    return stats.computeIfAbsent(window, w -> backend.stats(new StatsRequest(null, w)));
  }

  /** The backend, for rules that need more. */
  public QueueBackend backend() {
    return backend;
  }
}

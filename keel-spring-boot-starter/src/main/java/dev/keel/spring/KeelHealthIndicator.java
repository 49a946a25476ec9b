package dev.keel.spring;

import dev.keel.queue.HealthSnapshot;
import dev.keel.queue.Keel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Keel's health snapshot as an Actuator health indicator: UP when the snapshot is healthy, DOWN
 * with its problems otherwise; details carry the backend, counts by state, stuck jobs, failures in
 * the last hour and the oldest due job's age. Backend errors are already masked by Keel.
 */
public final class KeelHealthIndicator implements HealthIndicator {
  private final Keel keel;
  private final KeelWorkerLifecycle worker;

  public KeelHealthIndicator(Keel keel, KeelWorkerLifecycle worker) {
    this.keel = keel;
    this.worker = worker;
  }

  @Override
  public Health health() {
    HealthSnapshot s = keel.health();
    Health.Builder b = s.healthy() ? Health.up() : Health.down();
    b.withDetail("backend", s.backend());
    b.withDetail("backendReachable", s.backendReachable());
    if (s.backendError() != null) {
      b.withDetail("backendError", s.backendError());
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    s.counts().forEach((state, n) -> counts.put(state.name(), n));
    b.withDetail("counts", counts);
    b.withDetail("stuck", s.stuck());
    b.withDetail("failedLastHour", s.failedLastHour());
    s.oldestDueAge().ifPresent(age -> b.withDetail("oldestDueAgeSeconds", age.toSeconds()));
    if (!s.problems().isEmpty()) {
      b.withDetail("problems", s.problems());
    }
    if (worker != null && worker.worker() != null) {
      b.withDetail("worker", worker.worker().isRunning() ? "running" : "stopped");
    }
    return b.build();
  }
}

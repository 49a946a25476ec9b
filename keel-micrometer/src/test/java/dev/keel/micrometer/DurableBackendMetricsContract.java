package dev.keel.micrometer;

import static dev.keel.micrometer.KeelMetrics.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.HealthSnapshot;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.testkit.KeelTesting;
import dev.keel.queue.testkit.ManualClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The metrics of a run on a real backend: events counted as on the inline backend, gauges from the
 * backend's own statistics, read once per interval. Subclasses give each test class its own schema
 * or key namespace.
 */
abstract class DurableBackendMetricsContract {

  /** A backend on a namespace of this test class alone, empty. */
  abstract QueueBackend openBackend();

  @Test
  void countsEventsAndReadsGaugesFromTheBackend() {
    ManualClock metricsClock = ManualClock.startingAtDefault();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Meters meters = new Meters(registry);
    KeelMetrics metrics = KeelMetrics.builder().clock(metricsClock).build();
    try (Keel keel =
        Keel.builder()
            .backend(openBackend())
            .listener(metrics)
            .register("ok", String.class, ctx -> JobOutcome.success())
            .register(
                "flaky",
                String.class,
                ctx ->
                    ctx.attempt() == 1
                        ? JobOutcome.retryAfter(Duration.ZERO, "try again")
                        : JobOutcome.success())
            .register("doomed", String.class, ctx -> JobOutcome.permanentFailure("never"))
            .register("later", String.class, ctx -> JobOutcome.success())
            .build()) {
      metrics.monitor(keel).bindTo(registry);
      for (int i = 0; i < 3; i++) {
        keel.client().enqueue(JobRequest.of("ok", "m" + i).withQueue("mail"));
      }
      keel.client().enqueue(JobRequest.of("ok", "m0").withQueue("mail").withIdempotencyKey("k"));
      keel.client().enqueue(JobRequest.of("ok", "m0").withQueue("mail").withIdempotencyKey("k"));
      keel.client().enqueue(JobRequest.of("flaky", "f"));
      keel.client().enqueue(JobRequest.of("doomed", "d").withTenant("acme"));
      keel.client().enqueue(JobRequest.of("later", "l").withDelay(Duration.ofHours(1)));

      KeelTesting.drainUntilIdle(keel);

      assertThat(meters.count(JOBS_ENQUEUED, TAG_CREATED, "true")).isEqualTo(7);
      assertThat(meters.count(JOBS_ENQUEUED, TAG_TYPE, "ok", TAG_CREATED, "false")).isEqualTo(1);
      String[] ok = {TAG_QUEUE, "mail", TAG_TYPE, "ok"};
      assertThat(meters.count(JOBS_STARTED, ok)).isEqualTo(4);
      assertThat(meters.count(JOBS_SUCCEEDED, ok)).isEqualTo(4);
      String[] flaky = {TAG_QUEUE, "default", TAG_TYPE, "flaky"};
      assertThat(meters.count(JOBS_STARTED, flaky)).isEqualTo(2);
      assertThat(meters.count(JOBS_RETRIED, flaky)).isEqualTo(1);
      assertThat(meters.count(JOBS_SUCCEEDED, flaky)).isEqualTo(1);
      assertThat(meters.count(JOBS_FAILED, TAG_TYPE, "doomed")).isEqualTo(1);
      assertThat(meters.count(JOBS_STARTED, TAG_TYPE, "later")).isZero();
      assertThat(meters.count(JOBS_LEASE_LOST)).isZero();

      Timer okWait = meters.timer(JOBS_QUEUE_WAIT, ok);
      assertThat(okWait.count()).isEqualTo(4);
      assertThat(okWait.max(TimeUnit.NANOSECONDS)).isGreaterThanOrEqualTo(0);
      assertThat(registry.find(JOBS_QUEUE_WAIT).timers().stream().mapToLong(Timer::count).sum())
          .isEqualTo(7);
      assertThat(meters.timer(JOBS_EXECUTION, ok).count()).isEqualTo(4);
      assertThat(meters.timer(JOBS_EXECUTION, flaky).count()).isEqualTo(1);

      HealthSnapshot health = keel.health();
      assertThat(meters.gauge(BACKEND_REACHABLE)).isEqualTo(1);
      for (JobState state : JobState.values()) {
        assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, state.name().toLowerCase()))
            .as(state.name())
            .isEqualTo(health.count(state));
      }
      assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).isEqualTo(1);
      assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "running")).isZero();
      assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "later", TAG_STATE, "pending"))
          .isEqualTo(1);
      assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "ok", TAG_STATE, "succeeded"))
          .isEqualTo(4);
      assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "flaky", TAG_STATE, "succeeded"))
          .isEqualTo(1);
      assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "doomed", TAG_STATE, "failed"))
          .isEqualTo(1);
      assertThat(meters.gauge(JOBS_FAILED_LAST_HOUR)).isEqualTo(1);
      assertThat(meters.gauge(JOBS_STUCK)).isZero();
      assertThat(meters.gauge(JOBS_OLDEST_DUE_AGE)).as("the only pending job is not due").isZero();
      assertThat(registry.getMeters()).noneMatch(m -> m.getId().getTag(TAG_TENANT) != null);

      // Cached for the interval, then read again from the backend.
      keel.client().enqueue(JobRequest.of("later", "l2").withDelay(Duration.ofHours(1)));
      assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).isEqualTo(1);
      metricsClock.advance(DEFAULT_REFRESH_INTERVAL);
      assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).isEqualTo(2);
      assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "later", TAG_STATE, "pending"))
          .isEqualTo(2);
    } finally {
      metrics.close();
    }
  }
}

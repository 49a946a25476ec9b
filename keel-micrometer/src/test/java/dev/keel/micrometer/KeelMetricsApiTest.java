package dev.keel.micrometer;

import static dev.keel.micrometer.KeelMetrics.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.Job;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobQuery;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.testkit.KeelTesting;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Building, attaching, binding and closing; misuse is a clear error. */
class KeelMetricsApiTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Meters meters = new Meters(registry);
  private Keel keel;

  @AfterEach
  void close() {
    if (keel != null) {
      keel.close();
    }
  }

  private Keel keel(KeelMetrics metrics) {
    keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .listener(metrics)
            .register("email.send", String.class, ctx -> dev.keel.queue.JobOutcome.success())
            .build();
    return keel;
  }

  @Test
  void builderRejectsBadInputNamingTheField() {
    assertThatThrownBy(() -> KeelMetrics.builder().refreshInterval(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("refreshInterval");
    assertThatThrownBy(() -> KeelMetrics.builder().refreshInterval(Duration.ZERO))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("refreshInterval")
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> KeelMetrics.builder().refreshInterval(Duration.ofSeconds(-1)))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("refreshInterval");
    assertThatThrownBy(() -> KeelMetrics.builder().refreshInterval(Duration.ofNanos(1)))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("refreshInterval");
    assertThatThrownBy(
            () ->
                KeelMetrics.builder()
                    .refreshInterval(Duration.ofSeconds(5))
                    .refreshInterval(Duration.ofSeconds(6)))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("refreshInterval was already set");
    assertThatThrownBy(() -> KeelMetrics.builder().tagTenants(true).tagTenants(false))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("tagTenants");
    assertThatThrownBy(() -> KeelMetrics.builder().clock(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("clock");
    KeelMetrics metrics = KeelMetrics.builder().build();
    assertThatThrownBy(() -> metrics.monitor((Keel) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("keel");
    assertThatThrownBy(() -> metrics.monitor((Supplier<dev.keel.queue.HealthSnapshot>) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("health");
    assertThatThrownBy(() -> metrics.bindTo(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("registry");
  }

  @Test
  void bindingBeforeMonitoringSaysWhatIsMissing() {
    KeelMetrics metrics = KeelMetrics.builder().build();
    keel(metrics);
    assertThatThrownBy(() -> metrics.bindTo(registry))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no health source")
        .hasMessageContaining("monitor(keel)");
    assertThat(registry.getMeters()).isEmpty();

    metrics.monitor(keel);
    assertThatThrownBy(() -> metrics.monitor(keel))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already has a health source");
    metrics.bindTo(registry);
    assertThatThrownBy(() -> metrics.bindTo(new SimpleMeterRegistry()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already bound")
        .hasMessageContaining("CompositeMeterRegistry");
  }

  @Test
  void withoutHealthGaugesOnlyEventMetersExist() {
    KeelMetrics metrics = KeelMetrics.builder().healthGauges(false).build();
    keel(metrics);
    metrics.bindTo(registry);
    assertThatThrownBy(() -> metrics.monitor(keel))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("healthGauges(false)");
    keel.client().enqueue(JobRequest.of("email.send", "a"));
    KeelTesting.drainUntilIdle(keel);
    assertThat(meters.count(JOBS_SUCCEEDED)).isEqualTo(1);
    assertThat(registry.getMeters()).noneMatch(m -> m.getId().getName().startsWith(JOBS_CURRENT));
    assertThat(registry.find(BACKEND_REACHABLE).gauges()).isEmpty();
  }

  @Test
  void countersIncludeEventsBeforeBindingTimersStartAtBinding() {
    KeelMetrics metrics = KeelMetrics.builder().build();
    keel(metrics);
    keel.client().enqueue(JobRequest.of("email.send", "a"));
    KeelTesting.drainUntilIdle(keel);

    metrics.monitor(keel).bindTo(registry);
    keel.client().enqueue(JobRequest.of("email.send", "b"));
    KeelTesting.drainUntilIdle(keel);

    assertThat(meters.count(JOBS_ENQUEUED, TAG_CREATED, "true")).isEqualTo(2);
    assertThat(meters.count(JOBS_SUCCEEDED, TAG_TYPE, "email.send")).isEqualTo(2);
    assertThat(meters.timer(JOBS_EXECUTION, TAG_TYPE, "email.send").count()).isEqualTo(1);
    assertThat(meters.timer(JOBS_QUEUE_WAIT, TAG_TYPE, "email.send").count()).isEqualTo(1);
  }

  @Test
  void closeRemovesTheMetersAndStopsCounting() {
    KeelMetrics metrics = KeelMetrics.builder().clock(InstantSource.system()).build();
    keel(metrics);
    metrics.monitor(keel).bindTo(registry);
    keel.client().enqueue(JobRequest.of("email.send", "a"));
    KeelTesting.drainUntilIdle(keel);
    assertThat(registry.getMeters()).isNotEmpty();

    metrics.close();
    metrics.close();

    assertThat(registry.getMeters()).isEmpty();
    keel.client().enqueue(JobRequest.of("email.send", "b"));
    KeelTesting.drainUntilIdle(keel);
    assertThat(registry.getMeters()).isEmpty();
    assertThatThrownBy(() -> metrics.bindTo(new SimpleMeterRegistry()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void toStringShowsTheSettings() {
    assertThat(KeelMetrics.builder().tagTenants(true).build().toString())
        .contains("refreshInterval=PT10S", "tagTenants=true");
  }

  @Test
  void concurrentEventsWhileBindingAreAllCountedOnce() throws Exception {
    KeelMetrics metrics = KeelMetrics.builder().build();
    keel(metrics);
    metrics.monitor(keel);
    Job job = sampleJob();
    int threads = 8;
    int perThread = 20_000;
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int n = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    String type = "type." + ((i + n) % 4);
                    String queue = "q" + (i % 3);
                    Job j = withTypeAndQueue(job, type, queue);
                    metrics.onEvent(new JobEvent.Started(j));
                    metrics.onEvent(new JobEvent.Succeeded(j, Duration.ofMillis(1)));
                  }
                  return null;
                }));
      }
      start.await();
      metrics.bindTo(registry);
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(meters.count(JOBS_STARTED)).isEqualTo(threads * perThread);
    assertThat(meters.count(JOBS_SUCCEEDED)).isEqualTo(threads * perThread);
    assertThat(registry.find(JOBS_SUCCEEDED).functionCounters()).hasSize(12);
    assertThat(registry.find(JOBS_EXECUTION).timers()).hasSize(12);
    // Four event types and email.send, enqueued for the sample job: five gauges (states) each.
    assertThat(registry.find(JOBS_CURRENT_BY_TYPE).gauges()).hasSize(5 * 5);
  }

  private Job sampleJob() {
    keel.client().enqueue(JobRequest.of("email.send", "a"));
    return keel.client().list(JobQuery.tenant("default")).jobs().get(0);
  }

  private static Job withTypeAndQueue(Job j, String type, String queue) {
    Instant now = j.createdAt();
    return new Job(
        j.id(),
        type,
        queue,
        j.tenant(),
        j.payload(),
        0,
        JobState.RUNNING,
        1,
        3,
        now,
        now,
        now.plusMillis(5),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}

package dev.keel.micrometer;

import static dev.keel.micrometer.KeelMetrics.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.keel.queue.HealthSnapshot;
import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gauges: one cached health snapshot per interval, types that appear later, a backend down. */
class KeelMetricsGaugeTest {
  private final ManualClock clock = ManualClock.startingAtDefault();
  private final ManualClock metricsClock = ManualClock.startingAtDefault();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Meters meters = new Meters(registry);
  private final AtomicBoolean backendDown = new AtomicBoolean();
  private final InlineBackend inline = InlineBackend.create(clock);
  private Keel keel;

  @AfterEach
  void close() {
    if (keel != null) {
      keel.close();
    }
  }

  private Keel keel(KeelMetrics metrics) {
    keel = Keel.builder().clock(clock).backend(failable(inline)).listener(metrics).build();
    return keel;
  }

  /** The inline backend, whose ping and stats fail while {@link #backendDown} is set. */
  private QueueBackend failable(QueueBackend delegate) {
    return (QueueBackend)
        Proxy.newProxyInstance(
            QueueBackend.class.getClassLoader(),
            new Class<?>[] {QueueBackend.class},
            (proxy, method, args) -> {
              if (backendDown.get()
                  && (method.getName().equals("ping") || method.getName().equals("stats"))) {
                throw new IllegalStateException("Connection refused (simulated)");
              }
              try {
                return method.invoke(delegate, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** Counts the calls of keel.health() the metrics make. */
  private static final class CountingHealth implements Supplier<HealthSnapshot> {
    private final Supplier<HealthSnapshot> delegate;
    final AtomicInteger calls = new AtomicInteger();

    CountingHealth(Supplier<HealthSnapshot> delegate) {
      this.delegate = delegate;
    }

    @Override
    public HealthSnapshot get() {
      calls.incrementAndGet();
      return delegate.get();
    }
  }

  @Test
  void allGaugesShareOneSnapshotPerRefreshInterval() {
    KeelMetrics metrics =
        KeelMetrics.builder().clock(metricsClock).refreshInterval(Duration.ofSeconds(10)).build();
    Keel keel = keel(metrics);
    for (String type : new String[] {"a", "b", "c"}) {
      keel.client().enqueue(JobRequest.of(type, "x"));
    }
    CountingHealth health = new CountingHealth(keel::health);
    metrics.monitor(health).bindTo(registry);
    assertThat(health.calls).as("binding queries nothing").hasValue(0);

    meters.scrape();
    meters.scrape();
    meters.scrape();
    assertThat(registry.find(JOBS_CURRENT_BY_TYPE).gauges()).hasSize(3 * 5);
    assertThat(health.calls).as("one snapshot for every gauge of three scrapes").hasValue(1);
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).isEqualTo(3);

    keel.client().enqueue(JobRequest.of("a", "y"));
    metricsClock.advance(Duration.ofMillis(9_999));
    meters.scrape();
    assertThat(health.calls).hasValue(1);
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).as("cached").isEqualTo(3);

    metricsClock.advance(Duration.ofMillis(1));
    meters.scrape();
    meters.scrape();
    assertThat(health.calls).hasValue(2);
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).isEqualTo(4);
    assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "a", TAG_STATE, "pending"))
        .isEqualTo(2);
  }

  @Test
  void gaugesOfATypeSeenOnlyInASnapshotAppearAtTheNextRefresh() {
    KeelMetrics metrics = KeelMetrics.builder().clock(metricsClock).build();
    Keel keel = keel(metrics);
    metrics.monitor(keel).bindTo(registry);
    meters.scrape();

    // Another node (a Keel without this listener) enqueues a type this process never saw.
    Keel otherNode = Keel.builder().clock(clock).backend(inline).build();
    otherNode.client().enqueue(JobRequest.of("from.elsewhere", "x"));
    assertThat(meters.hasGauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "from.elsewhere")).isFalse();

    metricsClock.advance(DEFAULT_REFRESH_INTERVAL);
    meters.scrape();

    assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "from.elsewhere", TAG_STATE, "pending"))
        .isEqualTo(1);
    assertThat(registry.find(JOBS_CURRENT_BY_TYPE).tag(TAG_TYPE, "from.elsewhere").gauges())
        .hasSize(5);

    // A type first seen in an event gets its gauges at once.
    keel.client().enqueue(JobRequest.of("seen.here", "x"));
    assertThat(meters.hasGauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "seen.here")).isTrue();
  }

  @Test
  void anUnreachableBackendKeepsTheLastValuesAndSaysSo() {
    KeelMetrics metrics = KeelMetrics.builder().clock(metricsClock).build();
    Keel keel = keel(metrics);
    keel.client().enqueue(JobRequest.of("a", "x"));
    keel.client().enqueue(JobRequest.of("a", "y"));
    metrics.monitor(keel).bindTo(registry);
    assertThat(meters.gauge(BACKEND_REACHABLE)).isEqualTo(1);
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).isEqualTo(2);

    backendDown.set(true);
    assertThat(keel.health().backendReachable()).isFalse();
    metricsClock.advance(DEFAULT_REFRESH_INTERVAL);

    assertThatCode(meters::scrape).doesNotThrowAnyException();
    assertThat(meters.gauge(BACKEND_REACHABLE)).isZero();
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).as("last values").isEqualTo(2);
    assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "a", TAG_STATE, "pending"))
        .isEqualTo(2);
    metricsClock.advance(DEFAULT_REFRESH_INTERVAL);
    assertThatCode(meters::scrape).doesNotThrowAnyException();
    assertThat(meters.gauge(BACKEND_REACHABLE)).isZero();

    backendDown.set(false);
    keel.client().enqueue(JobRequest.of("a", "z"));
    metricsClock.advance(DEFAULT_REFRESH_INTERVAL);
    assertThat(meters.gauge(BACKEND_REACHABLE)).isEqualTo(1);
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).isEqualTo(3);
  }

  @Test
  void aHealthSourceThatThrowsNeverBreaksTheScrape() {
    KeelMetrics metrics = KeelMetrics.builder().clock(metricsClock).build();
    keel(metrics);
    AtomicInteger calls = new AtomicInteger();
    metrics
        .monitor(
            () -> {
              calls.incrementAndGet();
              throw new IllegalStateException("pool exhausted (simulated)");
            })
        .bindTo(registry);

    assertThatCode(meters::scrape).doesNotThrowAnyException();
    assertThat(meters.gauge(BACKEND_REACHABLE)).isZero();
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).isZero();
    assertThat(meters.gauge(JOBS_OLDEST_DUE_AGE)).isZero();
    meters.scrape();
    assertThat(calls).as("a failing source is not hammered either").hasValue(1);
  }

  @Test
  void aNullSnapshotCountsAsUnreachable() {
    KeelMetrics metrics = KeelMetrics.builder().clock(metricsClock).build();
    keel(metrics);
    metrics.monitor(() -> null).bindTo(registry);
    assertThatCode(meters::scrape).doesNotThrowAnyException();
    assertThat(meters.gauge(BACKEND_REACHABLE)).isZero();
  }

  @Test
  void aReaderArrivingDuringARefreshGetsThePreviousValuesWithoutQuerying() throws Exception {
    KeelMetrics metrics = KeelMetrics.builder().clock(metricsClock).build();
    Keel keel = keel(metrics);
    keel.client().enqueue(JobRequest.of("a", "x"));
    CountDownLatch inSecondCall = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountingHealth health =
        new CountingHealth(
            () -> {
              HealthSnapshot s = keel.health();
              if (s.count(dev.keel.queue.JobState.PENDING) > 1) {
                inSecondCall.countDown();
                await(release);
              }
              return s;
            });
    metrics.monitor(health).bindTo(registry);
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).isEqualTo(1);

    keel.client().enqueue(JobRequest.of("a", "y"));
    metricsClock.advance(DEFAULT_REFRESH_INTERVAL);
    ExecutorService scraper = Executors.newSingleThreadExecutor();
    try {
      Future<Double> slow = scraper.submit(() -> meters.gauge(JOBS_CURRENT, TAG_STATE, "pending"));
      assertThat(inSecondCall.await(30, TimeUnit.SECONDS)).isTrue();

      assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending"))
          .as("previous value, at once")
          .isEqualTo(1);
      assertThat(health.calls).hasValue(2);

      release.countDown();
      assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).isEqualTo(2);
      assertThat(health.calls).hasValue(2);
    } finally {
      release.countDown();
      scraper.shutdownNow();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

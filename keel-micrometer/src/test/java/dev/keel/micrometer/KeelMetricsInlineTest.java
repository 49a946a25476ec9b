package dev.keel.micrometer;

import static dev.keel.micrometer.KeelMetrics.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.keel.queue.EnqueueResult;
import dev.keel.queue.HealthSnapshot;
import dev.keel.queue.Job;
import dev.keel.queue.JobEvent;
import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.JobType;
import dev.keel.queue.Keel;
import dev.keel.queue.MaintenanceReport;
import dev.keel.queue.Retention;
import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.testkit.KeelTesting;
import dev.keel.queue.testkit.ManualClock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every event meter and gauge after a realistic run on the inline backend with a manual clock. */
class KeelMetricsInlineTest {
  private final ManualClock clock = ManualClock.startingAtDefault();
  private final ManualClock metricsClock = ManualClock.startingAtDefault();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Map<String, Boolean> histograms = new ConcurrentHashMap<>();

  {
    // Records what each timer asked for; the simple registry itself keeps no buckets.
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public DistributionStatisticConfig configure(
                  Meter.Id id, DistributionStatisticConfig config) {
                histograms.merge(
                    id.getName(),
                    Boolean.TRUE.equals(config.isPercentileHistogram()),
                    Boolean::logicalAnd);
                return config;
              }
            });
  }

  private final Meters meters = new Meters(registry);
  private Keel keel;

  @AfterEach
  void close() {
    if (keel != null) {
      keel.close();
    }
  }

  /** Handlers for every outcome; "lease.*" lose their lease to a rescue while they run. */
  private Keel keel(KeelMetrics metrics, Retention retention) {
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    AtomicBoolean throttledOnce = new AtomicBoolean();
    Keel.Builder b =
        Keel.builder()
            .clock(clock)
            .backend(InlineBackend.create(clock))
            .listener(metrics)
            .throttle(
                job ->
                    job.type().equals("limited") && throttledOnce.compareAndSet(false, true)
                        ? Duration.ofSeconds(2)
                        : Duration.ZERO)
            .register("email.send", String.class, ctx -> JobOutcome.success())
            .register(
                "payment.charge",
                String.class,
                ctx -> {
                  if (ctx.attempt() == 1) {
                    throw new IllegalStateException("card network timeout");
                  }
                  return JobOutcome.success();
                })
            .register(
                "report.build", String.class, ctx -> JobOutcome.permanentFailure("no such report"))
            .register("export.run", String.class, ctx -> JobOutcome.cancel("export withdrawn"))
            .register(
                "digest.send",
                String.class,
                ctx ->
                    runs.computeIfAbsent("digest", k -> new AtomicInteger()).incrementAndGet() == 1
                        ? JobOutcome.snooze(Duration.ofMinutes(1))
                        : JobOutcome.success())
            .register("limited", String.class, ctx -> JobOutcome.success())
            .register(
                JobType.of(
                        "lease.lost",
                        String.class,
                        ctx -> {
                          if (ctx.attempt() == 1) {
                            loseLease();
                          }
                          return JobOutcome.success();
                        })
                    .withMaxAttempts(3))
            .register(
                JobType.of(
                        "lease.last",
                        String.class,
                        ctx -> {
                          loseLease();
                          return JobOutcome.success();
                        })
                    .withMaxAttempts(1));
    if (retention != null) {
      b.retention(retention);
    }
    return b.build();
  }

  /** Lets the running job's lease expire and has maintenance rescue it. */
  private void loseLease() {
    clock.advance(Keel.DEFAULT_LEASE.plusSeconds(1));
    keel.maintenance("rescuer");
  }

  private void enqueue(String type) {
    keel.client().enqueue(JobRequest.of(type, "x"));
  }

  @Test
  void countsTimesAndGaugesARealisticRun() {
    KeelMetrics metrics = KeelMetrics.builder().clock(metricsClock).build();
    keel = keel(metrics, null);
    metrics.monitor(keel).bindTo(registry);

    // Three e-mails in their own queue, for two tenants, and one duplicate by idempotency key.
    keel.client()
        .enqueue(
            JobRequest.of("email.send", "a")
                .withQueue("emails")
                .withTenant("acme")
                .withIdempotencyKey("welcome:a"));
    EnqueueResult duplicate =
        keel.client()
            .enqueue(
                JobRequest.of("email.send", "a")
                    .withQueue("emails")
                    .withTenant("acme")
                    .withIdempotencyKey("welcome:a"));
    assertThat(duplicate.created()).isFalse();
    keel.client().enqueue(JobRequest.of("email.send", "b").withQueue("emails").withTenant("acme"));
    keel.client()
        .enqueue(JobRequest.of("email.send", "c").withQueue("emails").withTenant("globex"));
    for (String type :
        new String[] {
          "payment.charge",
          "report.build",
          "export.run",
          "digest.send",
          "limited",
          "lease.lost",
          "lease.last"
        }) {
      enqueue(type);
    }
    clock.advance(Duration.ofSeconds(5)); // every job waits 5 s before the first one starts

    KeelTesting.drainUntilIdle(keel, clock);

    // Enqueues: by type and created, no queue tag.
    assertThat(meters.count(JOBS_ENQUEUED, TAG_TYPE, "email.send", TAG_CREATED, "true"))
        .isEqualTo(3);
    assertThat(meters.count(JOBS_ENQUEUED, TAG_TYPE, "email.send", TAG_CREATED, "false"))
        .isEqualTo(1);
    assertThat(meters.count(JOBS_ENQUEUED)).isEqualTo(11);
    assertThat(registry.find(JOBS_ENQUEUED).tagKeys(TAG_QUEUE).meters()).isEmpty();

    String[] emails = {TAG_QUEUE, "emails", TAG_TYPE, "email.send"};
    assertThat(meters.count(JOBS_STARTED, emails)).isEqualTo(3);
    assertThat(meters.count(JOBS_SUCCEEDED, emails)).isEqualTo(3);
    assertThat(meters.count(JOBS_STARTED, TAG_QUEUE, "emails")).isEqualTo(3);

    String[] payment = {TAG_QUEUE, "default", TAG_TYPE, "payment.charge"};
    assertThat(meters.count(JOBS_STARTED, payment)).isEqualTo(2);
    assertThat(meters.count(JOBS_RETRIED, payment)).isEqualTo(1);
    assertThat(meters.count(JOBS_SUCCEEDED, payment)).isEqualTo(1);
    assertThat(meters.count(JOBS_FAILED, payment)).isZero();

    assertThat(meters.count(JOBS_FAILED, TAG_TYPE, "report.build")).isEqualTo(1);
    assertThat(meters.count(JOBS_CANCELLED, TAG_TYPE, "export.run")).isEqualTo(1);
    assertThat(meters.count(JOBS_SNOOZED, TAG_TYPE, "digest.send")).isEqualTo(1);
    assertThat(meters.count(JOBS_SUCCEEDED, TAG_TYPE, "digest.send")).isEqualTo(1);
    assertThat(meters.count(JOBS_THROTTLED, TAG_TYPE, "limited")).isEqualTo(1);
    assertThat(meters.count(JOBS_STARTED, TAG_TYPE, "limited")).isEqualTo(1);
    assertThat(meters.count(JOBS_SUCCEEDED, TAG_TYPE, "limited")).isEqualTo(1);
    assertThat(meters.count(JOBS_LEASE_LOST, TAG_TYPE, "lease.lost")).isEqualTo(1);
    assertThat(meters.count(JOBS_STARTED, TAG_TYPE, "lease.lost")).isEqualTo(2);
    assertThat(meters.count(JOBS_SUCCEEDED, TAG_TYPE, "lease.lost")).isEqualTo(1);
    assertThat(meters.count(JOBS_LEASE_LOST, TAG_TYPE, "lease.last")).isEqualTo(1);
    assertThat(meters.count(JOBS_FAILED, TAG_TYPE, "lease.last")).isZero();
    assertThat(meters.count(JOBS_RELEASED)).isZero();

    assertThat(meters.count(JOBS_STARTED)).isEqualTo(13);
    assertThat(meters.count(JOBS_SUCCEEDED)).isEqualTo(7);
    assertThat(meters.count(JOBS_FAILED)).isEqualTo(1);
    assertThat(meters.count(JOBS_LEASE_LOST)).isEqualTo(2);

    // Maintenance inside the lease.* handlers: one rescued, one failed on its last attempt.
    assertThat(meters.count(JOBS_RESCUED)).isEqualTo(1);
    assertThat(meters.count(JOBS_FAILED_ON_RESCUE)).isEqualTo(1);
    assertThat(meters.count(JOBS_PRUNED)).isZero();
    assertThat(meters.count(MAINTENANCE_RUNS)).isEqualTo(2);

    // Queue wait: the e-mails started 5 s after they were due; nothing waits a negative time.
    Timer emailWait = meters.timer(JOBS_QUEUE_WAIT, emails);
    assertThat(emailWait.count()).isEqualTo(3);
    assertThat(emailWait.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(15_000);
    assertThat(emailWait.max(TimeUnit.MILLISECONDS)).isEqualTo(5_000);
    Timer paymentWait = meters.timer(JOBS_QUEUE_WAIT, payment);
    assertThat(paymentWait.count()).isEqualTo(2);
    assertThat(paymentWait.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    double waits = registry.find(JOBS_QUEUE_WAIT).timers().stream().mapToLong(Timer::count).sum();
    assertThat(waits).isEqualTo(13);

    // Execution: one record per success.
    assertThat(meters.timer(JOBS_EXECUTION, emails).count()).isEqualTo(3);
    assertThat(meters.timer(JOBS_EXECUTION, payment).count()).isEqualTo(1);
    assertThat(meters.timer(JOBS_EXECUTION, TAG_TYPE, "report.build").count()).isZero();
    assertThat(registry.find(JOBS_EXECUTION).timers().stream().mapToLong(Timer::count).sum())
        .isEqualTo(7);
    assertThat(histograms)
        .as("percentile histograms of both timers")
        .containsEntry(JOBS_EXECUTION, true)
        .containsEntry(JOBS_QUEUE_WAIT, true);

    // Gauges: one job due and waiting 7 s, one scheduled for tomorrow.
    enqueue("backlog");
    keel.client().enqueue(JobRequest.of("later", "x").withDelay(Duration.ofDays(1)));
    clock.advance(Duration.ofSeconds(7));
    HealthSnapshot health = keel.health();

    assertThat(meters.gauge(BACKEND_REACHABLE)).isEqualTo(1);
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "pending")).isEqualTo(2);
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "running")).isZero();
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "succeeded")).isEqualTo(7);
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "failed")).isEqualTo(2);
    assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, "cancelled")).isEqualTo(1);
    for (JobState state : JobState.values()) {
      assertThat(meters.gauge(JOBS_CURRENT, TAG_STATE, state.name().toLowerCase()))
          .isEqualTo(health.count(state));
    }
    assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "email.send", TAG_STATE, "succeeded"))
        .isEqualTo(3);
    assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "email.send", TAG_STATE, "pending"))
        .isZero();
    assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "report.build", TAG_STATE, "failed"))
        .isEqualTo(1);
    assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "lease.last", TAG_STATE, "failed"))
        .isEqualTo(1);
    assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "export.run", TAG_STATE, "cancelled"))
        .isEqualTo(1);
    assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "backlog", TAG_STATE, "pending"))
        .isEqualTo(1);
    assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "later", TAG_STATE, "pending"))
        .isEqualTo(1);
    assertThat(meters.gauge(JOBS_STUCK)).isZero();
    assertThat(meters.gauge(JOBS_FAILED_LAST_HOUR)).isEqualTo(health.failedLastHour());
    assertThat(meters.gauge(JOBS_OLDEST_DUE_AGE)).isCloseTo(7.0, within(0.001));
    assertThat(registry.find(JOBS_OLDEST_DUE_AGE).timeGauge().baseTimeUnit())
        .isEqualTo(TimeUnit.SECONDS);

    // Bounded tags: queue and type names only by default.
    assertThat(registry.getMeters())
        .allSatisfy(
            m -> {
              assertThat(m.getId().getTag(TAG_TENANT)).as(m.getId().toString()).isNull();
              assertThat(m.getId().getTags())
                  .extracting(t -> t.getKey())
                  .isSubsetOf(TAG_QUEUE, TAG_TYPE, TAG_STATE, TAG_CREATED);
            });
  }

  @Test
  void tenantsAreTagsOnlyWhenAskedFor() {
    KeelMetrics metrics = KeelMetrics.builder().clock(metricsClock).tagTenants(true).build();
    keel = keel(metrics, null);
    metrics.monitor(keel).bindTo(registry);
    keel.client().enqueue(JobRequest.of("email.send", "a").withTenant("acme"));
    keel.client().enqueue(JobRequest.of("email.send", "b").withTenant("acme"));
    keel.client().enqueue(JobRequest.of("email.send", "c").withTenant("globex"));
    KeelTesting.drainUntilIdle(keel);

    assertThat(meters.count(JOBS_ENQUEUED, TAG_TENANT, "acme", TAG_CREATED, "true")).isEqualTo(2);
    assertThat(meters.count(JOBS_ENQUEUED, TAG_TENANT, "globex")).isEqualTo(1);
    assertThat(meters.count(JOBS_SUCCEEDED, TAG_TYPE, "email.send", TAG_TENANT, "acme"))
        .isEqualTo(2);
    assertThat(meters.count(JOBS_SUCCEEDED, TAG_TENANT, "globex")).isEqualTo(1);
    assertThat(meters.timer(JOBS_QUEUE_WAIT, TAG_TENANT, "acme").count()).isEqualTo(2);
    // The health snapshot is not split by tenant: gauges never carry the tag.
    assertThat(registry.find(JOBS_CURRENT_BY_TYPE).tagKeys(TAG_TENANT).gauges()).isEmpty();
    assertThat(meters.gauge(JOBS_CURRENT_BY_TYPE, TAG_TYPE, "email.send", TAG_STATE, "succeeded"))
        .isEqualTo(3);
  }

  @Test
  void countsPrunedJobsAndReleasedOnes() {
    KeelMetrics metrics = KeelMetrics.builder().clock(metricsClock).build();
    keel = keel(metrics, new Retention(Duration.ZERO, Duration.ZERO, Duration.ZERO));
    metrics.monitor(keel).bindTo(registry);
    enqueue("email.send");
    enqueue("report.build");
    KeelTesting.drainUntilIdle(keel);
    clock.advance(Duration.ofSeconds(1));

    MaintenanceReport report = keel.maintenance("node-1");

    assertThat(report.pruned()).isEqualTo(2);
    assertThat(meters.count(JOBS_PRUNED)).isEqualTo(2);
    assertThat(meters.count(MAINTENANCE_RUNS)).isEqualTo(1);
    assertThat(meters.count(JOBS_RESCUED)).isZero();

    // Released happens on worker shutdown with prefetched jobs; the listener maps it like the rest.
    enqueue("limited");
    Job job = keel.client().list(dev.keel.queue.JobQuery.tenant("default")).jobs().get(0);
    metrics.onEvent(new JobEvent.Released(job));
    assertThat(meters.count(JOBS_RELEASED, TAG_TYPE, job.type(), TAG_QUEUE, job.queue()))
        .isEqualTo(1);
    // A report of a run that did not get the lock is not a run.
    metrics.onMaintenance(new MaintenanceReport(false, 0, 0, 0));
    assertThat(meters.count(MAINTENANCE_RUNS)).isEqualTo(1);
  }

  @Test
  void queueWaitIsNeverNegative() {
    Job job =
        new Job(
            java.util.UUID.randomUUID(),
            "t",
            "default",
            "default",
            "{}",
            0,
            JobState.RUNNING,
            1,
            3,
            clock.instant().plusSeconds(10), // due after it started: clocks of two nodes
            clock.instant(),
            clock.instant().plusSeconds(5),
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
    assertThat(KeelMetrics.queueWaitNanos(job)).isZero();
    Job late =
        new Job(
            job.id(),
            "t",
            "default",
            "default",
            "{}",
            0,
            JobState.RUNNING,
            1,
            3,
            clock.instant(),
            clock.instant().minusSeconds(3),
            clock.instant().plusMillis(1500),
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
    assertThat(KeelMetrics.queueWaitNanos(late)).isEqualTo(1_500_000_000L);
  }
}

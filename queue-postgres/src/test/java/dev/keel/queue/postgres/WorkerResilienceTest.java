package dev.keel.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.spi.BackendSettings;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kills the worker's database connections again and again while it runs (pg_terminate_backend on
 * the pool's and the listener's connections, as a failover or a DBA would): the worker logs, backs
 * off, reconnects and carries on; every job ends SUCCEEDED and none stays RUNNING.
 */
class WorkerResilienceTest {
  private final PostgresTestDatabase db = PostgresTestDatabase.forClass(WorkerResilienceTest.class);
  private final String appName = "keel_resilience_" + Long.toHexString(System.nanoTime());
  private ScheduledExecutorService killer;

  @BeforeEach
  void startKiller() {
    killer = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void cleanUp() {
    killer.shutdownNow();
    db.close();
  }

  private Keel keel(Map<Integer, AtomicInteger> runs) {
    PostgresTestDatabase.Server server = PostgresTestDatabase.server();
    String url =
        server.postgresUrl()
            + (server.postgresUrl().contains("?") ? "&" : "?")
            + "ApplicationName="
            + appName;
    return Keel.builder()
        .backend(
            new PostgresBackendProvider()
                .open(
                    new BackendSettings(
                        url, InstantSource.system(), Map.of("KEEL_DATABASE_SCHEMA", db.schema()))))
        .register(
            "work",
            Map.class,
            JobHandler.of(
                m -> {
                  // A few milliseconds of work per job keeps the run going for seconds, so the
                  // killer gets to kill connections while jobs are claimed and finished.
                  LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(4));
                  runs.computeIfAbsent(((Number) m.get("n")).intValue(), k -> new AtomicInteger())
                      .incrementAndGet();
                }))
        .build();
  }

  @Test
  void killedConnectionsWhileWorkersRunLoseNoJobAndLeaveNoneRunning() {
    int jobs = 3_000;
    Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
    try (Keel keel = keel(runs)) {
      List<JobRequest<Map<String, Integer>>> batch = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        batch.add(JobRequest.of("work", Map.of("n", i)));
      }
      keel.client().enqueueAll(batch);
      AtomicInteger kills = new AtomicInteger();
      killer.scheduleWithFixedDelay(
          () -> {
            long killed =
                db.queryLong(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '"
                        + appName
                        + "'");
            kills.addAndGet((int) killed);
          },
          100,
          400,
          TimeUnit.MILLISECONDS);
      try (Worker worker =
          keel.worker()
              .queue("default", 4)
              .leaseDuration(Duration.ofSeconds(2))
              .pollInterval(Duration.ofMillis(100))
              .maintenanceInterval(Duration.ofMillis(500))
              .build()
              .start()) {
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .ignoreExceptions()
            .until(() -> succeeded(keel) == jobs);
        killer.shutdownNow();
        assertThat(kills.get()).as("connections were really killed").isGreaterThan(3);
      }
      // Every job ran at least once (at-least-once delivery) and ended SUCCEEDED.
      assertThat(runs.keySet()).hasSize(jobs);
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                var health = keel.health();
                assertThat(health.count(JobState.RUNNING)).isZero();
                assertThat(health.count(JobState.PENDING)).isZero();
                assertThat(health.count(JobState.FAILED)).isZero();
                assertThat(health.count(JobState.SUCCEEDED)).isEqualTo(jobs);
              });
      assertThat(Set.copyOf(runs.keySet())).hasSize(jobs);
    }
  }

  private static long succeeded(Keel keel) {
    return keel.health().count(JobState.SUCCEEDED);
  }
}

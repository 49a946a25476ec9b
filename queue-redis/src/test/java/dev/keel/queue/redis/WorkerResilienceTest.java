package dev.keel.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.Worker;
import dev.keel.queue.testkit.servers.ThrowawayRedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * Drops the worker's connections again and again, then restarts the (persistent) server while a
 * worker runs: the worker logs, backs off, reconnects and carries on; every job ends SUCCEEDED and
 * none stays RUNNING.
 */
class WorkerResilienceTest {
  private final ThrowawayRedisServer server = new ThrowawayRedisServer(true);

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void droppedConnectionsAndARestartWhileWorkersRunLoseNoJobAndLeaveNoneRunning() {
    int jobs = 2_000;
    Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
    try (Keel keel =
        Keel.builder()
            .backend(
                RedisBackend.builder()
                    .url(server.url())
                    .namespace(
                        "test-worker-resilience-" + UUID.randomUUID().toString().substring(0, 8))
                    .build())
            .register(
                "work",
                Map.class,
                JobHandler.of(
                    m ->
                        runs.computeIfAbsent(
                                ((Number) m.get("n")).intValue(), k -> new AtomicInteger())
                            .incrementAndGet()))
            .build()) {
      List<JobRequest<Map<String, Integer>>> batch = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        batch.add(JobRequest.of("work", Map.of("n", i)));
      }
      keel.client().enqueueAll(batch);
      try (Worker worker =
              keel.worker()
                  .queue("default", 4)
                  .leaseDuration(Duration.ofSeconds(2))
                  .pollInterval(Duration.ofMillis(100))
                  .maintenanceInterval(Duration.ofMillis(500))
                  .build()
                  .start();
          Jedis admin = new Jedis(new HostAndPort("127.0.0.1", server.port()))) {
        for (int i = 0; i < 5; i++) {
          int before = runs.size();
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> runs.size() > before + 50 || runs.size() == jobs);
          admin.clientKill(
              new ClientKillParams().type(ClientType.NORMAL).skipMe(ClientKillParams.SkipMe.YES));
          admin.clientKill(new ClientKillParams().type(ClientType.PUBSUB));
        }
        int beforeRestart = runs.size();
        server.stop();
        server.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> runs.size() > beforeRestart || runs.size() == jobs);
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .ignoreExceptions()
            .until(() -> keel.health().count(JobState.SUCCEEDED) == jobs);
      }
      assertThat(runs.keySet()).hasSize(jobs);
      var health = keel.health();
      assertThat(health.count(JobState.RUNNING)).isZero();
      assertThat(health.count(JobState.PENDING)).isZero();
      assertThat(health.count(JobState.FAILED)).isZero();
    }
  }
}

package dev.keel.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.testkit.TestJobs;
import dev.keel.queue.testkit.servers.ThrowawayRedisServer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Dropped connections and a restarted server, on a private redis-server so that no one else's
 * connections are touched.
 */
class RedisResilienceTest {
  private final TestJobs jobs = new TestJobs(InstantSource.system());
  private ThrowawayRedisServer server;
  private RedisBackend backend;

  @BeforeEach
  void start() {
    server = new ThrowawayRedisServer();
    // A private server, and still a namespace of its own, as every test class has.
    backend =
        RedisBackend.builder()
            .url(server.url() + "?cluster=false&timeout=500")
            .namespace("test-redis-resilience-" + UUID.randomUUID().toString().substring(0, 8))
            .build();
  }

  @AfterEach
  void stop() {
    backend.close();
    server.close();
  }

  private void enqueue(String queue) {
    backend.enqueue(EnqueueRequest.of(jobs.of("r").queue(queue).build()));
  }

  @Test
  void killedConnectionsAreReplacedAndTheSubscriptionComesBack() {
    List<String> signals = new CopyOnWriteArrayList<>();
    try (Subscription subscription = backend.subscribe(signals::add)) {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                enqueue("before");
                return signals.contains("before");
              });

      try (Jedis admin = new Jedis(new HostAndPort("127.0.0.1", server.port()))) {
        admin.clientKill(
            new redis.clients.jedis.params.ClientKillParams()
                .type(redis.clients.jedis.args.ClientType.NORMAL)
                .skipMe(redis.clients.jedis.params.ClientKillParams.SkipMe.YES));
        admin.clientKill(
            new redis.clients.jedis.params.ClientKillParams()
                .type(redis.clients.jedis.args.ClientType.PUBSUB));
      }

      // The first call after the kill finds a dead pooled connection; enqueue is sent once more
      // on a fresh one, so the application sees no failure.
      enqueue("after");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                enqueue("after");
                return signals.contains("after");
              });
      assertThat(claimAll()).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void aRestartedServerIsReachedAgainAndOutagesAreReportedMasked() {
    enqueue("q");
    server.stop();

    assertThatThrownBy(() -> enqueue("q"))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("127.0.0.1:" + server.port())
        .hasMessageContaining("Check that");
    assertThatThrownBy(backend::ping).isInstanceOf(BackendUnavailableException.class);

    server.start(); // an empty server: no data, no scripts loaded
    enqueue("q");
    enqueue("q");
    assertThat(claimAll()).isGreaterThanOrEqualTo(2);
  }

  private int claimAll() {
    return backend
        .claim(
            new ClaimRequest("w", Set.of(), Set.of(), Set.of(), null, 100, Duration.ofMinutes(1)))
        .jobs()
        .size();
  }
}

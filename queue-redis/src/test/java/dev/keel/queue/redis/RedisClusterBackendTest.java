package dev.keel.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.Job;
import dev.keel.queue.redis.internal.RedisUrl;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.Finish;
import dev.keel.queue.spi.FinishRequest;
import dev.keel.queue.spi.NewJob;
import dev.keel.queue.spi.Subscription;
import dev.keel.queue.testkit.TestJobs;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.util.JedisClusterCRC16;

/** Cluster-specific behaviour: mode detection and a namespace confined to one slot. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisClusterBackendTest {
  private RedisFixture fixture;
  private TestJobs jobs;

  @BeforeAll
  void createFixture() {
    fixture = RedisFixture.cluster("cluster-backend");
    jobs = new TestJobs(fixture.clock());
  }

  @AfterAll
  void dropNamespace() {
    fixture.close();
  }

  @Test
  void clusterModeIsDetectedFromASingleSeedHost() {
    String seed = fixture.url().replaceFirst("redis://([^,/]+).*", "redis://$1");
    try (RedisBackend backend =
        RedisBackend.builder().url(seed).namespace(fixture.namespace()).build()) {
      assertThat(backend.ping().detail()).startsWith("Redis Cluster");
    }
  }

  @Test
  void anApplicationSuppliedClusterClientIsUsedAndLeftOpen() {
    RedisUrl url = RedisUrl.parse(fixture.url(), "the fixture");
    NewJob job = jobs.of("own").build();
    try (RedisClusterClient client =
        RedisClusterClient.builder().nodes(new LinkedHashSet<>(url.hosts())).build()) {
      try (RedisBackend own =
          RedisBackend.builder().client(client).namespace(fixture.namespace()).build()) {
        assertThat(own.ping().detail()).startsWith("Redis Cluster");
        own.enqueue(EnqueueRequest.of(job));
      }
      assertThat(client.exists("{" + fixture.namespace() + "}:job:" + job.id())).isTrue();
    }
  }

  @Test
  void theWakeUpSubscriptionIsHeldOnTheNodeThatRunsTheScripts() {
    RedisUrl url = RedisUrl.parse(fixture.url(), "the fixture");
    try (RedisClusterClient cluster =
            RedisClusterClient.builder().nodes(new LinkedHashSet<>(url.hosts())).build();
        RedisBackend backend = (RedisBackend) fixture.openEmpty()) {
      int slot = JedisClusterCRC16.getSlot("{" + fixture.namespace() + "}:queues");
      String owner;
      try (Connection c = cluster.getConnectionFromSlot(slot)) {
        owner = c.getHostAndPort().toString();
      }
      Map<String, Long> before = subscribersByNode(cluster);
      try (Subscription subscription = backend.subscribe(queue -> {})) {
        // A script's PUBLISH reaches other nodes' subscribers late, through the cluster bus.
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> subscribersByNode(cluster).get(owner) == before.get(owner) + 1);
        Map<String, Long> during = subscribersByNode(cluster);
        during.forEach(
            (node, n) -> {
              if (!node.equals(owner)) {
                assertThat(n).as(node).isEqualTo(before.get(node));
              }
            });
      }
    }
  }

  /** Connections in pub/sub mode per node, from CLIENT LIST. */
  private static Map<String, Long> subscribersByNode(RedisClusterClient cluster) {
    Map<String, Long> counts = new TreeMap<>();
    cluster
        .getClusterNodes()
        .forEach(
            (node, pool) -> {
              try (Connection c = pool.getResource()) {
                String clients = new Jedis(c).clientList();
                counts.put(node, clients.lines().filter(l -> l.contains(" sub=1 ")).count());
              }
            });
    return counts;
  }

  @Test
  void everyKeyOfANamespaceLivesInOneSlot() {
    try (RedisBackend backend = (RedisBackend) fixture.openEmpty()) {
      backend.enqueue(
          new EnqueueRequest(
              List.of(
                  jobs.of("a").queue("q1").tenant("t1").idempotencyKey("k").build(),
                  jobs.of("b").queue("q2").tenant("t2").delay(Duration.ofHours(1)).build(),
                  jobs.of("c").queue("q3").tenant("t3").build())));
      List<Job> claimed =
          backend
              .claim(
                  new ClaimRequest(
                      "w", Set.of(), Set.of(), Set.of(), null, 2, Duration.ofMinutes(1)))
              .jobs();
      backend.finish(
          FinishRequest.of(
              new Finish.Fail(
                  claimed.get(0).lease().orElseThrow(), dev.keel.queue.JobError.of("boom"))));

      Set<Integer> slots =
          fixture.keys().stream().map(JedisClusterCRC16::getSlot).collect(Collectors.toSet());
      assertThat(fixture.keys()).hasSizeGreaterThan(8);
      assertThat(slots).hasSize(1);
    }
  }
}

package dev.keel.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.testkit.servers.ThrowawayRedisCluster;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.util.JedisClusterCRC16;

/** The Redis limiter through {@link RedisClusterClient} against a private three-master cluster. */
class RedisClusterRateLimiterTest {
  private static ThrowawayRedisCluster cluster;
  private static RedisClusterClient jedis;

  @BeforeAll
  static void start() {
    cluster = ThrowawayRedisCluster.onFreePorts();
    jedis =
        RedisClusterClient.builder()
            .nodes(RedisTestServers.nodes(cluster))
            .clientConfig(
                DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(500)
                    .socketTimeoutMillis(500)
                    .build())
            .build();
  }

  @AfterAll
  static void stop() {
    if (jedis != null) {
      jedis.close();
    }
    cluster.close();
  }

  @Test
  void decidesThroughRedisClusterClientWithPrefixesOnDifferentSlots() {
    Set<Integer> slots = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      RedisRateLimiter limiter =
          RedisRateLimiter.builder(jedis, Limit.perHour(2)).keyPrefix("tenant-" + i).build();
      slots.add(JedisClusterCRC16.getSlot(limiter.redisKey("a")));
      // every key of one prefix shares its slot
      assertThat(JedisClusterCRC16.getSlot(limiter.redisKey("b")))
          .isEqualTo(JedisClusterCRC16.getSlot(limiter.redisKey("a")));

      assertThat(limiter.tryAcquire("a", 2)).isEqualTo(Decision.allow(0));
      assertThat(limiter.tryAcquire("b", 1)).isEqualTo(Decision.allow(1));
      Decision denied = limiter.tryAcquire("a", 1);
      assertThat(denied.allowed()).isFalse();
      assertThat(denied.waitTime()).isLessThanOrEqualTo(Duration.ofMinutes(30));
    }
    assertThat(slots).hasSizeGreaterThan(1);
  }

  @Test
  void reloadsTheScriptOnTheNodeThatLostIt() {
    RedisRateLimiter limiter =
        RedisRateLimiter.builder(jedis, Limit.perHour(3)).keyPrefix("flushed").build();
    assertThat(limiter.tryAcquire("k", 1)).isEqualTo(Decision.allow(2));
    for (HostAndPort node : RedisTestServers.nodes(cluster)) {
      try (Jedis direct = new Jedis(node)) {
        direct.scriptFlush();
      }
    }

    assertThat(limiter.tryAcquire("k", 1)).isEqualTo(Decision.allow(1));
    assertThat(limiter.tryAcquire("k", 1)).isEqualTo(Decision.allow(0));
  }
}

package dev.keel.ratelimit;

import dev.keel.queue.testkit.servers.RedisDiscovery;
import dev.keel.queue.testkit.servers.ThrowawayRedisCluster;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The Redis the tests use, found by {@link RedisDiscovery}: {@code KEEL_TEST_REDIS_URL}, else
 * 127.0.0.1:6379 if it answers PING, else a failure saying what to start (this module has no
 * Testcontainers dependency); plus the Jedis helpers the tests share.
 */
final class RedisTestServers {
  private RedisTestServers() {}

  static String url() {
    return RedisDiscovery.standaloneUrl();
  }

  static RedisClient connect() {
    return RedisClient.create(url());
  }

  /** A key prefix no other test class or run uses. */
  static String uniquePrefix(Class<?> testClass) {
    return "keel-test-"
        + testClass.getSimpleName()
        + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Deletes every key of a limiter prefix. */
  static void deleteKeys(UnifiedJedis jedis, String prefix) {
    String cursor = ScanParams.SCAN_POINTER_START;
    ScanParams match = new ScanParams().match("{" + prefix + "}:*").count(500);
    do {
      ScanResult<String> page = jedis.scan(cursor, match);
      List<String> keys = page.getResult();
      if (!keys.isEmpty()) {
        jedis.del(keys.toArray(String[]::new));
      }
      cursor = page.getCursor();
    } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
  }

  /** The Redis server's clock, in microseconds. */
  static long redisMicros(UnifiedJedis jedis) {
    List<?> time = (List<?>) jedis.eval("return redis.call('TIME')");
    return Long.parseLong(String.valueOf(time.get(0))) * 1_000_000L
        + Long.parseLong(String.valueOf(time.get(1)));
  }

  /** The masters of {@code cluster}, as Jedis wants them. */
  static Set<HostAndPort> nodes(ThrowawayRedisCluster cluster) {
    Set<HostAndPort> nodes = new LinkedHashSet<>();
    cluster.ports().forEach(port -> nodes.add(new HostAndPort("127.0.0.1", port)));
    return nodes;
  }
}

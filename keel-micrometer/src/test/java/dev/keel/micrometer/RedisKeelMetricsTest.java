package dev.keel.micrometer;

import dev.keel.queue.redis.RedisBackend;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.testkit.servers.RedisDiscovery;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The metrics on Redis: {@code KEEL_TEST_REDIS_URL}, else 127.0.0.1:6379; a key namespace of this
 * class alone, deleted afterwards.
 */
class RedisKeelMetricsTest extends DurableBackendMetricsContract {
  private static final String NAMESPACE =
      "test-micrometer-" + UUID.randomUUID().toString().substring(0, 8);

  @AfterAll
  static void deleteKeys() {
    try (RedisClient client = RedisClient.create(RedisDiscovery.standaloneUrl())) {
      ScanParams params = new ScanParams().match("{" + NAMESPACE + "}:*").count(1000);
      List<String> keys = new ArrayList<>();
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page = client.scan(cursor, params);
        keys.addAll(page.getResult());
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
      if (!keys.isEmpty()) {
        client.del(keys.toArray(String[]::new));
      }
    }
  }

  @Override
  QueueBackend openBackend() {
    return RedisBackend.builder()
        .url(RedisDiscovery.standaloneUrl())
        .namespace(NAMESPACE)
        .maxConnections(4)
        .build();
  }
}

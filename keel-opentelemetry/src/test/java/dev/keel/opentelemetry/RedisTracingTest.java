package dev.keel.opentelemetry;

import dev.keel.queue.redis.RedisBackend;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.testkit.servers.RedisDiscovery;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * {@link TracingAcrossBackendsContract} on Redis: the server {@link RedisDiscovery} finds ({@code
 * KEEL_TEST_REDIS_URL}, else 127.0.0.1:6379); each test gets a namespace of its own, whose keys are
 * deleted after it.
 */
class RedisTracingTest extends TracingAcrossBackendsContract {
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  @Override
  protected OpenTelemetryExtension otel() {
    return OTEL;
  }

  private final List<String> namespaces = new ArrayList<>();

  @Override
  protected QueueBackend newBackend() {
    String namespace = "test-otel-" + UUID.randomUUID().toString().substring(0, 8);
    namespaces.add(namespace);
    return RedisBackend.builder()
        .url(RedisDiscovery.standaloneUrl())
        .namespace(namespace)
        .maxConnections(4)
        .build();
  }

  @AfterEach
  void deleteNamespaces() {
    try (RedisClient admin = RedisClient.create(URI.create(RedisDiscovery.standaloneUrl()))) {
      for (String namespace : namespaces) {
        ScanParams match = new ScanParams().match("{" + namespace + "}:*").count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
          ScanResult<String> page = admin.scan(cursor, match);
          if (!page.getResult().isEmpty()) {
            admin.del(page.getResult().toArray(String[]::new));
          }
          cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
      }
    }
  }
}

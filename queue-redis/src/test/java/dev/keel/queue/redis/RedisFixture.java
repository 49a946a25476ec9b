package dev.keel.queue.redis;

import static org.awaitility.Awaitility.await;

import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.testkit.BackendFixture;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A {@link BackendFixture} over one Redis namespace of its own (e.g. one per test class),
 * standalone or cluster. Emptying and dropping the namespace deletes its keys by SCAN.
 */
public final class RedisFixture implements BackendFixture {
  private final String url;
  private final String namespace;
  private final UnifiedJedis admin;
  private final RedisBackend clock;

  private RedisFixture(String url, String namespace) {
    this.url = url;
    this.namespace = namespace;
    this.clock = RedisBackend.builder().url(url).namespace(namespace).maxConnections(4).build();
    this.admin = clock.client();
  }

  /** A fixture on the standalone test Redis. */
  public static RedisFixture standalone(String name) {
    return new RedisFixture(RedisTestServers.standaloneUrl(), uniqueNamespace(name));
  }

  /** A fixture on the test cluster. */
  public static RedisFixture cluster(String name) {
    return new RedisFixture(RedisTestServers.clusterUrl(), uniqueNamespace(name));
  }

  private static String uniqueNamespace(String name) {
    return "test-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public String url() {
    return url;
  }

  public String namespace() {
    return namespace;
  }

  /** A client of the fixture's server, for inspecting keys. */
  public UnifiedJedis admin() {
    return admin;
  }

  /** A backend builder preset to the fixture's URL and namespace. */
  public RedisBackend.Builder builder() {
    return RedisBackend.builder().url(url).namespace(namespace);
  }

  @Override
  public QueueBackend openEmpty() {
    deleteKeys();
    return builder().build();
  }

  @Override
  public QueueBackend openAnother() {
    return builder().build();
  }

  @Override
  public InstantSource clock() {
    return InstantSource.system();
  }

  @Override
  public void passTime(Duration d) {
    Instant start = clock.ping().serverTime();
    Instant target = start.plus(d);
    await("Redis TIME to pass " + d)
        .atMost(d.plusSeconds(5))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> !clock.ping().serverTime().isBefore(target));
  }

  /** Every key of the namespace. */
  public List<String> keys() {
    ScanParams params = new ScanParams().match("{" + namespace + "}:*").count(1000);
    List<String> keys = new java.util.ArrayList<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = admin.scan(cursor, params);
      keys.addAll(page.getResult());
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return keys;
  }

  private void deleteKeys() {
    List<String> keys = keys();
    for (int i = 0; i < keys.size(); i += 500) {
      admin.del(keys.subList(i, Math.min(keys.size(), i + 500)).toArray(String[]::new));
    }
  }

  @Override
  public void close() {
    try {
      deleteKeys();
    } finally {
      clock.close();
    }
  }
}

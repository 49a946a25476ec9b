package dev.keel.queue.redis;

import dev.keel.queue.testkit.servers.RedisDiscovery;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * The Redis servers the tests use, found by {@link RedisDiscovery}; this module adds the
 * Testcontainers fallback: {@code KEEL_TEST_REDIS_URL}, else 127.0.0.1:6379 if it answers PING,
 * else a Testcontainers Redis if Docker is available, else a failure saying what to start.
 */
public final class RedisTestServers {
  private RedisTestServers() {}

  /** The URL of the standalone Redis the tests use. */
  public static String standaloneUrl() {
    return RedisDiscovery.standaloneUrl(
        RedisTestServers::container, "make Docker available for Testcontainers");
  }

  /** The URL of the Redis Cluster the tests use (see {@link RedisDiscovery#clusterUrl()}). */
  public static String clusterUrl() {
    return RedisDiscovery.clusterUrl();
  }

  private static Optional<String> container() {
    if (!dockerAvailable()) {
      return Optional.empty();
    }
    GenericContainer<?> container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
    container.start();
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "stop-test-redis"));
    return Optional.of(
        "redis://" + container.getHost() + ":" + container.getMappedPort(6379) + "/0");
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false; // Testcontainers could not even probe: treat as no Docker
    }
  }
}

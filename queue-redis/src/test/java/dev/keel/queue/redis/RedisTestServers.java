package dev.keel.queue.redis;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Finds a standalone Redis for tests, once per JVM: {@code KEEL_TEST_REDIS_URL}, else the local
 * default port 127.0.0.1:6379 if it answers PING, else a Testcontainers Redis if Docker is
 * available, else a failure saying what to start.
 */
public final class RedisTestServers {
  public static final String URL_VARIABLE = "KEEL_TEST_REDIS_URL";
  private static String url;
  private static GenericContainer<?> container;

  private RedisTestServers() {}

  /** The URL of the Redis the tests use. */
  public static synchronized String standaloneUrl() {
    if (url == null) {
      url = discover();
    }
    return url;
  }

  private static String discover() {
    String explicit = System.getenv(URL_VARIABLE);
    if (explicit != null && !explicit.isBlank()) {
      return explicit;
    }
    if (answersPing("127.0.0.1", 6379)) {
      return "redis://127.0.0.1:6379/0";
    }
    if (dockerAvailable()) {
      container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "stop-test-redis"));
      return "redis://" + container.getHost() + ":" + container.getMappedPort(6379) + "/0";
    }
    throw new IllegalStateException(
        "No Redis for the tests: set "
            + URL_VARIABLE
            + " (e.g. redis://127.0.0.1:6379/0), start redis-server on 127.0.0.1:6379, or make"
            + " Docker available for Testcontainers.");
  }

  /** True if a Redis server answers PING at host:port. */
  static boolean answersPing(String host, int port) {
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(host, port), 300);
    } catch (IOException e) {
      return false; // nothing listening: the caller tries the next option
    }
    try (Jedis jedis = new Jedis(new HostAndPort(host, port))) {
      return "PONG".equals(jedis.ping());
    } catch (JedisException e) {
      return false; // something else listens there, or Redis wants a password
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false; // Testcontainers could not even probe: treat as no Docker
    }
  }
}

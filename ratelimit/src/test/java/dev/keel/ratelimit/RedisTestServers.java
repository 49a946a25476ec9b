package dev.keel.ratelimit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.UUID;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Finds the Redis the tests use: {@code KEEL_TEST_REDIS_URL}, else 127.0.0.1:6379 if it answers
 * PING, else a failure saying what to start. (This module has no Testcontainers dependency.)
 */
final class RedisTestServers {
  static final String URL_VARIABLE = "KEEL_TEST_REDIS_URL";
  private static String url;

  private RedisTestServers() {}

  static synchronized String url() {
    if (url == null) {
      url = discover();
    }
    return url;
  }

  static JedisPooled connect() {
    return new JedisPooled(url());
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

  private static String discover() {
    String explicit = System.getenv(URL_VARIABLE);
    if (explicit != null && !explicit.isBlank()) {
      return explicit;
    }
    if (answersPing("127.0.0.1", 6379)) {
      return "redis://127.0.0.1:6379/0";
    }
    throw new IllegalStateException(
        "No Redis for the tests: set "
            + URL_VARIABLE
            + " (e.g. redis://127.0.0.1:6379/0) or start redis-server on 127.0.0.1:6379.");
  }

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
}

package dev.keel.queue.redis.internal;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.KeelConfigurationException;
import java.util.LinkedHashSet;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Opens a pooled client for a {@link RedisUrl}: a {@link RedisClient} or a {@link
 * RedisClusterClient}, Jedis's client classes since 7.2 (they replace {@code JedisPooled}, gone in
 * Jedis 8, and {@code JedisCluster}, deprecated there).
 */
public final class RedisConnections {
  /** Attempts of a cluster command across redirections and node failures. */
  private static final int CLUSTER_MAX_ATTEMPTS = 5;

  private RedisConnections() {}

  /**
   * @throws BackendUnavailableException if cluster mode had to be detected and the host did not
   *     answer
   */
  public static UnifiedJedis open(RedisUrl url, int maxConnections) {
    return open(url, maxConnections, null);
  }

  /**
   * @param tls TLS settings for a rediss:// URL, or null for the JVM's trust store with the host
   *     name verified
   * @throws BackendUnavailableException if cluster mode had to be detected and the host did not
   *     answer
   */
  public static UnifiedJedis open(RedisUrl url, int maxConnections, SslOptions tls) {
    JedisClientConfig config = clientConfig(url, url.database(), tls);
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(maxConnections);
    pool.setMaxIdle(maxConnections);
    pool.setJmxEnabled(false);
    boolean cluster = url.cluster().orElseGet(() -> url.hosts().size() > 1 || isCluster(url, tls));
    if (cluster) {
      if (url.database() != 0) {
        throw new KeelConfigurationException(
            url.source()
                + " names database "
                + url.database()
                + " but "
                + url.masked()
                + " is a Redis Cluster, which has only database 0");
      }
      try {
        return RedisClusterClient.builder()
            .nodes(new LinkedHashSet<>(url.hosts()))
            .clientConfig(config)
            .maxAttempts(CLUSTER_MAX_ATTEMPTS)
            .poolConfig(pool)
            .build();
      } catch (JedisException e) {
        throw new RedisErrors(url).translate("connecting to the cluster", e);
      }
    }
    return RedisClient.builder()
        .hostAndPort(url.hosts().get(0))
        .clientConfig(config)
        .poolConfig(pool)
        .build();
  }

  private static boolean isCluster(RedisUrl url, SslOptions tls) {
    HostAndPort host = url.hosts().get(0);
    try (Jedis jedis = new Jedis(host, clientConfig(url, 0, tls))) {
      return jedis.info("cluster").contains("cluster_enabled:1");
    } catch (JedisException e) {
      throw new RedisErrors(url).translate("connecting", e);
    }
  }

  /**
   * The connection settings for {@code url}: credentials, database, timeouts and, for rediss://,
   * {@code tls} or else the JVM's trust store with the URL's verify mode.
   */
  public static JedisClientConfig clientConfig(RedisUrl url, int database, SslOptions tls) {
    DefaultJedisClientConfig.Builder b =
        DefaultJedisClientConfig.builder()
            .user(url.user())
            .password(url.password())
            .database(database)
            .timeoutMillis(url.timeoutMillis())
            .clientName("keel");
    if (url.tls()) {
      // By default the JVM's trust store, and the certificate must name the host connected to
      // unless the URL says verify=ca (a cluster whose nodes announce IP addresses, say).
      SslVerifyMode mode = url.verifyHostName() ? SslVerifyMode.FULL : SslVerifyMode.CA;
      b.sslOptions(tls != null ? tls : SslOptions.builder().sslVerifyMode(mode).build());
    }
    return b.build();
  }
}

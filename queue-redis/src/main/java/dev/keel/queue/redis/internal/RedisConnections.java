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
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/** Opens a pooled client for a {@link RedisUrl}: {@link JedisPooled} or {@link JedisCluster}. */
public final class RedisConnections {
  /** Attempts of a cluster command across redirections and node failures. */
  private static final int CLUSTER_MAX_ATTEMPTS = 5;

  private RedisConnections() {}

  /**
   * @throws BackendUnavailableException if cluster mode had to be detected and the host did not
   *     answer
   */
  public static UnifiedJedis open(RedisUrl url, int maxConnections) {
    JedisClientConfig config = clientConfig(url, url.database());
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(maxConnections);
    pool.setMaxIdle(maxConnections);
    pool.setJmxEnabled(false);
    boolean cluster = url.cluster().orElseGet(() -> url.hosts().size() > 1 || isCluster(url));
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
        return new JedisCluster(
            new LinkedHashSet<>(url.hosts()), config, CLUSTER_MAX_ATTEMPTS, pool);
      } catch (JedisException e) {
        throw new RedisErrors(url.masked()).translate("connecting to the cluster", e);
      }
    }
    return new JedisPooled(url.hosts().get(0), config, pool);
  }

  private static boolean isCluster(RedisUrl url) {
    HostAndPort host = url.hosts().get(0);
    try (Jedis jedis = new Jedis(host, clientConfig(url, 0))) {
      return jedis.info("cluster").contains("cluster_enabled:1");
    } catch (JedisException e) {
      throw new RedisErrors(url.masked()).translate("connecting", e);
    }
  }

  private static JedisClientConfig clientConfig(RedisUrl url, int database) {
    return DefaultJedisClientConfig.builder()
        .user(url.user())
        .password(url.password())
        .database(database)
        .ssl(url.tls())
        .timeoutMillis(url.timeoutMillis())
        .clientName("keel")
        .build();
  }
}

package dev.keel.ops;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.postgres.PostgresBackend;
import dev.keel.queue.redis.RedisBackend;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.testkit.servers.PostgresDiscovery;
import dev.keel.queue.testkit.servers.PostgresDiscovery.Location;
import dev.keel.queue.testkit.servers.RedisDiscovery;
import dev.keel.queue.testkit.servers.TestServices;
import dev.keel.queue.testkit.servers.TestSql;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The three backends for the console's tests, each isolated per test class: the inline backend, a
 * PostgreSQL schema per backend opened (named after the class) ({@code KEEL_TEST_DATABASE_URL},
 * else 127.0.0.1:5432), a Redis namespace per backend opened ({@code KEEL_TEST_REDIS_URL}, else
 * 127.0.0.1:6379). {@link #close} drops what the class wrote.
 */
abstract class TestBackends implements Supplier<QueueBackend>, AutoCloseable {

  static TestBackends inline() {
    return new TestBackends() {
      @Override
      public QueueBackend get() {
        return InlineBackend.create();
      }

      @Override
      QueueBackend sameAsLast() {
        throw new UnsupportedOperationException("an inline backend cannot be opened twice");
      }

      @Override
      public void close() {}
    };
  }

  static TestBackends postgres(Class<?> testClass) {
    Location at =
        PostgresDiscovery.locate(
            explicit -> {
              dev.keel.queue.postgres.internal.DatabaseUrl url =
                  dev.keel.queue.postgres.internal.DatabaseUrl.parse(
                      explicit, PostgresDiscovery.URL_VARIABLE);
              return new Location(url.jdbcUrl(), url.user(), url.password());
            },
            TestServices.noFallback());
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(at.jdbcUrl());
    config.setUsername(at.user());
    config.setPassword(at.password());
    config.setMaximumPoolSize(8);
    config.setPoolName("keel-ops-test");
    HikariDataSource pool = new HikariDataSource(config);
    String prefix = PostgresDiscovery.uniqueSchema(testClass);
    List<String> schemas = new ArrayList<>();
    return new TestBackends() {
      @Override
      public synchronized QueueBackend get() {
        String schema = prefix + "_" + schemas.size();
        schemas.add(schema);
        return PostgresBackend.builder().dataSource(pool).schema(schema).build();
      }

      @Override
      synchronized QueueBackend sameAsLast() {
        String schema = schemas.get(schemas.size() - 1);
        return PostgresBackend.builder().dataSource(pool).schema(schema).build();
      }

      @Override
      public synchronized void close() {
        try {
          for (String schema : schemas) {
            TestSql.execute(pool, "DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
          }
        } finally {
          pool.close();
        }
      }
    };
  }

  static TestBackends redis(Class<?> testClass) {
    String prefix =
        "test-ops-"
            + testClass.getSimpleName().toLowerCase(java.util.Locale.ROOT)
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    String url = RedisDiscovery.standaloneUrl();
    return new TestBackends() {
      private int made;

      @Override
      public synchronized QueueBackend get() {
        String namespace = prefix + "-" + made++;
        return RedisBackend.builder().url(url).namespace(namespace).maxConnections(8).build();
      }

      @Override
      synchronized QueueBackend sameAsLast() {
        String namespace = prefix + "-" + (made - 1);
        return RedisBackend.builder().url(url).namespace(namespace).maxConnections(8).build();
      }

      @Override
      public void close() {
        try (RedisClient client = RedisClient.create(url)) {
          ScanParams params = new ScanParams().match("{" + prefix + "-*}:*").count(1000);
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
    };
  }

  /** A second backend object on the data of the last one {@link #get} opened (a second node). */
  abstract QueueBackend sameAsLast();

  @Override
  public abstract void close();
}

package dev.keel.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.postgres.PostgresBackend;
import dev.keel.queue.redis.RedisBackend;
import dev.keel.queue.redis.internal.RedisConnections;
import dev.keel.queue.redis.internal.RedisUrl;
import dev.keel.queue.spi.QueueBackend;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A fresh, isolated namespace on one backend for one workload — a new inline instance, a new
 * PostgreSQL schema, or a new Redis key namespace — dropped again on close. Servers are found like
 * the tests find them: {@code KEEL_TEST_DATABASE_URL} / {@code KEEL_TEST_REDIS_URL}, else the local
 * default ports.
 */
final class BenchBackend implements AutoCloseable {
  static final String DEFAULT_POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  static final String DEFAULT_REDIS = "redis://127.0.0.1:6379";

  private final QueueBackend backend;
  private final AutoCloseable drop;
  private final Settle settle;

  /** Brings storage to the steady state a long-running system has (Postgres: vacuumed). */
  @FunctionalInterface
  interface Settle {
    void run() throws Exception;
  }

  private BenchBackend(QueueBackend backend, AutoCloseable drop) {
    this(backend, drop, () -> {});
  }

  private BenchBackend(QueueBackend backend, AutoCloseable drop, Settle settle) {
    this.backend = backend;
    this.drop = drop;
    this.settle = settle;
  }

  /**
   * After a bulk history load: what autovacuum does over the hours in which a real system
   * accumulates finished jobs, done now (Postgres: VACUUM ANALYZE; others: nothing).
   */
  void settle() throws Exception {
    settle.run();
  }

  static BenchBackend fresh(String kind, String workload) throws Exception {
    String suffix = workload.replace('-', '_') + "_" + UUID.randomUUID().toString().substring(0, 8);
    return switch (kind) {
      case "inline" -> new BenchBackend(InlineBackend.create(), () -> {});
      case "postgres" -> postgres("keel_bench_" + suffix);
      case "redis" -> redis("keel-bench-" + suffix);
      default -> throw new IllegalArgumentException("unknown backend " + kind);
    };
  }

  private static BenchBackend postgres(String schema) throws SQLException {
    String url = env("KEEL_TEST_DATABASE_URL", DEFAULT_POSTGRES);
    if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
      throw new IllegalArgumentException(
          "set KEEL_TEST_DATABASE_URL in jdbc:postgresql:// form for the benchmark");
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(12);
    config.setPoolName("keel-bench");
    HikariDataSource pool = new HikariDataSource(config);
    PostgresBackend backend = PostgresBackend.builder().dataSource(pool).schema(schema).build();
    return new BenchBackend(
        backend,
        () -> {
          try (Connection c = pool.getConnection();
              Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
          } finally {
            pool.close();
          }
        },
        () -> {
          try (Connection c = pool.getConnection();
              Statement st = c.createStatement()) {
            st.execute("VACUUM (ANALYZE) \"" + schema + "\".jobs");
          }
        });
  }

  private static BenchBackend redis(String namespace) {
    String url = env("KEEL_TEST_REDIS_URL", DEFAULT_REDIS);
    RedisBackend backend = RedisBackend.builder().url(url).namespace(namespace).build();
    return new BenchBackend(
        backend,
        () -> {
          // A standalone server or a cluster, read from the URL as the backend reads it; every key
          // of the namespace shares one hash tag, so the scan and deletes stay on one node.
          try (UnifiedJedis jedis =
              RedisConnections.open(RedisUrl.parse(url, "KEEL_TEST_REDIS_URL"), 2)) {
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams match = new ScanParams().match("{" + namespace + "}*").count(1000);
            do {
              ScanResult<String> page = jedis.scan(cursor, match);
              if (!page.getResult().isEmpty()) {
                jedis.del(page.getResult().toArray(String[]::new));
              }
              cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
          }
        });
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  QueueBackend backend() {
    return backend;
  }

  /** Drops the namespace. The Keel built on {@link #backend()} closes the backend itself. */
  @Override
  public void close() throws Exception {
    drop.close();
  }
}

package dev.keel.micrometer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.queue.postgres.PostgresBackend;
import dev.keel.queue.postgres.internal.DatabaseUrl;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.testkit.servers.PostgresDiscovery;
import dev.keel.queue.testkit.servers.PostgresDiscovery.Location;
import dev.keel.queue.testkit.servers.TestServices;
import dev.keel.queue.testkit.servers.TestSql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The metrics on PostgreSQL: {@code KEEL_TEST_DATABASE_URL}, else 127.0.0.1:5432 (database {@code
 * test}, user {@code postgres}); a schema of this class alone, dropped afterwards.
 */
class PostgresKeelMetricsTest extends DurableBackendMetricsContract {
  private static HikariDataSource pool;
  private static String schema;

  @BeforeAll
  static void connect() {
    Location at =
        PostgresDiscovery.locate(
            explicit -> {
              DatabaseUrl url = DatabaseUrl.parse(explicit, PostgresDiscovery.URL_VARIABLE);
              return new Location(url.jdbcUrl(), url.user(), url.password());
            },
            TestServices.noFallback());
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(at.jdbcUrl());
    config.setUsername(at.user());
    config.setPassword(at.password());
    config.setMaximumPoolSize(8);
    config.setPoolName("keel-micrometer-test");
    pool = new HikariDataSource(config);
    schema = PostgresDiscovery.uniqueSchema(PostgresKeelMetricsTest.class);
  }

  @AfterAll
  static void dropSchema() {
    if (pool != null) {
      try {
        TestSql.execute(pool, "DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
      } finally {
        pool.close();
      }
    }
  }

  @Override
  QueueBackend openBackend() {
    return PostgresBackend.builder().dataSource(pool).schema(schema).build();
  }
}

package dev.keel.chaos;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.queue.postgres.internal.DatabaseUrl;
import dev.keel.queue.testkit.servers.PostgresDiscovery;
import dev.keel.queue.testkit.servers.PostgresDiscovery.Location;
import dev.keel.queue.testkit.servers.TestServices;
import dev.keel.queue.testkit.servers.TestSql;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The shared PostgreSQL that holds the ledgers (never restarted or broken by this suite): {@code
 * KEEL_TEST_DATABASE_URL}, else 127.0.0.1:5432 database {@code test} user {@code postgres}, else a
 * failure saying what to start. Each test class writes into a schema of its own, dropped after it.
 */
final class LedgerDatabase implements AutoCloseable {
  private static Location location;
  private static HikariDataSource pool;

  private final String schema;

  private LedgerDatabase(String schema) {
    this.schema = schema;
  }

  static LedgerDatabase forClass(Class<?> testClass) {
    return new LedgerDatabase(PostgresDiscovery.uniqueSchema(testClass));
  }

  static synchronized Location location() {
    if (location == null) {
      location =
          PostgresDiscovery.locate(
              explicit -> {
                DatabaseUrl url = DatabaseUrl.parse(explicit, PostgresDiscovery.URL_VARIABLE);
                return new Location(url.jdbcUrl(), url.user(), url.password());
              },
              TestServices.<Location>noFallback());
    }
    return location;
  }

  static synchronized DataSource dataSource() {
    if (pool == null) {
      Location at = location();
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(at.jdbcUrl());
      config.setUsername(at.user());
      config.setPassword(at.password());
      config.setMaximumPoolSize(4);
      config.setPoolName("chaos-ledger-reader");
      pool = new HikariDataSource(config);
      Runtime.getRuntime().addShutdownHook(new Thread(pool::close, "close-ledger-pool"));
    }
    return pool;
  }

  /** This class's ledger schema. */
  String schema() {
    return schema;
  }

  /** A per-scenario schema name under this class's, so scenarios never share rows. */
  String scenarioSchema(String scenario) {
    String s =
        schema + "_" + scenario.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
    return s.length() > 60 ? s.substring(0, 60) : s;
  }

  void dropScenario(String scenarioSchema) {
    TestSql.execute(dataSource(), "DROP SCHEMA IF EXISTS \"" + scenarioSchema + "\" CASCADE");
  }

  Optional<String> password() {
    return Optional.ofNullable(location().password());
  }

  @Override
  public void close() {
    // Scenario schemas are dropped one by one; nothing else was created.
  }
}

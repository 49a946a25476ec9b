package dev.keel.spring;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.queue.postgres.internal.DatabaseUrl;
import dev.keel.queue.testkit.servers.PostgresDiscovery;
import dev.keel.queue.testkit.servers.RedisDiscovery;
import dev.keel.queue.testkit.servers.TestServices;
import dev.keel.queue.testkit.servers.TestSql;
import javax.sql.DataSource;

/**
 * The servers the starter's tests run against, found like every Keel test finds them: the URL in
 * {@code KEEL_TEST_DATABASE_URL} / {@code KEEL_TEST_REDIS_URL}, else the local default port if it
 * answers, else a failure saying what to start.
 */
final class TestServers {
  private static HikariDataSource pool;
  private static PostgresDiscovery.Location location;

  private TestServers() {}

  static synchronized PostgresDiscovery.Location postgres() {
    if (location == null) {
      location =
          PostgresDiscovery.locate(
              explicit -> {
                DatabaseUrl url = DatabaseUrl.parse(explicit, PostgresDiscovery.URL_VARIABLE);
                return new PostgresDiscovery.Location(url.jdbcUrl(), url.user(), url.password());
              },
              TestServices.noFallback());
    }
    return location;
  }

  /** One pool for the test JVM (closed at exit); each test class uses its own schema. */
  static synchronized DataSource dataSource() {
    if (pool == null) {
      PostgresDiscovery.Location at = postgres();
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(at.jdbcUrl());
      config.setUsername(at.user());
      config.setPassword(at.password());
      config.setMaximumPoolSize(12);
      config.setPoolName("keel-spring-test");
      pool = new HikariDataSource(config);
      Runtime.getRuntime().addShutdownHook(new Thread(pool::close));
    }
    return pool;
  }

  static void dropSchema(String schema) {
    TestSql.execute(dataSource(), "DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
  }

  static String redisUrl() {
    return RedisDiscovery.standaloneUrl();
  }
}

package dev.keel.outbox;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.queue.postgres.internal.DatabaseUrl;
import dev.keel.queue.testkit.servers.PostgresDiscovery;
import dev.keel.queue.testkit.servers.PostgresDiscovery.Location;
import dev.keel.queue.testkit.servers.TestSql;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * Finds a PostgreSQL server for tests and gives each test class its own schema, dropped on close.
 *
 * <p>Discovery ({@link PostgresDiscovery}), first match wins: {@code KEEL_TEST_DATABASE_URL}
 * ({@code jdbc:postgresql://…} or {@code postgres://user:pass@host:port/db}); the local default
 * {@code 127.0.0.1:5432}, database {@code test}, user {@code postgres}, if it answers; a
 * Testcontainers PostgreSQL if Docker is available. Otherwise the test fails with a message saying
 * what to start.
 */
final class OutboxTestDatabase implements AutoCloseable {
  private static HikariDataSource pool;

  private final String schema;
  private final Outbox outbox;

  private OutboxTestDatabase(String schema) {
    this.schema = schema;
    this.outbox = Outbox.builder().dataSource(dataSource()).schema(schema).build();
    outbox.migrate();
  }

  /** A fresh, unique, migrated schema for {@code testClass}. */
  static OutboxTestDatabase forClass(Class<?> testClass) {
    return new OutboxTestDatabase(PostgresDiscovery.uniqueSchema(testClass));
  }

  /** The shared pool of the discovered server (do not close it). */
  static synchronized DataSource dataSource() {
    if (pool == null) {
      pool = discover();
    }
    return pool;
  }

  String schema() {
    return schema;
  }

  Outbox outbox() {
    return outbox;
  }

  Jdbi jdbi() {
    return Jdbi.create(dataSource());
  }

  void execute(String sql) {
    TestSql.execute(dataSource(), sql);
  }

  long queryLong(String sql) {
    return TestSql.queryLong(dataSource(), sql);
  }

  /** Rows of this schema's outbox table. */
  long messageCount() {
    return queryLong("SELECT count(*) FROM \"" + schema + "\".outbox_messages");
  }

  @Override
  public void close() {
    execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
  }

  private static HikariDataSource discover() {
    Location at =
        PostgresDiscovery.locate(
            explicit -> {
              DatabaseUrl url = DatabaseUrl.parse(explicit, PostgresDiscovery.URL_VARIABLE);
              return new Location(url.jdbcUrl(), url.user(), url.password());
            },
            OutboxTestDatabase::container);
    return open(at.jdbcUrl(), at.user(), at.password());
  }

  /** A Testcontainers PostgreSQL, if Docker is available. */
  private static Optional<Location> container() {
    if (!dockerAvailable()) {
      return Optional.empty();
    }
    PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:16-alpine");
    container.start();
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
    return Optional.of(
        new Location(container.getJdbcUrl(), container.getUsername(), container.getPassword()));
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      System.err.println("Docker is not available: " + e.getMessage());
      return false;
    }
  }

  private static HikariDataSource open(String jdbcUrl, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(16);
    config.setPoolName("keel-outbox-test");
    HikariDataSource ds = new HikariDataSource(config);
    Runtime.getRuntime().addShutdownHook(new Thread(ds::close));
    return ds;
  }
}

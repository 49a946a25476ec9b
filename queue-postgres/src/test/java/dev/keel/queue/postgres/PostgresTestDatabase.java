package dev.keel.queue.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.queue.postgres.internal.DatabaseUrl;
import dev.keel.queue.testkit.servers.PostgresDiscovery;
import dev.keel.queue.testkit.servers.PostgresDiscovery.Location;
import dev.keel.queue.testkit.servers.TestSql;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * Finds a PostgreSQL server for tests and gives each test class its own schema.
 *
 * <p>Discovery ({@link PostgresDiscovery}), first match wins: {@code KEEL_TEST_DATABASE_URL}
 * (either URL form); the local default {@code 127.0.0.1:5432}, database {@code test}, user {@code
 * postgres}, if it answers; a Testcontainers PostgreSQL if Docker is available. Otherwise tests
 * fail with a message saying what to start.
 */
public final class PostgresTestDatabase implements AutoCloseable {
  private static Server server;

  private final String schema;

  /** Where the server is: a JDBC URL and credentials. */
  public record Server(String jdbcUrl, String user, String password, HikariDataSource pool) {
    /** A {@code postgres://} URL of this server, as an application would configure it. */
    public String postgresUrl() {
      return new Location(jdbcUrl, user, password).postgresUrl();
    }

    public Connection connect() throws SQLException {
      return DriverManager.getConnection(jdbcUrl, user, password);
    }
  }

  private PostgresTestDatabase(String schema) {
    this.schema = schema;
  }

  /** A fresh, unique schema name for {@code testClass}; dropped by {@link #close()}. */
  public static PostgresTestDatabase forClass(Class<?> testClass) {
    return new PostgresTestDatabase(PostgresDiscovery.uniqueSchema(testClass));
  }

  /** The shared server, discovered once per JVM. */
  public static synchronized Server server() {
    if (server == null) {
      server = discover();
    }
    return server;
  }

  public String schema() {
    return schema;
  }

  /** A pooled data source of the test server (shared by all test classes; do not close it). */
  public DataSource dataSource() {
    return server().pool();
  }

  /** A backend over this class's schema, migrated. */
  public PostgresBackend backend() {
    return PostgresBackend.builder().dataSource(dataSource()).schema(schema).build();
  }

  /** Runs one SQL statement on the test server. */
  public void execute(String sql) {
    TestSql.execute(dataSource(), sql);
  }

  /** Runs a query returning one long. */
  public long queryLong(String sql) {
    return TestSql.queryLong(dataSource(), sql);
  }

  /** Drops the schema and everything in it. */
  @Override
  public void close() {
    execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
  }

  private static Server discover() {
    Location at =
        PostgresDiscovery.locate(
            explicit -> {
              DatabaseUrl url = DatabaseUrl.parse(explicit, PostgresDiscovery.URL_VARIABLE);
              return new Location(url.jdbcUrl(), url.user(), url.password());
            },
            PostgresTestDatabase::container);
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

  private static Server open(String jdbcUrl, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(12);
    config.setPoolName("keel-test");
    HikariDataSource pool = new HikariDataSource(config);
    Runtime.getRuntime().addShutdownHook(new Thread(pool::close));
    return new Server(jdbcUrl, user, password, pool);
  }
}

package dev.keel.queue.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.queue.postgres.internal.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * Finds a PostgreSQL server for tests and gives each test class its own schema.
 *
 * <p>Discovery, first match wins: {@code KEEL_TEST_DATABASE_URL} (either URL form); the local
 * default {@code 127.0.0.1:5432}, database {@code test}, user {@code postgres}, if it answers; a
 * Testcontainers PostgreSQL if Docker is available. Otherwise tests fail with a message saying what
 * to start.
 */
public final class PostgresTestDatabase implements AutoCloseable {
  private static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  private static Server server;

  private final String schema;

  /** Where the server is: a JDBC URL and credentials. */
  public record Server(String jdbcUrl, String user, String password, HikariDataSource pool) {
    /** A {@code postgres://} URL of this server, as an application would configure it. */
    public String postgresUrl() {
      String rest = jdbcUrl.substring("jdbc:postgresql://".length());
      String auth = user == null ? "" : user + (password == null ? "" : ":" + password) + "@";
      return "postgres://" + auth + rest;
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
    String base = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (base.length() > 30) {
      base = base.substring(0, 30);
    }
    String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000000));
    return new PostgresTestDatabase("t_" + base + "_" + suffix);
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
    try (Connection c = dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + sql, e);
    }
  }

  /** Runs a query returning one long. */
  public long queryLong(String sql) {
    try (Connection c = dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + sql, e);
    }
  }

  /** Drops the schema and everything in it. */
  @Override
  public void close() {
    execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
  }

  private static Server discover() {
    String explicit = System.getenv("KEEL_TEST_DATABASE_URL");
    if (explicit != null && !explicit.isBlank()) {
      DatabaseUrl url = DatabaseUrl.parse(explicit, "KEEL_TEST_DATABASE_URL");
      return open(url.jdbcUrl(), url.user(), url.password());
    }
    if (answers(LOCAL_URL, "postgres", null)) {
      return open(LOCAL_URL, "postgres", null);
    }
    if (dockerAvailable()) {
      PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:16-alpine");
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
      return open(container.getJdbcUrl(), container.getUsername(), container.getPassword());
    }
    throw new IllegalStateException(
        "No PostgreSQL for tests: set KEEL_TEST_DATABASE_URL (postgres://user:pass@host:5432/db),"
            + " or start PostgreSQL on 127.0.0.1:5432 with a database 'test' and user 'postgres'"
            + " (trust auth), or start Docker so Testcontainers can run one.");
  }

  private static boolean answers(String jdbcUrl, String user, String password) {
    try (Connection c =
        DriverManager.getConnection(jdbcUrl + "?connectTimeout=2", user, password)) {
      return c.isValid(2);
    } catch (SQLException e) {
      System.err.println(
          "No PostgreSQL at " + jdbcUrl + " (" + e.getMessage() + "); trying Docker");
      return false;
    }
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

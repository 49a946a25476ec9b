package dev.keel.outbox;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * Finds a PostgreSQL server for tests and gives each test class its own schema, dropped on close.
 *
 * <p>Discovery, first match wins: {@code KEEL_TEST_DATABASE_URL} ({@code jdbc:postgresql://…} or
 * {@code postgres://user:pass@host:port/db}); the local default {@code 127.0.0.1:5432}, database
 * {@code test}, user {@code postgres}, if it answers; a Testcontainers PostgreSQL if Docker is
 * available. Otherwise the test fails with a message saying what to start.
 */
final class OutboxTestDatabase implements AutoCloseable {
  private static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/test";
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
    String base = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (base.length() > 30) {
      base = base.substring(0, 30);
    }
    String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000000));
    return new OutboxTestDatabase("t_" + base + "_" + suffix);
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
    try (Connection c = dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + sql, e);
    }
  }

  long queryLong(String sql) {
    try (Connection c = dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + sql, e);
    }
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
    String explicit = System.getenv("KEEL_TEST_DATABASE_URL");
    if (explicit != null && !explicit.isBlank()) {
      String[] parts = jdbc(explicit);
      return open(parts[0], parts[1], parts[2]);
    }
    if (answers(LOCAL_URL, "postgres")) {
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

  /** {jdbcUrl, user, password} from either URL form. */
  static String[] jdbc(String url) {
    if (url.startsWith("jdbc:")) {
      return new String[] {url, null, null};
    }
    URI u = URI.create(url);
    String user = null;
    String password = null;
    if (u.getUserInfo() != null) {
      String[] up = u.getUserInfo().split(":", 2);
      user = up[0];
      password = up.length > 1 ? up[1] : null;
    }
    int port = u.getPort() > 0 ? u.getPort() : 5432;
    String query = u.getQuery() == null ? "" : "?" + u.getQuery();
    return new String[] {
      "jdbc:postgresql://" + u.getHost() + ":" + port + u.getPath() + query, user, password
    };
  }

  private static boolean answers(String jdbcUrl, String user) {
    try (Connection c = DriverManager.getConnection(jdbcUrl + "?connectTimeout=2", user, null)) {
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

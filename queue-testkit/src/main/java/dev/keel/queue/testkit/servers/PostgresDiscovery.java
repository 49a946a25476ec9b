package dev.keel.queue.testkit.servers;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds the PostgreSQL server Keel's tests use: {@value #URL_VARIABLE} (parsed by the module, which
 * knows the URL forms), else the local default {@value #LOCAL_JDBC_URL} as user {@value
 * #LOCAL_USER} if it answers, else the module's fallback (Testcontainers), else a failure saying
 * what to start. The JDBC driver and the connection pool are the module's: this class only uses
 * {@link DriverManager} to see whether the local server answers.
 */
public final class PostgresDiscovery {
  /** The variable naming the server, as {@code postgres://} or {@code jdbc:postgresql:} URL. */
  public static final String URL_VARIABLE = "KEEL_TEST_DATABASE_URL";

  /** The local default server and database. */
  public static final String LOCAL_JDBC_URL = "jdbc:postgresql://127.0.0.1:5432/test";

  /** The local default user (trust authentication, no password). */
  public static final String LOCAL_USER = "postgres";

  private PostgresDiscovery() {}

  /**
   * Where a server is.
   *
   * @param jdbcUrl the JDBC URL without credentials
   * @param user the user, or null
   * @param password the password, or null
   */
  public record Location(String jdbcUrl, String user, String password) {
    /** A {@code postgres://} URL of this server, as an application would configure it. */
    public String postgresUrl() {
      String rest = jdbcUrl.substring("jdbc:postgresql://".length());
      String auth = user == null ? "" : user + (password == null ? "" : ":" + password) + "@";
      return "postgres://" + auth + rest;
    }
  }

  /**
   * Discovers the server. Call once per JVM and keep the result (with the pool built on it).
   *
   * @param parseExplicit turns the value of {@value #URL_VARIABLE} into a location
   * @param fallback a server the module can start itself, or empty
   * @throws IllegalStateException if there is no server
   */
  public static Location locate(
      Function<String, Location> parseExplicit, Supplier<Optional<Location>> fallback) {
    return TestServices.locate(
        TestServices.explicitUrl(URL_VARIABLE).map(parseExplicit),
        () ->
            answers(LOCAL_JDBC_URL, LOCAL_USER, null)
                ? Optional.of(new Location(LOCAL_JDBC_URL, LOCAL_USER, null))
                : Optional.empty(),
        fallback,
        "No PostgreSQL for tests: set "
            + URL_VARIABLE
            + " (postgres://user:pass@host:5432/db), or start PostgreSQL on 127.0.0.1:5432 with a"
            + " database 'test' and user 'postgres' (trust auth), or start Docker so"
            + " Testcontainers can run one.");
  }

  /** True if a PostgreSQL server accepts these credentials within two seconds. */
  public static boolean answers(String jdbcUrl, String user, String password) {
    try (Connection c =
        DriverManager.getConnection(jdbcUrl + "?connectTimeout=2", user, password)) {
      return c.isValid(2);
    } catch (SQLException e) {
      System.err.println(
          "No PostgreSQL at " + jdbcUrl + " (" + e.getMessage() + "); trying Docker");
      return false;
    }
  }

  /**
   * A fresh schema name for {@code testClass}: {@code t_<class name>_<random hex>}, a valid
   * lower-case identifier unique to this run, so test classes never see each other's rows.
   */
  public static String uniqueSchema(Class<?> testClass) {
    String base = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (base.length() > 30) {
      base = base.substring(0, 30);
    }
    String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000000));
    return "t_" + base + "_" + suffix;
  }
}

package dev.keel.queue.postgres;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.postgres.internal.BoundedConnectionPool;
import dev.keel.queue.postgres.internal.DatabaseUrl;
import dev.keel.queue.spi.BackendSettings;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.QueueBackendProvider;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Opens a {@link PostgresBackend} from {@code KEEL_DATABASE_URL} or {@code DATABASE_URL} when
 * {@code KEEL_BACKEND=postgres}. Accepts {@code postgres://user:password@host:port/db?...} and
 * {@code jdbc:postgresql://host:port/db?...}. The backend gets its own small bounded connection
 * pool, closed with it. Optional variables: {@code KEEL_DATABASE_SCHEMA} (default {@code keel}),
 * {@code KEEL_DATABASE_POOL_SIZE} (default 10), {@code KEEL_DATABASE_MIGRATE} ({@code true} or
 * {@code false}, default true).
 */
public final class PostgresBackendProvider implements QueueBackendProvider {
  static final int DEFAULT_POOL_SIZE = 10;
  private static final Duration BORROW_TIMEOUT = Duration.ofSeconds(10);

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public Set<String> aliases() {
    return Set.of("postgresql");
  }

  @Override
  public List<String> urlVariables() {
    return List.of("KEEL_DATABASE_URL", "DATABASE_URL");
  }

  @Override
  public QueueBackend open(BackendSettings settings) {
    DatabaseUrl url = DatabaseUrl.parse(settings.url(), settings.urlSource(urlVariables()));
    Map<String, String> env = settings.environment();
    int poolSize = poolSize(env.get("KEEL_DATABASE_POOL_SIZE"));
    boolean migrate = flag("KEEL_DATABASE_MIGRATE", env.get("KEEL_DATABASE_MIGRATE"));
    String schema = env.getOrDefault("KEEL_DATABASE_SCHEMA", "keel");
    BoundedConnectionPool pool = new BoundedConnectionPool(url, poolSize, BORROW_TIMEOUT);
    try {
      checkReachable(pool, url);
      return PostgresBackend.builder()
          .dataSource(pool)
          .schema(schema)
          .migrateOnStart(migrate)
          .ownedPool(pool, url.masked(), url.password())
          .build();
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  private static void checkReachable(BoundedConnectionPool pool, DatabaseUrl url) {
    try (Connection c = pool.getConnection()) {
      c.isValid(5);
    } catch (SQLException e) {
      String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      String message =
          "PostgreSQL at "
              + url.masked()
              + " is not reachable: "
              + cause
              + ". Check that the server is running and accepts connections at that host and port,"
              + " that the user and password are right, and that KEEL_DATABASE_URL (or"
              + " DATABASE_URL) names the intended database.";
      String password = url.password();
      throw new BackendUnavailableException(
          password == null || password.isEmpty() ? message : message.replace(password, "***"), e);
    }
  }

  private static int poolSize(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_POOL_SIZE;
    }
    try {
      int n = Integer.parseInt(value.strip());
      if (n >= 1 && n <= 1_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      throw new KeelConfigurationException(
          "KEEL_DATABASE_POOL_SIZE: must be a whole number from 1 to 1000, was '" + value + "'", e);
    }
    throw new KeelConfigurationException(
        "KEEL_DATABASE_POOL_SIZE: must be a whole number from 1 to 1000, was '" + value + "'");
  }

  private static boolean flag(String name, String value) {
    if (value == null || value.isBlank()) {
      return true;
    }
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new KeelConfigurationException(
              name + ": must be true or false, was '" + value + "'");
    };
  }
}

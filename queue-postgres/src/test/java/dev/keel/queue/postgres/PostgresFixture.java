package dev.keel.queue.postgres;

import static org.awaitility.Awaitility.await;

import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.testkit.BackendFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;

/**
 * The conformance suite's view of PostgreSQL: one schema per test class, emptied before each test;
 * time passes on the server's clock.
 */
public final class PostgresFixture implements BackendFixture {
  private final PostgresTestDatabase database;

  public PostgresFixture(Class<?> testClass) {
    this.database = PostgresTestDatabase.forClass(testClass);
  }

  public PostgresTestDatabase database() {
    return database;
  }

  @Override
  public QueueBackend openEmpty() {
    PostgresBackend backend = database.backend();
    database.execute(
        "TRUNCATE \""
            + database.schema()
            + "\".jobs, \""
            + database.schema()
            + "\".locks, \""
            + database.schema()
            + "\".schedules, \""
            + database.schema()
            + "\".alerts, \""
            + database.schema()
            + "\".samples, \""
            + database.schema()
            + "\".batches, \""
            + database.schema()
            + "\".job_dependencies, \""
            + database.schema()
            + "\".job_steps, \""
            + database.schema()
            + "\".job_signals");
    return backend;
  }

  @Override
  public QueueBackend openAnother() {
    return database.backend();
  }

  @Override
  public InstantSource clock() {
    return InstantSource.system();
  }

  @Override
  public void passTime(Duration d) {
    Instant start = serverNow();
    Instant target = start.plus(d);
    await()
        .atMost(d.plusSeconds(5))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .until(() -> !serverNow().isBefore(target));
  }

  private Instant serverNow() {
    try (Connection c = database.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
      rs.next();
      return rs.getObject(1, OffsetDateTime.class).toInstant();
    } catch (SQLException e) {
      throw new IllegalStateException("reading the server clock failed", e);
    }
  }

  @Override
  public void close() {
    database.close();
  }
}

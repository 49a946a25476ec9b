package dev.keel.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.postgres.internal.BoundedConnectionPool;
import dev.keel.queue.postgres.internal.DatabaseUrl;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BoundedConnectionPoolTest {
  private final String appName = "keel-pool-" + UUID.randomUUID().toString().substring(0, 8);
  private BoundedConnectionPool pool;
  private PostgresTestDatabase db;

  @BeforeEach
  void open() {
    db = PostgresTestDatabase.forClass(BoundedConnectionPoolTest.class);
    PostgresTestDatabase.Server server = PostgresTestDatabase.server();
    String jdbc =
        server.jdbcUrl()
            + (server.jdbcUrl().contains("?") ? "&" : "?")
            + "ApplicationName="
            + appName;
    DatabaseUrl url = new DatabaseUrl(jdbc, server.user(), server.password(), jdbc);
    pool = new BoundedConnectionPool(url, 2, Duration.ofMillis(300));
  }

  @AfterEach
  void close() {
    pool.close();
  }

  private long serverConnections() {
    return db.queryLong(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + appName + "'");
  }

  private void selectOne() throws SQLException {
    try (Connection c = pool.getConnection();
        Statement st = c.createStatement()) {
      st.execute("SELECT 1");
    }
  }

  @Test
  void neverOpensMoreThanItsSizeAndTimesOutWhenExhausted() throws SQLException {
    List<Connection> held = new ArrayList<>();
    held.add(pool.getConnection());
    held.add(pool.getConnection());
    assertThatThrownBy(() -> pool.getConnection())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("no pooled connection became free");
    assertThat(serverConnections()).isEqualTo(2);
    for (Connection c : held) {
      c.close();
    }
    selectOne();
    assertThat(serverConnections()).isEqualTo(2);
  }

  @Test
  void replacesConnectionsTheServerTerminated() throws SQLException {
    Connection a = pool.getConnection();
    Connection b = pool.getConnection();
    a.close();
    b.close();
    assertThat(pool.idleCount()).isEqualTo(2);
    db.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
            + appName
            + "'");
    await().atMost(Duration.ofSeconds(5)).until(() -> serverConnections() == 0);
    // A broken connection may fail one call (within the validation bypass window); the pool then
    // discards it, and calls succeed again with fresh connections.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .untilAsserted(this::selectOne);
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              selectOne();
              selectOne();
            });
    assertThat(serverConnections()).isBetween(1L, 2L);
  }

  @Test
  void backendOnTheProviderPoolRecoversAfterItsConnectionsAreTerminated() {
    PostgresTestDatabase.Server server = PostgresTestDatabase.server();
    String url =
        server.postgresUrl()
            + (server.postgresUrl().contains("?") ? "&" : "?")
            + "ApplicationName="
            + appName;
    try (var backend =
        new PostgresBackendProvider()
            .open(
                new dev.keel.queue.spi.BackendSettings(
                    url,
                    java.time.InstantSource.system(),
                    java.util.Map.of("KEEL_DATABASE_SCHEMA", db.schema())))) {
      backend.ping();
      db.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
              + appName
              + "'");
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .untilAsserted(backend::ping);
      backend.ping();
    } finally {
      db.close();
    }
  }
}

package dev.keel.opentelemetry;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.queue.postgres.PostgresBackend;
import dev.keel.queue.postgres.internal.DatabaseUrl;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.testkit.servers.PostgresDiscovery;
import dev.keel.queue.testkit.servers.PostgresDiscovery.Location;
import dev.keel.queue.testkit.servers.TestServices;
import dev.keel.queue.testkit.servers.TestSql;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link TracingAcrossBackendsContract} on PostgreSQL: the server {@link PostgresDiscovery} finds
 * ({@code KEEL_TEST_DATABASE_URL}, else 127.0.0.1:5432 database {@code test} user {@code
 * postgres}); each test gets a schema of its own, dropped after it.
 */
class PostgresTracingTest extends TracingAcrossBackendsContract {
  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  @Override
  protected OpenTelemetryExtension otel() {
    return OTEL;
  }

  private static HikariDataSource pool;

  private final List<String> schemas = new ArrayList<>();

  @Override
  protected QueueBackend newBackend() {
    String schema = PostgresDiscovery.uniqueSchema(PostgresTracingTest.class);
    schemas.add(schema);
    return PostgresBackend.builder().dataSource(pool()).schema(schema).build();
  }

  @AfterEach
  void dropSchemas() {
    for (String schema : schemas) {
      TestSql.execute(pool(), "DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    }
  }

  private static synchronized HikariDataSource pool() {
    if (pool == null) {
      Location at =
          PostgresDiscovery.locate(
              explicit -> {
                DatabaseUrl url = DatabaseUrl.parse(explicit, PostgresDiscovery.URL_VARIABLE);
                return new Location(url.jdbcUrl(), url.user(), url.password());
              },
              TestServices.noFallback());
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(at.jdbcUrl());
      config.setUsername(at.user());
      config.setPassword(at.password());
      config.setMaximumPoolSize(8);
      config.setPoolName("keel-opentelemetry-test");
      pool = new HikariDataSource(config);
      Runtime.getRuntime().addShutdownHook(new Thread(pool::close));
    }
    return pool;
  }
}

package dev.keel.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.KeelConfigurationException;
import dev.keel.queue.postgres.internal.DatabaseUrl;
import dev.keel.queue.spi.BackendSettings;
import dev.keel.queue.spi.EnqueueRequest;
import dev.keel.queue.spi.QueueBackend;
import dev.keel.queue.spi.QueueBackendProvider;
import java.time.InstantSource;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresBackendProviderTest {
  private static PostgresTestDatabase db;
  private final PostgresBackendProvider provider = new PostgresBackendProvider();

  @BeforeAll
  static void schema() {
    db = PostgresTestDatabase.forClass(PostgresBackendProviderTest.class);
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  private static BackendSettings settings(String url, Map<String, String> env) {
    return new BackendSettings(url, InstantSource.system(), env);
  }

  @Test
  void isFoundByServiceLoaderUnderItsNamesAndVariables() {
    QueueBackendProvider found =
        ServiceLoader.load(QueueBackendProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.name().equals("postgres"))
            .findFirst()
            .orElseThrow();
    assertThat(found.aliases()).containsExactly("postgresql");
    assertThat(found.urlVariables()).containsExactly("KEEL_DATABASE_URL", "DATABASE_URL");
  }

  @Test
  void parsesPostgresUrlsIntoJdbcUrlAndCredentials() {
    DatabaseUrl url =
        DatabaseUrl.parse("postgres://app:s%40cret@db.example:6543/orders?sslmode=require", "X");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/orders?sslmode=require");
    assertThat(url.user()).isEqualTo("app");
    assertThat(url.password()).isEqualTo("s@cret");
    assertThat(url.masked()).isEqualTo("postgres://app:***@db.example:6543/orders?sslmode=require");
    assertThat(DatabaseUrl.parse("postgresql://h/db", "X").jdbcUrl())
        .isEqualTo("jdbc:postgresql://h:5432/db");
  }

  @Test
  void acceptsJdbcUrlsAndMasksTheirPasswordParameter() {
    DatabaseUrl url =
        DatabaseUrl.parse("jdbc:postgresql://h:5432/db?user=u&password=topsecret", "X");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db?user=u&password=topsecret");
    assertThat(url.masked()).isEqualTo("jdbc:postgresql://h:5432/db?user=u&password=***");
  }

  @Test
  void malformedUrlsAreConfigurationErrorsThatNeverShowThePassword() {
    for (String bad :
        new String[] {
          "mysql://u:topsecret@h/db",
          "postgres://u:topsecret@/db",
          "postgres://u:topsecret@h:notaport/db",
          "postgres://u:topsecret@h:5432",
          "jdbc:postgresql:db",
          " "
        }) {
      assertThatThrownBy(() -> provider.open(settings(bad, Map.of())))
          .as(bad)
          .isInstanceOf(KeelConfigurationException.class)
          .hasMessageContaining("KEEL_DATABASE_URL")
          .hasMessageNotContaining("topsecret");
    }
  }

  @Test
  void anErrorNamesTheVariableTheUrlCameFrom() {
    String bad = "postgres://u:topsecret@h:notaport/db";
    assertThatThrownBy(() -> provider.open(settings(bad, Map.of("DATABASE_URL", bad))))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageStartingWith("DATABASE_URL")
        .hasMessageNotContaining("KEEL_DATABASE_URL");
  }

  @Test
  void anUnreachableServerIsReportedWithTheMaskedUrlAndWhatToCheck() {
    assertThatThrownBy(
            () -> provider.open(settings("postgres://keel:topsecret@127.0.0.1:1/app", Map.of())))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("postgres://keel:***@127.0.0.1:1/app")
        .hasMessageContaining("Check that the server is running")
        .hasMessageNotContaining("topsecret")
        .hasCauseInstanceOf(java.sql.SQLException.class);
  }

  @Test
  void opensAWorkingBackendFromTheTestServersUrl() {
    String url = PostgresTestDatabase.server().postgresUrl();
    try (QueueBackend backend =
        provider.open(
            settings(
                url,
                Map.of("KEEL_DATABASE_SCHEMA", db.schema(), "KEEL_DATABASE_POOL_SIZE", "3")))) {
      assertThat(backend.capabilities().name()).isEqualTo("postgres");
      assertThat(backend.enqueue(EnqueueRequest.of(TestJobs.job("t"))).results().get(0).created())
          .isTrue();
    }
  }

  @Test
  void badOptionalVariablesAreConfigurationErrors() {
    String url = PostgresTestDatabase.server().postgresUrl();
    assertThatThrownBy(
            () -> provider.open(settings(url, Map.of("KEEL_DATABASE_POOL_SIZE", "zero"))))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageStartingWith("KEEL_DATABASE_POOL_SIZE");
    assertThatThrownBy(
            () -> provider.open(settings(url, Map.of("KEEL_DATABASE_SCHEMA", "Bad-Name"))))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageStartingWith("schema");
  }
}

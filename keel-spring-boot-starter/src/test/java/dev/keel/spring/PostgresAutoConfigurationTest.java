package dev.keel.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.JobClient;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.testkit.servers.PostgresDiscovery;
import dev.keel.spring.Payloads.Welcome;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The starter on PostgreSQL: the application's DataSource, its transactions, a URL of its own. */
class PostgresAutoConfigurationTest {
  private static final String SCHEMA =
      PostgresDiscovery.uniqueSchema(PostgresAutoConfigurationTest.class);
  private static final String APP_SCHEMA = SCHEMA + "_app";

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(KeelAutoConfiguration.class))
          .withUserConfiguration(Application.class, Handlers.class)
          .withPropertyValues("keel.postgres.schema=" + SCHEMA, "keel.worker.poll-interval=100ms");

  @Configuration(proxyBeanMethods = false)
  static class Application {
    /** The shared test pool: not closed with each context. */
    @Bean(destroyMethod = "")
    DataSource dataSource() {
      return TestServers.dataSource();
    }

    @Bean
    PlatformTransactionManager transactionManager(DataSource dataSource) {
      return new DataSourceTransactionManager(dataSource);
    }
  }

  @AfterAll
  static void dropSchemas() {
    TestServers.dropSchema(SCHEMA);
    TestServers.dropSchema(APP_SCHEMA);
  }

  @Test
  void autoPicksPostgresOnTheApplicationsDataSource() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          Keel keel = context.getBean(Keel.class);
          assertThat(keel.health().backend()).containsIgnoringCase("postgres");
          UUID id =
              context
                  .getBean(JobClient.class)
                  .enqueue(JobRequest.of("welcome", new Welcome("pg@example.com")))
                  .id();
          keel.drain();
          assertThat(context.getBean(JobClient.class).find(id).orElseThrow().state())
              .isEqualTo(JobState.SUCCEEDED);
        });
  }

  @Test
  void enqueueInsideASpringTransactionCommitsAndRollsBackWithIt() {
    runner.run(
        context -> {
          JobClient client = context.getBean(JobClient.class);
          JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
          jdbc.execute("CREATE SCHEMA IF NOT EXISTS \"" + APP_SCHEMA + "\"");
          jdbc.execute(
              "CREATE TABLE IF NOT EXISTS \"" + APP_SCHEMA + "\".users (email text primary key)");
          TransactionTemplate tx =
              new TransactionTemplate(context.getBean(PlatformTransactionManager.class));

          UUID committed =
              tx.execute(
                  status -> {
                    jdbc.update(
                        "INSERT INTO \"" + APP_SCHEMA + "\".users VALUES (?)", "kept@example.com");
                    return client
                        .enqueue(JobRequest.of("welcome", new Welcome("kept@example.com")))
                        .id();
                  });
          UUID[] rolledBack = new UUID[1];
          assertThatThrownBy(
                  () ->
                      tx.executeWithoutResult(
                          status -> {
                            jdbc.update(
                                "INSERT INTO \"" + APP_SCHEMA + "\".users VALUES (?)",
                                "gone@example.com");
                            rolledBack[0] =
                                client
                                    .enqueue(
                                        JobRequest.of("welcome", new Welcome("gone@example.com")))
                                    .id();
                            // Written on the transaction's connection: not visible to others yet.
                            assertThat(client.find(rolledBack[0])).isEmpty();
                            throw new IllegalStateException("signup failed after the enqueue");
                          }))
              .hasMessage("signup failed after the enqueue");

          assertThat(client.find(committed)).isPresent();
          assertThat(client.find(rolledBack[0])).as("rolled back with the transaction").isEmpty();
          assertThat(
                  jdbc.queryForObject(
                      "SELECT count(*) FROM \"" + APP_SCHEMA + "\".users", Long.class))
              .isEqualTo(1);
          context.getBean(Keel.class).drain();
          assertThat(context.getBean(Handlers.Mailer.class).sent)
              .containsExactly("kept@example.com");
        });
  }

  @Test
  void theWorkerStartsWhenTheApplicationIsReadyAndStopsWithTheContext() {
    runner.run(
        context -> {
          KeelWorkerLifecycle lifecycle = context.getBean(KeelWorkerLifecycle.class);
          assertThat(lifecycle.worker().isRunning()).as("not before ready").isFalse();
          context.publishEvent(
              new ApplicationReadyEvent(
                  new SpringApplication(),
                  new String[0],
                  (ConfigurableApplicationContext) context.getSourceApplicationContext(),
                  Duration.ZERO));
          assertThat(lifecycle.worker().isRunning()).isTrue();
          UUID id =
              context
                  .getBean(JobClient.class)
                  .enqueue(JobRequest.of("welcome", new Welcome("worker@example.com")))
                  .id();
          await()
              .atMost(Duration.ofSeconds(20))
              .until(
                  () ->
                      context.getBean(JobClient.class).find(id).orElseThrow().state()
                          == JobState.SUCCEEDED);
          context.getSourceApplicationContext(ConfigurableApplicationContext.class).close();
          assertThat(lifecycle.worker().isRunning()).as("stopped on close").isFalse();
        });
  }

  @Test
  void aUrlOfItsOwnUsesThatDatabaseInsteadOfTheDataSource() {
    PostgresDiscovery.Location at = TestServers.postgres();
    String url =
        at.jdbcUrl()
            + (at.user() == null ? "" : "?user=" + at.user())
            + (at.password() == null ? "" : "&password=" + at.password());
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KeelAutoConfiguration.class))
        .withUserConfiguration(Handlers.class)
        .withPropertyValues(
            "keel.backend=postgres", "keel.postgres.url=" + url, "keel.postgres.schema=" + SCHEMA)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              Keel keel = context.getBean(Keel.class);
              UUID id =
                  keel.client()
                      .enqueue(JobRequest.of("welcome", new Welcome("own@example.com")))
                      .id();
              keel.drain();
              assertThat(keel.client().find(id).orElseThrow().state())
                  .isEqualTo(JobState.SUCCEEDED);
              assertThat(keel.health().backendError()).isNull();
            });
  }

  @Test
  void aBadSchemaNameNamesTheProperty() {
    runner
        .withPropertyValues("keel.postgres.schema=no spaces; allowed")
        .run(
            context ->
                KeelAutoConfigurationTest.assertFailureNames(context, "keel.postgres.schema"));
  }
}

package dev.keel.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.JobClient;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.recurring.Schedules;
import dev.keel.spring.Payloads.Report;
import dev.keel.spring.Payloads.Welcome;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration on the inline backend: beans, handler discovery, properties, errors. */
class KeelAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(KeelAutoConfiguration.class))
          .withPropertyValues("keel.backend=inline");

  @Test
  void providesKeelItsClientSchedulesWorkerAndHealthAndRunsDiscoveredHandlers() {
    runner
        .withUserConfiguration(Handlers.class)
        .run(
            context -> {
              assertThat(context)
                  .hasNotFailed()
                  .hasSingleBean(Keel.class)
                  .hasSingleBean(JobClient.class)
                  .hasSingleBean(Schedules.class)
                  .hasSingleBean(KeelWorkerLifecycle.class)
                  .hasSingleBean(KeelHealthIndicator.class);
              Keel keel = context.getBean(Keel.class);
              JobClient client = context.getBean(JobClient.class);
              client.enqueue(JobRequest.of("welcome", new Welcome("ada@example.com")));
              client.enqueue(
                  JobRequest.of("welcome-with-context", new Welcome("bob@example.com"))
                      .withTenant("acme"));
              client.enqueue(JobRequest.of("context-only", new Report("weekly")));
              client.enqueue(JobRequest.of("report", new Report("daily")));
              UUID ping = client.enqueue(JobRequest.of("ping", Map.of("n", 1))).id();
              keel.drain();
              keel.drain();

              Handlers.Mailer mailer = context.getBean(Handlers.Mailer.class);
              assertThat(mailer.sent)
                  .containsExactlyInAnyOrder(
                      "ada@example.com",
                      "bob@example.com@acme",
                      "report:weekly",
                      "follow-up:bob@example.com");
              assertThat(context.getBean(Handlers.ReportHandler.class).kinds)
                  .containsExactly("daily");
              assertThat(client.find(ping).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);

              Health health = context.getBean(KeelHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails())
                  .containsEntry("backend", keel.health().backend())
                  .containsEntry("backendReachable", true)
                  .containsKey("counts");
            });
  }

  @Test
  void annotationAttributesSetTheTypesMaxAttempts() {
    runner
        .withUserConfiguration(Handlers.class)
        .run(
            context -> {
              JobClient client = context.getBean(JobClient.class);
              UUID id =
                  client
                      .enqueue(JobRequest.of("welcome-with-context", new Welcome("c@example.com")))
                      .id();
              assertThat(client.find(id).orElseThrow().maxAttempts()).isEqualTo(3);
            });
  }

  @Test
  void schedulesDeclaredInPropertiesAreStoredOnFirstUse() {
    runner
        .withUserConfiguration(Handlers.class)
        .withPropertyValues(
            "keel.schedules.nightly-report.cron=0 2 * * *",
            "keel.schedules.nightly-report.zone=Europe/Berlin",
            "keel.schedules.nightly-report.type=report",
            "keel.schedules.nightly-report.payload.kind=nightly",
            "keel.schedules.nightly-report.overlap=allow",
            "keel.schedules.heartbeat.every=15m",
            "keel.schedules.heartbeat.type=ping",
            "keel.schedules.heartbeat.misfire=skip")
        .run(
            context -> {
              Schedules schedules = context.getBean(Schedules.class);
              assertThat(schedules.list())
                  .extracting(s -> s.name() + " " + s.jobType() + " " + s.overlap())
                  .containsExactlyInAnyOrder("heartbeat ping SKIP", "nightly-report report ALLOW");
              schedules.trigger("nightly-report");
              context.getBean(Keel.class).drain();
              assertThat(context.getBean(Handlers.ReportHandler.class).kinds)
                  .containsExactly("nightly");
            });
  }

  @Test
  void anApplicationsOwnKeelBeanWins() {
    runner
        .withUserConfiguration(OwnKeel.class)
        .run(
            context ->
                assertThat(context.getBean(Keel.class))
                    .isSameAs(context.getBean(OwnKeel.class).keel));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnKeel {
    final Keel keel = Keel.builder().backend(dev.keel.queue.inline.InlineBackend.create()).build();

    @Bean
    Keel keel() {
      return keel;
    }
  }

  @Test
  void withoutSpringBootHealthThereIsNoHealthIndicator() {
    runner
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("keelHealthIndicator"));
  }

  @Test
  void theWorkerCanBeSwitchedOff() {
    runner
        .withUserConfiguration(Handlers.class)
        .withPropertyValues("keel.worker.enabled=false")
        .run(
            context ->
                assertThat(context).hasNotFailed().doesNotHaveBean(KeelWorkerLifecycle.class));
  }

  @Test
  void twoHandlersForOneTypeAreRefusedNamingBoth() {
    runner
        .withUserConfiguration(Handlers.class, DuplicateReport.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("Job type 'report' has two handlers")
                    .hasMessageContaining("reportHandler")
                    .hasMessageContaining("Duplicate.again"));
  }

  @Configuration(proxyBeanMethods = false)
  static class DuplicateReport {
    static class Duplicate {
      @KeelJob("report")
      void again(Report r) {}
    }

    @Bean
    Duplicate duplicate() {
      return new Duplicate();
    }
  }

  @Test
  void aHandlerMethodWithAnUnusableSignatureIsRefusedWithWhatItMustTake() {
    runner
        .withUserConfiguration(BadSignature.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining(
                        "must take (Payload), (Payload, JobContext<Payload>) or (JobContext<Payload>)"));
  }

  @Configuration(proxyBeanMethods = false)
  static class BadSignature {
    static class Bad {
      @KeelJob("bad")
      void handle(String a, String b) {}
    }

    @Bean
    Bad bad() {
      return new Bad();
    }
  }

  // --- bad property values: a failure analysis that names the property ---

  @Test
  void aQueueConcurrencyOutOfRangeNamesTheProperty() {
    assertAnalysisNames("keel.worker.queues.default", "keel.worker.queues.default=0");
  }

  @Test
  void aHeartbeatLongerThanTheLeaseNamesTheWorker() {
    assertAnalysisNames(
        "keel.worker", "keel.worker.lease=10s", "keel.worker.heartbeat-interval=20s");
  }

  @Test
  void aBadCronExpressionNamesTheScheduleProperty() {
    assertAnalysisNames(
        "keel.schedules.nightly.cron",
        "keel.schedules.nightly.cron=61 * * * *",
        "keel.schedules.nightly.type=report");
  }

  @Test
  void aScheduleWithoutTypeNamesTheTypeProperty() {
    assertAnalysisNames("keel.schedules.nightly.type", "keel.schedules.nightly.every=1h");
  }

  @Test
  void anUnknownMisfirePolicyNamesTheProperty() {
    assertAnalysisNames(
        "keel.schedules.nightly.misfire",
        "keel.schedules.nightly.every=1h",
        "keel.schedules.nightly.type=report",
        "keel.schedules.nightly.misfire=sometimes");
  }

  @Test
  void redisWithoutAUrlNamesTheUrlProperty() {
    assertAnalysisNames("keel.redis.url", "keel.backend=redis");
  }

  @Test
  void postgresWithoutADataSourceOrUrlNamesTheUrlProperty() {
    assertAnalysisNames("keel.postgres.url", "keel.backend=postgres");
  }

  @Test
  void aNegativeRetentionNamesTheProperty() {
    assertAnalysisNames("keel.retention", "keel.retention.succeeded=-1d");
  }

  private void assertAnalysisNames(String property, String... values) {
    runner
        .withUserConfiguration(Handlers.class)
        .withPropertyValues(values)
        .run(context -> assertFailureNames(context, property));
  }

  static void assertFailureNames(AssertableApplicationContext context, String property) {
    assertThat(context).hasFailed();
    FailureAnalysis analysis = new KeelFailureAnalyzer().analyze(context.getStartupFailure());
    assertThat(analysis).as("a Keel failure analysis").isNotNull();
    assertThat(analysis.getDescription()).contains("'" + property + "'");
    assertThat(analysis.getAction()).contains(property);
  }
}

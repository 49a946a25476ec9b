package dev.keel.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.queue.JobOutcome;
import dev.keel.queue.JobRequest;
import dev.keel.queue.Keel;
import dev.keel.queue.inline.InlineBackend;
import dev.keel.queue.testkit.KeelTesting;
import dev.keel.queue.testkit.ManualClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a Prometheus scrape shows: the names, the histograms, no rejected meter. */
class KeelMetricsPrometheusTest {

  @ParameterizedTest(name = "tagTenants={0}")
  @ValueSource(booleans = {false, true})
  void aScrapeShowsEveryMeterUnderItsPrometheusName(boolean tagTenants) {
    ManualClock clock = ManualClock.startingAtDefault();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    List<String> rejected = new CopyOnWriteArrayList<>();
    registry.config().onMeterRegistrationFailed((id, reason) -> rejected.add(id + ": " + reason));
    KeelMetrics metrics = KeelMetrics.builder().tagTenants(tagTenants).build();
    try (Keel keel =
        Keel.builder()
            .clock(clock)
            .backend(InlineBackend.create(clock))
            .listener(metrics)
            .register("email.send", String.class, ctx -> JobOutcome.success())
            .register(
                "payment.charge",
                String.class,
                ctx ->
                    ctx.attempt() == 1
                        ? JobOutcome.retryAfter(Duration.ofSeconds(1), "later")
                        : JobOutcome.success())
            .build()) {
      metrics.monitor(keel).bindTo(registry);
      keel.client().enqueue(JobRequest.of("email.send", "a").withQueue("emails"));
      keel.client().enqueue(JobRequest.of("payment.charge", "p").withTenant("acme"));
      keel.client().enqueue(JobRequest.of("report.build", "r").withDelay(Duration.ofHours(1)));
      clock.advance(Duration.ofSeconds(2));
      KeelTesting.drainUntilIdle(keel, clock, Duration.ofMinutes(1));
      keel.maintenance("node-1");

      String scrape = registry.scrape();

      assertThat(rejected).isEmpty();
      String tenant = tagTenants ? "tenant=\"default\"," : "";
      assertThat(scrape)
          .contains(
              "keel_jobs_succeeded_total{queue=\"emails\"," + tenant + "type=\"email.send\"} 1.0",
              "keel_jobs_retried_total{queue=\"default\","
                  + (tagTenants ? "tenant=\"acme\"," : "")
                  + "type=\"payment.charge\"} 1.0",
              "keel_jobs_enqueued_total{created=\"true\"," + tenant + "type=\"email.send\"} 1.0",
              "keel_jobs_started_total{",
              "keel_jobs_lease_lost_total{",
              "keel_jobs_execution_seconds_bucket{",
              "keel_jobs_execution_seconds_count{",
              "keel_jobs_queue_wait_seconds_bucket{",
              "keel_jobs_queue_wait_seconds_max{",
              "keel_jobs_rescued_total 0.0",
              "keel_jobs_failed_on_rescue_total 0.0",
              "keel_jobs_pruned_total 0.0",
              "keel_maintenance_runs_total 1.0",
              "keel_jobs_current{state=\"pending\"} 1.0",
              "keel_jobs_current{state=\"succeeded\"} 2.0",
              "keel_jobs_current_by_type{state=\"pending\",type=\"report.build\"} 1.0",
              "keel_jobs_stuck 0.0",
              "keel_jobs_failed_last_hour 0.0",
              "keel_jobs_oldest_due_age_seconds 0.0",
              "keel_backend_reachable 1.0");
      assertThat(scrape.lines().filter(l -> l.startsWith("keel_jobs_current")))
          .as("gauges never carry a tenant")
          .isNotEmpty()
          .noneMatch(l -> l.contains("tenant="));
    } finally {
      metrics.close();
    }
    assertThat(registry.scrape()).doesNotContain("keel_");
  }

  @Test
  void histogramBucketsStayBounded() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KeelMetrics metrics = KeelMetrics.builder().healthGauges(false).build();
    try (Keel keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .listener(metrics)
            .register("email.send", String.class, ctx -> JobOutcome.success())
            .build()) {
      metrics.bindTo(registry);
      keel.client().enqueue(JobRequest.of("email.send", "a"));
      KeelTesting.drainUntilIdle(keel);
      long buckets =
          registry
              .scrape()
              .lines()
              .filter(l -> l.startsWith("keel_jobs_execution_seconds_bucket{"))
              .count();
      assertThat(buckets).isBetween(10L, 120L);
    } finally {
      metrics.close();
    }
  }
}

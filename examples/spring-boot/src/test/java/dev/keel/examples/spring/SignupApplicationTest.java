package dev.keel.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.queue.JobClient;
import dev.keel.queue.JobState;
import dev.keel.queue.testkit.servers.PostgresDiscovery;
import dev.keel.queue.testkit.servers.TestServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example started on PostgreSQL with its web server, worker and actuator, each run in schemas
 * of its own: signup enqueues in the request's transaction, the worker sends the e-mail once, a
 * failed signup enqueues nothing, and health and Prometheus show Keel.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SignupApplicationTest {
  private static final String APP_SCHEMA =
      PostgresDiscovery.uniqueSchema(SignupApplicationTest.class);
  private static final String KEEL_SCHEMA = APP_SCHEMA + "_keel";
  private static JdbcTemplate cleanup;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    PostgresDiscovery.Location at =
        PostgresDiscovery.locate(
            explicit -> {
              var url =
                  dev.keel.queue.postgres.internal.DatabaseUrl.parse(
                      explicit, PostgresDiscovery.URL_VARIABLE);
              return new PostgresDiscovery.Location(url.jdbcUrl(), url.user(), url.password());
            },
            TestServices.noFallback());
    registry.add("spring.datasource.url", at::jdbcUrl);
    registry.add("spring.datasource.username", () -> at.user() == null ? "" : at.user());
    registry.add("spring.datasource.password", () -> at.password() == null ? "" : at.password());
    registry.add("signup.schema", () -> APP_SCHEMA);
    registry.add("keel.postgres.schema", () -> KEEL_SCHEMA);
    registry.add("keel.worker.poll-interval", () -> "200ms");
  }

  @LocalServerPort int port;
  @Autowired JdbcTemplate jdbc;
  @Autowired JobClient jobs;

  private final HttpClient http = HttpClient.newHttpClient();

  @AfterAll
  static void dropSchemas() {
    if (cleanup != null) {
      cleanup.execute("DROP SCHEMA IF EXISTS " + APP_SCHEMA + " CASCADE");
      cleanup.execute("DROP SCHEMA IF EXISTS " + KEEL_SCHEMA + " CASCADE");
    }
  }

  @Test
  void signupSendsOneWelcomeEmailAndARepeatedSignupEnqueuesNothing() throws Exception {
    cleanup = jdbc;
    HttpResponse<String> created = post("/signup", "{\"email\":\"ada@example.com\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    UUID job = UUID.fromString(created.body().replaceAll(".*\"welcomeJob\":\"([^\"]+)\".*", "$1"));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> jobs.find(job).map(j -> j.state() == JobState.SUCCEEDED).orElse(false));
    assertThat(
            count(
                "SELECT count(*) FROM "
                    + APP_SCHEMA
                    + ".sent_emails WHERE email = 'ada@example.com'"))
        .isEqualTo(1);

    HttpResponse<String> again = post("/signup", "{\"email\":\"ada@example.com\"}");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(count("SELECT count(*) FROM " + KEEL_SCHEMA + ".jobs WHERE type = 'welcome-email'"))
        .as("the rolled-back signup took its job with it")
        .isEqualTo(1);
    assertThat(count("SELECT count(*) FROM " + APP_SCHEMA + ".users")).isEqualTo(1);

    HttpResponse<String> bad = post("/signup", "{\"email\":\"nobody\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("\"field\":\"email\"");

    HttpResponse<String> health = get("/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"keel\":{").contains("\"backendReachable\":true");

    HttpResponse<String> prometheus = get("/actuator/prometheus");
    assertThat(prometheus.statusCode()).isEqualTo(200);
    assertThat(prometheus.body())
        .contains("keel_jobs_succeeded_total{queue=\"default\",type=\"welcome-email\"} 1.0")
        .contains("keel_jobs_execution_seconds_bucket")
        .contains("keel_backend_reachable");
  }

  private long count(String sql) {
    Long n = jdbc.queryForObject(sql, Long.class);
    return n == null ? 0 : n;
  }

  private HttpResponse<String> post(String path, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

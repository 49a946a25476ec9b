package dev.keel.ops;

import static dev.keel.ops.BrowserSupport.test;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.queue.DrainOptions;
import dev.keel.queue.HealthThresholds;
import dev.keel.queue.Job;
import dev.keel.queue.JobHandler;
import dev.keel.queue.JobRequest;
import dev.keel.queue.JobState;
import dev.keel.queue.Keel;
import dev.keel.queue.inline.InlineBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real (headless) Chromium against the console on the inline backend: login,
 * overview, jobs and retry, alerts and acknowledge, an operator's tenant scoping, and the phone
 * layout. One browser for the class; the tests run in order and share the jobs made at start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
  static final String ADMIN_TOKEN = "admin-secret-token";
  static final String ACME_TOKEN = "acme-secret-token";

  private Keel keel;
  private OpsConsole console;
  private OpsServer server;
  private URI base;
  private BrowserSupport browser;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final List<Path> shots = new ArrayList<>();

  private UUID bad1;
  private UUID bad2;
  private UUID acmeBad;
  private UUID later;
  private UUID onboarding;

  @BeforeAll
  void start() {
    keel =
        Keel.builder()
            .backend(InlineBackend.create())
            .register(
                "email",
                Map.class,
                JobHandler.of(
                    m -> {
                      if (Boolean.TRUE.equals(m.get("fail"))) {
                        throw new IllegalStateException("SMTP 550 mailbox unavailable");
                      }
                    }))
            .register("report", Map.class, JobHandler.of(m -> {}))
            .register(
                "onboard",
                Map.class,
                ctx -> {
                  ctx.step("reserve", String.class, () -> "seat-7", s -> {});
                  ctx.step(
                      "charge",
                      Map.class,
                      () -> new java.util.TreeMap<>(Map.of("id", "ch-1", "cents", 4900)),
                      c -> {});
                  ctx.awaitSignal("approval", Map.class, Duration.ofDays(2));
                  return dev.keel.queue.JobOutcome.success();
                })
            .build();
    console =
        OpsConsole.builder(keel)
            .authenticator(
                BearerTokenAuthenticator.builder()
                    .admin("ops-team", ADMIN_TOKEN)
                    .operator("acme-support", ACME_TOKEN, "acme")
                    .build())
            .alerts(List.of(AlertRules.failureRate(Duration.ofMinutes(15), 0.2, 1)))
            .alertSink(n -> {})
            // Any failure makes the verdict unhealthy, so that the page shows problems.
            .healthThresholds(new HealthThresholds(0, 0, Duration.ofMinutes(5)))
            .build();
    bad1 = enqueue(JobRequest.of("email", Map.of("to", "a@x", "fail", true)));
    bad2 = enqueue(JobRequest.of("email", Map.of("to", "b@x", "fail", true)));
    enqueue(JobRequest.of("report", Map.of("day", "2026-12-06")));
    acmeBad =
        enqueue(JobRequest.of("email", Map.of("to", "c@acme", "fail", true)).withTenant("acme"));
    later = enqueue(JobRequest.of("report", Map.of("day", "later")).withDelay(Duration.ofHours(1)));
    onboarding = enqueue(JobRequest.of("onboard", Map.of("customer", "globex")));
    keel.drain(DrainOptions.defaults().withMaxJobs(20).withBudget(Duration.ofSeconds(20)));
    server = OpsServer.start(console, new InetSocketAddress("127.0.0.1", 0));
    base = server.url();
    console.evaluateAlertsNow();
    browser = BrowserSupport.start();
  }

  private UUID enqueue(JobRequest<?> request) {
    JobRequest<?> r = request.withMaxAttempts(1);
    return keel.client().enqueue(r).id();
  }

  @AfterEach
  void noScriptErrors() {
    assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
  }

  @AfterAll
  void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (server != null) {
        server.close(); // closes the console too
      }
      if (keel != null) {
        keel.close();
      }
      shots.forEach(p -> System.out.println("screenshot: " + p));
    }
  }

  // ---- (a) login ----------------------------------------------------------------------------

  @Test
  @Order(1)
  void wrongTokenStaysOnLoginAndTheAdminTokenShowsTheOverview() {
    browser.driver.get(base.toString());
    WebElement token = browser.visible(test("login-token"));
    shots.add(browser.screenshot("login"));

    token.sendKeys("not-the-right-token-at-all");
    browser.driver.findElement(test("login-submit")).click();
    WebElement banner = browser.visible(test("error-banner"));
    assertThat(banner.getText()).contains("not accepted");
    assertThat(browser.driver.findElement(test("login-view")).isDisplayed()).isTrue();
    assertThat(browser.driver.findElement(test("view")).isDisplayed()).isFalse();

    login(ADMIN_TOKEN);
    assertThat(browser.driver.findElement(test("whoami")).getText())
        .contains("ops-team")
        .contains("administrator");
    browser.textIs(test("count-FAILED"), "3");
    assertThat(browser.driver.findElement(test("count-SUCCEEDED")).getText()).isEqualTo("1");
    // The delayed report and the onboarding job that waits for its approval signal.
    assertThat(browser.driver.findElement(test("count-PENDING")).getText()).isEqualTo("2");
    assertThat(browser.driver.findElement(test("health-verdict")).getText()).isEqualTo("Unhealthy");
    assertThat(browser.driver.findElement(test("health-problems")).getText())
        .contains("failed in the last hour");
    WebElement email =
        browser.driver.findElement(By.cssSelector("[data-test='type-row'][data-type='email']"));
    assertThat(email.findElement(test("lasthour-FAILED")).getText()).isEqualTo("3");
    assertThat(browser.driver.findElements(test("backlog-chart"))).hasSize(1);
    assertThat(browser.driver.findElement(test("error-banner")).isDisplayed()).isFalse();
    long[] w = browser.widths();
    assertThat(w[0]).as("page width at 1366 px").isLessThanOrEqualTo(w[1]);
    shots.add(browser.screenshot("overview"));
  }

  // ---- (b) jobs, one job, retry -------------------------------------------------------------

  @Test
  @Order(2)
  void failedJobsAreListedShownAndRetried() {
    browser.visible(test("nav-jobs")).click();
    WebElement form = browser.visible(test("jobs-filter"));
    new Select(form.findElement(test("filter-state"))).selectByValue("FAILED");
    form.findElement(test("filter-apply")).click();
    browser.until(
        "the jobs view filtered to FAILED", d -> d.getCurrentUrl().contains("state=FAILED"));
    List<String> ids =
        browser.until(
            "two FAILED rows",
            d -> {
              List<WebElement> rows = d.findElements(test("job-row"));
              if (rows.size() != 2
                  || !rows.stream().allMatch(r -> "FAILED".equals(r.getAttribute("data-state")))) {
                return null;
              }
              return rows.stream().map(r -> r.getAttribute("data-id")).toList();
            });
    assertThat(ids).containsExactly(bad1.toString(), bad2.toString());
    assertThat(browser.driver.findElement(test("job-row-error")).getText())
        .contains("SMTP 550 mailbox unavailable");
    shots.add(browser.screenshot("jobs"));

    browser
        .driver
        .findElement(By.cssSelector("[data-test='job-row'][data-id='" + bad1 + "'] a"))
        .click();
    browser.visible(By.cssSelector("[data-test='job-detail'][data-id='" + bad1 + "']"));
    assertThat(browser.driver.findElement(test("job-state")).getText()).isEqualTo("FAILED");
    assertThat(browser.driver.findElement(test("job-error-message")).getText())
        .contains("SMTP 550 mailbox unavailable");
    assertThat(browser.driver.findElement(test("job-stack")).getText())
        .contains("IllegalStateException");
    assertThat(browser.driver.findElement(test("job-payload")).getText())
        .contains("\"to\": \"a@x\"");
    assertThat(browser.driver.findElements(test("cancel"))).isEmpty();
    shots.add(browser.screenshot("job-detail"));

    browser.driver.findElement(test("retry")).click();
    browser.textIs(test("job-state"), "PENDING");
    assertThat(browser.visible(test("notice")).getText()).contains("Retry: done");
    assertThat(browser.driver.findElement(test("job-attempt")).getText()).isEqualTo("0 of 1");
    assertThat(browser.driver.findElements(test("retry"))).isEmpty();
    Job job = keel.client().find("default", bad1).orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.PENDING);
    assertThat(job.attempt()).isZero();

    // A pending job offers Cancel instead.
    browser.driver.get(base + "#/job/default/" + later);
    browser.visible(By.cssSelector("[data-test='job-detail'][data-id='" + later + "']"));
    browser.visible(test("cancel")).click();
    browser.textIs(test("job-state"), "CANCELLED");
    assertThat(keel.client().find("default", later).orElseThrow().state())
        .isEqualTo(JobState.CANCELLED);
  }

  @Test
  @Order(3)
  void aJobsDurableStepsAreShownOnItsPage() {
    browser.driver.get(base + "#/job/default/" + onboarding);
    browser.visible(By.cssSelector("[data-test='job-detail'][data-id='" + onboarding + "']"));
    WebElement steps = browser.visible(test("job-steps"));
    List<WebElement> rows = steps.findElements(test("step-row"));
    assertThat(rows)
        .extracting(r -> r.getAttribute("data-name"))
        .containsExactly("reserve", "charge", "approval");
    assertThat(rows)
        .extracting(r -> r.getAttribute("data-state"))
        .containsExactly("COMPLETED", "COMPLETED", "WAITING");
    assertThat(rows.get(1).findElement(test("step-result")).getText())
        .isEqualTo("{\"cents\":4900,\"id\":\"ch-1\"}");
    assertThat(browser.driver.findElement(test("job-signals")).getText())
        .isEqualTo("No signals received.");
    shots.add(browser.screenshot("job-steps"));
  }

  // ---- (c) alerts ---------------------------------------------------------------------------

  @Test
  @Order(4)
  void theOpenAlertIsAcknowledged() throws Exception {
    browser.visible(test("nav-alerts")).click();
    By row =
        By.cssSelector("[data-test='alert-row'][data-rule='failure-rate'][data-subject='email']");
    WebElement alert = browser.visible(row);
    String id = alert.getAttribute("data-id");
    assertThat(alert.findElement(test("alert-state")).getText()).isEqualTo("OPEN");
    assertThat(alert.findElement(test("alert-message")).getText()).contains("email:");
    alert.findElement(By.cssSelector("[data-test='alert-history'] summary")).click();
    browser.until(
        "the alert history to open",
        ExpectedConditions.visibilityOfNestedElementsLocatedBy(row, test("alert-history-entry")));
    shots.add(browser.screenshot("alerts"));

    alert.findElement(test("ack")).click();
    browser.until(
        "the alert to show ACKNOWLEDGED",
        d -> {
          List<WebElement> rows = d.findElements(row);
          return !rows.isEmpty()
              && rows.get(0).findElement(test("alert-state")).getText().equals("ACKNOWLEDGED");
        });
    WebElement after = browser.driver.findElement(row);
    assertThat(after.findElements(test("ack"))).isEmpty();
    assertThat(after.findElement(test("alert-acknowledged")).getText()).contains("ops-team");
    shots.add(browser.screenshot("alerts-acknowledged"));

    JsonNode alerts = getJson("api/alerts?state=ACKNOWLEDGED", ADMIN_TOKEN);
    JsonNode acked = null;
    for (JsonNode a : alerts.path("alerts")) {
      if (a.path("id").asText().equals(id)) {
        acked = a;
      }
    }
    assertThat(acked).as("alert " + id + " in " + alerts).isNotNull();
    assertThat(acked.path("state").asText()).isEqualTo("ACKNOWLEDGED");
    assertThat(acked.path("acknowledgedBy").asText()).isEqualTo("ops-team");
  }

  // ---- (d) an operator ----------------------------------------------------------------------

  @Test
  @Order(5)
  void anOperatorSeesOnlyTheirTenant() {
    logout();
    login(ACME_TOKEN);
    assertThat(browser.driver.findElement(test("whoami")).getText())
        .contains("acme-support")
        .contains("operator of acme");

    browser.driver.get(base + "#/jobs");
    List<String> rows =
        browser.until(
            "acme's jobs",
            d -> {
              if (!d.findElement(test("jobs-summary")).getText().contains("tenant acme")) {
                return null;
              }
              return d.findElements(test("job-row")).stream()
                  .map(r -> r.getAttribute("data-tenant") + "/" + r.getAttribute("data-id"))
                  .toList();
            });
    assertThat(rows).containsExactly("acme/" + acmeBad);

    browser.driver.get(base + "#/job/default/" + bad2);
    browser.visible(test("not-found"));
    assertThat(browser.visible(test("error-banner")).getText()).containsIgnoringCase("not found");
    assertThat(browser.driver.findElements(test("job-detail"))).isEmpty();

    // Naming their own tenant does not reach another tenant's job either.
    browser.driver.get(base + "#/job/acme/" + bad2);
    browser.until(
        "the banner to say job " + bad2 + " is not found",
        d -> d.findElement(test("error-banner")).getText().contains("no job " + bad2));
    assertThat(browser.driver.findElement(test("error-banner")).getText())
        .containsIgnoringCase("not found");
    assertThat(browser.driver.findElements(test("not-found"))).hasSize(1);
  }

  // ---- (e) a phone --------------------------------------------------------------------------

  @Test
  @Order(6)
  void theOverviewFitsAPhone() {
    logout();
    login(ADMIN_TOKEN);
    browser.resize(BrowserSupport.PHONE);
    try {
      browser.driver.get(base + "#/overview");
      browser.textIs(test("count-FAILED"), "2"); // bad1 was retried
      long[] w = browser.widths();
      assertThat(w[0]).as("overview scroll width at 390 px").isLessThanOrEqualTo(w[1]);
      shots.add(browser.screenshot("phone-overview"));

      for (String view : List.of("#/jobs?state=FAILED", "#/job/default/" + bad2, "#/alerts")) {
        browser.driver.get(base + view);
        browser.until(
            view + " to load",
            d ->
                "false".equals(d.findElement(test("view")).getAttribute("aria-busy"))
                    && !d.findElement(test("view")).getText().isEmpty());
        long[] vw = browser.widths();
        assertThat(vw[0]).as(view + " scroll width at 390 px").isLessThanOrEqualTo(vw[1]);
      }
    } finally {
      browser.resize(BrowserSupport.LAPTOP);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private void login(String token) {
    WebElement field = browser.visible(test("login-token"));
    field.clear();
    field.sendKeys(token);
    browser.driver.findElement(test("login-submit")).click();
    browser.visible(test("whoami"));
    browser.visible(test("view"));
  }

  private void logout() {
    browser.visible(test("logout")).click();
    browser.visible(test("login-token"));
  }

  private JsonNode getJson(String path, String token) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }
}

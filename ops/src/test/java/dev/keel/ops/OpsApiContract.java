package dev.keel.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.queue.DrainOptions;
import dev.keel.queue.JobState;
import dev.keel.queue.spi.QueueBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's HTTP API over real HTTP, run by each backend's subclass: access, tenant scoping,
 * validation, and that the actions change the jobs.
 */
abstract class OpsApiContract {
  OpsFixture f;

  abstract QueueBackend openBackend();

  @BeforeEach
  void start() {
    f = new OpsFixture(openBackend(), List.of(AlertRules.failureRate(Duration.ofHours(1), 0.5, 1)));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** Enqueues two failing e-mails and one good report in default, and one failing in acme. */
  private Map<String, UUID> someJobs() {
    UUID bad1 = f.enqueue("email", "default", true);
    UUID bad2 = f.enqueue("email", "default", true);
    UUID good = f.enqueue("report", "default", false);
    UUID acme = f.enqueue("email", "acme", true);
    f.keel.drain(DrainOptions.defaults().withMaxJobs(10).withBudget(Duration.ofSeconds(20)));
    return Map.of("bad1", bad1, "bad2", bad2, "good", good, "acme", acme);
  }

  @Test
  void healthRoutesAnswerWithoutAPrincipal() {
    OpsFixture.Res live = f.get("health/live", null);
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.body().path("status").asText()).isEqualTo("UP");
    OpsFixture.Res ready = f.get("health/ready", null);
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.body().path("backendReachable").asBoolean()).isTrue();
    assertThat(ready.body().path("workerRunning").isNull()).isTrue();
  }

  @Test
  void everyApiRouteNeedsAValidPrincipal() {
    for (String path :
        List.of("api/overview", "api/jobs", "api/alerts", "api/backlog", "api/types")) {
      assertThat(f.get(path, null).status()).as(path).isEqualTo(401);
      assertThat(f.get(path, "wrong-token-wrong-token").status()).as(path).isEqualTo(401);
      assertThat(f.get(path, OpsFixture.ADMIN_TOKEN).status()).as(path).isEqualTo(200);
    }
    OpsFixture.Res r = f.post("api/process", null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body().path("error").asText()).isEqualTo("unauthenticated");
    assertThat(r.raw().body()).doesNotContain(OpsFixture.ADMIN_TOKEN);
  }

  @Test
  void overviewCountsJobsByStateTypeAndQueue() {
    someJobs();
    JsonNode o = f.get("api/overview", OpsFixture.ADMIN_TOKEN).body();
    assertThat(o.path("reachable").asBoolean()).isTrue();
    assertThat(o.path("counts").path("FAILED").asLong()).isEqualTo(3);
    assertThat(o.path("counts").path("SUCCEEDED").asLong()).isEqualTo(1);
    assertThat(o.path("failedLastHour").asLong()).isEqualTo(3);
    assertThat(o.path("byQueue").path("default").path("FAILED").asLong()).isEqualTo(3);
    JsonNode email = type(o, "email");
    assertThat(email.path("counts").path("FAILED").asLong()).isEqualTo(3);
    assertThat(email.path("lastHour").path("FAILED").asLong()).isEqualTo(3);
    assertThat(email.path("hasHandler").asBoolean()).isTrue();
    JsonNode report = type(o, "report");
    assertThat(report.path("lastHour").path("SUCCEEDED").asLong()).isEqualTo(1);
    assertThat(report.path("durations").path("count").asLong()).isEqualTo(1);
    assertThat(report.path("durations").has("p99Ms")).isTrue();
    assertThat(o.path("elapsedMs").isNumber()).isTrue();
  }

  private static JsonNode type(JsonNode overview, String name) {
    for (JsonNode t : overview.path("types")) {
      if (t.path("type").asText().equals(name)) {
        return t;
      }
    }
    throw new AssertionError("no type " + name + " in " + overview);
  }

  @Test
  void jobsAreFilteredAndPagedByCursor() {
    Map<String, UUID> ids = someJobs();
    JsonNode failed = f.get("api/jobs?state=FAILED", OpsFixture.ADMIN_TOKEN).body();
    assertThat(ids(failed)).containsExactly(ids.get("bad1"), ids.get("bad2"));
    assertThat(failed.path("jobs").get(0).path("lastError").asText())
        .contains("SMTP 550 mailbox unavailable");
    assertThat(ids(f.get("api/jobs?type=report", OpsFixture.ADMIN_TOKEN).body()))
        .containsExactly(ids.get("good"));
    assertThat(ids(f.get("api/jobs?tenant=acme", OpsFixture.ADMIN_TOKEN).body()))
        .containsExactly(ids.get("acme"));
    // Cursor paging walks every job once.
    JsonNode page1 = f.get("api/jobs?limit=2", OpsFixture.ADMIN_TOKEN).body();
    assertThat(ids(page1)).hasSize(2);
    String next = page1.path("next").asText();
    JsonNode page2 = f.get("api/jobs?limit=2&after=" + next, OpsFixture.ADMIN_TOKEN).body();
    Set<UUID> all = new HashSet<>(ids(page1));
    all.addAll(ids(page2));
    assertThat(all).containsExactlyInAnyOrder(ids.get("bad1"), ids.get("bad2"), ids.get("good"));
    // A creation-time range.
    String future = Instant.now().plus(Duration.ofHours(1)).toString();
    String past = Instant.now().minus(Duration.ofHours(1)).toString();
    assertThat(ids(f.get("api/jobs?from=" + future, OpsFixture.ADMIN_TOKEN).body())).isEmpty();
    assertThat(ids(f.get("api/jobs?to=" + past, OpsFixture.ADMIN_TOKEN).body())).isEmpty();
    assertThat(ids(f.get("api/jobs?from=" + past + "&to=" + future, OpsFixture.ADMIN_TOKEN).body()))
        .hasSize(3);
  }

  private static List<UUID> ids(JsonNode page) {
    List<UUID> out = new java.util.ArrayList<>();
    page.path("jobs").forEach(j -> out.add(UUID.fromString(j.path("id").asText())));
    return out;
  }

  @Test
  void oneJobShowsItsErrorWithStackTraceAndPayload() {
    Map<String, UUID> ids = someJobs();
    JsonNode j = f.get("api/jobs/" + ids.get("bad1"), OpsFixture.ADMIN_TOKEN).body();
    assertThat(j.path("state").asText()).isEqualTo("FAILED");
    assertThat(j.path("error").path("message").asText()).contains("SMTP 550");
    assertThat(j.path("error").path("stackTrace").asText()).contains("IllegalStateException");
    assertThat(j.path("payload").path("fail").asBoolean()).isTrue();
    assertThat(j.path("attempt").asInt()).isEqualTo(1);
    assertThat(f.get("api/jobs/" + UUID.randomUUID(), OpsFixture.ADMIN_TOKEN).status())
        .isEqualTo(404);
    assertThat(j.path("links").isNull()).as("no batch, dependencies or callback").isTrue();
  }

  @Test
  void aBlockedJobShowsWhatItWaitsFor() {
    UUID first = f.keel.client().enqueue(dev.keel.queue.JobRequest.of("mail", Map.of())).id();
    UUID waiting =
        f.keel
            .client()
            .enqueue(dev.keel.queue.JobRequest.of("mail", Map.of()).dependsOn(first))
            .id();
    JsonNode j = f.get("api/jobs/" + waiting, OpsFixture.ADMIN_TOKEN).body();
    assertThat(j.path("state").asText()).isEqualTo("PENDING");
    assertThat(j.path("links").path("blocked").asBoolean()).isTrue();
    assertThat(j.path("links").path("dependsOn").get(0).asText()).isEqualTo(first.toString());
  }

  @Test
  void badParametersAnswer400NamingTheField() {
    Map<String, String> cases =
        Map.ofEntries(
            Map.entry("api/jobs?limit=0", "limit"),
            Map.entry("api/jobs?limit=abc", "limit"),
            Map.entry("api/jobs?state=DONE", "state"),
            Map.entry("api/jobs?after=not-a-uuid", "after"),
            Map.entry("api/jobs?from=yesterday", "from"),
            Map.entry("api/jobs?colour=red", "colour"),
            Map.entry("api/jobs?tenant=a%20b", "tenant"),
            Map.entry("api/jobs/not-a-uuid", "id"),
            Map.entry("api/alerts?state=LOUD", "state"),
            Map.entry("api/backlog?hours=0", "hours"));
    cases.forEach(
        (path, field) -> {
          OpsFixture.Res r = f.get(path, OpsFixture.ADMIN_TOKEN);
          assertThat(r.status()).as(path).isEqualTo(400);
          assertThat(r.body().path("error").asText()).as(path).isEqualTo("bad_request");
          assertThat(r.body().path("field").asText()).as(path).isEqualTo(field);
          assertThat(r.body().path("message").asText()).as(path).isNotBlank();
        });
    Map<String, String> posts =
        Map.of(
            "api/process?max=51",
            "max",
            "api/process?max=0",
            "max",
            "api/process?budgetMs=20001",
            "budgetMs",
            "api/process?type=nope",
            "type",
            "api/process?balanced=email",
            "balanced",
            "api/process?balanced=email:x",
            "balanced",
            "api/jobs/redrive?max=1001",
            "max",
            "api/alerts/" + UUID.randomUUID() + "/snooze?minutes=0",
            "minutes");
    posts.forEach(
        (path, field) -> {
          OpsFixture.Res r = f.post(path, OpsFixture.ADMIN_TOKEN);
          assertThat(r.status()).as(path).isEqualTo(400);
          assertThat(r.body().path("field").asText()).as(path).isEqualTo(field);
        });
    assertThat(f.get("api/process", OpsFixture.ADMIN_TOKEN).status()).isEqualTo(405);
    assertThat(f.get("api/nothing-here", OpsFixture.ADMIN_TOKEN).status()).isEqualTo(404);
  }

  @Test
  void anOperatorSeesOnlyTheirTenants() {
    Map<String, UUID> ids = someJobs();
    JsonNode jobs = f.get("api/jobs", OpsFixture.ACME_TOKEN).body();
    assertThat(jobs.path("tenant").asText()).isEqualTo("acme");
    assertThat(ids(jobs)).containsExactly(ids.get("acme"));
    assertThat(f.get("api/jobs?tenant=default", OpsFixture.ACME_TOKEN).status()).isEqualTo(404);
    // Another tenant's job answers 404 as if it did not exist, for reads and for actions.
    assertThat(f.get("api/jobs/" + ids.get("bad1"), OpsFixture.ACME_TOKEN).status()).isEqualTo(404);
    assertThat(
            f.get("api/jobs/" + ids.get("bad1") + "?tenant=default", OpsFixture.ACME_TOKEN)
                .status())
        .isEqualTo(404);
    assertThat(f.post("api/jobs/" + ids.get("bad1") + "/retry", OpsFixture.ACME_TOKEN).status())
        .isEqualTo(404);
    assertThat(f.keel.client().find("default", ids.get("bad1")).orElseThrow().state())
        .isEqualTo(JobState.FAILED);
    assertThat(f.get("api/jobs/" + ids.get("acme"), OpsFixture.ACME_TOKEN).status()).isEqualTo(200);
    JsonNode o = f.get("api/overview", OpsFixture.ACME_TOKEN).body();
    assertThat(o.path("counts").path("FAILED").asLong()).isEqualTo(1);
    assertThat(o.path("counts").path("SUCCEEDED").asLong()).isZero();
    JsonNode session = f.get("api/session", OpsFixture.ACME_TOKEN).body();
    assertThat(session.path("principal").path("admin").asBoolean()).isFalse();
    assertThat(session.path("principal").path("tenants").get(0).asText()).isEqualTo("acme");
  }

  @Test
  void retryCancelAndProcessChangeTheJobs() {
    Map<String, UUID> ids = someJobs();
    OpsFixture.Res retry = f.post("api/jobs/" + ids.get("bad1") + "/retry", OpsFixture.ADMIN_TOKEN);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.body().path("changed").asBoolean()).isTrue();
    assertThat(retry.body().path("job").path("state").asText()).isEqualTo("PENDING");
    assertThat(f.keel.client().find("default", ids.get("bad1")).orElseThrow().state())
        .isEqualTo(JobState.PENDING);
    // Retrying a job that is not FAILED changes nothing.
    OpsFixture.Res again = f.post("api/jobs/" + ids.get("good") + "/retry", OpsFixture.ADMIN_TOKEN);
    assertThat(again.body().path("changed").asBoolean()).isFalse();

    UUID pending = f.enqueue("report", "default", false);
    OpsFixture.Res cancel = f.post("api/jobs/" + pending + "/cancel", OpsFixture.ADMIN_TOKEN);
    assertThat(cancel.body().path("changed").asBoolean()).isTrue();
    assertThat(f.keel.client().find("default", pending).orElseThrow().state())
        .isEqualTo(JobState.CANCELLED);

    // bad1 is PENDING again and fails again when processed; max=1 runs exactly one job.
    f.enqueue("report", "default", false);
    OpsFixture.Res run =
        f.post("api/process?max=1&type=email&budgetMs=10000", OpsFixture.ADMIN_TOKEN);
    assertThat(run.status()).isEqualTo(200);
    assertThat(run.body().path("ran").asInt()).isEqualTo(1);
    assertThat(run.body().path("failed").asInt()).isEqualTo(1);
    assertThat(f.keel.client().find("default", ids.get("bad1")).orElseThrow().state())
        .isEqualTo(JobState.FAILED);
    // Balanced: at most 0 e-mails, so only reports run.
    f.enqueue("email", "default", false);
    OpsFixture.Res balanced = f.post("api/process?max=10&balanced=email:0", OpsFixture.ADMIN_TOKEN);
    assertThat(balanced.body().path("ran").asInt()).isEqualTo(1);
    assertThat(balanced.body().path("succeeded").asInt()).isEqualTo(1);
  }

  @Test
  void redriveRetriesFailedJobsInBoundedBatches() {
    someJobs();
    f.enqueue("email", "default", true);
    f.keel.drain(DrainOptions.defaults().withMaxJobs(10));
    JsonNode first = f.post("api/jobs/redrive?type=email&max=2", OpsFixture.ADMIN_TOKEN).body();
    assertThat(first.path("redriven").asInt()).isEqualTo(2);
    assertThat(first.path("more").asBoolean()).isTrue();
    JsonNode second = f.post("api/jobs/redrive?type=email&max=2", OpsFixture.ADMIN_TOKEN).body();
    assertThat(second.path("redriven").asInt()).isEqualTo(1);
    assertThat(second.path("more").asBoolean()).isFalse();
    assertThat(f.get("api/jobs?state=FAILED", OpsFixture.ADMIN_TOKEN).body().path("jobs").size())
        .isZero();
    // The acme job was not touched by an admin's default-tenant re-drive.
    assertThat(
            f.get("api/jobs?tenant=acme&state=FAILED", OpsFixture.ADMIN_TOKEN)
                .body()
                .path("jobs")
                .size())
        .isEqualTo(1);
  }

  @Test
  void browserSessionsNeedTheCsrfTokenOnPosts() {
    Map<String, UUID> ids = someJobs();
    OpsFixture.Res wrong =
        f.send("POST", "api/session", null, "{\"token\":\"nope-nope-nope-nope\"}", Map.of());
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.header("Set-Cookie")).isNull();
    OpsFixture.Res login =
        f.send(
            "POST",
            "api/session",
            null,
            "{\"token\":\"" + OpsFixture.ADMIN_TOKEN + "\"}",
            Map.of("Content-Type", "application/json"));
    assertThat(login.status()).isEqualTo(200);
    String setCookie = login.header("Set-Cookie");
    assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict");
    assertThat(login.raw().body()).doesNotContain(OpsFixture.ADMIN_TOKEN);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    String csrf = login.body().path("csrf").asText();
    assertThat(csrf).isNotBlank();
    assertThat(login.body().path("principal").path("name").asText()).isEqualTo("ops-team");

    assertThat(f.send("GET", "api/overview", null, null, Map.of("Cookie", cookie)).status())
        .isEqualTo(200);
    String retry = "api/jobs/" + ids.get("bad1") + "/retry";
    OpsFixture.Res noCsrf = f.send("POST", retry, null, null, Map.of("Cookie", cookie));
    assertThat(noCsrf.status()).isEqualTo(403);
    assertThat(f.keel.client().find("default", ids.get("bad1")).orElseThrow().state())
        .isEqualTo(JobState.FAILED);
    OpsFixture.Res badCsrf =
        f.send("POST", retry, null, null, Map.of("Cookie", cookie, "X-Keel-CSRF", "guess"));
    assertThat(badCsrf.status()).isEqualTo(403);
    OpsFixture.Res withCsrf =
        f.send("POST", retry, null, null, Map.of("Cookie", cookie, "X-Keel-CSRF", csrf));
    assertThat(withCsrf.status()).isEqualTo(200);
    assertThat(f.keel.client().find("default", ids.get("bad1")).orElseThrow().state())
        .isEqualTo(JobState.PENDING);

    OpsFixture.Res out =
        f.send(
            "POST",
            "api/session/logout",
            null,
            null,
            Map.of("Cookie", cookie, "X-Keel-CSRF", csrf));
    assertThat(out.status()).isEqualTo(200);
    assertThat(f.send("GET", "api/overview", null, null, Map.of("Cookie", cookie)).status())
        .isEqualTo(401);
  }

  @Test
  void alertsCanBeAcknowledgedSnoozedAndResolvedThroughTheApi() {
    someJobs();
    f.console.evaluateAlertsNow();
    JsonNode list = f.get("api/alerts?state=OPEN", OpsFixture.ADMIN_TOKEN).body();
    assertThat(list.path("alerts").size()).isEqualTo(1);
    JsonNode alert = list.path("alerts").get(0);
    assertThat(alert.path("rule").asText()).isEqualTo("failure-rate");
    assertThat(alert.path("subject").asText()).isEqualTo("email");
    String id = alert.path("id").asText();

    JsonNode acked = f.post("api/alerts/" + id + "/ack", OpsFixture.ADMIN_TOKEN).body();
    assertThat(acked.path("state").asText()).isEqualTo("ACKNOWLEDGED");
    assertThat(acked.path("acknowledgedBy").asText()).isEqualTo("ops-team");
    JsonNode snoozed =
        f.post("api/alerts/" + id + "/snooze?minutes=30", OpsFixture.ADMIN_TOKEN).body();
    assertThat(snoozed.path("state").asText()).isEqualTo("SNOOZED");
    assertThat(Instant.parse(snoozed.path("snoozedUntil").asText())).isAfter(Instant.now());
    JsonNode resolved = f.post("api/alerts/" + id + "/resolve", OpsFixture.ADMIN_TOKEN).body();
    assertThat(resolved.path("state").asText()).isEqualTo("RESOLVED");
    assertThat(resolved.path("history").size()).isEqualTo(4);
    assertThat(f.post("api/alerts/" + id + "/ack", OpsFixture.ADMIN_TOKEN).status()).isEqualTo(409);
    // Alerts about the whole backend are for administrators.
    assertThat(f.get("api/alerts/" + id, OpsFixture.ACME_TOKEN).status()).isEqualTo(404);
    assertThat(f.get("api/alerts", OpsFixture.ACME_TOKEN).body().path("alerts").size()).isZero();
  }

  @Test
  void theBacklogTrendIsSampledAndKept() {
    someJobs();
    assertThat(f.console.sampleNow()).isTrue();
    JsonNode admin = f.get("api/backlog?hours=1", OpsFixture.ADMIN_TOKEN).body();
    assertThat(admin.path("samples").size()).isGreaterThanOrEqualTo(1);
    JsonNode last = admin.path("samples").get(admin.path("samples").size() - 1);
    assertThat(last.path("counts").path("FAILED").asLong()).isEqualTo(3);
    JsonNode acme = f.get("api/backlog", OpsFixture.ACME_TOKEN).body();
    JsonNode acmeLast = acme.path("samples").get(acme.path("samples").size() - 1);
    assertThat(acmeLast.path("counts").path("FAILED").asLong()).isEqualTo(1);
  }

  @Test
  void theDashboardIsServedFromTheJar() {
    OpsFixture.Res page = f.get("", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/html");
    assertThat(page.header("Content-Security-Policy")).contains("default-src 'self'");
    assertThat(page.raw().body()).contains("assets/app.js");
    assertThat(f.get("assets/app.js", null).status()).isEqualTo(200);
    assertThat(f.get("assets/app.css", null).status()).isEqualTo(200);
    assertThat(f.get("assets/..%2Fpom.xml", null).status()).isEqualTo(404);
    assertThat(f.get("assets/nothing.js", null).status()).isEqualTo(404);
  }
}
